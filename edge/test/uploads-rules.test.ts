import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { sweepExpiredUploads } from "../src/uploads/lifecycle.ts";
import {
  adminToken, agentToken, call, ensureGroup, json, kioskToken, uploaderToken, viewerToken,
} from "./helpers.ts";
import {
  PART, TUS, create, dxf, expectComplete, head, idOf, keysUnder, metadata, offsetOf, open, patch, row, sendChunks, sha256, utf8,
} from "./uploads-helpers.ts";

describe("sniffing", () => {
  const kinds: [string, Uint8Array, string][] = [
    ["ASCII DXF", utf8("  0\nSECTION\n  2\nENTITIES\n  0\nENDSEC\n  0\nEOF\n"), "dxf"],
    ["ASCII DXF with CRLF and leading blanks", utf8("\r\n  0\r\nSECTION\r\n  2\r\nHEADER\r\n"), "dxf"],
    ["DXF starting with a 999 comment", utf8("999\ndxfrw 0.6.3\n  0\nSECTION\n"), "dxf"],
    ["binary DXF", new Uint8Array([...utf8("AutoCAD Binary DXF\r\n"), 0x1a, 0x00, 0, 0, 1, 2, 3]), "dxf-binary"],
    ["PDF", utf8("%PDF-1.7\n%âãÏÓ\n1 0 obj\n"), "pdf"],
    ["PNG", new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), "png"],
    ["JPEG", new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46]), "jpeg"],
  ];
  for (const [name, prefix, kind] of kinds) {
    it(`accepts ${name}`, async () => {
      const token = await uploaderToken();
      const bytes = new Uint8Array([...prefix, ...crypto.getRandomValues(new Uint8Array(64))]);
      const res = await create(token, { length: bytes.length, body: bytes });
      expect(res.status, await res.clone().text()).toBe(201);
      const status = await json(await call(new URL(res.headers.get("Location")!).pathname, token));
      expect(status.drawing.fileKind).toBe(kind);
    });
  }

  it("refuses anything else with 415 and aborts the upload", async () => {
    const token = await uploaderToken();
    const bytes = utf8("PK\x03\x04 this is a zip, not a drawing".padEnd(400, "."));
    const path = await open(token, { length: bytes.length + PART });
    const res = await patch(token, path, 0, bytes);
    expect(res.status).toBe(415);
    const err = await json(res);
    expect(err.error.code).toBe("unsupported_file_type");
    expect(err.error.message).toMatch(/DXF/);
    expect((await row(idOf(path)))!.status).toBe("aborted");
    expect(await keysUnder(`uploads/${idOf(path)}/`)).toEqual([]);
    expect((await head(token, path)).status).toBe(410);
  });

  it("sniffs across chunks when the first ones are tiny", async () => {
    const token = await uploaderToken();
    const bytes = dxf(5000);
    const path = await open(token, { length: bytes.length });
    await sendChunks(token, path, bytes, [3, 10, 100]);
    await expectComplete(token, path, bytes);
  });
});

