/**
 * Relays a job's progress to the edge, throttled: nothing in the first `intervalMs` (the job shows as
 * leased; a job done by then sends none), then at most one event per interval, always the latest
 * (stage and percent). Every event costs the edge a D1 write and a push to watchers, so a job of a
 * few seconds sends a handful, not one per converter stage. Sends are chained so the edge sees them in
 * order; a failed send is dropped (progress is advisory), but a lost lease aborts the job.
 */
import type { EdgeClient } from "../edge/client.ts";
import { LeaseLost } from "../errors.ts";

export class ProgressRelay {
  #lastAt = Date.now();
  #lastPercent = -1;
  #chain: Promise<void> = Promise.resolve();
  #pending: { stage: string; percent: number; message?: string } | null = null;
  #timer: NodeJS.Timeout | null = null;

  readonly edge: EdgeClient;
  readonly lease: () => { jobId: string; fence: number };
  readonly intervalMs: number;
  readonly onLeaseLost: (err: LeaseLost) => void;

  constructor(edge: EdgeClient, lease: () => { jobId: string; fence: number }, intervalMs: number, onLeaseLost: (err: LeaseLost) => void) {
    this.edge = edge;
    this.lease = lease;
    this.intervalMs = intervalMs;
    this.onLeaseLost = onLeaseLost;
  }

  /** Overall percent 0–100; never goes back. */
  report(stage: string, percent: number, message?: string): void {
    const p = Math.max(this.#lastPercent, Math.round(percent));
    const now = Date.now();
    if (now - this.#lastAt >= this.intervalMs) {
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = null;
      this.#pending = null;
      this.#send(stage, p, message);
    } else {
      this.#pending = { stage, percent: p, message };
      this.#timer ??= setTimeout(() => {
        this.#timer = null;
        const e = this.#pending;
        this.#pending = null;
        if (e) this.#send(e.stage, e.percent, e.message);
      }, this.intervalMs - (now - this.#lastAt));
    }
  }

  /**
   * Drop what is still waiting for its interval and wait for the sends under way, so none lands after
   * what comes next (the job's completion supersedes a last progress event; sending it would only
   * cost the edge a write on the job's critical path).
   */
  async settle(): Promise<void> {
    this.dispose();
    await this.#chain;
  }

  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#pending = null;
  }

  #send(stage: string, percent: number, message?: string): void {
    this.#lastAt = Date.now();
    this.#lastPercent = percent;
    this.#chain = this.#chain.then(() =>
      this.edge.progress(this.lease(), stage, percent, message, AbortSignal.timeout(10_000)).catch((err) => {
        if (err instanceof LeaseLost) this.onLeaseLost(err);
      }));
  }
}
