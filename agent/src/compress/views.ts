/**
 * Less JSON in a written meshopt GLB: vertex buffer views merged, defaults and float noise dropped.
 *
 * Why: a plan is hundreds of small meshes (one slab per room), and glTF-Transform's meshopt writer
 * gives every vertex accessor a buffer view of its own (~200 bytes of JSON each, and a meshopt
 * stream with its own header and tail). On plans up to a few MB the JSON is most of the file. Here
 * every unfiltered ATTRIBUTES view of one byte stride becomes one view (its streams decoded,
 * concatenated and encoded again as one; the accessors keep their data at a byte offset), index
 * accessors lose `"normalized": false` (the default), and node transforms are written with the
 * fewest digits that give the same float32 (what a GPU gets anyway).
 *
 * Works on the GLB bytes glTF-Transform wrote: a GLB with one embedded buffer and the meshopt
 * fallback buffer. Anything else (images, sparse accessors, external buffers) is returned unchanged.
 */
import type { MeshoptDecoder as Decoder, MeshoptEncoder as Encoder } from 'meshoptimizer';

const GLB_MAGIC = 0x46546c67;
const CHUNK_JSON = 0x4e4f534a;
const CHUNK_BIN = 0x004e4942;
const MESHOPT = 'EXT_meshopt_compression';

interface MeshoptView {
  buffer: number;
  byteOffset?: number;
  byteLength: number;
  byteStride: number;
  count: number;
  mode: 'ATTRIBUTES' | 'TRIANGLES' | 'INDICES';
  filter?: string;
}

interface View {
  buffer: number;
  byteOffset?: number;
  byteLength: number;
  byteStride?: number;
  target?: number;
  extensions?: { [MESHOPT]?: MeshoptView } & Record<string, unknown>;
}

interface Json {
  buffers?: { byteLength: number; uri?: string; extensions?: Record<string, { fallback?: boolean }> }[];
  bufferViews?: View[];
  accessors?: { bufferView?: number; byteOffset?: number; normalized?: boolean; sparse?: unknown }[];
  images?: unknown[];
  nodes?: Record<string, unknown>[];
}

/** Returns `glb` with merged vertex views and leaner JSON, or `glb` itself where it does not apply. */
export function packViews(glb: Uint8Array, encoder: typeof Encoder, decoder: typeof Decoder): Uint8Array {
  const parsed = parseGlb(glb);
  if (!parsed) return glb;
  const { json, bin } = parsed;
  const views = json.bufferViews ?? [];
  const buffers = json.buffers ?? [];
  const fallback = buffers.findIndex((b) => b.extensions?.[MESHOPT]?.fallback);
  const simple =
    !json.images?.length &&
    !(json.accessors ?? []).some((a) => a.sparse) &&
    buffers.length === (fallback >= 0 ? 2 : 1) &&
    !buffers[0].uri &&
    views.every((v) => (v.extensions?.[MESHOPT] ? v.buffer === fallback && v.extensions[MESHOPT].buffer === 0 : v.buffer === 0));
  if (!simple) return glb;

  // Old view → new view and byte offset in it.
  const where: { view: number; offset: number }[] = [];
  const out: { def: View; data: Uint8Array[]; counts: number[] }[] = [];
  const groups = new Map<string, number>();
  for (const view of views) {
    const m = view.extensions?.[MESHOPT];
    const source = m
      ? bin.subarray(m.byteOffset ?? 0, (m.byteOffset ?? 0) + m.byteLength)
      : bin.subarray(view.byteOffset ?? 0, (view.byteOffset ?? 0) + view.byteLength);
    const mergeable = m && m.mode === 'ATTRIBUTES' && !m.filter && Object.keys(view.extensions!).length === 1;
    const key = mergeable ? `${m.byteStride}:${view.target ?? ''}` : null;
    const at = key === null ? undefined : groups.get(key);
    if (at === undefined) {
      if (key !== null) groups.set(key, out.length);
      where.push({ view: out.length, offset: 0 });
      out.push({ def: structuredClone(view), data: [source], counts: [m?.count ?? 0] });
      continue;
    }
    const target = out[at];
    where.push({ view: at, offset: target.def.byteLength });
    target.def.byteLength += view.byteLength;
    target.def.extensions![MESHOPT]!.count += m!.count;
    target.data.push(source);
    target.counts.push(m!.count);
  }

  // Lay out the embedded buffer (compressed streams and plain data) and the fallback buffer.
  const chunks: Uint8Array[] = [];
  let size = 0;
  let fallbackSize = 0;
  for (const { def, data, counts } of out) {
    const m = def.extensions?.[MESHOPT];
    let bytes = data[0];
    if (m && data.length > 1) {
      // Each stream decoded into its place, then the whole view encoded as one stream.
      const raw = new Uint8Array(m.count * m.byteStride);
      let at = 0;
      data.forEach((stream, k) => {
        const length = counts[k] * m.byteStride;
        decoder.decodeGltfBuffer(raw.subarray(at, at + length), counts[k], m.byteStride, stream, m.mode);
        at += length;
      });
      bytes = encoder.encodeGltfBuffer(raw, m.count, m.byteStride, m.mode);
    }
    const start = size;
    chunks.push(bytes);
    size += bytes.byteLength;
    const pad = pad4(size);
    if (pad) {
      chunks.push(new Uint8Array(pad));
      size += pad;
    }
    if (m) {
      m.byteOffset = start;
      m.byteLength = bytes.byteLength;
      def.byteOffset = fallbackSize;
      fallbackSize += def.byteLength + pad4(def.byteLength);
      if (!m.byteOffset) delete m.byteOffset;
    } else {
      def.byteOffset = start;
    }
    if (!def.byteOffset) delete def.byteOffset;
  }
  json.bufferViews = out.map((o) => o.def);
  for (const accessor of json.accessors ?? []) {
    if (accessor.normalized === false) delete accessor.normalized;
    if (accessor.bufferView === undefined) continue;
    const w = where[accessor.bufferView];
    accessor.bufferView = w.view;
    const offset = (accessor.byteOffset ?? 0) + w.offset;
    if (offset) accessor.byteOffset = offset;
    else delete accessor.byteOffset;
  }
  for (const node of json.nodes ?? []) {
    for (const key of ['translation', 'rotation', 'scale', 'matrix']) {
      const v = node[key];
      if (Array.isArray(v)) node[key] = v.map(shortFloat);
    }
  }
  buffers[0].byteLength = size;
  if (fallback >= 0) buffers[fallback].byteLength = fallbackSize;
  const merged = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    merged.set(c, offset);
    offset += c.byteLength;
  }
  return writeGlb(json, merged);
}