describe("limits and protocol errors", () => {
  it("answers each with a clear 4xx in the one error shape", async () => {
    const token = await uploaderToken();
    const expectError = async (res: Response, status: number, code?: string) => {
      expect(res.status).toBe(status);
      const body = await json(res);
      expect(body.error.message).toBeTruthy();
      if (code) expect(body.error.code).toBe(code);
    };
    await expectError(await create(token, { length: 0 }), 400, "empty_upload");
    const tooBig = await create(token, { length: Number(env.MAX_UPLOAD_BYTES) + 1 });
    expect(tooBig.headers.get("Tus-Max-Size")).toBe(env.MAX_UPLOAD_BYTES);
    await expectError(tooBig, 413, "upload_too_large");
    await expectError(await call("/api/uploads", token, { method: "POST", headers: { "Upload-Length": "10", "Upload-Metadata": metadata({ length: 10 }) } }), 412, "tus_version_unsupported");
    await expectError(await call("/api/uploads", token, { method: "POST", headers: { ...TUS, "Upload-Metadata": metadata({ length: 1 }) } }), 400);
    await expectError(await create(token, { length: 10, headers: { "Upload-Metadata": "" } }), 400);
    await expectError(await create(token, { length: 10, options: { wallHeight: 1000 } }), 400);
    await expectError(await create(token, { length: 10, options: { surprise: true } }), 400);
    await expectError(await create(token, { length: 10, options: { targetGroup: "no-such-group" } }), 422, "unknown_group");
    await expectError(await create(token, { length: 10, headers: { "Upload-Metadata": "filename !!notbase64" } }), 400);
    await expectError(await create(token, { length: 10, body: utf8("  0\nSECTION\n").slice(0, 10), headers: { "Content-Type": "text/plain" } }), 415);
    await expectError(await create(token, { length: 5, body: utf8("  0\nSECTION\n") }), 413, "upload_length_exceeded");

    const bytes = dxf(1000);
    const path = await open(token, { length: bytes.length });
    await expectError(await patch(token, path, 0, bytes.slice(0, 10), { "Tus-Resumable": "0.2.2" }), 412);
    await expectError(await patch(token, path, 0, bytes.slice(0, 10), { "Content-Type": "application/octet-stream" }), 415, "unsupported_media_type");
    await expectError(await patch(token, path, 0, new Uint8Array(1001)), 413, "upload_length_exceeded");
    expect((await patch(token, path, 0, bytes.slice(0, 100))).status).toBe(204);
    const wrong = await patch(token, path, 50, bytes.slice(50, 100));
    expect(wrong.headers.get("Upload-Offset")).toBe("100");
    await expectError(wrong, 409, "offset_mismatch");
    await expectError(await patch(token, "/api/uploads/nope", 0, bytes), 404);
    expect((await head(token, "/api/uploads/nope")).status).toBe(404);
    expect((await patch(token, path, 100, bytes.slice(100))).status).toBe(204);
    // Complete: writing again is a conflict, terminating too; HEAD still answers.
    await expectError(await patch(token, path, 1000, new Uint8Array(0)), 409, "upload_complete");
    await expectError(await call(path, token, { method: "DELETE", headers: TUS }), 409, "upload_complete");
    expect((await head(token, path)).headers.get("Upload-Offset")).toBe("1000");
  });

  it("a PATCH while another holds the lock gets 423 (and the lock is a compare-and-set)", async () => {
    const token = await uploaderToken();
    const bytes = dxf(1000);
    const path = await open(token, { length: bytes.length });
    await env.DB.prepare("UPDATE uploads SET locked_until = ? WHERE id = ?").bind(Date.now() + 60_000, idOf(path)).run();
    const res = await patch(token, path, 0, bytes);
    expect(res.status).toBe(423);
    expect((await json(res)).error.code).toBe("upload_locked");
    // A stale lock (past its deadline) does not block.
    await env.DB.prepare("UPDATE uploads SET locked_until = ? WHERE id = ?").bind(Date.now() - 1, idOf(path)).run();
    expect((await patch(token, path, 0, bytes)).status).toBe(204);
  });

  it("two concurrent PATCHes at the same offset never both write", async () => {
    const token = await uploaderToken();
    const bytes = dxf(2 * PART);
    const path = await open(token, { length: bytes.length });
    const [a, b] = await Promise.all([
      patch(token, path, 0, bytes.slice(0, PART + 3)),
      patch(token, path, 0, bytes.slice(0, PART + 3)),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses[0]).toBe(204);
    expect([409, 423]).toContain(statuses[1]);
    expect(await offsetOf(token, path)).toBe(PART + 3);
    await sendChunks(token, path, bytes, [PART]);
    await expectComplete(token, path, bytes);
  });
});

describe("expiration", () => {
  it("an expired upload answers 410 and its multipart is aborted; the sweeper does the same in bulk", async () => {
    const token = await uploaderToken();
    const bytes = dxf(2 * PART);
    const path = await open(token, { length: bytes.length });
    expect((await patch(token, path, 0, bytes.slice(0, PART + 1))).status).toBe(204);
    const before = await row(idOf(path));
    await env.DB.prepare("UPDATE uploads SET expires_at = ? WHERE id = ?").bind(Date.now() - 1000, idOf(path)).run();
    const res = await patch(token, path, PART + 1, bytes.slice(PART + 1));
    expect(res.status).toBe(410);
    expect((await json(res)).error.code).toBe("upload_gone");
    expect((await row(idOf(path)))!.status).toBe("aborted");
    expect(await keysUnder(`uploads/${idOf(path)}/`)).toEqual([]);
    await expect(env.FILES.resumeMultipartUpload(before!.r2_key, before!.multipart_upload_id).complete([])).rejects.toThrow();

    const paths = [await open(token, { length: 100 }), await open(token, { length: 100 })];
    for (const p of paths) {
      expect((await patch(token, p, 0, dxf(100).slice(0, 40))).status).toBe(204);
      await env.DB.prepare("UPDATE uploads SET expires_at = ? WHERE id = ?").bind(Date.now() - 1000, idOf(p)).run();
    }
    expect(await sweepExpiredUploads(env)).toBeGreaterThanOrEqual(2);
    for (const p of paths) {
      expect((await row(idOf(p)))!.status).toBe("aborted");
      expect(await keysUnder(`uploads/${idOf(p)}/`)).toEqual([]);
    }
  });
});

describe("dedup", () => {
  it("same bytes and options reuse the job and drawing; other options get a new job on the same drawing", async () => {
    const token = await uploaderToken();
    await ensureGroup("lobby");
    const bytes = dxf(PART + 100);
    const send = async (options: unknown) => {
      const res = await create(token, { length: bytes.length, body: bytes, options });
      expect(res.status, await res.clone().text()).toBe(201);
      return json(await call(new URL(res.headers.get("Location")!).pathname, token));
    };
    const first = await send({ units: "mm", wallHeight: 3 });
    expect(first.deduplicated).toBe(false);
    const jobsBefore = (await env.DB.prepare("SELECT count(*) AS n FROM jobs").first<{ n: number }>())!.n;

    // Same options (other key order, and a target group, which does not change the model).
    const again = await send({ wallHeight: 3, units: "mm", targetGroup: "lobby" });
    expect(again.deduplicated).toBe(true);
    expect(again.job.id).toBe(first.job.id);
    expect(again.drawing.id).toBe(first.drawing.id);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM jobs").first<{ n: number }>())!.n).toBe(jobsBefore);
    // The duplicate's bytes were never kept.
    expect(await keysUnder(`drawings/${again.id}`)).toEqual([]);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM drawings WHERE sha256 = ?").bind(first.drawing.sha256).first<{ n: number }>())!.n).toBe(1);

    const other = await send({ units: "m", wallHeight: 3 });
    expect(other.deduplicated).toBe(false);
    expect(other.job.id).not.toBe(first.job.id);
    expect(other.drawing.id).toBe(first.drawing.id);
  });
});

describe("auth", () => {
  it("needs an uploader or admin token; an upload is its creator's", async () => {
    const owner = await uploaderToken();
    const bytes = dxf(1000);
    const path = await open(owner, { length: bytes.length });
    const requests: [string, (t: string | null) => Promise<Response>][] = [
      ["POST", (t) => create(t, { length: 10 })],
      ["HEAD", (t) => head(t, path)],
      ["GET", (t) => call(path, t)],
      ["PATCH", (t) => patch(t, path, 0, bytes.slice(0, 10))],
      ["DELETE", (t) => call(path, t, { method: "DELETE", headers: TUS })],
    ];
    const others = { viewer: await viewerToken(), agent: await agentToken(), kiosk: await kioskToken("auth-g"), otherUploader: await uploaderToken() };
    for (const [method, send] of requests) {
      expect((await send(null)).status, `${method} without token`).toBe(401);
      for (const [who, t] of Object.entries(others)) {
        if (who === "otherUploader" && method === "POST") continue;
        expect((await send(t)).status, `${method} as ${who}`).toBe(403);
      }
    }
    const admin = await adminToken();
    expect((await head(admin, path)).status).toBe(200);
    expect((await create(admin, { length: 10 })).status).toBe(201);
    expect((await patch(owner, path, 0, bytes)).status).toBe(204);
  });
});
