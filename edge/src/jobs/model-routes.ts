import { Hono, type Context } from "hono";
import { eq } from "drizzle-orm";
import { forbidden, requireAny } from "../auth/middleware.ts";
import { ApiError, notFound } from "../errors.ts";
import { db, tables } from "../lib/db.ts";
import { settings, type AppEnv, type Env } from "../env.ts";
import { ARTIFACT_SPECS, isArtifactKind } from "./artifacts.ts";
import { serveObject } from "./download.ts";
import { pageClause, pageOf, pageQuery } from "./pagination.ts";
import { presentModel, type ModelRow } from "./present.ts";
import { signDownload } from "./signing.ts";

const staffOrKiosk = requireAny(["staff", "kiosk"]);

/** The kiosk group's published model id (a kiosk may read only that one). */
async function publishedModelOf(env: Env, groupId: string): Promise<string | null> {
  const group = await db(env).query.kioskGroups.findFirst({ where: eq(tables.kioskGroups.id, groupId) });
  return group?.publishedModelId ?? null;
}

/**
 * The model, if the caller may read it: staff read every model, a kiosk only the model published to
 * its own group (checked before existence, so a kiosk learns nothing about other models).
 */
export async function readableModel(c: Context<AppEnv>, modelId: string): Promise<ModelRow> {
  const p = c.get("principal");
  if (p.kind === "kiosk" && (await publishedModelOf(c.env, p.groupId)) !== modelId) {
    throw forbidden("this model is not published to your kiosk group");
  }
  const row = await db(c.env).query.models.findFirst({ where: eq(tables.models.id, modelId) });
  if (!row) throw notFound("model");
  return row;
}

/** R2 key and ETag of one file of a model. */
export function modelFile(model: ModelRow, kind: "glb" | "report" | "preview") {
  const key = kind === "glb" ? model.glbKey : kind === "report" ? model.reportKey : model.previewKey;
  if (!key) throw notFound(`${kind} of this model`);
  // Keys are content addresses: <prefix>/<sha256>.<ext>.
  const sha256 = kind === "glb" ? model.glbSha256 : key.slice(key.lastIndexOf("/") + 1, key.lastIndexOf("."));
  const spec = ARTIFACT_SPECS[kind];
  return { key, sha256, contentType: spec.contentType, filename: `${model.id}.${spec.ext}` };
}

/** Models and their files for staff and kiosks; signed URLs for kiosk players. */
export const modelRoutes = new Hono<AppEnv>()
  .get("/models", staffOrKiosk, async (c) => {
    const p = c.get("principal");
    const d = db(c.env);
    if (p.kind === "kiosk") {
      const id = await publishedModelOf(c.env, p.groupId);
      const row = id ? await d.query.models.findFirst({ where: eq(tables.models.id, id) }) : undefined;
      return c.json({ models: row ? [presentModel(row)] : [], nextCursor: null });
    }
    const page = pageQuery(c.req.query("limit"), c.req.query("cursor"));
    const { where, orderBy } = pageClause(tables.models, page);
    const rows = await d.select().from(tables.models).where(where).orderBy(...orderBy).limit(page.limit + 1);
    const { items, nextCursor } = pageOf(rows, page.limit);
    return c.json({ models: items.map(presentModel), nextCursor });
  })
  .get("/models/:id", staffOrKiosk, async (c) => c.json(presentModel(await readableModel(c, c.req.param("id")))))
  .on(["GET", "HEAD"], "/models/:id/:file{glb|report|preview}", staffOrKiosk, async (c) => {
    const kind = c.req.param("file");
    if (!isArtifactKind(kind)) throw notFound("file");
    const model = await readableModel(c, c.req.param("id"));
    return serveObject(c.env.FILES, c.req.raw, modelFile(model, kind));
  })
  .post("/models/:id/signed-url", staffOrKiosk, async (c) => {
    const model = await readableModel(c, c.req.param("id"));
    const secret = c.env.URL_SIGNING_KEY;
    if (!secret) throw new ApiError(503, "signing_unavailable", "URL signing is not configured");
    const expiresAt = Date.now() + settings(c.env).signedUrlMs;
    const sig = await signDownload(secret, model.id, expiresAt);
    const url = new URL(`/dl/${encodeURIComponent(model.id)}`, c.req.url);
    url.search = new URLSearchParams({ exp: String(expiresAt), sig }).toString();
    return c.json({ url: url.href, expiresAt });
  });
