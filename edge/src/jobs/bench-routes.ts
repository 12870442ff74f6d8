import { Hono } from "hono";
import { requireStaff } from "../auth/middleware.ts";
import { notFound } from "../errors.ts";
import { randomId, sha256Hex } from "../lib/ids.ts";
import { db, tables } from "../lib/db.ts";
import type { AppEnv } from "../env.ts";
import { createJobForDrawing } from "./create.ts";

/**
 * POST /api/bench/jobs — benchmark only: a fresh tiny DXF drawing and its job, without the upload
 * route. Off unless the Worker runs with `--var BENCH:1` (never set in wrangler.toml); admin only.
 */
export const benchRoutes = new Hono<AppEnv>().post("/bench/jobs", requireStaff("admin"), async (c) => {
  if ((c.env as { BENCH?: string }).BENCH !== "1") throw notFound("route");
  const bytes = new TextEncoder().encode(`0\nSECTION\n2\nENTITIES\n999\n${randomId(12)}\n0\nENDSEC\n0\nEOF\n`);
  const sha256 = await sha256Hex(bytes);
  const r2Key = `drawings/${sha256}`;
  await c.env.FILES.put(r2Key, bytes);
  const id = randomId(12);
  const principal = c.get("principal");
  await db(c.env).insert(tables.drawings).values({
    id, sha256, filename: `bench-${id}.dxf`, size: bytes.byteLength, fileKind: "dxf", r2Key, createdBy: principal.tokenId,
  });
  const { job } = await createJobForDrawing(c.env, {
    drawingId: id, sha256, fileKind: "dxf", options: {}, createdBy: principal.tokenId,
  });
  return c.json({ job }, 201);
});
