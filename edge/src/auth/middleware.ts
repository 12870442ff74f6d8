import type { MiddlewareHandler } from "hono";
import type { Role } from "@cad-kiosk/schema";
import { ApiError } from "../errors.ts";
import type { AppEnv } from "../env.ts";
import type { Principal } from "./principal.ts";
import { principalFor } from "./tokens.ts";

const unauthorized = (message: string) =>
  new ApiError(401, "unauthorized", message, undefined, { "WWW-Authenticate": 'Bearer realm="cad-kiosk"' });
export const forbidden = (message: string) => new ApiError(403, "forbidden", message);

/** Reads `Authorization: Bearer <token>` and sets `principal`; no token or a bad one → 401. */
export function authenticate(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header("Authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw unauthorized("missing bearer token");
    const principal = await principalFor(c.env, match[1]!, (work) => c.executionCtx.waitUntil(work));
    if (!principal) throw unauthorized("invalid or revoked token");
    c.set("principal", principal);
    await next();
  };
}

const ROLE_RANK: Record<Role, number> = { viewer: 0, uploader: 1, admin: 2 };

/** Staff with at least `role` (admin ⊃ uploader ⊃ viewer). */
export function requireStaff(role: Role): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const p = c.get("principal");
    if (p.kind !== "staff") throw forbidden("staff token required");
    if (ROLE_RANK[p.role] < ROLE_RANK[role]) throw forbidden(`role ${role} required`);
    await next();
  };
}

export function requireAgent(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.get("principal").kind !== "agent") throw forbidden("agent token required");
    await next();
  };
}

/** Any principal listed; a kiosk only for its own group (route param `groupParam`, if given). */
export function requireAny(kinds: Principal["kind"][], minStaffRole: Role = "viewer"): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const p = c.get("principal");
    if (!kinds.includes(p.kind)) throw forbidden(`one of ${kinds.join(", ")} required`);
    if (p.kind === "staff" && ROLE_RANK[p.role] < ROLE_RANK[minStaffRole]) {
      throw forbidden(`role ${minStaffRole} required`);
    }
    await next();
  };
}

/** A kiosk may only touch its own group. */
export function assertKioskGroup(p: Principal, groupId: string | null | undefined): void {
  if (p.kind === "kiosk" && p.groupId !== groupId) throw forbidden("token is scoped to another kiosk group");
}
