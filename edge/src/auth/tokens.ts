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
  const row = {
    id: randomId(12),
    kind: input.kind,
    name: input.name,
    role: input.kind === "staff" ? input.role : null,
    groupId: input.kind === "kiosk" ? input.groupId : null,
    capabilities: input.kind === "agent" ? input.capabilities : null,
    hash: await hashToken(secret),
  };
  const [created] = await db(env).insert(tables.tokens).values(row).returning();
  return { row: created!, secret };
}

/** Resolve a bearer secret to its principal; revoked or unknown → null. */
export async function principalFor(env: Env, secret: string): Promise<Principal | null> {
  const hash = await hashToken(secret);
  const row = await db(env).query.tokens.findFirst({
    where: and(eq(tables.tokens.hash, hash), isNull(tables.tokens.revokedAt)),
  });
  if (!row) return null;
  switch (row.kind) {
    case "staff":
      return { kind: "staff", tokenId: row.id, role: row.role ?? "viewer" };
    case "agent":
      return { kind: "agent", tokenId: row.id, capabilities: (row.capabilities ?? []) as never };
    case "kiosk":
      return { kind: "kiosk", tokenId: row.id, groupId: row.groupId! };
  }
}
