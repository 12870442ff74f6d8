import { env } from "cloudflare:test";
import type { FileKind, UploadOptions } from "@cad-kiosk/schema";
import { createJobForDrawing } from "../src/jobs/create.ts";
import { randomId, sha256Hex } from "../src/lib/ids.ts";
import { call, json } from "./helpers.ts";

/** Empty the job side's tables (storage is shared by the tests of one file). */
export async function resetJobs(): Promise<void> {
  await env.DB.batch(
    ["job_events", "artifacts", "models", "jobs", "drawings"].map((t) => env.DB.prepare(`DELETE FROM ${t}`)),
  );
  await env.DB.prepare("UPDATE kiosk_groups SET published_model_id = NULL").run();
}

/** A drawing put straight into R2 and D1, and its job (not through the upload routes). */
export async function makeJob(opts: { kind?: FileKind; options?: UploadOptions; bytes?: Uint8Array } = {}) {
  const kind = opts.kind ?? "dxf";
  const bytes = opts.bytes ?? new TextEncoder().encode(`0\nSECTION\n999\n${randomId(8)}\n0\nEOF\n`);
  const sha256 = await sha256Hex(bytes);
  const r2Key = `drawings/${sha256}`;
  await env.FILES.put(r2Key, bytes);
  const drawingId = randomId(12);
  await env.DB.prepare(
    "INSERT INTO drawings (id, sha256, filename, size, file_kind, r2_key, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
  ).bind(drawingId, sha256, `plan-${drawingId}.${kind === "pdf" ? "pdf" : "dxf"}`, bytes.byteLength, kind, r2Key, "test").run();
  const { job } = await createJobForDrawing(env, { drawingId, sha256, fileKind: kind, options: opts.options ?? {}, createdBy: "test" });
  return { job, drawingId, bytes, sha256 };
}

export async function claim(token: string, capabilities: string[] = ["dxf", "pdf-vector", "pdf-raster"], waitSeconds = 0) {
  return call("/api/agent/claim", token, { method: "POST", body: JSON.stringify({ capabilities, waitSeconds }) });
}

/** POST JSON as an agent/staff and return the response. */
export const post = (path: string, token: string, body?: unknown) =>
  call(path, token, { method: "POST", ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

/** A valid minimal GLB (glTF 2.0 header + one JSON chunk), padded with spaces to `minBytes`. */
export function glbBytes(salt = randomId(6), minBytes = 0): Uint8Array {
  let text = JSON.stringify({ asset: { version: "2.0", generator: `test ${salt}` } });
  if (text.length < minBytes) text = text.padEnd(minBytes, " ");
  while (text.length % 4) text += " ";
  const jsonChunk = new TextEncoder().encode(text);
  const total = 12 + 8 + jsonChunk.byteLength;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  out.set(new TextEncoder().encode("glTF"), 0);
  v.setUint32(4, 2, true);
  v.setUint32(8, total, true);
  v.setUint32(12, jsonChunk.byteLength, true);
  v.setUint32(16, 0x4e4f534a, true); // "JSON"
  out.set(jsonChunk, 20);
  return out;
}

export const PNG_BYTES = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]);

export function putArtifact(token: string, jobId: string, fence: number, kind: string, bytes: Uint8Array) {
  return call(`/api/agent/jobs/${jobId}/artifacts/${kind}?fence=${fence}`, token, {
    method: "PUT",
    body: bytes,
    headers: { "Content-Length": String(bytes.byteLength), "Content-Type": "application/octet-stream" },
  });
}

/** Lease the next job and return the lease body. */
export async function lease(token: string, capabilities?: string[]) {
  const res = await claim(token, capabilities);
  if (res.status !== 200) throw new Error(`claim answered ${res.status}: ${await res.text()}`);
  return json(res);
}
