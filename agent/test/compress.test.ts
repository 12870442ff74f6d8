// Kiosk models: plans drawn here with ezdxf (and converter/bench/synthetic.py), converted by the real
// converter, compressed by compressGlb; checked with the Khronos validator, read back with the meshopt
// decoder, and compared with the converter's GLB (names, extras, tree, and the geometry each material
// draws, instances expanded).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Document, mat4, Node } from '@gltf-transform/core';
import { MathUtils } from '@gltf-transform/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Document as GltfDocument } from '@gltf-transform/core';
import type { InstancedMesh } from '@gltf-transform/extensions';
import { dedupPrimitiveData } from '../src/compress/dedup.ts';
import { COMPRESS_DEFAULTS, compressGlb, createIO } from '../src/compress/index.ts';
import { instanceNodes } from '../src/compress/instances.ts';
import { shortFloat } from '../src/compress/views.ts';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '..', '..');
const python = join(repo, 'converter', '.venv', 'bin', 'python');
const validatorScript = join(repo, 'converter', 'scripts', 'validate_glb.mjs');
const hasValidator = existsSync(join(repo, 'node_modules', 'gltf-validator'));
const hasConverter = existsSync(python);

// A few 10 × 6 m flats (two named rooms, three door blocks, four window blocks each); every fourth
// flat is turned by 30° so that instances carry rotations other than multiples of 90°.
const PLAN_PY = String.raw`
import math, sys
import ezdxf
import shapely
from shapely.geometry import box

out, tiles = sys.argv[1], int(sys.argv[2])
doc = ezdxf.new("R2010")
doc.header["$INSUNITS"] = 6
for name in ("A-WALL", "A-DOOR", "A-GLAZ", "A-AREA-IDEN"):
    doc.layers.add(name)
msp = doc.modelspace()
door = doc.blocks.new("DOOR_90")
door.add_line((0, 0), (0, 0.9))
door.add_arc((0, 0), 0.9, 0, 90)
win = doc.blocks.new("WIN")
for y in (0.0, 0.1, 0.2):
    win.add_line((0, y), (1, y))
doors = [box(1.5, 0, 2.4, 0.2), box(8.0, 0, 8.9, 0.2), box(5.95, 2.0, 6.05, 2.9)]
windows = [box(2.0, 5.8, 3.2, 6.0), box(6.5, 5.8, 8.0, 6.0), box(0, 2.5, 0.2, 3.7), box(9.8, 2.0, 10, 3.0)]
walls = shapely.unary_union([box(0, 0, 10, 6).difference(box(0.2, 0.2, 9.8, 5.8)), box(5.95, 0.2, 6.05, 5.8)])
walls = walls.difference(shapely.unary_union(doors + windows))
cols = max(1, math.ceil(math.sqrt(tiles)))
for k in range(tiles):
    angle = 30.0 if k % 4 == 3 else 0.0
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    dx, dy = (k % cols) * 14.0, (k // cols) * 10.0
    T = lambda x, y: (c * x - s * y + dx, s * x + c * y + dy)
    for poly in getattr(walls, "geoms", [walls]):
        for ring in [poly.exterior, *poly.interiors]:
            pts = list(ring.coords)
            for a, b in zip(pts[:-1], pts[1:]):
                msp.add_line(T(*a), T(*b), dxfattribs={"layer": "A-WALL"})
    msp.add_blockref("DOOR_90", T(1.5, 0.2), dxfattribs={"layer": "A-DOOR", "rotation": angle})
    msp.add_blockref("DOOR_90", T(8.9, 0.2), dxfattribs={"layer": "A-DOOR", "rotation": angle, "xscale": -1})
    msp.add_blockref("DOOR_90", T(6.05, 2.0), dxfattribs={"layer": "A-DOOR", "rotation": angle + 90})
    msp.add_blockref("WIN", T(2.0, 5.8), dxfattribs={"layer": "A-GLAZ", "xscale": 1.2, "rotation": angle})
    msp.add_blockref("WIN", T(6.5, 5.8), dxfattribs={"layer": "A-GLAZ", "xscale": 1.5, "rotation": angle})
    msp.add_blockref("WIN", T(0.2, 2.5), dxfattribs={"layer": "A-GLAZ", "xscale": 1.2, "rotation": angle + 90})
    msp.add_blockref("WIN", T(10.0, 2.0), dxfattribs={"layer": "A-GLAZ", "rotation": angle + 90})
    msp.add_text(f"Living {k + 1}", dxfattribs={"layer": "A-AREA-IDEN", "height": 0.3, "insert": T(3.0, 3.2), "rotation": angle})
    msp.add_text(f"Kitchen {k + 1}", dxfattribs={"layer": "A-AREA-IDEN", "height": 0.3, "insert": T(7.5, 3.5), "rotation": angle})
doc.saveas(out)
`;

