/**
 * The on-site agent: one object that owns the roles and their lifecycle.
 *
 *   Poller       long-polls the edge for leases while a slot is free
 *   Conversions  BullMQ queue + worker per capability: each lease is a job, converted by…
 *   ConverterPool  warm `python -m converter serve` processes
 *   LeaseKeeper  renews every held lease from the main thread; stops jobs whose lease is lost or cancelled
 *   OpsServer    /healthz and /metrics
 *
 * start() brings them up in dependency order; stop() is the SIGTERM path: stop leasing, let running jobs
 * finish within the grace period, hand the rest back to the edge, leave no child process.
 */
import { mkdir } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import type { Lease } from "@cad-kiosk/schema";
import { capabilitiesOf, type AgentConfig } from "./config.ts";
import { ConverterPool } from "./converter/pool.ts";
import { EdgeClient } from "./edge/client.ts";
import { withRetry } from "./edge/retry.ts";
import { AgentStopping, JobCancelled } from "./errors.ts";
import { LeaseKeeper } from "./leases/keeper.ts";
import { Poller } from "./leases/poller.ts";
import { LeaseRegistry, fenced, type HeldLease } from "./leases/registry.ts";
import { OpsServer, type Health } from "./ops/http.ts";
import { createLogger, type Logger } from "./ops/log.ts";
import { createMetrics, type Metrics } from "./ops/metrics.ts";
import { CompressPool } from "./queue/compress-thread.ts";
import { Conversions } from "./queue/conversions.ts";

type Status = "created" | "starting" | "running" | "stopping" | "stopped";

export interface AgentParts {
  log?: Logger;
  metrics?: Metrics;
}

export class Agent {
  readonly cfg: AgentConfig;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly leases = new LeaseRegistry();
  readonly edge: EdgeClient;
  readonly pool: ConverterPool;
  readonly conversions: Conversions;
  readonly keeper: LeaseKeeper;
  readonly poller: Poller;
  readonly ops: OpsServer;
  readonly compressors: CompressPool;
  #status: Status = "created";
  /** The port /healthz and /metrics listen on (after start). */
  httpPort = 0;

