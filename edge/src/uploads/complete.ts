/**
 * The last byte has arrived: check the whole file's SHA-256 against the client's declaration, make the
 * bytes a drawing (or find the drawing that already has them), and get its conversion job from
 * `createJobForDrawing` (which reuses an earlier job for the same content and options).
 */
import { eq } from "drizzle-orm";
import type { z } from "zod";
import type { Drawing as DrawingType, FileKind, Job, UploadOptions } from "@cad-kiosk/schema";

type Drawing = z.infer<typeof DrawingType>;
import { ApiError } from "../errors.ts";
import { createJobForDrawing } from "../jobs/create.ts";
import { randomId } from "../lib/ids.ts";
import { db, tables } from "../lib/db.ts";
import type { Env } from "../env.ts";
import { CONTENT_TYPES } from "./sniff.ts";
import { discardBytes } from "./storage.ts";
import { markAborted, type UploadLock, type UploadPart, type UploadRow } from "./store.ts";
import { CHECKSUM_MISMATCH } from "./tus.ts";

export interface UploadResult {
  drawing: Drawing;
  job: Job;
  deduplicated: boolean;
}

export interface Finish {
  row: UploadRow;
  lock: UploadLock;
  sha256: string;
  fileKind: FileKind;
  /** The bytes after the last full part (the whole file when it is smaller than one part). */
  last: Uint8Array;
  /** Every part uploaded so far, in order. */
  parts: UploadPart[];
  multipart: R2MultipartUpload | null;
  /** Tail objects to remove once the drawing exists (or the upload is rejected). */
  staleTails: (string | null)[];
}

type DrawingRow = typeof tables.drawings.$inferSelect;

export const presentDrawing = (d: DrawingRow): Drawing => ({
  id: d.id, sha256: d.sha256, filename: d.filename, size: d.size, fileKind: d.fileKind as FileKind,
  createdAt: d.createdAt,
});

/** The last bytes go in as the last part (or, for a file under one part, as the whole object). */
async function storeWholeFile(env: Env, f: Finish): Promise<void> {
  const { row } = f;
  if (!f.multipart) {
    await env.FILES.put(row.r2Key, f.last, { httpMetadata: { contentType: CONTENT_TYPES[f.fileKind] }, sha256: f.sha256 });
    return;
  }
  try {
    const parts = [...f.parts];
    if (f.last.length) parts.push(await f.multipart.uploadPart(parts.length + 1, f.last));
    await f.multipart.complete(parts);
  } catch (err) {
    // A retry after a completion that got this far but failed later finds the multipart already
    // complete: the object is there, whole.
    const existing = await env.FILES.head(row.r2Key);
    if (existing?.size !== row.length) throw err;
  }
}

export async function completeUpload(env: Env, f: Finish): Promise<{ row: UploadRow; result: UploadResult }> {
  const { row } = f;
  const dropBytes = () => discardBytes(env, { ...row, multipartUploadId: f.multipart?.uploadId ?? null }, f.staleTails);

  if (row.declaredSha256 && row.declaredSha256 !== f.sha256) {
    await dropBytes();
    await markAborted(env, row.id);
    throw new ApiError(CHECKSUM_MISMATCH, "sha256_mismatch",
      `the file's SHA-256 is ${f.sha256} but the upload declared ${row.declaredSha256}; the upload was rejected`);
  }

  const d = db(env);
  let drawing = await d.query.drawings.findFirst({ where: eq(tables.drawings.sha256, f.sha256) });
  if (drawing) {
    // Same bytes already stored: keep that drawing, never write this copy.
    if (drawing.r2Key !== row.r2Key) await dropBytes();
  } else {
    await storeWholeFile(env, f);
    [drawing] = await d.insert(tables.drawings).values({
      id: randomId(12), sha256: f.sha256, filename: row.filename, size: row.length, fileKind: f.fileKind,
      r2Key: row.r2Key, createdBy: row.createdBy,
    }).returning();
    const stale = f.staleTails.filter((k): k is string => !!k);
    if (stale.length) await env.FILES.delete(stale).catch(() => undefined);
  }

  const { job, deduplicated } = await createJobForDrawing(env, {
    drawingId: drawing!.id, sha256: f.sha256, fileKind: f.fileKind,
    options: row.options as UploadOptions, createdBy: row.createdBy,
  });
  const done = await f.lock.write({
    status: "complete", offset: row.length, parts: [], hashState: null, tailKey: null, tailLength: 0,
    fileKind: f.fileKind, drawingId: drawing!.id, jobId: job.id, deduplicated,
    multipartUploadId: f.multipart?.uploadId ?? null,
  }, { release: true });
  return { row: done, result: { drawing: presentDrawing(drawing!), job, deduplicated } };
}
