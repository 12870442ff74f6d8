/**
 * Models fit for kiosks: post-processes a converter GLB with glTF-Transform.
 *
 * Pipeline: box instancing of doors and windows (EXT_mesh_gpu_instancing, see boxes.ts) → weld →
 * dedup (identical primitives by hash, see dedup.ts; then meshes and materials) → prune → meshopt
 * (reorder for size, quantise with KHR_mesh_quantization, compress with EXT_meshopt_compression). Node names and extras (rooms' name/area, annotation labels, the
 * document's converter summary) are kept: nothing here renames, merges or flattens nodes.
 *
 * Why not glTF-Transform's `instance()`/`join()`/`flatten()`: they merge or replace nodes, and the
 * kiosk finds rooms and layers by their nodes. Why quantised positions on 16 bits per mesh: a
 * plan's walls are one mesh over the whole building, so the grid step is the building's size /
 * 65 535 (1.4 cm for the 900 m generated plan, under 2 mm for a 100 m building).
 *
 * Readers need the meshopt decoder (three.js: `GLTFLoader.setMeshoptDecoder(MeshoptDecoder)`,
 * glTF-Transform: `createIO()` below) and EXT_mesh_gpu_instancing (three.js makes InstancedMesh of
 * it); both are listed in extensionsRequired, with KHR_mesh_quantization.
 */
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { Document } from '@gltf-transform/core';
import { Logger, NodeIO, PropertyType } from '@gltf-transform/core';
import { ALL_EXTENSIONS } from '@gltf-transform/extensions';
import { dedup, meshopt, prune, quantize, weld } from '@gltf-transform/functions';
import { MeshoptDecoder, MeshoptEncoder } from 'meshoptimizer';
import { instanceBoxes } from './boxes.ts';
import { dedupPrimitiveData } from './dedup.ts';

/** What glTF-Transform's dedup merges here (identical primitives' accessors: dedupPrimitiveData). */
const DEDUP_TYPES = [PropertyType.MESH, PropertyType.MATERIAL, PropertyType.TEXTURE, PropertyType.SKIN];

export interface CompressOptions {
  /** Merge identical primitives' data, then duplicate meshes and materials (`dedup`). Default: `true`. */
  dedup: boolean;
  /** Merge bitwise identical vertices and index every primitive (`weld`). Default: `true`. */
  weld: boolean;
  /**
   * `extras.category` of the nodes whose boxes (door leaves, glass, lintels, sills) become GPU
   * instances of one unit box with EXT_mesh_gpu_instancing; `[]` turns instancing off.
   * Default: `['door', 'window']`.
   */
  instanceCategories: string[];
  /** Fewest boxes of one material in one node worth an instanced batch. Default: `5`. */
  instanceMin: number;
  /** Largest distance (metres) between a box corner and where its instance puts it. Default: `0.001`. */
  instanceTolerance: number;
  /** Quantisation bits of POSITION, 8–16 (KHR_mesh_quantization). Default: `16`. */
  quantizePosition: number;
  /** Quantisation bits of NORMAL, 8–16 (with `meshoptLevel: 'high'` at most 8, as octahedral filter). Default: `8`. */
  quantizeNormal: number;
  /** Quantisation grid per mesh (`'mesh'`, finer) or one for the whole scene. Default: `'mesh'`. */
  quantizationVolume: 'mesh' | 'scene';
  /** Compress buffers with EXT_meshopt_compression; `false` only quantises. Default: `true`. */
  meshopt: boolean;
  /** `'high'`: meshopt filters (octahedral normals), smaller; `'medium'`: quantisation only. Default: `'high'`. */
  meshoptLevel: 'medium' | 'high';
}

export const COMPRESS_DEFAULTS: CompressOptions = Object.freeze({
  dedup: true,
  weld: true,
  instanceCategories: ['door', 'window'],
  instanceMin: 5,
  instanceTolerance: 0.001,
  quantizePosition: 16,
  quantizeNormal: 8,
  quantizationVolume: 'mesh',
  meshopt: true,
  meshoptLevel: 'high',
}) as CompressOptions;

export interface CompressResult {
  /** Size of the input GLB. */
  bytesBefore: number;
  /** Size of the written GLB. */
  bytesAfter: number;
  /** Wall-clock seconds, reading and writing included. */
  seconds: number;
  /** Boxes drawn as GPU instances. */
  instances: number;
}

