#!/usr/bin/env node
/**
 * Kiosk sync benchmark: latency from a state change to every kiosk of one group, for 15, 100 and 1000
 * sockets on loopback, against a bare Durable Object that only relays a message to the same number of
 * sockets (kiosk-relay.mjs), in the same run, both under `wrangler dev` and measured alternately round
 * by round (so load from other processes hits both alike). Then a reconnect storm: every kiosk drops
 * and comes back at once, having missed changes; the time until all have the current version, and until
 * the group's presence shows all of them at it.
 *
 *   node edge/bench/kiosk-fanout.mjs [--sizes 15,100,1000] [--rounds 30] [--storm 1000] [--paths socket,http]
 *                                    [--state-dir DIR]
 *
 * Two ways a state change reaches the group, each measured against the relay doing the same hop:
 *
 * - socket (the console's scene controls): a staff console's socket, authenticated and role-checked once
 *   when it connected, sends `{"type":"scene","patch":…}`; the group's object validates it, commits the
 *   next version to its SQLite and broadcasts one delta. Baseline: a controller socket on the relay sends
 *   a message of the same shape and size; the relay stamps it and sends it on, nothing else.
 * - http (the HTTP scene route, kept for scripts): PATCH /api/kiosk/groups/bench/scene with a staff token
 *   (per-request auth in D1, the rate limiter, the RPC to the object, commit, broadcast). Baseline: the
 *   same body POSTed to the relay's Worker, forwarded to its object, sent on — no auth, no rate limit.
 *
 * Alike on both sides: `wrangler dev` processes of the same runtime, the same number of sockets opened the
 * same way, messages of the same size, clients that timestamp on arrival before parsing, the sender's own
 * socket receiving the broadcast too, rounds interleaved (so load from other processes hits both alike).
 * What only the product does, and is kept on purpose: validating the message, the role check (a field
 * read), the durable commit (the runtime's output gate holds the sends until the SQLite write is durable,
 * so no kiosk sees a version an evicted object could lose), building the delta with its version.
 * Latency counts from the moment the message (or request) is sent; "from the object" from the commit
 * (edge) or the relay's stamp, on the millisecond clock.
 *
 * `--state-dir` is where both `wrangler dev`s keep their state (default: the OS temp folder). Locally the
 * durable commit is an fsync of the object's SQLite WAL, so on a disk every change pays that disk's fsync
 * (on a shared VM, 2–4 ms under load); `--state-dir /dev/shm` (tmpfs) shows what the code itself costs.
 * Leave edge/src and schema/src alone during a run: `wrangler dev` reloads on a change and every socket
 * closes (1006).
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
const PATHS = arg("paths", "socket,http").split(",");
const GROUP = "bench";
const log = (...a) => console.log(...a);

const persist = fs.mkdtempSync(path.join(arg("state-dir", os.tmpdir()), "cad-kiosk-fanout-"));

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
    /** The end of what `wrangler dev` printed (shown when a run fails). */
    log: () => output.slice(-4000),
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

