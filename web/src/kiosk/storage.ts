import type { GroupSnapshot } from "@cad-kiosk/schema/kiosk";

/**
 * What a kiosk keeps across restarts: its device token, a pairing in progress, the last group state it
 * applied (so it starts offline and says hello with its version), and the GLBs it showed (Cache Storage,
 * keyed by SHA-256, so a model is fetched once and survives an offline start).
 */
const KEY = { token: "cad-kiosk.token", pairing: "cad-kiosk.pairing", state: "cad-kiosk.state", group: "cad-kiosk.group" };
const CACHE = "cad-kiosk-models-v1";

export interface PendingPairing {
  secret: string;
  id: string;
  code: string;
  expiresAt: number;
}

const read = <T>(key: string): T | null => {
  try {
    return JSON.parse(localStorage.getItem(key) ?? "null") as T | null;
  } catch {
    return null;
  }
};

export const store = {
  token: () => localStorage.getItem(KEY.token),
  setToken: (t: string | null) => (t ? localStorage.setItem(KEY.token, t) : localStorage.removeItem(KEY.token)),
  group: () => localStorage.getItem(KEY.group),
  setGroup: (g: string) => localStorage.setItem(KEY.group, g),
  pairing: () => read<PendingPairing>(KEY.pairing),
  setPairing: (p: PendingPairing | null) => (p ? localStorage.setItem(KEY.pairing, JSON.stringify(p)) : localStorage.removeItem(KEY.pairing)),
  state: () => read<GroupSnapshot>(KEY.state),
  setState: (s: GroupSnapshot) => localStorage.setItem(KEY.state, JSON.stringify(s)),
  /** Forget everything (a revoked kiosk starts pairing again). */
  reset: () => Object.values(KEY).forEach((k) => localStorage.removeItem(k)),
};

const cacheKey = (sha256: string) => new Request(`${location.origin}/__kiosk-cache/${sha256}.glb`);

/** A cached GLB by content hash, or null. */
export async function cachedModel(sha256: string): Promise<ArrayBuffer | null> {
  if (!("caches" in self)) return null;
  const hit = await (await caches.open(CACHE)).match(cacheKey(sha256));
  return hit ? hit.arrayBuffer() : null;
}

/** Keep `glb` and drop every other cached model but `keep` (the one on screen). */
export async function cacheModel(sha256: string, glb: ArrayBuffer, keep: string[] = []): Promise<void> {
  if (!("caches" in self)) return;
  const cache = await caches.open(CACHE);
  await cache.put(cacheKey(sha256), new Response(glb, { headers: { "content-type": "model/gltf-binary" } }));
  const wanted = new Set([sha256, ...keep].map((s) => cacheKey(s).url));
  for (const req of await cache.keys()) if (!wanted.has(req.url)) await cache.delete(req);
}
