/**
 * One conversion, start to finish: check the lease, fetch the drawing (SHA-256 checked), convert on a
 * warm converter, compress the GLB for kiosks, upload the artifacts, complete with the fencing token.
 * Every step takes the job's abort signal; what to do on each kind of failure is decided by the caller
 * (conversions.ts), not here.
 */
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { FileKind, Job } from "@cad-kiosk/schema";
import type { AgentConfig } from "../config.ts";
import { converterOptions, hardLimitMs } from "../converter/options.ts";
import type { ConverterPool } from "../converter/pool.ts";
import type { EdgeClient } from "../edge/client.ts";
import { JobCancelled, throwIfAborted } from "../errors.ts";
import { fenced, type HeldLease } from "../leases/registry.ts";
import type { Logger } from "../ops/log.ts";
import type { Metrics } from "../ops/metrics.ts";
import { ProgressRelay } from "./progress.ts";

export interface CompressStats {
  bytesBefore: number;
  bytesAfter: number;
  seconds: number;
  /** Door/window nodes drawn as instances of one shared mesh (EXT_mesh_gpu_instancing). */
  instances?: number;
  /** Compression would not have made the model smaller: the converter's GLB is published as it is. */
  skipped?: boolean;
}

export interface JobDeps {
  cfg: AgentConfig;
  edge: EdgeClient;
  pool: ConverterPool;
  log: Logger;
  metrics: Metrics;
  /** GLB post-processing for kiosks (runs off the main thread). */
  compress: (input: string, output: string, signal: AbortSignal) => Promise<CompressStats>;
}

const EXTENSIONS: Record<FileKind, string> = { dxf: "dxf", "dxf-binary": "dxf", pdf: "pdf", png: "png", jpeg: "jpg" };

/** Overall percent at the start of each stage (the converter's own 0–100 fills `convert`). */
const SPAN = { download: [0, 10], convert: [10, 85], compress: [85, 92], upload: [92, 99] } as const;

export const jobDir = (workDir: string, jobId: string) => path.join(workDir, "jobs", jobId);

/**
 * Run the job; returns the edge's finished job. `current()` gives the lease as held now (a re-lease of
 * the same job with a newer fence replaces it).
 */
export async function convertJob(deps: JobDeps, current: () => HeldLease, signal: AbortSignal): Promise<Job> {
  const { cfg, edge, pool, log } = deps;
  const held = current();
  const lease = held.lease;
  const jobId = lease.job.id;
  const dir = jobDir(cfg.workDir, jobId);
  await mkdir(dir, { recursive: true });
  const progress = new ProgressRelay(edge, () => fenced(current()), cfg.progressIntervalMs, (err) => current().controller.abort(err));
  const timed = async <T>(stage: string, fn: () => Promise<T>): Promise<T> => {
    throwIfAborted(signal);
    log.debug({ jobId, stage }, "stage started");
    const t0 = performance.now();
    const out = await fn();
    deps.metrics.stage.observe({ stage }, (performance.now() - t0) / 1000);
    throwIfAborted(signal);
    return out;
  };
  try {
    // A job picked up again (after a restart, a retry) may have been finished or taken meanwhile: ask
    // first. A lease claimed or renewed moments ago needs no extra round trip.
    if (Date.now() - current().renewedAt > current().leaseMs / 6) {
      const check = await edge.heartbeat(fenced(current()), signal);
      if (check.cancel) throw new JobCancelled(`job ${jobId} was cancelled`);
      current().renewedAt = Date.now();
    }

    const drawing = path.join(dir, `drawing.${EXTENSIONS[lease.drawing.fileKind]}`);
    progress.report("download", SPAN.download[0], `fetching ${lease.drawing.filename}`);
    const got = await timed("download", () => edge.download(lease, drawing, signal));
    log.info({ jobId, bytes: got.bytes, resumedFrom: got.resumedFrom }, "drawing fetched");

    const rawGlb = path.join(dir, "converted.glb");
    const report = path.join(dir, "report.json");
    const [c0, c1] = SPAN.convert;
    const result = await timed("convert", () =>
      pool.run(
        { input: drawing, output: rawGlb, report, options: converterOptions(lease.job.options, cfg.converter) },
        (p) => progress.report(p.stage, c0 + ((c1 - c0) * p.percent) / 100, p.message),
        hardLimitMs(cfg.converter),
        signal,
      ));
    log.info({ jobId, seconds: result.stats.seconds, walls: result.stats.walls, rooms: result.stats.rooms }, "converted");

    let glb = rawGlb;
    let compression: CompressStats | null = null;
    if (cfg.compress) {
      progress.report("compress", SPAN.compress[0], "optimising the model for kiosks");
      glb = path.join(dir, "model.glb");
      compression = await timed("compress", () => deps.compress(rawGlb, glb, signal));
    }
    const rawBytes = (await stat(rawGlb)).size;
    const publishedBytes = (await stat(glb)).size;
    deps.metrics.bytesIn.inc(rawBytes);
    deps.metrics.bytesOut.inc(publishedBytes);
    const publish = { converterBytes: rawBytes, publishedBytes, compression };
    await addToReport(report, { publish });

    progress.report("upload", SPAN.upload[0], "uploading the model");
    await timed("upload", () => Promise.all([
      edge.uploadArtifact(fenced(current()), "glb", glb, "model/gltf-binary", signal),
      edge.uploadArtifact(fenced(current()), "report", report, "application/json", signal),
    ]));
    await progress.settle();
    const done = await timed("complete", () =>
      edge.complete(fenced(current()), { ...result.stats, warnings: result.warnings, publish }, signal));
    return done;
  } finally {
    progress.dispose();
  }
}

/** Merge fields into the converter's JSON report (kept small: the edge caps reports at 5 MB). */
async function addToReport(file: string, fields: Record<string, unknown>): Promise<void> {
  let report: Record<string, unknown> = {};
  try {
    report = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
  } catch {
    // no report written: start one
  }
  await writeFile(file, JSON.stringify({ ...report, ...fields }));
}

export async function removeJobDir(workDir: string, jobId: string): Promise<void> {
  await rm(jobDir(workDir, jobId), { recursive: true, force: true });
}
