/**
 * The body of a PATCH (or of a creation-with-upload POST), streamed into R2 in fixed-size parts.
 *
 * Bytes are copied into a part-sized buffer while they are hashed (the file's running SHA-256, and the
 * request's own checksum when the client sent Upload-Checksum). A full buffer becomes the next R2
 * multipart part while the next buffer fills, so at most two parts are in memory whatever the file
 * size. What is left when the body ends (or breaks off) and does not fill a part is kept as a tail
 * object, so the offset advances by every byte received. Without a per-request checksum, written parts
 * are committed every few seconds and at the end; with one, nothing is committed until the whole
 * request is verified.
 */
import type { FileKind } from "@cad-kiosk/schema";
import { ApiError } from "../errors.ts";
import type { Env } from "../env.ts";
import { byteChunks } from "./body.ts";
import { completeUpload, type UploadResult } from "./complete.ts";
import { Sha256 } from "./sha256.ts";
import { CONTENT_TYPES, SNIFF_BYTES, sniff } from "./sniff.ts";
import { discardBytes, readTail, resumeMultipart, tailKey } from "./storage.ts";
import { markAborted, type Progress, type UploadLock, type UploadPart, type UploadRow } from "./store.ts";
import { CHECKSUM_ALGORITHMS, CHECKSUM_MISMATCH, type ChecksumAlgorithm } from "./tus.ts";

/** How often a long request commits the parts it has written (a crash loses at most this much). */
const COMMIT_EVERY_MS = 5_000;

export interface ReceiveOptions {
  /** R2 part size; every part but the last has exactly this many bytes. */
  partBytes: number;
  /** Each commit pushes the upload's expiry this far ahead. */
  ttlMs: number;
  /** The request's Upload-Checksum, if any. */
  checksum: { algorithm: ChecksumAlgorithm; digest: Uint8Array } | null;
}

export interface Received {
  row: UploadRow;
  /** Set when this request delivered the last byte. */
  result: UploadResult | null;
}

/** D1 stores an ArrayBuffer as a BLOB (the column's Buffer type is only how drizzle reads it back). */
const blob = (bytes: Uint8Array) => bytes.slice().buffer as unknown as UploadRow["hashState"];

export const unsupportedFile = () =>
  new ApiError(415, "unsupported_file_type",
    "the file is not a DXF (ASCII or binary), PDF, PNG or JPEG; the upload was aborted");

/** Stream `body` into the locked upload `row`. The lock is released (or lost) when this settles. */
export function receive(env: Env, row: UploadRow, lock: UploadLock, body: ReadableStream<Uint8Array> | null,
  opts: ReceiveOptions): Promise<Received> {
  return new PartWriter(env, row, lock, opts).run(body);
}

class PartWriter {
  readonly #P: number;
  /** The upload as last committed. */
  #row: UploadRow;
  /** Parts uploaded (committed or not), in order. */
  readonly #parts: UploadPart[];
  readonly #hash: Sha256;
  #fileKind: FileKind | null;
  #multipart: R2MultipartUpload | null = null;
  #digest: { stream: DigestStream; writer: WritableStreamDefaultWriter<Uint8Array> } | null = null;

  /** The part being filled, and the one whose upload may still be in flight. */
  #buf: Uint8Array | null = null;
  #spare: Uint8Array | null = null;
  /** File offset where #buf starts, bytes in it, and how many it will take. */
  #base: number;
  #fill = 0;
  #cap = 0;
  #received = 0;
  #flushing: Promise<void> = Promise.resolve();
  #committedAt = Date.now();
  /** A tail written by this request but not yet committed (deleted if the request fails). */
  #newTail: string | null = null;

  constructor(private readonly env: Env, row: UploadRow, private readonly lock: UploadLock,
    private readonly opts: ReceiveOptions) {
    this.#P = opts.partBytes;
    this.#row = row;
    this.#parts = [...row.parts];
    this.#base = row.parts.length * this.#P;
    this.#hash = row.hashState ? Sha256.importState(new Uint8Array(row.hashState)) : new Sha256();
    this.#fileKind = row.fileKind as FileKind | null;
    if (opts.checksum) {
      const stream = new crypto.DigestStream(CHECKSUM_ALGORITHMS[opts.checksum.algorithm]);
      stream.digest.catch(() => undefined); // rejects when the request fails and the stream is aborted
      this.#digest = { stream, writer: stream.getWriter() };
    }
  }

