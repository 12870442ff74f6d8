import { env } from "cloudflare:test";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { receive } from "../src/uploads/receive.ts";
import { tusOptions } from "../src/uploads/routes.ts";
import { acquireLock } from "../src/uploads/store.ts";
import { parseMetadata } from "../src/uploads/tus.ts";
import { call, json, uploaderToken } from "./helpers.ts";
import {
  MiB, OCTET, PART, TUS, brokenBody, create, dxf, expectComplete, head, idOf, keysUnder, offsetOf, open, patch, row, sendChunks, sha256, utf8,
} from "./uploads-helpers.ts";

describe("tus discovery", () => {
  it("OPTIONS /api/uploads needs no token", async () => {
    const res = await call("/api/uploads", null, { method: "OPTIONS" });
    expect(res.status).toBe(204);
  });

  it("OPTIONS through the app carries the tus discovery headers and the CORS preflight answer", async () => {
    const res = await call("/api/uploads", null, {
      method: "OPTIONS",
      headers: { Origin: "https://console.test", "Access-Control-Request-Method": "POST" },
    });
    expect(res.headers.get("Tus-Version")).toBe("1.0.0");
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(res.headers.get("Access-Control-Allow-Headers")).toContain("Upload-Offset");
  });

  it("OPTIONS advertises version, extensions, max size, checksums and the part size", async () => {
    const app = new Hono().options("/api/uploads", tusOptions as never);
    const res = await app.request("/api/uploads", { method: "OPTIONS" }, env);
    expect(res.status).toBe(204);
    expect(res.headers.get("Tus-Version")).toBe("1.0.0");
    expect(res.headers.get("Tus-Extension")).toContain("creation-with-upload");
    expect(res.headers.get("Tus-Extension")).toContain("termination");
    expect(res.headers.get("Tus-Max-Size")).toBe(env.MAX_UPLOAD_BYTES);
    expect(res.headers.get("Tus-Checksum-Algorithm")).toContain("sha256");
    expect(res.headers.get("X-Upload-Part-Size")).toBe(String(PART));
    const chunk = Number(res.headers.get("X-Upload-Chunk-Size"));
    expect(chunk % PART).toBe(0);
    expect(chunk).toBeLessThanOrEqual(Number(env.MAX_REQUEST_BYTES));
    expect(chunk + PART).toBeGreaterThan(Number(env.MAX_REQUEST_BYTES));
  });
});

describe("single-request upload (creation-with-upload)", () => {
  it("stores the file, creates the drawing and job, and reports them", async () => {
    const token = await uploaderToken();
    const bytes = dxf(200_000);
    const res = await create(token, { length: bytes.length, body: bytes, sha256: await sha256(bytes) });
    expect(res.status).toBe(201);
    expect(res.headers.get("Tus-Resumable")).toBe("1.0.0");
    expect(res.headers.get("Upload-Offset")).toBe(String(bytes.length));
    expect(res.headers.get("X-Upload-Part-Size")).toBe(String(PART));
    expect(res.headers.get("X-Drawing-Id")).toBeTruthy();
    expect(res.headers.get("X-Job-Id")).toBeTruthy();
    const path = new URL(res.headers.get("Location")!).pathname;
    const status = await expectComplete(token, path, bytes);
    expect(status.drawing.id).toBe(res.headers.get("X-Drawing-Id"));
    expect(status.job.id).toBe(res.headers.get("X-Job-Id"));
    expect(status.drawing.fileKind).toBe("dxf");
    expect(status.job.capability).toBe("dxf");
    expect(status.deduplicated).toBe(false);
    const h = await head(token, path);
    expect(h.status).toBe(200);
    expect(h.headers.get("Upload-Offset")).toBe(String(bytes.length));
    expect(h.headers.get("Upload-Length")).toBe(String(bytes.length));
    expect(h.headers.get("Cache-Control")).toBe("no-store");
    expect(parseMetadata(h.headers.get("Upload-Metadata")!).get("filename")).toBe("plan.dxf");
    expect(parseMetadata(h.headers.get("Upload-Metadata")!).get("sha256")).toBe(await sha256(bytes));
  });

  it("a creation without body returns Location, offset 0 and Upload-Expires", async () => {
    const token = await uploaderToken();
    const res = await create(token, { length: 1000 });
    expect(res.status).toBe(201);
    expect(res.headers.get("Upload-Offset")).toBe("0");
    const expires = Date.parse(res.headers.get("Upload-Expires")!);
    expect(expires).toBeGreaterThan(Date.now() + 3_600_000);
  });
});

