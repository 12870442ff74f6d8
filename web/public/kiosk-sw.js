// Kiosk offline shell: the player's page and its scripts, network first, from the cache when the
// network is down (a kiosk that reboots during an outage still starts, then shows its cached model —
// the models themselves are cached by the player, keyed by SHA-256). API calls are never cached.
const SHELL = "cad-kiosk-shell-v1";

// Install: the page and every script and stylesheet it names (hashed file names, so the list is exact).
self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL);
    const page = await fetch("/kiosk");
    const html = await page.clone().text();
    await cache.put("/kiosk", page);
    const refs = [...html.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1]);
    await Promise.all(refs.map(async (ref) => {
      const res = await fetch(ref);
      if (res.ok) await cache.put(ref, res);
    }));
    await self.skipWaiting();
  })());
});
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/dl/")) return;
  event.respondWith((async () => {
    const cache = await caches.open(SHELL);
    try {
      const res = await fetch(req);
      if (res.ok) await cache.put(req, res.clone());
      return res;
    } catch (err) {
      const hit = await cache.match(req, { ignoreSearch: true });
      if (hit) return hit;
      throw err;
    }
  })());
});
