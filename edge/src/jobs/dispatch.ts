import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";

/** A point in the dispatcher's history; `epoch` changes when the object restarts. */
export interface DispatchCursor {
  epoch: string;
  seq: number;
}

/**
 * Wakes long-polling agents the moment a job becomes claimable. One instance ("global") for the
 * deployment. It holds no job state (D1 does): only a sequence number bumped by `notify`, so a claim
 * that read cursor N and found nothing can wait for N+1 without missing a job created in between.
 */
export class JobDispatch extends DurableObject<Env> {
  #epoch = crypto.randomUUID();
  #seq = 0;
  #waiters = new Set<() => void>();

  cursor(): DispatchCursor {
    return { epoch: this.#epoch, seq: this.#seq };
  }

  /** A job was created or released: wake every waiter. */
  notify(): DispatchCursor {
    this.#seq++;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
    return this.cursor();
  }

  /** Resolves when something happened after `since`, or after `timeoutMs`. */
  async wait(since: DispatchCursor, timeoutMs: number): Promise<DispatchCursor> {
    if (since.epoch !== this.#epoch || since.seq !== this.#seq) return this.cursor();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(wake);
        resolve();
      }, timeoutMs);
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#waiters.add(wake);
    });
    return this.cursor();
  }
}

export const dispatcher = (env: Env) => env.JOB_DISPATCH.get(env.JOB_DISPATCH.idFromName("global"));
