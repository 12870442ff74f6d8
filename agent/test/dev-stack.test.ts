/**
 * The README's run command, as a newcomer uses it: `npm run dev` (scripts/dev.sh) starts Redis use,
 * the edge, the agent and its converters; `scripts/upload.mjs` turns a drawing into a model; Ctrl-C
 * (SIGINT to the whole foreground process group) stops everything, leaving no process behind.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, expect, it } from "vitest";
import { freePort, onceExit, planDxf, root, startRedis, type RedisServer } from "./support/stack.ts";

let redis: RedisServer;
afterAll(async () => redis?.stop());

const descendants = (pid: number): number[] => {
  const out = execFileSync("ps", ["-eo", "pid=,ppid="], { encoding: "utf8" });
  const rows = out.trim().split("\n").map((l) => l.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const walk = (p: number) => rows.filter(([, pp]) => pp === p).forEach(([c]) => { found.push(c); walk(c); });
  walk(pid);
  return found;
};

it("npm run dev: upload → model, then Ctrl-C leaves nothing running", async () => {
  redis = await startRedis();
  const dir = mkdtempSync(path.join(tmpdir(), "dev-stack-"));
  const [port, agentPort] = [await freePort(), await freePort()];
  const dev = spawn("bash", ["scripts/dev.sh"], {
    cwd: root, detached: true, stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PORT: String(port), AGENT_HTTP_PORT: String(agentPort), STATE: path.join(dir, "state"), REDIS_URL: redis.url, AGENT_WORK_DIR: path.join(dir, "work") },
  });
  let out = "";
  dev.stdout!.on("data", (d) => (out += d));
  dev.stderr!.on("data", (d) => (out += d));
  const deadline = Date.now() + 150_000;
  while (!/Admin token:\s+(\S+)/.test(out) && Date.now() < deadline && dev.exitCode === null) await sleep(200);
  const token = /Admin token:\s+(\S+)/.exec(out)?.[1];
  expect(token, out.slice(-3000)).toBeTruthy();
  const all = [dev.pid!, ...descendants(dev.pid!)];

  const file = path.join(dir, "lobby.dxf");
  writeFileSync(file, planDxf(4242, 4));
  const upload = execFileSync(process.execPath, ["scripts/upload.mjs", "--edge", `http://127.0.0.1:${port}`, "--token", token!, file], {
    cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"],
  });
  void upload;
  expect(existsSync(path.join(dir, "lobby.glb"))).toBe(true);
  const report = JSON.parse(readFileSync(path.join(dir, "lobby.report.json"), "utf8"));
  expect(report.stats.rooms).toBe(4);

  process.kill(-dev.pid!, "SIGINT"); // what a terminal's Ctrl-C does
  await onceExit(dev);
  const until = Date.now() + 30_000;
  let alive = all;
  while (Date.now() < until) {
    alive = all.filter((p) => { try { process.kill(p, 0); return true; } catch { return false; } });
    if (!alive.length) break;
    await sleep(250);
  }
  const names = alive.map((p) => { try { return readFileSync(`/proc/${p}/cmdline`, "utf8").replace(/\0/g, " "); } catch { return String(p); } });
  expect(names).toEqual([]);
});