// Five flats: each door and window type has at least `instanceMin` (5) openings to batch.
const TILES = 5;
let dir = '';
let source = ''; // the converter's GLB
let packed = ''; // compressGlb's output
let result: Awaited<ReturnType<typeof compressGlb>>;

interface ValidatorReport {
  numErrors: number;
  numWarnings: number;
  messages: { code: string; message: string; pointer?: string }[];
  info: { extensionsUsed?: string[]; extensionsRequired?: string[] };
}

async function validate(file: string): Promise<ValidatorReport> {
  // Exit code 1 means errors: read the report either way.
  const out = await run(process.execPath, [validatorScript, file], { maxBuffer: 64 << 20 }).catch(
    (err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }),
  );
  return JSON.parse(out.stdout.trim().split('\n')[0]) as ValidatorReport;
}

/** A converter door or window node (`door 7`): a placed mesh under a door or window layer, no extras. */
function isOpeningLeaf(n: Node): boolean {
  const category = (n.getParentNode()?.getExtras() as { category?: string } | undefined)?.category;
  return (category === 'door' || category === 'window') && /^(door|window) \d+$/.test(n.getName()) && !!n.getMesh();
}

/** Name, extras and parent name of every node but door and window leaves (a multiset, sorted JSON strings). */
function nodeFacts(doc: Document): string[] {
  return doc
    .getRoot()
    .listNodes()
    .filter((n) => !isOpeningLeaf(n))
    .map((n) => JSON.stringify([n.getName(), n.getExtras(), n.getParentNode()?.getName() ?? null]))
    .sort();
}

interface Drawn {
  triangles: number;
  area: number;
  min: number[];
  max: number[];
  /** Every triangle corner, x y z one after the other. */
  points: number[];
}

/** The largest distance from a point of `a` to the nearest point of `b` (grid of `cell` metres). */
function farthest(a: number[], b: number[], cell: number): number {
  const grid = new Map<string, number[]>();
  const key = (x: number, y: number, z: number) => `${Math.floor(x / cell)},${Math.floor(y / cell)},${Math.floor(z / cell)}`;
  for (let i = 0; i < b.length; i += 3) {
    const k = key(b[i], b[i + 1], b[i + 2]);
    grid.set(k, [...(grid.get(k) ?? []), i]);
  }
  let worst = 0;
  for (let i = 0; i < a.length; i += 3) {
    let best = Infinity;
    const [gx, gy, gz] = [a[i], a[i + 1], a[i + 2]].map((v) => Math.floor(v / cell));
    for (let dx = -1; dx <= 1; dx++) for (let dy = -1; dy <= 1; dy++) for (let dz = -1; dz <= 1; dz++) {
      for (const j of grid.get(`${gx + dx},${gy + dy},${gz + dz}`) ?? []) {
        best = Math.min(best, Math.hypot(a[i] - b[j], a[i + 1] - b[j + 1], a[i + 2] - b[j + 2]));
      }
    }
    worst = Math.max(worst, best);
  }
  return worst;
}

