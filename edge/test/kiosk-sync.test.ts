import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CHANGE_LOG_SIZE } from "../src/kiosk/store.ts";
import { kioskGroup } from "../src/kiosk/kiosk-group.ts";
import { adminToken, agentToken, call, ensureGroup, kioskToken, uploaderToken, viewerToken } from "./helpers.ts";
import { json, kioskSocket, makeModel, patchScene, publishTo, sleep, socket } from "./kiosk-helpers.ts";

let groupSeq = 0;
const newGroup = async () => {
  const id = `g${Date.now().toString(36)}${groupSeq++}`;
  await ensureGroup(id);
  return id;
};

describe("hello and resync", () => {
  it("a new kiosk gets the whole state; a known version gets exactly the changes it missed, in order", async () => {
    const g = await newGroup();
    const staff = await uploaderToken();
    const token = await kioskToken(g);
    const k1 = await kioskSocket(g, token);
    expect(k1.first).toMatchObject({ type: "state", state: { groupId: g, version: 0, model: null, scene: { mode: "orbit" } } });

    expect((await patchScene(g, staff, { floor: 1 })).status).toBe(200);
    const d1 = await k1.next((m) => m.type === "delta");
    expect(d1).toMatchObject({ version: 1, changes: [{ version: 1, scene: { floor: 1 } }] });
    k1.ws.close();

    // Offline while three changes happen; its hello with version 1 gets 2..4, nothing else.
    await patchScene(g, staff, { highlightRoom: "Kitchen" });
    await patchScene(g, staff, { mode: "fixed" });
    await patchScene(g, staff, { camera: { position: [1, 2, 3], target: [0, 0, 0] } });
    const k2 = await kioskSocket(g, token, 1);
    expect(k2.first.type).toBe("delta");
    expect(k2.first.changes.map((c: any) => c.version)).toEqual([2, 3, 4]);
    expect(k2.first.changes[0].scene).toEqual({ highlightRoom: "Kitchen" });
    expect(k2.first.version).toBe(4);

    // Up to date: an empty delta. Ahead of the group (a stale cache from elsewhere): the whole state.
    const k3 = await kioskSocket(g, token, 4);
    expect(k3.first).toMatchObject({ type: "delta", changes: [], version: 4 });
    const k4 = await kioskSocket(g, token, 99);
    expect(k4.first).toMatchObject({ type: "state", state: { version: 4, scene: { floor: 1, highlightRoom: "Kitchen", mode: "fixed" } } });
    for (const k of [k2, k3, k4]) k.ws.close();
  });

  it("a kiosk that saw a change the group lost (same version, another tag) gets the whole state", async () => {
    // Changes are sent before they are written; a write that fails resets the object, and the version
    // is made again with other content. The kiosk names what it saw by version and tag.
    const g = await newGroup();
    const staff = await uploaderToken();
    const token = await kioskToken(g);
    const k = await kioskSocket(g, token);
    await patchScene(g, staff, { floor: 1 });
    await patchScene(g, staff, { floor: 2 });
    const deltas = await k.until(() => {
      const d = k.messages.filter((m) => m.type === "delta");
      return d.length === 2 ? d : undefined;
    }, "two deltas");
    const [t1, t2] = deltas.map((d: any) => d.changes[0].tag as string);
    expect(t1).toMatch(/^[\w-]{8,}$/);
    expect(t2).not.toBe(t1);
    k.ws.close();

    const hello = async (version: number, tag?: string) => {
      const s = await socket(`/api/kiosk/groups/${g}/socket`, token);
      s.send({ type: "hello", version, tag, appVersion: "test" });
      const first = await s.next((m) => m.type === "state" || m.type === "delta");
      s.ws.close();
      return first;
    };
    expect(await hello(1, t1)).toMatchObject({ type: "delta", version: 2, changes: [{ version: 2, tag: t2, scene: { floor: 2 } }] });
    expect(await hello(2, t2)).toMatchObject({ type: "delta", version: 2, changes: [] });
    expect(await hello(2)).toMatchObject({ type: "delta", changes: [] }); // a player from before tags
    expect(await hello(2, "lost-change")).toMatchObject({ type: "state", state: { version: 2, tag: t2, scene: { floor: 2 } } });
    expect(await hello(1, "lost-change")).toMatchObject({ type: "state", state: { version: 2, tag: t2 } });
  });

  it("a kiosk further behind than the change log gets a snapshot", async () => {
    const g = await newGroup();
    const stub = kioskGroup(env, g);
    for (let i = 0; i < CHANGE_LOG_SIZE + 5; i++) await stub.setScene(g, { floor: i % 50 });
    const k = await kioskSocket(g, await kioskToken(g), 2);
    expect(k.first).toMatchObject({ type: "state", state: { version: CHANGE_LOG_SIZE + 5, scene: { floor: (CHANGE_LOG_SIZE + 4) % 50 } } });
    const near = await kioskSocket(g, await kioskToken(g), 10);
    expect(near.first.type).toBe("delta");
    expect(near.first.changes).toHaveLength(CHANGE_LOG_SIZE - 5);
    k.ws.close();
    near.ws.close();
  });

  it("changes reach every kiosk in version order, with no gaps", async () => {
    const g = await newGroup();
    const staff = await uploaderToken();
    const kiosks = await Promise.all([0, 1, 2].map(async () => kioskSocket(g, await kioskToken(g))));
    await Promise.all(Array.from({ length: 20 }, (_, i) => patchScene(g, staff, { floor: i })));
    for (const k of kiosks) {
      await k.until(() => k.messages.filter((m) => m.type === "delta").length === 20, "20 deltas");
      const versions = k.messages.filter((m) => m.type === "delta").flatMap((m) => m.changes.map((c: any) => c.version));
      expect(versions).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      k.ws.close();
    }
  });

  it("answers ping with pong, the clock probe with the server time, and a bad message with an error", async () => {
    const g = await newGroup();
    const k = await kioskSocket(g, await kioskToken(g));
    k.send("ping");
    await k.until(() => k.texts.includes("pong"), "pong");
    const before = Date.now();
    k.send({ type: "time", clientTime: 1234 });
    const t = await k.next((m) => m.type === "time");
    expect(t.clientTime).toBe(1234);
    expect(Math.abs(t.serverTime - before)).toBeLessThan(5000);
    k.send("{nope");
    expect((await k.next((m) => m.type === "error")).code).toBe("bad_message");
    k.send({ type: "hello", version: -1 });
    await k.until(() => k.messages.filter((m) => m.type === "error").length === 2, "second error");
    k.ws.close();
  });
});

