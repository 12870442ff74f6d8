/**
 * SHA-256 (FIPS 180-4) whose running state can be exported and imported, so a file's hash can be
 * computed across many requests: each PATCH of a resumable upload resumes the state saved by the last
 * one (uploads.hash_state). WebCrypto and DigestStream cannot do that; this can, at a few hundred MB/s.
 *
 * Fast path: whole 64-byte blocks are compressed by sha256.wasm (sha256-wasm.gen.mjs), copied into its
 * memory up to 64 KiB at a time; nothing is allocated per block or per byte. The running state lives in
 * this object, so any number of hashes share the one wasm instance of the isolate.
 *
 * @example
 *   const h = new Sha256().update(a);
 *   const saved = h.exportState();          // store it
 *   Sha256.importState(saved).update(b).hex(); // === sha256(a ‖ b)
 */

import { compressBlocks } from "./sha256-blocks.ts";

const H0 = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

/** Exported state: magic, version, 8 hash words, total length, then the buffered partial block. */
const MAGIC = [0x53, 0x48, 0x32, 0x01]; // "SH2" v1
const STATE_HEADER = 4 + 32 + 8;

export class Sha256 {
  readonly #h = new Int32Array(H0);
  readonly #block = new Uint8Array(64);
  #blockLen = 0;
  /** Bytes hashed so far (exact up to 2^53). */
  #length = 0;

  /** Bytes fed in so far. */
  get length(): number {
    return this.#length;
  }

  update(data: Uint8Array): this {
    let pos = 0;
    const n = data.length;
    this.#length += n;
    if (this.#blockLen > 0) {
      const take = Math.min(64 - this.#blockLen, n);
      this.#block.set(data.subarray(0, take), this.#blockLen);
      this.#blockLen += take;
      pos = take;
      if (this.#blockLen < 64) return this;
      compressBlocks(this.#h, this.#block);
      this.#blockLen = 0;
    }
    const whole = pos + ((n - pos) & ~63);
    if (whole > pos) compressBlocks(this.#h, data.subarray(pos, whole));
    if (whole < n) {
      this.#block.set(data.subarray(whole), 0);
      this.#blockLen = n - whole;
    }
    return this;
  }

  /** The digest of everything fed in. Does not change the state (more updates may follow). */
  digest(): Uint8Array {
    const copy = Sha256.importState(this.exportState());
    return copy.#finish();
  }

  hex(): string {
    let s = "";
    for (const b of this.digest()) s += (b < 16 ? "0" : "") + b.toString(16);
    return s;
  }

  /** A compact copy of the running state (at most 107 bytes); see `importState`. */
  exportState(): Uint8Array {
    const out = new Uint8Array(STATE_HEADER + this.#blockLen);
    out.set(MAGIC, 0);
    const view = new DataView(out.buffer);
    for (let i = 0; i < 8; i++) view.setInt32(4 + i * 4, this.#h[i]!);
    view.setUint32(36, Math.floor(this.#length / 0x1_0000_0000));
    view.setUint32(40, this.#length >>> 0);
    out.set(this.#block.subarray(0, this.#blockLen), STATE_HEADER);
    return out;
  }

  static importState(state: Uint8Array): Sha256 {
    if (state.length < STATE_HEADER || MAGIC.some((b, i) => state[i] !== b)) {
      throw new Error("not a SHA-256 state");
    }
    const view = new DataView(state.buffer, state.byteOffset, state.byteLength);
    const h = new Sha256();
    for (let i = 0; i < 8; i++) h.#h[i] = view.getInt32(4 + i * 4);
    h.#length = view.getUint32(36) * 0x1_0000_0000 + view.getUint32(40);
    h.#blockLen = state.length - STATE_HEADER;
    if (h.#blockLen !== h.#length % 64) throw new Error("corrupt SHA-256 state");
    h.#block.set(state.subarray(STATE_HEADER), 0);
    return h;
  }

  #finish(): Uint8Array {
    const bitsHi = Math.floor(this.#length / 0x2000_0000); // length * 8 / 2^32
    const bitsLo = (this.#length * 8) >>> 0;
    const b = this.#block;
    b[this.#blockLen++] = 0x80;
    if (this.#blockLen > 56) {
      b.fill(0, this.#blockLen);
      compressBlocks(this.#h, b);
      this.#blockLen = 0;
    }
    b.fill(0, this.#blockLen, 56);
    const view = new DataView(b.buffer, b.byteOffset, 64);
    view.setUint32(56, bitsHi);
    view.setUint32(60, bitsLo);
    compressBlocks(this.#h, b);
    const out = new Uint8Array(32);
    const ov = new DataView(out.buffer);
    for (let i = 0; i < 8; i++) ov.setInt32(i * 4, this.#h[i]!);
    return out;
  }
}

/** One-shot helper. */
export const sha256Hex = (data: Uint8Array) => new Sha256().update(data).hex();
