/**
 * The real pieces the agent's tests run against, started per test file: the project's Worker under
 * `wrangler dev` (local D1, R2 and Durable Objects in a temp folder), a Redis server of its own (so a
 * test can restart it), the agent as a child process (so a test can SIGKILL it), and drawings made by
 * plan.py with ezdxf. Nothing here is a stand-in: the edge, Redis, the converter and the agent are the
 * ones that ship.
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export const root = path.resolve(import.meta.dirname, "../../..");
export const python = path.join(root, "converter/.venv/bin/python");
const wrangler = path.join(root, "node_modules/.bin/wrangler");
const node = process.execPath;
/** Every agent's logs end up here when it exits (bench-out/ is ignored by git). */
export const LOG_DIR = path.join(root, "agent/bench-out/test-logs");

export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

export function secretToken(prefix: string) {
  const secret = `${prefix}_${randomBytes(32).toString("base64url")}`;
  return { secret, hash: createHash("sha256").update(secret).digest("hex"), id: randomBytes(9).toString("base64url") };
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, log: () => string = () => "", died: () => boolean = () => false) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !died()) {
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`${what} did not come up in ${timeoutMs} ms\n${log().slice(-3000)}`);
}

// ---------------------------------------------------------------- edge

export interface Edge {
  url: string;
  admin: string;
  persist: string;
  api: <T = any>(pathname: string, token: string, init?: RequestInit) => Promise<{ status: number; body: T; headers: Headers }>;
  agentToken: (caps?: string[]) => Promise<string>;
  stop: () => Promise<void>;
}

