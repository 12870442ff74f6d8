import { env } from "cloudflare:test";
import { expect } from "vitest";
import { call, json } from "./helpers.ts";

/** A WebSocket through the Worker that collects JSON messages (and notes its close). */
export async function socket(path: string, token: string) {
  const res = await call(path, token, { headers: { Upgrade: "websocket" } });
  expect(res.status, await (res.status === 101 ? "" : res.clone().text())).toBe(101);
  const ws = res.webSocket!;
  ws.accept();
  const messages: any[] = [];
  const texts: string[] = [];
  let closed: { code: number; reason: string } | null = null;
  const waiters: (() => void)[] = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  ws.addEventListener("message", (e) => {
    const data = e.data as string;
    if (data.startsWith("{")) messages.push(JSON.parse(data));
    else texts.push(data);
    wake();
  });
  ws.addEventListener("close", (e) => {
    closed = { code: e.code, reason: e.reason };
    wake();
  });
  async function until<T>(probe: () => T | undefined | null | false, what: string, timeoutMs = 3000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = probe();
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(messages)}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 25);
      });
    }
  }
  return {
    ws,
    messages,
    texts,
    get closed() {
      return closed;
    },
    send: (msg: unknown) => ws.send(typeof msg === "string" ? msg : JSON.stringify(msg)),
    /** The first message from index `from` matching `pred`. */
    next: (pred: (m: any) => boolean, from = 0, timeoutMs?: number) =>
      until(() => messages.slice(from).find(pred), "a matching message", timeoutMs),
    until,
  };
}
export type TestSocket = Awaited<ReturnType<typeof socket>>;

/** A kiosk socket that has said hello with `version`; resolves with its first answer. */
export async function kioskSocket(groupId: string, token: string, version = 0) {
  const s = await socket(`/api/kiosk/groups/${groupId}/socket`, token);
  s.send({ type: "hello", version, appVersion: "test" });
  const first = await s.next((m) => m.type === "state" || m.type === "delta");
  return Object.assign(s, { first });
}

let modelSeq = 0;
/** A model row (its GLB need not exist for sync tests). */
export async function makeModel(): Promise<{ id: string; sha256: string }> {
  const id = `m${Date.now().toString(36)}${modelSeq++}`;
  const sha256 = Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, "0")).join("");
  await env.DB.prepare("INSERT INTO models (id, job_id, drawing_id, dedup_key, glb_key, glb_sha256, glb_size) VALUES (?, 'j', 'd', ?, ?, ?, 1234)")
    .bind(id, `k-${id}`, `models/${sha256}.glb`, sha256).run();
  return { id, sha256 };
}

export const patchScene = async (groupId: string, token: string, patch: unknown) =>
  call(`/api/kiosk/groups/${groupId}/scene`, token, { method: "PATCH", body: JSON.stringify(patch), headers: { "Content-Type": "application/json" } });

export const publishTo = async (groupId: string, token: string, body: unknown) =>
  call(`/api/kiosk/groups/${groupId}/publish`, token, { method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" } });

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export { json };