/** What each material draws in world space: triangles, total area and bounds (instances expanded). */
function drawn(doc: Document): Map<string, Drawn> {
  const out = new Map<string, Drawn>();
  const apply = (m: mat4 | number[], p: number[]) => [0, 1, 2].map((i) => m[i] * p[0] + m[4 + i] * p[1] + m[8 + i] * p[2] + m[12 + i]);
  const mul = (a: mat4 | number[], b: mat4 | number[]) => {
    const r = new Array<number>(16).fill(0);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 4; k++) r[j * 4 + i] += a[k * 4 + i] * b[j * 4 + k];
    return r;
  };
  const visit = (node: Node) => {
    const mesh = node.getMesh();
    if (!mesh) return;
    const world = node.getWorldMatrix();
    const batch = node.getExtension<any>('EXT_mesh_gpu_instancing');
    let matrices: number[][] = [world as unknown as number[]];
    if (batch) {
      const [t, r, s] = ['TRANSLATION', 'ROTATION', 'SCALE'].map((k) => batch.getAttribute(k));
      matrices = [];
      for (let i = 0; i < t.getCount(); i++) {
        const m = MathUtils.compose(t.getElement(i, []), r.getElement(i, []), s.getElement(i, []), new Array(16).fill(0) as unknown as mat4);
        matrices.push(mul(world, m));
      }
    }
    for (const prim of mesh.listPrimitives()) {
      if (prim.getMode() !== 4) continue;
      const key = prim.getMaterial()?.getName() ?? '';
      const d = out.get(key) ?? { triangles: 0, area: 0, min: [Infinity, Infinity, Infinity], max: [-Infinity, -Infinity, -Infinity], points: [] };
      out.set(key, d);
      const pos = prim.getAttribute('POSITION')!;
      const idx = prim.getIndices();
      const n = idx ? idx.getCount() : pos.getCount();
      for (const m of matrices) {
        for (let t = 0; t < n; t += 3) {
          const [a, b, c] = [0, 1, 2].map((j) => apply(m, pos.getElement(idx ? idx.getScalar(t + j) : t + j, [])));
          d.points.push(...a, ...b, ...c);
          for (const p of [a, b, c]) for (let k = 0; k < 3; k++) {
            d.min[k] = Math.min(d.min[k], p[k]);
            d.max[k] = Math.max(d.max[k], p[k]);
          }
          const u = [0, 1, 2].map((k) => b[k] - a[k]);
          const v = [0, 1, 2].map((k) => c[k] - a[k]);
          d.area += Math.hypot(u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]) / 2;
          d.triangles += 1;
        }
      }
    }
  };
  for (const node of doc.getRoot().listNodes()) visit(node);
  return out;
}

async function convert(dxf: string, glb: string): Promise<void> {
  await run(python, ['-m', 'converter', dxf, '-o', glb], { cwd: join(repo, 'converter'), maxBuffer: 16 << 20 });
}

