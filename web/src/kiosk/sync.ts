import type { ClientMessage, ServerMessage } from "@cad-kiosk/schema/kiosk";
import { openSocket } from "../shared/api.ts";

/** Options of the group connection; defaults in SYNC_DEFAULTS. */
export interface SyncOptions {
  /** First reconnect delay (ms); doubles per failure up to maxBackoffMs, with ±50 % jitter. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** "ping" this often (ms); answered by the Durable Object's auto-response without waking it. */
  pingEveryMs?: number;
  /** No pong for this long (ms): the connection is dead, reconnect. */
  deadAfterMs?: number;
  /** Clock probes per connection; the one with the shortest round trip wins. */
  clockProbes?: number;
}
export const SYNC_DEFAULTS: Required<SyncOptions> = {
  baseBackoffMs: 500, maxBackoffMs: 30_000, pingEveryMs: 15_000, deadAfterMs: 40_000, clockProbes: 5,
};

export interface SyncHandlers {
  /** The socket is open: say hello (the player knows its version). */
  onOpen(): void;
  onMessage(msg: ServerMessage): void;
  /** The token was revoked (close 4401, or the API says 401 after failed reconnects). */
  onRevoked(): void;
  onConnection(state: "connecting" | "open" | "closed"): void;
}

/**
 * The kiosk's connection to its group: reconnects with jittered exponential backoff, pings, measures its
 * clock offset to the server (kiosk − server, ms) so flips happen at the announced moment.
 */
export class GroupSync {
  clockOffsetMs = 0;
  rttMs: number | null = null;
  #ws: WebSocket | null = null;
  #opts: Required<SyncOptions>;
  #failures = 0;
  #lastPong = 0;
  #timers: ReturnType<typeof setInterval>[] = [];
  #stopped = false;

  constructor(private readonly token: string, private readonly groupId: string, private readonly handlers: SyncHandlers,
    options: SyncOptions = {}) {
    this.#opts = { ...SYNC_DEFAULTS, ...options };
  }

  get open(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  connect(): void {
    if (this.#stopped) return;
    this.handlers.onConnection("connecting");
    const ws = openSocket(`/api/kiosk/groups/${encodeURIComponent(this.groupId)}/socket`, this.token);
    this.#ws = ws;
    ws.onopen = () => {
      this.#failures = 0;
      this.#lastPong = Date.now();
      this.rttMs = null; // a new path: measure again
      this.handlers.onConnection("open");
      this.handlers.onOpen();
      for (let i = 0; i < this.#opts.clockProbes; i++) setTimeout(() => this.send({ type: "time", clientTime: Date.now() }), i * 200);
      this.#timers.push(setInterval(() => this.#ping(), this.#opts.pingEveryMs));
    };
    ws.onmessage = (e) => {
      this.#lastPong = Date.now();
      if (e.data === "pong") return;
      const msg = JSON.parse(e.data as string) as ServerMessage;
      if (msg.type === "time") return this.#clock(msg.clientTime, msg.serverTime);
      this.handlers.onMessage(msg);
    };
    ws.onclose = (e) => {
      if (this.#ws !== ws) return;
      this.#clearTimers();
      this.#ws = null;
      this.handlers.onConnection("closed");
      if (e.code === 4401) return this.handlers.onRevoked();
      void this.#retry();
    };
  }

  send(msg: ClientMessage): void {
    if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify(msg));
  }

  /** Drop the connection (tests, or a dead socket); it comes back by itself. */
  drop(): void {
    this.#ws?.close(4000, "dropped");
  }

  stop(): void {
    this.#stopped = true;
    this.#clearTimers();
    this.#ws?.close(1000, "stopped");
  }

  #ping(): void {
    if (Date.now() - this.#lastPong > this.#opts.deadAfterMs) return void this.#ws?.close(4000, "no pong");
    this.#ws?.send("ping");
  }

  #clock(sentAt: number, serverTime: number): void {
    const now = Date.now();
    const rtt = now - sentAt;
    if (this.rttMs === null || rtt <= this.rttMs) {
      this.rttMs = rtt;
      this.clockOffsetMs = Math.round((sentAt + now) / 2 - serverTime);
    }
  }

  async #retry(): Promise<void> {
    this.#failures++;
    const base = Math.min(this.#opts.maxBackoffMs, this.#opts.baseBackoffMs * 2 ** Math.min(this.#failures - 1, 10));
    const delay = base * (0.5 + Math.random());
    if (this.#failures >= 3) {
      // A socket refused at the upgrade says nothing; the API says whether the token still works.
      try {
        const res = await fetch("/api/kiosk/me", { headers: { Authorization: `Bearer ${this.token}` } });
        if (res.status === 401) return this.handlers.onRevoked();
      } catch {
        // Offline: keep trying.
      }
    }
    setTimeout(() => this.connect(), delay);
  }

  #clearTimers(): void {
    this.#timers.forEach(clearInterval);
    this.#timers = [];
  }
}
