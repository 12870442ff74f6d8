/**
 * GLB compression in a worker thread: glTF-Transform and meshopt keep a CPU busy for seconds on a big
 * plan, and the main thread must stay free for heartbeats and BullMQ lock renewals. An aborted job
 * terminates the thread.
 */
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { abortReason } from "../errors.ts";
import type { CompressStats } from "./convert-job.ts";

interface Request {
  compressGlbJob: true;
  input: string;
  output: string;
}

export function compressInThread(input: string, output: string, signal: AbortSignal): Promise<CompressStats> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortReason(signal));
    const worker = new Worker(new URL(import.meta.url), { workerData: { compressGlbJob: true, input, output } satisfies Request });
    const onAbort = () => void worker.terminate().then(() => reject(abortReason(signal)));
    signal.addEventListener("abort", onAbort, { once: true });
    worker.once("message", (m: { ok: true; stats: CompressStats } | { ok: false; error: string }) => {
      signal.removeEventListener("abort", onAbort);
      if (m.ok) resolve(m.stats);
      else reject(new Error(`compressing the GLB failed: ${m.error}`));
    });
    worker.once("error", (err) => {
      signal.removeEventListener("abort", onAbort);
      reject(err);
    });
    worker.once("exit", (code) => {
      if (code !== 0 && !signal.aborted) reject(new Error(`compression thread exited with ${code}`));
    });
  });
}

if (!isMainThread && (workerData as Request | undefined)?.compressGlbJob) {
  const { input, output } = workerData as Request;
  try {
    const { compressGlb } = await import("../compress/index.ts");
    const stats = await compressGlb(input, output);
    parentPort!.postMessage({ ok: true, stats: { bytesBefore: stats.bytesBefore, bytesAfter: stats.bytesAfter, seconds: stats.seconds } });
  } catch (err) {
    parentPort!.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) });
  }
}
