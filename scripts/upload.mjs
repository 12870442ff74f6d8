#!/usr/bin/env node
/**
 * Upload a drawing, follow its conversion, fetch the model: the shortest path from a file to a GLB.
 *
 *   node scripts/upload.mjs --token cks_… plan.dxf [--edge http://localhost:8787] [--group lobby]
 *        [--options '{"wallHeight":3}'] [-o plan.glb]
 *
 * Resumable (tus, via tus-js-client) with a progress bar; then the job's progress bar until it ends;
 * then the published GLB and the converter's report next to the drawing. Exit 1 when the job fails.
 */
import { createReadStream, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import * as tus from "tus-js-client";

const { values: a, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    token: { type: "string", default: process.env.CAD_KIOSK_TOKEN },
    edge: { type: "string", default: process.env.CAD_KIOSK_EDGE ?? "http://localhost:8787" },
    group: { type: "string" },
    options: { type: "string" },
    o: { type: "string" },
  },
});
const file = positionals[0];
if (!file || !a.token) {
  console.error("usage: node scripts/upload.mjs --token TOKEN FILE [--edge URL] [--group ID] [--options JSON] [-o OUT.glb]");
  process.exit(2);
}
const auth = { Authorization: `Bearer ${a.token}` };
const size = statSync(file).size;
const options = { ...(a.options ? JSON.parse(a.options) : {}), ...(a.group ? { targetGroup: a.group } : {}) };

const bar = (label, pct, note = "") => {
  const w = 30, n = Math.round((w * pct) / 100);
  process.stderr.write(`\r${label.padEnd(10)} [${"#".repeat(n)}${".".repeat(w - n)}] ${String(Math.round(pct)).padStart(3)}% ${note}`.padEnd(100).slice(0, 110));
};

const jobId = await new Promise((resolve, reject) => {
  const up = new tus.Upload(createReadStream(file), {
    endpoint: `${a.edge}/api/uploads`,
    headers: auth,
    uploadSize: size,
    chunkSize: 50 * 1024 * 1024,
    retryDelays: [0, 1000, 3000, 5000, 10000],
    metadata: { filename: path.basename(file), ...(Object.keys(options).length ? { options: JSON.stringify(options) } : {}) },
    onProgress: (sent, total) => bar("upload", (100 * sent) / total, `${(sent / 1e6).toFixed(1)}/${(total / 1e6).toFixed(1)} MB`),
    onAfterResponse: (_req, res) => {
      const id = res.getHeader("X-Job-Id");
      if (id) up.jobId = id;
    },
    onSuccess: () => resolve(up.jobId),
    onError: reject,
  });
  up.start();
});
process.stderr.write(`\njob ${jobId}\n`);

let job;
for (;;) {
  const res = await fetch(`${a.edge}/api/jobs/${jobId}`, { headers: auth });
  const body = await res.json();
  job = body.job ?? body;
  if (["succeeded", "failed", "dead", "cancelled"].includes(job.status)) break;
  bar(job.progress.stage ?? job.status, job.progress.percent ?? 0, job.progress.message ?? "");
  await new Promise((r) => setTimeout(r, 300));
}
if (job.status !== "succeeded") {
  process.stderr.write(`\njob ${job.status}: ${job.error?.code ?? ""} ${job.error?.message ?? ""}\n`);
  process.exit(1);
}
bar("done", 100);
const out = a.o ?? file.replace(/\.[^.]+$/, "") + ".glb";
const glb = await fetch(`${a.edge}/api/models/${job.modelId}/glb`, { headers: auth });
writeFileSync(out, Buffer.from(await glb.arrayBuffer()));
const report = await (await fetch(`${a.edge}/api/models/${job.modelId}/report`, { headers: auth })).json();
writeFileSync(out.replace(/\.glb$/, ".report.json"), JSON.stringify(report, null, 2));
const s = report.stats ?? {};
process.stderr.write(`\nmodel ${job.modelId} → ${out} (${(report.publish?.publishedBytes / 1e3).toFixed(0)} kB; converter ${(report.publish?.converterBytes / 1e3).toFixed(0)} kB)\n`);
process.stderr.write(`walls ${s.walls ?? "-"}, doors ${s.doors ?? "-"}, windows ${s.windows ?? "-"}, rooms ${s.rooms ?? "-"}\n`);
