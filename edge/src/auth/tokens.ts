import { and, eq, isNull } from "drizzle-orm";
import type { TokenCreate } from "@cad-kiosk/schema";
import { base64url, randomId, sha256Hex } from "../lib/ids.ts";
import { db, tables } from "../lib/db.ts";
import type { Env } from "../env.ts";
import type { Principal } from "./principal.ts";

const PREFIX = { staff: "cks", agent: "cka", kiosk: "ckk" } as const;

/**
 * A new secret: 32 random bytes behind a readable prefix (so a leaked token is recognisable in a scan).
 * Only its SHA-256 is stored; high-entropy secrets need no slow KDF.
 */
export function newTokenSecret(kind: keyof typeof PREFIX): string {
  return `${PREFIX[kind]}_${base64url(crypto.getRandomValues(new Uint8Array(32)))}`;
}

export const hashToken = (secret: string) => sha256Hex(secret);

export async function createToken(env: Env, input: TokenCreate) {
  const secret = newTokenSecret(input.kind);
  return { row: await insertToken(env, input, await hashToken(secret)), secret };
}

/** Store a token by its hash (pairing: the kiosk made the secret and sent only its hash). */
export async function insertToken(env: Env, input: TokenCreate, hash: string) {
  const row = {
    id: randomId(12),
    kind: input.kind,
    name: input.name,
    role: input.kind === "staff" ? input.role : null,
    groupId: input.kind === "kiosk" ? input.groupId : null,
    capabilities: input.kind === "agent" ? input.capabilities : null,
    hash,
  };
  const [created] = await db(env).insert(tables.tokens).values(row).returning();
  return created!;
}

/** How stale `last_used_at` may get before a request refreshes it (one write per token per window). */
const LAST_USED_GRANULARITY_MS = 5 * 60 * 1000;

/**
 * Resolve a bearer secret to its principal; revoked or unknown → null. `defer` receives the
 * last-used bookkeeping write so it can run after the response (waitUntil).
 */
export async function principalFor(
  env: Env,
  secret: string,
  defer: (work: Promise<unknown>) => void = () => {},
): Promise<Principal | null> {
  const hash = await hashToken(secret);
  const row = await db(env).query.tokens.findFirst({
    where: and(eq(tables.tokens.hash, hash), isNull(tables.tokens.revokedAt)),
  });
  if (!row) return null;
  const now = Date.now();
  if (!row.lastUsedAt || now - row.lastUsedAt > LAST_USED_GRANULARITY_MS) {
    defer(db(env).update(tables.tokens).set({ lastUsedAt: now }).where(eq(tables.tokens.id, row.id)).run());
  }
  return toPrincipal(row);
}

function toPrincipal(row: typeof tables.tokens.$inferSelect): Principal {
  switch (row.kind) {
    case "staff":
      return { kind: "staff", tokenId: row.id, role: row.role ?? "viewer" };
    case "agent":
      return { kind: "agent", tokenId: row.id, capabilities: (row.capabilities ?? []) as never };
    case "kiosk":
      return { kind: "kiosk", tokenId: row.id, groupId: row.groupId!, name: row.name };
  }
}
