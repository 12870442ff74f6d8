import { Hono } from "hono";
import { and, eq, gt, isNull, lt } from "drizzle-orm";
import { PairingStart, type PairingClaim } from "@cad-kiosk/schema";
import type { z } from "zod";
import { insertToken } from "../auth/tokens.ts";
import { ApiError, conflict, notFound } from "../errors.ts";
import { randomId } from "../lib/ids.ts";
import { db, tables } from "../lib/db.ts";
import { jsonBody } from "../lib/validate.ts";
import type { AppEnv, Env } from "../env.ts";

/**
 * Pairing a kiosk without typing a token into it:
 * 1. the kiosk makes its own device token, keeps it, and sends only its SHA-256 (`POST /api/pairings`,
 *    public); it gets a short code to show and a pairing id to poll;
 * 2. staff enter the code in the console and pick a group (`POST /api/kiosk/pairings/claim`, admin);
 *    the hash becomes a kiosk token of that group;
 * 3. the kiosk polls `GET /api/pairings/:id` until it says "paired", then connects with its token.
 * Nothing secret is stored or sent back; an unclaimed pairing expires.
 */
export const PAIRING_TTL_MS = 10 * 60 * 1000;
/** No 0/O, 1/I/L: codes are read off a screen. */
const ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const CODE_LENGTH = 6;

function newCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(CODE_LENGTH));
  let s = "";
  for (const b of bytes) s += ALPHABET[b % ALPHABET.length];
  return s;
}

/** What staff type, normalised: case and separators do not matter. */
export const normaliseCode = (code: string) => code.toUpperCase().replace(/[^A-Z0-9]/g, "");

const p = tables.pairings;

/** Public pairing routes (mounted before authentication); limited per client address. */
export const pairingRoutes = new Hono<AppEnv>()
  .post("/", async (c) => {
    const limiter = c.env.TOKEN_LIMITER;
    if (limiter) {
      const ip = c.req.header("CF-Connecting-IP") ?? "local";
      if (!(await limiter.limit({ key: `pairing:${ip}` })).success) {
        throw new ApiError(429, "rate_limited", "too many pairing requests; slow down", undefined, { "Retry-After": "60" });
      }
    }
    const { tokenHash } = await jsonBody(c, PairingStart);
    const d = db(c.env);
    const now = Date.now();
    await d.delete(p).where(lt(p.expiresAt, now));
    if (await d.query.tokens.findFirst({ where: eq(tables.tokens.hash, tokenHash), columns: { id: true } })) {
      throw conflict("token_exists", "this token hash is already a token; make a new device token");
    }
    for (let attempt = 0; attempt < 5; attempt++) {
      const row = { id: randomId(16), code: newCode(), tokenHash, expiresAt: now + PAIRING_TTL_MS };
      const [created] = await d.insert(p).values(row).onConflictDoNothing().returning();
      if (created) return c.json({ id: created.id, code: created.code, expiresAt: created.expiresAt }, 201);
    }
    throw conflict("pairing_busy", "could not allocate a pairing code (or this token hash is already pairing)");
  })
  .get("/:id", async (c) => {
    const row = await db(c.env).query.pairings.findFirst({ where: eq(p.id, c.req.param("id")) });
    if (!row) throw notFound("pairing");
    const status = row.tokenId ? "paired" : row.expiresAt <= Date.now() ? "expired" : "pending";
    return c.json({ status, groupId: row.groupId, expiresAt: row.expiresAt });
  });

/** Staff claim a code for a group: the pairing's hash becomes a kiosk token. */
export async function claimPairing(env: Env, input: z.infer<typeof PairingClaim>) {
  const d = db(env);
  const group = await d.query.kioskGroups.findFirst({ where: eq(tables.kioskGroups.id, input.groupId) });
  if (!group) throw notFound("kiosk group");
  const code = normaliseCode(input.code);
  // Take the pairing first (one claim wins), then make the token.
  const [taken] = await d
    .update(p)
    .set({ claimedAt: Date.now(), groupId: input.groupId })
    .where(and(eq(p.code, code), isNull(p.claimedAt), gt(p.expiresAt, Date.now())))
    .returning();
  if (!taken) throw notFound("pairing code (unknown, expired or already used)");
  const token = await insertToken(env, { kind: "kiosk", name: input.name, groupId: input.groupId }, taken.tokenHash);
  await d.update(p).set({ tokenId: token.id }).where(eq(p.id, taken.id));
  return token;
}