/** The Worker under `wrangler dev`, migrations applied, an admin token seeded (hash only) into D1. */
export async function startEdge(vars: Record<string, string> = {}): Promise<Edge> {
  const persist = mkdtempSync(path.join(tmpdir(), "agent-edge-"));
  const d1 = (...extra: string[]) =>
    execFileSync(wrangler, ["d1", ...extra, "--local", "--persist-to", persist], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  d1("migrations", "apply", "DB");
  const admin = secretToken("cks");
  d1("execute", "DB", "--command", `INSERT INTO tokens (id, kind, role, name, hash) VALUES ('${admin.id}', 'staff', 'admin', 'test admin', '${admin.hash}')`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const varArgs = Object.entries({ URL_SIGNING_KEY: "agent-test-signing-key", ...vars }).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  const dev = spawn(wrangler, ["dev", "--local", "--persist-to", persist, "--port", String(port), "--ip", "127.0.0.1",
    ...varArgs, "--show-interactive-dev-session=false", "--log-level", "warn"], { cwd: root, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let log = "";
  dev.stdout!.on("data", (d) => (log += d));
  dev.stderr!.on("data", (d) => (log += d));
  await waitFor("wrangler dev", async () => (await fetch(`${url}/health`)).ok, 90_000, () => log, () => dev.exitCode !== null);

  const api: Edge["api"] = async (pathname, token, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set("Authorization", `Bearer ${token}`);
    if (typeof init.body === "string" && !headers.has("Content-Type")) headers.set("Content-Type", "application/json");
    const res = await fetch(url + pathname, { ...init, headers });
    const text = await res.text();
    let body: any = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body, headers: res.headers };
  };
  return {
    url, admin: admin.secret, persist, api,
    agentToken: async (caps = ["dxf", "pdf-vector", "pdf-raster"]) => {
      const r = await api("/api/admin/tokens", admin.secret, {
        method: "POST", body: JSON.stringify({ kind: "agent", name: `agent ${randomBytes(3).toString("hex")}`, capabilities: caps }),
      });
      if (r.status !== 201) throw new Error(`agent token: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.token as string;
    },
    stop: async () => {
      killGroup(dev);
      await onceExit(dev);
      rmSync(persist, { recursive: true, force: true });
    },
  };
}

/** Upload bytes through tus (one POST + one PATCH); returns the job id the edge created. A connection
 * dropped by a `wrangler dev` reload (sources edited meanwhile) is tried again. */
export async function upload(edge: Edge, bytes: Uint8Array, filename = "plan.dxf", options?: unknown): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await uploadOnce(edge, bytes, filename, options);
    } catch (err) {
      if (attempt >= 3 || !(err instanceof TypeError)) throw err;
      await sleep(1000);
    }
  }
}

async function uploadOnce(edge: Edge, bytes: Uint8Array, filename: string, options?: unknown): Promise<string> {
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  const meta = [`filename ${b64(filename)}`, ...(options ? [`options ${b64(JSON.stringify(options))}`] : [])].join(",");
  const tus = { "Tus-Resumable": "1.0.0", Authorization: `Bearer ${edge.admin}` };
  const created = await fetch(`${edge.url}/api/uploads`, {
    method: "POST", headers: { ...tus, "Upload-Length": String(bytes.length), "Upload-Metadata": meta },
  });
  if (created.status !== 201) throw new Error(`tus create: ${created.status} ${await created.text()}`);
  const location = new URL(created.headers.get("Location")!, edge.url).href;
  const patched = await fetch(location, {
    method: "PATCH", headers: { ...tus, "Content-Type": "application/offset+octet-stream", "Upload-Offset": "0" }, body: bytes as BodyInit,
  });
  if (patched.status !== 204) throw new Error(`tus patch: ${patched.status} ${await patched.text()}`);
  const jobId = patched.headers.get("X-Job-Id");
  if (!jobId) throw new Error("upload finished without a job id");
  return jobId;
}

/** Poll a job until `until(job)` holds. */
export async function waitForJob(edge: Edge, jobId: string, until: (job: any) => boolean, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last: any;
  while (Date.now() < deadline) {
    // A dropped connection (wrangler dev reloads when sources change) is only a missed poll.
    const r = await edge.api(`/api/jobs/${jobId}`, edge.admin).catch(() => null);
    last = r?.body?.job ?? r?.body ?? last;
    if (r?.status === 200 && until(last)) return last;
    await sleep(200);
  }
  throw new Error(`job ${jobId} did not reach the expected state; last: ${JSON.stringify(last)}`);
}

export const finished = (job: any) => ["succeeded", "failed", "dead", "cancelled"].includes(job.status);

// ---------------------------------------------------------------- redis

export interface RedisServer {
  url: string;
  port: number;
  stop: () => Promise<void>;
  restart: () => Promise<void>;
  cli: (...args: string[]) => string;
}

/** A redis-server of the test's own, configured as BullMQ asks: AOF on, noeviction. */
export async function startRedis(): Promise<RedisServer> {
  const dir = mkdtempSync(path.join(tmpdir(), "agent-redis-"));
  const port = await freePort();
  let proc: ChildProcess;
  const cli = (...args: string[]) => execFileSync("redis-cli", ["-p", String(port), ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  const up = async () => {
    proc = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes",
      "--appendfsync", "always", "--save", "", "--maxmemory-policy", "noeviction"], { stdio: "ignore" });
    await waitFor("redis", async () => cli("ping") === "PONG", 10_000);
  };
  await up();
  return {
    url: `redis://127.0.0.1:${port}`, port, cli,
    stop: async () => {
      proc.kill("SIGKILL");
      await onceExit(proc);
    },
    restart: async () => {
      proc.kill("SIGTERM"); // a clean shutdown: AOF flushed, as a service restart would
      await onceExit(proc);
      await up();
    },
  };
}

// ---------------------------------------------------------------- agent

export interface AgentProcess {
  proc: ChildProcess;
  logs: any[];
  httpPort: number;
  waitForLog: (pred: (line: any) => boolean, timeoutMs?: number) => Promise<any>;
  kill: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/** The agent as it runs in production: `node agent/src/main.ts`, configured by environment. */
export async function startAgent(env: Record<string, string>): Promise<AgentProcess> {
  const httpPort = await freePort();
  const proc = spawn(node, [path.join(root, "agent/src/main.ts")], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: "debug", AGENT_HTTP_PORT: String(httpPort), PROGRESS_INTERVAL_MS: "100", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: any[] = [];
  const waiters = new Set<() => void>();
  let buf = "";
  proc.stdout!.setEncoding("utf8").on("data", (d: string) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        logs.push(JSON.parse(line));
      } catch {
        logs.push({ msg: line });
      }
      for (const w of waiters) w();
    }
  });
  let stderr = "";
  proc.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const waitForLog = (pred: (l: any) => boolean, timeoutMs = 60_000) =>
    new Promise<any>((resolve, reject) => {
      const check = () => {
        const hit = logs.find(pred);
        if (hit) {
          waiters.delete(check);
          clearTimeout(t);
          resolve(hit);
        }
      };
      const t = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`log line not seen in ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}\nlast logs: ${JSON.stringify(logs.slice(-8))}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  proc.on("exit", () => {
    for (const w of waiters) w();
    // Kept for a look after a failed run: one JSON-lines file per agent life.
    mkdirSync(LOG_DIR, { recursive: true });
    writeFileSync(path.join(LOG_DIR, `${env.AGENT_ID ?? "agent"}-${proc.pid}.jsonl`), logs.map((l) => JSON.stringify(l)).join("\n") + `\n${stderr}`);
  });
  await waitForLog((l) => l.msg === "agent running" || l.msg === "agent failed to start", 120_000);
  return {
    proc, logs, httpPort, waitForLog,
    kill: async (signal = "SIGKILL") => {
      if (proc.exitCode !== null) return proc.exitCode;
      proc.kill(signal);
      return onceExit(proc);
    },
  };
}

// ---------------------------------------------------------------- drawings

/** A small DXF plan, different for every seed. */
export function planDxf(seed: number, rooms = 3): Uint8Array {
  const dir = mkdtempSync(path.join(tmpdir(), "agent-plan-"));
  const out = path.join(dir, "plan.dxf");
  execFileSync(python, [path.join(import.meta.dirname, "plan.py"), out, String(seed), String(rooms)]);
  const bytes = readFileSync(out);
  rmSync(dir, { recursive: true, force: true });
  return bytes;
}

// ---------------------------------------------------------------- processes

export function killGroup(proc: ChildProcess, signal: NodeJS.Signals = "SIGKILL") {
  try {
    process.kill(-proc.pid!, signal);
  } catch {
    proc.kill(signal);
  }
}

export function onceExit(proc: ChildProcess): Promise<number | null> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(proc.exitCode);
  return new Promise((resolve) => proc.once("exit", (code) => resolve(code)));
}

/** Direct children of a process (an agent's converter servers). */
export const childrenOf = (pid: number): number[] =>
  execFileSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" }).split("\n").map(Number).filter(Boolean);

/** Running (a killed process waiting to be reaped by init, a zombie, is not). */
export function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}
