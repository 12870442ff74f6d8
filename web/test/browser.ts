import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

export const ARTIFACTS = path.resolve(import.meta.dirname, "../test-artifacts");

/** Debian's Chromium, headless; WebGL 2 comes from its software renderer. */
export async function launch(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--enable-unsafe-swiftshader"],
  });
}

/** A screenshot kept in web/test-artifacts (a slow machine may miss one; that is logged, not failed). */
export async function shot(page: Page, name: string): Promise<void> {
  try {
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), timeout: 60_000 });
  } catch (err) {
    console.warn(`screenshot ${name} failed:`, err instanceof Error ? err.message : String(err));
  }
}

/** Share of the kiosk canvas's pixels that differ from the background (0 = blank), and a coarse hash. */
export function canvasStats(page: Page): Promise<{ lit: number; hash: string; width: number }> {
  return page.evaluate(() => {
    const c = document.querySelector<HTMLCanvasElement>("#stage canvas")!;
    const t = document.createElement("canvas");
    t.width = c.width;
    t.height = c.height;
    const g = t.getContext("2d")!;
    g.drawImage(c, 0, 0);
    const d = g.getImageData(0, 0, t.width, t.height).data;
    let lit = 0;
    let h = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (Math.abs(d[i]! - 0x10) + Math.abs(d[i + 1]! - 0x15) + Math.abs(d[i + 2]! - 0x1c) > 40) lit++;
      if (i % 4096 === 0) h = (h * 31 + (d[i]! >> 4)) >>> 0;
    }
    return { lit: lit / (d.length / 4), hash: h.toString(16), width: t.width };
  });
}

/** The kiosk player's view numbers (window.__kiosk). */
export interface KioskStats {
  modelId: string | null;
  geometries: number;
  labels: number;
  frames: number;
  version: number;
  open: boolean;
  flippedAt: number | null;
  /** The group scene the view follows, how many floors the model marks, what the floor filter hides. */
  scene?: { highlightRoom: string | null; floor: number | null; mode: string };
  floors?: number;
  hiddenByFloor?: number;
  highlighted?: number;
}

export function kioskStats(page: Page): Promise<KioskStats> {
  return page.evaluate(() => {
    const k = (window as any).__kiosk;
    if (!k) return { modelId: null, geometries: 0, labels: 0, frames: 0, version: -1, open: false, flippedAt: null };
    return { ...k.view.stats(), version: k.player.version, open: k.sync.open, flippedAt: k.player.flippedAt };
  });
}
