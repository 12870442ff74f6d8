import { Hono } from "hono";
import { cors } from "hono/cors";
import { adminRoutes, groupReadRoutes } from "./admin/routes.ts";
import { authenticate } from "./auth/middleware.ts";
import { errorResponse } from "./errors.ts";
import { agentRoutes } from "./jobs/agent-routes.ts";
import { readRoutes } from "./jobs/read-routes.ts";
import { signedDownloadRoutes } from "./jobs/signed-download.ts";
import { pairingRoutes } from "./kiosk/pairing.ts";
import { kioskRoutes } from "./kiosk/routes.ts";
import { rateLimit } from "./middleware/rate-limit.ts";
import { requestId } from "./middleware/request-id.ts";
import { openApiDocument } from "./openapi.ts";
import { discoveryHeaders, uploadRoutes } from "./uploads/routes.ts";
import type { AppEnv } from "./env.ts";

/**
 * The edge app, composed in one place: public discovery routes, then everything under /api behind
 * authentication and a per-token rate limit; each feature's router adds its own authorisation.
 */
export function createApp() {
  const api = new Hono<AppEnv>()
    .use(authenticate(), rateLimit())
    .route("/admin", adminRoutes)
    .route("/", groupReadRoutes)
    .route("/uploads", uploadRoutes)
    .route("/agent", agentRoutes)
    .route("/kiosk", kioskRoutes)
    .route("/", readRoutes);

  return new Hono<AppEnv>()
    .use(requestId())
    // tus discovery (OPTIONS /api/uploads) carries no data, so clients may call it without a token;
    // CORS answers the OPTIONS, and the tus headers are added to that answer.
    .use("/api/uploads", async (c, next) => {
      await next();
      if (c.req.method === "OPTIONS") {
        for (const [k, v] of Object.entries(discoveryHeaders(c.env))) c.res.headers.set(k, v);
      }
    })
    .use(
      "/api/*",
      cors({
        origin: "*",
        allowHeaders: ["Authorization", "Content-Type", "Tus-Resumable", "Upload-Length", "Upload-Offset",
          "Upload-Metadata", "Upload-Checksum", "Upload-Concat", "Upload-Defer-Length", "X-HTTP-Method-Override"],
        allowMethods: ["GET", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS"],
        exposeHeaders: ["Location", "Tus-Resumable", "Tus-Version", "Tus-Extension", "Tus-Max-Size",
          "Tus-Checksum-Algorithm", "Upload-Offset", "Upload-Length", "Upload-Expires", "Upload-Metadata", "ETag",
          "Content-Range", "X-Upload-Part-Size", "X-Upload-Chunk-Size", "X-Drawing-Id", "X-Job-Id",
          "X-Upload-Deduplicated", "X-Request-Id"],
        maxAge: 600,
      }),
    )
    .get("/health", (c) => c.json({ ok: true }))
    .get("/openapi.json", (c) => c.json(openApiDocument()))
    .route("/dl", signedDownloadRoutes)
    // A kiosk asks to be paired before it has a token: public, limited per address.
    .route("/api/pairings", pairingRoutes)
    .route("/api", api)
    .notFound((c) => c.json({ error: { code: "not_found", message: `no route for ${c.req.method} ${c.req.path}` } }, 404))
    .onError((err, c) => errorResponse(c, err));
}
