/**
 * The local queue: one BullMQ queue and worker per capability, under this agent's Redis prefix. A lease
 * becomes a BullMQ job whose id is the edge job id, so a lease seen twice is queued once, and a job
 * survives an agent crash in Redis: after a restart the stalled-job check hands it to the worker
 * again, which asks the edge whether the lease still holds before doing anything.
 *
 * What happens on failure is decided here, once:
 *   lease lost            → drop silently (someone else owns the job now)
 *   cancelled             → tell the edge (it records the cancel), drop
 *   agent stopping        → hand back to the edge (retryable), drop
 *   permanent (bad input) → tell the edge at once with the converter's code and message
 *   anything else         → retry here with exponential backoff and jitter; when the tries are used
 *                           up, tell the edge (retryable: another agent may succeed)
 */
import { Queue, UnrecoverableError, Worker, type Job as BullJob } from "bullmq";
import { Redis } from "ioredis";
import type { Capability, Job, Lease } from "@cad-kiosk/schema";
import { AgentStopping, JobCancelled, JobFailure, LeaseLost, abortReason } from "../errors.ts";
import type { LeaseRegistry } from "../leases/registry.ts";
import { fenced } from "../leases/registry.ts";
import { convertJob, removeJobDir, type JobDeps } from "./convert-job.ts";
import { queueName, queuePrefix } from "./names.ts";

export interface ConversionsOptions {
  /** Tries per lease on this agent (network, internal errors). Default 3. */
  attempts: number;
  /** First retry delay, ms (doubles each try, ±50 % jitter). Default 2000. */
  backoffMs: number;
  /** BullMQ lock: a crashed agent's active job counts as stalled after this, ms. Default 10 000. */
  lockDurationMs: number;
  /** How often stalled jobs are looked for, ms. Default 5 000. */
  stalledIntervalMs: number;
}

export const CONVERSIONS_DEFAULTS: ConversionsOptions = { attempts: 3, backoffMs: 2000, lockDurationMs: 10_000, stalledIntervalMs: 5_000 };

/** Unfinished states: what a restarted agent takes back from Redis. */
const UNFINISHED = ["active", "wait", "delayed", "prioritized", "waiting-children"] as const;

export class Conversions {
  readonly #deps: JobDeps;
  readonly #leases: LeaseRegistry;
  readonly #o: ConversionsOptions;
  readonly #queues = new Map<Capability, Queue<Lease>>();
  readonly #workers = new Map<Capability, Worker<Lease>>();
  readonly #running = new Set<string>();
  #redis: Redis | null = null;

  constructor(deps: JobDeps, leases: LeaseRegistry, options: Partial<ConversionsOptions> = {}) {
    this.#deps = deps;
    this.#leases = leases;
    this.#o = { ...CONVERSIONS_DEFAULTS, ...options };
  }

  /** Redis answers and the queues are usable. */
  get ready(): boolean {
    return this.#redis?.status === "ready";
  }

  get running(): number {
    return this.#running.size;
  }

  async start(): Promise<void> {
    const { cfg, log } = this.#deps;
    // Workers need maxRetriesPerRequest: null (BullMQ's requirement): commands wait out a Redis restart.
    const connection = new Redis(cfg.redisUrl, { maxRetriesPerRequest: null, enableReadyCheck: true });
    connection.on("error", (err) => log.warn({ err: err.message }, "redis"));
    this.#redis = connection;
    await connection.ping();
    await this.#checkRedisPolicy(connection);
    const prefix = queuePrefix(cfg.agentId);
    for (const capability of Object.keys(cfg.concurrency) as Capability[]) {
      const concurrency = cfg.concurrency[capability];
      if (concurrency === 0) continue;
      const queue = new Queue<Lease>(queueName(capability), { connection, prefix });
      queue.on("error", (err) => log.warn({ err: err.message, capability }, "queue"));
      this.#queues.set(capability, queue);
      // Leases left in Redis by an earlier life of this agent: hold them again (the keeper renews them).
      for (const job of await queue.getJobs([...UNFINISHED])) {
        if (job?.data) this.#leases.hold(job.data, false);
      }
      const worker = new Worker<Lease>(queueName(capability), (job) => this.#process(job), {
        connection, prefix, concurrency,
        lockDuration: this.#o.lockDurationMs,
        stalledInterval: this.#o.stalledIntervalMs,
        maxStalledCount: 3,
        removeOnComplete: { count: 0 },
        removeOnFail: { count: 0 },
      });
      worker.on("error", (err) => log.warn({ err: err.message, capability }, "worker"));
      worker.on("failed", (job, err) => void this.#onFailedOutside(job, err));
      this.#workers.set(capability, worker);
    }
    const restored = this.#leases.count();
    if (restored) log.info({ restored }, "leases taken back from redis after a restart");
  }

