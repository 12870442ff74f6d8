#!/usr/bin/env node
/**
 * Upload benchmark: tus (tus-js-client, part-aligned chunks) through the edge Worker into local R2,
 * against a bare streamed PUT of the same file into R2 through the same runtime (workerd under
 * `wrangler dev`), with the peak RSS and the CPU time of the workerd processes sampled during each run.
 *
 *   node edge/bench/upload-bench.mjs [--size-mb 500] [--chunk-mb 90] [--keep] [--verbose]
 *
 * Steps: temp --persist-to dir; D1 migrations applied locally; an uploader token seeded straight into
 * local D1 (only its SHA-256); a file of DXF-like bytes generated on disk; `wrangler dev` of the root
 * wrangler.toml on a free port → tus upload; `wrangler dev` of upload-bare-put.toml → bare PUT.
 */
import { spawn, execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as tus from "tus-js-client";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const wrangler = path.join(root, "node_modules/.bin/wrangler");
const MiB = 1024 * 1024;

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}
const sizeBytes = Math.round(Number(arg("size-mb", "500")) * MiB);
const keep = process.argv.includes("--keep");
const verbose = process.argv.includes("--verbose");

const log = (...a) => console.log(`[bench ${new Date().toISOString().slice(11, 23)}]`, ...a);

// ---------- setup ----------

const persist = fs.mkdtempSync(path.join(os.tmpdir(), "cad-kiosk-bench-"));
const wranglerEnv = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1", NO_COLOR: "1" };

function wranglerSync(args) {
  return execFileSync(wrangler, args, { cwd: root, env: wranglerEnv, stdio: ["ignore", "pipe", "pipe"] }).toString();
}

function freePort() {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Parse vars from the root wrangler.toml (part size, request limit). */
function rootVar(name) {
  const m = fs.readFileSync(path.join(root, "wrangler.toml"), "utf8").match(new RegExp(`^${name}\\s*=\\s*"(\\d+)"`, "m"));
  return Number(m[1]);
}

/** A file of DXF-like text (group codes and coordinates), unique per run; returns its SHA-256. */
async function makeFile(file, size) {
  const hash = createHash("sha256");
  const out = fs.createWriteStream(file);
  const header = Buffer.from(`  0\nSECTION\n  2\nHEADER\n999\nbench ${randomBytes(8).toString("hex")}\n  0\nENDSEC\n  0\nSECTION\n  2\nENTITIES\n`);
  let text = "";
  for (let i = 0; text.length < 4 * MiB; i++) {
    text += `  0\nLINE\n  8\nWALL-${i % 17}\n 10\n${(i * 13.7) % 9000}\n 20\n${(i * 7.1) % 6000}\n 11\n${(i * 3.3) % 9000}\n 21\n${(i * 5.9) % 6000}\n`;
  }
  const block = Buffer.from(text);
  let written = 0;
  const write = (buf) => new Promise((res) => (out.write(buf) ? res() : out.once("drain", res)));
  for (const part of [header]) {
    await write(part);
    hash.update(part);
    written += part.length;
  }
  while (written < size) {
    const piece = block.subarray(0, Math.min(block.length, size - written));
    await write(piece);
    hash.update(piece);
    written += piece.length;
  }
  await new Promise((res) => out.end(res));
  return hash.digest("hex");
}

// ---------- wrangler dev and memory sampling ----------

async function startDev(configPath, port) {
  const child = spawn(wrangler, ["dev", "--config", configPath, "--local", "--persist-to", persist, "--port", String(port),
    "--ip", "127.0.0.1", "--show-interactive-dev-session=false", "--log-level", "warn"],
  { cwd: root, env: wranglerEnv, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited:\n${output}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      await res.arrayBuffer();
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`wrangler dev did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return {
    child,
    output: () => output,
    async stop() {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {}
      await new Promise((r) => (child.exitCode !== null ? r() : child.once("exit", r)));
    },
  };
}

/**
 * RSS (bytes) and CPU time used so far (seconds, user + system) of every workerd process under `pid`.
 * CPU time shows where the work went even when another process on the machine takes CPU from the run.
 */
function workerdUsage(pid) {
  const parent = new Map();
  const comm = new Map();
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      comm.set(Number(d), stat.slice(stat.indexOf("(") + 1, close));
      parent.set(Number(d), Number(stat.slice(close + 2).split(" ")[1]));
    } catch {}
  }
  let rss = 0;
  let ticks = 0;
  for (const [p] of parent) {
    let q = p;
    while (q && q !== pid && parent.has(q)) q = parent.get(q);
    if (q !== pid || !comm.get(p)?.includes("workerd")) continue;
    try {
      const m = fs.readFileSync(`/proc/${p}/status`, "utf8").match(/VmRSS:\s+(\d+) kB/);
      if (m) rss += Number(m[1]) * 1024;
      const stat = fs.readFileSync(`/proc/${p}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
    } catch {}
  }
  return { rss, cpu: ticks / CLOCK_TICKS };
}
/** Linux's USER_HZ, the unit of /proc/PID/stat times. */
const CLOCK_TICKS = 100;

function sampleUsage(pid) {
  const samples = [];
  const timer = setInterval(() => samples.push(workerdUsage(pid)), 100);
  samples.push(workerdUsage(pid));
  return {
    stop() {
      clearInterval(timer);
      samples.push(workerdUsage(pid));
      const rss = samples.map((s) => s.rss);
      return { start: rss[0], peak: Math.max(...rss), end: rss.at(-1), cpu: samples.at(-1).cpu - samples[0].cpu };
    },
  };
}

// ---------- the two uploads ----------

async function tusUpload(port, token, file, sha256, chunkSize) {
  const stream = fs.createReadStream(file);
  let last;
  await new Promise((resolve, reject) => {
    const upload = new tus.Upload(stream, {
      endpoint: `http://127.0.0.1:${port}/api/uploads`,
      uploadSize: sizeBytes,
      chunkSize,
      retryDelays: [0, 500, 2000],
      headers: { Authorization: `Bearer ${token}` },
      metadata: { filename: path.basename(file), sha256 },
      storeFingerprintForResuming: false,
      ...(verbose ? {
        onBeforeRequest: (req) => log(`→ ${req.getMethod()} offset ${req.getHeader("Upload-Offset") ?? "-"}`),
        onAfterResponse: (req, res) => log(`← ${req.getMethod()} ${res.getStatus()} offset ${res.getHeader("Upload-Offset") ?? "-"}`),
      } : {}),
      onError: reject,
      onSuccess: ({ lastResponse }) => {
        last = { url: upload.url, jobId: lastResponse.getHeader("X-Job-Id") };
        resolve();
      },
    });
    upload.start();
  });
  const status = await (await fetch(last.url, { headers: { Authorization: `Bearer ${token}` } })).json();
  if (status.status !== "complete" || status.drawing.sha256 !== sha256) {
    throw new Error(`upload did not complete with the right hash: ${JSON.stringify(status)}`);
  }
  return { ...last, status };
}

function barePut(port, file) {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: "127.0.0.1", port, method: "PUT", path: "/",
      headers: { "Content-Length": String(sizeBytes), "Content-Type": "application/octet-stream" },
    }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`${res.statusCode} ${body}`))));
    });
    req.on("error", reject);
    fs.createReadStream(file).pipe(req);
  });
}

