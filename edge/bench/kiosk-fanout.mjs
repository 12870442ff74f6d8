#!/usr/bin/env node
/**
 * Kiosk sync benchmark: latency from a state change to every kiosk of one group, for 15, 100 and 1000
 * sockets on loopback, against a bare Durable Object that only relays a message to the same number of
 * sockets (kiosk-relay.mjs), in the same run, both under `wrangler dev` and measured alternately round
 * by round (so load from other processes hits both alike). Then a reconnect storm: every kiosk drops
 * and comes back at once, having missed changes; the time until all have the current version, and until
 * the group's presence shows all of them at it.
 *
 *   node edge/bench/kiosk-fanout.mjs [--sizes 15,100,1000] [--rounds 30] [--storm 1000]
 *
 * Edge round: PATCH /api/kiosk/groups/bench/scene (staff token: auth, D1, the group's SQLite commit,
 * one broadcast) → the time each kiosk socket receives the delta. Baseline round: POST to the relay →
 * the time each socket receives it. Latency counts from the moment the request is sent.
 */
import { execFileSync, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";

const root = path.resolve(import.meta.dirname, "../..");
const wrangler = path.join(root, "node_modules/.bin/wrangler");
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1", NO_COLOR: "1" };

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const SIZES = arg("sizes", "15,100,1000").split(",").map(Number);
const ROUNDS = Number(arg("rounds", "30"));
const STORM = Number(arg("storm", "1000"));
const GROUP = "bench";
const log = (...a) => console.log(...a);

const persist = fs.mkdtempSync(path.join(os.tmpdir(), "cad-kiosk-fanout-"));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

async function startDev(config, extra = []) {
  const port = await freePort();
  const child = spawn(wrangler, ["dev", "--config", config, "--local", "--persist-to", persist, "--port", String(port),
    "--ip", "127.0.0.1", "--inspector-port", String(await freePort()), "--show-interactive-dev-session=false", "--log-level", "warn", ...extra],
  { cwd: root, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited:\n${output}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error(`wrangler dev did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  return {
    base: `http://127.0.0.1:${port}`,
    async stop() {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {}
      await new Promise((r) => (child.exitCode !== null ? r() : child.once("exit", r)));
    },
  };
}

// ---------- tokens (seeded straight into local D1: only their SHA-256) ----------

const sha = (s) => createHash("sha256").update(s).digest("hex");
function seed(maxKiosks) {
  execFileSync(wrangler, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persist], { cwd: root, env, stdio: "ignore" });
  const admin = `cks_${randomBytes(32).toString("base64url")}`;
  const kiosks = Array.from({ length: maxKiosks }, () => `ckk_${randomBytes(32).toString("base64url")}`);
  const rows = kiosks.map((k, i) => `('bench-k${i}', 'kiosk', NULL, '${GROUP}', 'kiosk ${i}', '${sha(k)}')`);
  const sql = [
    `INSERT INTO kiosk_groups (id, name) VALUES ('${GROUP}', 'Bench');`,
    `INSERT INTO tokens (id, kind, role, group_id, name, hash) VALUES ('bench-admin', 'staff', 'admin', NULL, 'bench', '${sha(admin)}');`,
    ...Array.from({ length: Math.ceil(rows.length / 200) }, (_, i) =>
      `INSERT INTO tokens (id, kind, role, group_id, name, hash) VALUES ${rows.slice(i * 200, i * 200 + 200).join(", ")};`),
  ].join("\n");
  const file = path.join(persist, "seed.sql");
  fs.writeFileSync(file, sql);
  execFileSync(wrangler, ["d1", "execute", "DB", "--local", "--persist-to", persist, "--file", file], { cwd: root, env, stdio: "ignore" });
  return { admin, kiosks };
}

// ---------- sockets ----------

/** One client socket; `onJson` gets every JSON message with its arrival time. */
function open(url, protocols, onJson) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    ws.onopen = () => resolve(ws);
    ws.onerror = () => reject(new Error(`socket to ${url} failed`));
    ws.onmessage = (e) => {
      const at = performance.now();
      if (typeof e.data === "string" && e.data[0] === "{") onJson(JSON.parse(e.data), at, ws);
    };
  });
}

