/**
 * GPU instancing of the converter's door and window geometry (EXT_mesh_gpu_instancing).
 *
 * Why a custom step rather than glTF-Transform's `instance()`: the converter merges every door of a
 * layer into one primitive (lintels, sills and leaves are boxes, one triangle soup per material),
 * so there are no repeated meshes for `instance()` to find, and `instance()` would replace named
 * nodes (and their extras) by one batch node. Here each box of such a primitive is recognised
 * (12 triangles on the 8 corners of a box standing upright, faces pointing outwards, within a
 * tolerance), cut out of the primitive, and drawn as one instance of a shared unit box
 * (translation, rotation about Y, scale) in a child node of the node it came from. Whatever is not
 * a box stays in the original primitive, so the picture is the same.
 */
import type { Buffer, Document, Material, Mesh, Primitive } from '@gltf-transform/core';
import { Accessor } from '@gltf-transform/core';
import { EXTMeshGPUInstancing } from '@gltf-transform/extensions';
import type { InstancedMesh } from '@gltf-transform/extensions';
import { compactPrimitive } from '@gltf-transform/functions';

export interface BoxInstancingOptions {
  /** `extras.category` values of the nodes whose boxes become instances. */
  categories: readonly string[];
  /** Fewest boxes of one material in one node worth a batch. */
  min: number;
  /** Largest distance (model units, metres) between a corner and its reconstructed place. */
  tolerance: number;
}

export interface BoxInstancingResult {
  /** Boxes turned into instances. */
  instances: number;
  /** The instance batches created, one per instanced node. */
  batches: InstancedMesh[];
}

const TRIANGLES = 4;

/** Turns the boxes of the selected nodes into GPU instances; returns what it did. */
export function instanceBoxes(doc: Document, opts: BoxInstancingOptions): BoxInstancingResult {
  const result: BoxInstancingResult = { instances: 0, batches: [] };
  if (opts.categories.length === 0) return result;
  const wanted = new Set(opts.categories);
  const unitBoxes = new Map<Material | null, Mesh>();
  let ext: EXTMeshGPUInstancing | null = null;
  let sharedBuffer: Buffer | null = null;

  for (const node of doc.getRoot().listNodes()) {
    const category = (node.getExtras() as { category?: unknown }).category;
    const mesh = node.getMesh();
    if (typeof category !== 'string' || !wanted.has(category) || !mesh) continue;
    // A mesh shared by several nodes would change under all of them: leave it.
    if (mesh.listParents().filter((p) => p.propertyType === 'Node').length > 1) continue;
    for (const prim of mesh.listPrimitives()) {
      const found = findBoxes(prim, opts.tolerance);
      if (!found || found.count < opts.min) continue;
      const buffer = (sharedBuffer ??= doc.getRoot().listBuffers()[0] ?? doc.createBuffer());
      // Required: the boxes are gone from the original meshes, so a reader that ignored the
      // extension would draw one unit box per batch instead of the doors and windows.
      ext ??= doc.createExtension(EXTMeshGPUInstancing).setRequired(true);
      const material = prim.getMaterial();
      let unit = unitBoxes.get(material);
      if (!unit) {
        unit = unitBoxMesh(doc, material, buffer);
        unitBoxes.set(material, unit);
      }
      const acc = (name: string, type: typeof Accessor.Type.VEC3 | typeof Accessor.Type.VEC4, array: Float32Array) =>
        doc.createAccessor(name).setType(type).setArray(array).setBuffer(buffer);
      const label = `${node.getName()} (${material?.getName() || 'boxes'} ×${found.count})`;
      const batch = ext
        .createInstancedMesh()
        .setAttribute('TRANSLATION', acc(`${label} translation`, Accessor.Type.VEC3, found.translation))
        .setAttribute('ROTATION', acc(`${label} rotation`, Accessor.Type.VEC4, found.rotation))
        .setAttribute('SCALE', acc(`${label} scale`, Accessor.Type.VEC3, found.scale));
      const child = doc
        .createNode(label)
        .setMesh(unit)
        .setExtension('EXT_mesh_gpu_instancing', batch)
        .setExtras({ category, layer: (node.getExtras() as { layer?: unknown }).layer ?? null, instances: found.count });
      node.addChild(child);
      result.instances += found.count;
      result.batches.push(batch);
      if (found.rest.length === 0) {
        mesh.removePrimitive(prim);
        prim.dispose();
      } else {
        const old = prim.getIndices();
        prim.setIndices(doc.createAccessor().setType(Accessor.Type.SCALAR).setArray(found.rest).setBuffer(buffer));
        if (old && old.listParents().length <= 1) old.dispose();
        compactPrimitive(prim);
      }
    }
    if (mesh.listPrimitives().length === 0) {
      node.setMesh(null);
      mesh.dispose();
    }
  }
  return result;
}

