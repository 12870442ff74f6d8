import { sql } from "drizzle-orm";
import type { z } from "zod";
import type { ProgressEvent } from "@cad-kiosk/schema";
import { db, tables } from "../lib/db.ts";
import { settings, type Env } from "../env.ts";
import { kioskGroup } from "../kiosk/kiosk-group.ts";
import { jobWatch } from "./dispatch.ts";
import { leaseHeld, requireLease, staleFence } from "./lease.ts";
import { presentJob, type JobRow } from "./present.ts";

const j = tables.jobs;

/** A progress event as stored and pushed. */
export interface JobProgress {
  jobId: string;
  stage: string;
  percent: number;
  message: string | null;
  at: number;
}

/** Extend the lease; the answer carries the cancel flag. */
export async function heartbeat(env: Env, jobId: string, owner: string, fence: number) {
  const now = Date.now();
  const [row] = await db(env)
    .update(j)
    .set({ leaseExpiresAt: now + settings(env).leaseMs })
    .where(leaseHeld(jobId, owner, fence))
    .returning({ cancelRequested: j.cancelRequested, leaseExpiresAt: j.leaseExpiresAt });
  if (!row) {
    await requireLease(env, jobId, owner, fence); // throws 404 or stale_fence
    throw staleFence();
  }
  return { cancel: row.cancelRequested, leaseExpiresAt: row.leaseExpiresAt! };
}

/**
 * Store a progress event on the job row and in job_events (one transaction, both only while the lease
 * is held), then push it to the job's watchers and, for a job with a target group, to its kiosks.
 */
export async function recordProgress(
  env: Env,
  jobId: string,
  owner: string,
  input: z.infer<typeof ProgressEvent>,
): Promise<JobProgress> {
  const d = db(env);
  const event: JobProgress = {
    jobId,
    stage: input.stage,
    percent: Math.round(input.percent),
    message: input.message ?? null,
    at: Date.now(),
  };
  const update = d
    .update(j)
    .set({ progressStage: event.stage, progressPercent: event.percent, progressMessage: event.message, updatedAt: event.at })
    .where(leaseHeld(jobId, owner, input.fence))
    .returning({ targetGroupId: j.targetGroupId });
  // drizzle cannot batch raw SQL on D1, so the conditional insert is an INSERT … SELECT builder.
  const insert = d.insert(tables.jobEvents).select(
    // Every column, in table order (drizzle's rule); a NULL id is assigned by AUTOINCREMENT.
    d.select({
      id: sql<number>`NULL`.as("id"),
      jobId: j.id,
      stage: sql<string>`${event.stage}`.as("stage"),
      percent: sql<number>`${event.percent}`.as("percent"),
      message: sql<string | null>`${event.message}`.as("message"),
      at: sql<number>`${event.at}`.as("at"),
    }).from(j).where(leaseHeld(jobId, owner, input.fence)),
  );
  const [updated] = await d.batch([update, insert]);
  const row = updated[0];
  if (!row) {
    await requireLease(env, jobId, owner, input.fence);
    throw staleFence();
  }
  await push(env, jobId, row.targetGroupId, { type: "progress", event });
  return event;
}

/** Tell the job's watchers (and its group's kiosks, for progress) what happened. */
async function push(env: Env, jobId: string, groupId: string | null, message: { type: string; event: JobProgress }) {
  await Promise.all([
    jobWatch(env, jobId).emit(message),
    groupId ? kioskGroup(env, groupId).progress(message.event) : undefined,
  ]);
}

/** A job changed status: watchers get the new job. Never fails the caller. */
export async function pushStatus(env: Env, row: JobRow): Promise<void> {
  try {
    await jobWatch(env, row.id).emit({ type: "status", job: presentJob(row) });
  } catch (err) {
    console.error("job watch push failed:", err instanceof Error ? err.message : String(err));
  }
}