describe("auth", () => {
  it("a kiosk reaches its own group only; agents never; staff may watch", async () => {
    const a = await newGroup();
    const b = await newGroup();
    const ka = await kioskToken(a);
    const up = { headers: { Upgrade: "websocket" } };
    expect((await call(`/api/kiosk/groups/${b}/socket`, ka, up)).status).toBe(403);
    expect((await call(`/api/kiosk/groups/${b}/state`, ka)).status).toBe(403);
    expect((await call(`/api/kiosk/groups/${a}/socket`, await agentToken(), up)).status).toBe(403);
    expect((await call(`/api/kiosk/groups/${a}/socket`, null, up)).status).toBe(401);
    expect((await call(`/api/kiosk/groups/nope-${a}/socket`, await viewerToken(), up)).status).toBe(404);
    expect((await call(`/api/kiosk/groups/${a}/socket`, ka)).status).toBe(426);
    expect((await call(`/api/kiosk/groups/${a}/state`, ka)).status).toBe(200);
    const staff = await socket(`/api/kiosk/groups/${a}/socket`, await viewerToken());
    expect((await staff.next((m) => m.type === "state")).state.groupId).toBe(a);
    await staff.next((m) => m.type === "presence");
    staff.ws.close();
  });

  it("only staff control: kiosks and viewers cannot publish or change the scene; bad input is a 400", async () => {
    const g = await newGroup();
    const model = await makeModel();
    expect((await publishTo(g, await kioskToken(g), { modelId: model.id })).status).toBe(403);
    expect((await publishTo(g, await viewerToken(), { modelId: model.id })).status).toBe(403);
    expect((await patchScene(g, await kioskToken(g), { floor: 1 })).status).toBe(403);
    const up = await uploaderToken();
    const bad = await patchScene(g, up, { floor: "top" });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.code).toBe("bad_request");
    expect((await patchScene(g, up, { colour: "red" })).status).toBe(400);
    expect((await publishTo(g, up, { modelId: "no-such-model" })).status).toBe(404);
    expect((await publishTo(`nope-${g}`, up, { modelId: model.id })).status).toBe(404);
  });
});

