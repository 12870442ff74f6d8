/**
 * The real tus-js-client (4.3.1, its browser build) against the Worker, through a fetch-based HttpStack
 * that calls SELF.fetch: the client is used unmodified, only its transport is swapped (workerd has no
 * XMLHttpRequest). The upload is paused after its first chunk, then found again by fingerprint and
 * resumed; the server must see only the rest, and the file's hash must match.
 */
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { HttpRequest, HttpResponse, HttpStack, PreviousUpload, Upload as UploadType, UrlStorage } from "tus-js-client";
// @ts-ignore -- the browser build has no own type declarations; the types above describe it.
import { Upload as BrowserUpload } from "tus-js-client/lib.esm/browser/index.js";
import { json, uploaderToken } from "./helpers.ts";

const Upload = BrowserUpload as typeof UploadType;
const BASE = "https://edge.test";
const PART = 5 * 1024 * 1024;

interface Sent {
  method: string;
  offset: number | null;
  bytes: number;
  status: number;
}

/** tus-js-client's HttpStack over SELF.fetch; records each request for the assertions. */
class FetchHttpStack implements HttpStack {
  readonly sent: Sent[] = [];

  getName() {
    return "FetchHttpStack";
  }

  createRequest(method: string, url: string): HttpRequest {
    const headers: Record<string, string> = {};
    const controller = new AbortController();
    let onProgress: (n: number) => void = () => undefined;
    const log = this.sent;
    return {
      getMethod: () => method,
      getURL: () => url,
      setHeader: (k: string, v: string) => void (headers[k] = v),
      getHeader: (k: string) => headers[k]!,
      setProgressHandler: (h: (n: number) => void) => void (onProgress = h),
      getUnderlyingObject: () => controller,
      abort: async () => controller.abort(),
      async send(body?: Blob | null): Promise<HttpResponse> {
        const res = await SELF.fetch(url, { method, headers, body: body ?? null, signal: controller.signal });
        const size = body?.size ?? 0;
        onProgress(size);
        const text = await res.text();
        log.push({ method, offset: headers["Upload-Offset"] ? Number(headers["Upload-Offset"]) : null, bytes: size, status: res.status });
        return {
          getStatus: () => res.status,
          getHeader: (k: string) => res.headers.get(k) ?? undefined,
          getBody: () => text,
          getUnderlyingObject: () => res,
        };
      },
    };
  }
}

/** URL storage in memory (workerd has no localStorage), so findPreviousUploads works. */
class MemoryUrlStorage implements UrlStorage {
  #items = new Map<string, PreviousUpload & { fingerprint: string }>();
  async findAllUploads() {
    return [...this.#items.values()];
  }
  async findUploadsByFingerprint(fp: string) {
    return [...this.#items.values()].filter((u) => u.fingerprint === fp);
  }
  async removeUpload(key: string) {
    this.#items.delete(key);
  }
  async addUpload(fingerprint: string, upload: PreviousUpload) {
    const key = `tus::${fingerprint}::${this.#items.size}`;
    this.#items.set(key, { ...upload, fingerprint, urlStorageKey: key } as never);
    return key;
  }
}

function dxfBlob(size: number): { blob: Blob; bytes: Uint8Array } {
  const bytes = new Uint8Array(size);
  const noise = crypto.getRandomValues(new Uint8Array(65536)).map((b) => 0x20 + (b % 90));
  for (let at = 0; at < size; at += noise.length) bytes.set(noise.subarray(0, Math.min(noise.length, size - at)), at);
  bytes.set(new TextEncoder().encode(`  0\nSECTION\n  2\nHEADER\n999\n${crypto.randomUUID()}\n`), 0);
  return { blob: new Blob([bytes]), bytes };
}

const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");

describe("tus-js-client", () => {
  it("uploads in part-aligned chunks, pauses after the first, resumes from the server's offset", async () => {
    const token = await uploaderToken();
    const { blob, bytes } = dxfBlob(3 * PART + 54_321);
    const sha256 = hex(await crypto.subtle.digest("SHA-256", bytes));
    const storage = new MemoryUrlStorage();
    const options = (stack: FetchHttpStack) => ({
      endpoint: `${BASE}/api/uploads`,
      chunkSize: PART, // a multiple of X-Upload-Part-Size
      retryDelays: null,
      headers: { Authorization: `Bearer ${token}` },
      metadata: { filename: "tower.dxf", filetype: "image/vnd.dxf", sha256, options: JSON.stringify({ units: "mm" }) },
      urlStorage: storage,
      fingerprint: async () => `tower-${sha256}`,
      httpStack: stack,
    });

    // Session 1: stop after the first chunk, like a closed laptop.
    const first = new FetchHttpStack();
    await new Promise<void>((resolve, reject) => {
      const upload: UploadType = new Upload(blob, {
        ...options(first),
        onChunkComplete: () => void upload.abort().then(resolve, reject),
        onError: reject,
        onSuccess: () => reject(new Error("should have been paused")),
      });
      upload.start();
    });
    const patches1 = first.sent.filter((r) => r.method === "PATCH");
    expect(patches1).toHaveLength(1);
    expect(patches1[0]).toMatchObject({ offset: 0, bytes: PART, status: 204 });

    // Session 2: a new client finds the upload by fingerprint, asks for the offset, sends the rest.
    const second = new FetchHttpStack();
    let lastResponse: HttpResponse | undefined;
    let uploadUrl = "";
    await new Promise<void>((resolve, reject) => {
      const upload: UploadType = new Upload(blob, {
        ...options(second),
        onError: reject,
        onSuccess: (payload) => {
          lastResponse = payload.lastResponse;
          uploadUrl = upload.url!;
          resolve();
        },
      });
      upload.findPreviousUploads().then((previous) => {
        expect(previous).toHaveLength(1);
        upload.resumeFromPreviousUpload(previous[0]!);
        upload.start();
      }, reject);
    });
    expect(second.sent.map((r) => r.method)).toEqual(["HEAD", "PATCH", "PATCH", "PATCH"]);
    expect(second.sent.some((r) => r.method === "POST")).toBe(false);
    const patches2 = second.sent.filter((r) => r.method === "PATCH");
    expect(patches2[0]!.offset).toBe(PART);
    expect(patches2.reduce((n, r) => n + r.bytes, 0)).toBe(bytes.length - PART); // only the rest was sent

    const jobId = lastResponse!.getHeader("X-Job-Id");
    expect(jobId).toBeTruthy();
    const status = await json(await SELF.fetch(uploadUrl, { headers: { Authorization: `Bearer ${token}` } }));
    expect(status.status).toBe("complete");
    expect(status.drawing.sha256).toBe(sha256);
    expect(status.job.id).toBe(jobId);
    expect(status.job.options).toEqual({ units: "mm" });
  });

  it("sends a small file with the creation request (uploadDataDuringCreation)", async () => {
    const token = await uploaderToken();
    const { blob, bytes } = dxfBlob(100_000);
    const stack = new FetchHttpStack();
    await new Promise<void>((resolve, reject) => {
      new Upload(blob, {
        endpoint: `${BASE}/api/uploads`,
        uploadDataDuringCreation: true,
        chunkSize: PART,
        retryDelays: null,
        headers: { Authorization: `Bearer ${token}` },
        metadata: { filename: "small.dxf" },
        httpStack: stack,
        storeFingerprintForResuming: false,
        onError: reject,
        onSuccess: () => resolve(),
      }).start();
    });
    expect(stack.sent).toEqual([{ method: "POST", offset: null, bytes: bytes.length, status: 201 }]);
  });
});
