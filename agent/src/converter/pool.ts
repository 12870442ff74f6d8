/**
 * A pool of warm converter servers, one per job that may run at once. A server is replaced after
 * `recycleJobs` jobs, when its resident memory passes `recycleRssMb`, when it crashed, hung or was
 * killed for a cancelled job. The pids of live servers are written to a file in the work directory, so
 * an agent restarted after a crash kills the orphans of its previous life first (see reapOrphans).
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ConverterProcess, type ConvertProgress, type ConvertRequest, type ConvertResult } from "./process.ts";

export interface ConverterPoolOptions {
  command: string[];
  /** Servers kept warm. */
  size: number;
  /** Replace a server after this many jobs. */
  recycleJobs: number;
  /** Replace a server whose resident memory passes this, MB. */
  recycleRssMb: number;
  /** Where the pid file lives. */
  workDir: string;
  env?: NodeJS.ProcessEnv;
  onRecycle?: (reason: string) => void;
}

export class ConverterPool {
  readonly #o: ConverterPoolOptions;
  readonly #idle: ConverterProcess[] = [];
  readonly #all = new Set<ConverterProcess>();
  readonly #waiters: ((p: ConverterProcess) => void)[] = [];
  /** Servers being replaced: close() waits for them too, so none outlives the agent. */
  readonly #retiring = new Set<Promise<void>>();
  #closed = false;

  constructor(options: ConverterPoolOptions) {
    this.#o = options;
  }

  get size(): number {
    return this.#all.size;
  }

  get busy(): number {
    return this.#all.size - this.#idle.length;
  }

  /** Start every server and wait until all are warm. */
  async start(): Promise<void> {
    reapOrphans(this.#pidFile());
    await Promise.all(Array.from({ length: this.#o.size }, () => this.#spawn()));
  }

  /** Run one conversion on a free server (waiting for one if all are busy). */
  async run(req: ConvertRequest, onProgress: (p: ConvertProgress) => void, hardLimitMs: number, signal?: AbortSignal): Promise<ConvertResult> {
    const proc = await this.#acquire(signal);
    let healthy = false;
    try {
      const result = await proc.run(req, onProgress, hardLimitMs, signal);
      healthy = true;
      return result;
    } catch (err) {
      healthy = proc.alive; // a permanent converter error leaves the server fine
      throw err;
    } finally {
      this.#release(proc, healthy);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#all].map((p) => p.stop()));
    await Promise.all(this.#retiring);
    this.#all.clear();
    this.#idle.length = 0;
    this.#writePids();
  }

  #acquire(signal?: AbortSignal): Promise<ConverterProcess> {
    const free = this.#idle.pop();
    if (free) return Promise.resolve(free);
    return new Promise((resolve, reject) => {
      const waiter = (p: ConverterProcess) => {
        signal?.removeEventListener("abort", onAbort);
        resolve(p);
      };
      const onAbort = () => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  #release(proc: ConverterProcess, healthy: boolean): void {
    const reason = !healthy || !proc.alive ? "unhealthy"
      : proc.jobsDone >= this.#o.recycleJobs ? "jobs"
      : proc.rssMb() > this.#o.recycleRssMb ? "memory" : null;
    if (reason) {
      this.#o.onRecycle?.(reason);
      this.#all.delete(proc);
      const retired = proc.stop(500).finally(() => this.#retiring.delete(retired));
      this.#retiring.add(retired);
      this.#writePids();
      if (!this.#closed) void this.#spawn().catch(() => undefined);
      return;
    }
    this.#hand(proc);
  }

  #hand(proc: ConverterProcess): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(proc);
    else this.#idle.push(proc);
  }

  async #spawn(): Promise<void> {
    const proc = new ConverterProcess(this.#o.command, this.#o.env);
    try {
      const ready = proc.start();
      this.#all.add(proc);
      this.#writePids();
      await ready;
      if (this.#closed) return void proc.kill();
      this.#hand(proc);
    } catch (err) {
      this.#all.delete(proc);
      proc.kill();
      this.#writePids();
      // Try again later so a broken converter install does not spin; jobs wait meanwhile.
      if (!this.#closed) setTimeout(() => void this.#spawn().catch(() => undefined), 5000).unref();
      throw err;
    }
  }

  #pidFile(): string {
    return path.join(this.#o.workDir, "converter-pids.json");
  }

  #writePids(): void {
    const pids = [...this.#all].map((p) => p.pid).filter((p): p is number => !!p);
    try {
      writeFileSync(this.#pidFile(), JSON.stringify(pids));
    } catch {
      // the work dir is gone (shutting down); nothing to record
    }
  }
}

/** Kill converter process groups recorded by a previous life of this agent that are still running. */
export function reapOrphans(pidFile: string): number {
  let pids: number[] = [];
  try {
    pids = JSON.parse(readFileSync(pidFile, "utf8")) as number[];
  } catch {
    return 0;
  }
  let killed = 0;
  for (const pid of pids) {
    try {
      // Only if it still is a converter (pids are reused).
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (!cmd.includes("converter")) continue;
      process.kill(-pid, "SIGKILL");
      killed++;
    } catch {
      // gone already
    }
  }
  return killed;
}
