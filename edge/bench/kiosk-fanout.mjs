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
 *
 * The edge runs twice side by side: as configured, and without the Rate Limiting binding — locally that
 * binding is a simulation that costs about as much as the rest of a request (in production it is a
 * local counter), so the second row shows what the kiosk path itself adds over the bare relay.
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

/** wrangler.toml without [[ratelimits]], paths made absolute so it can live in the temp folder. */
function configWithoutRateLimit() {
  let toml = fs.readFileSync(path.join(root, "wrangler.toml"), "utf8");
  toml = toml.slice(0, toml.indexOf("[[ratelimits]]")).replace(/^# Per-token request limits.*$/m, "");
  for (const key of ["main", "directory", "migrations_dir"]) {
    toml = toml.replace(new RegExp(`^${key} = "([^"]+)"`, "m"), (_, rel) => `${key} = "${path.join(root, rel)}"`);
  }
  const file = path.join(persist, "wrangler-no-ratelimit.toml");
  fs.writeFileSync(file, toml);
  return file;
}

/** `wrangler dev` of `config`, state in its own folder under the run's temp folder. */
async function startDev(config, state, extra = []) {
  const port = await freePort();
  const child = spawn(wrangler, ["dev", "--config", config, "--local", "--persist-to", state, "--port", String(port),
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
function seed(state, admin, kiosks) {
  execFileSync(wrangler, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", state], { cwd: root, env, stdio: "ignore" });
  const rows = kiosks.map((k, i) => `('bench-k${i}', 'kiosk', NULL, '${GROUP}', 'kiosk ${i}', '${sha(k)}')`);
  const sql = [
    `INSERT INTO kiosk_groups (id, name) VALUES ('${GROUP}', 'Bench');`,
    `INSERT INTO tokens (id, kind, role, group_id, name, hash) VALUES ('bench-admin', 'staff', 'admin', NULL, 'bench', '${sha(admin)}');`,
    ...Array.from({ length: Math.ceil(rows.length / 200) }, (_, i) =>
      `INSERT INTO tokens (id, kind, role, group_id, name, hash) VALUES ${rows.slice(i * 200, i * 200 + 200).join(", ")};`),
  ].join("\n");
  const file = path.join(state, "seed.sql");
  fs.mkdirSync(state, { recursive: true });
  fs.writeFileSync(file, sql);
  execFileSync(wrangler, ["d1", "execute", "DB", "--local", "--persist-to", state, "--file", file], { cwd: root, env, stdio: "ignore" });
}

// ---------- sockets ----------

/** One client socket; `onJson` gets every JSON message with its arrival time. */
function open(url, protocols, onJson) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    ws.onopen = () => resolve(ws);
    ws.onerror = () => reject(new Error(`socket to ${url} failed`));
    ws.onclose = (e) => (ws.closedWith = `${e.code} ${e.reason}`);
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
    const k = { version: 0, answered: false, arrivals: new Map(), fromObject: new Map(), ws: null };
    k.ws = await open(url, ["cad-kiosk", `bearer.${tokens[i]}`], (msg, at) => {
      if (msg.type === "state" || msg.type === "delta") k.answered = true;
      if (msg.type === "state") k.version = msg.state.version;
      if (msg.type === "delta") {
        for (const c of msg.changes) {
          if (c.version <= k.version) continue;
          k.arrivals.set(c.version, at);
          k.fromObject.set(c.version, Date.now() - c.committedAt);
        }
        k.version = Math.max(k.version, msg.version);
      }
    });
    k.ws.send(JSON.stringify({ type: "hello", version: 0, appVersion: "bench" }));
    kiosks.push(k);
  });
  // Everyone has had its first answer.
  if (!(await waitFor(() => kiosks.every((k) => k.answered), 60_000))) throw new Error("not every kiosk was answered");
  return kiosks;
}

async function relayClients(relay, n) {
  const clients = [];
  const url = `${relay.base.replace("http", "ws")}/socket`;
  await openMany(n, async () => {
    const c = { arrivals: new Map(), fromObject: new Map(), ws: null };
    c.ws = await open(url, [], (msg, at) => {
      c.arrivals.set(msg.seq, at);
      c.fromObject.set(msg.seq, Date.now() - msg.relayedAt);
    });
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
  if (!(await waitFor(() => kiosks.every((k) => k.arrivals.has(version)), 15_000))) {
    const missing = kiosks.filter((k) => !k.arrivals.has(version));
    const why = [...new Set(missing.map((k) => k.ws.closedWith ?? `open, at version ${k.version}`))].join("; ");
    throw new Error(`edge round ${version}: ${missing.length} of ${kiosks.length} kiosks did not get it (${why})`);
  }
  return { e2e: kiosks.map((k) => k.arrivals.get(version) - t0), obj: kiosks.map((k) => k.fromObject.get(version)) };
}

async function relayRound(relay, clients, seq) {
  const t0 = performance.now();
  await fetch(`${relay.base}/relay`, { method: "POST", body: JSON.stringify({ type: "delta", seq, changes: [{ version: seq, scene: { floor: seq % 50 } }] }) });
  if (!(await waitFor(() => clients.every((c) => c.arrivals.has(seq)), 15_000))) throw new Error(`relay round ${seq}: not every socket got it`);
  return { e2e: clients.map((c) => c.arrivals.get(seq) - t0), obj: clients.map((c) => c.fromObject.get(seq)) };
}

async function main() {
  const maxKiosks = Math.max(...SIZES, STORM);
  log(`kiosk fan-out: sizes ${SIZES.join(", ")}, ${ROUNDS} rounds each, storm ${STORM}; persist ${persist}`);
  const admin = `cks_${randomBytes(32).toString("base64url")}`;
  const tokens = Array.from({ length: maxKiosks }, () => `ckk_${randomBytes(32).toString("base64url")}`);
  const states = ["edge", "edge-no-ratelimit", "relay"].map((d) => path.join(persist, d));
  seed(states[0], admin, tokens);
  seed(states[1], admin, tokens);
  const signing = ["--var", `URL_SIGNING_KEY:${randomBytes(16).toString("hex")}`];
  const edge = await startDev(path.join(root, "wrangler.toml"), states[0], signing);
  const edgeNoRl = await startDev(configWithoutRateLimit(), states[1], signing);
  const relay = await startDev(path.join(root, "edge/bench/kiosk-relay.toml"), states[2]);
  const results = [];
  const storms = [];
  const ms = (x) => `${x.toFixed(1)} ms`;
  try {
    let seq = 0;
    for (const n of SIZES) {
      // Each edge gets its own n kiosk tokens (a token's socket replaces an older one of the same token).
      const kiosks = await edgeKiosks(edge, tokens, n);
      const kiosks2 = await edgeKiosks(edgeNoRl, tokens, n);
      const clients = await relayClients(relay, n);
      // Warm-up round each, not counted.
      await edgeRound(edge, admin, kiosks, 0);
      await edgeRound(edgeNoRl, admin, kiosks2, 0);
      await relayRound(relay, clients, ++seq);
      const e = { e2e: [], obj: [] };
      const e2 = { e2e: [], obj: [] };
      const b = { e2e: [], obj: [] };
      const add = (to, r) => (to.e2e.push(...r.e2e), to.obj.push(...r.obj));
      for (let r = 0; r < ROUNDS; r++) {
        add(e, await edgeRound(edge, admin, kiosks, (r + 1) % 50));
        add(e2, await edgeRound(edgeNoRl, admin, kiosks2, (r + 1) % 50));
        add(b, await relayRound(relay, clients, ++seq));
        await new Promise((res) => setTimeout(res, 20));
      }
      const stat = (xs) => ({ p50: pct(xs.e2e, 50), p99: pct(xs.e2e, 99), o50: pct(xs.obj, 50), o99: pct(xs.obj, 99) });
      const row = { n, edge: stat(e), edgeNoRl: stat(e2), bare: stat(b) };
      results.push(row);
      const ratio = (x) => `${(x.p50 / row.bare.p50).toFixed(2)}× / ${(x.p99 / row.bare.p99).toFixed(2)}×`;
      log(`${String(n).padStart(5)} sockets (p50 / p99): bare relay ${ms(row.bare.p50)} / ${ms(row.bare.p99)} | ` +
        `edge ${ms(row.edge.p50)} / ${ms(row.edge.p99)} (${ratio(row.edge)}) | ` +
        `edge without local rate-limit sim ${ms(row.edgeNoRl.p50)} / ${ms(row.edgeNoRl.p99)} (${ratio(row.edgeNoRl)})`);
      const oratio = (x) => `${(x.o50 / Math.max(1, row.bare.o50)).toFixed(2)}× / ${(x.o99 / Math.max(1, row.bare.o99)).toFixed(2)}×`;
      log(`${" ".repeat(5)}  from the object (commit → socket, ms clock): bare relay ${row.bare.o50} / ${row.bare.o99} ms | ` +
        `edge ${row.edge.o50} / ${row.edge.o99} ms (${oratio(row.edge)})`);
      for (const s of [...kiosks.map((k) => k.ws), ...kiosks2.map((k) => k.ws), ...clients.map((c) => c.ws)]) s.close();
      await new Promise((res) => setTimeout(res, 1000));
    }

    for (const [label, target] of STORM > 0 ? [["edge", edge], ["edge without local rate-limit sim", edgeNoRl]] : []) {
      // Reconnect storm: STORM kiosks connected, all drop, 3 changes happen, all come back at once.
      const kiosks = await edgeKiosks(target, tokens, STORM);
      for (const k of kiosks) k.ws.close();
      await new Promise((r) => setTimeout(r, 2000));
      for (let i = 0; i < 3; i++) {
        await fetch(`${target.base}/api/kiosk/groups/${GROUP}/scene`, { method: "PATCH",
          headers: { Authorization: `Bearer ${admin}`, "Content-Type": "application/json" }, body: JSON.stringify({ floor: 40 + i }) });
      }
      const state = await (await fetch(`${target.base}/api/kiosk/groups/${GROUP}/state`, { headers: { Authorization: `Bearer ${admin}` } })).json();
      const url = `${target.base.replace("http", "ws")}/api/kiosk/groups/${GROUP}/socket`;
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
        const { kiosks: p } = await (await fetch(`${target.base}/api/kiosk/groups/${GROUP}/presence`, { headers: { Authorization: `Bearer ${admin}` } })).json();
        if (p.filter((x) => x.online && x.version === state.version).length === STORM) {
          presenceMs = performance.now() - t0;
          break;
        }
        if (performance.now() - t0 > 120_000) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const got = caughtUp.filter((x) => x !== undefined);
      storms.push({ label, allHave });
      log(`reconnect storm (${label}), ${STORM} kiosks 3 versions behind: all at version ${state.version} after ${allHave.toFixed(0)} ms ` +
        `(per kiosk p50 ${pct(got, 50).toFixed(0)} ms, p99 ${pct(got, 99).toFixed(0)} ms); presence shows all of them at it after ${presenceMs.toFixed(0)} ms`);
      for (const s of sockets) s.close();
      await new Promise((r) => setTimeout(r, 2000));
    }
    if (STORM > 0) {
      // Baseline: the same number of sockets connecting at once to the bare relay, until each got a message.
      const r0 = performance.now();
      const got2 = [];
      const rs = await Promise.all(Array.from({ length: STORM }, (_, i) =>
        open(`${relay.base.replace("http", "ws")}/socket`, [], (msg, at) => (got2[i] ??= at - r0))));
      const connected = performance.now() - r0;
      await fetch(`${relay.base}/relay`, { method: "POST", body: JSON.stringify({ seq: -1 }) });
      await waitFor(() => got2.filter((x) => x !== undefined).length === STORM, 60_000);
      const relayAll = performance.now() - r0;
      log(`baseline storm, ${STORM} sockets to the bare relay (no auth, no state): all connected after ${connected.toFixed(0)} ms, ` +
        `all had a message after ${relayAll.toFixed(0)} ms → ${storms.map((x) => `${x.label} ${(x.allHave / relayAll).toFixed(2)}×`).join(", ")} that`);
      for (const s of rs) s.close();
    }
  } finally {
    await Promise.all([edge.stop(), edgeNoRl.stop(), relay.stop()]);
    fs.rmSync(persist, { recursive: true, force: true });
  }
  log("\nsummary (goal: edge ≤ 1.2× the bare relay)");
  for (const r of results) {
    log(`  ${r.n}: request → kiosk p50 ${(r.edge.p50 / r.bare.p50).toFixed(2)}×, p99 ${(r.edge.p99 / r.bare.p99).toFixed(2)}× ` +
      `(without the local rate-limit simulation ${(r.edgeNoRl.p50 / r.bare.p50).toFixed(2)}×, ${(r.edgeNoRl.p99 / r.bare.p99).toFixed(2)}×) | ` +
      `object → kiosk p50 ${r.edge.o50} vs ${r.bare.o50} ms, p99 ${r.edge.o99} vs ${r.bare.o99} ms`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
