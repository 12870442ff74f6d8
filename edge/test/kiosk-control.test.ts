import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createToken } from "../src/auth/tokens.ts";
import { CONTROL_BUDGET_DEFAULTS } from "../src/kiosk/control-budget.ts";
import { adminToken, call, ensureGroup, kioskToken, viewerToken } from "./helpers.ts";
import { json, kioskSocket, socket } from "./kiosk-helpers.ts";

let groupSeq = 0;
const newGroup = async () => {
  const id = `c${Date.now().toString(36)}${groupSeq++}`;
  await ensureGroup(id);
  return id;
};

/** A staff socket on the group, with its first `state` received. */
async function staffSocket(groupId: string, token: string) {
  const s = await socket(`/api/kiosk/groups/${groupId}/socket`, token);
  await s.next((m) => m.type === "state");
  return s;
}

const stateOf = async (groupId: string, token: string) => json(await call(`/api/kiosk/groups/${groupId}/state`, token));

describe("staff control over the group socket", () => {
  it("refuses a viewer's scene change: an error to the viewer, no new version, nothing to the kiosks", async () => {
    const g = await newGroup();
    const kiosk = await kioskSocket(g, await kioskToken(g));
    const viewer = await staffSocket(g, await viewerToken());
    viewer.send({ type: "scene", patch: { floor: 3 }, ref: "v1" });
    const err = await viewer.next((m) => m.type === "error");
    expect(err).toMatchObject({ code: "forbidden", ref: "v1" });
    // A later, permitted change is version 1: the refused one never committed, and the kiosk never saw it.
    const uploader = await staffSocket(g, (await createToken(env, { kind: "staff", name: "u", role: "uploader" })).secret);
    uploader.send({ type: "scene", patch: { highlightRoom: "Hall" } });
    const d = await kiosk.next((m) => m.type === "delta");
    expect(d).toMatchObject({ version: 1, changes: [{ version: 1, scene: { highlightRoom: "Hall" } }] });
    expect(kiosk.messages.filter((m) => m.type === "delta")).toHaveLength(1);
    expect((await stateOf(g, await adminToken())).scene.floor).toBeNull();
    for (const s of [kiosk, viewer, uploader]) s.ws.close();
  });

  it("applies an uploader's scene change: a new version, committed, broadcast to kiosks and consoles alike", async () => {
    const g = await newGroup();
    const kiosks = await Promise.all([0, 1].map(async () => kioskSocket(g, await kioskToken(g))));
    const watcher = await staffSocket(g, await viewerToken());
    const uploader = await staffSocket(g, (await createToken(env, { kind: "staff", name: "u", role: "uploader" })).secret);
    uploader.send({ type: "scene", patch: { floor: 2, mode: "fixed" } });
    for (const s of [...kiosks, watcher, uploader]) {
      const d = await s.next((m) => m.type === "delta");
      expect(d).toMatchObject({ version: 1, changes: [{ version: 1, scene: { floor: 2, mode: "fixed" } }] });
      expect(d.changes[0].committedAt).toBeGreaterThan(0);
    }
    // Committed: the HTTP state says so, and a kiosk that comes back at version 0 gets it.
    expect(await stateOf(g, await adminToken())).toMatchObject({ version: 1, scene: { floor: 2, mode: "fixed" } });
    const late = await kioskSocket(g, await kioskToken(g));
    expect(late.first).toMatchObject({ type: "state", state: { version: 1, scene: { floor: 2, mode: "fixed" } } });
    // A malformed patch is refused like any bad message, and commits nothing.
    uploader.send({ type: "scene", patch: { floor: "top" } });
    expect((await uploader.next((m) => m.type === "error")).code).toBe("bad_message");
    expect((await stateOf(g, await adminToken())).version).toBe(1);
    for (const s of [...kiosks, watcher, uploader, late]) s.ws.close();
  });

  it("disconnects a revoked staff token at once, and refuses it from then on", async () => {
    const [g1, g2] = [await newGroup(), await newGroup()];
    const { row, secret } = await createToken(env, { kind: "staff", name: "laptop", role: "uploader" });
    const s1 = await staffSocket(g1, secret);
    const s2 = await staffSocket(g2, secret);
    const other = await staffSocket(g1, (await createToken(env, { kind: "staff", name: "u2", role: "uploader" })).secret);
    const res = await call(`/api/admin/tokens/${row.id}`, await adminToken(), { method: "DELETE" });
    expect(res.status).toBe(200);
    for (const s of [s1, s2]) {
      expect((await s.next((m) => m.type === "error")).code).toBe("revoked");
      await s.until(() => s.closed, "close");
      expect(s.closed!.code).toBe(4401);
    }
    expect(other.closed).toBeNull(); // others stay
    expect((await call(`/api/kiosk/groups/${g1}/socket`, secret, { headers: { Upgrade: "websocket" } })).status).toBe(401);
    other.ws.close();
  });

  it("the group's object refuses a revoked token whose upgrade was already authenticated", async () => {
    const g = await newGroup();
    const { row } = await createToken(env, { kind: "staff", name: "late", role: "uploader" });
    const stub = env.KIOSK_GROUP.get(env.KIOSK_GROUP.idFromName(g));
    await stub.revoke(row.id);
    const res = await stub.fetch("https://group/socket", {
      headers: { Upgrade: "websocket", "X-Group-Id": g, "X-Kiosk-Peer": JSON.stringify({ role: "staff", id: row.id, name: "staff", control: true }) },
    });
    expect(res.status).toBe(401);
  });
});

describe("staff control budget", () => {
  it("a socket that sends changes faster than a person could is refused the excess, with the message's ref", async () => {
    const g = await newGroup();
    const uploader = await staffSocket(g, (await createToken(env, { kind: "staff", name: "u", role: "uploader" })).secret);
    const sent = CONTROL_BUDGET_DEFAULTS.burst + 50;
    for (let i = 0; i < sent; i++) uploader.send({ type: "scene", patch: { floor: i % 50 }, ref: `r${i}` });
    const refused = await uploader.next((m) => m.type === "error" && m.code === "rate_limited");
    expect(refused.ref).toMatch(/^r\d+$/);
    await uploader.until(() => uploader.messages.filter((m) => m.type === "delta" || m.type === "error").length === sent, "an answer to each");
    const applied = uploader.messages.filter((m) => m.type === "delta").length;
    expect(applied).toBeGreaterThanOrEqual(CONTROL_BUDGET_DEFAULTS.burst);
    expect(applied).toBeLessThan(sent);
    expect((await stateOf(g, await adminToken())).version).toBe(applied);
    uploader.ws.close();
  });
});