/** Open `n` sockets, `batch` at a time (an upgrade storm of 1000 at once is its own test). */
async function openMany(n, make, batch = 100) {
  const out = [];
  for (let i = 0; i < n; i += batch) out.push(...(await Promise.all(Array.from({ length: Math.min(batch, n - i) }, (_, j) => make(i + j)))));
  return out;
}

/** Kiosk clients of the edge group: hello, track version, record when each version arrived. */
async function edgeKiosks(edge, tokens, n) {
  const kiosks = [];
  const url = `${edge.base.replace("http", "ws")}/api/kiosk/groups/${GROUP}/socket`;
  await openMany(n, async (i) => {
    const k = { version: 0, arrivals: new Map(), ws: null };
    k.ws = await open(url, ["cad-kiosk", `bearer.${tokens[i]}`], (msg, at) => {
      if (msg.type === "state") k.version = msg.state.version;
      if (msg.type === "delta") {
        for (const c of msg.changes) if (c.version > k.version) k.arrivals.set(c.version, at);
        k.version = Math.max(k.version, msg.version);
      }
    });
    k.ws.send(JSON.stringify({ type: "hello", version: 0, appVersion: "bench" }));
    kiosks.push(k);
  });
  // Everyone has had its first answer.
  await waitFor(() => kiosks.every((k) => k.version >= 0 && k.ws.readyState === 1), 30_000);
  return kiosks;
}

async function relayClients(relay, n) {
  const clients = [];
  const url = `${relay.base.replace("http", "ws")}/socket`;
  await openMany(n, async () => {
    const c = { arrivals: new Map(), ws: null };
    c.ws = await open(url, [], (msg, at) => c.arrivals.set(msg.seq, at));
    clients.push(c);
  });
  return clients;
}

async function waitFor(pred, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 2));
  }
  return true;
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

// ---------- rounds ----------

async function edgeRound(edge, admin, kiosks, floor) {
  const t0 = performance.now();
  const res = await fetch(`${edge.base}/api/kiosk/groups/${GROUP}/scene`, {
    method: "PATCH", headers: { Authorization: `Bearer ${admin}`, "Content-Type": "application/json" }, body: JSON.stringify({ floor }),
  });
  const { version } = await res.json();
  if (!(await waitFor(() => kiosks.every((k) => k.arrivals.has(version)), 15_000))) throw new Error(`edge round ${version}: not every kiosk got it`);
  return kiosks.map((k) => k.arrivals.get(version) - t0);
}

async function relayRound(relay, clients, seq) {
  const t0 = performance.now();
  await fetch(`${relay.base}/relay`, { method: "POST", body: JSON.stringify({ type: "delta", seq, changes: [{ version: seq, scene: { floor: seq % 50 } }] }) });
  if (!(await waitFor(() => clients.every((c) => c.arrivals.has(seq)), 15_000))) throw new Error(`relay round ${seq}: not every socket got it`);
  return clients.map((c) => c.arrivals.get(seq) - t0);
}

