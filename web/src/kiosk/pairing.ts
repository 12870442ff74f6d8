import { PairingStarted, PairingStatus } from "@cad-kiosk/schema/kiosk";
import { base64url, sha256Hex } from "../shared/api.ts";
import { store, type PendingPairing } from "./storage.ts";

const POLL_MS = 2000;

async function postJson(path: string, body: unknown) {
  const res = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`pairing request failed: ${res.status}`);
  return res.json();
}

/** A new pairing: the kiosk makes its device token and sends only its hash. */
async function begin(): Promise<PendingPairing> {
  const secret = `ckk_${base64url(crypto.getRandomValues(new Uint8Array(32)))}`;
  const started = PairingStarted.parse(await postJson("/api/pairings", { tokenHash: await sha256Hex(secret) }));
  const pending = { secret, ...started };
  store.setPairing(pending);
  return pending;
}

/**
 * Show a pairing code until staff claim it; resolves with the kiosk's (now valid) token. Survives a
 * reload: the pairing in progress is kept until it expires.
 */
export async function pairKiosk(overlay: HTMLElement): Promise<string> {
  overlay.hidden = false;
  let pending = store.pairing();
  for (;;) {
    try {
      if (!pending || pending.expiresAt <= Date.now()) pending = await begin();
      const code = `${pending.code.slice(0, 3)} ${pending.code.slice(3)}`;
      overlay.innerHTML = `<div class="pairing"><p>Pair this kiosk</p><div class="code" data-testid="pairing-code">${code}</div>
        <p class="hint">Enter this code in the staff console under Groups → Pair a kiosk.</p></div>`;
      const res = await fetch(`/api/pairings/${encodeURIComponent(pending.id)}`);
      if (res.status === 404) pending = null;
      else if (res.ok) {
        const status = PairingStatus.parse(await res.json());
        if (status.status === "paired") {
          store.setToken(pending.secret);
          if (status.groupId) store.setGroup(status.groupId);
          store.setPairing(null);
          overlay.hidden = true;
          return pending.secret;
        }
        if (status.status === "expired") pending = null;
      }
    } catch (err) {
      overlay.innerHTML = `<div class="pairing"><p>Waiting for the network…</p><p class="hint">${String(err)}</p></div>`;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
