import type { Context, MiddlewareHandler } from "hono";
import type { Role } from "@cad-kiosk/schema";
import { ApiError } from "../errors.ts";
import type { AppEnv } from "../env.ts";
import type { Principal } from "./principal.ts";
import { principalFor } from "./tokens.ts";

const unauthorized = (message: string) =>
  new ApiError(401, "unauthorized", message, undefined, { "WWW-Authenticate": 'Bearer realm="cad-kiosk"' });
export const forbidden = (message: string) => new ApiError(403, "forbidden", message);

/** The WebSocket subprotocol browsers offer with their token (`bearer.<token>`); the answer names it. */
export const SOCKET_PROTOCOL = "cad-kiosk";

/**
 * The bearer token: `Authorization: Bearer <token>`, or — for browser WebSockets, which cannot set
 * headers — the subprotocol list `cad-kiosk, bearer.<token>` (never a query string, which logs keep).
 */
function bearerOf(c: Context<AppEnv>): { token: string; viaProtocol: boolean } | null {
  const match = /^Bearer\s+(\S+)$/i.exec(c.req.header("Authorization") ?? "");
  if (match) return { token: match[1]!, viaProtocol: false };
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") return null;
  const offered = (c.req.header("Sec-WebSocket-Protocol") ?? "").split(",").map((p) => p.trim());
  const token = offered.find((p) => p.startsWith("bearer."))?.slice("bearer.".length);
  return token && offered.includes(SOCKET_PROTOCOL) ? { token, viaProtocol: true } : null;
}

/** Reads the bearer token and sets `principal`; no token or a bad one → 401. */
export function authenticate(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const bearer = bearerOf(c);
    if (!bearer) throw unauthorized("missing bearer token");
    const principal = await principalFor(c.env, bearer.token, (work) => c.executionCtx.waitUntil(work));
    if (!principal) throw unauthorized("invalid or revoked token");
    c.set("principal", principal);
    await next();
    // A browser that offered subprotocols needs one chosen in the answer, or it drops the socket.
    if (bearer.viaProtocol && c.res.status === 101 && c.res.webSocket) {
      const headers = new Headers(c.res.headers);
      headers.set("Sec-WebSocket-Protocol", SOCKET_PROTOCOL);
      c.res = new Response(null, { status: 101, webSocket: c.res.webSocket, headers });
    }
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
