import { Hono } from "hono";
import { eq } from "drizzle-orm";
import { ApiError, notFound } from "../errors.ts";
import { db, tables } from "../lib/db.ts";
import type { AppEnv } from "../env.ts";
import { serveObject } from "./download.ts";
import { modelFile } from "./model-routes.ts";
import { verifyDownload } from "./signing.ts";

const denied = () => new ApiError(403, "forbidden", "invalid or expired download signature");

/**
 * GET /dl/:modelId?exp=&sig= — a model's GLB for whoever holds a signed URL (kiosk players, which
 * cannot send a bearer header from a <model-viewer> src). No token: the signature is the grant.
 */
export const signedDownloadRoutes = new Hono<AppEnv>().on(["GET", "HEAD"], "/:modelId", async (c) => {
  const modelId = c.req.param("modelId");
  if (!(await verifyDownload(c.env.URL_SIGNING_KEY, modelId, c.req.query("exp"), c.req.query("sig")))) throw denied();
  const model = await db(c.env).query.models.findFirst({ where: eq(tables.models.id, modelId) });
  if (!model) throw notFound("model");
  return serveObject(c.env.FILES, c.req.raw, modelFile(model, "glb"));
});
