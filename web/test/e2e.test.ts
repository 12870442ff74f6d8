import { statSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { drawPdf, drawPlan, jobDone, startRealAgent, tusUpload, type RealAgent } from "./agent.ts";
import { canvasStats, kioskStats, launch, shot } from "./browser.ts";
import { startStack, type Stack } from "./stack.ts";

/**
 * Staff console and kiosk player against the local stack, in order: pair a kiosk from the console, upload
 * a drawing through a dropped connection (tus resumes, the bar reaches 100 %), the job's model is
 * published to the kiosk's group by itself and shown, a second model published from the console
 * replaces it (the first one's GPU memory freed), and a revoked kiosk goes back to its pairing screen.
 */
let stack: Stack;
let browser: Browser;
let consoleCtx: BrowserContext;
let kioskCtx: BrowserContext;
let staff: Page;
let kiosk: Page;
let kiosk2: Page;
let agent: RealAgent;
const models: { a?: string; b?: string } = {};
const seen: { a?: { geometries: number; hash: string } } = {};

const until = async <T>(probe: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 30_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};

beforeAll(async () => {
  stack = await startStack();
  browser = await launch();
  consoleCtx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  kioskCtx = await browser.newContext({ viewport: { width: 960, height: 600 } });
  staff = await consoleCtx.newPage();
  kiosk = await kioskCtx.newPage();
  for (const [name, page] of [["console", staff], ["kiosk", kiosk]] as const) {
    page.on("pageerror", (e) => console.error(`[${name}] page error:`, e.message));
    page.on("console", (m) => m.type() === "error" && console.error(`[${name}]`, m.text()));
    page.on("response", (r) => r.status() >= 404 && console.error(`[${name}] ${r.status()} ${r.request().method()} ${r.url()}`));
  }
  await stack.call("POST", "/api/admin/groups", stack.adminToken, { id: "lobby", name: "Lobby" });
  agent = await startRealAgent(stack);
});

afterAll(async () => {
  await agent?.stop();
  await browser?.close();
  await stack?.stop();
});

describe("kiosk and console in Chromium", () => {
  it("pairs a kiosk: the kiosk shows a code, staff enter it, the kiosk connects", async () => {
    await kiosk.goto(`${stack.url}/kiosk`);
    const code = (await kiosk.getByTestId("pairing-code").textContent({ timeout: 20_000 }))!.trim();
    expect(code).toMatch(/^[A-Z0-9]{3} [A-Z0-9]{3}$/);
    await shot(kiosk, "1-kiosk-pairing-code");

    await staff.goto(`${stack.url}/`);
    await staff.getByTestId("token-input").fill(stack.adminToken);
    await staff.getByTestId("sign-in").click();
    await staff.getByTestId("tab-groups").click();
    const group = staff.getByTestId("group-lobby");
    await group.getByTestId("pair-code").fill(code.toLowerCase());
    await group.getByTestId("pair-name").fill("Lobby screen");
    await group.getByTestId("pair").click();

    await until(async () => (await kioskStats(kiosk)).open, "kiosk connected");
    await group.locator('[data-testid="kiosk-row"][data-online="true"]').waitFor({ timeout: 20_000 });
    await shot(staff, "2-console-kiosk-online");
  });

  it("uploads a drawing from the console: the bar reaches 100 % through a dropped connection", async () => {
    const file = drawPlan("a", 8);
    const size = statSync(file).size;
    expect(size).toBeGreaterThan(10_000_000);
    const tus: string[] = [];
    staff.on("request", (r) => r.url().includes("/api/uploads/") && tus.push(r.method()));
    await staff.getByTestId("tab-upload").click();
    await staff.getByTestId("upload-group").selectOption("lobby");
    stack.proxy.rate = 2_000_000; // ~2 MB/s: the upload takes a few seconds
    await staff.getByTestId("upload-file").setInputFiles(file);
    const percent = async () => Number((await staff.getByTestId("upload-percent").textContent())?.replace(/\D/g, "") ?? 0);
    await until(async () => (await percent()) >= 25, "upload at 25 %");
    const before = await percent();
    const dropped = stack.proxy.dropAll();
    expect(dropped).toBeGreaterThan(0);
    await shot(staff, "3-console-upload-dropped");
    // Usually seconds; up to the edge's upload lock (120 s) when the cut PATCH still holds it (423, retried).
    await until(async () => (await staff.getByTestId("upload-status").getAttribute("data-phase")) === "done", "upload done", 200_000);
    stack.proxy.rate = null;
    expect(await percent()).toBe(100);
    expect(before).toBeLessThan(100);
    // It resumed: after the cut, tus asked the server for the offset (HEAD) and sent the rest (PATCH).
    const afterCut = tus.slice(tus.indexOf("PATCH") + 1);
    expect(afterCut).toContain("HEAD");
    expect(afterCut.slice(afterCut.indexOf("HEAD"))).toContain("PATCH");
    await staff.getByTestId("job-progress").waitFor();
    await shot(staff, "4-console-upload-done");
    // The server has the whole file, once.
    const { drawings } = await stack.call<any>("GET", "/api/drawings", stack.adminToken);
    expect(drawings[0]).toMatchObject({ filename: "plan-a.dxf", size });
  }, 300_000);

  it("the job's model is published to the group by itself and the kiosk shows it", async () => {
    const job = await jobDone(stack);
    expect(job.status).toBe("succeeded");
    models.a = job.modelId;
    // The console's job line was pushed the result.
    await staff.locator(`[data-testid="job-progress"][data-status="succeeded"]`).waitFor({ timeout: 20_000 });
    const stats = await until(async () => {
      const s = await kioskStats(kiosk);
      return s.modelId === models.a && s.geometries > 0 ? s : null; // on the GPU: rendered at least once
    }, "kiosk shows model a", 60_000);
    await kiosk.waitForTimeout(500);
    const pixels = await canvasStats(kiosk);
    expect(pixels.lit).toBeGreaterThan(0.05); // not blank
    const labels = await kiosk.locator(".room-label").allTextContents();
    expect(labels.sort()).toEqual(["Cafe", "Lobby"]);
    seen.a = { geometries: stats.geometries, hash: pixels.hash };
    await shot(kiosk, "5-kiosk-model-a");
    await staff.getByTestId("tab-groups").click();
    await staff.locator('[data-testid="group-lobby"] [data-testid="group-model"]', { hasText: models.a! }).waitFor();
  });

  it("a second kiosk pairs into the same group and shows the group's model", async () => {
    const ctx = await browser.newContext({ viewport: { width: 640, height: 400 } });
    kiosk2 = await ctx.newPage();
    kiosk2.on("pageerror", (e) => console.error("[kiosk2] page error:", e.message));
    await kiosk2.goto(`${stack.url}/kiosk`);
    const code = (await kiosk2.getByTestId("pairing-code").textContent({ timeout: 20_000 }))!.trim();
    const group = staff.getByTestId("group-lobby");
    await group.getByTestId("pair-code").fill(code);
    await group.getByTestId("pair-name").fill("Lobby side screen");
    await group.getByTestId("pair").click();
    await until(async () => (await kioskStats(kiosk2)).modelId === models.a, "second kiosk shows model a", 60_000);
    await group.locator('[data-testid="kiosk-row"][data-online="true"]').nth(1).waitFor({ timeout: 20_000 });
  });

  it("a second model published from the console replaces the first on both kiosks at one moment; swapping back frees the old one", async () => {
    const jobId = await tusUpload(stack, stack.adminToken, drawPlan("b"));
    const job = await jobDone(stack, jobId);
    expect(job.id).toBe(jobId);
    models.b = job.modelId;
    await staff.reload();
    await staff.getByTestId("tab-groups").click();
    const group = staff.getByTestId("group-lobby");
    await group.getByTestId("group-publish-model").selectOption(models.b!);
    await group.getByTestId("group-publish").click();
    await until(async () => group.getByTestId("group-publish").isEnabled(), "publish answered (button enabled again)", 30_000);
    const [s1, s2] = await until(async () => {
      const both = [await kioskStats(kiosk), await kioskStats(kiosk2)];
      return both.every((s) => s.modelId === models.b) ? both : null;
    }, "both kiosks switched to model b", 60_000);
    // The synchronised switch: both went on screen at the announced moment (same machine clock).
    const spread = Math.abs(s1!.flippedAt! - s2!.flippedAt!);
    console.info(`synchronised switch: the two kiosks flipped ${spread} ms apart`);
    expect(spread).toBeLessThan(100);
    await kiosk.waitForTimeout(500);
    const pixels = await canvasStats(kiosk);
    expect(pixels.lit).toBeGreaterThan(0.05);
    expect(pixels.hash).not.toBe(seen.a!.hash);
    expect((await kiosk.locator(".room-label").allTextContents()).sort()).toEqual(["Gallery", "Office", "Store"]);
    await shot(kiosk, "6-kiosk-model-b");
    await shot(staff, "7-console-group");

    // Back to a: the GPU holds a's geometries again, not a's and b's.
    await stack.call("POST", "/api/kiosk/groups/lobby/publish", stack.adminToken, { modelId: models.a });
    const back = await until(async () => {
      const s = await kioskStats(kiosk);
      return s.modelId === models.a && s.frames > 0 ? s : null;
    }, "kiosk back on model a", 60_000);
    await kiosk.waitForTimeout(300);
    expect((await kioskStats(kiosk)).geometries).toBe(seen.a!.geometries);
    void back;
  });

  it("the console's scene controls reach the kiosks over the group socket: a highlighted room, a floor, the camera mode", async () => {
    await staff.getByTestId("tab-groups").click();
    const group = staff.getByTestId("group-lobby");
    await group.getByTestId("scene-room").fill("Cafe");
    await group.getByTestId("scene-highlight").click();
    const lit = await until(async () => {
      const s = await kioskStats(kiosk);
      return s.scene?.highlightRoom === "Cafe" && s.highlighted! > 0 ? s : null;
    }, "kiosk highlights the Cafe", 30_000);
    expect(lit.modelId).toBe(models.a);
    await until(async () => (await kioskStats(kiosk2)).scene?.highlightRoom === "Cafe", "second kiosk highlights too", 30_000);
    await kiosk.waitForTimeout(300);
    await shot(kiosk, "7a-kiosk-highlight-cafe");

    // Floor 1 of a one-floor model: the filter is on, nothing of the model is hidden.
    await group.getByTestId("scene-floor").fill("1");
    await group.getByTestId("scene-floor-show").click();
    await until(async () => (await kioskStats(kiosk)).scene?.floor === 0, "kiosk on floor 1", 30_000);
    expect((await kioskStats(kiosk)).hiddenByFloor).toBe(0);
    await until(async () => (await group.getByTestId("scene-state").textContent())?.includes("floor 1 only"), "console shows the floor");

    const mode = (await kioskStats(kiosk)).scene!.mode;
    await group.getByTestId("scene-mode").click();
    await until(async () => (await kioskStats(kiosk)).scene?.mode === (mode === "orbit" ? "fixed" : "orbit"), "kiosk mode switched", 30_000);
    await group.getByTestId("scene-floor-all").click();
    await until(async () => (await kioskStats(kiosk)).scene?.floor === null, "kiosk shows all floors", 30_000);
    expect(await group.getByTestId("scene-state").textContent()).toContain("highlighting Cafe");
    await shot(staff, "7b-console-scene-controls");
  });

  it("a two-floor model (a PDF's two pages) published to the group: the console's floor filter shows one floor on the kiosk", async () => {
    const jobId = await tusUpload(stack, stack.adminToken, drawPdf(2), { targetGroup: "lobby" });
    const job = await jobDone(stack, jobId);
    expect(job.status).toBe("succeeded");
    const shown = await until(async () => {
      const s = await kioskStats(kiosk);
      return s.modelId === job.modelId && s.frames > 0 ? s : null;
    }, "kiosk shows the two-floor model", 90_000);
    expect(shown.floors).toBe(2);
    expect(shown.hiddenByFloor).toBe(0);
    const group = staff.getByTestId("group-lobby");
    await group.getByTestId("scene-floor").fill("2");
    await group.getByTestId("scene-floor-show").click();
    const one = await until(async () => {
      const s = await kioskStats(kiosk);
      return s.scene?.floor === 1 && s.hiddenByFloor! > 0 ? s : null;
    }, "kiosk shows floor 2 only", 30_000);
    expect(one.labels).toBe(shown.labels / 2); // the hidden floor's room names go with it
    await kiosk.waitForTimeout(300);
    const pixels = await canvasStats(kiosk);
    expect(pixels.lit).toBeGreaterThan(0.02);
    await shot(kiosk, "7c-kiosk-floor-2-of-2");
    await group.getByTestId("scene-floor-all").click();
    const both = await until(async () => {
      const s = await kioskStats(kiosk);
      return s.hiddenByFloor === 0 ? s : null;
    }, "kiosk shows both floors again", 30_000);
    expect(both.labels).toBe(shown.labels);
    await shot(kiosk, "7d-kiosk-both-floors");
  });

  it("a kiosk that loses its connection comes back and catches up", async () => {
    const version = (await kioskStats(kiosk)).version;
    stack.proxy.dropAll();
    await stack.call("PATCH", "/api/kiosk/groups/lobby/scene", stack.adminToken, { highlightRoom: "Lobby" });
    await until(async () => {
      const s = await kioskStats(kiosk);
      return s.open && s.version === version + 1;
    }, "kiosk reconnected at the new version", 60_000);
    await shot(kiosk, "8-kiosk-highlight");
  });

  it("starts without a network from its cache (page, group state, model), then reconnects", async () => {
    const before = await kioskStats(kiosk);
    await kiosk.waitForFunction(() => navigator.serviceWorker?.controller !== null, null, { timeout: 20_000 });
    await kioskCtx.setOffline(true);
    await kiosk.reload();
    const offline = await until(async () => {
      const s = await kioskStats(kiosk);
      return s.modelId === before.modelId && s.geometries > 0 ? s : null;
    }, "kiosk shows its cached model offline", 60_000);
    expect(offline.open).toBe(false);
    expect((await canvasStats(kiosk)).lit).toBeGreaterThan(0.05);
    await shot(kiosk, "9-kiosk-offline-start");
    await kioskCtx.setOffline(false);
    await until(async () => (await kioskStats(kiosk)).open, "kiosk back online", 60_000);
  });

  it("a revoked kiosk is disconnected and shows a pairing code again", async () => {
    await staff.reload();
    await staff.getByTestId("tab-groups").click();
    await staff.getByTestId("group-lobby").locator('[data-testid="kiosk-row"]', { hasText: "Lobby screen" }).getByTestId("revoke").click();
    const code = await kiosk.getByTestId("pairing-code").textContent({ timeout: 30_000 });
    expect(code).toMatch(/^[A-Z0-9]{3} [A-Z0-9]{3}$/);
    await shot(kiosk, "10-kiosk-revoked");
  });
});
