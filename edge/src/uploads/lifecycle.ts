/**
 * An upload's life outside the byte stream: who may see it, expiry (lazily on access, and in bulk by
 * `sweepExpiredUploads`, which a cron trigger can call), and termination.
 */
import type { Principal } from "../auth/principal.ts";
import { ApiError } from "../errors.ts";
import type { Env } from "../env.ts";
import { discardBytes } from "./storage.ts";
import { deleteUpload, findExpired, getUpload, markAborted, type UploadRow } from "./store.ts";
import { tusHeaders } from "./tus.ts";

const unknownUpload = () => new ApiError(404, "upload_not_found", "no such upload (it may have been terminated)", undefined, tusHeaders());
export const gone = (why: string) => new ApiError(410, "upload_gone", why, undefined, tusHeaders());

/** The upload, if `who` may touch it: its creator's token, or an admin. */
export async function loadUpload(env: Env, id: string, who: Principal): Promise<UploadRow> {
  const row = await getUpload(env, id);
  if (!row) throw unknownUpload();
  const admin = who.kind === "staff" && who.role === "admin";
  if (!admin && row.createdBy !== who.tokenId) {
    throw new ApiError(403, "forbidden", "this upload belongs to another token", undefined, tusHeaders());
  }
  return row;
}

/** Open and unexpired, or an error that says what it is instead; expiry aborts it on the spot. */
export async function requireOpen(env: Env, row: UploadRow, now = Date.now()): Promise<void> {
  if (row.status === "complete") {
    throw new ApiError(409, "upload_complete", "this upload is complete; read its result with GET", undefined, tusHeaders());
  }
  if (row.status === "aborted") throw gone("this upload was aborted (rejected or expired)");
  if (row.expiresAt <= now) {
    await expireUpload(env, row);
    throw gone("this upload expired before it was finished");
  }
}

/** Abort an expired (or abandoned) upload: R2 bytes go, the row stays marked aborted. */
export async function expireUpload(env: Env, row: UploadRow): Promise<void> {
  await discardBytes(env, row);
  await markAborted(env, row.id);
}

/** tus termination: the bytes and the row go; later requests get 404. */
export async function terminateUpload(env: Env, row: UploadRow): Promise<void> {
  if (row.status === "complete") {
    throw new ApiError(409, "upload_complete", "a complete upload cannot be terminated; its drawing exists", undefined, tusHeaders());
  }
  if (row.status === "open" && row.lockedUntil && row.lockedUntil > Date.now()) {
    throw new ApiError(423, "upload_locked", "a PATCH is writing this upload; try again when it ends", undefined, tusHeaders());
  }
  await discardBytes(env, row);
  await deleteUpload(env, row.id);
}

/**
 * Abort every open upload past its expiry (multipart aborted, tail deleted, row marked aborted).
 * For a cron trigger: `scheduled: (_, env) => sweepExpiredUploads(env)`. Returns how many it aborted.
 */
export async function sweepExpiredUploads(env: Env, opts: { now?: number; limit?: number } = {}): Promise<number> {
  const rows = await findExpired(env, opts.now ?? Date.now(), opts.limit ?? 100);
  for (const row of rows) await expireUpload(env, row);
  return rows.length;
}
