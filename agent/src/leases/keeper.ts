/**
 * Renews every held lease well before it expires (a third of the lease length), from the main
 * process: converters run in child processes and compression in a worker thread, so nothing a job
 * does can delay a heartbeat. A heartbeat that says "cancel" or "not yours" aborts the job with
 * JobCancelled or LeaseLost; a heartbeat that fails for a moment is retried on the next tick (the edge
 * honours an expired lease nobody else took).
 */
import type { EdgeClient } from "../edge/client.ts";
import { JobCancelled, LeaseLost } from "../errors.ts";
import type { Logger } from "../ops/log.ts";
import { fenced, type HeldLease, type LeaseRegistry } from "./registry.ts";

export interface LeaseKeeperOptions {
  /** How often held leases are looked at, ms. Default 500. */
  tickMs?: number;
  /** A lost or cancelled lease whose job is not running (still queued): the agent drops it. */
  onAbort?: (held: HeldLease, reason: Error) => void;
}

export class LeaseKeeper {
  readonly #edge: EdgeClient;
  readonly #leases: LeaseRegistry;
  readonly #log: Logger;
  readonly #o: LeaseKeeperOptions;
  readonly #inFlight = new Set<string>();
  #timer: NodeJS.Timeout | null = null;

  constructor(edge: EdgeClient, leases: LeaseRegistry, log: Logger, options: LeaseKeeperOptions = {}) {
    this.#edge = edge;
    this.#leases = leases;
    this.#log = log;
    this.#o = options;
  }

  start(): void {
    this.#timer ??= setInterval(() => this.tick(), this.#o.tickMs ?? 500);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Renew the leases that are due (a third of their length since the last renewal). */
  tick(now = Date.now()): void {
    for (const held of this.#leases.all()) {
      if (now - held.renewedAt >= held.leaseMs / 3) void this.renew(held);
    }
  }

  async renew(held: HeldLease): Promise<void> {
    const id = held.lease.job.id;
    if (this.#inFlight.has(id) || held.controller.signal.aborted) return;
    this.#inFlight.add(id);
    const fence = held.lease.fence;
    try {
      const answer = await this.#edge.heartbeat(fenced(held), AbortSignal.timeout(Math.max(2000, held.leaseMs / 4)));
      if (this.#leases.get(id) !== held) return; // released or re-leased meanwhile
      held.renewedAt = Date.now();
      if (answer.cancel) this.#abort(held, new JobCancelled(`job ${id} was cancelled`));
    } catch (err) {
      if (err instanceof LeaseLost) {
        this.#log.warn({ jobId: id, fence }, "lease lost");
        this.#abort(held, err);
      } else {
        this.#log.warn({ jobId: id, err: String(err) }, "heartbeat failed; retrying on the next tick");
      }
    } finally {
      this.#inFlight.delete(id);
    }
  }

  #abort(held: HeldLease, reason: Error): void {
    if (held.controller.signal.aborted) return;
    held.controller.abort(reason);
    this.#o.onAbort?.(held, reason);
  }
}