interface FoundBoxes {
  count: number;
  translation: Float32Array;
  rotation: Float32Array;
  scale: Float32Array;
  /** Indices of the triangles that are not part of an instanced box. */
  rest: Uint32Array;
}

/** The boxes of one triangle primitive, or null when the primitive cannot hold any. */
function findBoxes(prim: Primitive, tol: number): FoundBoxes | null {
  if (prim.getMode() !== TRIANGLES) return null;
  // Only plain geometry: any other attribute (UVs, colours…) would be lost on the unit box.
  if (prim.listSemantics().some((s) => s !== 'POSITION' && s !== 'NORMAL')) return null;
  if (prim.listTargets().length) return null;
  const position = prim.getAttribute('POSITION');
  if (!position || position.getComponentType() !== Accessor.ComponentType.FLOAT || position.getNormalized())
    return null;
  const pos = position.getArray() as Float32Array;
  const vertexCount = position.getCount();
  const indexAccessor = prim.getIndices();
  const indices = indexAccessor ? indexAccessor.getArray()! : sequence(vertexCount);
  const triCount = Math.floor(indices.length / 3);
  if (triCount < 12) return null;

  // Vertices at the same place share an id; boxes are the connected groups of triangles.
  const { ids, unique } = positionIds(pos, vertexCount);
  const parent = new Int32Array(unique);
  for (let i = 0; i < unique; i++) parent[i] = i;
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  for (let t = 0; t < triCount; t++) {
    const a = find(ids[indices[3 * t]]);
    const b = find(ids[indices[3 * t + 1]]);
    const c = find(ids[indices[3 * t + 2]]);
    if (a !== b) parent[b] = a;
    const a2 = find(a);
    if (a2 !== c) parent[c] = a2;
  }
  // Triangles and distinct corners per group, as CSR lists keyed by the group's root.
  const triStart = new Int32Array(unique + 1);
  for (let t = 0; t < triCount; t++) triStart[find(ids[indices[3 * t]]) + 1]++;
  const cornerStart = new Int32Array(unique + 1);
  for (let u = 0; u < unique; u++) cornerStart[find(u) + 1]++;
  for (let u = 0; u < unique; u++) {
    triStart[u + 1] += triStart[u];
    cornerStart[u + 1] += cornerStart[u];
  }
  const triOf = new Int32Array(triCount);
  const fill = triStart.slice(0, unique);
  for (let t = 0; t < triCount; t++) triOf[fill[find(ids[indices[3 * t]])]++] = t;
  // One representative vertex per distinct corner.
  const vertexOf = new Int32Array(unique).fill(-1);
  for (let v = 0; v < vertexCount; v++) if (vertexOf[ids[v]] < 0) vertexOf[ids[v]] = v;
  const cornerOf = new Int32Array(unique);
  const cfill = cornerStart.slice(0, unique);
  for (let u = 0; u < unique; u++) cornerOf[cfill[find(u)]++] = u;

  const translation: number[] = [];
  const rotation: number[] = [];
  const scale: number[] = [];
  const isBox = new Uint8Array(triCount);
  const corners = new Float64Array(24);
  const tris = new Int32Array(36);
  const box = new Float64Array(10);
  let count = 0;
  for (let r = 0; r < unique; r++) {
    if (triStart[r + 1] - triStart[r] !== 12 || cornerStart[r + 1] - cornerStart[r] !== 8) continue;
    const local = new Map<number, number>();
    for (let k = 0; k < 8; k++) {
      const u = cornerOf[cornerStart[r] + k];
      local.set(u, k);
      const v = vertexOf[u];
      corners[3 * k] = pos[3 * v];
      corners[3 * k + 1] = pos[3 * v + 1];
      corners[3 * k + 2] = pos[3 * v + 2];
    }
    for (let k = 0; k < 12; k++) {
      const t = triOf[triStart[r] + k];
      for (let j = 0; j < 3; j++) tris[3 * k + j] = local.get(ids[indices[3 * t + j]])!;
    }
    if (!fitBox(corners, tris, tol, box)) continue;
    translation.push(box[0], box[1], box[2]);
    rotation.push(box[3], box[4], box[5], box[6]);
    scale.push(box[7], box[8], box[9]);
    for (let k = 0; k < 12; k++) isBox[triOf[triStart[r] + k]] = 1;
    count++;
  }
  if (count === 0) return null;
  const rest = new Uint32Array(3 * (triCount - 12 * count));
  let n = 0;
  for (let t = 0; t < triCount; t++) {
    if (isBox[t]) continue;
    rest[n++] = indices[3 * t];
    rest[n++] = indices[3 * t + 1];
    rest[n++] = indices[3 * t + 2];
  }
  return {
    count,
    translation: new Float32Array(translation),
    rotation: new Float32Array(rotation),
    scale: new Float32Array(scale),
    rest,
  };
}

