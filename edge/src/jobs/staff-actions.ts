import { eq, inArray, and, sql } from "drizzle-orm";
import { conflict, notFound } from "../errors.ts";
import { db, tables } from "../lib/db.ts";
import type { Env } from "../env.ts";
import { dispatcher } from "./dispatch.ts";
import type { JobRow } from "./present.ts";
import { pushStatus } from "./progress.ts";

const j = tables.jobs;

async function explain(env: Env, jobId: string, what: string): Promise<never> {
  const row = await db(env).query.jobs.findFirst({ where: eq(j.id, jobId) });
  if (!row) throw notFound("job");
  throw conflict(`not_${what}`, `a ${row.status} job cannot be ${what === "cancellable" ? "cancelled" : "retried"}`);
}

/**
 * Cancel: a queued job is cancelled at once; a leased one gets `cancel_requested` (its agent sees it
 * on the next heartbeat and fails, which acknowledges it). Cancelling a cancelled job is a no-op.
 */
export async function cancelJob(env: Env, jobId: string): Promise<JobRow> {
  const now = Date.now();
  const [row] = await db(env)
    .update(j)
    .set({
      status: sql`CASE WHEN ${j.status} = 'queued' THEN 'cancelled' ELSE ${j.status} END`,
      cancelRequested: sql`CASE WHEN ${j.status} = 'leased' THEN 1 ELSE ${j.cancelRequested} END`,
      updatedAt: now,
    })
    .where(and(eq(j.id, jobId), inArray(j.status, ["queued", "leased"])))
    .returning();
  if (row) {
    await pushStatus(env, row);
    return row;
  }
  const current = await db(env).query.jobs.findFirst({ where: eq(j.id, jobId) });
  if (current?.status === "cancelled") return current;
  return explain(env, jobId, "cancellable");
}

/** Retry a failed, dead or cancelled job: queued again with its attempts reset; agents are woken. */
export async function retryJob(env: Env, jobId: string): Promise<JobRow> {
  const [row] = await db(env)
    .update(j)
    .set({
      status: "queued",
      attempts: 0,
      cancelRequested: false,
      leaseOwner: null,
      leaseExpiresAt: null,
      errorCode: null,
      errorMessage: null,
      progressStage: null,
      progressPercent: null,
      progressMessage: null,
      updatedAt: Date.now(),
    })
    .where(and(eq(j.id, jobId), inArray(j.status, ["failed", "dead", "cancelled"])))
    .returning();
  if (!row) return explain(env, jobId, "retryable");
  await dispatcher(env).notify();
  await pushStatus(env, row);
  return row;
}