const pad4 = (n: number): number => (4 - (n % 4)) % 4;

/** The shortest decimal that is the same float32 as `x`. */
export function shortFloat(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.fround(x);
  for (let digits = 1; digits < 17; digits++) {
    const y = Number(x.toPrecision(digits));
    if (Math.fround(y) === f) return y;
  }
  return x;
}

function parseGlb(glb: Uint8Array): { json: Json; bin: Uint8Array } | null {
  const dv = new DataView(glb.buffer, glb.byteOffset, glb.byteLength);
  if (glb.byteLength < 20 || dv.getUint32(0, true) !== GLB_MAGIC || dv.getUint32(4, true) !== 2) return null;
  const jsonLength = dv.getUint32(12, true);
  if (dv.getUint32(16, true) !== CHUNK_JSON) return null;
  const json = JSON.parse(new TextDecoder().decode(glb.subarray(20, 20 + jsonLength))) as Json;
  let bin: Uint8Array = new Uint8Array(0);
  const at = 20 + jsonLength;
  if (at + 8 <= glb.byteLength) {
    if (dv.getUint32(at + 4, true) !== CHUNK_BIN) return null;
    bin = glb.subarray(at + 8, at + 8 + dv.getUint32(at, true));
  }
  return { json, bin };
}

function writeGlb(json: Json, bin: Uint8Array): Uint8Array {
  const text = new TextEncoder().encode(JSON.stringify(json));
  const jsonPad = pad4(text.byteLength);
  const binPad = pad4(bin.byteLength);
  const total = 12 + 8 + text.byteLength + jsonPad + (bin.byteLength ? 8 + bin.byteLength + binPad : 0);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, GLB_MAGIC, true);
  dv.setUint32(4, 2, true);
  dv.setUint32(8, total, true);
  dv.setUint32(12, text.byteLength + jsonPad, true);
  dv.setUint32(16, CHUNK_JSON, true);
  out.set(text, 20);
  out.fill(0x20, 20 + text.byteLength, 20 + text.byteLength + jsonPad);
  if (bin.byteLength) {
    const at = 20 + text.byteLength + jsonPad;
    dv.setUint32(at, bin.byteLength + binPad, true);
    dv.setUint32(at + 4, CHUNK_BIN, true);
    out.set(bin, at + 8);
  }
  return out;
}