/**
 * Whether 8 corners and 12 triangles are an upright box (Y up; any rotation about Y) whose faces
 * point outwards; if so writes translation (3), rotation quaternion (4) and scale (3) into `out`.
 */
export function fitBox(c: Float64Array, tris: Int32Array, tol: number, out: Float64Array): boolean {
  let y0 = Infinity;
  let y1 = -Infinity;
  let cx = 0;
  let cz = 0;
  for (let k = 0; k < 8; k++) {
    y0 = Math.min(y0, c[3 * k + 1]);
    y1 = Math.max(y1, c[3 * k + 1]);
    cx += c[3 * k] / 8;
    cz += c[3 * k + 2] / 8;
  }
  const h = y1 - y0;
  if (!(h > tol)) return false;
  // The horizontal axis: from the bottom corner nearest the first one to it, along a box edge.
  const bottom: number[] = [];
  for (let k = 0; k < 8; k++) {
    const y = c[3 * k + 1];
    if (Math.abs(y - y0) <= tol) bottom.push(k);
    else if (Math.abs(y - y1) > tol) return false;
  }
  if (bottom.length !== 4) return false;
  const b0 = bottom[0];
  let ux = 0;
  let uz = 0;
  let best = Infinity;
  for (const k of bottom.slice(1)) {
    const dx = c[3 * k] - c[3 * b0];
    const dz = c[3 * k + 2] - c[3 * b0 + 2];
    const d = Math.hypot(dx, dz);
    if (d < best) {
      best = d;
      ux = dx / d;
      uz = dz / d;
    }
  }
  if (!(best > tol)) return false;
  // Local frame: x along u, z along v = (-uz, ux) (what a rotation about +Y does to x and z).
  const vx = -uz;
  const vz = ux;
  let a = 0;
  let b = 0;
  const lx = new Float64Array(8);
  const lz = new Float64Array(8);
  for (let k = 0; k < 8; k++) {
    const dx = c[3 * k] - cx;
    const dz = c[3 * k + 2] - cz;
    lx[k] = dx * ux + dz * uz;
    lz[k] = dx * vx + dz * vz;
    a += Math.abs(lx[k]) / 8;
    b += Math.abs(lz[k]) / 8;
  }
  if (!(a > tol / 2 && b > tol / 2)) return false;
  // Every corner at (±a, y0|y1, ±b), each of the 8 combinations once.
  let seen = 0;
  const sx = new Int8Array(8);
  const sy = new Int8Array(8);
  const sz = new Int8Array(8);
  for (let k = 0; k < 8; k++) {
    sx[k] = lx[k] > 0 ? 1 : -1;
    sz[k] = lz[k] > 0 ? 1 : -1;
    sy[k] = Math.abs(c[3 * k + 1] - y0) <= tol ? -1 : 1;
    const ex = lx[k] - sx[k] * a;
    const ez = lz[k] - sz[k] * b;
    if (Math.hypot(ex, ez) > tol) return false;
    seen |= 1 << ((sx[k] > 0 ? 4 : 0) | (sy[k] > 0 ? 2 : 0) | (sz[k] > 0 ? 1 : 0));
  }
  if (seen !== 0xff) return false;
  // Each face (±x, ±y, ±z) covered by exactly two triangles on its four corners, facing out.
  const faceTris = new Int8Array(6);
  const faceCorners = new Uint8Array(6);
  for (let t = 0; t < 12; t++) {
    const i = tris[3 * t];
    const j = tris[3 * t + 1];
    const k = tris[3 * t + 2];
    let face = -1;
    let sign = 0;
    if (sx[i] === sx[j] && sx[j] === sx[k]) [face, sign] = [sx[i] > 0 ? 0 : 1, sx[i]];
    else if (sy[i] === sy[j] && sy[j] === sy[k]) [face, sign] = [sy[i] > 0 ? 2 : 3, sy[i]];
    else if (sz[i] === sz[j] && sz[j] === sz[k]) [face, sign] = [sz[i] > 0 ? 4 : 5, sz[i]];
    if (face < 0 || i === j || j === k || i === k) return false;
    // Outward: the triangle's normal along the face's outward normal.
    const e1x = c[3 * j] - c[3 * i];
    const e1y = c[3 * j + 1] - c[3 * i + 1];
    const e1z = c[3 * j + 2] - c[3 * i + 2];
    const e2x = c[3 * k] - c[3 * i];
    const e2y = c[3 * k + 1] - c[3 * i + 1];
    const e2z = c[3 * k + 2] - c[3 * i + 2];
    const nx = e1y * e2z - e1z * e2y;
    const ny = e1z * e2x - e1x * e2z;
    const nz = e1x * e2y - e1y * e2x;
    const along = face < 2 ? nx * ux + nz * uz : face < 4 ? ny : nx * vx + nz * vz;
    if (!(along * sign > 0)) return false;
    faceTris[face]++;
    faceCorners[face] |= (1 << i) | (1 << j) | (1 << k);
  }
  for (let f = 0; f < 6; f++) {
    if (faceTris[f] !== 2 || popcount(faceCorners[f]) !== 4) return false;
  }
  // Rotation θ about +Y maps x to (cos θ, 0, −sin θ) = u.
  const theta = Math.atan2(-uz, ux);
  out[0] = cx;
  out[1] = (y0 + y1) / 2;
  out[2] = cz;
  out[3] = 0;
  out[4] = Math.sin(theta / 2);
  out[5] = 0;
  out[6] = Math.cos(theta / 2);
  out[7] = 2 * a;
  out[8] = h;
  out[9] = 2 * b;
  return true;
}

