import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";

/** What every kiosk of a group shows; pushed to each socket on connect and on change. */
export interface GroupState {
  groupId: string;
  publishedModelId: string | null;
  version: number;
}

/**
 * One instance per kiosk group: holds the group's sync state and its kiosks' WebSockets. Uses the
 * hibernation API so idle showrooms cost nothing; state lives in the object's storage and survives
 * hibernation and restarts.
 */
export class KioskGroup extends DurableObject<Env> {
  async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade") !== "websocket") {
      return new Response(JSON.stringify({ error: { code: "upgrade_required", message: "WebSocket expected" } }), {
        status: 426,
        headers: { "content-type": "application/json" },
      });
    }
    const pair = new WebSocketPair();
    const [client, server] = Object.values(pair) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server);
    server.send(JSON.stringify({ type: "state", state: await this.state(request.headers.get("X-Group-Id")) }));
    return new Response(null, { status: 101, webSocket: client });
  }

  async state(groupId?: string | null): Promise<GroupState> {
    const stored = await this.ctx.storage.get<GroupState>("state");
    return stored ?? { groupId: groupId ?? "", publishedModelId: null, version: 0 };
  }

  /** Publish a model to every kiosk of the group. */
  async publish(groupId: string, modelId: string): Promise<GroupState> {
    const prev = await this.state(groupId);
    const next: GroupState = { groupId, publishedModelId: modelId, version: prev.version + 1 };
    await this.ctx.storage.put("state", next);
    this.broadcast({ type: "state", state: next });
    return next;
  }

  /** Push a job's progress to whoever watches this group. */
  progress(event: unknown): void {
    this.broadcast({ type: "progress", event });
  }

  async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (message === "ping") ws.send("pong");
  }

  async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    ws.close(code === 1005 ? 1000 : code, "closing");
  }

  private broadcast(payload: unknown): void {
    const text = JSON.stringify(payload);
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.send(text);
      } catch {
        // A socket that went away between getWebSockets() and send(); its close hook cleans up.
      }
    }
  }
}

export const kioskGroup = (env: Env, groupId: string) =>
  env.KIOSK_GROUP.get(env.KIOSK_GROUP.idFromName(groupId));
