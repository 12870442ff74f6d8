import { and, asc, eq, inArray, lt, min, or, sql } from "drizzle-orm";
import type { Capability } from "@cad-kiosk/schema";
import { ApiError, notFound } from "../errors.ts";
import { db, tables } from "../lib/db.ts";
import { settings, type Env } from "../env.ts";
import type { JobRow } from "./present.ts";

const j = tables.jobs;

export const staleFence = (message = "this lease is no longer yours (stale fence)") =>
  new ApiError(409, "stale_fence", message);

/**
 * Jobs whose lease expired and that may not go back to the queue: a cancel was requested
 * (→ cancelled) or the attempts are used up (→ dead, last error `lease_expired`).
 */
export function sweepExpired(env: Env, now = Date.now()) {
  return db(env)
    .update(j)
    .set({
      status: sql`CASE WHEN ${j.cancelRequested} THEN 'cancelled' ELSE 'dead' END`,
      errorCode: sql`CASE WHEN ${j.cancelRequested} THEN ${j.errorCode} ELSE 'lease_expired' END`,
      errorMessage: sql`CASE WHEN ${j.cancelRequested} THEN ${j.errorMessage} ELSE 'the agent lost its lease too often' END`,
      leaseOwner: null,
      leaseExpiresAt: null,
      updatedAt: now,
    })
    .where(and(
      eq(j.status, "leased"),
      lt(j.leaseExpiresAt, now),
      or(eq(j.cancelRequested, true), sql`${j.attempts} >= ${j.maxAttempts}`),
    ));
}

/**
 * Queued, or leased with an expired lease that may run again. `status IN (…)` first so the claim
 * index (status, capability, created_at) is used and finished jobs are never scanned.
 */
const claimable = (now: number) =>
  and(
    inArray(j.status, ["queued", "leased"]),
    or(
      eq(j.status, "queued"),
      and(lt(j.leaseExpiresAt, now), lt(j.attempts, j.maxAttempts), eq(j.cancelRequested, false)),
    ),
  );

export interface ClaimAttempt {
  row: JobRow | null;
  /** When the next lease of these capabilities expires (a job may then become claimable). */
  nextExpiry: number | null;
}

/**
 * One claim attempt. The claim itself is ONE statement — UPDATE … WHERE id = (SELECT oldest claimable
 * id) RETURNING * — so of two agents racing for one job exactly one gets a row. It runs in a batch
 * (one transaction) after the expiry sweep and before a look at the next lease expiry.
 */
export async function claimOnce(env: Env, owner: string, caps: Capability[], now = Date.now()): Promise<ClaimAttempt> {
  const d = db(env);
  const pick = d
    .select({ id: j.id })
    .from(j)
    .where(and(claimable(now), inArray(j.capability, caps)))
    .orderBy(asc(j.createdAt), asc(j.id))
    .limit(1);
  const claim = d
    .update(j)
    .set({
      status: "leased",
      fence: sql`${j.fence} + 1`,
      attempts: sql`${j.attempts} + 1`,
      leaseOwner: owner,
      leaseExpiresAt: now + settings(env).leaseMs,
      updatedAt: now,
    })
    .where(eq(j.id, sql`(${pick})`))
    .returning();
  const next = d
    .select({ at: min(j.leaseExpiresAt) })
    .from(j)
    .where(and(eq(j.status, "leased"), inArray(j.capability, caps), lt(j.attempts, j.maxAttempts)));
  const [, claimed, upcoming] = await d.batch([sweepExpired(env, now), claim, next]);
  return { row: claimed[0] ?? null, nextExpiry: upcoming[0]?.at ?? null };
}

/**
 * The job if `owner` holds its lease at `fence`; otherwise 404 (no such job) or 409 stale_fence.
 * A lease that expired but was not taken by anyone else is still honoured: the fence says nobody
 * else has run the job since.
 */
export async function requireLease(env: Env, jobId: string, owner: string, fence: number): Promise<JobRow> {
  const row = await db(env).query.jobs.findFirst({ where: eq(j.id, jobId) });
  return assertLease(row, owner, fence);
}

export function assertLease(row: JobRow | undefined, owner: string, fence: number): JobRow {
  if (!row) throw notFound("job");
  if (row.status !== "leased" || row.fence !== fence || row.leaseOwner !== owner) {
    throw staleFence(
      row.fence !== fence
        ? `fence ${fence} is stale; the job is at fence ${row.fence}`
        : `the job is ${row.status}; this lease is no longer active`,
    );
  }
  return row;
}

/** WHERE clause of a write that only the current lease holder may make. */
export const leaseHeld = (jobId: string, owner: string, fence: number) =>
  and(eq(j.id, jobId), eq(j.fence, fence), eq(j.status, "leased"), eq(j.leaseOwner, owner));
