import { eq } from "drizzle-orm";
import type { Capability, Lease } from "@cad-kiosk/schema";
import { db, tables } from "../lib/db.ts";
import type { Env } from "../env.ts";
import { dispatcher } from "./dispatch.ts";
import { claimOnce } from "./lease.ts";
import { presentDrawing, presentJob, type JobRow } from "./present.ts";

export interface ClaimOptions {
  /** Token id of the agent: becomes `lease_owner`. */
  owner: string;
  /** Capabilities to lease (already intersected with the token's). */
  capabilities: Capability[];
  /** Long-poll budget in milliseconds (0 = one attempt). */
  waitMs: number;
  /** Base URL for `drawingUrl`. */
  baseUrl: string;
  /**
   * The request's signal: a client that went away gets no lease (else the job would sit leased to
   * nobody until the lease expires). workerd fires it only with the `enable_request_signal` flag.
   */
  signal?: AbortSignal;
}

/** Slack after a lease expiry before a waiting claim tries again. */
const EXPIRY_SLACK_MS = 50;

/**
 * Claim a job, long-polling if there is none. The dispatcher's cursor is read BEFORE each attempt and
 * the wait is for "anything after that cursor", so a job created between a failed attempt and the
 * wait still wakes us (no lost wake-ups). Expired leases wake nobody, so a wait never outlasts the
 * next lease expiry of these capabilities.
 */
export async function claimJob(env: Env, opts: ClaimOptions): Promise<Lease | null> {
  const deadline = Date.now() + opts.waitMs;
  const hub = dispatcher(env);
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0 && opts.signal?.aborted) return null;
    const cursor = opts.waitMs > 0 ? await hub.cursor() : null;
    const { row, nextExpiry } = await claimOnce(env, opts.owner, opts.capabilities);
    if (row) return leaseFor(env, row, opts.baseUrl);
    const now = Date.now();
    if (!cursor || now >= deadline) return null;
    const untilExpiry = nextExpiry === null ? Infinity : Math.max(0, nextExpiry - now) + EXPIRY_SLACK_MS;
    await hub.wait(cursor, Math.min(deadline - now, untilExpiry));
  }
}

async function leaseFor(env: Env, row: JobRow, baseUrl: string): Promise<Lease> {
  const drawing = await db(env).query.drawings.findFirst({ where: eq(tables.drawings.id, row.drawingId) });
  if (!drawing) throw new Error(`job ${row.id} has no drawing ${row.drawingId}`);
  return {
    job: presentJob(row),
    fence: row.fence,
    leaseExpiresAt: row.leaseExpiresAt!,
    drawing: presentDrawing(drawing),
    drawingUrl: new URL(`/api/agent/jobs/${row.id}/drawing`, baseUrl).href,
  };
}
