/**
 * Where an upload's bytes live in R2 (binding FILES): whole parts in an R2 multipart upload at the
 * drawing's key, and the unaligned rest (less than one part) in a temporary tail object, rewritten under
 * a new key each time it grows so that a failed write never loses the previous tail.
 */
import type { Env } from "../env.ts";
import type { UploadRow } from "./store.ts";

export const drawingKey = (uploadId: string) => `drawings/${uploadId}`;
export const tailKey = (uploadId: string, offset: number) => `uploads/${uploadId}/tail-${offset}`;

/** Copy the tail object into `into` (from 0); returns its length, checked against what D1 recorded. */
export async function readTail(env: Env, key: string, expected: number, into: Uint8Array): Promise<number> {
  const obj = await env.FILES.get(key);
  if (!obj || obj.size !== expected) {
    throw new Error(`tail object ${key} is missing or has ${obj?.size ?? "no"} bytes, expected ${expected}`);
  }
  let at = 0;
  const reader = obj.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    into.set(value, at);
    at += value.length;
  }
  return at;
}

export const resumeMultipart = (env: Env, row: Pick<UploadRow, "r2Key" | "multipartUploadId">) =>
  env.FILES.resumeMultipartUpload(row.r2Key, row.multipartUploadId!);

/**
 * Throw away every byte of an upload that is not a finished drawing: the multipart (if any) and the
 * tail objects named. Best effort: each step's failure is logged, not thrown, so cleanup always runs on.
 */
export async function discardBytes(
  env: Env,
  row: Pick<UploadRow, "id" | "r2Key" | "multipartUploadId" | "tailKey">,
  extraKeys: (string | null | undefined)[] = [],
): Promise<void> {
  const keys = [row.tailKey, ...extraKeys].filter((k): k is string => !!k);
  await Promise.all([
    row.multipartUploadId
      ? resumeMultipart(env, row).abort().catch((e) => console.warn(`abort multipart of ${row.id}:`, String(e)))
      : undefined,
    keys.length ? env.FILES.delete(keys).catch((e) => console.warn(`delete tails of ${row.id}:`, String(e))) : undefined,
  ]);
}
