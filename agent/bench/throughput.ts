/**
 * The agent's throughput and overhead through the real local stack (wrangler dev, Redis, the agent,
 * the warm converter pool), against the bare converter measured in the same run.
 *
 *   node agent/bench/throughput.ts [--jobs 100] [--concurrency 2] [--rooms 4]
 *
 * 1. bare:     each drawing through one warm `python -m converter serve` (request → result event)
 * 2. latency:  the same drawings uploaded one at a time; end to end = job created → succeeded (edge
 *              clock); pickup = job created → leased (agent log); overhead = end to end − bare time
 * 3. burst:    the same number of new drawings uploaded at once; jobs per minute until all succeeded
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { parseArgs } from "node:util";
import { planDxf, python, root, startAgent, startEdge, startRedis, upload, waitForJob, finished } from "../test/support/stack.ts";

const { values: a } = parseArgs({ options: { jobs: { type: "string", default: "100" }, concurrency: { type: "string", default: "2" }, rooms: { type: "string", default: "4" } } });
const N = Number(a.jobs);
const rooms = Number(a.rooms);
const pct = (xs: number[], p: number) => { const s = [...xs].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!; };
const ms = (x: number) => `${x.toFixed(0)} ms`;

const dir = mkdtempSync(path.join(tmpdir(), "agent-bench-"));
const drawings = Array.from({ length: N }, (_, i) => planDxf(10_000 + i, rooms));
const burst = Array.from({ length: N }, (_, i) => planDxf(20_000 + i, rooms));

// ---- 1. the bare converter, warm
async function bareTimes(): Promise<number[]> {
  const proc = spawn(python, ["-m", "converter", "serve"], { cwd: path.join(root, "converter"), stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: proc.stdout! });
  const waiting = new Map<string, (ok: boolean) => void>();
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  lines.on("line", (l) => {
    const ev = JSON.parse(l);
    if (ev.type === "ready") ready();
    else if (ev.type === "result" || ev.type === "error") waiting.get(ev.id)?.(ev.type === "result");
  });
  await isReady;
  const out: number[] = [];
  for (let i = 0; i < N; i++) {
    const input = path.join(dir, `bare-${i}.dxf`);
    writeFileSync(input, drawings[i]!);
    const t0 = performance.now();
    const ok = await new Promise<boolean>((resolve) => {
      waiting.set(String(i), resolve);
      proc.stdin!.write(JSON.stringify({ id: String(i), input, output: path.join(dir, `bare-${i}.glb`), report: path.join(dir, `bare-${i}.json`) }) + "\n");
    });
    if (!ok) throw new Error(`bare conversion ${i} failed`);
    out.push(performance.now() - t0);
  }
  proc.stdin!.end();
  return out;
}

const [edge, redis] = await Promise.all([startEdge(), startRedis()]);
try {
  const bare = await bareTimes();
  const agent = await startAgent({
    EDGE_URL: edge.url, AGENT_TOKEN: await edge.agentToken(["dxf"]), REDIS_URL: redis.url, AGENT_ID: "bench",
    AGENT_WORK_DIR: path.join(dir, "work"), AGENT_CONCURRENCY_DXF: a.concurrency!, AGENT_CONCURRENCY_PDF_VECTOR: "0",
    AGENT_CONCURRENCY_PDF_RASTER: "0", LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "info", PROGRESS_INTERVAL_MS: "500",
  });
  // Warm-up: the first jobs pay for module loads in workerd and the agent.
  for (let i = 0; i < 3; i++) await waitForJob(edge, await upload(edge, planDxf(30_000 + i, rooms), "warm.dxf"), finished);

  // ---- 2. one at a time
  const e2e: number[] = [];
  const pickup: number[] = [];
  const overhead: number[] = [];
  for (let i = 0; i < N; i++) {
    const id = await upload(edge, drawings[i]!, `plan-${i}.dxf`);
    const job = await waitForJob(edge, id, finished, 120_000);
    if (job.status !== "succeeded") throw new Error(`job ${id} ${job.status}: ${JSON.stringify(job.error)}`);
    const leased = agent.logs.find((l) => l.msg === "leased" && l.jobId === id);
    const total = job.updatedAt - job.createdAt;
    e2e.push(total);
    pickup.push(Date.parse(leased.time) - job.createdAt);
    overhead.push(total - bare[i]!);
  }

  // ---- 3. all at once
  const t0 = Date.now();
  const ids = await Promise.all(burst.map((b, i) => upload(edge, b, `burst-${i}.dxf`)));
  const jobs = await Promise.all(ids.map((id) => waitForJob(edge, id, finished, 600_000)));
  const seconds = (Math.max(...jobs.map((j) => j.updatedAt)) - t0) / 1000;
  const ok = jobs.filter((j) => j.status === "succeeded").length;
  const metrics = await (await fetch(`http://127.0.0.1:${agent.httpPort}/metrics`)).text();
  const sum = (name: string) => [...metrics.matchAll(new RegExp(`^${name} (\\d+)`, "gm"))].reduce((s, m) => s + Number(m[1]), 0);
  await agent.kill("SIGTERM");
  const stageMean = (stage: string) => {
    const sumM = new RegExp(`^cad_agent_stage_duration_seconds_sum\\{stage="${stage}"\\} ([\\d.e-]+)`, "m").exec(metrics);
    const cntM = new RegExp(`^cad_agent_stage_duration_seconds_count\\{stage="${stage}"\\} (\\d+)`, "m").exec(metrics);
    return sumM && cntM ? (1000 * Number(sumM[1])) / Number(cntM[1]) : NaN;
  };

  const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
  console.log(`\n${N} small DXF plans (${rooms} rooms each), agent concurrency ${a.concurrency}, on ${(await import("node:os")).cpus().length} cores\n`);
  console.log(`bare converter (warm serve)    p50 ${ms(pct(bare, 50))}  p99 ${ms(pct(bare, 99))}  mean ${ms(mean(bare))}`);
  console.log(`end to end, one at a time      p50 ${ms(pct(e2e, 50))}  p99 ${ms(pct(e2e, 99))}  mean ${ms(mean(e2e))}`);
  console.log(`pickup (created → leased)      p50 ${ms(pct(pickup, 50))}  p99 ${ms(pct(pickup, 99))}`);
  console.log(`agent overhead (e2e − bare)    p50 ${ms(pct(overhead, 50))}  p99 ${ms(pct(overhead, 99))}  mean ${ms(mean(overhead))}   goal ≤ 150 ms`);
  console.log(`burst of ${N}: ${ok}/${N} succeeded in ${seconds.toFixed(1)} s → ${((ok / seconds) * 60).toFixed(0)} jobs/min`);
  console.log(`stage means (all jobs): ${["download", "convert", "compress", "upload", "complete"].map((st) => `${st} ${ms(stageMean(st))}`).join(", ")}`);
  console.log(`GLB bytes: converter ${sum("cad_agent_glb_bytes_converted_total")} → published ${sum("cad_agent_glb_bytes_published_total")}`);
} finally {
  await Promise.all([edge.stop(), redis.stop()]);
}
