/**
 * Long-polls the edge for leases, only for the capabilities that have a free slot here, so a lease is
 * never taken that this box cannot start at once. Each lease goes to `onLease` (which queues it);
 * the poller waits for a slot to free before it asks again.
 */
import type { Capability, Lease } from "@cad-kiosk/schema";
import { setTimeout as sleep } from "node:timers/promises";
import type { EdgeClient } from "../edge/client.ts";
import { backoffDelay } from "../edge/retry.ts";
import type { Logger } from "../ops/log.ts";
import type { LeaseRegistry } from "./registry.ts";

export interface PollerOptions {
  concurrency: Record<Capability, number>;
  /** Long-poll length, s (the edge allows up to 25). */
  waitSeconds: number;
  /** False while leases could not be kept (e.g. Redis down): the poller pauses. */
  canAccept: () => boolean;
  onLease: (lease: Lease) => Promise<void>;
}

export class Poller {
  readonly #edge: EdgeClient;
  readonly #leases: LeaseRegistry;
  readonly #o: PollerOptions;
  readonly #log: Logger;
  #stop = new AbortController();
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;

  constructor(edge: EdgeClient, leases: LeaseRegistry, options: PollerOptions, log: Logger) {
    this.#edge = edge;
    this.#leases = leases;
    this.#o = options;
    this.#log = log;
    leases.on("released", () => this.#wake?.());
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stop asking; an open long-poll is aborted (the edge gives no lease to a client that went away). */
  async stop(): Promise<void> {
    this.#stop.abort();
    this.#wake?.();
    await this.#loop;
  }

  freeCapabilities(): Capability[] {
    return (Object.keys(this.#o.concurrency) as Capability[]).filter((c) => this.#leases.count(c) < this.#o.concurrency[c]);
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    let failures = 0;
    while (!signal.aborted) {
      const free = this.freeCapabilities();
      if (!free.length || !this.#o.canAccept()) {
        await this.#waitForSlot(free.length ? 1000 : 30_000);
        continue;
      }
      try {
        const lease = await this.#edge.claim(free, this.#o.waitSeconds, signal);
        failures = 0;
        if (lease) await this.#o.onLease(lease);
      } catch (err) {
        if (signal.aborted) break;
        failures++;
        const delay = backoffDelay(Math.min(failures, 8), 500, 30_000);
        this.#log.warn({ err: String(err), retryInMs: Math.round(delay) }, "claim failed");
        await sleep(delay, undefined, { signal }).catch(() => undefined);
      }
    }
  }

  #waitForSlot(maxMs: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, maxMs);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.#wake = () => {
        this.#wake = null;
        done();
      };
    });
  }
}
