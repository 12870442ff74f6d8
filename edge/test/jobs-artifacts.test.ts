import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { agentToken, call, ensureGroup, json, kioskToken, viewerToken } from "./helpers.ts";
import { PNG_BYTES, glbBytes, lease, makeJob, post, putArtifact, resetJobs } from "./jobs-fixtures.ts";
import { sha256Hex } from "../src/lib/ids.ts";

beforeEach(resetJobs);

/** Lease a job, upload the artifacts given, complete it; returns the model id and the bytes. */
async function completedModel(opts: { report?: boolean; preview?: boolean; targetGroup?: string } = {}) {
  if (opts.targetGroup) await ensureGroup(opts.targetGroup);
  const agent = await agentToken();
  const { job } = await makeJob({ options: opts.targetGroup ? { targetGroup: opts.targetGroup } : {} });
  const l = await lease(agent);
  const glb = glbBytes();
  expect((await putArtifact(agent, job.id, l.fence, "glb", glb)).status).toBe(201);
  if (opts.report) expect((await putArtifact(agent, job.id, l.fence, "report", new TextEncoder().encode('{"warnings":[]}'))).status).toBe(201);
  if (opts.preview) expect((await putArtifact(agent, job.id, l.fence, "preview", PNG_BYTES)).status).toBe(201);
  const res = await post(`/api/agent/jobs/${job.id}/complete`, agent, { fence: l.fence, stats: { walls: 4 } });
  expect(res.status).toBe(200);
  const done = (await json(res)).job;
  return { agent, job: done, fence: l.fence, glb, modelId: done.modelId as string };
}

describe("artifacts", () => {
  it("streams a GLB into R2 under its SHA-256", async () => {
    const agent = await agentToken();
    const { job } = await makeJob();
    const l = await lease(agent);
    const glb = glbBytes();
    const res = await putArtifact(agent, job.id, l.fence, "glb", glb);
    expect(res.status).toBe(201);
    const body = await json(res);
    const sha = await sha256Hex(glb);
    expect(body).toEqual({ kind: "glb", sha256: sha, size: glb.byteLength });
    const obj = await env.FILES.get(`models/${sha}.glb`);
    expect(new Uint8Array(await obj!.arrayBuffer())).toEqual(glb);
    // No temporary objects are left behind.
    expect((await env.FILES.list({ prefix: "tmp/" })).objects).toEqual([]);
  });

  it("streams a big GLB (past the in-memory size) through a temporary object to its address", async () => {
    const agent = await agentToken();
    const { job } = await makeJob();
    const l = await lease(agent);
    const glb = glbBytes(undefined, 9 * 1024 * 1024);
    const res = await putArtifact(agent, job.id, l.fence, "glb", glb);
    expect(res.status).toBe(201);
    const sha = await sha256Hex(glb);
    expect(await json(res)).toEqual({ kind: "glb", sha256: sha, size: glb.byteLength });
    const obj = await env.FILES.get(`models/${sha}.glb`);
    expect(obj!.size).toBe(glb.byteLength);
    expect((await env.FILES.list({ prefix: "tmp/" })).objects).toEqual([]);
  });

  it("validates magic bytes, JSON and lengths", async () => {
    const agent = await agentToken();
    const { job } = await makeJob();
    const l = await lease(agent);
    const bad = glbBytes();
    bad[0] = 0x47; bad[1] = 0x4c; // "GL.."
    const cases: [string, Uint8Array, number][] = [
      ["glb", bad, 422],
      ["glb", new TextEncoder().encode("glTF"), 422],
      ["report", new TextEncoder().encode("{not json"), 422],
      ["report", new TextEncoder().encode("[1,2]"), 422],
      ["preview", new TextEncoder().encode("GIF89a.........."), 422],
      ["mesh", glbBytes(), 404],
    ];
    for (const [kind, bytes, status] of cases) {
      const res = await putArtifact(agent, job.id, l.fence, kind, bytes);
      expect(res.status, `${kind}`).toBe(status);
      if (status === 422) expect((await json(res)).error.code).toBe("invalid_artifact");
    }
    expect((await env.FILES.list({ prefix: "tmp/" })).objects).toEqual([]);
    // GLB header length must equal the body length.
    const glb = glbBytes();
    new DataView(glb.buffer).setUint32(8, glb.byteLength + 4, true);
    expect((await putArtifact(agent, job.id, l.fence, "glb", glb)).status).toBe(422);
  });

  it("refuses uploads without a current lease, and oversized ones", async () => {
    const agent = await agentToken();
    const { job } = await makeJob();
    const l = await lease(agent);
    expect((await putArtifact(agent, job.id, l.fence + 1, "glb", glbBytes())).status).toBe(409);
    expect((await putArtifact(await agentToken(), job.id, l.fence, "glb", glbBytes())).status).toBe(409);
    const huge = await call(`/api/agent/jobs/${job.id}/artifacts/report?fence=${l.fence}`, agent, {
      method: "PUT", body: "{}", headers: { "Content-Length": String(6 * 1024 * 1024) },
    }).catch(() => null);
    if (huge) expect([413, 400]).toContain(huge.status);
  });
});