describe("eviction and hibernation", () => {
  it("an evicted object keeps its state, its hibernated sockets and their presence", async () => {
    const g = await newGroup();
    const staff = await uploaderToken();
    await patchScene(g, staff, { floor: 3 });
    const token = await kioskToken(g);
    const k = await kioskSocket(g, token, 1);
    k.send({ type: "status", version: 1, modelId: null, ready: true, rttMs: 12, clockOffsetMs: -40 });
    await sleep(50);
    const stub = kioskGroup(env, g);
    await evictDurableObject(stub); // sockets hibernate, memory is gone
    // The runtime answers pings without waking the object.
    k.send("ping");
    await k.until(() => k.texts.includes("pong"), "pong after eviction");

    await patchScene(g, staff, { floor: 4 });
    const d = await k.next((m) => m.type === "delta" && m.version === 2);
    expect(d.changes).toEqual([{ version: 2, tag: expect.any(String), committedAt: expect.any(Number), scene: { floor: 4 } }]);
    const presence = await stub.presence();
    expect(presence).toHaveLength(1);
    expect(presence[0]).toMatchObject({ online: true, appVersion: "test", ready: true, rttMs: 12, clockOffsetMs: -40 });
    const state = await runInDurableObject(stub, async (_i, ctx) => ctx.getWebSockets().length);
    expect(state).toBe(1);
    k.ws.close();
  });

  it("state survives a restart that closes every socket", async () => {
    const g = await newGroup();
    const model = await makeModel();
    const stub = kioskGroup(env, g);
    await stub.publish(g, { id: model.id, sha256: model.sha256, size: 1234 }); // no kiosks: flips at once
    await stub.setScene(g, { highlightRoom: "Hall" });
    const k = await kioskSocket(g, await kioskToken(g));
    await evictDurableObject(stub, { webSockets: "close" });
    const snap = await stub.snapshot(g);
    expect(snap).toMatchObject({ version: 2, model: { id: model.id, sha256: model.sha256 }, scene: { highlightRoom: "Hall" } });
    expect(snap!.model!.url).toMatch(/^\/dl\//);
  });
});

describe("browser sockets", () => {
  it("take the token from the subprotocol list and answer with the chosen protocol", async () => {
    const g = await newGroup();
    const token = await kioskToken(g);
    const res = await call(`/api/kiosk/groups/${g}/socket`, null, {
      headers: { Upgrade: "websocket", "Sec-WebSocket-Protocol": `cad-kiosk, bearer.${token}` },
    });
    expect(res.status).toBe(101);
    expect(res.headers.get("Sec-WebSocket-Protocol")).toBe("cad-kiosk");
    res.webSocket!.accept();
    res.webSocket!.close();
    const bad = await call(`/api/kiosk/groups/${g}/socket`, null, {
      headers: { Upgrade: "websocket", "Sec-WebSocket-Protocol": "cad-kiosk, bearer.ckk_wrong" },
    });
    expect(bad.status).toBe(401);
    // Only for WebSocket upgrades: a plain request cannot smuggle a token in that header.
    const plain = await call(`/api/kiosk/groups/${g}/state`, null, { headers: { "Sec-WebSocket-Protocol": `cad-kiosk, bearer.${token}` } });
    expect(plain.status).toBe(401);
  });
});

describe("unknown groups", () => {
  it("state and scene of a group that does not exist are 404, malformed names too", async () => {
    const up = await uploaderToken();
    expect((await call("/api/kiosk/groups/no-such-group/state", up)).status).toBe(404);
    expect((await patchScene("no-such-group", up, { floor: 1 })).status).toBe(404);
    expect((await call(`/api/kiosk/groups/${"x".repeat(80)}/state`, up)).status).toBe(404);
    // A group created later is found then.
    const g = `late${Date.now().toString(36)}`;
    expect((await call(`/api/kiosk/groups/${g}/state`, up)).status).toBe(404);
    await ensureGroup(g);
    expect((await call(`/api/kiosk/groups/${g}/state`, up)).status).toBe(200);
  });
});
