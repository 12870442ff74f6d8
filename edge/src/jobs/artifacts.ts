import { sql } from "drizzle-orm";
import { ApiError } from "../errors.ts";
import { hex, randomId } from "../lib/ids.ts";
import { db, tables } from "../lib/db.ts";
import type { Env } from "../env.ts";
import { leaseHeld, requireLease, staleFence } from "./lease.ts";

export type ArtifactKind = "glb" | "report" | "preview";

/** How each artifact kind is checked and stored. */
export interface ArtifactSpec {
  /** R2 key prefix and extension: `<prefix>/<sha256>.<ext>`. */
  prefix: string;
  ext: string;
  contentType: string;
  /** Largest accepted body, bytes. */
  maxBytes: number;
  /** Leading bytes that must match (checked while streaming). */
  magic?: Uint8Array;
  /** Whole-body check for small kinds (read back from R2 after the stream). */
  parse?: (text: string) => void;
}

export const ARTIFACT_SPECS: Record<ArtifactKind, ArtifactSpec> = {
  glb: { prefix: "models", ext: "glb", contentType: "model/gltf-binary", maxBytes: 100_000_000, magic: new TextEncoder().encode("glTF") },
  report: {
    prefix: "reports", ext: "json", contentType: "application/json", maxBytes: 5 * 1024 * 1024,
    parse: (text) => {
      const value = JSON.parse(text);
      if (!value || typeof value !== "object" || Array.isArray(value)) throw new Error("report must be a JSON object");
    },
  },
  preview: {
    prefix: "previews", ext: "png", contentType: "image/png", maxBytes: 10 * 1024 * 1024,
    magic: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  },
};

export const isArtifactKind = (k: string): k is ArtifactKind => k in ARTIFACT_SPECS;

const invalid = (message: string) => new ApiError(422, "invalid_artifact", message);

export const artifactKey = (kind: ArtifactKind, sha256: string) =>
  `${ARTIFACT_SPECS[kind].prefix}/${sha256}.${ARTIFACT_SPECS[kind].ext}`;

/**
 * Checks the leading bytes (and, for glb, the header's total length) and counts bytes, one chunk at a
 * time; nothing is kept beyond the first 12 bytes.
 */
function checker(spec: ArtifactSpec, length: number) {
  const head = new Uint8Array(12);
  let seen = 0;
  const isGlb = spec === ARTIFACT_SPECS.glb;
  return {
    chunk(chunk: Uint8Array) {
      if (seen < head.length) head.set(chunk.subarray(0, head.length - seen), seen);
      const before = seen;
      seen += chunk.byteLength;
      if (seen > length) throw invalid("body is longer than its Content-Length");
      if (spec.magic && before < spec.magic.length && seen >= spec.magic.length) {
        if (!spec.magic.every((b, i) => head[i] === b)) throw invalid(`not a ${spec.ext.toUpperCase()} file (bad magic bytes)`);
      }
      if (isGlb && before < 12 && seen >= 12) {
        const view = new DataView(head.buffer);
        if (view.getUint32(4, true) !== 2) throw invalid("only glTF 2.0 binaries are accepted");
        if (view.getUint32(8, true) !== length) throw invalid("GLB header length does not match the body");
      }
    },
    end() {
      if (seen !== length) throw invalid("body is shorter than its Content-Length");
      if ((spec.magic && seen < spec.magic.length) || (isGlb && seen < 12)) throw invalid(`${spec.ext.toUpperCase()} file too short`);
    },
  };
}

/**
 * Pump the body into R2 at `key` through the checker and a SHA-256 digest, chunk by chunk, with
 * backpressure from R2. A failed check aborts the write and cancels the body. Returns the hex digest.
 */
