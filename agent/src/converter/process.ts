/**
 * One warm converter server (`python -m converter serve`, converter/README.md "Warm mode"): started
 * once, fed one JSON job line at a time, its tagged events read back line by line. It runs in its own
 * process group so a kill takes the job child it forked along with it.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { JobFailure, abortReason } from "../errors.ts";

export interface ConvertRequest {
  input: string;
  output: string;
  report: string;
  options: Record<string, unknown>;
}

export interface ConvertProgress {
  stage: string;
  percent: number;
  message?: string;
}

export interface ConvertResult {
  output: string;
  stats: Record<string, unknown>;
  warnings: string[];
}

type Event =
  | { id: unknown; type: "ready"; version?: string }
  | ({ id: string; type: "progress" } & ConvertProgress)
  | { id: string; type: "result"; output: string; stats?: Record<string, unknown>; warnings?: string[] }
  | { id: string | null; type: "error"; code: string; message: string; permanent: boolean };

interface Running {
  id: string;
  onProgress: (p: ConvertProgress) => void;
  resolve: (r: ConvertResult) => void;
  reject: (e: Error) => void;
}

let nextJobSeq = 0;

export class ConverterProcess {
  readonly command: string[];
  jobsDone = 0;
  #child: ChildProcessWithoutNullStreams | null = null;
  #running: Running | null = null;
  #stderrTail: string[] = [];
  #exited: Promise<number | null> = Promise.resolve(null);
  #ready: Promise<void> = Promise.resolve();
  #dead = false;
  readonly #env: NodeJS.ProcessEnv;

  constructor(command: string[], env: NodeJS.ProcessEnv = process.env) {
    this.command = command;
    this.#env = env;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get alive(): boolean {
    return !!this.#child && !this.#dead;
  }

  /** Spawn and wait for the `ready` line (the server's warm-up conversion done). */
  start(timeoutMs = 120_000): Promise<void> {
    const [cmd, ...args] = this.command;
    const child = spawn(cmd!, args, { detached: true, stdio: ["pipe", "pipe", "pipe"], env: { ...this.#env, PYTHONUNBUFFERED: "1" } });
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      this.#stderrTail.push(d);
      if (this.#stderrTail.length > 40) this.#stderrTail.shift();
    });
    child.stdin.on("error", () => undefined); // EPIPE after a crash: the exit handler reports it
    this.#ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`converter did not become ready in ${timeoutMs} ms`)), timeoutMs);
      const lines = createInterface({ input: child.stdout });
      lines.on("line", (line) => {
        let ev: Event;
        try {
          ev = JSON.parse(line) as Event;
        } catch {
          return; // stdout is JSON lines only; anything else is ignored
        }
        if (ev.type === "ready") {
          clearTimeout(timer);
          resolve();
        } else this.#onEvent(ev);
      });
      child.once("error", (err) => {
        clearTimeout(timer);
        this.#dead = true;
        reject(new Error(`cannot start converter (${this.command.join(" ")}): ${err.message}`));
      });
      child.once("exit", (code, sig) => {
        clearTimeout(timer);
        this.#dead = true;
        const why = `converter exited (${sig ?? `code ${code}`}): ${this.stderrTail()}`;
        reject(new Error(why));
        const r = this.#running;
        this.#running = null;
        r?.reject(new JobFailure("converter_crashed", why, false));
      });
    });
    return this.#ready;
  }

  /**
   * Convert one drawing. Rejects with JobFailure (the converter's code and permanence), with
   * `converter_crashed` (retryable) when the server dies, with `time_limit` when it outlives
   * `hardLimitMs` (it is killed), or with the signal's reason when aborted (it is killed).
   */
  run(req: ConvertRequest, onProgress: (p: ConvertProgress) => void, hardLimitMs: number, signal?: AbortSignal): Promise<ConvertResult> {
    if (!this.alive || this.#running) return Promise.reject(new JobFailure("converter_busy", "converter not available", false));
    const id = `j${++nextJobSeq}`;
    return new Promise<ConvertResult>((resolve, reject) => {
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.#running = null;
        this.jobsDone++;
      };
      const timer = setTimeout(() => {
        finish();
        this.kill();
        reject(new JobFailure("time_limit", `the converter did not finish within ${Math.round(hardLimitMs / 1000)} s and was stopped`, true));
      }, hardLimitMs);
      const onAbort = () => {
        finish();
        this.kill();
        reject(abortReason(signal!));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#running = {
        id,
        onProgress,
        resolve: (r) => { finish(); resolve(r); },
        reject: (e) => { finish(); reject(e); },
      };
      this.#child!.stdin.write(`${JSON.stringify({ id, ...req })}\n`);
    });
  }

  #onEvent(ev: Event): void {
    const r = this.#running;
    if (!r || ev.id !== r.id) return;
    if (ev.type === "progress") r.onProgress({ stage: ev.stage, percent: ev.percent, message: ev.message });
    else if (ev.type === "result") r.resolve({ output: ev.output, stats: ev.stats ?? {}, warnings: ev.warnings ?? [] });
    else if (ev.type === "error") r.reject(new JobFailure(ev.code, ev.message, ev.permanent));
  }

  /** Resident memory of the warm server, MB (0 when unknown). */
  rssMb(): number {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, "utf8"));
      return m ? Number(m[1]) / 1024 : 0;
    } catch {
      return 0;
    }
  }

  stderrTail(): string {
    return this.#stderrTail.join("").slice(-2000).trim();
  }

  /** SIGKILL the whole process group (the server and the job child it forked). */
  kill(): void {
    this.#dead = true;
    const pid = this.#child?.pid;
    if (!pid) return;
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }

  /** Close stdin (the server exits between jobs), then kill what is left after `graceMs`. */
  async stop(graceMs = 2000): Promise<void> {
    if (!this.#child) return;
    this.#child.stdin.end();
    const t = setTimeout(() => this.kill(), graceMs);
    await this.#exited;
    clearTimeout(t);
    this.kill(); // the group may still hold a forked job child
  }
}
