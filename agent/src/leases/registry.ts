/**
 * The leases this agent holds, in memory, keyed by edge job id. Redis (the BullMQ job data) holds the
 * same leases durably; the registry is rebuilt from it at start-up. Each lease carries the abort
 * controller that stops its job when the lease is lost, cancelled or handed back.
 */
import type { Capability, Lease } from "@cad-kiosk/schema";
import { EventEmitter } from "node:events";

export interface HeldLease {
  lease: Lease;
  capability: Capability;
  /** Lease length at the edge, ms (leaseExpiresAt − the claim's time, both edge clocks). */
  leaseMs: number;
  /** Local time of the last successful renewal (or the claim). */
  renewedAt: number;
  controller: AbortController;
}

export const fenced = (h: HeldLease) => ({ jobId: h.lease.job.id, fence: h.lease.fence });

export class LeaseRegistry extends EventEmitter<{ released: [Capability]; held: [Capability] }> {
  readonly #byJob = new Map<string, HeldLease>();

  /**
   * Hold a lease; a newer fence for a job already held replaces the old one (same job, re-leased).
   * `fresh`: just claimed. A lease taken back from Redis after a restart is not: it is renewed (and so
   * checked with the edge) before anything else.
   */
  hold(lease: Lease, fresh = true): HeldLease {
    const prev = this.#byJob.get(lease.job.id);
    if (prev && prev.lease.fence >= lease.fence) return prev;
    const held: HeldLease = {
      lease,
      capability: lease.job.capability,
      leaseMs: Math.max(5_000, lease.leaseExpiresAt - lease.job.updatedAt),
      renewedAt: fresh ? Date.now() : 0,
      controller: prev?.controller.signal.aborted === false ? prev.controller : new AbortController(),
    };
    this.#byJob.set(lease.job.id, held);
    if (!prev) this.emit("held", held.capability);
    return held;
  }

  get(jobId: string): HeldLease | undefined {
    return this.#byJob.get(jobId);
  }

  release(jobId: string): void {
    const h = this.#byJob.get(jobId);
    if (!h) return;
    this.#byJob.delete(jobId);
    this.emit("released", h.capability);
  }

  count(capability?: Capability): number {
    if (!capability) return this.#byJob.size;
    let n = 0;
    for (const h of this.#byJob.values()) if (h.capability === capability) n++;
    return n;
  }

  all(): HeldLease[] {
    return [...this.#byJob.values()];
  }
}
