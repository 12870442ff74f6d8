/**
 * Door and window nodes as GPU instances (EXT_mesh_gpu_instancing).
 *
 * The converter writes one mesh per door or window type (kind and wall thickness, 1 m wide) and one
 * node per opening that places and stretches it (`door 1`, `door 2`… under `doors: <layer>`). A
 * 50 MB plan has ~39,000 of them: as many JSON nodes, and as many draw calls in the kiosk. Here the
 * leaf nodes of one category node that share a mesh become one batch node under that same category
 * node, whose instance attributes are the leaves' own translation, rotation and scale.
 *
 * Why not glTF-Transform's `instance()`: it batches every shared mesh in the scene, puts the batch at
 * the scene root with world transforms (the layer node and its floor or visibility would no longer
 * apply) and removes the emptied parents. Here only the listed categories are touched, the category
 * and layer nodes stay with their extras, and the instance transforms are local to the parent, so a
 * non-uniform scale (an opening's width) is carried exactly, never decomposed from a world matrix.
 * The leaves' names (`door 7`) are dropped: they carry no extras and the kiosk does not read them.
 */
import type { Accessor, Buffer, Document, Mesh, Node, vec3, vec4 } from '@gltf-transform/core';
import { EXTMeshGPUInstancing, type InstancedMesh } from '@gltf-transform/extensions';

export interface InstanceNodesOptions {
  /** `extras.category` of the parent nodes whose mesh leaves are batched. Default: `['door', 'window']`. */
  categories: string[];
  /** Fewest leaves sharing one mesh under one parent worth a batch. Default: `2`. */
  min: number;
}

export const INSTANCE_NODES_DEFAULTS: InstanceNodesOptions = Object.freeze({
  categories: ['door', 'window'],
  min: 2,
}) as InstanceNodesOptions;

export interface InstanceNodesResult {
  /** Leaves now drawn as instances. */
  instances: number;
  /** The batches written (quantisation later replaces them by rescaled copies). */
  batches: InstancedMesh[];
}

/** Replaces leaf nodes sharing a mesh under a node of the given categories by one instanced node. */
export function instanceNodes(doc: Document, options: Partial<InstanceNodesOptions> = {}): InstanceNodesResult {
  const opts = { ...INSTANCE_NODES_DEFAULTS, ...options };
  const result: InstanceNodesResult = { instances: 0, batches: [] };
  if (!opts.categories.length || doc.getRoot().listAnimations().length) return result;
  const categories = new Set(opts.categories);
  const buffer = doc.getRoot().listBuffers()[0] ?? doc.createBuffer();
  let extension: EXTMeshGPUInstancing | null = null;
  for (const parent of doc.getRoot().listNodes()) {
    const category = (parent.getExtras() as { category?: unknown }).category;
    if (typeof category !== 'string' || !categories.has(category)) continue;
    const groups = new Map<Mesh, Node[]>();
    for (const child of parent.listChildren()) {
      const mesh = child.getMesh();
      if (!mesh || !isPlainLeaf(child)) continue;
      const group = groups.get(mesh);
      if (group) group.push(child);
      else groups.set(mesh, [child]);
    }
    for (const [mesh, leaves] of groups) {
      if (leaves.length < opts.min) continue;
      extension ??= doc.createExtension(EXTMeshGPUInstancing).setRequired(true);
      const batch = extension.createInstancedMesh();
      const t = leaves.map((n) => n.getTranslation());
      const r = leaves.map((n) => n.getRotation());
      const s = leaves.map((n) => n.getScale());
      if (t.some((v) => v.some((x) => x !== 0))) batch.setAttribute('TRANSLATION', attribute(doc, buffer, 'VEC3', t));
      if (r.some((v) => v[0] || v[1] || v[2] || v[3] !== 1)) batch.setAttribute('ROTATION', attribute(doc, buffer, 'VEC4', r));
      if (s.some((v) => v.some((x) => x !== 1))) batch.setAttribute('SCALE', attribute(doc, buffer, 'VEC3', s));
      const name = `${mesh.getName() || parent.getName()} ×${leaves.length}`;
      parent.addChild(doc.createNode(name).setMesh(mesh).setExtension('EXT_mesh_gpu_instancing', batch));
      for (const leaf of leaves) leaf.dispose();
      result.instances += leaves.length;
      result.batches.push(batch);
    }
  }
  return result;
}

/** A node that is nothing but a placed mesh: no children, extras, skin, weights, camera or extensions. */
function isPlainLeaf(node: Node): boolean {
  return (
    !node.listChildren().length &&
    !Object.keys(node.getExtras()).length &&
    !node.getSkin() &&
    !node.getCamera() &&
    !node.getWeights().length &&
    !node.listExtensions().length
  );
}

function attribute(doc: Document, buffer: Buffer, type: 'VEC3' | 'VEC4', values: (vec3 | vec4)[]): Accessor {
  const size = type === 'VEC3' ? 3 : 4;
  const array = new Float32Array(values.length * size);
  values.forEach((v, i) => array.set(v, i * size));
  return doc.createAccessor().setType(type).setArray(array).setBuffer(buffer);
}
