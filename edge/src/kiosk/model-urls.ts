import type { KioskModel } from "@cad-kiosk/schema/kiosk";
import { signDownload } from "../jobs/signing.ts";
import type { StoredModel } from "./store.ts";

/**
 * Signed GLB download URLs for the models a group sends, made ahead (`prepare`, async: HMAC) and then
 * read without awaiting (`get`), so a message is built and sent in one synchronous step and no change
 * can slip in between. A URL is renewed after half its lifetime; without a signing key (or before
 * `prepare`) the model points at the bearer-token route instead.
 */
export class ModelUrls {
  #signed = new Map<string, { model: KioskModel; renewAt: number }>();

  constructor(private readonly secret: string | undefined, private readonly ttlMs: number) {}

  async prepare(models: (StoredModel | null | undefined)[]): Promise<void> {
    if (!this.secret) return;
    const now = Date.now();
    for (const model of models) {
      if (!model || (this.#signed.get(model.id)?.renewAt ?? 0) > now) continue;
      const exp = now + this.ttlMs;
      const sig = await signDownload(this.secret, model.id, exp);
      const url = `/dl/${encodeURIComponent(model.id)}?${new URLSearchParams({ exp: String(exp), sig })}`;
      this.#signed.set(model.id, { model: { ...model, url }, renewAt: now + this.ttlMs / 2 });
    }
  }

  /** The model with its URL (relative to the Worker's origin). */
  get(model: StoredModel): KioskModel {
    return this.#signed.get(model.id)?.model ?? { ...model, url: `/api/models/${encodeURIComponent(model.id)}/glb` };
  }
}
