import { ModelView } from "../viewer/model-view.ts";
import { pairKiosk } from "./pairing.ts";
import { Player } from "./player.ts";
import { store } from "./storage.ts";
import { GroupSync } from "./sync.ts";
import { Watchdog } from "./watchdog.ts";

/**
 * The kiosk player (/kiosk): pair if there is no token, start from the cached state, then follow the
 * group live. `window.__kiosk` exposes the parts for end-to-end tests and on-site debugging.
 */
const stage = document.getElementById("stage")!;
const overlay = document.getElementById("overlay")!;
const badge = document.createElement("div");
badge.className = "badge";
document.body.append(badge);

function restartUnpaired(): void {
  store.reset();
  location.reload();
}

async function whoAmI(token: string): Promise<string | null> {
  try {
    const res = await fetch("/api/kiosk/me", { headers: { Authorization: `Bearer ${token}` } });
    if (res.status === 401) return restartUnpaired(), null;
    if (!res.ok) return store.group();
    const me = (await res.json()) as { groupId: string };
    store.setGroup(me.groupId);
    return me.groupId;
  } catch {
    return store.group(); // offline: the group we knew
  }
}

async function main(): Promise<void> {
  const token = store.token() ?? (await pairKiosk(overlay));
  const groupId = await whoAmI(token);
  if (!groupId) return;
  let watchdog: Watchdog | null = null;
  const view = new ModelView(stage, { onFrame: () => watchdog?.beat() });
  watchdog = new Watchdog(view.renderer.domElement, (why) => {
    console.warn(`kiosk watchdog: ${why}; reloading`);
    location.reload();
  });
  const player = new Player(view, token, groupId);
  const sync = new GroupSync(token, groupId, {
    onOpen: () => player.hello(),
    onMessage: (msg) => player.handle(msg),
    onRevoked: restartUnpaired,
    onConnection: (state) => {
      badge.textContent = state === "open" ? "" : state === "connecting" ? "connecting…" : "offline — reconnecting";
      badge.dataset.state = state;
    },
  });
  player.attach(sync);
  await player.resume();
  sync.connect();
  Object.assign(window, { __kiosk: { view, player, sync, groupId } });
}

// The offline shell (public/kiosk-sw.js): the page starts without a network once it has been loaded.
if ("serviceWorker" in navigator) navigator.serviceWorker.register("/kiosk-sw.js", { scope: "/kiosk" }).catch(() => {});

main().catch((err) => {
  overlay.hidden = false;
  overlay.textContent = `Kiosk failed to start: ${err instanceof Error ? err.message : String(err)}`;
});
