/**
 * GLB compression in warm worker threads: glTF-Transform and meshopt keep a CPU busy for seconds on a
 * big plan, and the main thread must stay free for heartbeats and BullMQ lock renewals. Threads are
 * started once (module loading and the meshopt WebAssembly cost about a second) and reused; an
 * aborted job terminates its thread and a fresh one takes its place.
 */
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { abortReason } from "../errors.ts";
import type { CompressStats } from "./convert-job.ts";

interface Request {
  input: string;
  output: string;
}
type Reply = { ok: true; stats: CompressStats } | { ok: false; error: string };

class CompressThread {
  readonly worker: Worker;
  readonly ready: Promise<void>;

  constructor() {
    this.worker = new Worker(new URL(import.meta.url), { workerData: { compressThread: true } });
    this.worker.unref();
    this.ready = new Promise((resolve, reject) => {
      this.worker.once("message", () => resolve());
      this.worker.once("error", reject);
    });
  }

  run(req: Request, signal: AbortSignal): Promise<CompressStats> {
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        signal.removeEventListener("abort", onAbort);
        this.worker.off("message", onMessage);
        this.worker.off("error", onError);
      };
      const onAbort = () => {
        cleanup();
        void this.worker.terminate();
        reject(abortReason(signal));
      };
      const onMessage = (m: Reply) => {
        cleanup();
        if (m.ok) resolve(m.stats);
        else reject(new Error(`compressing the GLB failed: ${m.error}`));
      };
      const onError = (err: Error) => {
        cleanup();
        reject(err);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.worker.on("message", onMessage);
      this.worker.once("error", onError);
      this.worker.postMessage(req);
    });
  }
}

/** A few warm compression threads; `compress` waits for a free one. */
export class CompressPool {
  readonly #idle: CompressThread[] = [];
  readonly #waiters: ((t: CompressThread) => void)[] = [];
  readonly #size: number;

  constructor(size: number) {
    this.#size = size;
  }

  async start(): Promise<void> {
    const threads = Array.from({ length: this.#size }, () => new CompressThread());
    await Promise.all(threads.map((t) => t.ready));
    this.#idle.push(...threads);
  }

  compress = async (input: string, output: string, signal: AbortSignal): Promise<CompressStats> => {
    if (signal.aborted) throw abortReason(signal);
    const thread = this.#idle.pop() ?? (await new Promise<CompressThread>((r) => this.#waiters.push(r)));
    let healthy = true;
    try {
      return await thread.run({ input, output }, signal);
    } catch (err) {
      healthy = !signal.aborted && !(err instanceof Error && /terminated|exited/.test(err.message));
      throw err;
    } finally {
      const next = healthy ? thread : new CompressThread();
      if (!healthy) void thread.worker.terminate();
      void next.ready.then(() => {
        const waiter = this.#waiters.shift();
        if (waiter) waiter(next);
        else this.#idle.push(next);
      }, () => undefined);
    }
  };

  async close(): Promise<void> {
    await Promise.all(this.#idle.splice(0).map((t) => t.worker.terminate()));
  }
}

// ---- inside the thread
if (!isMainThread && (workerData as { compressThread?: boolean } | undefined)?.compressThread) {
  const { compressGlb } = await import("../compress/index.ts");
  parentPort!.on("message", async ({ input, output }: Request) => {
    try {
      const s = await compressGlb(input, output);
      parentPort!.postMessage({ ok: true, stats: { bytesBefore: s.bytesBefore, bytesAfter: s.bytesAfter, seconds: s.seconds, instances: s.instances, skipped: s.skipped } } satisfies Reply);
    } catch (err) {
      parentPort!.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) } satisfies Reply);
    }
  });
  parentPort!.postMessage("ready");
}