describe.skipIf(!hasConverter)('compressGlb on a converted plan', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'compress-test-'));
    const script = join(dir, 'plan.py');
    await writeFile(script, PLAN_PY);
    await run(python, [script, join(dir, 'plan.dxf'), String(TILES)]);
    source = join(dir, 'plan.glb');
    await convert(join(dir, 'plan.dxf'), source);
    packed = join(dir, 'plan.kiosk.glb');
    result = await compressGlb(source, packed);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reports the sizes and instances every door and window', async () => {
    expect(result.bytesBefore).toBe((await stat(source)).size);
    expect(result.bytesAfter).toBe((await stat(packed)).size);
    expect(result.seconds).toBeGreaterThan(0);
    expect(result.skipped).toBe(false);
    // A plan this small is mostly JSON (node names, extras; 0.42 of the converter's GLB when written):
    // the "at least half" is checked on a realistic floor below.
    expect(result.bytesAfter).toBeLessThan(result.bytesBefore * 0.6);
    expect(result.instances).toBe(TILES * 7);
  });

  it('batches door and window nodes under their layer nodes, transforms kept', async () => {
    const io = await createIO();
    const before = await io.read(source);
    const after = await io.read(packed);
    expect(after.getRoot().listNodes().filter(isOpeningLeaf)).toEqual([]);
    const batches = after.getRoot().listNodes().filter((n) => n.getExtension('EXT_mesh_gpu_instancing'));
    // Doors in 20 cm and 10 cm walls, windows in 20 cm walls: three types.
    expect(batches).toHaveLength(3);
    let count = 0;
    for (const batch of batches) {
      const layer = batch.getParentNode()!;
      expect(layer.getName()).toMatch(/^(doors|windows): A-(DOOR|GLAZ)$/);
      const original = before.getRoot().listNodes().find((n) => n.getName() === layer.getName())!;
      expect(layer.getExtras()).toEqual(original.getExtras());
      const scale = batch.getExtension<InstancedMesh>('EXT_mesh_gpu_instancing')!.getAttribute('SCALE')!;
      count += scale.getCount();
      // Openings are stretched along x only: the widths survive as a non-uniform scale.
      const s = scale.getElement(0, []);
      expect(Math.abs(s[0] - s[1])).toBeGreaterThan(0.01);
    }
    expect(count).toBe(TILES * 7);
  });

  it.skipIf(!hasValidator)('has 0 glTF-Validator errors, compressed and decoded', async () => {
    const report = await validate(packed);
    expect(report.messages.filter((m) => m.code !== 'UNSUPPORTED_EXTENSION' && m.code !== 'UNUSED_OBJECT')).toEqual([]);
    expect(report.numErrors).toBe(0);
    expect(report.numWarnings).toBe(0);
    expect(report.info.extensionsRequired).toEqual(
      expect.arrayContaining(['EXT_meshopt_compression', 'EXT_mesh_gpu_instancing', 'KHR_mesh_quantization']),
    );
    // The validator cannot look inside meshopt streams: check the decoded data as well.
    const io = await createIO();
    const doc = await io.read(packed);
    doc.getRoot().listExtensionsUsed().find((e) => e.extensionName === 'EXT_meshopt_compression')!.dispose();
    const plain = join(dir, 'plan.decoded.glb');
    await io.write(plain, doc);
    const decoded = await validate(plain);
    expect(decoded.numErrors).toBe(0);
    expect(decoded.numWarnings).toBe(0);
  });

  it('keeps every other node name, its extras and its parent, and the document extras', async () => {
    const io = await createIO();
    const before = await io.read(source);
    const after = await io.read(packed);
    const have = nodeFacts(after);
    for (const fact of nodeFacts(before)) {
      const at = have.indexOf(fact);
      expect(at, fact).toBeGreaterThanOrEqual(0);
      have.splice(at, 1);
    }
    expect(after.getRoot().getExtras()).toEqual(before.getRoot().getExtras());
    const rooms = after
      .getRoot()
      .listNodes()
      .filter((n) => (n.getExtras() as { category?: string }).category === 'room' && n.getName().startsWith('room:'));
    expect(rooms.map((n) => (n.getExtras() as { name: string }).name).sort()).toEqual(
      Array.from({ length: TILES }, (_, k) => [`Kitchen ${k + 1}`, `Living ${k + 1}`]).flat().sort(),
    );
    for (const room of rooms) expect((room.getExtras() as { area: number }).area).toBeGreaterThan(20);
    const labels = after.getRoot().listNodes().find((n) => n.getName() === 'annotation')!.getExtras();
    expect((labels as { labels: unknown[] }).labels).toHaveLength(TILES * 2);
  });

  it('loads back with the meshopt decoder and draws the same geometry per material', async () => {
    const io = await createIO();
    const before = drawn(await io.read(source));
    const after = drawn(await io.read(packed));
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    expect(before.get('door')?.triangles).toBe(TILES * 3 * 12);
    expect(before.get('glass')?.triangles).toBe(TILES * 4 * 12);
    for (const [material, b] of before) {
      const a = after.get(material)!;
      expect(a.triangles, material).toBe(b.triangles);
      // Every corner still drawn where it was (quantisation moves it well under a millimetre here).
      expect(farthest(b.points, a.points, 0.01), `${material}: before → after`).toBeLessThan(0.002);
      expect(farthest(a.points, b.points, 0.01), `${material}: after → before`).toBeLessThan(0.002);
      expect(Math.abs(a.area - b.area) / b.area, material).toBeLessThan(0.005);
      for (let k = 0; k < 3; k++) {
        expect(Math.abs(a.min[k] - b.min[k]), `${material} min[${k}]`).toBeLessThan(0.01);
        expect(Math.abs(a.max[k] - b.max[k]), `${material} max[${k}]`).toBeLessThan(0.01);
      }
    }
  });

  it('can leave instancing and meshopt out', async () => {
    const out = join(dir, 'plan.quantised.glb');
    const r = await compressGlb(source, out, { instanceCategories: [], meshopt: false });
    expect(r.instances).toBe(0);
    const doc = await (await createIO()).read(out);
    const used = doc.getRoot().listExtensionsUsed().map((e) => e.extensionName);
    expect(used).not.toContain('EXT_meshopt_compression');
    expect(used).not.toContain('EXT_mesh_gpu_instancing');
    expect(r.bytesAfter).toBeLessThan(r.bytesBefore);
  });

  it('rejects bad options before touching the output', async () => {
    await expect(compressGlb(source, join(dir, 'x.glb'), { quantizePosition: 20 })).rejects.toThrow(/quantizePosition/);
    expect(existsSync(join(dir, 'x.glb'))).toBe(false);
    expect(COMPRESS_DEFAULTS.quantizePosition).toBe(16);
  });

  it('publishes a tiny plan unchanged rather than bigger', async () => {
    // A few lines on one layer (like the corpus's house-plan.dxf): a GLB of about 2 KB, where the
    // compression extensions' JSON costs more than they save.
    const script = join(dir, 'tiny.py');
    await writeFile(
      script,
      'import sys, ezdxf\ndoc = ezdxf.new("R2010")\nmsp = doc.modelspace()\n' +
        'for a, b in [((0, 0), (5, 0)), ((5, 0), (5, 4)), ((5, 4), (0, 4))]:\n    msp.add_line(a, b)\n' +
        'doc.saveas(sys.argv[1])\n',
    );
    await run(python, [script, join(dir, 'tiny.dxf')]);
    const glb = join(dir, 'tiny.glb');
    await convert(join(dir, 'tiny.dxf'), glb);
    const out = join(dir, 'tiny.kiosk.glb');
    const r = await compressGlb(glb, out);
    expect(r.skipped).toBe(true);
    expect(r.bytesAfter).toBe(r.bytesBefore);
    expect(r.instances).toBe(0);
    expect(Buffer.compare(await readFile(out), await readFile(glb))).toBe(0);
  });
});

