/**
 * The agent's configuration: environment variables only, validated once at start-up with zod, so a
 * typo in a deployment fails at once with a message naming the variable instead of at the first job.
 */
import { existsSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { z } from "zod";
import type { Capability } from "@cad-kiosk/schema";

const repoRoot = path.resolve(import.meta.dirname, "../..");

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const flag = z.enum(["true", "false", "1", "0", "yes", "no"]).transform((v) => ["true", "1", "yes"].includes(v));

/** Every variable the agent reads, with its default. docker-compose.gpu.yml sets each of them. */
export const AgentEnv = z.object({
  /** Base URL of the edge Worker, e.g. https://cad.example.com. */
  EDGE_URL: z.url({ protocol: /^https?$/ }),
  /** Agent token (`kind: agent`) created by an admin; sent as a bearer token, never logged. */
  AGENT_TOKEN: z.string().min(16, "AGENT_TOKEN looks truncated"),
  /** Redis for BullMQ; must run with maxmemory-policy noeviction (checked at start-up). */
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default("redis://127.0.0.1:6379"),
  /** Names this agent's queues: two agents on one Redis need different ids; a restarted agent reuses its own. */
  AGENT_ID: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "AGENT_ID: letters, digits, _ . - (1–64)")
    .default(hostname().replace(/[^A-Za-z0-9_.-]/g, "-").slice(0, 64) || "agent"),
  /** Jobs converted at once per capability (0 = never lease that capability). */
  AGENT_CONCURRENCY_DXF: int(0, 64).default(2),
  AGENT_CONCURRENCY_PDF_VECTOR: int(0, 64).default(1),
  AGENT_CONCURRENCY_PDF_RASTER: int(0, 64).default(1),
  /** GPU present: `auto` looks for /dev/nvidia0. Reported in /healthz and /metrics; raster jobs are leased either way. */
  AGENT_GPU: z.enum(["auto", "true", "false"]).default("auto"),
  /** Where drawings and models live while a job runs (one folder per job, removed when it ends). */
  AGENT_WORK_DIR: z.string().min(1).default(path.join(repoRoot, ".agent-work")),
  /** The warm converter server; split on spaces. */
  CONVERTER_COMMAND: z.string().min(1).default(`${path.join(repoRoot, "converter/.venv/bin/python")} -m converter serve`),
  /** Converter limits per job; the agent kills a converter that outlives its own limit by 15 s. */
  CONVERTER_TIMEOUT_SECONDS: int(1, 3600).default(300),
  CONVERTER_MEMORY_MB: int(64, 65536).default(4096),
  /** A warm converter is replaced after this many jobs, or when its resident memory passes this. */
  CONVERTER_RECYCLE_JOBS: int(1, 100000).default(50),
  CONVERTER_RECYCLE_RSS_MB: int(64, 65536).default(1536),
  /** Post-process every GLB for kiosks (glTF-Transform: dedup, weld, instancing, quantise, meshopt). */
  AGENT_COMPRESS: flag.default(true),
  /** /healthz and /metrics. */
  AGENT_HTTP_HOST: z.string().default("127.0.0.1"),
  AGENT_HTTP_PORT: int(0, 65535).default(9464),
  /** SIGTERM: active jobs get this long to finish before they are handed back to the edge. */
  SHUTDOWN_GRACE_SECONDS: int(0, 3600).default(30),
  /** Time limit of one small edge call (heartbeat, progress, complete), s; transfers have none. */
  EDGE_TIMEOUT_SECONDS: int(1, 300).default(15),
  /** Progress events to the edge at most this often per job (stage changes always go). */
  PROGRESS_INTERVAL_MS: int(0, 60000).default(500),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});
export type AgentEnv = z.infer<typeof AgentEnv>;

export interface AgentConfig {
  edgeUrl: string;
  token: string;
  edgeTimeoutMs: number;
  redisUrl: string;
  agentId: string;
  concurrency: Record<Capability, number>;
  gpu: boolean;
  workDir: string;
  converter: {
    command: string[];
    timeoutSeconds: number;
    memoryMb: number;
    recycleJobs: number;
    recycleRssMb: number;
  };
  compress: boolean;
  http: { host: string; port: number };
  shutdownGraceMs: number;
  progressIntervalMs: number;
  logLevel: AgentEnv["LOG_LEVEL"];
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Validate the environment; throws ConfigError listing every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env, detectGpu = hasGpu): AgentConfig {
  const defined = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = AgentEnv.safeParse(defined);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "(env)"}: ${i.message}`);
    throw new ConfigError(`invalid agent configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const concurrency = { dxf: e.AGENT_CONCURRENCY_DXF, "pdf-vector": e.AGENT_CONCURRENCY_PDF_VECTOR, "pdf-raster": e.AGENT_CONCURRENCY_PDF_RASTER };
  if (Object.values(concurrency).every((n) => n === 0)) throw new ConfigError("invalid agent configuration: every AGENT_CONCURRENCY_* is 0");
  return {
    edgeUrl: e.EDGE_URL.replace(/\/+$/, ""),
    token: e.AGENT_TOKEN,
    edgeTimeoutMs: e.EDGE_TIMEOUT_SECONDS * 1000,
    redisUrl: e.REDIS_URL,
    agentId: e.AGENT_ID,
    concurrency,
    gpu: e.AGENT_GPU === "auto" ? detectGpu() : e.AGENT_GPU === "true",
    workDir: path.resolve(e.AGENT_WORK_DIR),
    converter: {
      command: e.CONVERTER_COMMAND.trim().split(/\s+/),
      timeoutSeconds: e.CONVERTER_TIMEOUT_SECONDS,
      memoryMb: e.CONVERTER_MEMORY_MB,
      recycleJobs: e.CONVERTER_RECYCLE_JOBS,
      recycleRssMb: e.CONVERTER_RECYCLE_RSS_MB,
    },
    compress: e.AGENT_COMPRESS,
    http: { host: e.AGENT_HTTP_HOST, port: e.AGENT_HTTP_PORT },
    shutdownGraceMs: e.SHUTDOWN_GRACE_SECONDS * 1000,
    progressIntervalMs: e.PROGRESS_INTERVAL_MS,
    logLevel: e.LOG_LEVEL,
  };
}

function hasGpu(): boolean {
  return existsSync("/dev/nvidia0") || existsSync("/proc/driver/nvidia/version");
}

/** Capabilities this agent leases (concurrency above 0). */
export const capabilitiesOf = (cfg: AgentConfig): Capability[] =>
  (Object.keys(cfg.concurrency) as Capability[]).filter((c) => cfg.concurrency[c] > 0);
