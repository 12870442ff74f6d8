// Benchmark baseline only (never deployed): the least a Durable Object can do to fan a message out —
// accept WebSockets (hibernation API, like KioskGroup) and send each POSTed body to all of them.
// No auth, no storage, no versions. Run by kiosk-fanout.mjs with kiosk-relay.toml.
import { DurableObject } from "cloudflare:workers";

export class BareRelay extends DurableObject {
  async fetch(request) {
    if (request.headers.get("Upgrade") === "websocket") {
      const [client, server] = Object.values(new WebSocketPair());
      this.ctx.acceptWebSocket(server);
      return new Response(null, { status: 101, webSocket: client });
    }
    // Stamped like KioskGroup stamps a change (committedAt), so both can be timed from the object.
    const text = `{"relayedAt":${Date.now()},${(await request.text()).slice(1)}`;
    for (const ws of this.ctx.getWebSockets()) ws.send(text);
    return new Response(null, { status: 204 });
  }

  webSocketMessage() {}

  webSocketClose(ws, code) {
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