describe("chunked upload onto R2 multipart", () => {
  it("sends several part-sized chunks and an unaligned final part", async () => {
    const token = await uploaderToken();
    const bytes = dxf(3 * PART + 12_345);
    const path = await open(token, { length: bytes.length });
    await sendChunks(token, path, bytes, [PART, 2 * PART, PART]);
    const r = await row(idOf(path));
    expect(r!.status).toBe("complete");
    await expectComplete(token, path, bytes);
  });

  it("takes chunks of any size: unaligned bytes wait in a tail object until the next chunk", async () => {
    const token = await uploaderToken();
    const bytes = dxf(2 * PART + 777_777);
    const path = await open(token, { length: bytes.length });
    const id = idOf(path);
    let res = await patch(token, path, 0, bytes.slice(0, 3 * MiB + 5));
    expect(res.status).toBe(204);
    let r = await row(id);
    expect(r!.offset).toBe(3 * MiB + 5);
    expect(r!.tail_length).toBe(3 * MiB + 5);
    expect(await keysUnder(`uploads/${id}/`)).toEqual([r!.tail_key]);
    expect(JSON.parse(r!.parts)).toEqual([]);
    // The next chunk completes part 1 (tail + new bytes) and leaves a new, smaller tail.
    res = await patch(token, path, 3 * MiB + 5, bytes.slice(3 * MiB + 5, 7 * MiB + 1));
    expect(res.status).toBe(204);
    r = await row(id);
    expect(r!.offset).toBe(7 * MiB + 1);
    expect(JSON.parse(r!.parts)).toHaveLength(1);
    expect(r!.tail_length).toBe(2 * MiB + 1);
    expect(await keysUnder(`uploads/${id}/`)).toEqual([r!.tail_key]);
    await sendChunks(token, path, bytes, [1, 4 * MiB, 999, 2 * MiB]);
    await expectComplete(token, path, bytes);
  });
});

describe("resume after an interrupted PATCH", () => {
  it("keeps every byte that arrived (even unaligned); HEAD gives the offset and the rest completes", async () => {
    const token = await uploaderToken();
    const bytes = dxf(PART + 3 * MiB);
    const path = await open(token, { length: bytes.length });
    const delivered = PART + 1_234_567;
    // The client gives up mid-body; whatever it sees of that, the server keeps what arrived.
    const client = new AbortController();
    await call(path, token, {
      method: "PATCH", headers: { ...TUS, "Content-Type": OCTET, "Upload-Offset": "0" },
      body: brokenBody(bytes.slice(0, delivered), 7, () => client.abort()), signal: client.signal,
    }).catch(() => undefined);
    // The commit may finish in waitUntil; poll briefly.
    let offset = 0;
    for (let i = 0; i < 50 && offset !== delivered; i++) {
      offset = await offsetOf(token, path);
      if (offset !== delivered) await new Promise((r) => setTimeout(r, 20));
    }
    expect(offset).toBe(delivered);
    expect((await row(idOf(path)))!.locked_until).toBeNull();
    const res = await patch(token, path, offset, bytes.slice(offset));
    expect(res.status).toBe(204);
    expect(res.headers.get("X-Job-Id")).toBeTruthy();
    await expectComplete(token, path, bytes);
  });
});

describe("a body that breaks off mid-read", () => {
  it("is committed up to the last byte read; the request answers body_interrupted", async () => {
    const token = await uploaderToken();
    const bytes = dxf(PART + 2 * MiB);
    const path = await open(token, { length: bytes.length });
    const locked = await acquireLock(env, idOf(path), 0);
    const delivered = PART + 100_003;
    const work = receive(env, locked!.row, locked!.lock, brokenBody(bytes.slice(0, delivered), 5),
      { partBytes: PART, ttlMs: 60_000, checksum: null });
    await expect(work).rejects.toMatchObject({ status: 400, code: "body_interrupted" });
    const r = await row(idOf(path));
    expect(r!.offset).toBe(delivered);
    expect(JSON.parse(r!.parts)).toHaveLength(1);
    expect(r!.tail_length).toBe(100_003);
    expect(r!.locked_until).toBeNull();
    expect((await patch(token, path, delivered, bytes.slice(delivered))).status).toBe(204);
    await expectComplete(token, path, bytes);
  });

  it("with Upload-Checksum nothing of the broken request is kept", async () => {
    const token = await uploaderToken();
    const bytes = dxf(PART + 2 * MiB);
    const path = await open(token, { length: bytes.length });
    const locked = await acquireLock(env, idOf(path), 0);
    const work = receive(env, locked!.row, locked!.lock, brokenBody(bytes.slice(0, PART + 5), 3),
      { partBytes: PART, ttlMs: 60_000, checksum: { algorithm: "sha1", digest: new Uint8Array(20) } });
    await expect(work).rejects.toMatchObject({ code: "body_interrupted" });
    const r = await row(idOf(path));
    expect(r!.offset).toBe(0);
    expect(r!.locked_until).toBeNull();
    expect(await keysUnder(`uploads/${idOf(path)}/`)).toEqual([]);
  });
});

