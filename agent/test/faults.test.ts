/**
 * Whatever dies, no job is lost and none is finished twice. Each case breaks something real: the agent
 * is SIGKILLed and restarted, Redis is restarted, the converter hangs (SIGSTOP) or crashes (SIGKILL),
 * the edge answers 503, drops connections and answers too late, and a paused agent loses its lease
 * to another agent. The edge runs with 8 s leases so take-overs happen within the test.
 */
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFaultProxy } from "./support/fault-proxy.ts";
import {
  childrenOf, finished, planDxf, running as isRunning, startAgent, startEdge, startRedis, upload, waitForJob,
  type AgentProcess, type Edge, type RedisServer,
} from "./support/stack.ts";

let edge: Edge;
let redis: RedisServer;
let token: string;
const running: AgentProcess[] = [];
let seed = 1000;

beforeAll(async () => {
  // Under `wrangler dev` a client that goes away mid long-poll is not seen by the Worker (the local proxy
  // keeps the request open), so each agent a test kills may leave one claim that takes a lease nobody
  // receives: it costs an attempt and 8 s. More attempts keep those from killing jobs here; the
  // assertions below are about fences, not attempt counts.
  [edge, redis] = await Promise.all([startEdge({ LEASE_SECONDS: "8", MAX_ATTEMPTS: "8" }), startRedis()]);
  token = await edge.agentToken(["dxf"]);
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((a) => a.kill("SIGKILL")));
});

afterAll(async () => {
  await Promise.all([edge?.stop(), redis?.stop()]);
});

async function agent(id: string, extra: Record<string, string> = {}, tok = token): Promise<AgentProcess> {
  const a = await startAgent({
    EDGE_URL: edge.url, AGENT_TOKEN: tok, REDIS_URL: redis.url, AGENT_ID: id,
    AGENT_WORK_DIR: path.join(edge.persist, `work-${id}`), AGENT_CONCURRENCY_DXF: "2",
    AGENT_CONCURRENCY_PDF_VECTOR: "0", AGENT_CONCURRENCY_PDF_RASTER: "0", ...extra,
  });
  running.push(a);
  return a;
}

const uploads = (n: number, rooms = 3) => Promise.all(Array.from({ length: n }, () => {
  const s = seed++;
  return upload(edge, planDxf(s, rooms), `plan-${s}.dxf`);
}));

/** Every job succeeded and owns exactly one model. */
async function expectEachFinishedOnce(ids: string[], timeoutMs = 120_000) {
  const jobs = await Promise.all(ids.map((id) => waitForJob(edge, id, finished, timeoutMs)));
  for (const job of jobs) expect(job.status, `${job.id}: ${JSON.stringify(job.error)}`).toBe("succeeded");
  const models = (await edge.api("/api/models?limit=200", edge.admin)).body.models as { jobId: string }[];
  for (const id of ids) expect(models.filter((m) => m.jobId === id)).toHaveLength(1);
  return jobs;
}