  get #offset() {
    return this.#buf ? this.#base + this.#fill : this.#row.offset;
  }

  async run(body: ReadableStream<Uint8Array> | null): Promise<Received> {
    let interrupted: unknown = null;
    try {
      if (body) {
        const chunks = byteChunks(body);
        for (;;) {
          let chunk: IteratorResult<Uint8Array>;
          try {
            chunk = await chunks.next();
          } catch (err) {
            interrupted = err;
            break;
          }
          if (chunk.done) break;
          await this.#accept(chunk.value);
        }
      }
      if (this.#received === 0) {
        await this.lock.release();
        return { row: { ...this.#row, lockedUntil: null }, result: null };
      }
      if (this.#digest) {
        if (interrupted) {
          throw new ApiError(400, "body_interrupted", "the request body broke off; with Upload-Checksum nothing of it was kept");
        }
        await this.#verifyChecksum();
      }
      await this.#flushing;
      if (this.#offset === this.#row.length) return await this.#complete();
      const row = await this.#saveTail();
      if (interrupted) {
        throw new ApiError(400, "body_interrupted",
          `the request body broke off; the ${this.#received} bytes received were kept, resume at Upload-Offset`,
          undefined, { "Upload-Offset": String(row.offset) });
      }
      return { row, result: null };
    } catch (err) {
      await this.#fail(err);
      throw err;
    }
  }

  async #accept(chunk: Uint8Array): Promise<void> {
    if (!this.#buf) await this.#start();
    if (chunk.length > this.#row.length - this.#offset) {
      throw new ApiError(413, "upload_length_exceeded", `the body goes past Upload-Length (${this.#row.length} bytes)`);
    }
    this.#received += chunk.length;
    for (let i = 0; i < chunk.length;) {
      const take = Math.min(this.#cap - this.#fill, chunk.length - i);
      const slice = chunk.subarray(i, i + take);
      this.#buf!.set(slice, this.#fill);
      this.#hash.update(slice);
      this.#fill += take;
      i += take;
      if (!this.#fileKind) this.#sniff();
      if (this.#fill === this.#cap && this.#offset < this.#row.length) await this.#flushPart();
    }
    if (this.#digest) await this.#digest.writer.write(chunk.slice()); // the chunk's buffer is reused
    if (this.lock.dueForRenewal) this.#row = await this.lock.renew();
  }

  /** First bytes of this request: a buffer for the current part, beginning with the stored tail. */
  async #start(): Promise<void> {
    this.#cap = Math.min(this.#P, this.#row.length - this.#base);
    this.#buf = new Uint8Array(this.#cap);
    if (this.#row.tailKey && this.#row.tailLength > 0) {
      this.#fill = await readTail(this.env, this.#row.tailKey, this.#row.tailLength, this.#buf);
    }
  }

  #sniff(): void {
    const need = Math.min(SNIFF_BYTES, this.#row.length);
    if (this.#base + this.#fill < need) return;
    const kind = sniff(this.#buf!.subarray(0, need));
    if (!kind) throw unsupportedFile();
    this.#fileKind = kind;
  }

  /** #buf is a full part: upload it in the background and fill the other buffer meanwhile. */
  async #flushPart(): Promise<void> {
    const part = this.#buf!;
    const partNumber = this.#base / this.#P + 1;
    const boundary = { offset: this.#base + this.#cap, hashState: this.#hash.exportState() };
    await this.#flushing;
    this.#flushing = this.#uploadPart(partNumber, part, boundary);
    this.#flushing.catch(() => undefined); // awaited later; never an unhandled rejection
    this.#buf = this.#spare ?? new Uint8Array(this.#P);
    this.#spare = part;
    this.#base += this.#cap;
    this.#fill = 0;
    this.#cap = Math.min(this.#P, this.#row.length - this.#base);
  }

  async #uploadPart(partNumber: number, bytes: Uint8Array, boundary: { offset: number; hashState: Uint8Array }) {
    const mp = await this.#ensureMultipart();
    const { etag } = await mp.uploadPart(partNumber, bytes);
    this.#parts.push({ partNumber, etag });
    // Nothing is kept until the request's checksum is verified; otherwise progress is committed every
    // few seconds (the end of the request commits the rest, even when the client went away).
    if (this.#digest || Date.now() - this.#committedAt < COMMIT_EVERY_MS) return;
    const staleTail = this.#row.tailKey;
    this.#row = await this.lock.write(this.#progress({
      offset: boundary.offset, hashState: blob(boundary.hashState), tailKey: null, tailLength: 0,
    }), { fromOffset: this.#row.offset });
    this.#committedAt = Date.now();
    if (staleTail) await this.env.FILES.delete(staleTail).catch(() => undefined);
  }

  async #ensureMultipart(): Promise<R2MultipartUpload> {
    if (this.#multipart) return this.#multipart;
    if (this.#row.multipartUploadId) return (this.#multipart = resumeMultipart(this.env, this.#row));
    this.#multipart = await this.env.FILES.createMultipartUpload(this.#row.r2Key, {
      httpMetadata: { contentType: CONTENT_TYPES[this.#fileKind!] },
      customMetadata: { uploadId: this.#row.id },
    });
    // Recorded at once, so the multipart can be aborted even if this request dies.
    this.#row = await this.lock.write({ multipartUploadId: this.#multipart.uploadId });
    return this.#multipart;
  }

  #progress(change: Progress): Progress {
    return {
      parts: [...this.#parts], fileKind: this.#fileKind, expiresAt: Date.now() + this.opts.ttlMs,
      multipartUploadId: this.#multipart?.uploadId ?? this.#row.multipartUploadId, ...change,
    };
  }

  async #verifyChecksum(): Promise<void> {
    const { stream, writer } = this.#digest!;
    await writer.close();
    const got = new Uint8Array(await stream.digest);
    const want = this.opts.checksum!.digest;
    if (got.length !== want.length || got.some((b, i) => b !== want[i])) {
      throw new ApiError(CHECKSUM_MISMATCH, "checksum_mismatch",
        `Upload-Checksum (${this.opts.checksum!.algorithm}) does not match the body; the chunk was discarded`);
    }
  }

  /** The body ended short of the file's end: keep the unaligned rest as a tail object, then commit. */
  async #saveTail(): Promise<UploadRow> {
    const staleTail = this.#row.tailKey;
    let key: string | null = null;
    if (this.#fill > 0) {
      key = this.#newTail = tailKey(this.#row.id, this.#offset);
      await this.env.FILES.put(key, this.#buf!.subarray(0, this.#fill));
    }
    this.#row = await this.lock.write(this.#progress({
      offset: this.#offset, hashState: blob(this.#hash.exportState()), tailKey: key, tailLength: this.#fill,
    }), { fromOffset: this.#row.offset, release: true });
    this.#newTail = null;
    if (staleTail && staleTail !== key) await this.env.FILES.delete(staleTail).catch(() => undefined);
    return this.#row;
  }

  async #complete(): Promise<Received> {
    if (!this.#fileKind) throw unsupportedFile();
    const needsMultipart = this.#parts.length > 0 || this.#row.multipartUploadId;
    const { row, result } = await completeUpload(this.env, {
      row: this.#row, lock: this.lock, sha256: this.#hash.hex(), fileKind: this.#fileKind,
      last: this.#buf!.subarray(0, this.#fill), parts: this.#parts,
      multipart: needsMultipart ? await this.#ensureMultipart() : null,
      staleTails: [this.#row.tailKey],
    });
    return { row, result };
  }

  /** Undo what this request left half-done; an unsupported file aborts the whole upload. */
  async #fail(err: unknown): Promise<void> {
    await this.#flushing.catch(() => undefined);
    this.#digest?.writer.abort().catch(() => undefined);
    if (this.#newTail) await this.env.FILES.delete(this.#newTail).catch(() => undefined);
    if (err instanceof ApiError && err.code === "unsupported_file_type") {
      await discardBytes(this.env, { ...this.#row, multipartUploadId: this.#multipart?.uploadId ?? this.#row.multipartUploadId });
      await markAborted(this.env, this.#row.id);
      return;
    }
    await this.lock.release();
  }
}