/** A staff console's socket (admin token): it sends the scene controls. */
async function staffSocket(edge, admin) {
  const url = `${edge.base.replace("http", "ws")}/api/kiosk/groups/${GROUP}/socket`;
  const s = { ws: null, errors: [] };
  s.ws = await open(url, ["cad-kiosk", `bearer.${admin}`], (msg) => msg.type === "error" && s.errors.push(msg));
  return s;
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

/** Wait until every kiosk has `version`; the latencies from `t0` and from the commit. */
async function arrived(kiosks, version, t0, what) {
  if (!(await waitFor(() => kiosks.every((k) => k.arrivals.has(version)), 15_000))) {
    const missing = kiosks.filter((k) => !k.arrivals.has(version));
    const why = [...new Set(missing.map((k) => k.ws.closedWith ?? `open, at version ${k.version}`))].join("; ");
    throw new Error(`${what} ${version}: ${missing.length} of ${kiosks.length} kiosks did not get it (${why})`);
  }
  return { e2e: kiosks.map((k) => k.arrivals.get(version) - t0), obj: kiosks.map((k) => k.fromObject.get(version)) };
}

/** A staff console's control message → every kiosk. One writer, so the next version is the kiosks' + 1. */
async function edgeSocketRound(staff, kiosks, floor) {
  const version = kiosks[0].version + 1;
  const t0 = performance.now();
  staff.ws.send(JSON.stringify({ type: "scene", patch: { floor } }));
  return arrived(kiosks, version, t0, "edge socket round");
}

/** The same hop on the relay: a message of the same shape and size on one socket → every socket. */
async function relaySocketRound(controller, clients, seq) {
  const t0 = performance.now();
  controller.send(JSON.stringify({ type: "delta", seq, version: seq, pending: null,
    changes: [{ version: seq, committedAt: 0, scene: { floor: seq % 50 } }] }));
  if (!(await waitFor(() => clients.every((c) => c.arrivals.has(seq)), 15_000))) throw new Error(`relay socket round ${seq}: not every socket got it`);
  return { e2e: clients.map((c) => c.arrivals.get(seq) - t0), obj: clients.map((c) => c.fromObject.get(seq)) };
}

async function edgeRound(edge, admin, kiosks, floor) {
  const t0 = performance.now();
  const res = await fetch(`${edge.base}/api/kiosk/groups/${GROUP}/scene`, {
    method: "PATCH", headers: { Authorization: `Bearer ${admin}`, "Content-Type": "application/json" }, body: JSON.stringify({ floor }),
  });
  const { version } = await res.json();
  return arrived(kiosks, version, t0, "edge http round");
}

async function relayRound(relay, clients, seq) {
  const t0 = performance.now();
  await fetch(`${relay.base}/relay`, { method: "POST", body: JSON.stringify({ type: "delta", seq, version: seq, pending: null,
    changes: [{ version: seq, committedAt: 0, scene: { floor: seq % 50 } }] }) });
  if (!(await waitFor(() => clients.every((c) => c.arrivals.has(seq)), 15_000))) throw new Error(`relay round ${seq}: not every socket got it`);
  return { e2e: clients.map((c) => c.arrivals.get(seq) - t0), obj: clients.map((c) => c.fromObject.get(seq)) };
}

async function main() {
  const maxKiosks = Math.max(...SIZES, STORM);
  log(`kiosk fan-out: sizes ${SIZES.join(", ")}, ${ROUNDS} rounds each, paths ${PATHS.join(", ")}, storm ${STORM}; persist ${persist}`);
  const admin = `cks_${randomBytes(32).toString("base64url")}`;
  const tokens = Array.from({ length: maxKiosks }, () => `ckk_${randomBytes(32).toString("base64url")}`);
  const states = ["edge", "relay"].map((d) => path.join(persist, d));
  seed(states[0], admin, tokens);
  const signing = ["--var", `URL_SIGNING_KEY:${randomBytes(16).toString("hex")}`];
  const edge = await startDev(path.join(root, "wrangler.toml"), states[0], signing);
  const relay = await startDev(path.join(root, "edge/bench/kiosk-relay.toml"), states[1]);
  const results = [];
  const storms = [];
  const ms = (x) => `${x.toFixed(1)} ms`;
  try {
    let seq = 0;
    for (const n of SIZES) {
      const kiosks = await edgeKiosks(edge, tokens, n);
      const staff = await staffSocket(edge, admin);
      const clients = await relayClients(relay, n);
      const controller = await open(`${relay.base.replace("http", "ws")}/socket`, [], () => {});
      const rounds = {
        socket: [(f) => edgeSocketRound(staff, kiosks, f), () => relaySocketRound(controller, clients, ++seq)],
        http: [(f) => edgeRound(edge, admin, kiosks, f), () => relayRound(relay, clients, ++seq)],
      };
      // Warm-up round each, not counted.
      for (const p of PATHS) (await rounds[p][0](0), await rounds[p][1]());
      const acc = Object.fromEntries(PATHS.map((p) => [p, { edge: { e2e: [], obj: [] }, bare: { e2e: [], obj: [] } }]));
      const add = (to, r) => (to.e2e.push(...r.e2e), to.obj.push(...r.obj));
      for (let r = 0; r < ROUNDS; r++) {
        for (const p of PATHS) {
          // Alternate which side goes first, so neither always follows the other's burst.
          const [edgeFirst, f] = [r % 2 === 0, (r + 1) % 50];
          if (edgeFirst) add(acc[p].edge, await rounds[p][0](f));
          add(acc[p].bare, await rounds[p][1]());
          if (!edgeFirst) add(acc[p].edge, await rounds[p][0](f));
          // At most 20 changes a second: the staff socket's control budget refills at that rate.
          await new Promise((res) => setTimeout(res, 50));
        }
      }
      if (staff.errors.length) throw new Error(`the staff socket was refused: ${JSON.stringify(staff.errors[0])}`);
      const stat = (xs) => ({ p50: pct(xs.e2e, 50), p99: pct(xs.e2e, 99), o50: pct(xs.obj, 50), o99: pct(xs.obj, 99) });
      for (const p of PATHS) {
        const row = { n, path: p, edge: stat(acc[p].edge), bare: stat(acc[p].bare) };
        results.push(row);
        log(`${String(n).padStart(5)} sockets, ${p.padEnd(6)} (p50 / p99): bare relay ${ms(row.bare.p50)} / ${ms(row.bare.p99)} | ` +
          `edge ${ms(row.edge.p50)} / ${ms(row.edge.p99)} (${(row.edge.p50 / row.bare.p50).toFixed(2)}× / ${(row.edge.p99 / row.bare.p99).toFixed(2)}×)` +
          ` | from the object: bare ${row.bare.o50} / ${row.bare.o99} ms, edge ${row.edge.o50} / ${row.edge.o99} ms`);
      }
      for (const s of [...kiosks.map((k) => k.ws), staff.ws, ...clients.map((c) => c.ws), controller]) s.close();
      await new Promise((res) => setTimeout(res, 1000));
    }

    for (const [label, target] of STORM > 0 ? [["edge", edge]] : []) {
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
  } catch (err) {
    log(`edge's wrangler dev said:\n${edge.log()}\nthe relay's:\n${relay.log()}`);
    throw err;
  } finally {
    await Promise.all([edge.stop(), relay.stop()]);
    fs.rmSync(persist, { recursive: true, force: true });
  }
  log("\nsummary (goal: edge ≤ 1.2× the bare relay, p50 and p99)");
  log("| sockets | path | bare relay p50 / p99 | edge p50 / p99 | ratio p50 / p99 | from the object, bare / edge p50 (p99) |");
  log("|---:|---|---:|---:|---:|---:|");
  for (const r of results) {
    log(`| ${r.n} | ${r.path} | ${r.bare.p50.toFixed(1)} / ${r.bare.p99.toFixed(1)} ms | ${r.edge.p50.toFixed(1)} / ${r.edge.p99.toFixed(1)} ms | ` +
      `${(r.edge.p50 / r.bare.p50).toFixed(2)}× / ${(r.edge.p99 / r.bare.p99).toFixed(2)}× | ${r.bare.o50} (${r.bare.o99}) / ${r.edge.o50} (${r.edge.o99}) ms |`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
