/**
 * Resumable uploads, tus 1.0 (core, creation, creation-with-upload, termination, expiration, checksum),
 * at /api/uploads. Standard clients (tus-js-client, Uppy) work unmodified; for aligned R2 parts they
 * should use a chunkSize that is a multiple of `X-Upload-Part-Size`, best `X-Upload-Chunk-Size` (the
 * largest such multiple under the request body limit). Any size works; unaligned bytes are kept in a
 * tail object until the next chunk. The handlers only read headers and answer; the work is
 * in write.ts / receive.ts (bytes), complete.ts (drawing and job) and lifecycle.ts (expiry, termination).
 */
import { Hono, type Context } from "hono";
import { requireStaff } from "../auth/middleware.ts";
import { ApiError, badRequest } from "../errors.ts";
import { randomId } from "../lib/ids.ts";
import { settings, type AppEnv, type Env } from "../env.ts";
import { loadUpload, requireOpen, terminateUpload, expireUpload, gone } from "./lifecycle.ts";
import { readDeclaration } from "./metadata.ts";
import { presentUpload } from "./present.ts";
import type { Received } from "./receive.ts";
import { drawingKey } from "./storage.ts";
import { acquireLock, insertUpload, type UploadRow } from "./store.ts";
import {
  CHECKSUM_ALGORITHMS, CHUNK_SIZE_HEADER, OCTET_STREAM, PART_SIZE_HEADER, TUS_EXTENSIONS, TUS_VERSION, encodeMetadata,
  httpDate, intHeader,
  parseChecksum, requireOctetStream, tusResumable,
} from "./tus.ts";
import { checkBodySize, explainLockRefusal, offsetMismatch, writeBody } from "./write.ts";

type Ctx = Context<AppEnv>;

/** The largest multiple of the part size one request may carry: the chunk size clients should use. */
const recommendedChunk = (part: number, maxRequest: number) => Math.max(1, Math.floor(maxRequest / part)) * part;

/** What the server supports; also on POST answers so a client learns the part size either way. */
export function discoveryHeaders(env: Env): Record<string, string> {
  const s = settings(env);
  return {
    "Tus-Resumable": TUS_VERSION,
    "Tus-Version": TUS_VERSION,
    "Tus-Extension": TUS_EXTENSIONS,
    "Tus-Max-Size": String(s.maxUploadBytes),
    "Tus-Checksum-Algorithm": Object.keys(CHECKSUM_ALGORITHMS).join(","),
    [PART_SIZE_HEADER]: String(s.partBytes),
    [CHUNK_SIZE_HEADER]: String(recommendedChunk(s.partBytes, s.maxRequestBytes)),
  };
}

/** OPTIONS /api/uploads: public discovery (app.ts adds the same headers to the CORS preflight answer). */
export const tusOptions = (c: Ctx) => c.body(null, 204, discoveryHeaders(c.env));

/** Offset, expiry and (once complete) the drawing and job, as headers of a write's answer. */
function progressHeaders(c: Ctx, row: UploadRow): void {
  c.header("Upload-Offset", String(row.offset));
  if (row.status === "open") c.header("Upload-Expires", httpDate(row.expiresAt));
  if (row.drawingId) c.header("X-Drawing-Id", row.drawingId);
  if (row.jobId) c.header("X-Job-Id", row.jobId);
  if (row.deduplicated !== null) c.header("X-Upload-Deduplicated", String(row.deduplicated));
}

/** The metadata given at creation, as HEAD must repeat it (options in canonical JSON). */
function metadataOf(row: UploadRow): string {
  const entries: [string, string][] = [["filename", row.filename]];
  if (row.declaredSha256) entries.push(["sha256", row.declaredSha256]);
  if (row.options && Object.keys(row.options).length) entries.push(["options", JSON.stringify(row.options)]);
  return encodeMetadata(entries);
}

