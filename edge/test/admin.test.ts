import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { adminToken, call, json, uploaderToken } from "./helpers.ts";

describe("admin tokens", () => {
  it("creates a token shown once and stores only its hash", async () => {
    const admin = await adminToken();
    const res = await call("/api/admin/tokens", admin, {
      method: "POST",
      body: JSON.stringify({ kind: "staff", name: "field", role: "uploader" }),
    });
    expect(res.status).toBe(201);
    const created = await json(res);
    expect(created.token).toMatch(/^cks_/);
    expect(created).not.toHaveProperty("hash");
    const row = await env.DB.prepare("SELECT hash FROM tokens WHERE id = ?").bind(created.id).first<{ hash: string }>();
    expect(row!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row!.hash).not.toContain(created.token);
    // The new token works, and the listing never shows secrets.
    const list = await json(await call("/api/admin/tokens", admin));
    expect(JSON.stringify(list)).not.toContain(created.token);
    expect((await call("/api/groups", created.token)).status).toBe(200);
  });

  it("revoked tokens are refused", async () => {
    const admin = await adminToken();
    const created = await json(await call("/api/admin/tokens", admin, {
      method: "POST", body: JSON.stringify({ kind: "staff", name: "temp", role: "viewer" }),
    }));
    expect((await call(`/api/admin/tokens/${created.id}`, admin, { method: "DELETE" })).status).toBe(200);
    const res = await call("/api/groups", created.token);
    expect(res.status).toBe(401);
    expect((await json(res)).error.code).toBe("unauthorized");
  });

  it("validates input with one error shape", async () => {
    const admin = await adminToken();
    const res = await call("/api/admin/tokens", admin, { method: "POST", body: JSON.stringify({ kind: "robot" }) });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error.code).toBe("bad_request");
    expect(body.error.message).toBeTruthy();
  });

  it("non-admins cannot administer", async () => {
    const res = await call("/api/admin/tokens", await uploaderToken());
    expect(res.status).toBe(403);
  });

  it("serves an OpenAPI document", async () => {
    const doc = await json(await call("/openapi.json", null));
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.paths["/api/admin/tokens"].post.requestBody).toBeTruthy();
  });
});

describe("JSON bodies", () => {
  it("refuses a body over 1 MiB with 413, declared or streamed", async () => {
    const admin = await adminToken();
    const big = JSON.stringify({ kind: "staff", name: "x".repeat(2 * 1024 * 1024), role: "viewer" });
    const res = await call("/api/admin/tokens", admin, { method: "POST", body: big });
    expect(res.status).toBe(413);
    expect((await json(res)).error.code).toBe("payload_too_large");
    const stream = new Blob([big]).stream();
    const streamed = await call("/api/admin/tokens", admin, { method: "POST", body: stream, duplex: "half" } as RequestInit);
    expect(streamed.status).toBe(413);
  });
});

describe("token bookkeeping", () => {
  it("records when a token was last used", async () => {
    const admin = await adminToken();
    const created = await json(await call("/api/admin/tokens", admin, {
      method: "POST", body: JSON.stringify({ kind: "staff", name: "used", role: "viewer" }),
    }));
    expect(created.lastUsedAt).toBeNull();
    expect((await call("/api/groups", created.token)).status).toBe(200);
    await expect.poll(async () => {
      const row = await env.DB.prepare("SELECT last_used_at FROM tokens WHERE id = ?").bind(created.id).first<{ last_used_at: number | null }>();
      return row!.last_used_at;
    }).toBeGreaterThan(0);
  });
});