let ready: Promise<unknown> | null = null;

/** A NodeIO that reads and writes every extension this module emits (meshopt included). */
export async function createIO(): Promise<NodeIO> {
  ready ??= Promise.all([MeshoptEncoder.ready, MeshoptDecoder.ready]);
  await ready;
  return new NodeIO()
    .setLogger(new Logger(Logger.Verbosity.ERROR))
    .registerExtensions(ALL_EXTENSIONS)
    .registerDependencies({ 'meshopt.encoder': MeshoptEncoder, 'meshopt.decoder': MeshoptDecoder });
}

/** Applies the pipeline to a document in memory; returns the number of instanced boxes. */
export async function compressDocument(doc: Document, options: Partial<CompressOptions> = {}): Promise<number> {
  const opts = resolveOptions(options);
  doc.setLogger(new Logger(Logger.Verbosity.ERROR));
  const { instances, batches } = instanceBoxes(doc, {
    categories: opts.instanceCategories,
    min: opts.instanceMin,
    tolerance: opts.instanceTolerance,
  });
  if (opts.weld) await doc.transform(weld());
  if (opts.dedup) {
    dedupPrimitiveData(doc);
    await doc.transform(dedup({ propertyTypes: DEDUP_TYPES }));
  }
  // keepExtras: a node that only carries meaning (annotation labels) stays.
  await doc.transform(prune({ keepExtras: true, keepLeaves: false }));
  const before = new Set(doc.getRoot().listNodes());
  const quant = {
    quantizePosition: opts.quantizePosition,
    quantizeNormal: opts.quantizeNormal,
    quantizationVolume: opts.quantizationVolume,
  };
  if (opts.meshopt) {
    await doc.transform(meshopt({ encoder: MeshoptEncoder, level: opts.meshoptLevel, ...quant }));
  } else {
    await doc.transform(quantize(quant));
  }
  // Quantising replaces each instance batch by a rescaled copy: drop the originals and their data.
  const orphans = batches.filter((b) => !b.listParents().some((p) => p.propertyType === PropertyType.NODE));
  if (orphans.length) {
    for (const batch of orphans) batch.dispose();
    await doc.transform(prune({ propertyTypes: [PropertyType.ACCESSOR], keepExtras: true }));
  }
  // Quantising moves the mesh of a node that also has children into a new unnamed child node
  // (it needs a transform of its own): name it after the node it came from.
  for (const node of doc.getRoot().listNodes()) {
    if (before.has(node) || node.getName()) continue;
    const parent = node.getParentNode();
    node.setName(`${parent?.getName() || node.getMesh()?.getName() || 'mesh'} (geometry)`);
  }
  return instances;
}

/** Compresses the GLB at `input` into `output` (written atomically: temporary file, then rename). */
export async function compressGlb(
  input: string,
  output: string,
  options: Partial<CompressOptions> = {},
): Promise<CompressResult> {
  const started = performance.now();
  resolveOptions(options); // bad options fail before any work
  const io = await createIO();
  let bytes: Uint8Array | null = new Uint8Array(await readFile(input));
  const bytesBefore = bytes.byteLength;
  const doc = await io.readBinary(bytes);
  bytes = null; // the accessors hold what they need; let the file's bytes go
  const instances = await compressDocument(doc, options);
  const out = await io.writeBinary(doc);
  const tmp = `${output}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, out);
    await rename(tmp, output);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  const bytesAfter = (await stat(output)).size;
  return { bytesBefore, bytesAfter, seconds: (performance.now() - started) / 1000, instances };
}

function resolveOptions(options: Partial<CompressOptions>): CompressOptions {
  const opts = { ...COMPRESS_DEFAULTS } as CompressOptions;
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) (opts as unknown as Record<string, unknown>)[key] = value;
  }
  for (const key of ['quantizePosition', 'quantizeNormal'] as const) {
    const bits = opts[key];
    if (!Number.isInteger(bits) || bits < 8 || bits > 16) throw new RangeError(`${key} must be an integer 8–16, got ${bits}`);
  }
  if (!(opts.instanceMin >= 1)) throw new RangeError(`instanceMin must be ≥ 1, got ${opts.instanceMin}`);
  if (!(opts.instanceTolerance >= 0)) throw new RangeError(`instanceTolerance must be ≥ 0, got ${opts.instanceTolerance}`);
  return opts;
}