describe("complete", () => {
  it("creates a model; a repeat with the same fence gets the same answer", async () => {
    const { agent, job, fence, glb, modelId } = await completedModel({ report: true, preview: true });
    expect(job.status).toBe("succeeded");
    expect(modelId).toBeTruthy();
    const again = await post(`/api/agent/jobs/${job.id}/complete`, agent, { fence, stats: { walls: 4 } });
    expect(again.status).toBe(200);
    expect((await json(again)).job).toEqual(job);
    const models = await env.DB.prepare("SELECT id, glb_sha256, glb_size, stats FROM models").all();
    expect(models.results).toEqual([{ id: modelId, glb_sha256: await sha256Hex(glb), glb_size: glb.byteLength, stats: '{"walls":4}' }]);
    const model = await json(await call(`/api/models/${modelId}`, await viewerToken()));
    expect(model).toMatchObject({ id: modelId, jobId: job.id, hasReport: true, hasPreview: true, stats: { walls: 4 } });
  });

  it("two concurrent completes with one fence: one model, both answered alike", async () => {
    const agent = await agentToken();
    const { job } = await makeJob();
    const l = await lease(agent);
    await putArtifact(agent, job.id, l.fence, "glb", glbBytes());
    const [a, b] = await Promise.all([1, 2].map(() => post(`/api/agent/jobs/${job.id}/complete`, agent, { fence: l.fence })));
    expect([a!.status, b!.status]).toEqual([200, 200]);
    expect((await json(a!)).job).toEqual((await json(b!)).job);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM models").first())!.n).toBe(1);
  });
});

