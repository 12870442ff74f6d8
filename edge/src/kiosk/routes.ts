import { Hono } from "hono";
import { eq } from "drizzle-orm";
import { assertKioskGroup, requireAny } from "../auth/middleware.ts";
import { notFound } from "../errors.ts";
import { db, tables } from "../lib/db.ts";
import type { AppEnv } from "../env.ts";
import { kioskGroup } from "./kiosk-group.ts";

/** A kiosk's live connection to its group (staff viewers may watch too). */
export const kioskRoutes = new Hono<AppEnv>()
  .use(requireAny(["kiosk", "staff"]))
  .get("/groups/:id/socket", async (c) => {
    const groupId = c.req.param("id");
    assertKioskGroup(c.get("principal"), groupId);
    const group = await db(c.env).query.kioskGroups.findFirst({ where: eq(tables.kioskGroups.id, groupId) });
    if (!group) throw notFound("kiosk group");
    const headers = new Headers(c.req.raw.headers);
    headers.set("X-Group-Id", groupId);
    return kioskGroup(c.env, groupId).fetch(new Request(c.req.raw, { headers }));
  });
