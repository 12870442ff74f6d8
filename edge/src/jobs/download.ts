import { ApiError, notFound } from "../errors.ts";

export const IMMUTABLE = "public, max-age=31536000, immutable";

/** A single byte range, inclusive. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Parse a Range header against an object size. Null: no range, or one we ignore (several ranges, other
 * units — the whole object is served, as RFC 9110 allows). A syntactically valid single range that
 * cannot be satisfied throws 416 with `Content-Range: bytes * /size`.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | null {
  if (!header) return null;
  const m = /^bytes=\s*(\d*)-(\d*)\s*$/.exec(header.trim());
  if (!m) {
    if (/^bytes=.*,/.test(header.trim())) return null;
    throw unsatisfiable(size);
  }
  const [, a, b] = m;
  let start: number;
  let end: number;
  if (a === "" && b === "") throw unsatisfiable(size);
  if (a === "") {
    const suffix = Number(b);
    if (suffix === 0) throw unsatisfiable(size);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === "" ? size - 1 : Math.min(Number(b), size - 1);
    if (b !== "" && Number(b) < start) throw unsatisfiable(size);
  }
  if (start >= size || size === 0) throw unsatisfiable(size);
  return { start, end };
}

const unsatisfiable = (size: number) =>
  new ApiError(416, "range_not_satisfiable", "the requested range is outside the object", undefined, {
    "Content-Range": `bytes */${size}`,
  });

/** Does an If-None-Match header match this strong ETag (weak comparison, as for GET)? */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((t) => t.trim().replace(/^W\//, "") === etag);
}

export interface ServeOptions {
  key: string;
  /** Hex SHA-256 of the content: the ETag. */
  sha256: string;
  contentType: string;
  /** Download file name (Content-Disposition), if any. */
  filename?: string;
  cacheControl?: string;
}

/**
 * Serve a content-addressed R2 object: ETag (its SHA-256), If-None-Match → 304, a single Range → 206,
 * HEAD without a body. The content never changes under a key, so it is cacheable forever.
 */
export async function serveObject(bucket: R2Bucket, req: Request, opts: ServeOptions): Promise<Response> {
  const etag = `"${opts.sha256}"`;
  const headers = new Headers({
    ETag: etag,
    "Cache-Control": opts.cacheControl ?? IMMUTABLE,
    "Accept-Ranges": "bytes",
    "Content-Type": opts.contentType,
  });
  if (opts.filename) headers.set("Content-Disposition", `attachment; filename="${opts.filename}"`);
  if (etagMatches(req.headers.get("If-None-Match") ?? undefined, etag)) {
    return new Response(null, { status: 304, headers });
  }
  const head = await bucket.head(opts.key);
  if (!head) throw notFound("file");
  // If-Range with another validator: the client's partial copy is stale, so send everything.
  const ifRange = req.headers.get("If-Range");
  const range = ifRange && ifRange !== etag ? null : parseRange(req.headers.get("Range") ?? undefined, head.size);
  const length = range ? range.end - range.start + 1 : head.size;
  headers.set("Content-Length", String(length));
  if (range) headers.set("Content-Range", `bytes ${range.start}-${range.end}/${head.size}`);
  const status = range ? 206 : 200;
  if (req.method === "HEAD") return new Response(null, { status, headers });
  const obj = await bucket.get(opts.key, range ? { range: { offset: range.start, length } } : undefined);
  if (!obj) throw notFound("file");
  return new Response(obj.body, { status, headers });
}
