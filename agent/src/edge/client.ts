/**
 * The edge's agent protocol (schema/src/api.ts), one method per route. Every answer is parsed with the
 * shared zod types; failures become EdgeError (status, code) or LeaseLost, and transient ones
 * (network, timeout, 5xx, 429) are retried with backoff here, so callers see only final outcomes.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { readFile, rename, stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  Artifact, HeartbeatResponse, JobOutcome, Lease,
  type ArtifactKind, type Capability, type Job,
} from "@cad-kiosk/schema";
import type { z } from "zod";
import { JobFailure, LeaseLost } from "../errors.ts";
import { withRetry, type RetryOptions } from "./retry.ts";

/** A non-2xx answer of the edge, with its error code. */
export class EdgeError extends Error {
  override name = "EdgeError";
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(`edge ${status} ${code}: ${message}`);
    this.status = status;
    this.code = code;
  }
}

/** Worth another try: the network, a timeout, or the edge being briefly unwell. */
export function isTransient(err: unknown): boolean {
  if (err instanceof EdgeError) return err.status >= 500 || err.status === 429 || err.status === 408;
  if (err instanceof LeaseLost || err instanceof JobFailure) return false;
  if (err instanceof Error && (err.name === "AbortError" || err.name === "TimeoutError")) return err.name === "TimeoutError";
  // fetch() reports a failed connection as TypeError ("fetch failed", "terminated"); streams as ECONN…/UND_ERR_….
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? "";
  return err instanceof TypeError || /^(ECONN|EPIPE|ETIMEDOUT|EAI_AGAIN|UND_ERR_)/.test(code);
}

export interface EdgeClientOptions {
  baseUrl: string;
  token: string;
  /** Per-request timeout for small JSON calls, ms. Default 15 000. */
  timeoutMs?: number;
  retry?: Partial<RetryOptions>;
  /** A retry happened (for metrics and logs). */
  onRetry?: (what: string, err: unknown, attempt: number) => void;
}

type Fenced = { jobId: string; fence: number };

/** Artifacts up to this size are sent from memory. */
const SMALL_BODY = 8 * 1024 * 1024;

export class EdgeClient {
  readonly baseUrl: string;
  readonly #token: string;
  readonly #timeoutMs: number;
  readonly #retry: Partial<RetryOptions>;
  readonly #onRetry?: EdgeClientOptions["onRetry"];