async function pump(bucket: R2Bucket, key: string, spec: ArtifactSpec, length: number, body: ReadableStream<Uint8Array>) {
  const check = checker(spec, length);
  const digest = new crypto.DigestStream("SHA-256");
  const hash = digest.getWriter();
  const sink = new FixedLengthStream(length);
  const out = sink.writable.getWriter();
  const stored = bucket.put(key, sink.readable, { httpMetadata: { contentType: spec.contentType } });
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      check.chunk(value);
      await Promise.all([hash.write(value), out.write(value)]);
    }
    check.end();
    await Promise.all([hash.close(), out.close()]);
  } catch (err) {
    await out.abort(err).catch(() => {});
    await reader.cancel().catch(() => {});
    await stored.catch(() => {});
    throw err instanceof ApiError ? err : invalid(`upload failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  await stored;
  return hex(await digest.digest);
}

export interface StoredArtifact {
  kind: ArtifactKind;
  sha256: string;
  size: number;
  key: string;
}

/**
 * Stream an artifact into R2 under its content address. The SHA-256 is only known at the end, so the
 * bytes go to a temporary key first (hashed and checked on the way) and are then streamed to
 * `<prefix>/<sha256>.<ext>` unless that object already exists; the temporary object is deleted.
 * Only the current lease holder may upload; the artifacts row is written under the same fence check.
 */
export async function storeArtifact(
  env: Env,
  args: { jobId: string; owner: string; fence: number; kind: ArtifactKind; length: number; body: ReadableStream<Uint8Array> },
): Promise<StoredArtifact> {
  const spec = ARTIFACT_SPECS[args.kind];
  if (args.length > spec.maxBytes) {
    throw new ApiError(413, "too_large", `${args.kind} artifacts are limited to ${spec.maxBytes} bytes`);
  }
  await requireLease(env, args.jobId, args.owner, args.fence);
  if (args.length <= BUFFERED_MAX_BYTES) return storeBuffered(env, args, spec);

  const temp = `tmp/artifacts/${args.jobId}/${randomId(9)}`;
  try {
    const sha256 = await pump(env.FILES, temp, spec, args.length, args.body);
    if (spec.parse) {
      const obj = await env.FILES.get(temp);
      try {
        spec.parse(await obj!.text());
      } catch (err) {
        throw invalid(`invalid ${args.kind}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    const key = artifactKey(args.kind, sha256);
    if (!(await env.FILES.head(key))) {
      const obj = await env.FILES.get(temp);
      await env.FILES.put(key, obj!.body, { httpMetadata: { contentType: spec.contentType }, sha256 });
    }
    await recordArtifact(env, args, { kind: args.kind, sha256, size: args.length, key });
    return { kind: args.kind, sha256, size: args.length, key };
  } finally {
    await env.FILES.delete(temp);
  }
}

/**
 * Artifacts up to this size (reports, previews, most kiosk GLBs) are checked and hashed in memory and
 * written once, straight to their content address: no temporary object, no copy, no read-back.
 */
const BUFFERED_MAX_BYTES = 8 * 1024 * 1024;

async function storeBuffered(
  env: Env,
  args: { jobId: string; owner: string; fence: number; kind: ArtifactKind; length: number; body: ReadableStream<Uint8Array> },
  spec: ArtifactSpec,
): Promise<StoredArtifact> {
  const check = checker(spec, args.length);
  const bytes = new Uint8Array(args.length);
  let at = 0;
  const reader = args.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      check.chunk(value);
      bytes.set(value, at);
      at += value.byteLength;
    }
    check.end();
  } catch (err) {
    await reader.cancel().catch(() => {});
    throw err instanceof ApiError ? err : invalid(`upload failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (spec.parse) {
    try {
      spec.parse(new TextDecoder().decode(bytes));
    } catch (err) {
      throw invalid(`invalid ${args.kind}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const sha256 = hex(await crypto.subtle.digest("SHA-256", bytes));
  const key = artifactKey(args.kind, sha256);
  if (!(await env.FILES.head(key))) {
    await env.FILES.put(key, bytes, { httpMetadata: { contentType: spec.contentType }, sha256 });
  }
  const stored = { kind: args.kind, sha256, size: args.length, key };
  await recordArtifact(env, args, stored);
  return stored;
}

/** Upsert the job's artifact of this kind, only while the lease is still held at this fence. */
async function recordArtifact(env: Env, lease: { jobId: string; owner: string; fence: number }, a: StoredArtifact) {
  const a_ = tables.artifacts;
  const result = await db(env).run(sql`
    INSERT INTO ${a_} (job_id, kind, r2_key, sha256, size, created_at)
    SELECT ${lease.jobId}, ${a.kind}, ${a.key}, ${a.sha256}, ${a.size}, ${Date.now()}
    FROM ${tables.jobs} WHERE ${leaseHeld(lease.jobId, lease.owner, lease.fence)}
    ON CONFLICT (job_id, kind) DO UPDATE SET
      r2_key = excluded.r2_key, sha256 = excluded.sha256, size = excluded.size, created_at = excluded.created_at`);
  if (!result.meta.changes) throw staleFence();
}
