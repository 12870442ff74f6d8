import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { adminToken, agentToken, call, ensureGroup, json, kioskToken, uploaderToken, viewerToken } from "./helpers.ts";

/**
 * Every /api operation in the OpenAPI document: 401 without a token (and with a bad one), 403 for
 * each principal its `x-auth` leaves out, and for a kiosk of another group where the route is
 * group-scoped.
 */
type Op = { method: string; path: string; auth: string };

const tokens: Record<string, string> = {};
let ops: Op[] = [];
const MODEL = "matrix-model";

beforeAll(async () => {
  await ensureGroup("own");
  await ensureGroup("other");
  // A model published to "own", so a kiosk of "other" is refused by scope, not by absence.
  await env.DB.batch([
    env.DB.prepare("INSERT OR IGNORE INTO models (id, job_id, drawing_id, dedup_key, glb_key, glb_sha256, glb_size) VALUES (?, 'j', 'd', 'k-matrix', 'models/x.glb', ?, 4)").bind(MODEL, "0".repeat(64)),
    env.DB.prepare("UPDATE kiosk_groups SET published_model_id = ? WHERE id = 'own'").bind(MODEL),
  ]);
  Object.assign(tokens, {
    admin: await adminToken(), uploader: await uploaderToken(), viewer: await viewerToken(),
    agent: await agentToken(), kioskOwn: await kioskToken("own"), kioskOther: await kioskToken("other"),
  });
  const doc = await json(await call("/openapi.json", null));
  for (const [path, methods] of Object.entries<Record<string, any>>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(methods)) {
      if (path.startsWith("/api/") && op["x-auth"] !== "public") ops.push({ method: method.toUpperCase(), path, auth: op["x-auth"] });
    }
  }
});

/**
 * Principals an operation must refuse with 403, from its documented auth. A kiosk of another group is
 * refused on routes about one group or model (a path parameter); lists just show it its own.
 */
function refused(auth: string, path: string): string[] {
  const a = auth.toLowerCase();
  const staffRole = /staff:(admin|uploader|viewer)/.exec(a)?.[1] ?? (a.includes("staff") ? "viewer" : null);
  const out: string[] = [];
  if (!a.includes("agent")) out.push("agent");
  if (!a.includes("kiosk")) out.push("kioskOwn");
  if (a.includes("kiosk") && (a.includes("own") || a.includes("group")) && path.includes("{")) out.push("kioskOther");
  if (!staffRole) out.push("admin", "viewer");
  else if (staffRole === "uploader") out.push("viewer");
  else if (staffRole === "admin") out.push("uploader", "viewer");
  return out;
}

function concrete(path: string): string {
  return path
    .replace("/api/models/{id}", `/api/models/${MODEL}`)
    .replace("/api/kiosk/groups/{id}", "/api/kiosk/groups/own")
    .replace("{kind}", "glb")
    .replace(/\{\w+\}/g, "x");
}

function send(op: Op, token: string | null) {
  const hasBody = !["GET", "HEAD", "DELETE", "OPTIONS"].includes(op.method);
  return call(concrete(op.path), token, {
    method: op.method,
    headers: { "Content-Type": "application/json", "Tus-Resumable": "1.0.0" },
    ...(hasBody ? { body: "{}" } : {}),
  });
}

describe("auth matrix", () => {
  it("covers the job side's routes", () => {
    const paths = new Set(ops.map((o) => o.path));
    for (const p of ["/api/agent/claim", "/api/jobs/{id}/cancel", "/api/models/{id}/glb", "/api/models/{id}/signed-url", "/api/jobs/{id}/socket"]) {
      expect(paths, p).toContain(p);
    }
  });

  it("every /api route answers 401 without a token or with a bad one", async () => {
    expect(ops.length).toBeGreaterThan(20);
    for (const op of ops) {
      for (const token of [null, "cks_not-a-real-token"]) {
        const res = await send(op, token);
        expect(res.status, `${op.method} ${op.path} (${token ? "bad" : "no"} token)`).toBe(401);
        if (op.method !== "HEAD") expect((await json(res)).error.code).toBe("unauthorized");
      }
    }
  });

  it("every /api route answers 403 to the wrong principal or group", async () => {
    let checked = 0;
    for (const op of ops) {
      for (const who of refused(op.auth, op.path)) {
        const res = await send(op, tokens[who]!);
        expect(res.status, `${op.method} ${op.path} as ${who} (auth: ${op.auth})`).toBe(403);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(ops.length);
  });
});
