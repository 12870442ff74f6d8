import { env, SELF } from "cloudflare:test";
import type { TokenCreate } from "@cad-kiosk/schema";
import { createToken } from "../src/auth/tokens.ts";

export const BASE = "https://edge.test";

/** A fresh token of any principal, straight into D1 (the admin API is tested separately). */
export async function tokenFor(input: TokenCreate): Promise<string> {
  return (await createToken(env, input)).secret;
}

export const adminToken = () => tokenFor({ kind: "staff", name: "admin", role: "admin" });
export const uploaderToken = () => tokenFor({ kind: "staff", name: "uploader", role: "uploader" });
export const viewerToken = () => tokenFor({ kind: "staff", name: "viewer", role: "viewer" });
export const agentToken = (capabilities: ("dxf" | "pdf-vector" | "pdf-raster")[] = ["dxf", "pdf-vector", "pdf-raster"]) =>
  tokenFor({ kind: "agent", name: "agent", capabilities });

export async function ensureGroup(id: string): Promise<void> {
  await env.DB.prepare("INSERT OR IGNORE INTO kiosk_groups (id, name) VALUES (?, ?)").bind(id, id).run();
}

export async function kioskToken(groupId: string): Promise<string> {
  await ensureGroup(groupId);
  return tokenFor({ kind: "kiosk", name: "kiosk", groupId });
}

/** Fetch the Worker with a bearer token. */
export function call(pathname: string, token: string | null, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token) headers.set("Authorization", `Bearer ${token}`);
  return SELF.fetch(new URL(pathname, BASE), { ...init, headers });
}

export async function json<T = any>(res: Response): Promise<T> {
  return (await res.json()) as T;
}
