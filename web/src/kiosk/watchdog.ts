/** Options of the renderer watchdog; defaults in WATCHDOG_DEFAULTS. */
export interface WatchdogOptions {
  /** No frame for this long while visible (ms): the renderer is stuck, reload the page. */
  stuckAfterMs?: number;
  /** A lost WebGL context not restored within this long (ms): reload. */
  contextLostReloadMs?: number;
  checkEveryMs?: number;
}
export const WATCHDOG_DEFAULTS: Required<WatchdogOptions> = { stuckAfterMs: 20_000, contextLostReloadMs: 10_000, checkEveryMs: 5_000 };

/**
 * Kiosks run unattended for weeks: when the render loop stops (a hung GPU process, a lost context that
 * never comes back) the page reloads itself; it comes back from its cached state.
 */
export class Watchdog {
  #lastBeat = performance.now();
  #opts: Required<WatchdogOptions>;

  constructor(canvas: HTMLCanvasElement, private readonly reload: (why: string) => void, options: WatchdogOptions = {}) {
    this.#opts = { ...WATCHDOG_DEFAULTS, ...options };
    let lost: ReturnType<typeof setTimeout> | null = null;
    canvas.addEventListener("webglcontextlost", (e) => {
      e.preventDefault(); // allow a restore
      lost = setTimeout(() => this.reload("WebGL context lost"), this.#opts.contextLostReloadMs);
    });
    canvas.addEventListener("webglcontextrestored", () => lost && clearTimeout(lost));
    setInterval(() => this.#check(), this.#opts.checkEveryMs);
  }

  /** Called every rendered frame. */
  beat(): void {
    this.#lastBeat = performance.now();
  }

  #check(): void {
    if (document.visibilityState !== "visible") return void (this.#lastBeat = performance.now());
    if (performance.now() - this.#lastBeat > this.#opts.stuckAfterMs) this.reload("renderer stuck");
  }
}
