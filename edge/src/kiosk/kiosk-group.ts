import { DurableObject } from "cloudflare:workers";
import {
  ClientMessage, type GroupChange, type GroupSnapshot, type KioskPresence, type PendingSwitch,
  type ScenePatch, type ServerMessage,
} from "@cad-kiosk/schema/kiosk";
import { randomId } from "../lib/ids.ts";
import { settings, type Env } from "../env.ts";
import { ControlBudget } from "./control-budget.ts";
import { ModelUrls } from "./model-urls.ts";
import { attachment, type Peer, type PeerState, setPeer } from "./peer.ts";
import { GroupStore, type KioskRow, type StoredChange, type StoredModel } from "./store.ts";

export type { GroupState } from "./store.ts";

/** Options of a synchronised switch. */
export interface PublishOptions {
  /** How long kiosks get to prefetch before the group flips anyway (ms). */
  deadlineMs?: number;
}
export const PUBLISH_DEFAULTS: Required<PublishOptions> = { deadlineMs: 15_000 };

/** The flip is announced this far ahead, at least: enough for the message to reach every kiosk. */
const MIN_FLIP_LEAD_MS = 150;
const MAX_FLIP_LEAD_MS = 2_000;
/** Staff consoles get presence at most this often (a reconnect storm is one update, not a thousand). */
const PRESENCE_THROTTLE_MS = 250;
/**
 * A kiosk whose socket is open but silent this long counts as offline (players ping every 15 s; a kiosk
 * that lost its network leaves a half-open socket until TCP notices).
 */
export const KIOSK_SILENT_MS = 60_000;

/**
 * One instance per kiosk group: the group's state, its kiosks' and staff consoles' WebSockets.
 *
 * - **State** (GroupStore, the object's SQLite): the published model, the scene, a version bumped by
 *   every committed change and a short change log. A kiosk says `hello` with its last version and gets
 *   the changes it missed, or the whole state when the log does not reach back that far.
 * - **Synchronised switch**: `publish` stores a pending switch and tells kiosks to `prefetch`; each
 *   reports `ready`; when all are ready (or the deadline alarm fires) the model change is committed
 *   with `at`, one server time a little ahead, and every kiosk flips then (a late one when it is ready).
 * - **Presence**: per-socket state in the socket's attachment (survives hibernation), kiosks seen in
 *   SQLite. "ping" is answered by the runtime (auto-response), so an idle group hibernates.
 * - **Revoke**: the Worker checks tokens before it forwards; `revoke` closes a revoked kiosk's sockets.
 *
 * Every in-memory field is a cache rebuilt from storage or attachments, so a wake-up is safe to repeat.
 */
export class KioskGroup extends DurableObject<Env> {
  #store: GroupStore;
  /** Kiosks (ids) the pending switch still waits for; null = rebuild from attachments. */
  #waiting: Set<string> | null = null;
  #urls: ModelUrls;
  #presenceTimer: ReturnType<typeof setTimeout> | null = null;
  /** Who gets broadcasts: kiosks once they said hello, and staff consoles. Null = rebuild from attachments. */
  #audience: Map<WebSocket, PeerState["role"]> | null = null;
  /** Staff control messages per socket (the HTTP route's rate limit, for the socket). */
  #budget = new ControlBudget();
  /** Changes sent, not yet written (see #commit). */
  #unsaved: StoredChange[] = [];

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#store = new GroupStore(ctx.storage);
    this.#urls = new ModelUrls(env.URL_SIGNING_KEY, settings(env).signedUrlMs);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  // ---- connections ----

