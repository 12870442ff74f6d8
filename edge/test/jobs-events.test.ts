import { beforeEach, describe, expect, it } from "vitest";
import { agentToken, call, ensureGroup, json, kioskToken, uploaderToken, viewerToken } from "./helpers.ts";
import { glbBytes, lease, makeJob, post, putArtifact, resetJobs } from "./jobs-fixtures.ts";

beforeEach(resetJobs);

/** Open a WebSocket through the Worker and collect its JSON messages. */
async function connect(path: string, token: string) {
  const res = await call(path, token, { headers: { Upgrade: "websocket" } });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  ws.accept();
  const messages: any[] = [];
  const waiters: (() => void)[] = [];
  ws.addEventListener("message", (e) => {
    messages.push(JSON.parse(e.data as string));
    waiters.splice(0).forEach((w) => w());
  });
  /** Wait for the first message (from index `from`) matching `pred`. */
  async function next(pred: (m: any) => boolean, from = 0, timeoutMs = 2000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = messages.slice(from).find(pred);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`no matching message; got ${JSON.stringify(messages)}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }
  return { ws, messages, next };
}

describe("progress", () => {
  it("is stored on the job and in its events, and pushed to a staff watch socket", async () => {
    const agent = await agentToken();
    const viewer = await viewerToken();
    const { job } = await makeJob();
    const watch = await connect(`/api/jobs/${job.id}/socket`, viewer);
    const first = await watch.next((m) => m.type === "job");
    expect(first.job).toMatchObject({ id: job.id, status: "queued" });

    const l = await lease(agent);
    const res = await post(`/api/agent/jobs/${job.id}/progress`, agent, { fence: l.fence, stage: "read", percent: 12.4, message: "parsing ENTITIES" });
    expect(res.status).toBe(200);
    const pushed = await watch.next((m) => m.type === "progress");
    expect(pushed.event).toMatchObject({ jobId: job.id, stage: "read", percent: 12, message: "parsing ENTITIES" });
    await post(`/api/agent/jobs/${job.id}/progress`, agent, { fence: l.fence, stage: "build", percent: 60 });

    const row = await json(await call(`/api/jobs/${job.id}`, viewer));
    expect(row.progress).toEqual({ stage: "build", percent: 60, message: null });
    const { events } = await json(await call(`/api/jobs/${job.id}/events`, viewer));
    expect(events.map((e: any) => [e.stage, e.percent])).toEqual([["read", 12], ["build", 60]]);
    const newer = await json(await call(`/api/jobs/${job.id}/events?after=${events[0].id}`, viewer));
    expect(newer.events.map((e: any) => e.stage)).toEqual(["build"]);

    // Status changes are pushed too.
    await putArtifact(agent, job.id, l.fence, "glb", glbBytes());
    await post(`/api/agent/jobs/${job.id}/complete`, agent, { fence: l.fence });
    const done = await watch.next((m) => m.type === "status");
    expect(done.job.status).toBe("succeeded");
    watch.ws.close();
  });

  it("a stale fence stores nothing", async () => {
    const agent = await agentToken();
    const { job } = await makeJob();
    const l = await lease(agent);
    const res = await post(`/api/agent/jobs/${job.id}/progress`, agent, { fence: l.fence + 1, stage: "read", percent: 1 });
    expect(res.status).toBe(409);
    const { events } = await json(await call(`/api/jobs/${job.id}/events`, await viewerToken()));
    expect(events).toEqual([]);
  });

  it("progress of a job with a target group reaches that group's kiosks", async () => {
    const agent = await agentToken();
    const kiosk = await connect("/api/kiosk/groups/showroom/socket", await kioskToken("showroom"));
    kiosk.ws.send(JSON.stringify({ type: "hello", version: 0 }));
    await kiosk.next((m) => m.type === "state");
    const { job } = await makeJob({ options: { targetGroup: "showroom" } });
    const l = await lease(agent);
    await post(`/api/agent/jobs/${job.id}/progress`, agent, { fence: l.fence, stage: "classify", percent: 40 });
    const msg = await kiosk.next((m) => m.type === "progress");
    expect(msg.event).toMatchObject({ jobId: job.id, stage: "classify", percent: 40 });
    kiosk.ws.close();
  });

  it("the watch socket is for staff; unknown jobs are 404", async () => {
    const { job } = await makeJob();
    expect((await call(`/api/jobs/${job.id}/socket`, await agentToken(), { headers: { Upgrade: "websocket" } })).status).toBe(403);
    expect((await call(`/api/jobs/${job.id}/socket`, await kioskToken("x"), { headers: { Upgrade: "websocket" } })).status).toBe(403);
    expect((await call("/api/jobs/nope/socket", await viewerToken(), { headers: { Upgrade: "websocket" } })).status).toBe(404);
    expect((await call(`/api/jobs/${job.id}/socket`, await viewerToken())).status).toBe(426);
  });
});

describe("publish on complete", () => {
  it("pushes a state message to a connected kiosk and records the published model", async () => {
    await ensureGroup("atrium");
    const kiosk = await connect("/api/kiosk/groups/atrium/socket", await kioskToken("atrium"));
    kiosk.ws.send(JSON.stringify({ type: "hello", version: 0 }));
    const initial = await kiosk.next((m) => m.type === "state");
    const agent = await agentToken();
    const { job } = await makeJob({ options: { targetGroup: "atrium" } });
    const l = await lease(agent);
    await putArtifact(agent, job.id, l.fence, "glb", glbBytes());
    const done = (await json(await post(`/api/agent/jobs/${job.id}/complete`, agent, { fence: l.fence }))).job;
    // The kiosk is told to prefetch; once it is ready the group flips (kiosk-sync.test.ts has the rest).
    const prefetch = await kiosk.next((m) => m.type === "prefetch");
    expect(prefetch.switch.model.id).toBe(done.modelId);
    kiosk.ws.send(JSON.stringify({ type: "ready", switchId: prefetch.switch.switchId }));
    const flip = await kiosk.next((m) => m.type === "delta" && m.changes.some((ch: any) => ch.model?.id === done.modelId));
    expect(flip.version).toBe(initial.state.version + 1);
    const { groups } = await json(await call("/api/groups", await viewerToken()));
    expect(groups.find((g: any) => g.id === "atrium").publishedModelId).toBe(done.modelId);
    // A repeat of complete does not publish again.
    const count = kiosk.messages.length;
    await post(`/api/agent/jobs/${job.id}/complete`, agent, { fence: l.fence });
    await new Promise((r) => setTimeout(r, 100));
    expect(kiosk.messages.length).toBe(count);
    kiosk.ws.close();
  });

  it("a job without a target group publishes nothing; cancel pushes a status", async () => {
    const { job } = await makeJob();
    const watch = await connect(`/api/jobs/${job.id}/socket`, await viewerToken());
    await post(`/api/jobs/${job.id}/cancel`, await uploaderToken());
    const msg = await watch.next((m) => m.type === "status");
    expect(msg.job.status).toBe("cancelled");
    watch.ws.close();
  });
});
