/** The JSON view of an upload (GET /api/uploads/:id), with its drawing and job once complete. */
import { eq } from "drizzle-orm";
import { z } from "zod";
import { Drawing, FileKind, Job } from "@cad-kiosk/schema";
import { presentJob } from "../jobs/present.ts";
import { db, tables } from "../lib/db.ts";
import type { Env } from "../env.ts";
import { presentDrawing } from "./complete.ts";
import type { UploadRow } from "./store.ts";

export const UploadStatus = z.object({
  id: z.string(),
  status: z.enum(["open", "complete", "aborted"]),
  filename: z.string(),
  offset: z.number().int(),
  length: z.number().int(),
  fileKind: FileKind.nullable(),
  expiresAt: z.number(),
  createdAt: z.number(),
  drawing: Drawing.nullable(),
  job: Job.nullable(),
  /** True when the upload reused an earlier job (same content and options). */
  deduplicated: z.boolean().nullable(),
});
export type UploadStatus = z.infer<typeof UploadStatus>;

export async function presentUpload(env: Env, row: UploadRow): Promise<UploadStatus> {
  const d = db(env);
  const [drawing, job] = await Promise.all([
    row.drawingId ? d.query.drawings.findFirst({ where: eq(tables.drawings.id, row.drawingId) }) : undefined,
    row.jobId ? d.query.jobs.findFirst({ where: eq(tables.jobs.id, row.jobId) }) : undefined,
  ]);
  return {
    id: row.id,
    status: row.status,
    filename: row.filename,
    offset: row.offset,
    length: row.length,
    fileKind: row.fileKind as FileKind | null,
    expiresAt: row.expiresAt,
    createdAt: row.createdAt,
    drawing: drawing ? presentDrawing(drawing) : null,
    job: job ? presentJob(job) : null,
    deduplicated: row.deduplicated ?? null,
  };
}