// What a real floor looks like: converter/bench/synthetic.py at 1 MB of DXF, an apartment block of
// ~110 two-room flats (12 × 8 m each: wall pairs, door blocks, bare swings, windows, room texts and
// dimensions) — 220 rooms, 330 doors, 440 windows, as an architect's floor plan of a large building.
describe.skipIf(!hasConverter)('compressGlb on a realistic floor', () => {
  let work = '';
  let r: Awaited<ReturnType<typeof compressGlb>>;
  let out = '';
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'compress-floor-'));
    await run(python, [join(repo, 'converter', 'bench', 'synthetic.py'), join(work, 'floor.dxf'), '1']);
    await convert(join(work, 'floor.dxf'), join(work, 'floor.glb'));
    out = join(work, 'floor.kiosk.glb');
    r = await compressGlb(join(work, 'floor.glb'), out);
  }, 60_000);
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('is at least 50 % smaller than the converter GLB', () => {
    expect(r.skipped).toBe(false);
    expect(r.bytesAfter).toBeLessThanOrEqual(r.bytesBefore * 0.5);
    expect(r.instances).toBeGreaterThan(700);
  });

  it.skipIf(!hasValidator)('has 0 glTF-Validator errors and keeps every room', async () => {
    const report = await validate(out);
    expect(report.numErrors).toBe(0);
    expect(report.numWarnings).toBe(0);
    const before = await (await createIO()).read(join(work, 'floor.glb'));
    const after = await (await createIO()).read(out);
    const rooms = (doc: Document) =>
      doc
        .getRoot()
        .listNodes()
        .map((n) => n.getExtras() as { category?: string; name?: string; area?: number })
        .filter((e) => e.category === 'room' && e.area !== undefined)
        .map((e) => `${e.name} ${e.area}`)
        .sort();
    expect(rooms(after)).toEqual(rooms(before));
    expect(rooms(after).length).toBeGreaterThan(200);
  });
});

