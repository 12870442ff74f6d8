import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { agentToken, call, json, uploaderToken, viewerToken } from "./helpers.ts";
import { claim, lease, makeJob, post, resetJobs } from "./jobs-fixtures.ts";

beforeEach(resetJobs);

describe("claim", () => {
  it("leases a job with a fence, a lease expiry and a drawing URL the holder can GET", async () => {
    const agent = await agentToken();
    const { job, bytes } = await makeJob();
    const res = await claim(agent);
    expect(res.status).toBe(200);
    const l = await json(res);
    expect(l.job.id).toBe(job.id);
    expect(l.job.status).toBe("leased");
    expect(l.job.attempts).toBe(1);
    expect(l.fence).toBe(1);
    expect(l.leaseExpiresAt).toBeGreaterThan(Date.now() + 50_000);
    expect(l.drawing.id).toBe(job.drawingId);
    const dl = await call(new URL(l.drawingUrl).pathname, agent);
    expect(dl.status).toBe(200);
    expect(new Uint8Array(await dl.arrayBuffer())).toEqual(bytes);
    // Another agent may not fetch it.
    expect((await call(new URL(l.drawingUrl).pathname, await agentToken())).status).toBe(403);
  });

  it("answers 204 when there is nothing to do", async () => {
    expect((await claim(await agentToken())).status).toBe(204);
  });

  it("five agents racing for one job: exactly one lease", async () => {
    await makeJob();
    const agents = await Promise.all([1, 2, 3, 4, 5].map(() => agentToken()));
    const results = await Promise.all(agents.map((a) => claim(a)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 204, 204, 204, 204]);
    const row = await env.DB.prepare("SELECT fence, attempts FROM jobs").first<{ fence: number; attempts: number }>();
    expect(row).toEqual({ fence: 1, attempts: 1 });
  });

  it("many jobs, many racers: each job leased once", async () => {
    for (let i = 0; i < 4; i++) await makeJob();
    const agents = await Promise.all([1, 2, 3, 4, 5, 6].map(() => agentToken()));
    const results = await Promise.all(agents.map((a) => claim(a)));
    const ids = await Promise.all(results.filter((r) => r.status === 200).map(async (r) => (await json(r)).job.id));
    expect(ids.length).toBe(4);
    expect(new Set(ids).size).toBe(4);
  });

  it("filters by capability: request ∩ token", async () => {
    const { job: pdf } = await makeJob({ kind: "pdf" });
    const dxfOnly = await agentToken(["dxf"]);
    expect((await claim(dxfOnly, ["dxf"])).status).toBe(204);
    // Asking for more than the token allows does not widen it; asking for nothing it allows is 403.
    expect((await claim(dxfOnly, ["dxf", "pdf-vector"])).status).toBe(204);
    expect((await claim(dxfOnly, ["pdf-vector"])).status).toBe(403);
    const both = await agentToken(["dxf", "pdf-vector"]);
    expect((await claim(both, ["dxf"])).status).toBe(204);
    const l = await lease(both, ["pdf-vector"]);
    expect(l.job.id).toBe(pdf.id);
    expect(l.job.capability).toBe("pdf-vector");
  });

  it("hands out the oldest job first", async () => {
    const { job: a } = await makeJob();
    const { job: b } = await makeJob();
    const agent = await agentToken();
    expect((await lease(agent)).job.id).toBe(a.id);
    expect((await lease(agent)).job.id).toBe(b.id);
  });

  it("rejects a bad claim body and non-agents", async () => {
    const agent = await agentToken();
    expect((await post("/api/agent/claim", agent, { capabilities: [] })).status).toBe(400);
    expect((await post("/api/agent/claim", agent, { capabilities: ["dxf"], waitSeconds: 60 })).status).toBe(400);
    expect((await claim(await uploaderToken())).status).toBe(403);
  });
});

