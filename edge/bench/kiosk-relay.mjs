// Benchmark baseline only (never deployed): the least a Durable Object can do to fan a message out —
// accept WebSockets (hibernation API, like KioskGroup) and send each message to all of them. A message
// arrives either on one of its sockets (like a staff console's `scene` control) or as a POSTed body (like
// the HTTP scene route). No auth, no parsing, no storage, no versions. Run by kiosk-fanout.mjs with
// kiosk-relay.toml.
import { DurableObject } from "cloudflare:workers";

export class BareRelay extends DurableObject {
  /** Its sockets, listed once per wake-up like KioskGroup's audience (not per message). */
  #sockets = null;

  async fetch(request) {
    if (request.headers.get("Upgrade") === "websocket") {
      const [client, server] = Object.values(new WebSocketPair());
      this.ctx.acceptWebSocket(server);
      this.#sockets?.add(server);
      return new Response(null, { status: 101, webSocket: client });
    }
    this.#relay(await request.text());
    return new Response(null, { status: 204 });
  }

  webSocketMessage(_ws, message) {
    this.#relay(message);
  }

  /** Stamped like KioskGroup stamps a change (committedAt), so both can be timed from the object. */
  #relay(body) {
    const text = `{"relayedAt":${Date.now()},${body.slice(1)}`;
    this.#sockets ??= new Set(this.ctx.getWebSockets());
    for (const ws of this.#sockets) {
      try {
        ws.send(text);
      } catch {}
    }
  }

  webSocketClose(ws, code) {
    this.#sockets?.delete(ws);
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, "closing");
    } catch {}
  }
}

export default {
  fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/health") return new Response("ok");
    return env.RELAY.get(env.RELAY.idFromName("bench")).fetch(request);
  },
};