describe('instanceNodes', () => {
  /** A layer node of `category` with `n` leaves sharing one mesh, and one leaf with extras. */
  function plan(category: string, n: number) {
    const doc = new GltfDocument();
    doc.createBuffer();
    const mesh = doc.createMesh('door');
    const layer = doc.createNode('doors: A').setExtras({ category, layer: 'A', count: n });
    doc.createScene().addChild(doc.createNode('doors').setExtras({ category }).addChild(layer));
    for (let k = 0; k < n; k++) {
      layer.addChild(doc.createNode(`door ${k + 1}`).setMesh(mesh).setTranslation([k, 0, -k]).setRotation([0, Math.SQRT1_2, 0, Math.SQRT1_2]).setScale([0.8 + k / 10, 1, 1]));
    }
    const tagged = doc.createNode('door x').setMesh(mesh).setExtras({ note: 'kept' });
    layer.addChild(tagged);
    return { doc, layer, tagged };
  }

  it('puts leaves sharing a mesh into one batch under their layer node, local TRS exact', () => {
    const { doc, layer, tagged } = plan('door', 6);
    const { instances, batches } = instanceNodes(doc, { categories: ['door'], min: 5 });
    expect(instances).toBe(6);
    expect(batches).toHaveLength(1);
    expect(layer.getExtras()).toEqual({ category: 'door', layer: 'A', count: 6 });
    const children = layer.listChildren();
    expect(children).toHaveLength(2);
    expect(children).toContain(tagged);
    const node = children.find((c) => c !== tagged)!;
    expect(node.getName()).toBe('door ×6');
    const batch = node.getExtension<InstancedMesh>('EXT_mesh_gpu_instancing')!;
    expect(batch.getAttribute('TRANSLATION')!.getElement(5, [])).toEqual([5, 0, -5]);
    expect(batch.getAttribute('SCALE')!.getElement(5, [])).toEqual([Math.fround(1.3), 1, 1]);
    expect(batch.getAttribute('ROTATION')!.getElement(0, [])).toEqual([0, Math.fround(Math.SQRT1_2), 0, Math.fround(Math.SQRT1_2)]);
    expect(doc.getRoot().listExtensionsUsed().find((e) => e.extensionName === 'EXT_mesh_gpu_instancing')!.isRequired()).toBe(true);
  });

  it('leaves other categories and groups under `min` alone', () => {
    const room = plan('room', 6);
    expect(instanceNodes(room.doc, { categories: ['door'], min: 5 }).instances).toBe(0);
    expect(room.layer.listChildren()).toHaveLength(7);
    const few = plan('door', 4);
    expect(instanceNodes(few.doc, { categories: ['door'], min: 5 }).instances).toBe(0);
    expect(few.doc.getRoot().listExtensionsUsed()).toEqual([]);
  });
});

describe('shortFloat', () => {
  it('writes the fewest digits that give the same float32', () => {
    expect(shortFloat(12.000000476837158)).toBe(12);
    expect(shortFloat(0.003000000026077032)).toBe(0.003);
    expect(Math.fround(shortFloat(0.7071067690849304))).toBe(Math.fround(Math.SQRT1_2));
  });
});

describe('dedupPrimitiveData', () => {
  it('shares the accessors of primitives identical in every accessor, and only those', () => {
    const doc = new GltfDocument();
    const buffer = doc.createBuffer();
    const prim = (xs: number[], idx: number[]) =>
      doc
        .createPrimitive()
        .setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(new Float32Array(xs)).setBuffer(buffer))
        .setIndices(doc.createAccessor().setType('SCALAR').setArray(new Uint16Array(idx)).setBuffer(buffer));
    const tri = [0, 0, 0, 1, 0, 0, 0, 0, 1];
    const a = prim(tri, [0, 1, 2]);
    const b = prim(tri, [0, 1, 2]); // same data, other accessors
    const c = prim(tri, [0, 2, 1]); // same positions, other indices: left alone
    for (const p of [a, b, c]) doc.createMesh().addPrimitive(p);
    expect(dedupPrimitiveData(doc)).toBe(1);
    expect(b.getAttribute('POSITION')).toBe(a.getAttribute('POSITION'));
    expect(b.getIndices()).toBe(a.getIndices());
    expect(c.getAttribute('POSITION')).not.toBe(a.getAttribute('POSITION'));
    expect(doc.getRoot().listAccessors()).toHaveLength(4);
  });
});