describe("model downloads", () => {
  it("serves the GLB with an ETag, immutable caching, 304 and ranges", async () => {
    const { glb, modelId } = await completedModel();
    const viewer = await viewerToken();
    const sha = await sha256Hex(glb);
    const res = await call(`/api/models/${modelId}/glb`, viewer);
    expect(res.status).toBe(200);
    expect(res.headers.get("ETag")).toBe(`"${sha}"`);
    expect(res.headers.get("Cache-Control")).toBe("public, max-age=31536000, immutable");
    expect(res.headers.get("Content-Type")).toBe("model/gltf-binary");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(glb);

    const cached = await call(`/api/models/${modelId}/glb`, viewer, { headers: { "If-None-Match": `"${sha}"` } });
    expect(cached.status).toBe(304);
    expect(cached.headers.get("ETag")).toBe(`"${sha}"`);

    const part = await call(`/api/models/${modelId}/glb`, viewer, { headers: { Range: "bytes=4-11" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("Content-Range")).toBe(`bytes 4-11/${glb.byteLength}`);
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(glb.slice(4, 12));

    const suffix = await call(`/api/models/${modelId}/glb`, viewer, { headers: { Range: "bytes=-4" } });
    expect(suffix.status).toBe(206);
    expect(new Uint8Array(await suffix.arrayBuffer())).toEqual(glb.slice(-4));

    for (const bad of [`bytes=${glb.byteLength}-`, "bytes=9-3", "items=0-1"]) {
      const r = await call(`/api/models/${modelId}/glb`, viewer, { headers: { Range: bad } });
      expect(r.status, bad).toBe(416);
      expect(r.headers.get("Content-Range")).toBe(`bytes */${glb.byteLength}`);
    }
  });

  it("serves report and preview; a missing one is 404", async () => {
    const { modelId } = await completedModel({ report: true });
    const viewer = await viewerToken();
    const report = await call(`/api/models/${modelId}/report`, viewer);
    expect(report.status).toBe(200);
    expect(await report.json()).toEqual({ warnings: [] });
    expect(report.headers.get("ETag")).toMatch(/^"[0-9a-f]{64}"$/);
    expect((await call(`/api/models/${modelId}/preview`, viewer)).status).toBe(404);
  });

  it("kiosks read only the model published to their own group", async () => {
    const { modelId } = await completedModel({ targetGroup: "lobby" });
    const own = await kioskToken("lobby");
    const other = await kioskToken("annex");
    expect((await call(`/api/models/${modelId}/glb`, own)).status).toBe(200);
    expect((await call(`/api/models/${modelId}`, own)).status).toBe(200);
    expect((await json(await call("/api/models", own))).models.map((m: any) => m.id)).toEqual([modelId]);
    expect((await call(`/api/models/${modelId}/glb`, other)).status).toBe(403);
    expect((await call(`/api/models/${modelId}`, other)).status).toBe(403);
    expect((await json(await call("/api/models", other))).models).toEqual([]);
    expect((await call(`/api/models/${modelId}/glb`, await agentToken())).status).toBe(403);
  });
});

describe("signed URLs", () => {
  it("a signed URL downloads without a token; expired or tampered ones are 403", async () => {
    const { glb, modelId } = await completedModel({ targetGroup: "lobby" });
    const res = await post(`/api/models/${modelId}/signed-url`, await kioskToken("lobby"));
    expect(res.status).toBe(200);
    const { url, expiresAt } = await json(res);
    expect(expiresAt).toBeGreaterThan(Date.now() + 3_500_000);
    const u = new URL(url);
    expect(u.pathname).toBe(`/dl/${modelId}`);
    const ok = await call(u.pathname + u.search, null);
    expect(ok.status).toBe(200);
    expect(new Uint8Array(await ok.arrayBuffer())).toEqual(glb);
    expect((await call(u.pathname + u.search, null, { headers: { Range: "bytes=0-3" } })).status).toBe(206);

    const sig = u.searchParams.get("sig")!;
    const tampered = [
      `/dl/${modelId}?exp=${Number(u.searchParams.get("exp")) + 1000}&sig=${sig}`,
      `/dl/${modelId}?exp=${u.searchParams.get("exp")}&sig=${sig.slice(0, -2)}${sig.endsWith("AA") ? "AB" : "AA"}`,
      `/dl/other-model?exp=${u.searchParams.get("exp")}&sig=${sig}`,
      `/dl/${modelId}?exp=${u.searchParams.get("exp")}`,
      `/dl/${modelId}`,
    ];
    for (const path of tampered) expect((await call(path, null)).status, path).toBe(403);

    // Expired: signed correctly, but in the past.
    const { signDownload } = await import("../src/jobs/signing.ts");
    const past = Date.now() - 1000;
    const expired = await signDownload(env.URL_SIGNING_KEY!, modelId, past);
    expect((await call(`/dl/${modelId}?exp=${past}&sig=${expired}`, null)).status).toBe(403);
  });

  it("a kiosk cannot sign URLs for another group's model", async () => {
    const { modelId } = await completedModel({ targetGroup: "lobby" });
    expect((await post(`/api/models/${modelId}/signed-url`, await kioskToken("annex"))).status).toBe(403);
    expect((await post(`/api/models/${modelId}/signed-url`, await viewerToken())).status).toBe(200);
  });
});