describe("agent crashes", () => {
  it("SIGKILL mid-download, mid-convert and mid-upload: every job finishes exactly once", async () => {
    const ids = await uploads(8, 60);
    const allDone = async () => {
      const jobs = await Promise.all(ids.map((id) => edge.api(`/api/jobs/${id}`, edge.admin)));
      return jobs.every((r) => finished(r.body.job ?? r.body));
    };
    const killedAt: string[] = [];
    let a = await agent("crashy");
    for (const stage of ["download", "convert", "upload", "convert"]) {
      const hit = await Promise.race([
        a.waitForLog((l) => l.msg === "stage started" && l.stage === stage, 90_000),
        (async () => { while (!(await allDone())) await sleep(200); return null; })(),
      ]);
      if (!hit) break;
      const converters = childrenOf(a.proc.pid!);
      await a.kill("SIGKILL");
      killedAt.push(`${stage}:${hit.jobId}`);
      running.splice(running.indexOf(a), 1);
      a = await agent("crashy"); // the same agent id: it takes its jobs back from Redis
      // The new life killed the converters the old one left behind.
      expect(converters.filter(isRunning)).toEqual([]);
    }
    expect(killedAt.length).toBeGreaterThanOrEqual(3);
    const jobs = await expectEachFinishedOnce(ids, 180_000);
    // Recovered by this agent after its restarts, or by lease expiry; never beyond the edge's attempts.
    for (const job of jobs) expect(job.attempts).toBeLessThanOrEqual(job.maxAttempts);
  });

  it("a paused agent loses its lease to another agent, and its late results are refused", async () => {
    const [id] = await uploads(1, 200);
    // One slot: A holds no open long-poll while it converts (a frozen agent's open claim would take the job again).
    const a = await agent("sleepy", { AGENT_CONCURRENCY_DXF: "1" });
    await a.waitForLog((l) => l.msg === "stage started" && l.stage === "convert" && l.jobId === id, 60_000);
    a.proc.kill("SIGSTOP");
    const b = await agent("other", {}, await edge.agentToken(["dxf"]));
    const job = await waitForJob(edge, id, finished, 60_000);
    expect(job.status).toBe("succeeded");
    const aFence = a.logs.find((l) => l.msg === "leased" && l.jobId === id).fence;
    const bDone = b.logs.find((l) => l.msg === "job completed" && l.jobId === id);
    expect(bDone.fence).toBeGreaterThan(aFence);
    a.proc.kill("SIGCONT");
    await a.waitForLog((l) => l.msg === "lease lost; job dropped" && l.jobId === id, 60_000);
    await expectEachFinishedOnce([id]);
    expect(b.logs.some((l) => l.msg === "job completed" && l.jobId === id)).toBe(true);
    expect(a.logs.some((l) => l.msg === "job completed" && l.jobId === id)).toBe(false);
  });
});

describe("Redis and converter faults", () => {
  it("a Redis restart mid-run loses nothing", async () => {
    const a = await agent("redis-restart");
    const ids = await uploads(4, 40);
    await a.waitForLog((l) => l.msg === "stage started", 60_000);
    await redis.restart();
    await expectEachFinishedOnce(ids);
  });

  it("a hung converter is killed at the hard limit; the job fails as time_limit and the pool recovers", async () => {
    const a = await agent("hang", { CONVERTER_TIMEOUT_SECONDS: "1", AGENT_CONCURRENCY_DXF: "1" });
    const [id] = await uploads(1);
    await a.waitForLog((l) => l.msg === "stage started" && l.stage === "convert" && l.jobId === id, 60_000);
    for (const pid of childrenOf(a.proc.pid!)) process.kill(-pid, "SIGSTOP"); // the server and its job child
    const job = await waitForJob(edge, id, finished, 60_000);
    expect(job.status).toBe("failed");
    expect(job.error.code).toBe("time_limit");
    const [next] = await uploads(1);
    await expectEachFinishedOnce([next], 90_000);
  });

  it("a converter whose memory grew past the limit is replaced after its job", async () => {
    const a = await agent("rss", { AGENT_CONCURRENCY_DXF: "1", CONVERTER_RECYCLE_RSS_MB: "64" });
    await expectEachFinishedOnce(await uploads(2));
    const text = await (await fetch(`http://127.0.0.1:${a.httpPort}/metrics`)).text();
    expect(text).toMatch(/cad_agent_converter_recycled_total\{reason="memory"\} [2-9]/);
  });

  it("a crashed converter is replaced and the job retried here", async () => {
    const a = await agent("crash", { AGENT_CONCURRENCY_DXF: "1" });
    const [id] = await uploads(1, 250);
    await a.waitForLog((l) => l.msg === "stage started" && l.stage === "convert" && l.jobId === id, 60_000);
    for (const pid of childrenOf(a.proc.pid!)) process.kill(-pid, "SIGKILL");
    await expectEachFinishedOnce([id]);
    // Retried on this agent under the same lease: completed with the fence it first got.
    const fence = a.logs.find((l) => l.msg === "leased" && l.jobId === id).fence;
    expect(a.logs.find((l) => l.msg === "job completed" && l.jobId === id).fence).toBe(fence);
    expect(a.logs.some((l) => l.msg === "job attempt failed; retrying" && l.code === "converter_crashed")).toBe(true);
    expect(a.logs.some((l) => l.msg === "converter recycled")).toBe(true);
  });
});

