import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";

/** A point in the dispatcher's history; `epoch` changes when the object restarts. */
export interface DispatchCursor {
  epoch: string;
  seq: number;
}

/**
 * Two small roles of one Durable Object class (one binding, JOB_DISPATCH):
 *
 * - **Dispatcher** (one instance, "global"): wakes long-polling agents the moment a job becomes
 *   claimable. It holds no job state (D1 does): only a sequence number bumped by `notify`, so a claim
 *   that read cursor N and found nothing can wait for N+1 without missing a job created in between.
 * - **Job watch** (one instance per job, "watch:<jobId>"): the job's staff WebSockets (hibernation
 *   API); `emit` pushes a progress or status message to each of them.
 */
export class JobDispatch extends DurableObject<Env> {
  #epoch = crypto.randomUUID();
  #seq = 0;
  #waiters = new Set<() => void>();

  cursor(): DispatchCursor {
    return { epoch: this.#epoch, seq: this.#seq };
  }

  /** A job was created or released: wake every waiter. */
  notify(): DispatchCursor {
    this.#seq++;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
    return this.cursor();
  }

  /** Resolves when something happened after `since`, or after `timeoutMs`. */
  async wait(since: DispatchCursor, timeoutMs: number): Promise<DispatchCursor> {
    if (since.epoch !== this.#epoch || since.seq !== this.#seq) return this.cursor();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(wake);
        resolve();
      }, Math.max(0, timeoutMs));
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#waiters.add(wake);
    });
    return this.cursor();
  }

  // ---- job watch ----

  /** Accepts a watcher's WebSocket; `X-Job-Snapshot` (JSON) is sent first as `{type: "job", job}`. */
  async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return Response.json({ error: { code: "upgrade_required", message: "WebSocket expected" } }, { status: 426 });
    }
    const pair = new WebSocketPair();
    const [client, server] = Object.values(pair) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server);
    const snapshot = request.headers.get("X-Job-Snapshot");
    if (snapshot) server.send(`{"type":"job","job":${snapshot}}`);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Push one message to every watcher; returns how many were reached. */
  emit(payload: unknown): number {
    const text = JSON.stringify(payload);
    let sent = 0;
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.send(text);
        sent++;
      } catch {
        // Gone between getWebSockets() and send(); its close hook cleans up.
      }
    }
    return sent;
  }

  async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (message === "ping") ws.send("pong");
  }

  async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    // 1005/1006 (no status, abnormal drop) are reserved: they may not be sent back.
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, "closing");
    } catch {
      // already closed
    }
  }
}

export const dispatcher = (env: Env) => env.JOB_DISPATCH.get(env.JOB_DISPATCH.idFromName("global"));

/** The watch hub of one job. */
export const jobWatch = (env: Env, jobId: string) =>
  env.JOB_DISPATCH.get(env.JOB_DISPATCH.idFromName(`watch:${jobId}`));
