import type { Job } from "@cad-kiosk/schema";
import type { tables } from "../lib/db.ts";

type JobRow = typeof tables.jobs.$inferSelect;

/** The API view of a job row. */
export function presentJob(row: JobRow): Job {
  return {
    id: row.id,
    drawingId: row.drawingId,
    status: row.status,
    capability: row.capability as Job["capability"],
    options: row.options as Job["options"],
    attempts: row.attempts,
    maxAttempts: row.maxAttempts,
    progress: { stage: row.progressStage, percent: row.progressPercent, message: row.progressMessage },
    error: row.errorCode ? { code: row.errorCode, message: row.errorMessage ?? "" } : null,
    modelId: row.modelId,
    cancelRequested: row.cancelRequested,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
