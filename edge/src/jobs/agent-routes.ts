import { Hono, type Context } from "hono";
import { eq } from "drizzle-orm";
import { ClaimRequest, CompleteRequest, FailRequest, HeartbeatRequest, ProgressEvent } from "@cad-kiosk/schema";
import { forbidden, requireAgent } from "../auth/middleware.ts";
import { ApiError, badRequest, notFound } from "../errors.ts";
import { db, tables } from "../lib/db.ts";
import { jsonBody } from "../lib/validate.ts";
import type { AppEnv } from "../env.ts";
import { isArtifactKind, storeArtifact } from "./artifacts.ts";
import { claimJob } from "./claim.ts";
import { serveObject } from "./download.ts";
import { completeJob, failJob } from "./finish.ts";
import { presentJob } from "./present.ts";
import { heartbeat, recordProgress } from "./progress.ts";

/** The calling agent's token id and capabilities (requireAgent has run). */
function agent(c: Context<AppEnv>) {
  const p = c.get("principal");
  if (p.kind !== "agent") throw forbidden("agent token required");
  return p;
}

const DRAWING_TYPES: Record<string, string> = {
  dxf: "image/vnd.dxf", "dxf-binary": "image/vnd.dxf", pdf: "application/pdf", png: "image/png", jpeg: "image/jpeg",
};

/** The agent protocol: lease, fetch the drawing, heartbeat, progress, artifacts, complete or fail. */
export const agentRoutes = new Hono<AppEnv>()
  .use(requireAgent())
  .post("/claim", async (c) => {
    const me = agent(c);
    const input = await jsonBody(c, ClaimRequest);
    const capabilities = input.capabilities.filter((x) => me.capabilities.includes(x));
    if (!capabilities.length) throw forbidden("this token may not lease any of the requested capabilities");
    const lease = await claimJob(c.env, {
      owner: me.tokenId, capabilities, waitMs: input.waitSeconds * 1000, baseUrl: c.req.url, signal: c.req.raw.signal,
    });
    return lease ? c.json(lease) : c.body(null, 204);
  })
  .get("/jobs/:id/drawing", async (c) => {
    const me = agent(c);
    const d = db(c.env);
    const job = await d.query.jobs.findFirst({ where: eq(tables.jobs.id, c.req.param("id")) });
    if (!job) throw notFound("job");
    if (job.status !== "leased" || job.leaseOwner !== me.tokenId) throw forbidden("only the current lease holder may fetch the drawing");
    const drawing = await d.query.drawings.findFirst({ where: eq(tables.drawings.id, job.drawingId) });
    if (!drawing) throw notFound("drawing");
    return serveObject(c.env.FILES, c.req.raw, {
      key: drawing.r2Key, sha256: drawing.sha256, contentType: DRAWING_TYPES[drawing.fileKind] ?? "application/octet-stream",
      filename: drawing.filename.replace(/["\\\r\n]/g, "_"), cacheControl: "private, no-store",
    });
  })
  .post("/jobs/:id/heartbeat", async (c) => {
    const input = await jsonBody(c, HeartbeatRequest);
    return c.json(await heartbeat(c.env, c.req.param("id"), agent(c).tokenId, input.fence));
  })
  .post("/jobs/:id/progress", async (c) => {
    const input = await jsonBody(c, ProgressEvent);
    return c.json(await recordProgress(c.env, c.req.param("id"), agent(c).tokenId, input));
  })
  .put("/jobs/:id/artifacts/:kind", async (c) => {
    const kind = c.req.param("kind");
    if (!isArtifactKind(kind)) throw notFound(`artifact kind ${kind}`);
    const fence = Number(c.req.query("fence") ?? c.req.header("X-Job-Fence"));
    if (!Number.isInteger(fence) || fence < 1) throw badRequest("fence (query ?fence= or X-Job-Fence header) is required");
    const lengthHeader = c.req.header("Content-Length");
    if (!lengthHeader || !/^\d+$/.test(lengthHeader)) {
      throw new ApiError(411, "length_required", "artifacts need a Content-Length (no chunked bodies)");
    }
    const body = c.req.raw.body;
    if (!body) throw badRequest("empty body");
    const stored = await storeArtifact(c.env, {
      jobId: c.req.param("id"), owner: agent(c).tokenId, fence, kind, length: Number(lengthHeader), body,
    });
    return c.json({ kind: stored.kind, sha256: stored.sha256, size: stored.size }, 201);
  })
  .post("/jobs/:id/complete", async (c) => {
    const input = await jsonBody(c, CompleteRequest);
    return c.json({ job: presentJob(await completeJob(c.env, c.req.param("id"), agent(c).tokenId, input)) });
  })
  .post("/jobs/:id/fail", async (c) => {
    const input = await jsonBody(c, FailRequest);
    return c.json({ job: presentJob(await failJob(c.env, c.req.param("id"), agent(c).tokenId, input)) });
  });
