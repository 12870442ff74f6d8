/** Exponential backoff with full jitter, for calls to the edge that may fail for a moment. */
import { setTimeout as sleep } from "node:timers/promises";
import { throwIfAborted } from "../errors.ts";

export interface RetryOptions {
  /** Tries in all, the first included. Default 6. */
  attempts: number;
  /** First delay's ceiling, ms. Default 200. */
  baseMs: number;
  /** Largest delay, ms. Default 10 000. */
  maxMs: number;
  /** Stop early (the error thrown is the signal's reason). */
  signal?: AbortSignal;
  /** Called before each wait (logging, metrics). */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

export const RETRY_DEFAULTS: RetryOptions = { attempts: 6, baseMs: 200, maxMs: 10_000 };

/** Full jitter: uniform in [0, min(max, base·2^n)] so many agents retrying never move in step. */
export const backoffDelay = (attempt: number, baseMs: number, maxMs: number) =>
  Math.random() * Math.min(maxMs, baseMs * 2 ** attempt);

/** Run `fn` until it succeeds, `isRetryable(err)` is false, or the attempts are used up. */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  isRetryable: (err: unknown) => boolean,
  options: Partial<RetryOptions> = {},
): Promise<T> {
  const o = { ...RETRY_DEFAULTS, ...options };
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(o.signal);
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt + 1 >= o.attempts || !isRetryable(err) || o.signal?.aborted) throw err;
      const delay = backoffDelay(attempt, o.baseMs, o.maxMs);
      o.onRetry?.(err, attempt + 1, delay);
      await sleep(delay, undefined, { signal: o.signal }).catch(() => undefined);
    }
  }
}