describe("staff and shutdown", () => {
  it("a cancel stops the running conversion and is acknowledged", async () => {
    const a = await agent("cancel", { AGENT_CONCURRENCY_DXF: "1" });
    const [id] = await uploads(1, 40);
    await a.waitForLog((l) => l.msg === "stage started" && l.stage === "convert" && l.jobId === id, 60_000);
    for (const pid of childrenOf(a.proc.pid!)) process.kill(-pid, "SIGSTOP"); // a long conversion, for sure
    const r = await edge.api(`/api/jobs/${id}/cancel`, edge.admin, { method: "POST" });
    expect(r.status).toBe(200);
    const job = await waitForJob(edge, id, finished, 30_000);
    expect(job.status).toBe("cancelled");
    await a.waitForLog((l) => l.msg === "job cancelled" && l.jobId === id, 10_000);
    expect(a.logs.some((l) => l.msg === "converter recycled")).toBe(true); // its converter was killed
    const [next] = await uploads(1);
    await expectEachFinishedOnce([next]);
  });

  it("SIGTERM past the grace period hands the running job back; another agent finishes it", async () => {
    const a = await agent("leaving", { AGENT_CONCURRENCY_DXF: "1", SHUTDOWN_GRACE_SECONDS: "0" });
    const [id] = await uploads(1, 40);
    await a.waitForLog((l) => l.msg === "stage started" && l.stage === "convert" && l.jobId === id, 60_000);
    for (const pid of childrenOf(a.proc.pid!)) process.kill(-pid, "SIGSTOP"); // still converting at SIGTERM
    expect(await a.kill("SIGTERM")).toBe(0);
    expect(a.logs.some((l) => l.msg === "job handed back" && l.jobId === id)).toBe(true);
    const back = (await edge.api(`/api/jobs/${id}`, edge.admin)).body;
    expect(back.status).toBe("queued");
    expect(back.error.code).toBe("agent_shutdown");
    const b = await agent("successor");
    await expectEachFinishedOnce([id]);
    expect(b.logs.some((l) => l.msg === "job completed" && l.jobId === id)).toBe(true);
  });
});

describe("edge faults", () => {
  it("503s, dropped connections and answers past the time limit: jobs still finish once", async () => {
    const proxy = await startFaultProxy(edge.url);
    const count = new Map<string, number>();
    proxy.setRule((req) => {
      const route = `${req.method} ${new URL(req.url!, "http://x").pathname.replace(/\/jobs\/[^/]+/, "/jobs/:id")}`;
      const n = (count.get(route) ?? 0) + 1;
      count.set(route, n);
      if (route.endsWith("/claim")) return n === 1 ? "503" : "pass";
      if (route.endsWith("/complete")) return n === 1 ? { holdMs: 3000 } : "pass"; // the edge completes; the agent times out
      if (route.endsWith("/drawing") && n === 3) return "corrupt"; // caught by the SHA-256 check, fetched again
      if (n === 1) return "503";
      if (n === 2) return "reset";
      return "pass";
    });
    await agent("flaky-edge", { EDGE_URL: proxy.url, EDGE_TIMEOUT_SECONDS: "1" });
    const ids = await uploads(3);
    await expectEachFinishedOnce(ids);
    const faults = proxy.seen.filter((s) => s.fault !== "pass");
    expect(faults.map((f) => f.fault)).toEqual(expect.arrayContaining(["503", "reset", "hold 3000", "corrupt"]));
    expect(proxy.seen.filter((s) => s.route.endsWith("/complete")).length).toBeGreaterThan(ids.length);
    await proxy.close();
  });
});