async function timed(label, pid, fn) {
  const mem = sampleUsage(pid);
  const t0 = performance.now();
  const result = await fn();
  const seconds = (performance.now() - t0) / 1000;
  const m = mem.stop();
  const mbps = sizeBytes / 1e6 / seconds;
  log(`${label}: ${seconds.toFixed(2)} s, ${mbps.toFixed(1)} MB/s; workerd CPU ${m.cpu.toFixed(2)} s, RSS ${fmt(m.start)} → peak ${fmt(m.peak)} (+${fmt(m.peak - m.start)})`);
  return { seconds, mbps, mem: m, result };
}
const fmt = (b) => `${(b / MiB).toFixed(0)} MiB`;

// ---------- main ----------

async function main() {
  const partBytes = rootVar("UPLOAD_PART_BYTES");
  const maxRequest = rootVar("MAX_REQUEST_BYTES");
  const chunkSize = arg("chunk-mb")
    ? Math.round(Number(arg("chunk-mb")) * MiB)
    : Math.floor(maxRequest / partBytes) * partBytes; // X-Upload-Chunk-Size: largest part multiple under the cap
  if (chunkSize % partBytes) log(`warning: chunk ${chunkSize} is not a multiple of the part size ${partBytes}`);
  log(`file ${fmt(sizeBytes)} (${sizeBytes} bytes), tus chunks ${fmt(chunkSize)}, R2 parts ${fmt(partBytes)}, persist ${persist}`);

  wranglerSync(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persist]);
  const token = `cks_${randomBytes(32).toString("base64url")}`;
  const tokenHash = createHash("sha256").update(token).digest("hex");
  wranglerSync(["d1", "execute", "DB", "--local", "--persist-to", persist, "--command",
    `INSERT INTO tokens (id, kind, role, name, hash) VALUES ('bench-${randomBytes(4).toString("hex")}', 'staff', 'uploader', 'bench', '${tokenHash}')`]);

  const file = path.join(persist, "drawing.dxf");
  const sha256 = await makeFile(file, sizeBytes);
  log(`generated ${file} sha256 ${sha256.slice(0, 16)}…`);

  const edge = await startDev(path.join(root, "wrangler.toml"), await freePort());
  let tusRun;
  try {
    const port = Number(edge.child.spawnargs[edge.child.spawnargs.indexOf("--port") + 1]);
    tusRun = await timed("tus (tus-js-client → edge → R2 multipart)", edge.child.pid, () => tusUpload(port, token, file, sha256, chunkSize));
    log(`  job ${tusRun.result.jobId}, drawing ${tusRun.result.status.drawing.id}, hash verified by the edge`);
  } finally {
    await edge.stop();
  }

  const bare = await startDev(path.join(here, "upload-bare-put.toml"), await freePort());
  let bareRun;
  try {
    const port = Number(bare.child.spawnargs[bare.child.spawnargs.indexOf("--port") + 1]);
    bareRun = await timed("bare PUT (one streamed request → R2 put)", bare.child.pid, () => barePut(port, file));
  } finally {
    await bare.stop();
  }

  const ratio = tusRun.mbps / bareRun.mbps;
  console.log("\n| run | MB/s | seconds | workerd CPU s | workerd RSS start | peak |");
  console.log("|---|---|---|---|---|---|");
  for (const [name, r] of [["tus", tusRun], ["bare PUT", bareRun]]) {
    console.log(`| ${name} | ${r.mbps.toFixed(1)} | ${r.seconds.toFixed(2)} | ${r.mem.cpu.toFixed(2)} | ${fmt(r.mem.start)} | ${fmt(r.mem.peak)} |`);
  }
  console.log(`\nsize ${fmt(sizeBytes)}: tus/bare = ${ratio.toFixed(2)}× (goal ≥ 0.80×)`);
  if (!keep) fs.rmSync(persist, { recursive: true, force: true });
  else log(`kept ${persist}`);
}

main().catch((err) => {
  console.error(err);
  if (!keep) fs.rmSync(persist, { recursive: true, force: true });
  process.exit(1);
});