  constructor(cfg: AgentConfig, parts: AgentParts = {}) {
    this.cfg = cfg;
    this.log = parts.log ?? createLogger(cfg.logLevel, cfg.agentId);
    this.metrics = parts.metrics ?? createMetrics();
    this.edge = new EdgeClient({
      baseUrl: cfg.edgeUrl,
      token: cfg.token,
      timeoutMs: cfg.edgeTimeoutMs,
      onRetry: (what, err, attempt) => {
        this.metrics.edgeRetries.inc();
        this.log.warn({ call: what, attempt, err: String(err) }, "edge call retried");
      },
    });
    const poolSize = Object.values(cfg.concurrency).reduce((a, b) => a + b, 0);
    this.pool = new ConverterPool({
      command: cfg.converter.command,
      size: poolSize,
      recycleJobs: cfg.converter.recycleJobs,
      recycleRssMb: cfg.converter.recycleRssMb,
      workDir: cfg.workDir,
      onRecycle: (reason) => {
        this.metrics.recycled.inc({ reason });
        this.log.info({ reason }, "converter recycled");
      },
    });
    this.compressors = new CompressPool(Math.max(1, Math.min(poolSize, 2)));
    this.conversions = new Conversions(
      { cfg, edge: this.edge, pool: this.pool, log: this.log, metrics: this.metrics, compress: this.compressors.compress },
      this.leases,
    );
    this.keeper = new LeaseKeeper(this.edge, this.leases, this.log, { onAbort: (held, reason) => void this.#onLeaseAborted(held, reason) });
    this.poller = new Poller(this.edge, this.leases, {
      concurrency: cfg.concurrency,
      waitSeconds: 25,
      canAccept: () => this.#status === "running" && this.conversions.ready,
      onLease: (lease) => this.#accept(lease),
    }, this.log);
    this.ops = new OpsServer(this.metrics, () => this.health(), () => this.#refreshGauges());
  }

  get status(): Status {
    return this.#status;
  }

  async start(): Promise<void> {
    if (this.#status !== "created") return;
    this.#status = "starting";
    this.metrics.gpu.set(this.cfg.gpu ? 1 : 0);
    this.log.info({ edge: this.cfg.edgeUrl, capabilities: capabilitiesOf(this.cfg), concurrency: this.cfg.concurrency, gpu: this.cfg.gpu }, "agent starting");
    await mkdir(this.cfg.workDir, { recursive: true });
    this.httpPort = await this.ops.listen(this.cfg.http.port, this.cfg.http.host);
    await Promise.all([this.pool.start(), this.cfg.compress ? this.compressors.start() : undefined]);
    await this.conversions.start();
    this.keeper.start(); // its first tick renews the leases taken back from Redis
    this.#status = "running";
    this.poller.start();
    this.log.info({ httpPort: this.httpPort, pool: this.pool.size }, "agent running");
  }

  /** SIGTERM: stop leasing, finish or hand back within the grace period, stop every child. */
  async stop(graceMs = this.cfg.shutdownGraceMs): Promise<void> {
    if (this.#status === "stopping" || this.#status === "stopped") return;
    this.#status = "stopping";
    this.log.info({ graceMs, running: this.conversions.running, held: this.leases.count() }, "agent stopping");
    await this.poller.stop();
    await this.conversions.pause();
    const deadline = Date.now() + graceMs;
    while (this.conversions.running > 0 && Date.now() < deadline) await sleep(100);
    // Past the deadline: stop what still runs; each job hands itself back (see conversions.ts).
    for (const held of this.leases.all()) held.controller.abort(new AgentStopping("agent shutting down"));
    const hardStop = Date.now() + 15_000;
    while (this.conversions.running > 0 && Date.now() < hardStop) await sleep(50);
    // Leases whose jobs never started go back too.
    await Promise.all(this.leases.all().map((held) => this.#handBack(held)));
    this.keeper.stop();
    await this.conversions.close();
    await this.pool.close();
    await this.compressors.close();
    await this.ops.close();
    this.#status = "stopped";
    this.log.info("agent stopped");
  }

  async health(): Promise<Health> {
    const redis = this.conversions.ready;
    const ok = this.#status === "running" && redis && this.pool.size > 0;
    return {
      ok,
      status: this.#status,
      redis,
      converters: this.pool.size,
      busy: this.pool.busy,
      leases: this.leases.count(),
      gpu: this.cfg.gpu,
    };
  }

  /** A lease from the poller: into the local queue (Redis), or straight back to the edge if that fails. */
  async #accept(lease: Lease): Promise<void> {
    this.metrics.leased.inc({ capability: lease.job.capability });
    this.log.info({ jobId: lease.job.id, fence: lease.fence, capability: lease.job.capability }, "leased");
    try {
      await withRetry(() => this.conversions.enqueue(lease), () => true, { attempts: 4, baseMs: 250, maxMs: 2000 });
    } catch (err) {
      this.log.error({ jobId: lease.job.id, err: String(err) }, "cannot queue the lease; handing it back");
      const held = this.leases.get(lease.job.id);
      if (held) await this.#handBack(held, "agent_queue_unavailable", `the agent could not queue the job: ${err}`);
    }
  }

  /** The keeper saw a lost or cancelled lease. A running job stops by itself; a queued one is dropped here. */
  async #onLeaseAborted(held: HeldLease, reason: Error): Promise<void> {
    const jobId = held.lease.job.id;
    if (!(await this.conversions.dropQueued(jobId))) return;
    if (reason instanceof JobCancelled) {
      await this.edge.fail(fenced(held), { permanent: true, code: "cancelled", message: "cancelled by staff" }).catch(() => undefined);
      this.metrics.cancelled.inc();
    } else {
      this.metrics.leasesLost.inc();
    }
    this.leases.release(jobId);
  }

  async #handBack(held: HeldLease, code = "agent_shutdown", message = "the agent shut down before the job started"): Promise<void> {
    const jobId = held.lease.job.id;
    await this.conversions.dropQueued(jobId).catch(() => false);
    try {
      await this.edge.fail(fenced(held), { permanent: false, code, message }, AbortSignal.timeout(5000));
      this.metrics.handedBack.inc();
    } catch (err) {
      this.log.warn({ jobId, err: String(err) }, "could not hand the job back; its lease will expire");
    }
    this.leases.release(jobId);
  }

  async #refreshGauges(): Promise<void> {
    for (const cap of capabilitiesOf(this.cfg)) this.metrics.leasesHeld.set({ capability: cap }, this.leases.count(cap));
    this.metrics.poolSize.set(this.pool.size);
    this.metrics.poolBusy.set(this.pool.busy);
    if (this.conversions.ready) {
      const depth = await this.conversions.depth().catch(() => ({}));
      for (const [cap, n] of Object.entries(depth)) this.metrics.queueDepth.set({ capability: cap }, n ?? 0);
    }
  }
}