async function create(c: Ctx) {
  const s = settings(c.env);
  if (c.req.header("Upload-Defer-Length") !== undefined) {
    throw badRequest("Upload-Defer-Length is not supported; send Upload-Length");
  }
  const length = intHeader(c.req.header("Upload-Length"), "Upload-Length");
  if (length === null) throw badRequest("Upload-Length is required");
  if (length === 0) throw new ApiError(400, "empty_upload", "an empty file is not a drawing (Upload-Length is 0)");
  if (length > s.maxUploadBytes) {
    throw new ApiError(413, "upload_too_large", `the file is ${length} bytes; at most ${s.maxUploadBytes} are accepted`,
      undefined, { "Tus-Max-Size": String(s.maxUploadBytes) });
  }
  const contentType = c.req.header("Content-Type");
  const withUpload = contentType?.split(";")[0]?.trim().toLowerCase() === OCTET_STREAM;
  const contentLength = intHeader(c.req.header("Content-Length"), "Content-Length");
  if (!withUpload && (contentLength ?? 0) > 0) requireOctetStream(contentType);
  if (withUpload) checkBodySize(c, length);
  const checksum = withUpload ? parseChecksum(c.req.header("Upload-Checksum")) : null;
  const declared = await readDeclaration(c.env, c.req.header("Upload-Metadata"));

  const id = randomId(16);
  const { row, lock } = await insertUpload(c.env, {
    id, createdBy: c.get("principal").tokenId, filename: declared.filename, length, r2Key: drawingKey(id),
    declaredSha256: declared.declaredSha256, options: declared.options, expiresAt: Date.now() + s.uploadTtlMs,
  }, withUpload);
  const latest: Received = lock ? await writeBody(c, row, lock, checksum) : { row, result: null };

  c.header("Location", new URL(`/api/uploads/${id}`, c.req.url).toString());
  for (const [k, v] of Object.entries(discoveryHeaders(c.env))) c.header(k, v);
  progressHeaders(c, latest.row);
  return c.body(null, 201);
}

async function patch(c: Ctx) {
  requireOctetStream(c.req.header("Content-Type"));
  const offset = intHeader(c.req.header("Upload-Offset"), "Upload-Offset");
  if (offset === null) throw badRequest("Upload-Offset is required");
  const checksum = parseChecksum(c.req.header("Upload-Checksum"));
  const id = c.req.param("id")!;
  const row = await loadUpload(c.env, id, c.get("principal"));
  await requireOpen(c.env, row);
  if (row.offset !== offset) throw offsetMismatch(row.offset, offset);
  checkBodySize(c, row.length - offset);

  const locked = await acquireLock(c.env, id, offset);
  if (!locked) return explainLockRefusal(c, id, offset);
  const { row: latest } = await writeBody(c, locked.row, locked.lock, checksum);
  progressHeaders(c, latest);
  return c.body(null, 204);
}

/** HEAD (tus: where to resume) and GET (JSON status with the drawing and job). Hono routes HEAD here. */
async function read(c: Ctx) {
  const row = await loadUpload(c.env, c.req.param("id")!, c.get("principal"));
  const expired = row.status === "open" && row.expiresAt <= Date.now();
  if (expired) await expireUpload(c.env, row);
  if (c.req.method === "GET") {
    return c.json(await presentUpload(c.env, expired ? { ...row, status: "aborted" } : row));
  }
  if (expired || row.status === "aborted") throw gone("this upload was aborted (rejected or expired)");
  c.header("Cache-Control", "no-store");
  c.header("Upload-Length", String(row.length));
  c.header("Upload-Metadata", metadataOf(row));
  progressHeaders(c, row);
  return c.body(null, 200);
}

async function terminate(c: Ctx) {
  const row = await loadUpload(c.env, c.req.param("id")!, c.get("principal"));
  await terminateUpload(c.env, row);
  return c.body(null, 204);
}

/** Every route needs an uploader (or admin); an upload is its creator's (admins may touch any). */
export const uploadRoutes = new Hono<AppEnv>()
  .use(requireStaff("uploader"), tusResumable())
  .post("/", create)
  .get("/:id", read)
  .patch("/:id", patch)
  .delete("/:id", terminate);
