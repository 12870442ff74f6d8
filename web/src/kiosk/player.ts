import {
  SCENE_DEFAULTS, type GroupChange, type GroupSnapshot, type KioskModel, type PendingSwitch, type Scene, type ServerMessage,
} from "@cad-kiosk/schema/kiosk";
import { disposeModel, type ModelView, type PreparedModel } from "../viewer/model-view.ts";
import { cacheModel, cachedModel, store } from "./storage.ts";
import type { GroupSync } from "./sync.ts";

export const APP_VERSION = "kiosk-web/0.1.0";

/**
 * Applies the group's state to the view. Versions: changes are applied in order; a gap means a missed
 * message, so the player says hello again with its version and gets the rest. A model change flips at
 * its announced server time (`at`, converted with the measured clock offset) when the model is ready
 * by then, or as soon as it is ready (a late kiosk).
 */
export class Player {
  version = 0;
  /** The tag of the change that made `version`: with it, the group knows this kiosk saw that very change. */
  tag: string | undefined = undefined;
  scene: Scene = { ...SCENE_DEFAULTS };
  /** The model the group state says (what should be on screen). */
  target: KioskModel | null = null;
  lastError: string | null = null;
  /** When (this machine's clock, ms) the shown model went on screen: the synchronised switch, observed. */
  flippedAt: number | null = null;
  #prepared = new Map<string, Promise<PreparedModel>>();
  #flipSeq = 0;
  #pendingModelId: string | null = null;
  #groupId: string;

  constructor(private readonly view: ModelView, private readonly token: string, groupId: string, private sync: GroupSync | null = null) {
    this.#groupId = groupId;
  }

  attach(sync: GroupSync): void {
    this.sync = sync;
  }

  /** Offline start: show the last state this kiosk applied, from the cache. */
  async resume(): Promise<void> {
    const saved = store.state();
    if (!saved || saved.groupId !== this.#groupId) return;
    this.version = saved.version;
    this.tag = saved.tag;
    this.scene = saved.scene;
    this.view.applyScene(this.scene);
    if (saved.model) this.#flip(saved.model, null);
  }

  hello(): void {
    // Not showing what the saved state says (an offline start whose cached model is gone, a signed URL
    // that expired): ask for the whole state again, with fresh URLs.
    const showing = (this.view.model?.id ?? null) === (this.target?.id ?? null);
    this.sync?.send({ type: "hello", version: showing ? this.version : 0, tag: showing ? this.tag : undefined, appVersion: APP_VERSION });
    this.report();
  }

  handle(msg: ServerMessage): void {
    switch (msg.type) {
      case "state":
        return this.#applyState(msg.state, msg.pending);
      case "delta":
        return this.#applyDelta(msg.changes, msg.pending);
      case "prefetch":
        return this.#prefetch(msg.switch);
      default:
        return;
    }
  }

  /** Tell the group what this kiosk shows. */
  report(): void {
    const shown = this.view.model?.id ?? null;
    this.sync?.send({
      type: "status", version: this.version, modelId: shown, ready: shown === (this.target?.id ?? null),
      error: this.lastError, clockOffsetMs: this.sync.clockOffsetMs, rttMs: this.sync.rttMs ?? undefined,
    });
  }

  #applyState(state: GroupSnapshot, pending: PendingSwitch | null): void {
    this.version = state.version;
    this.tag = state.tag;
    this.scene = state.scene;
    this.view.applyScene(this.scene);
    if (state.model?.id !== this.target?.id || !this.view.model) {
      if (state.model) this.#flip(state.model, null);
      else {
        this.target = null;
        this.view.clear();
      }
    }
    this.#save();
    if (pending) this.#prefetch(pending);
    this.report();
  }

