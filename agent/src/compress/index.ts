/**
 * Models fit for kiosks: post-processes a converter GLB with glTF-Transform.
 *
 * Pipeline: door and window nodes instanced (EXT_mesh_gpu_instancing, see instances.ts) → weld →
 * dedup → prune → meshopt (reorder for size, quantise with KHR_mesh_quantization, compress with
 * EXT_meshopt_compression) → written, then vertex buffer views merged and JSON trimmed (views.ts).
 * If the result is not smaller than the converter's GLB (tiny plans: the extensions' JSON outweighs
 * what they save), the converter's GLB is published unchanged. Node names and extras (rooms'
 * name/area, annotation labels, the document's converter summary, category and layer nodes) are
 * kept; only the door and window leaf nodes (`door 7`: no extras) become instances.
 *
 * Why quantised positions on 16 bits per mesh: a plan's walls are one mesh over the whole building,
 * so the grid step is the building's size / 65 535 (1.4 cm for the 900 m generated plan, under 2 mm
 * for a 100 m building); door and window meshes are 1 m wide and get a 15 µm grid.
 *
 * Readers need the meshopt decoder (three.js: `GLTFLoader.setMeshoptDecoder(MeshoptDecoder)`,
 * glTF-Transform: `createIO()` below) and EXT_mesh_gpu_instancing (three.js makes InstancedMesh of
 * it); both are listed in extensionsRequired, with KHR_mesh_quantization.
 */
import { copyFile, readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { Document } from '@gltf-transform/core';
import { Logger, NodeIO, PropertyType } from '@gltf-transform/core';
import { ALL_EXTENSIONS } from '@gltf-transform/extensions';
import { dedup, meshopt, prune, quantize, weld } from '@gltf-transform/functions';
import { MeshoptDecoder, MeshoptEncoder } from 'meshoptimizer';
import { dedupPrimitiveData } from './dedup.ts';
import { instanceNodes } from './instances.ts';
import { packViews } from './views.ts';

/** What glTF-Transform's dedup merges here (identical primitives' accessors: dedupPrimitiveData). */
const DEDUP_TYPES = [PropertyType.MESH, PropertyType.MATERIAL, PropertyType.TEXTURE, PropertyType.SKIN];

export interface CompressOptions {
  /** Merge identical primitives' data, then duplicate meshes and materials (`dedup`). Default: `true`. */
  dedup: boolean;
  /** Merge bitwise identical vertices and index every primitive (`weld`). Default: `true`. */
  weld: boolean;
  /**
   * `extras.category` of the nodes whose leaf nodes sharing a mesh (the converter's door and window
   * instances) become one EXT_mesh_gpu_instancing batch; `[]` turns instancing off.
   * Default: `['door', 'window']`.
   */
  instanceCategories: string[];
  /** Fewest leaves sharing a mesh under one node worth a batch (a batch costs about five nodes of JSON). Default: `5`. */
  instanceMin: number;
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
  /** Merge the written GLB's vertex buffer views and trim its JSON (views.ts). Default: `true`. */
  packViews: boolean;
}

export const COMPRESS_DEFAULTS: CompressOptions = Object.freeze({
  dedup: true,
  weld: true,
  instanceCategories: ['door', 'window'],
  instanceMin: 5,
  quantizePosition: 16,
  quantizeNormal: 8,
  quantizationVolume: 'mesh',
  meshopt: true,
  meshoptLevel: 'high',
  packViews: true,
}) as CompressOptions;

export interface CompressResult {
  /** Size of the input GLB. */
  bytesBefore: number;
  /** Size of the written GLB (`bytesBefore` when `skipped`). */
  bytesAfter: number;
  /** Wall-clock seconds, reading and writing included. */
  seconds: number;
  /** Door and window nodes drawn as GPU instances (0 when `skipped`). */
  instances: number;
  /** The compressed GLB was not smaller: the input was written unchanged. */
  skipped: boolean;
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

/** Applies the pipeline to a document in memory; returns the number of instanced door and window nodes. */
export async function compressDocument(doc: Document, options: Partial<CompressOptions> = {}): Promise<number> {
  const opts = resolveOptions(options);
  doc.setLogger(new Logger(Logger.Verbosity.ERROR));
  const { instances, batches } = instanceNodes(doc, { categories: opts.instanceCategories, min: opts.instanceMin });
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
  // Quantised per mesh, slabs of rooms of one shape become the same data: one mesh, placed by its nodes.
  if (opts.dedup) await doc.transform(dedup({ propertyTypes: [PropertyType.MESH] }));
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

/**
 * Compresses the GLB at `input` into `output` (written atomically: temporary file, then rename).
 * Where the result would not be smaller, `output` is a copy of `input` and `skipped` is true.
 */
export async function compressGlb(
  input: string,
  output: string,
  options: Partial<CompressOptions> = {},
): Promise<CompressResult> {
  const started = performance.now();
  const opts = resolveOptions(options); // bad options fail before any work
  const io = await createIO();
  let bytes: Uint8Array | null = new Uint8Array(await readFile(input));
  const bytesBefore = bytes.byteLength;
  const doc = await io.readBinary(bytes);
  bytes = null; // the accessors hold what they need; let the file's bytes go
  const instances = await compressDocument(doc, opts);
  let out: Uint8Array = await io.writeBinary(doc);
  if (opts.packViews && opts.meshopt) out = packViews(out, MeshoptEncoder, MeshoptDecoder);
  const skipped = out.byteLength >= bytesBefore;
  const tmp = `${output}.${process.pid}.tmp`;
  try {
    if (skipped) await copyFile(input, tmp);
    else await writeFile(tmp, out);
    await rename(tmp, output);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return {
    bytesBefore,
    bytesAfter: skipped ? bytesBefore : out.byteLength,
    seconds: (performance.now() - started) / 1000,
    instances: skipped ? 0 : instances,
    skipped,
  };
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
  return opts;
}