describe("termination", () => {
  it("DELETE aborts the multipart, removes the tail and the row; then 404", async () => {
    const token = await uploaderToken();
    const bytes = dxf(3 * PART);
    const path = await open(token, { length: bytes.length });
    const id = idOf(path);
    expect((await patch(token, path, 0, bytes.slice(0, PART + 100))).status).toBe(204);
    const r = await row(id);
    expect(r!.multipart_upload_id).toBeTruthy();
    expect(await keysUnder(`uploads/${id}/`)).toHaveLength(1);

    const del = await call(path, token, { method: "DELETE", headers: TUS });
    expect(del.status).toBe(204);
    expect(del.headers.get("Tus-Resumable")).toBe("1.0.0");
    expect(await row(id)).toBeNull();
    expect(await keysUnder(`uploads/${id}/`)).toEqual([]);
    const mp = env.FILES.resumeMultipartUpload(r!.r2_key, r!.multipart_upload_id);
    await expect(mp.complete([])).rejects.toThrow();
    expect((await head(token, path)).status).toBe(404);
    expect((await patch(token, path, PART + 100, bytes.slice(PART + 100))).status).toBe(404);
    expect((await call(path, token, { method: "DELETE", headers: TUS })).status).toBe(404);
  });
});

describe("integrity", () => {
  it("a declared SHA-256 that does not match rejects the upload and leaves nothing behind", async () => {
    const token = await uploaderToken();
    const bytes = dxf(PART + 4321);
    const wrong = await sha256(utf8("something else"));
    const path = await open(token, { length: bytes.length, sha256: wrong });
    const id = idOf(path);
    expect((await patch(token, path, 0, bytes.slice(0, PART + 10))).status).toBe(204);
    const res = await patch(token, path, PART + 10, bytes.slice(PART + 10));
    expect(res.status).toBe(460);
    const err = await json(res);
    expect(err.error.code).toBe("sha256_mismatch");
    expect(err.error.message).toContain(wrong);

    const r = await row(id);
    expect(r!.status).toBe("aborted");
    expect(await keysUnder(`uploads/${id}/`)).toEqual([]);
    expect(await keysUnder(r!.r2_key)).toEqual([]);
    const actual = await sha256(bytes);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM drawings WHERE sha256 = ?").bind(actual).first<{ n: number }>())!.n).toBe(0);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM jobs WHERE drawing_id IN (SELECT id FROM drawings WHERE sha256 = ?)").bind(actual).first<{ n: number }>())!.n).toBe(0);
    await expect(env.FILES.resumeMultipartUpload(r!.r2_key, r!.multipart_upload_id).complete([])).rejects.toThrow();
    expect((await head(token, path)).status).toBe(410);
  });

  it("checks Upload-Checksum per request: a mismatch discards the chunk (460), a match is kept", async () => {
    const token = await uploaderToken();
    const bytes = dxf(PART + 1000);
    const path = await open(token, { length: bytes.length });
    const chunk = bytes.slice(0, PART + 500);
    const sha1 = btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest("SHA-1", chunk))));
    const bad = await patch(token, path, 0, chunk, { "Upload-Checksum": `sha1 ${btoa("x".repeat(20))}` });
    expect(bad.status).toBe(460);
    expect((await json(bad)).error.code).toBe("checksum_mismatch");
    expect(await offsetOf(token, path)).toBe(0);
    expect(await keysUnder(`uploads/${idOf(path)}/`)).toEqual([]);
    const unsupported = await patch(token, path, 0, chunk, { "Upload-Checksum": `crc32 AAAA` });
    expect(unsupported.status).toBe(400);
    const good = await patch(token, path, 0, chunk, { "Upload-Checksum": `sha1 ${sha1}` });
    expect(good.status).toBe(204);
    const middle = bytes.slice(PART + 500, PART + 700);
    const sha256b64 = btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest("SHA-256", middle))));
    expect((await patch(token, path, PART + 500, middle, { "Upload-Checksum": `sha256 ${sha256b64}` })).status).toBe(204);
    const rest = bytes.slice(PART + 700);
    const md5 = btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest("MD5", rest))));
    expect((await patch(token, path, PART + 700, rest, { "Upload-Checksum": `md5 ${md5}` })).status).toBe(204);
    await expectComplete(token, path, bytes);
  });
});