  /** Accept a WebSocket the Worker authenticated; `X-Kiosk-Peer` (JSON) says who it is. */
  async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return Response.json({ error: { code: "upgrade_required", message: "WebSocket expected" } }, { status: 426 });
    }
    const peer = JSON.parse(request.headers.get("X-Kiosk-Peer") ?? "null") as Peer | null;
    const groupId = request.headers.get("X-Group-Id");
    if (!peer || !groupId) return Response.json({ error: { code: "bad_request", message: "peer missing" } }, { status: 400 });
    if (!(await this.#known(groupId))) return Response.json({ error: { code: "not_found", message: "kiosk group not found" } }, { status: 404 });
    // A token revoked while its upgrade was on the way here (authenticated just before the revocation).
    if (this.#store.isRevoked(peer.id)) return Response.json({ error: { code: "unauthorized", message: "token revoked" } }, { status: 401 });
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server, [peer.role, `k:${peer.id}`]);
    setPeer(server, { ...peer, since: Date.now(), lastActive: Date.now(), hello: false, version: 0, appVersion: null, modelId: null,
      ready: false, readyFor: null, error: null, clockOffsetMs: null, rttMs: null });
    // Staff consoles get the state and presence at once; kiosks speak first (hello with their version).
    if (peer.role === "staff") {
      this.#audience?.set(server, "staff");
      await this.#urls.prepare([this.#store.state.model, this.#store.pending?.model]);
      this.#send(server, this.#stateMessage());
      this.#send(server, { type: "presence", kiosks: this.presence() });
    }
    return new Response(null, { status: 101, webSocket: client });
  }

  async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    if (raw === "ping") return void ws.send("pong"); // when auto-response is not in play
    let msg: ClientMessage;
    try {
      msg = ClientMessage.parse(JSON.parse(typeof raw === "string" ? raw : new TextDecoder().decode(raw)));
    } catch {
      return this.#send(ws, { type: "error", code: "bad_message", message: "expected a JSON hello, status, ready, time or scene message" });
    }
    const peer = attachment(ws);
    switch (msg.type) {
      case "time":
        return this.#send(ws, { type: "time", clientTime: msg.clientTime, serverTime: Date.now() });
      case "hello":
        return this.#hello(ws, peer, msg.version, msg.tag, msg.appVersion ?? null);
      case "status": {
        const next = setPeer(ws, {
          ...peer, lastActive: Date.now(), version: msg.version, modelId: msg.modelId, ready: msg.ready, error: msg.error ?? null,
          clockOffsetMs: msg.clockOffsetMs ?? peer.clockOffsetMs, rttMs: msg.rttMs ?? peer.rttMs,
        });
        const pending = this.#store.pending;
        if (pending && next.ready && next.modelId === pending.model.id) await this.#markReady(ws, next, pending.switchId);
        return this.#presenceChanged();
      }
      case "ready":
        return this.#markReady(ws, peer, msg.switchId);
      case "scene":
        // The hot path of a staff control: role decided at connect, then commit and one broadcast.
        if (!peer.control) {
          return this.#send(ws, { type: "error", code: "forbidden", message: "role uploader required to control the group", ref: msg.ref });
        }
        if (!this.#budget.take(ws)) {
          return this.#send(ws, { type: "error", code: "rate_limited", message: "too many changes; slow down", ref: msg.ref });
        }
        return void (await this.#changeScene(msg.patch));
    }
  }

  async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 ? 1000 : code, "closing");
    } catch {
      // Already closed.
    }
    await this.#gone(ws);
  }

  async webSocketError(ws: WebSocket): Promise<void> {
    await this.#gone(ws);
  }

  async #gone(ws: WebSocket): Promise<void> {
    this.#audience?.delete(ws);
    const peer = attachment(ws);
    if (peer.role !== "kiosk" || !peer.hello) return;
    // Offline now: the row keeps what it last reported, for staff to see while it is away.
    if (!this.#online(peer.id, ws)) this.#remember(peer, Date.now());
    if (this.#waiting?.delete(peer.id)) await this.#flipIfAllReady();
    this.#presenceChanged();
  }

  // ---- RPC (called by the Worker after it authorised the caller) ----

  /** The group's state, or null when no such group exists. */
  async snapshot(groupId: string): Promise<GroupSnapshot | null> {
    if (!(await this.#known(groupId))) return null;
    return this.#snapshot();
  }

  /** Start a synchronised switch to `model` (flips at once when no kiosk is connected). */
  async publish(groupId: string, model: StoredModel, options: PublishOptions = {}): Promise<{ switchId: string; version: number }> {
    this.#store.adopt(groupId);
    const deadlineMs = options.deadlineMs ?? PUBLISH_DEFAULTS.deadlineMs;
    const pending = { switchId: randomId(9), model, deadline: Date.now() + deadlineMs };
    await this.#urls.prepare([model]);
    this.#store.setPending(pending);
    this.#waiting = null;
    const prefetch: ServerMessage = { type: "prefetch", switch: this.#pendingNow(pending) };
    this.#broadcast(prefetch, "kiosk");
    this.#broadcast(prefetch, "staff");
    await this.ctx.storage.setAlarm(pending.deadline);
    await this.#flipIfAllReady();
    return { switchId: pending.switchId, version: this.#store.state.version };
  }

  /** Change the scene (the HTTP route; staff sockets send `scene`): committed and pushed at once. Null when no such group exists. */
  async setScene(groupId: string, patch: ScenePatch): Promise<GroupSnapshot | null> {
    if (!(await this.#known(groupId))) return null;
    await this.#changeScene(patch);
    return this.#snapshotNow();
  }

  /** Kiosks seen by this group: online ones from their sockets, the others as last seen. */
  presence(): KioskPresence[] {
    const live = new Map<string, { peer: PeerState; ws: WebSocket }>();
    for (const ws of this.ctx.getWebSockets("kiosk")) {
      const peer = attachment(ws);
      if (peer.hello) live.set(peer.id, { peer, ws });
    }
    return this.#store.kiosks().map((row): KioskPresence => {
      const on = live.get(row.kioskId);
      const pinged = on ? (this.ctx.getWebSocketAutoResponseTimestamp(on.ws)?.getTime() ?? 0) : 0;
      const p = on?.peer;
      const lastSeen = Math.max(row.lastSeen, pinged, p?.lastActive ?? 0);
      return {
        kioskId: row.kioskId, name: row.name, online: !!on && Date.now() - lastSeen < KIOSK_SILENT_MS, since: p?.since ?? row.since,
        lastSeen, appVersion: p?.appVersion ?? row.appVersion,
        version: p?.version ?? row.version, modelId: p?.modelId ?? row.modelId, ready: p?.ready ?? false,
        lastError: p ? p.error : row.lastError, clockOffsetMs: p?.clockOffsetMs ?? null, rttMs: p?.rttMs ?? null,
      };
    });
  }

  /**
   * A token was revoked (a kiosk's, or a staff member's): tell its sockets, close them, forget it, and
   * refuse it from now on (an upgrade authenticated just before the revocation may still be on its way).
   * Returns how many sockets closed.
   */
  revoke(tokenId: string): number {
    this.#store.markRevoked(tokenId);
    let closed = 0;
    for (const ws of this.ctx.getWebSockets(`k:${tokenId}`)) {
      this.#audience?.delete(ws);
      setPeer(ws, { ...attachment(ws), hello: false, control: false }); // its close must not remember it again
      this.#send(ws, { type: "error", code: "revoked", message: "this token was revoked" });
      try {
        ws.close(4401, "token revoked");
        closed++;
      } catch {
        // Already closing.
      }
    }
    this.#store.forgetKiosk(tokenId);
    this.#waiting?.delete(tokenId);
    this.#presenceChanged();
    return closed;
  }

  /** Push a job's progress to the group's sockets. */
  progress(event: unknown): void {
    this.#broadcast({ type: "progress", event });
  }

  /** The pending switch's deadline: flip with whoever is ready. */
  async alarm(): Promise<void> {
    const pending = this.#store.pending;
    if (!pending) return;
    if (Date.now() < pending.deadline) return void (await this.ctx.storage.setAlarm(pending.deadline));
    await this.#flip();
  }

  // ---- the protocol ----

  /** Commit a scene patch as the next version and push it to the group. */
  async #changeScene(patch: ScenePatch): Promise<void> {
    const pending = this.#store.pending;
    if (pending) await this.#urls.prepare([pending.model]); // a delta names the pending switch's model
    await this.#commit({ scene: patch });
  }

  /**
   * Commit a change: staged (the next version, in memory), sent to every socket, and written once the
   * runtime has flushed the sends, before the event that made the change ends (so an object is never
   * evicted with a change unwritten, and an RPC returns only once its change is written). Sending first
   * keeps the write out of the kiosks' latency: the runtime's output gate holds every send made while a
   * write is in flight until it is durable, and the SQLite commit runs on the object's thread (a
   * local fsync under `wrangler dev`), ahead of sends still queued. The price: a change may reach
   * kiosks and then be lost (the write fails and the runtime resets the object, or the process dies
   * first). Kiosks never keep it: the reset closes their sockets, and their hello names the change by
   * version and tag, which the group no longer has, so they get the whole state. Changes made while
   * one waits are written with it, in order; a hello meanwhile gets the whole (staged) state.
   */
  async #commit(change: Parameters<GroupStore["stage"]>[0]): Promise<StoredChange> {
    const entry = this.#store.stage(change);
    this.#broadcast(this.#deltaMessage([entry]));
    this.#unsaved.push(entry);
    await new Promise((r) => setTimeout(r, 0));
    try {
      this.#store.persist(this.#unsaved.splice(0));
    } catch (err) {
      this.ctx.abort(`kiosk group commit failed: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
    return entry;
  }

  async #hello(ws: WebSocket, peer: PeerState, version: number, tag: string | undefined, appVersion: string | null): Promise<void> {
    // Sign what the answer needs first; from there on nothing awaits, so no change can slip in between
    // reading the state and sending it (broadcasts reach this socket only once it is marked hello).
    await this.#urls.prepare([...(this.#store.changesSince(version, tag) ?? []).map((c) => c.model), this.#store.state.model,
      this.#store.pending?.model]);
    if (peer.role === "kiosk") {
      // A kiosk that reconnects before its old socket timed out: the new socket replaces the old.
      for (const other of this.ctx.getWebSockets(`k:${peer.id}`)) {
        if (other === ws) continue;
        this.#audience?.delete(other);
        try {
          other.close(4000, "replaced by a newer connection");
        } catch {
          // Already closing.
        }
      }
    }
    const changes = this.#store.changesSince(version, tag);
    this.#send(ws, changes ? this.#deltaMessage(changes) : this.#stateMessage());
    const next = setPeer(ws, { ...peer, lastActive: Date.now(), hello: true, version, appVersion });
    this.#audience?.set(ws, peer.role);
    if (peer.role !== "kiosk") return;
    // One write per kiosk that is new to the group (or changed app); a reconnect storm writes nothing.
    const row = this.#store.kiosk(peer.id);
    if (!row || row.appVersion !== next.appVersion || row.name !== next.name) this.#remember(next, Date.now());
    const pending = this.#store.pending;
    if (pending && this.#waiting && next.readyFor !== pending.switchId) this.#waiting.add(peer.id);
    this.#presenceChanged();
  }

  async #markReady(ws: WebSocket, peer: PeerState, switchId: string): Promise<void> {
    const pending = this.#store.pending;
    setPeer(ws, { ...peer, readyFor: switchId });
    if (!pending || pending.switchId !== switchId) return;
    this.#waiting?.delete(peer.id);
    await this.#flipIfAllReady();
  }

  async #flipIfAllReady(): Promise<void> {
    const pending = this.#store.pending;
    if (!pending) return;
    if (!this.#waiting) {
      this.#waiting = new Set();
      for (const ws of this.ctx.getWebSockets("kiosk")) {
        const p = attachment(ws);
        if (p.hello && p.readyFor !== pending.switchId) this.#waiting.add(p.id);
      }
    }
    if (this.#waiting.size === 0) await this.#flip();
  }

  /** Commit the pending model with a flip time a little ahead (the slowest kiosk's round trip). */
  async #flip(): Promise<void> {
    const pending = this.#store.pending;
    if (!pending) return;
    await this.#urls.prepare([pending.model]);
    if (this.#store.pending?.switchId !== pending.switchId) return; // superseded or flipped meanwhile
    let lead = MIN_FLIP_LEAD_MS;
    for (const ws of this.ctx.getWebSockets("kiosk")) lead = Math.max(lead, 1.5 * (attachment(ws).rttMs ?? 0) + 50);
    this.#waiting = null;
    await this.#commit({ model: pending.model, at: Date.now() + Math.min(lead, MAX_FLIP_LEAD_MS) });
    await this.ctx.storage.deleteAlarm();
  }

  /** The kiosk's presence row, kept for when it is offline; `since` is when it came or went. */
  #remember(peer: PeerState, since: number): void {
    this.#store.putKiosk({
      kioskId: peer.id, name: peer.name, since, lastSeen: Date.now(), appVersion: peer.appVersion, version: peer.version,
      modelId: peer.modelId, ready: peer.ready, lastError: peer.error,
    });
  }

  #online(kioskId: string, except?: WebSocket): boolean {
    return this.ctx.getWebSockets(`k:${kioskId}`).some((ws) => ws !== except && attachment(ws).hello);
  }

  /** Staff consoles learn about presence changes, batched. */
  #presenceChanged(): void {
    if (this.#presenceTimer || this.ctx.getWebSockets("staff").length === 0) return;
    this.#presenceTimer = setTimeout(() => {
      this.#presenceTimer = null;
      this.#broadcast({ type: "presence", kiosks: this.presence() }, "staff");
    }, PRESENCE_THROTTLE_MS);
  }

  // ---- messages ----

  async #snapshot(): Promise<GroupSnapshot> {
    await this.#urls.prepare([this.#store.state.model]);
    return this.#snapshotNow();
  }

  #snapshotNow(): GroupSnapshot {
    const s = this.#store.state;
    return {
      groupId: s.groupId, version: s.version, tag: s.tag, model: s.model ? this.#urls.get(s.model) : null,
      publishedModelId: s.model?.id ?? null, scene: s.scene,
    };
  }

  #stateMessage(): ServerMessage {
    const pending = this.#store.pending;
    return { type: "state", state: this.#snapshotNow(), pending: pending ? this.#pendingNow(pending) : null };
  }

  #deltaMessage(changes: StoredChange[]): ServerMessage {
    const pending = this.#store.pending;
    return {
      type: "delta", version: this.#store.state.version, pending: pending ? this.#pendingNow(pending) : null,
      changes: changes.map((c) => (c.model ? { ...c, model: this.#urls.get(c.model) } : (c as GroupChange))),
    };
  }

  #pendingNow(p: { switchId: string; model: StoredModel; deadline: number }): PendingSwitch {
    return { switchId: p.switchId, model: this.#urls.get(p.model), deadline: p.deadline };
  }

  #send(ws: WebSocket, msg: ServerMessage): void {
    try {
      ws.send(JSON.stringify(msg));
    } catch {
      // Gone between getWebSockets() and send(); its close hook cleans up.
    }
  }

  /** One serialisation, every listening socket (of one role, when given). */
  #broadcast(msg: ServerMessage, role?: PeerState["role"]): void {
    const text = JSON.stringify(msg);
    for (const [ws, r] of this.#listeners()) {
      if (role && r !== role) continue;
      try {
        ws.send(text);
      } catch {
        // As in #send.
      }
    }
  }

  /** The audience, rebuilt from the sockets' attachments once per wake-up (not once per broadcast). */
  #listeners(): Map<WebSocket, PeerState["role"]> {
    if (!this.#audience) {
      this.#audience = new Map();
      for (const ws of this.ctx.getWebSockets()) {
        const p = attachment(ws);
        if (p.role === "staff" || p.hello) this.#audience.set(ws, p.role);
      }
    }
    return this.#audience;
  }

  /**
   * Whether `groupId` is a kiosk group: known once adopted; otherwise D1 is asked once (so routes that
   * only touch the object need no D1 round trip of their own).
   */
  async #known(groupId: string): Promise<boolean> {
    if (this.#store.state.groupId === groupId) return true;
    const row = await this.env.DB.prepare("SELECT id FROM kiosk_groups WHERE id = ?").bind(groupId).first();
    if (!row) return false;
    this.#store.adopt(groupId);
    return true;
  }
}

export const kioskGroup = (env: Env, groupId: string) =>
  env.KIOSK_GROUP.get(env.KIOSK_GROUP.idFromName(groupId));