function popcount(x: number): number {
  let n = 0;
  for (; x; x &= x - 1) n++;
  return n;
}

/** A box from −0.5 to 0.5 on every axis with flat normals, faces outwards. */
function unitBoxMesh(doc: Document, material: Material | null, buffer: Buffer): Mesh {
  const pos: number[] = [];
  const nrm: number[] = [];
  const idx: number[] = [];
  for (let axis = 0; axis < 3; axis++) {
    for (const sign of [1, -1]) {
      const s = (axis + 1) % 3;
      const t = (axis + 2) % 3;
      const base = pos.length / 3;
      for (const [ds, dt] of [[-1, -1], [1, -1], [1, 1], [-1, 1]]) {
        const p = [0, 0, 0];
        p[axis] = 0.5 * sign;
        p[s] = 0.5 * ds;
        p[t] = 0.5 * dt;
        pos.push(...p);
        const n = [0, 0, 0];
        n[axis] = sign;
        nrm.push(...n);
      }
      // s × t = axis for a cyclic (axis, s, t): counter-clockwise seen from +axis.
      if (sign > 0) idx.push(base, base + 1, base + 2, base, base + 2, base + 3);
      else idx.push(base, base + 2, base + 1, base, base + 3, base + 2);
    }
  }
  const name = `unit box: ${material?.getName() || 'default'}`;
  const prim = doc
    .createPrimitive()
    .setAttribute('POSITION', doc.createAccessor(`${name} positions`).setType('VEC3').setArray(new Float32Array(pos)).setBuffer(buffer))
    .setAttribute('NORMAL', doc.createAccessor(`${name} normals`).setType('VEC3').setArray(new Float32Array(nrm)).setBuffer(buffer))
    .setIndices(doc.createAccessor().setType('SCALAR').setArray(new Uint16Array(idx)).setBuffer(buffer))
    .setMaterial(material);
  return doc.createMesh(name).addPrimitive(prim);
}

function sequence(n: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/** An id per vertex, equal for vertices at bitwise the same position (open addressing hash). */
function positionIds(pos: Float32Array, count: number): { ids: Int32Array; unique: number } {
  const bits = new Uint32Array(pos.buffer, pos.byteOffset, count * 3);
  let size = 1;
  while (size < count * 2) size <<= 1;
  const mask = size - 1;
  const table = new Int32Array(size).fill(-1);
  const ids = new Int32Array(count);
  const firstOf: number[] = [];
  for (let v = 0; v < count; v++) {
    const x = bits[3 * v];
    const y = bits[3 * v + 1];
    const z = bits[3 * v + 2];
    let h = (Math.imul(x, 0x9e3779b1) ^ Math.imul(y, 0x85ebca77) ^ Math.imul(z, 0xc2b2ae3d)) >>> 0;
    h = (h ^ (h >>> 15)) & mask;
    for (;;) {
      const slot = table[h];
      if (slot < 0) {
        table[h] = firstOf.length;
        ids[v] = firstOf.length;
        firstOf.push(v);
        break;
      }
      const w = firstOf[slot];
      if (bits[3 * w] === x && bits[3 * w + 1] === y && bits[3 * w + 2] === z) {
        ids[v] = slot;
        break;
      }
      h = (h + 1) & mask;
    }
  }
  return { ids, unique: firstOf.length };
}

