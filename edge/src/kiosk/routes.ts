import { Hono, type Context } from "hono";
import { and, eq, isNull } from "drizzle-orm";
import { Id, PairingClaim, PublishRequest, ScenePatch, type KioskPresence } from "@cad-kiosk/schema";
import { assertKioskGroup, requireAny, requireStaff } from "../auth/middleware.ts";
import { ApiError, notFound } from "../errors.ts";
import { db, tables } from "../lib/db.ts";
import { jsonBody } from "../lib/validate.ts";
import type { AppEnv } from "../env.ts";
import { kioskGroup } from "./kiosk-group.ts";
import { claimPairing } from "./pairing.ts";
import type { Peer } from "./peer.ts";
import { disconnectRevoked, publishModel } from "./publish.ts";

const kioskOrStaff = requireAny(["kiosk", "staff"]);
const viewer = requireStaff("viewer");
const uploader = requireStaff("uploader");
const admin = requireStaff("admin");

/** The route's group id, if the caller may touch it (a kiosk only its own group). */
function scopedGroupId(c: Context<AppEnv>): string {
  const groupId = c.req.param("id")!;
  assertKioskGroup(c.get("principal"), groupId);
  if (!Id.safeParse(groupId).success) throw notFound("kiosk group"); // no object for a malformed name
  return groupId;
}

const notFoundGroup = (): never => {
  throw notFound("kiosk group");
};

/** The route's group, if the caller may touch it and it exists. */
async function groupOf(c: Context<AppEnv>) {
  const groupId = scopedGroupId(c);
  const group = await db(c.env).query.kioskGroups.findFirst({ where: eq(tables.kioskGroups.id, groupId) });
  if (!group) throw notFound("kiosk group");
  return group;
}

/** Kiosk sync: the group socket, its state and presence, publishing, the scene, pairing and revoking. */
export const kioskRoutes = new Hono<AppEnv>()
  // Who a kiosk token belongs to (the player checks its token with this).
  .get("/me", requireAny(["kiosk"]), async (c) => {
    const p = c.get("principal");
    const row = await db(c.env).query.tokens.findFirst({ where: eq(tables.tokens.id, p.tokenId) });
    return c.json({ kioskId: p.tokenId, name: row?.name ?? "", groupId: p.kind === "kiosk" ? p.groupId : null });
  })
  // The group's WebSocket: kiosks (own group) say hello and follow; staff consoles watch.
  .get("/groups/:id/socket", kioskOrStaff, async (c) => {
    // No D1 query here beyond authentication: the group's object checks the group exists (a reconnect
    // storm of a thousand kiosks is a thousand of these).
    const groupId = scopedGroupId(c);
    if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
      throw new ApiError(426, "upgrade_required", "WebSocket expected");
    }
    const p = c.get("principal");
    // Viewers watch; uploaders and admins may also control the scene over this socket (role checked here, once).
    const peer: Peer = p.kind === "kiosk"
      ? { role: "kiosk", id: p.tokenId, name: p.name, control: false }
      : { role: "staff", id: p.tokenId, name: "staff", control: p.kind === "staff" && p.role !== "viewer" };
    const headers = new Headers(c.req.raw.headers);
    headers.set("X-Group-Id", groupId);
    headers.set("X-Kiosk-Peer", JSON.stringify(peer));
    const res = await kioskGroup(c.env, groupId).fetch(new Request(c.req.raw, { headers }));
    if (res.status === 404) notFoundGroup();
    if (res.status === 401) throw new ApiError(401, "unauthorized", "invalid or revoked token");
    return res;
  })
  // The group's object checks the group exists (once), so these two need no D1 query of their own.
  .get("/groups/:id/state", kioskOrStaff, async (c) => {
    const groupId = scopedGroupId(c);
    return c.json((await kioskGroup(c.env, groupId).snapshot(groupId)) ?? notFoundGroup());
  })
  // Every kiosk token of the group, online or not.
  .get("/groups/:id/presence", viewer, async (c) => {
    const group = await groupOf(c);
    const [live, tokens] = await Promise.all([
      kioskGroup(c.env, group.id).presence(),
      db(c.env).select().from(tables.tokens).where(and(eq(tables.tokens.groupId, group.id), eq(tables.tokens.kind, "kiosk"), isNull(tables.tokens.revokedAt))),
    ]);
    const seen = new Map(live.map((k) => [k.kioskId, k]));
    const kiosks: KioskPresence[] = tokens.map((t) => seen.get(t.id) ?? {
      kioskId: t.id, name: t.name, online: false, since: t.createdAt, lastSeen: t.lastUsedAt ?? t.createdAt,
      appVersion: null, version: 0, modelId: null, ready: false, lastError: null, clockOffsetMs: null, rttMs: null,
    });
    return c.json({ kiosks });
  })
  .post("/groups/:id/publish", uploader, async (c) => {
    const group = await groupOf(c);
    const input = await jsonBody(c, PublishRequest);
    const started = await publishModel(c.env, group.id, input.modelId, { deadlineMs: input.deadlineMs });
    return c.json(started, 202);
  })
  .patch("/groups/:id/scene", uploader, async (c) => {
    const groupId = scopedGroupId(c);
    const patch = await jsonBody(c, ScenePatch);
    return c.json((await kioskGroup(c.env, groupId).setScene(groupId, patch)) ?? notFoundGroup());
  })
  .post("/pairings/claim", admin, async (c) => {
    const { hash: _secretHash, ...token } = await claimPairing(c.env, await jsonBody(c, PairingClaim));
    return c.json(token, 201);
  })
  // Revoke a kiosk: its token stops working and its sockets close at once.
  .delete("/kiosks/:kioskId", admin, async (c) => {
    const [row] = await db(c.env)
      .update(tables.tokens)
      .set({ revokedAt: Date.now() })
      .where(and(eq(tables.tokens.id, c.req.param("kioskId")), eq(tables.tokens.kind, "kiosk")))
      .returning();
    if (!row) throw notFound("kiosk");
    await disconnectRevoked(c.env, row);
    const { hash: _secretHash, ...token } = row;
    return c.json(token);
  });
