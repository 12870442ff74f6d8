import { Hono } from "hono";
import { desc, eq } from "drizzle-orm";
import { GroupCreate, TokenCreate } from "@cad-kiosk/schema";
import { requireStaff } from "../auth/middleware.ts";
import { createToken } from "../auth/tokens.ts";
import { conflict, notFound } from "../errors.ts";
import { db, tables } from "../lib/db.ts";
import { jsonBody } from "../lib/validate.ts";
import { disconnectRevoked } from "../kiosk/publish.ts";
import type { AppEnv } from "../env.ts";

type TokenRow = typeof tables.tokens.$inferSelect;
const presentToken = ({ hash: _secretHash, ...row }: TokenRow) => row;

/** Token and kiosk-group administration: admin only. */
export const adminRoutes = new Hono<AppEnv>()
  .use(requireStaff("admin"))
  .post("/tokens", async (c) => {
    const input = await jsonBody(c, TokenCreate);
    if (input.kind === "kiosk") {
      const group = await db(c.env).query.kioskGroups.findFirst({ where: eq(tables.kioskGroups.id, input.groupId) });
      if (!group) throw notFound("kiosk group");
    }
    const { row, secret } = await createToken(c.env, input);
    return c.json({ ...presentToken(row), token: secret }, 201);
  })
  .get("/tokens", async (c) => {
    const rows = await db(c.env).select().from(tables.tokens).orderBy(desc(tables.tokens.createdAt));
    return c.json({ tokens: rows.map(presentToken) });
  })
  .delete("/tokens/:id", async (c) => {
    const [row] = await db(c.env)
      .update(tables.tokens)
      .set({ revokedAt: Date.now() })
      .where(eq(tables.tokens.id, c.req.param("id")))
      .returning();
    if (!row) throw notFound("token");
    await disconnectRevoked(c.env, row); // a revoked kiosk or staff token is disconnected at once
    return c.json(presentToken(row));
  })
  .post("/groups", async (c) => {
    const input = await jsonBody(c, GroupCreate);
    const [row] = await db(c.env).insert(tables.kioskGroups).values(input).onConflictDoNothing().returning();
    if (!row) throw conflict("group_exists", `kiosk group ${input.id} already exists`);
    return c.json(row, 201);
  });

/**
 * Kiosk groups are readable by any staff member. Mounted at the /api root, so the guard sits on the
 * route: a `.use()` here would run for every /api path and refuse agents and kiosks everywhere.
 */
export const groupReadRoutes = new Hono<AppEnv>()
  .get("/groups", requireStaff("viewer"), async (c) => {
    const rows = await db(c.env).select().from(tables.kioskGroups).orderBy(tables.kioskGroups.id);
    return c.json({ groups: rows });
  });