async function main() {
  const maxKiosks = Math.max(...SIZES, STORM);
  log(`kiosk fan-out: sizes ${SIZES.join(", ")}, ${ROUNDS} rounds each, storm ${STORM}; persist ${persist}`);
  const { admin, kiosks: tokens } = seed(maxKiosks);
  const edge = await startDev(path.join(root, "wrangler.toml"), ["--var", `URL_SIGNING_KEY:${randomBytes(16).toString("hex")}`]);
  const relay = await startDev(path.join(root, "edge/bench/kiosk-relay.toml"));
  const results = [];
  try {
    let seq = 0;
    for (const n of SIZES) {
      const kiosks = await edgeKiosks(edge, tokens, n);
      const clients = await relayClients(relay, n);
      // Warm-up round each, not counted.
      await edgeRound(edge, admin, kiosks, 0);
      await relayRound(relay, clients, ++seq);
      const e = [];
      const b = [];
      for (let r = 0; r < ROUNDS; r++) {
        e.push(...(await edgeRound(edge, admin, kiosks, (r + 1) % 50)));
        b.push(...(await relayRound(relay, clients, ++seq)));
        await new Promise((res) => setTimeout(res, 20));
      }
      const row = { n, edge: { p50: pct(e, 50), p99: pct(e, 99) }, bare: { p50: pct(b, 50), p99: pct(b, 99) } };
      results.push(row);
      log(`${String(n).padStart(5)} sockets: edge p50 ${row.edge.p50.toFixed(1)} ms p99 ${row.edge.p99.toFixed(1)} ms | bare relay p50 ${row.bare.p50.toFixed(1)} ms p99 ${row.bare.p99.toFixed(1)} ms | ratio p50 ${(row.edge.p50 / row.bare.p50).toFixed(2)}× p99 ${(row.edge.p99 / row.bare.p99).toFixed(2)}×`);
      for (const s of [...kiosks.map((k) => k.ws), ...clients.map((c) => c.ws)]) s.close();
      await new Promise((res) => setTimeout(res, 1000));
    }

    if (STORM > 0) {
      // Reconnect storm: STORM kiosks connected, all drop, 3 changes happen, all come back at once.
      const kiosks = await edgeKiosks(edge, tokens, STORM);
      for (const k of kiosks) k.ws.close();
      for (let i = 0; i < 3; i++) {
        await fetch(`${edge.base}/api/kiosk/groups/${GROUP}/scene`, { method: "PATCH",
          headers: { Authorization: `Bearer ${admin}`, "Content-Type": "application/json" }, body: JSON.stringify({ floor: 40 + i }) });
      }
      const state = await (await fetch(`${edge.base}/api/kiosk/groups/${GROUP}/state`, { headers: { Authorization: `Bearer ${admin}` } })).json();
      const url = `${edge.base.replace("http", "ws")}/api/kiosk/groups/${GROUP}/socket`;
      const t0 = performance.now();
      const caughtUp = [];
      const sockets = await Promise.all(kiosks.map((k, i) => open(url, ["cad-kiosk", `bearer.${tokens[i]}`], (msg, at, ws) => {
        const v = msg.type === "state" ? msg.state.version : msg.type === "delta" ? msg.version : -1;
        if (v === state.version && !caughtUp[i]) {
          caughtUp[i] = at - t0;
          ws.send(JSON.stringify({ type: "status", version: v, modelId: null, ready: true }));
        }
      }).then((ws) => (ws.send(JSON.stringify({ type: "hello", version: k.version, appVersion: "bench" })), ws))));
      await waitFor(() => caughtUp.filter((x) => x !== undefined).length === STORM, 120_000);
      const allHave = performance.now() - t0;
      // …and the group's presence says so.
      let presenceMs = NaN;
      for (;;) {
        const { kiosks: p } = await (await fetch(`${edge.base}/api/kiosk/groups/${GROUP}/presence`, { headers: { Authorization: `Bearer ${admin}` } })).json();
        if (p.filter((x) => x.online && x.version === state.version).length === STORM) {
          presenceMs = performance.now() - t0;
          break;
        }
        if (performance.now() - t0 > 120_000) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const got = caughtUp.filter((x) => x !== undefined);
      log(`reconnect storm, ${STORM} kiosks 3 versions behind: all at version ${state.version} after ${allHave.toFixed(0)} ms ` +
        `(per kiosk p50 ${pct(got, 50).toFixed(0)} ms, p99 ${pct(got, 99).toFixed(0)} ms); presence shows all of them at it after ${presenceMs.toFixed(0)} ms`);
      for (const s of sockets) s.close();
    }
  } finally {
    await edge.stop();
    await relay.stop();
    fs.rmSync(persist, { recursive: true, force: true });
  }
  log("\nsummary (goal: edge ≤ 1.2× the bare relay)");
  for (const r of results) log(`  ${r.n}: p50 ${(r.edge.p50 / r.bare.p50).toFixed(2)}×, p99 ${(r.edge.p99 / r.bare.p99).toFixed(2)}×`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
