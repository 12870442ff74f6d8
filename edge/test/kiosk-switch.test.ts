import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { kioskGroup } from "../src/kiosk/kiosk-group.ts";
import { adminToken, call, ensureGroup, kioskToken, uploaderToken, viewerToken } from "./helpers.ts";
import { json, kioskSocket, makeModel, patchScene, publishTo, sleep, socket } from "./kiosk-helpers.ts";

let groupSeq = 0;
const newGroup = async () => {
  const id = `s${Date.now().toString(36)}${groupSeq++}`;
  await ensureGroup(id);
  return id;
};
const isFlipTo = (modelId: string) => (m: any) => m.type === "delta" && m.changes.some((c: any) => c.model?.id === modelId);

describe("synchronised switch", () => {
  it("prefetch, every kiosk ready, then one announced flip moment for all", async () => {
    const g = await newGroup();
    const model = await makeModel();
    const [a, b] = await Promise.all([kioskSocket(g, await kioskToken(g)), kioskSocket(g, await kioskToken(g))]);
    const res = await publishTo(g, await uploaderToken(), { modelId: model.id, deadlineMs: 60_000 });
    expect(res.status).toBe(202);
    const { switchId } = await json(res);
    const pa = await a.next((m) => m.type === "prefetch");
    await b.next((m) => m.type === "prefetch");
    expect(pa.switch).toMatchObject({ switchId, model: { id: model.id, sha256: model.sha256, size: 1234 } });
    expect(pa.switch.model.url).toMatch(new RegExp(`^/dl/${model.id}\\?exp=\\d+&sig=`));

    a.send({ type: "ready", switchId });
    await sleep(150);
    expect(a.messages.some(isFlipTo(model.id))).toBe(false); // still waiting for b
    const before = Date.now();
    b.send({ type: "ready", switchId });
    const fa = await a.next(isFlipTo(model.id));
    const fb = await b.next(isFlipTo(model.id));
    expect(fa).toEqual(fb);
    const change = fa.changes[0];
    expect(change.version).toBe(1);
    expect(change.at).toBeGreaterThanOrEqual(before + 100); // announced ahead, not "now"
    expect(fa.pending).toBeNull();
    // The model's GLB is now readable by the group's kiosks (D1 says it is published).
    const { groups } = await json(await call("/api/groups", await viewerToken()));
    expect(groups.find((x: any) => x.id === g).publishedModelId).toBe(model.id);
    a.ws.close();
    b.ws.close();
  });

  it("a slow kiosk does not hold the group past the deadline, and flips late by itself", async () => {
    const g = await newGroup();
    const model = await makeModel();
    const fast = await kioskSocket(g, await kioskToken(g));
    const slow = await kioskSocket(g, await kioskToken(g));
    const staff = await socket(`/api/kiosk/groups/${g}/socket`, await viewerToken());
    const t0 = Date.now();
    const { switchId } = await json(await publishTo(g, await uploaderToken(), { modelId: model.id, deadlineMs: 600 }));
    await fast.next((m) => m.type === "prefetch");
    fast.send({ type: "ready", switchId });
    // The deadline alarm flips the group; both get the same change.
    const f1 = await fast.next(isFlipTo(model.id), 0, 5000);
    const f2 = await slow.next(isFlipTo(model.id), 0, 5000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(550);
    expect(f1.changes).toEqual(f2.changes);
    // The slow kiosk applies it when its download is done and says so; staff see it ready.
    slow.send({ type: "status", version: 1, modelId: model.id, ready: true });
    await staff.until(() => {
      const last = staff.messages.filter((m) => m.type === "presence").at(-1);
      return last?.kiosks.length === 2 && last.kiosks.every((k: any) => k.modelId === model.id || k.kioskId) &&
        last.kiosks.some((k: any) => k.ready && k.modelId === model.id);
    }, "presence with the slow kiosk ready");
    // A kiosk that connects after the flip gets the new model in its state.
    const late = await kioskSocket(g, await kioskToken(g));
    expect(late.first.state.model.id).toBe(model.id);
    for (const s of [fast, slow, staff, late]) s.ws.close();
  });

  it("a kiosk connecting during a switch is told to prefetch, and a newer publish supersedes", async () => {
    const g = await newGroup();
    const [m1, m2] = [await makeModel(), await makeModel()];
    const a = await kioskSocket(g, await kioskToken(g));
    const up = await uploaderToken();
    const s1 = await json(await publishTo(g, up, { modelId: m1.id, deadlineMs: 60_000 }));
    const b = await kioskSocket(g, await kioskToken(g));
    expect(b.first.state.model).toBeNull();
    expect(b.first.pending).toMatchObject({ switchId: s1.switchId, model: { id: m1.id } });
    const s2 = await json(await publishTo(g, up, { modelId: m2.id, deadlineMs: 60_000 }));
    a.send({ type: "ready", switchId: s1.switchId }); // ready for the old switch: not enough
    b.send({ type: "ready", switchId: s1.switchId });
    await sleep(150);
    expect(a.messages.some((m) => m.type === "delta")).toBe(false);
    a.send({ type: "ready", switchId: s2.switchId });
    b.send({ type: "status", version: 0, modelId: m2.id, ready: true }); // status with the model counts too
    const flip = await a.next(isFlipTo(m2.id));
    expect(flip.changes).toHaveLength(1);
    expect((await kioskGroup(env, g).snapshot(g))!.model!.id).toBe(m2.id);
    a.ws.close();
    b.ws.close();
  });

  it("a kiosk that disconnects is not waited for", async () => {
    const g = await newGroup();
    const model = await makeModel();
    const a = await kioskSocket(g, await kioskToken(g));
    const gone = await kioskSocket(g, await kioskToken(g));
    const { switchId } = await json(await publishTo(g, await uploaderToken(), { modelId: model.id, deadlineMs: 60_000 }));
    a.send({ type: "ready", switchId });
    gone.ws.close(1000, "bye");
    await a.next(isFlipTo(model.id));
    a.ws.close();
  });
});

describe("presence", () => {
  it("staff see kiosks come online with their app version and go offline, and every paired kiosk listed", async () => {
    const g = await newGroup();
    const token = await kioskToken(g);
    const never = await kioskToken(g); // paired, never connected
    const viewer = await viewerToken();
    const staff = await socket(`/api/kiosk/groups/${g}/socket`, viewer);
    await staff.next((m) => m.type === "presence");
    const k = await kioskSocket(g, token);
    const on = await staff.next((m) => m.type === "presence" && m.kiosks.some((x: any) => x.online));
    expect(on.kiosks[0]).toMatchObject({ online: true, appVersion: "test", version: 0 });
    const since = on.kiosks[0].since;
    k.send({ type: "status", version: 0, modelId: null, ready: false, error: "WebGL context lost" });
    await staff.next((m) => m.type === "presence" && m.kiosks[0]?.lastError === "WebGL context lost");
    k.ws.close(1000, "bye");
    const off = await staff.next((m) => m.type === "presence" && m.kiosks.length === 1 && !m.kiosks[0].online);
    expect(off.kiosks[0].since).toBeGreaterThanOrEqual(since);
    const all = await json(await call(`/api/kiosk/groups/${g}/presence`, viewer));
    expect(all.kiosks).toHaveLength(2);
    expect(all.kiosks.filter((x: any) => x.online)).toHaveLength(0);
    expect(all.kiosks.map((x: any) => x.lastError).sort()).toEqual(["WebGL context lost", null].sort());
    void never;
    staff.ws.close();
  });

  it("a reconnecting kiosk replaces its old socket", async () => {
    const g = await newGroup();
    const token = await kioskToken(g);
    const old = await kioskSocket(g, token);
    const fresh = await kioskSocket(g, token);
    await old.until(() => old.closed, "old socket closed");
    expect(old.closed!.code).toBe(4000);
    const presence = await kioskGroup(env, g).presence();
    expect(presence.filter((p) => p.online)).toHaveLength(1);
    // The new socket is the one that stays and gets changes.
    await patchScene(g, await uploaderToken(), { floor: 2 });
    await fresh.next((m) => m.type === "delta" && m.version === 1);
    expect(fresh.closed).toBeNull();
    fresh.ws.close();
  });
});

describe("liveness", () => {
  it("a kiosk whose open socket has been silent past KIOSK_SILENT_MS shows offline", async () => {
    const g = await newGroup();
    const k = await kioskSocket(g, await kioskToken(g));
    const stub = kioskGroup(env, g);
    expect((await stub.presence())[0]!.online).toBe(true);
    // Age everything it was last heard by: the hello, the stored row (no pings were sent).
    await runInDurableObject(stub, (_instance, ctx) => {
      for (const ws of ctx.getWebSockets()) ws.serializeAttachment({ ...ws.deserializeAttachment(), lastActive: 0 });
      ctx.storage.sql.exec("UPDATE kiosks SET body = json_set(body, '$.lastSeen', 0)");
    });
    expect((await stub.presence())[0]!.online).toBe(false);
    // A ping (auto-response) brings it back.
    k.send("ping");
    await k.until(() => k.texts.includes("pong"), "pong");
    expect((await stub.presence())[0]!.online).toBe(true);
    k.ws.close();
  });
});

describe("revoke", () => {
  it("a revoked kiosk is disconnected at once and cannot come back", async () => {
    const g = await newGroup();
    const token = await kioskToken(g);
    const k = await kioskSocket(g, token);
    const me = await json(await call("/api/kiosk/me", token));
    expect(me.groupId).toBe(g);
    expect((await call(`/api/kiosk/kiosks/${me.kioskId}`, await uploaderToken(), { method: "DELETE" })).status).toBe(403);
    const res = await call(`/api/kiosk/kiosks/${me.kioskId}`, await adminToken(), { method: "DELETE" });
    expect(res.status).toBe(200);
    expect((await json(res)).revokedAt).toBeGreaterThan(0);
    expect((await k.next((m) => m.type === "error")).code).toBe("revoked");
    await k.until(() => k.closed, "close");
    expect(k.closed!.code).toBe(4401);
    expect((await call(`/api/kiosk/groups/${g}/socket`, token, { headers: { Upgrade: "websocket" } })).status).toBe(401);
    expect(await kioskGroup(env, g).presence()).toEqual([]);
  });

  it("revoking through the token admin API disconnects too", async () => {
    const g = await newGroup();
    const token = await kioskToken(g);
    const k = await kioskSocket(g, token);
    const { kioskId } = await json(await call("/api/kiosk/me", token));
    expect((await call(`/api/admin/tokens/${kioskId}`, await adminToken(), { method: "DELETE" })).status).toBe(200);
    await k.until(() => k.closed, "close");
    expect(k.closed!.code).toBe(4401);
  });
});

describe("pairing", () => {
  const hashOf = async (secret: string) =>
    Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret))), (b) => b.toString(16).padStart(2, "0")).join("");
  const start = (body: unknown) => call("/api/pairings", null, { method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" } });
  const claim = async (token: string, body: unknown) =>
    call("/api/kiosk/pairings/claim", token, { method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" } });

  it("a kiosk shows a code, staff claim it for a group, the kiosk's own token then works", async () => {
    const g = await newGroup();
    const secret = `ckk_${crypto.randomUUID()}${crypto.randomUUID()}`;
    const res = await start({ tokenHash: await hashOf(secret) });
    expect(res.status).toBe(201);
    const pairing = await json(res);
    expect(pairing.code).toMatch(/^[A-HJKMNP-Z2-9]{6}$/);
    expect((await json(await call(`/api/pairings/${pairing.id}`, null))).status).toBe("pending");
    expect((await call("/api/kiosk/me", secret)).status).toBe(401);

    const typed = `${pairing.code.slice(0, 3).toLowerCase()}-${pairing.code.slice(3)}`;
    expect((await claim(await uploaderToken(), { code: typed, groupId: g, name: "Lobby left" })).status).toBe(403);
    const claimed = await claim(await adminToken(), { code: typed, groupId: g, name: "Lobby left" });
    expect(claimed.status).toBe(201);
    const token = await json(claimed);
    expect(token).toMatchObject({ kind: "kiosk", groupId: g, name: "Lobby left" });
    expect(token).not.toHaveProperty("hash");
    expect(await json(await call(`/api/pairings/${pairing.id}`, null))).toMatchObject({ status: "paired", groupId: g });
    expect(await json(await call("/api/kiosk/me", secret))).toMatchObject({ kioskId: token.id, groupId: g });
    // Only the hash is stored.
    const row = await env.DB.prepare("SELECT hash FROM tokens WHERE id = ?").bind(token.id).first<{ hash: string }>();
    expect(row!.hash).toBe(await hashOf(secret));
    // A code works once.
    expect((await claim(await adminToken(), { code: pairing.code, groupId: g, name: "again" })).status).toBe(404);
  });

  it("refuses bad input, unknown groups and expired codes", async () => {
    expect((await start({ tokenHash: "abc" })).status).toBe(400);
    expect((await start({})).status).toBe(400);
    const bad = await start("not json");
    expect((await json(bad)).error.code).toBe("bad_request");
    const p = await json(await start({ tokenHash: await hashOf(crypto.randomUUID()) }));
    expect((await claim(await adminToken(), { code: p.code, groupId: "no-such-group", name: "x" })).status).toBe(404);
    await env.DB.prepare("UPDATE pairings SET expires_at = 1 WHERE id = ?").bind(p.id).run();
    expect((await json(await call(`/api/pairings/${p.id}`, null))).status).toBe("expired");
    const g = await newGroup();
    expect((await claim(await adminToken(), { code: p.code, groupId: g, name: "x" })).status).toBe(404);
    expect((await call("/api/pairings/nope", null)).status).toBe(404);
  });
});

describe("publish defaults", () => {
  it("without a deadline the group waits the default time for its kiosks", async () => {
    const g = await newGroup();
    const model = await makeModel();
    const k = await kioskSocket(g, await kioskToken(g));
    const res = await publishTo(g, await uploaderToken(), { modelId: model.id });
    expect(res.status).toBe(202);
    const pre = await k.next((m) => m.type === "prefetch");
    expect(pre.switch.deadline - Date.now()).toBeGreaterThan(10_000);
    k.send({ type: "ready", switchId: pre.switch.switchId });
    await k.next(isFlipTo(model.id));
    k.ws.close();
  });
});
