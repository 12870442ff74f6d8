#!/usr/bin/env node
/**
 * Pickup latency: how long after a job exists does a long-polling agent get its lease?
 *
 * Starts `wrangler dev` (root wrangler.toml, local D1/R2/DOs in a temp --persist-to dir, migrations
 * applied, BENCH=1 so POST /api/bench/jobs exists), seeds an admin and an agent token straight into
 * local D1 (only SHA-256 hashes stored), keeps an agent long-polling and creates N jobs one at a time.
 *
 *   pickup      = claim response received − job.createdAt (D1's clock; same host)
 *   pickup(rtt) = claim response received − create request sent (upper bound: includes the create call)
 *   baseline    = a bare GET /health round trip, measured in the same run
 *
 * Usage: node edge/bench/pickup-latency.mjs [--jobs 100] [--port 0]
 */
import { spawn, execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");
const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith("--") ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const JOBS = Number(args.jobs ?? 100);
const wrangler = path.join(root, "node_modules/.bin/wrangler");

const freePort = () => new Promise((resolve) => {
  const s = createServer().listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]; };
const fmt = (x) => `${x.toFixed(1)} ms`;

const persist = mkdtempSync(path.join(tmpdir(), "pickup-bench-"));
const d1 = (...extra) => execFileSync(wrangler, ["d1", ...extra, "--local", "--persist-to", persist], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });

function token(prefix) {
  const secret = `${prefix}_${randomBytes(32).toString("base64url")}`;
  return { secret, hash: createHash("sha256").update(secret).digest("hex"), id: randomBytes(9).toString("base64url") };
}

let dev;
async function main() {
  console.log(`state: ${persist}`);
  d1("migrations", "apply", "DB");
  const admin = token("cks");
  const agent = token("cka");
  d1("execute", "DB", "--command",
    `INSERT INTO tokens (id, kind, role, name, hash) VALUES ('${admin.id}', 'staff', 'admin', 'bench admin', '${admin.hash}');` +
    `INSERT INTO tokens (id, kind, name, capabilities, hash) VALUES ('${agent.id}', 'agent', 'bench agent', '["dxf","pdf-vector","pdf-raster"]', '${agent.hash}');`);

  const port = Number(args.port ?? 0) || (await freePort());
  const base = `http://127.0.0.1:${port}`;
  dev = spawn(wrangler, ["dev", "--local", "--persist-to", persist, "--port", String(port), "--ip", "127.0.0.1",
    "--var", "BENCH:1", "--show-interactive-dev-session=false", "--log-level", "warn"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  dev.stdout.on("data", (d) => (log += d));
  dev.stderr.on("data", (d) => (log += d));
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${base}/health`)).ok) break; } catch {}
    if (i > 300 || dev.exitCode !== null) throw new Error(`wrangler dev did not start:\n${log}`);
    await sleep(100);
  }

  const auth = (t) => ({ Authorization: `Bearer ${t.secret}`, "Content-Type": "application/json" });
  const claim = (waitSeconds) => fetch(`${base}/api/agent/claim`, {
    method: "POST", headers: auth(agent), body: JSON.stringify({ capabilities: ["dxf"], waitSeconds }),
  });
  const createJob = () => fetch(`${base}/api/bench/jobs`, { method: "POST", headers: auth(admin) });

  // Warm up: module load, D1, both Durable Objects, the token path.
  for (let i = 0; i < 10; i++) await (await fetch(`${base}/health`)).text();
  for (let i = 0; i < 3; i++) {
    const res = await createJob();
    if (res.status !== 201) throw new Error(`bench route answered ${res.status}: ${await res.text()}`);
    await res.text();
    const c = await claim(0);
    if (c.status !== 200) throw new Error(`warm-up claim answered ${c.status}`);
    await c.text();
  }

  // Baseline: bare /health round trips.
  const health = [];
  for (let i = 0; i < JOBS; i++) {
    const t0 = performance.now();
    await (await fetch(`${base}/health`)).text();
    health.push(performance.now() - t0);
  }

  // Pickup: the agent is already long-polling when each job is created.
  const pickup = [];
  const pickupRtt = [];
  for (let i = 0; i < JOBS; i++) {
    const pending = claim(25).then(async (res) => ({ res, at: Date.now(), atPerf: performance.now(), body: res.status === 200 ? await res.json() : null }));
    await sleep(30 + Math.random() * 20); // let the claim reach its wait
    const sentPerf = performance.now();
    const created = await createJob();
    const { job } = await created.json();
    const got = await pending;
    if (got.res.status !== 200 || got.body.job.id !== job.id) throw new Error(`claim ${i} answered ${got.res.status} for ${got.body?.job?.id}, expected ${job.id}`);
    pickup.push(got.at - job.createdAt);
    pickupRtt.push(got.atPerf - sentPerf);
  }

  const p50 = pct(pickup, 50);
  const h50 = pct(health, 50);
  console.log(`\npickup latency over ${JOBS} jobs (agent long-polling, job created one at a time)`);
  console.log(`  pickup   (claim received − job.createdAt):      p50 ${fmt(p50)}  p99 ${fmt(pct(pickup, 99))}  max ${fmt(Math.max(...pickup))}`);
  console.log(`  pickup   (claim received − create request sent): p50 ${fmt(pct(pickupRtt, 50))}  p99 ${fmt(pct(pickupRtt, 99))}`);
  console.log(`  baseline (GET /health round trip):               p50 ${fmt(h50)}  p99 ${fmt(pct(health, 99))}`);
  console.log(`  ratio pickup p50 / health p50: ${(p50 / h50).toFixed(1)}x   goal p50 ≤ 50 ms: ${p50 <= 50 ? "met" : "NOT met"}`);
}

main()
  .catch((err) => { console.error(err); process.exitCode = 1; })
  .finally(() => {
    if (dev && dev.exitCode === null) dev.kill("SIGTERM");
    setTimeout(() => rmSync(persist, { recursive: true, force: true }), 500);
  });
