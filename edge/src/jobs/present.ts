import type { Job } from "@cad-kiosk/schema";
import type { tables } from "../lib/db.ts";

export type JobRow = typeof tables.jobs.$inferSelect;
export type DrawingRow = typeof tables.drawings.$inferSelect;
export type ModelRow = typeof tables.models.$inferSelect;

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

/** The API view of a drawing (never its R2 key or uploader). */
export function presentDrawing(row: DrawingRow) {
  return {
    id: row.id,
    sha256: row.sha256,
    filename: row.filename,
    size: row.size,
    fileKind: row.fileKind as "dxf" | "dxf-binary" | "pdf" | "png" | "jpeg",
    createdAt: row.createdAt,
  };
}

/** The API view of a model. */
export function presentModel(row: ModelRow) {
  return {
    id: row.id,
    jobId: row.jobId,
    drawingId: row.drawingId,
    glbSha256: row.glbSha256,
    glbSize: row.glbSize,
    hasReport: row.reportKey !== null,
    hasPreview: row.previewKey !== null,
    stats: row.stats ?? null,
    createdAt: row.createdAt,
  };
}
