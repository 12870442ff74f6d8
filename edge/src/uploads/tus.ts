/**
 * The tus 1.0 protocol surface: version, extensions, header names and parsers, and the middleware that
 * checks `Tus-Resumable` and stamps it on every answer. Nothing here touches R2 or D1.
 * Spec: https://tus.io/protocols/resumable-upload
 */
import type { MiddlewareHandler } from "hono";
import { ApiError, badRequest } from "../errors.ts";
import type { AppEnv } from "../env.ts";

export const TUS_VERSION = "1.0.0";
export const TUS_EXTENSIONS = "creation,creation-with-upload,termination,expiration,checksum";
/** Per-request checksums (Upload-Checksum); computed with DigestStream while the body streams. */
export const CHECKSUM_ALGORITHMS = { sha1: "SHA-1", sha256: "SHA-256", md5: "MD5" } as const;
export type ChecksumAlgorithm = keyof typeof CHECKSUM_ALGORITHMS;
export const OCTET_STREAM = "application/offset+octet-stream";
/** Non-tus header: the part size of the R2 multipart behind an upload; chunks should be multiples of it. */
export const PART_SIZE_HEADER = "X-Upload-Part-Size";
/** Non-tus header: the recommended chunk size (largest multiple of the part size under the request limit). */
export const CHUNK_SIZE_HEADER = "X-Upload-Chunk-Size";

/** tus status for a per-request checksum that does not match (checksum extension). */
export const CHECKSUM_MISMATCH = 460 as never;

/** Headers every tus answer carries. */
export const tusHeaders = () => ({ "Tus-Resumable": TUS_VERSION });

/**
 * Refuses requests without `Tus-Resumable: 1.0.0` (412 with `Tus-Version`, as the spec asks) and adds
 * `Tus-Resumable` to every answer, errors included. GET (our JSON status read) is exempt.
 */
export function tusResumable(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const isTus = c.req.method !== "GET";
    if (isTus && c.req.header("Tus-Resumable") !== TUS_VERSION) {
      throw new ApiError(412, "tus_version_unsupported",
        `Tus-Resumable: ${TUS_VERSION} is required (got ${c.req.header("Tus-Resumable") ?? "none"})`,
        undefined, { "Tus-Version": TUS_VERSION, ...tusHeaders() });
    }
    await next();
    if (isTus) c.res.headers.set("Tus-Resumable", TUS_VERSION);
  };
}

/** A non-negative integer header (Upload-Length, Upload-Offset, Content-Length); absent → null. */
export function intHeader(value: string | undefined, name: string): number | null {
  if (value === undefined) return null;
  if (!/^\d{1,16}$/.test(value.trim())) throw badRequest(`${name} must be a non-negative integer`);
  return Number(value.trim());
}

/**
 * `Upload-Metadata`: comma-separated `key base64value` pairs (value optional). Keys must be unique
 * ASCII without spaces or commas.
 */
export function parseMetadata(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header?.trim()) return out;
  for (const pair of header.split(",")) {
    const [key, value, ...rest] = pair.trim().split(" ");
    if (!key || rest.length || !/^[\x21-\x7e]+$/.test(key)) throw badRequest("Upload-Metadata is malformed");
    if (out.has(key)) throw badRequest(`Upload-Metadata repeats key ${key}`);
    out.set(key, value ? decodeBase64Utf8(value, key) : "");
  }
  return out;
}

function decodeBase64Utf8(value: string, key: string): string {
  try {
    const bin = atob(value);
    const bytes = Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw badRequest(`Upload-Metadata value of ${key} is not base64 of UTF-8 text`);
  }
}

/** The inverse of `parseMetadata`: `key base64(UTF-8 value)` pairs. */
export function encodeMetadata(entries: [string, string][]): string {
  const b64 = (v: string) => btoa(Array.from(new TextEncoder().encode(v), (b) => String.fromCharCode(b)).join(""));
  return entries.map(([k, v]) => (v ? `${k} ${b64(v)}` : k)).join(",");
}

/** `Upload-Checksum: <algorithm> <base64 digest>`; unsupported algorithm → 400 (as the spec says). */
export function parseChecksum(header: string | undefined): { algorithm: ChecksumAlgorithm; digest: Uint8Array } | null {
  if (!header) return null;
  const [algorithm, value, ...rest] = header.trim().split(/\s+/);
  if (!algorithm || !value || rest.length) throw badRequest("Upload-Checksum must be '<algorithm> <base64>'");
  if (!(algorithm in CHECKSUM_ALGORITHMS)) {
    throw new ApiError(400, "checksum_algorithm_unsupported",
      `checksum algorithm ${algorithm} is not supported; use one of ${Object.keys(CHECKSUM_ALGORITHMS).join(", ")}`);
  }
  let digest: Uint8Array;
  try {
    digest = Uint8Array.from(atob(value), (ch) => ch.charCodeAt(0));
  } catch {
    throw badRequest("Upload-Checksum digest must be base64");
  }
  return { algorithm: algorithm as ChecksumAlgorithm, digest };
}

/** RFC 9110 date, as `Upload-Expires` wants. */
export const httpDate = (ms: number) => new Date(ms).toUTCString();

/** Content-Type check for bodies that carry upload bytes. */
export function requireOctetStream(contentType: string | undefined): void {
  const type = contentType?.split(";")[0]?.trim().toLowerCase();
  if (type !== OCTET_STREAM) {
    throw new ApiError(415, "unsupported_media_type", `Content-Type must be ${OCTET_STREAM} (got ${type ?? "none"})`);
  }
}