describe("long-poll", () => {
  it("a waiting claim returns as soon as a job is created, not at its timeout", async () => {
    const agent = await agentToken();
    const started = Date.now();
    const pending = claim(agent, ["dxf"], 5);
    await new Promise((r) => setTimeout(r, 200));
    const created = Date.now();
    const { job } = await makeJob();
    const res = await pending;
    const answered = Date.now();
    expect(res.status).toBe(200);
    expect((await json(res)).job.id).toBe(job.id);
    expect(answered - created).toBeLessThan(1000);
    expect(answered - started).toBeLessThan(2000);
  });

  it("waits for a matching capability and times out with 204", async () => {
    const agent = await agentToken(["pdf-raster"]);
    const started = Date.now();
    const pending = claim(agent, ["pdf-raster"], 1);
    await makeJob(); // dxf: wakes the waiter, which finds nothing for it and waits again
    const res = await pending;
    expect(res.status).toBe(204);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it("a waiting claim picks up a job whose lease expires while it waits (no notify needed)", async () => {
    const [a, b] = [await agentToken(), await agentToken()];
    const { job } = await makeJob();
    await lease(a);
    await env.DB.prepare("UPDATE jobs SET lease_expires_at = ? WHERE id = ?").bind(Date.now() + 300, job.id).run();
    const started = Date.now();
    const res = await claim(b, ["dxf"], 5);
    expect(res.status).toBe(200);
    expect((await json(res)).job.id).toBe(job.id);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("several waiters, one job: one lease, the others keep waiting", async () => {
    const agents = await Promise.all([1, 2, 3].map(() => agentToken()));
    const pending = agents.map((a) => claim(a, ["dxf"], 2));
    await new Promise((r) => setTimeout(r, 150));
    await makeJob();
    const statuses = (await Promise.all(pending)).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 204, 204]);
  });
});

describe("leases, fences and outcomes", () => {
  const expire = (jobId: string) =>
    env.DB.prepare("UPDATE jobs SET lease_expires_at = ? WHERE id = ?").bind(Date.now() - 1000, jobId).run();

  it("heartbeat extends the lease and returns the cancel flag", async () => {
    const agent = await agentToken();
    await makeJob();
    const l = await lease(agent);
    await env.DB.prepare("UPDATE jobs SET lease_expires_at = ? WHERE id = ?").bind(Date.now() + 5000, l.job.id).run();
    const res = await post(`/api/agent/jobs/${l.job.id}/heartbeat`, agent, { fence: l.fence });
    expect(res.status).toBe(200);
    const hb = await json(res);
    expect(hb.cancel).toBe(false);
    expect(hb.leaseExpiresAt).toBeGreaterThan(Date.now() + 50_000);
  });

  it("an expired lease goes back to the queue; the old holder's fence is then stale", async () => {
    const [a, b] = [await agentToken(), await agentToken()];
    await makeJob();
    const first = await lease(a);
    expect((await claim(b)).status).toBe(204);
    await expire(first.job.id);
    const second = await lease(b);
    expect(second.job.id).toBe(first.job.id);
    expect(second.fence).toBe(first.fence + 1);
    expect(second.job.attempts).toBe(2);
    for (const path of ["heartbeat", "complete"]) {
      const res = await post(`/api/agent/jobs/${first.job.id}/${path}`, a, { fence: first.fence });
      expect(res.status).toBe(409);
      expect((await json(res)).error.code).toBe("stale_fence");
    }
    const fail = await post(`/api/agent/jobs/${first.job.id}/fail`, a, { fence: first.fence, permanent: true, code: "x", message: "x" });
    expect(fail.status).toBe(409);
    // The old holder can no longer fetch the drawing; the new one can.
    expect((await call(`/api/agent/jobs/${first.job.id}/drawing`, a)).status).toBe(403);
    expect((await call(`/api/agent/jobs/${first.job.id}/drawing`, b)).status).toBe(200);
  });

  it("a lease that expires with its attempts used up makes the job dead (lease_expired)", async () => {
    const agent = await agentToken();
    const { job } = await makeJob();
    for (let i = 1; i <= 3; i++) {
      const l = await lease(agent);
      expect(l.job.attempts).toBe(i);
      await expire(job.id);
    }
    expect((await claim(agent)).status).toBe(204);
    const row = await json(await call(`/api/jobs/${job.id}`, await viewerToken()));
    expect(row.status).toBe("dead");
    expect(row.error.code).toBe("lease_expired");
  });

  it("fail: retryable requeues until the cap, then dead with the last error", async () => {
    const agent = await agentToken();
    const { job } = await makeJob();
    for (let i = 1; i <= 3; i++) {
      const l = await lease(agent);
      const res = await post(`/api/agent/jobs/${job.id}/fail`, agent, {
        fence: l.fence, permanent: false, code: "timeout", message: `attempt ${i} timed out`,
      });
      expect(res.status).toBe(200);
      expect((await json(res)).job.status).toBe(i < 3 ? "queued" : "dead");
    }
    const row = await json(await call(`/api/jobs/${job.id}`, await viewerToken()));
    expect(row.status).toBe("dead");
    expect(row.error).toEqual({ code: "timeout", message: "attempt 3 timed out" });
    expect(row.attempts).toBe(3);
  });

  it("fail: permanent fails at once with the converter's message", async () => {
    const agent = await agentToken();
    const { job } = await makeJob();
    const l = await lease(agent);
    const res = await post(`/api/agent/jobs/${job.id}/fail`, agent, {
      fence: l.fence, permanent: true, code: "bad_drawing", message: "no ENTITIES section",
    });
    const body = await json(res);
    expect(body.job.status).toBe("failed");
    expect(body.job.error).toEqual({ code: "bad_drawing", message: "no ENTITIES section" });
    expect((await claim(agent)).status).toBe(204);
  });

  it("fail is idempotent by fence: a repeat gets the same answer; the other action conflicts", async () => {
    const agent = await agentToken();
    const { job } = await makeJob();
    const l = await lease(agent);
    const body = { fence: l.fence, permanent: false, code: "oom", message: "out of memory" };
    const [r1, r2] = await Promise.all([post(`/api/agent/jobs/${job.id}/fail`, agent, body), post(`/api/agent/jobs/${job.id}/fail`, agent, body)]);
    expect([r1.status, r2.status]).toEqual([200, 200]);
    const [b1, b2] = [await json(r1), await json(r2)];
    expect(b1.job.status).toBe("queued");
    expect(b2).toEqual(b1);
    const again = await post(`/api/agent/jobs/${job.id}/fail`, agent, body);
    expect(await json(again)).toEqual(b1);
    // Only one requeue happened.
    const row = await env.DB.prepare("SELECT attempts, status FROM jobs WHERE id = ?").bind(job.id).first();
    expect(row).toEqual({ attempts: 1, status: "queued" });
    const conflictRes = await post(`/api/agent/jobs/${job.id}/complete`, agent, { fence: l.fence });
    expect(conflictRes.status).toBe(409);
    expect((await json(conflictRes)).error.code).toBe("already_finished");
  });

  it("complete needs a glb artifact", async () => {
    const agent = await agentToken();
    const { job } = await makeJob();
    const l = await lease(agent);
    const res = await post(`/api/agent/jobs/${job.id}/complete`, agent, { fence: l.fence });
    expect(res.status).toBe(409);
    expect((await json(res)).error.code).toBe("missing_artifact");
  });

  it("unknown jobs are 404 for fenced calls", async () => {
    const agent = await agentToken();
    expect((await post("/api/agent/jobs/nope/heartbeat", agent, { fence: 1 })).status).toBe(404);
  });
});

describe("cancel and retry", () => {
  it("cancels a queued job at once; it is never leased", async () => {
    const { job } = await makeJob();
    const res = await post(`/api/jobs/${job.id}/cancel`, await uploaderToken());
    expect(res.status).toBe(200);
    expect((await json(res)).job.status).toBe("cancelled");
    expect((await claim(await agentToken())).status).toBe(204);
  });

  it("a leased job gets cancel_requested; the agent sees it on heartbeat and acknowledges by failing", async () => {
    const agent = await agentToken();
    const { job } = await makeJob();
    const l = await lease(agent);
    const res = await post(`/api/jobs/${job.id}/cancel`, await uploaderToken());
    const body = await json(res);
    expect(body.job.status).toBe("leased");
    expect(body.job.cancelRequested).toBe(true);
    const hb = await json(await post(`/api/agent/jobs/${job.id}/heartbeat`, agent, { fence: l.fence }));
    expect(hb.cancel).toBe(true);
    const ack = await json(await post(`/api/agent/jobs/${job.id}/fail`, agent, { fence: l.fence, permanent: false, code: "cancelled", message: "cancelled by staff" }));
    expect(ack.job.status).toBe("cancelled");
  });

  it("a cancel-requested job whose lease expires is cancelled, not requeued", async () => {
    const agent = await agentToken();
    const { job } = await makeJob();
    await lease(agent);
    await post(`/api/jobs/${job.id}/cancel`, await uploaderToken());
    await env.DB.prepare("UPDATE jobs SET lease_expires_at = 1 WHERE id = ?").bind(job.id).run();
    expect((await claim(agent)).status).toBe(204);
    expect((await json(await call(`/api/jobs/${job.id}`, await viewerToken()))).status).toBe("cancelled");
  });

  it("retry requeues failed, dead and cancelled jobs with attempts reset and wakes agents", async () => {
    const agent = await agentToken();
    const uploader = await uploaderToken();
    const { job } = await makeJob();
    const l = await lease(agent);
    await post(`/api/agent/jobs/${job.id}/fail`, agent, { fence: l.fence, permanent: true, code: "bad", message: "bad" });
    const waiting = claim(agent, ["dxf"], 5);
    await new Promise((r) => setTimeout(r, 100));
    const res = await post(`/api/jobs/${job.id}/retry`, uploader);
    expect(res.status).toBe(200);
    const retried = (await json(res)).job;
    expect(retried).toMatchObject({ status: "queued", attempts: 0, error: null });
    const again = await waiting;
    expect(again.status).toBe(200);
    const l2 = await json(again);
    expect(l2.fence).toBe(l.fence + 1);
    expect(l2.job.attempts).toBe(1);
    // A leased job is not retryable; a viewer may not retry or cancel.
    expect((await post(`/api/jobs/${job.id}/retry`, uploader)).status).toBe(409);
    expect((await post(`/api/jobs/${job.id}/retry`, await viewerToken())).status).toBe(403);
    expect((await post(`/api/jobs/${job.id}/cancel`, await viewerToken())).status).toBe(403);
  });
});