  #applyDelta(changes: GroupChange[], pending: PendingSwitch | null): void {
    for (const change of changes) {
      if (change.version <= this.version) continue;
      if (change.version !== this.version + 1) {
        // Missed something: ask again from what we have.
        this.sync?.send({ type: "hello", version: this.version, tag: this.tag, appVersion: APP_VERSION });
        return;
      }
      if (change.scene) {
        this.scene = { ...this.scene, ...change.scene };
        this.view.applyScene(this.scene);
      }
      if (change.model !== undefined) {
        if (change.model) this.#flip(change.model, change.at ?? null);
        else {
          this.target = null;
          this.view.clear();
        }
      }
      this.version = change.version;
      this.tag = change.tag;
    }
    this.#save();
    if (pending) this.#prefetch(pending);
    this.report();
  }

  #prefetch(p: PendingSwitch): void {
    this.#pendingModelId = p.model.id;
    this.#prepare(p.model).then(
      () => this.sync?.send({ type: "ready", switchId: p.switchId }),
      (err) => this.#fail(err),
    );
  }

  /** Show `model` at server time `at` (null: as soon as it is ready). */
  #flip(model: KioskModel, at: number | null): void {
    this.target = model;
    const seq = ++this.#flipSeq;
    this.#prepare(model).then((prepared) => {
      if (seq !== this.#flipSeq) return;
      const due = at === null ? Date.now() : at + (this.sync?.clockOffsetMs ?? 0);
      const show = () => {
        this.view.release();
        if (seq !== this.#flipSeq) return;
        this.view.show(prepared);
        this.flippedAt = Date.now();
        this.#prepared.delete(model.id);
        this.#forgetPreparedExcept(model.id);
        this.lastError = null;
        this.report();
      };
      // Stop drawing a frame or two before the moment, so no long frame delays the flip past it.
      const guard = Math.max(50, 2 * Math.min(this.view.frameMs, 250));
      const wait = due - Date.now();
      if (wait <= 0) show();
      else if (wait <= guard) (this.view.hold(), setTimeout(show, wait));
      else setTimeout(() => (this.view.hold(), setTimeout(show, Math.max(0, due - Date.now()))), wait - guard);
    }, (err) => this.#fail(err));
  }

  /** Download (or take from the cache), check and parse a model once, however often it is asked for. */
  #prepare(model: KioskModel): Promise<PreparedModel> {
    if (this.view.model?.id === model.id) return Promise.resolve(this.view.model);
    let p = this.#prepared.get(model.id);
    if (!p) {
      p = (async () => {
        let glb = await cachedModel(model.sha256);
        if (!glb) {
          const headers: Record<string, string> = model.url.startsWith("/api/") ? { Authorization: `Bearer ${this.token}` } : {};
          const res = await fetch(model.url, { headers });
          if (!res.ok) throw new Error(`model download failed: ${res.status}`);
          glb = await res.arrayBuffer();
          const sha = Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", glb)), (b) => b.toString(16).padStart(2, "0")).join("");
          if (sha !== model.sha256) throw new Error("model download corrupted (SHA-256 mismatch)");
          await cacheModel(model.sha256, glb, [this.target?.sha256 ?? "", store.state()?.model?.sha256 ?? ""].filter(Boolean));
        }
        return this.view.prepare(model.id, glb);
      })();
      p.catch(() => this.#prepared.delete(model.id));
      this.#prepared.set(model.id, p);
    }
    return p;
  }

  #forgetPreparedExcept(keep: string): void {
    for (const [id, p] of this.#prepared) {
      if (id === keep || id === this.#pendingModelId) continue;
      this.#prepared.delete(id);
      p.then((m) => this.view.model !== m && disposeModel(m), () => {});
    }
  }

  #fail(err: unknown): void {
    this.lastError = err instanceof Error ? err.message : String(err);
    console.error("kiosk:", this.lastError);
    this.report();
  }

  #save(): void {
    store.setState({
      groupId: this.#groupId, version: this.version, tag: this.tag, model: this.target, publishedModelId: this.target?.id ?? null, scene: this.scene,
    });
  }
}
