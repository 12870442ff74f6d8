/** Prometheus metrics (prom-client), one registry per agent so tests can run several side by side. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "cad_agent_" });
  const cap = ["capability"] as const;
  return {
    registry,
    leased: new Counter({ name: "cad_agent_jobs_leased_total", help: "Leases received from the edge", labelNames: cap, registers: [registry] }),
    completed: new Counter({ name: "cad_agent_jobs_completed_total", help: "Jobs completed at the edge", labelNames: cap, registers: [registry] }),
    failed: new Counter({
      name: "cad_agent_jobs_failed_total", help: "Jobs reported failed to the edge", labelNames: ["capability", "code", "permanent"], registers: [registry],
    }),
    retried: new Counter({ name: "cad_agent_jobs_retried_total", help: "Job attempts that will be retried here", labelNames: cap, registers: [registry] }),
    leasesLost: new Counter({ name: "cad_agent_leases_lost_total", help: "Leases the edge took back (stale fence)", registers: [registry] }),
    handedBack: new Counter({ name: "cad_agent_jobs_handed_back_total", help: "Jobs given back to the edge on shutdown", registers: [registry] }),
    cancelled: new Counter({ name: "cad_agent_jobs_cancelled_total", help: "Jobs stopped on a staff cancel", registers: [registry] }),
    edgeRetries: new Counter({ name: "cad_agent_edge_retries_total", help: "Edge calls retried after a transient error", registers: [registry] }),
    duration: new Histogram({
      name: "cad_agent_job_duration_seconds", help: "Lease to finish, per outcome", labelNames: ["capability", "outcome"],
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600], registers: [registry],
    }),
    stage: new Histogram({
      name: "cad_agent_stage_duration_seconds", help: "Seconds per job stage", labelNames: ["stage"],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120], registers: [registry],
    }),
    leasesHeld: new Gauge({ name: "cad_agent_leases_held", help: "Leases held now", labelNames: cap, registers: [registry] }),
    queueDepth: new Gauge({ name: "cad_agent_queue_depth", help: "Jobs waiting in the local queue", labelNames: cap, registers: [registry] }),
    poolSize: new Gauge({ name: "cad_agent_converter_pool_size", help: "Warm converter servers", registers: [registry] }),
    poolBusy: new Gauge({ name: "cad_agent_converter_pool_busy", help: "Converter servers running a job", registers: [registry] }),
    recycled: new Counter({ name: "cad_agent_converter_recycled_total", help: "Converter servers replaced", labelNames: ["reason"], registers: [registry] }),
    gpu: new Gauge({ name: "cad_agent_gpu_present", help: "1 when a GPU was found", registers: [registry] }),
    bytesIn: new Counter({ name: "cad_agent_glb_bytes_converted_total", help: "GLB bytes from the converter", registers: [registry] }),
    bytesOut: new Counter({ name: "cad_agent_glb_bytes_published_total", help: "GLB bytes uploaded after compression", registers: [registry] }),
  };
}
