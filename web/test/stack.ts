/**
 * The local stack for browser tests: builds web/ if needed, starts `wrangler dev` on a free port with a
 * fresh state folder (migrations applied, an admin token seeded — as scripts/dev.sh does), and puts a
 * TCP proxy in front of it that can slow the client→server direction and drop every connection.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../..");
const WRANGLER = path.join(ROOT, "node_modules/.bin/wrangler");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** web/dist, rebuilt when a source file is newer (scripts/setup.sh normally built it already). */
export function ensureBuilt(): void {
  const index = path.join(ROOT, "web/dist/index.html");
  const sources = Math.max(newestMtime(path.join(ROOT, "web/src")), statSync(path.join(ROOT, "web/kiosk.html")).mtimeMs);
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  const r = spawnSync("npx", ["vite", "build"], { cwd: path.join(ROOT, "web"), stdio: "inherit" });
  if (r.status !== 0) throw new Error("web build failed");
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

function wrangler(args: string[], state: string): void {
  const r = spawnSync(WRANGLER, [...args, "--local", "--persist-to", state], { cwd: ROOT, encoding: "utf8", env: process.env });
  if (r.status !== 0) throw new Error(`wrangler ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
}

/** A TCP proxy that can throttle uploads (bytes/s) and drop every open connection at once. */
export class FlakyProxy {
  rate: number | null = null;
  #server: net.Server;
  #sockets = new Set<net.Socket>();

  constructor(private readonly target: number) {
    this.#server = net.createServer((client) => {
      const upstream = net.connect(this.target, "127.0.0.1");
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on("close", () => this.#sockets.delete(s));
        s.on("error", () => {
          client.destroy();
          upstream.destroy();
        });
      }
      upstream.pipe(client);
      client.on("data", (chunk: Buffer) => {
        upstream.write(chunk);
        if (this.rate) {
          client.pause();
          setTimeout(() => client.resume(), (chunk.length / this.rate) * 1000);
        }
      });
      client.on("end", () => upstream.end());
    });
  }

  listen(port: number): Promise<void> {
    return new Promise((resolve) => this.#server.listen(port, "127.0.0.1", () => resolve()));
  }

  /** Cut every connection (both sides), like a laptop losing its Wi-Fi. */
  dropAll(): number {
    const n = this.#sockets.size;
    for (const s of this.#sockets) s.destroy();
    return n;
  }

  close(): Promise<void> {
    this.dropAll();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

export interface Stack {
  /** Through the proxy: what the browsers use. */
  url: string;
  /** Straight to wrangler: what the test's own API calls (and the stand-in agent) use. */
  direct: string;
  adminToken: string;
  proxy: FlakyProxy;
  call<T = any>(method: string, pathname: string, token: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  ensureBuilt();
  const state = mkdtempSync(path.join(tmpdir(), "cad-kiosk-e2e-"));
  wrangler(["d1", "migrations", "apply", "DB"], state);
  const adminToken = `cks_${randomBytes(32).toString("base64url")}`;
  const hash = createHash("sha256").update(adminToken).digest("hex");
  wrangler(["d1", "execute", "DB", "--command",
    `INSERT INTO tokens (id, kind, role, name, hash) VALUES ('e2e-admin', 'staff', 'admin', 'e2e admin', '${hash}')`], state);

  const [port, inspector, proxyPort] = [await freePort(), await freePort(), await freePort()];
  const child: ChildProcess = spawn(WRANGLER, ["dev", "--local", "--persist-to", state, "--port", String(port), "--ip", "127.0.0.1",
    "--inspector-port", String(inspector), "--var", `URL_SIGNING_KEY:${randomBytes(16).toString("hex")}`, "--show-interactive-dev-session=false"],
  { cwd: ROOT, env: { ...process.env, CI: "1" }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let log = "";
  mkdirSync(path.join(ROOT, "web/test-artifacts"), { recursive: true });
  const logFile = createWriteStream(path.join(ROOT, "web/test-artifacts/wrangler-dev.log"));
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.on("data", (d) => {
      if (log.length < 100_000) log += d;
      logFile.write(d);
    });
  }
  const direct = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited:\n${log}`);
    try {
      if ((await fetch(`${direct}/health`)).ok) break;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`wrangler dev did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const proxy = new FlakyProxy(port);
  await proxy.listen(proxyPort);

  return {
    url: `http://127.0.0.1:${proxyPort}`,
    direct,
    adminToken,
    proxy,
    async call(method, pathname, token, body) {
      const res = await fetch(new URL(pathname, direct), {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${pathname} → ${res.status} ${text}`);
      return (text ? JSON.parse(text) : null) as never;
    },
    async stop() {
      await proxy.close();
      try {
        process.kill(-child.pid!, "SIGTERM"); // its own process group: wrangler and its workerd
      } catch {
        // already gone
      }
      await new Promise((r) => setTimeout(r, 500));
      rmSync(state, { recursive: true, force: true });
    },
  };
}
