import { and, eq, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { z } from "zod";
import type { CompleteRequest, FailRequest } from "@cad-kiosk/schema";
import { ApiError, conflict, notFound } from "../errors.ts";
import { randomId } from "../lib/ids.ts";
import { db, tables } from "../lib/db.ts";
import type { Env } from "../env.ts";
import { publishModel } from "../kiosk/publish.ts";
import { dispatcher } from "./dispatch.ts";
import { assertLease, leaseHeld, staleFence } from "./lease.ts";
import type { JobRow } from "./present.ts";
import { pushStatus } from "./progress.ts";

const j = tables.jobs;

/** What complete/fail stored, so a repeat with the same fence gets the same answer. */
export interface Outcome {
  fence: number;
  action: "complete" | "fail";
  status: JobRow["status"];
  at: number;
}

/**
 * A repeat of complete/fail: the same fence as the stored outcome gives back the job (the same answer
 * as the first time); the other action with that fence is a conflict. Null when it is not a repeat.
 */
function replay(row: JobRow, fence: number, action: Outcome["action"]): JobRow | null {
  const outcome = row.outcome as Outcome | null;
  if (!outcome || outcome.fence !== fence) return null;
  if (outcome.action !== action) {
    throw conflict("already_finished", `the job was already finished by ${outcome.action} at fence ${fence}`);
  }
  return row;
}

async function load(env: Env, jobId: string): Promise<JobRow> {
  const row = await db(env).query.jobs.findFirst({ where: eq(j.id, jobId) });
  if (!row) throw notFound("job");
  return row;
}

/** Run a fenced write; when it matched nothing, answer as a repeat or refuse as stale. */
async function finish(
  env: Env,
  jobId: string,
  fence: number,
  action: Outcome["action"],
  write: () => Promise<JobRow | undefined>,
): Promise<{ row: JobRow; first: boolean }> {
  const written = await write();
  if (written) return { row: written, first: true };
  const again = replay(await load(env, jobId), fence, action);
  if (again) return { row: again, first: false };
  throw staleFence();
}

/** The stored outcome; `status` is the job's new status (json_object sees the row before the update). */
const outcomeSql = (fence: number, action: Outcome["action"], status: ReturnType<typeof sql>, now: number) =>
  sql`json_object('fence', ${fence}, 'action', ${action}, 'status', ${status}, 'at', ${now})`;

/**
 * Complete a job: requires its glb artifact. One transaction sets the job succeeded (or cancelled, when
 * a cancel was requested — the agent's completion acknowledges it) and creates the models row
 * (deduplicated by the job's dedup key: an equal model is reused). A target group gets the model
 * published: kiosk_groups.published_model_id and the group's KioskGroup object.
 */
export async function completeJob(
  env: Env,
  jobId: string,
  owner: string,
  input: z.infer<typeof CompleteRequest>,
): Promise<JobRow> {
  const d = db(env);
  const current = await load(env, jobId);
  const again = replay(current, input.fence, "complete");
  if (again) return again;
  assertLease(current, owner, input.fence);
  const glb = await d.query.artifacts.findFirst({
    where: (a, { and, eq }) => and(eq(a.jobId, jobId), eq(a.kind, "glb")),
  });
  if (!glb) throw new ApiError(409, "missing_artifact", "upload the glb artifact before completing the job");

  const now = Date.now();
  const candidate = randomId(12);
  const { row, first } = await finish(env, jobId, input.fence, "complete", async () => {
    const status = sql`CASE WHEN ${j.cancelRequested} THEN 'cancelled' ELSE 'succeeded' END`;
    const update = d
      .update(j)
      .set({
        status,
        modelId: sql`CASE WHEN ${j.cancelRequested} THEN NULL ELSE
          COALESCE((SELECT id FROM ${tables.models} WHERE dedup_key = ${current.dedupKey}), ${candidate}) END`,
        outcome: outcomeSql(input.fence, "complete", status, now),
        leaseExpiresAt: null,
        errorCode: null,
        errorMessage: null,
        updatedAt: now,
      })
      .where(leaseHeld(jobId, owner, input.fence))
      .returning();
    // Runs after the update in the same transaction: only when this call set model_id to the candidate.
    const [g, r, p] = [alias(tables.artifacts, "g"), alias(tables.artifacts, "r"), alias(tables.artifacts, "p")];
    const insertModel = d
      .insert(tables.models)
      .select(
        d.select({
          id: sql<string>`${candidate}`.as("id"),
          jobId: j.id,
          drawingId: j.drawingId,
          dedupKey: j.dedupKey,
          glbKey: g.r2Key,
          glbSha256: g.sha256,
          glbSize: g.size,
          reportKey: r.r2Key,
          previewKey: p.r2Key,
          stats: sql`${input.stats ? JSON.stringify(input.stats) : null}`.as("stats"),
          createdAt: sql<number>`${now}`.as("created_at"),
        })
          .from(j)
          .innerJoin(g, and(eq(g.jobId, j.id), eq(g.kind, "glb")))
          .leftJoin(r, and(eq(r.jobId, j.id), eq(r.kind, "report")))
          .leftJoin(p, and(eq(p.jobId, j.id), eq(p.kind, "preview")))
          .where(and(eq(j.id, jobId), eq(j.fence, input.fence), eq(j.modelId, candidate))),
      )
      .onConflictDoNothing({ target: tables.models.dedupKey });
    const [updated] = await d.batch([update, insertModel]);
    return updated[0];
  });
  if (first) {
    if (row.status === "succeeded" && row.modelId && row.targetGroupId) await publish(env, row.targetGroupId, row.modelId);
    await pushStatus(env, row);
  }
  return row;
}

/** Publish a finished job's model to its target group; the job is done whatever happens here. */
export async function publish(env: Env, groupId: string, modelId: string): Promise<void> {
  try {
    await publishModel(env, groupId, modelId);
  } catch (err) {
    // D1 says what is published once the group exists; kiosks re-read state when they reconnect.
    console.error(`publishing ${modelId} to ${groupId} failed:`, err instanceof Error ? err.message : String(err));
  }
}

/**
 * Fail a job. Permanent (a bad drawing) → failed at once with the converter's message. Retryable →
 * back to the queue (waiting agents are woken) until the attempts are used up, then dead with this
 * last error. A requested cancel turns any failure into the cancel's acknowledgement (cancelled).
 */
export async function failJob(
  env: Env,
  jobId: string,
  owner: string,
  input: z.infer<typeof FailRequest>,
): Promise<JobRow> {
  const now = Date.now();
  const next = sql`CASE
    WHEN ${j.cancelRequested} THEN 'cancelled'
    WHEN ${input.permanent ? 1 : 0} THEN 'failed'
    WHEN ${j.attempts} >= ${j.maxAttempts} THEN 'dead'
    ELSE 'queued' END`;
  const { row, first } = await finish(env, jobId, input.fence, "fail", async () => {
    const [updated] = await db(env)
      .update(j)
      .set({
        status: next,
        outcome: outcomeSql(input.fence, "fail", next, now),
        errorCode: input.code,
        errorMessage: input.message,
        leaseExpiresAt: null,
        updatedAt: now,
      })
      .where(leaseHeld(jobId, owner, input.fence))
      .returning();
    return updated;
  });
  if (first) {
    if (row.status === "queued") await dispatcher(env).notify();
    await pushStatus(env, row);
  }
  return row;
}