  constructor(opts: EdgeClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, "");
    this.#token = opts.token;
    this.#timeoutMs = opts.timeoutMs ?? 15_000;
    this.#retry = opts.retry ?? {};
    this.#onRetry = opts.onRetry;
  }

  /** Long-poll for a lease; null when none came within `waitSeconds`. Not retried: the poller loops. */
  async claim(capabilities: Capability[], waitSeconds: number, signal?: AbortSignal): Promise<Lease | null> {
    const res = await this.#fetch("/api/agent/claim", {
      method: "POST",
      body: JSON.stringify({ capabilities, waitSeconds }),
      signal,
      timeoutMs: waitSeconds * 1000 + this.#timeoutMs,
    });
    if (res.status === 204) return null;
    return Lease.parse(await res.json());
  }

  /** Renew the lease; the answer says whether staff asked to cancel. */
  heartbeat(l: Fenced, signal?: AbortSignal): Promise<z.infer<typeof HeartbeatResponse>> {
    return this.#call("heartbeat", l, signal, async () =>
      HeartbeatResponse.parse(await this.#post(`/api/agent/jobs/${l.jobId}/heartbeat`, { fence: l.fence }, l, signal)));
  }

  progress(l: Fenced, stage: string, percent: number, message?: string, signal?: AbortSignal): Promise<void> {
    const body = { fence: l.fence, stage, percent: Math.max(0, Math.min(100, percent)), ...(message ? { message: message.slice(0, 1000) } : {}) };
    return this.#call("progress", l, signal, async () => void (await this.#post(`/api/agent/jobs/${l.jobId}/progress`, body, l, signal)));
  }

  complete(l: Fenced, stats: Record<string, unknown>, signal?: AbortSignal): Promise<Job> {
    return this.#call("complete", l, signal, async () =>
      JobOutcome.parse(await this.#post(`/api/agent/jobs/${l.jobId}/complete`, { fence: l.fence, stats }, l, signal)).job);
  }

  fail(l: Fenced, failure: { permanent: boolean; code: string; message: string }, signal?: AbortSignal): Promise<Job> {
    const body = { fence: l.fence, permanent: failure.permanent, code: failure.code.slice(0, 64), message: failure.message.slice(0, 4000) };
    return this.#call("fail", l, signal, async () =>
      JobOutcome.parse(await this.#post(`/api/agent/jobs/${l.jobId}/fail`, body, l, signal)).job);
  }

  /**
   * Stream the drawing to `dest`, checking its SHA-256. A partial `dest.part` left by an interrupted
   * try is resumed with a Range request. A file already complete (a restart after the download) is
   * only re-hashed. Throws JobFailure `drawing_corrupt` (retryable) on a hash mismatch.
   */
  async download(lease: Lease, dest: string, signal?: AbortSignal): Promise<{ bytes: number; resumedFrom: number }> {
    const l = { jobId: lease.job.id, fence: lease.fence };
    if ((await sizeOf(dest)) === lease.drawing.size && (await sha256File(dest)) === lease.drawing.sha256) {
      return { bytes: lease.drawing.size, resumedFrom: lease.drawing.size };
    }
    return this.#call("download", l, signal, async () => {
      const part = `${dest}.part`;
      let have = Math.max(0, await sizeOf(part));
      if (have >= lease.drawing.size) have = 0;
      const headers: Record<string, string> = have > 0 ? { Range: `bytes=${have}-` } : {};
      const res = await this.#fetch(new URL(lease.drawingUrl).pathname, { headers, signal, lease: l, timeoutMs: null });
      if (res.status !== 206) have = 0;
      const digest = createHash("sha256");
      if (have > 0) for await (const chunk of createReadStream(part, { end: have - 1 })) digest.update(chunk as Buffer);
      const sink = createWriteStream(part, { flags: have > 0 ? "a" : "w" });
      const body = Readable.fromWeb(res.body as import("node:stream/web").ReadableStream<Uint8Array>);
      body.on("data", (chunk: Buffer) => digest.update(chunk));
      await pipeline(body, sink, { signal });
      const got = digest.digest("hex");
      const size = await sizeOf(part);
      if (size !== lease.drawing.size || got !== lease.drawing.sha256) {
        await rename(part, `${dest}.bad`).catch(() => undefined);
        throw new JobFailure("drawing_corrupt", `downloaded drawing does not match the upload (size ${size}, sha256 ${got.slice(0, 12)}…)`, false);
      }
      await rename(part, dest);
      return { bytes: size, resumedFrom: have };
    });
  }

  /** Stream a file as an artifact (Content-Length set, no chunked body). */
  uploadArtifact(l: Fenced, kind: ArtifactKind, file: string, contentType: string, signal?: AbortSignal): Promise<z.infer<typeof Artifact>> {
    return this.#call(`upload ${kind}`, l, signal, async () => {
      const { size } = await stat(file);
      // Small files go as one buffer (no stream set-up); big ones stream, never whole in memory.
      const body = size <= SMALL_BODY ? await readFile(file) : (Readable.toWeb(createReadStream(file)) as ReadableStream);
      const res = await this.#fetch(`/api/agent/jobs/${l.jobId}/artifacts/${kind}?fence=${l.fence}`, {
        method: "PUT",
        headers: { "Content-Type": contentType, "Content-Length": String(size) },
        body: body as BodyInit,
        signal,
        lease: l,
        timeoutMs: null,
      });
      return Artifact.parse(await res.json());
    });
  }

  // ---- plumbing ----

  #call<T>(what: string, l: Fenced, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
    return withRetry(fn, isTransient, {
      ...this.#retry,
      signal,
      onRetry: (err, attempt) => this.#onRetry?.(`${what} ${l.jobId}`, err, attempt),
    });
  }

  async #post(path: string, body: unknown, l: Fenced, signal?: AbortSignal): Promise<unknown> {
    return (await this.#fetch(path, { method: "POST", body: JSON.stringify(body), signal, lease: l })).json();
  }

  async #fetch(
    path: string,
    init: {
      method?: string; body?: BodyInit; headers?: Record<string, string>; signal?: AbortSignal; lease?: Fenced;
      /** Overall limit, ms; null for transfers (they may take minutes). Default: the client's timeoutMs. */
      timeoutMs?: number | null;
    },
  ): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set("Authorization", `Bearer ${this.#token}`);
    if (typeof init.body === "string") headers.set("Content-Type", "application/json");
    const ms = init.timeoutMs === undefined ? this.#timeoutMs : init.timeoutMs;
    const timeout = ms === null ? undefined : AbortSignal.timeout(ms);
    const res = await fetch(this.baseUrl + path, {
      method: init.method ?? "GET",
      headers,
      body: init.body,
      signal: anySignal(init.signal, timeout),
      ...(init.body instanceof ReadableStream ? { duplex: "half" } : {}),
    } as RequestInit);
    if (res.ok) return res;
    const err = await errorOf(res);
    if (init.lease && (err.code === "stale_fence" || (err.status === 404 && err.code === "not_found"))) {
      throw new LeaseLost(`job ${init.lease.jobId} fence ${init.lease.fence}: ${err.message}`);
    }
    throw err;
  }
}

async function errorOf(res: Response): Promise<EdgeError> {
  const text = await res.text().catch(() => "");
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    return new EdgeError(res.status, body.error?.code ?? "http_error", body.error?.message ?? text.slice(0, 200));
  } catch {
    return new EdgeError(res.status, "http_error", text.slice(0, 200) || res.statusText);
  }
}

function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const s = signals.filter((x): x is AbortSignal => !!x);
  return s.length <= 1 ? s[0] : AbortSignal.any(s);
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return -1;
  }
}

async function sha256File(file: string): Promise<string> {
  const h = createHash("sha256");
  await pipeline(createReadStream(file), h);
  return h.digest("hex");
}
