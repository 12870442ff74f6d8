/**
 * Duplicate primitives' vertex data merged by content hash.
 *
 * Why not glTF-Transform's accessor dedup: it compares every pair of accessors of equal count and
 * type, and a big plan has thousands of rooms whose slabs have the same vertex count (11,168 in the
 * generated 50 MB plan: ~10 s). A SHA-1 of each accessor's bytes makes it one pass. Why whole
 * primitives only: accessors shared between primitives that are otherwise different (rooms of one
 * shape share their normals and indices) make `reorder` and `quantize` process them together, which
 * took minutes on that plan; a primitive identical in every accessor is what lets glTF-Transform's
 * `dedup` merge meshes, and that is the saving worth having.
 */
import { createHash } from 'node:crypto';
import type { Accessor, Document, Primitive } from '@gltf-transform/core';

/** Makes identical primitives use the same accessors; returns how many primitives were merged. */
export function dedupPrimitiveData(doc: Document): number {
  const hashes = new Map<Accessor, string>();
  const keyOf = (a: Accessor | null): string | null => {
    if (!a) return '-';
    let key = hashes.get(a);
    if (key === undefined) {
      const array = a.getArray();
      if (a.getSparse() || !array) return null;
      const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
      const hash = createHash('sha1').update(bytes).digest('base64');
      key = [a.getType(), a.getComponentType(), a.getNormalized(), a.getCount(), hash].join(':');
      hashes.set(a, key);
    }
    return key;
  };
  const first = new Map<string, Primitive>();
  let merged = 0;
  for (const mesh of doc.getRoot().listMeshes()) {
    for (const prim of mesh.listPrimitives()) {
      if (prim.listTargets().length) continue;
      const parts = [String(prim.getMode()), keyOf(prim.getIndices())];
      for (const semantic of prim.listSemantics()) parts.push(semantic, keyOf(prim.getAttribute(semantic)));
      if (parts.includes(null)) continue;
      const key = parts.join('|');
      const seen = first.get(key);
      if (!seen) {
        first.set(key, prim);
        continue;
      }
      const old = [prim.getIndices(), ...prim.listAttributes()];
      prim.setIndices(seen.getIndices());
      for (const semantic of seen.listSemantics()) prim.setAttribute(semantic, seen.getAttribute(semantic));
      for (const a of old) if (a && a.listParents().every((p) => p.propertyType === 'Root')) a.dispose();
      merged++;
    }
  }
  return merged;
}
