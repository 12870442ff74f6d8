/**
 * One write request (PATCH, or POST with creation-with-upload) from the headers to the committed row:
 * size checks, the lock, then `receive`. The work runs under `waitUntil`, so a client that disconnects
 * mid-body still gets the bytes that did arrive committed.
 */
import type { Context } from "hono";
import { ApiError } from "../errors.ts";
import { settings, type AppEnv } from "../env.ts";
import { receive, type Received, type ReceiveOptions } from "./receive.ts";
import { getUpload, type UploadLock, type UploadRow } from "./store.ts";
import { intHeader } from "./tus.ts";
import { requireOpen } from "./lifecycle.ts";

/** Content-Length against the plan's request limit and the bytes the upload still expects. */
export function checkBodySize(c: Context<AppEnv>, remaining: number): void {
  const contentLength = intHeader(c.req.header("Content-Length"), "Content-Length");
  if (contentLength === null) return;
  const { maxRequestBytes, partBytes } = settings(c.env);
  if (contentLength > maxRequestBytes) {
    throw new ApiError(413, "request_too_large",
      `one request may carry at most ${maxRequestBytes} bytes; send the file in chunks (a multiple of ${partBytes} bytes)`);
  }
  if (contentLength > remaining) {
    throw new ApiError(413, "upload_length_exceeded", `the body (${contentLength} bytes) goes past Upload-Length; ${remaining} bytes remain`);
  }
}

/** Why a PATCH could not take the lock: the upload moved on, is being written, or is no longer open. */
export async function explainLockRefusal(c: Context<AppEnv>, id: string, offset: number): Promise<never> {
  const row = await getUpload(c.env, id);
  if (!row) throw new ApiError(404, "upload_not_found", "no such upload (it may have been terminated)");
  await requireOpen(c.env, row);
  if (row.offset !== offset) throw offsetMismatch(row.offset, offset);
  throw new ApiError(423, "upload_locked", "another request is writing this upload; retry when it ends (HEAD gives the offset)");
}

export const offsetMismatch = (actual: number, sent: number) =>
  new ApiError(409, "offset_mismatch", `Upload-Offset ${sent} does not match the upload's offset ${actual}; resume from ${actual}`,
    undefined, { "Upload-Offset": String(actual) });

/** Stream the request body into the locked upload. */
export function writeBody(c: Context<AppEnv>, row: UploadRow, lock: UploadLock, checksum: ReceiveOptions["checksum"]): Promise<Received> {
  const s = settings(c.env);
  const work = receive(c.env, row, lock, c.req.raw.body, { partBytes: s.partBytes, ttlMs: s.uploadTtlMs, checksum });
  try {
    c.executionCtx.waitUntil(work.catch(() => undefined));
  } catch {
    // No execution context (app.request in unit tests): the request itself awaits the work.
  }
  return work;
}
