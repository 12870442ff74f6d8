/** Shared by the uploads test files: test bytes, tus requests, and looks into R2 and D1. */
import { env } from "cloudflare:test";
import { expect } from "vitest";
import { call, json } from "./helpers.ts";

export const MiB = 1024 * 1024;
export const PART = 5 * MiB; // vitest.config.ts sets UPLOAD_PART_BYTES to 5 MiB

// ---------- bytes ----------

/** DXF-looking bytes, unique per call (a random comment line), cheap to make at any size. */
export function dxf(size: number): Uint8Array {
  const head = new TextEncoder().encode(`  0\nSECTION\n  2\nHEADER\n999\n${crypto.randomUUID()}\n`);
  const out = new Uint8Array(size);
  const block = new Uint8Array(64 * 1024);
  crypto.getRandomValues(block);
  for (let i = 0; i < block.length; i++) block[i] = 0x20 + (block[i]! % 90); // printable
  for (let at = 0; at < size; at += block.length) out.set(block.subarray(0, Math.min(block.length, size - at)), at);
  out.set(head.subarray(0, Math.min(head.length, size)), 0);
  return out;
}

export const utf8 = (s: string) => new TextEncoder().encode(s);
export const b64 = (s: string) => btoa(String.fromCharCode(...utf8(s)));
export const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");
export const sha256 = async (b: Uint8Array | ArrayBuffer) => hex(await crypto.subtle.digest("SHA-256", b));

// ---------- tus requests ----------

export const TUS = { "Tus-Resumable": "1.0.0" };
export const OCTET = "application/offset+octet-stream";

export interface CreateOpts {
  length: number;
  filename?: string;
  sha256?: string;
  options?: unknown;
  body?: Uint8Array;
  headers?: Record<string, string>;
}

export function metadata(o: CreateOpts): string {
  const pairs = [`filename ${b64(o.filename ?? "plan.dxf")}`];
  if (o.sha256) pairs.push(`sha256 ${b64(o.sha256)}`);
  if (o.options !== undefined) pairs.push(`options ${b64(JSON.stringify(o.options))}`);
  return pairs.join(",");
}

export function create(token: string | null, o: CreateOpts): Promise<Response> {
  return call("/api/uploads", token, {
    method: "POST",
    headers: {
      ...TUS, "Upload-Length": String(o.length), "Upload-Metadata": metadata(o),
      ...(o.body ? { "Content-Type": OCTET } : {}), ...o.headers,
    },
    body: o.body,
  });
}

export async function open(token: string, o: CreateOpts): Promise<string> {
  const res = await create(token, o);
  expect(res.status, await res.clone().text()).toBe(201);
  return new URL(res.headers.get("Location")!).pathname;
}

export function patch(token: string | null, path: string, offset: number, body: BodyInit | null, headers: Record<string, string> = {}) {
  return call(path, token, {
    method: "PATCH", headers: { ...TUS, "Content-Type": OCTET, "Upload-Offset": String(offset), ...headers }, body,
  });
}

export const head = (token: string | null, path: string) => call(path, token, { method: "HEAD", headers: TUS });
export const offsetOf = async (token: string, path: string) => Number((await head(token, path)).headers.get("Upload-Offset"));

/** Send `bytes` in chunks of the given sizes (the last one takes the rest). */
export async function sendChunks(token: string, path: string, bytes: Uint8Array, sizes: number[]): Promise<Response> {
  let offset = await offsetOf(token, path);
  let res!: Response;
  for (let i = 0; offset < bytes.length; i++) {
    const end = Math.min(bytes.length, offset + (sizes[i] ?? bytes.length));
    res = await patch(token, path, offset, bytes.slice(offset, end));
    expect(res.status, await res.clone().text()).toBe(204);
    expect(Number(res.headers.get("Upload-Offset"))).toBe(end);
    offset = end;
  }
  return res;
}

/** A body that delivers `bytes` and then breaks off like a dropped connection (or calls `onEnd`). */
export function brokenBody(bytes: Uint8Array, pieces = 4, onEnd?: () => void): ReadableStream<Uint8Array> {
  let i = 0;
  const step = Math.ceil(bytes.length / pieces);
  return new ReadableStream({
    pull(ctrl) {
      if (i < bytes.length) {
        ctrl.enqueue(bytes.slice(i, i + step));
        i += step;
      } else if (onEnd) {
        onEnd();
      } else {
        ctrl.error(new Error("connection reset"));
      }
    },
  });
}

export const idOf = (path: string) => path.split("/").pop()!;
export const row = (id: string) => env.DB.prepare("SELECT * FROM uploads WHERE id = ?").bind(id).first<Record<string, any>>();
export const keysUnder = async (prefix: string) => (await env.FILES.list({ prefix })).objects.map((o) => o.key);

export async function storedBytes(key: string): Promise<Uint8Array> {
  const obj = await env.FILES.get(key);
  expect(obj, `R2 object ${key}`).not.toBeNull();
  return new Uint8Array(await obj!.arrayBuffer());
}

export async function expectComplete(token: string, path: string, bytes: Uint8Array) {
  const status = await json(await call(path, token));
  expect(status.status).toBe("complete");
  expect(status.offset).toBe(bytes.length);
  expect(status.drawing.sha256).toBe(await sha256(bytes));
  expect(status.drawing.size).toBe(bytes.length);
  expect(status.job.drawingId).toBe(status.drawing.id);
  const drawing = await env.DB.prepare("SELECT r2_key FROM drawings WHERE id = ?").bind(status.drawing.id).first<{ r2_key: string }>();
  expect(await sha256(await storedBytes(drawing!.r2_key))).toBe(status.drawing.sha256);
  expect(await keysUnder(`uploads/${idOf(path)}/`)).toEqual([]); // no tail left behind
  return status;
}
