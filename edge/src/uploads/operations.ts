import type { Operation } from "../openapi/operation.ts";
import { UploadStatus } from "./present.ts";

const TUS = "tus 1.0 (Tus-Resumable: 1.0.0 required, else 412)";
const CHUNKS = "Chunks should be a multiple of X-Upload-Part-Size (R2 part size); other sizes work, the unaligned rest waits in a temporary object";

/**
 * Resumable uploads (edge/src/uploads/routes.ts). Errors use the one JSON error shape; tus statuses:
 * 409 offset_mismatch (with Upload-Offset), 423 upload_locked, 410 upload_gone (expired or rejected),
 * 404 upload_not_found (terminated), 413 too large, 415 wrong Content-Type or unsupported file,
 * 460 checksum_mismatch / sha256_mismatch.
 */
export const uploadOperations: Operation[] = [
  { method: "options", path: "/api/uploads", tag: "uploads", auth: "public", status: 204,
    summary: `${TUS} discovery: Tus-Version, Tus-Extension (creation, creation-with-upload, termination, expiration, checksum), Tus-Max-Size, Tus-Checksum-Algorithm, X-Upload-Part-Size` },
  { method: "post", path: "/api/uploads", tag: "uploads", auth: "staff:uploader", status: 201, rawBody: "application/offset+octet-stream",
    summary: `${TUS} create an upload: Upload-Length (1..MAX_UPLOAD_BYTES), Upload-Metadata filename, optional sha256 (hex of the whole file; a mismatch rejects it) and options (JSON UploadOptions; targetGroup must exist). ` +
      "A body (application/offset+octet-stream, at most MAX_REQUEST_BYTES) uploads at once (creation-with-upload). Answers Location, Upload-Offset, Upload-Expires, X-Upload-Part-Size; " +
      "when the body completed the file, also X-Drawing-Id, X-Job-Id and X-Upload-Deduplicated" },
  { method: "head", path: "/api/uploads/{id}", tag: "uploads", auth: "staff:uploader (own upload) or admin",
    summary: `${TUS} where to resume: Upload-Offset, Upload-Length, Upload-Expires; 410 when expired or rejected, 404 when terminated` },
  { method: "patch", path: "/api/uploads/{id}", tag: "uploads", auth: "staff:uploader (own upload) or admin", status: 204, rawBody: "application/offset+octet-stream",
    summary: `${TUS} append bytes at Upload-Offset (optional Upload-Checksum sha1|sha256|md5 of this body). ${CHUNKS}. ` +
      "A broken-off body still advances the offset by what arrived (unless it carried Upload-Checksum). The first bytes must be DXF (ASCII/binary), PDF, PNG or JPEG, else 415 and the upload is aborted. " +
      "The last byte creates the drawing and its job (reused on equal content and options): answered in X-Drawing-Id, X-Job-Id, X-Upload-Deduplicated" },
  { method: "delete", path: "/api/uploads/{id}", tag: "uploads", auth: "staff:uploader (own upload) or admin", status: 204,
    summary: `${TUS} termination: aborts the R2 multipart, deletes the temporary bytes and the upload; later requests get 404. 409 for a complete upload` },
  { method: "get", path: "/api/uploads/{id}", tag: "uploads", auth: "staff:uploader (own upload) or admin", response: UploadStatus,
    summary: "Upload status as JSON: status, offset, length, and once complete the drawing, the job and whether it was deduplicated" },
];