  /** Queue a lease. A lease of a job already queued with an older fence replaces that job's data. */
  async enqueue(lease: Lease): Promise<void> {
    const queue = this.#queues.get(lease.job.capability);
    if (!queue) throw new Error(`no queue for capability ${lease.job.capability}`);
    this.#leases.hold(lease);
    const existing = await queue.getJob(lease.job.id);
    if (existing) {
      const state = await existing.getState();
      if (state === "completed" || state === "failed") {
        await existing.remove();
      } else {
        if ((existing.data?.fence ?? 0) < lease.fence) await existing.updateData(lease);
        return;
      }
    }
    await queue.add("convert", lease, {
      jobId: lease.job.id,
      attempts: this.#o.attempts,
      backoff: { type: "exponential", delay: this.#o.backoffMs, jitter: 0.5 },
      removeOnComplete: true,
      removeOnFail: true,
    });
  }

  /** Jobs waiting in the local queues, per capability. */
  async depth(): Promise<Partial<Record<Capability, number>>> {
    const out: Partial<Record<Capability, number>> = {};
    for (const [cap, q] of this.#queues) {
      const c = await q.getJobCounts("wait", "delayed", "prioritized");
      out[cap] = Object.values(c).reduce((a, b) => a + b, 0);
    }
    return out;
  }

  /** Drop a lease whose job has not started (lost or cancelled while queued). */
  async dropQueued(jobId: string): Promise<boolean> {
    if (this.#running.has(jobId)) return false;
    for (const q of this.#queues.values()) {
      const job = await q.getJob(jobId);
      if (job && (await job.getState()) !== "active") {
        await job.remove().catch(() => undefined);
        return true;
      }
    }
    return false;
  }

  /** Stop taking new jobs from Redis; running ones go on. */
  async pause(): Promise<void> {
    await Promise.all([...this.#workers.values()].map((w) => w.pause(true).catch(() => undefined)));
  }

  async close(): Promise<void> {
    await Promise.all([...this.#workers.values()].map((w) => w.close(true).catch(() => undefined)));
    await Promise.all([...this.#queues.values()].map((q) => q.close().catch(() => undefined)));
    this.#redis?.disconnect();
  }

  async #process(job: BullJob<Lease>): Promise<{ status: Job["status"]; modelId: string | null }> {
    const jobId = job.id!;
    let held = this.#leases.get(jobId);
    if (!held || held.lease.fence < job.data.fence) held = this.#leases.hold(job.data, false);
    const signal = held.controller.signal;
    const log = this.#deps.log.child({ jobId, fence: held.lease.fence, attempt: job.attemptsMade + 1 });
    const t0 = performance.now();
    this.#running.add(jobId);
    try {
      log.info({ capability: held.capability, file: held.lease.drawing.filename, size: held.lease.drawing.size }, "job started");
      const done = await convertJob({ ...this.#deps, log }, () => this.#leases.get(jobId) ?? held, signal);
      this.#deps.metrics.completed.inc({ capability: held.capability });
      this.#deps.metrics.duration.observe({ capability: held.capability, outcome: "completed" }, (performance.now() - t0) / 1000);
      log.info({ status: done.status, modelId: done.modelId, seconds: (performance.now() - t0) / 1000 }, "job completed");
      await this.#finish(jobId);
      return { status: done.status, modelId: done.modelId };
    } catch (err) {
      return await this.#dispose(job, signal.aborted ? abortReason(signal) : err, log);
    } finally {
      this.#running.delete(jobId);
    }
  }

  /** Decide what a failure means (see the module comment). Always throws. */
  async #dispose(job: BullJob<Lease>, err: unknown, log: JobDeps["log"]): Promise<never> {
    const jobId = job.id!;
    const held = this.#leases.get(jobId);
    const capability = job.data.job.capability;
    const { edge, metrics } = this.#deps;
    const tell = async (permanent: boolean, code: string, message: string) => {
      if (!held) return;
      try {
        await edge.fail(fenced(held), { permanent, code, message });
        metrics.failed.inc({ capability, code, permanent: String(permanent) });
      } catch (e) {
        // The lease will expire and the edge requeues the job; nothing is lost.
        log.warn({ err: String(e) }, "could not report the failure to the edge");
      }
    };
    if (err instanceof LeaseLost) {
      metrics.leasesLost.inc();
      log.warn({ reason: err.message }, "lease lost; job dropped");
    } else if (err instanceof JobCancelled) {
      metrics.cancelled.inc();
      await tell(true, "cancelled", "cancelled by staff");
      log.info("job cancelled");
    } else if (err instanceof AgentStopping) {
      metrics.handedBack.inc();
      await tell(false, "agent_shutdown", "the agent shut down before the job finished; it goes back to the queue");
      log.info("job handed back");
    } else if (err instanceof JobFailure && err.permanent) {
      await tell(true, err.code, err.message);
      log.warn({ code: err.code, message: err.message }, "job failed (permanent)");
    } else {
      const code = err instanceof JobFailure ? err.code : "agent_error";
      const message = err instanceof Error ? err.message : String(err);
      if (job.attemptsMade + 1 < (job.opts.attempts ?? 1)) {
        metrics.retried.inc({ capability });
        log.warn({ code, message }, "job attempt failed; retrying");
        throw err instanceof Error ? err : new Error(message);
      }
      await tell(false, code, message);
      log.error({ code, message }, "job failed; handed back to the edge");
    }
    await this.#finish(jobId);
    throw new UnrecoverableError(err instanceof Error ? err.message : String(err));
  }

  /** A job BullMQ failed without our processor (too many stalls): give the lease back. */
  async #onFailedOutside(job: BullJob<Lease> | undefined, err: Error): Promise<void> {
    // Failed attempts of our own processor come here too; only BullMQ's stall limit is ours to handle.
    if (!job?.id || this.#running.has(job.id) || !/stalled more than/.test(err.message)) return;
    const held = this.#leases.get(job.id);
    if (!held) return;
    this.#deps.log.error({ jobId: job.id, err: err.message }, "job failed in the queue; handed back to the edge");
    await this.#deps.edge.fail(fenced(held), { permanent: false, code: "agent_stalled", message: err.message }).catch(() => undefined);
    await this.#finish(job.id);
  }

  async #finish(jobId: string): Promise<void> {
    this.#leases.release(jobId);
    await removeJobDir(this.#deps.cfg.workDir, jobId).catch(() => undefined);
  }

  async #checkRedisPolicy(redis: Redis): Promise<void> {
    let policy: string | undefined;
    try {
      policy = ((await redis.config("GET", "maxmemory-policy")) as [string, string])[1];
    } catch {
      this.#deps.log.warn("cannot read redis maxmemory-policy (CONFIG disabled?); it must be noeviction");
      return;
    }
    if (policy !== "noeviction") {
      throw new Error(`redis maxmemory-policy is ${policy}; BullMQ needs noeviction (else Redis may drop queued jobs)`);
    }
  }
}
