// Compression benchmark: every DXF of the corpus and the generated ~50 MB plan, converted by the real
// converter, then compressed by compressGlb (each compression in its own process, so peak RSS is its
// own); prints bytes before/after, ratio, seconds, peak RSS, door and window instances, whether the
// converter's GLB was published unchanged (compressing would not have made it smaller) and
// glTF-Validator errors.
//
//   source scripts/node-path.sh
//   node agent/bench/compress-bench.ts [--corpus DIR] [--big-mb 50] [--no-big] [--json OUT.json]
//
// Inputs are only read: conversions and outputs go to a temporary folder. The 50 MB plan is generated
// once by converter/bench/synthetic.py and cached as converter/bench-out/synthetic-<MB>mb.dxf (git
// ignores it; the converter's own benchmark uses the same file).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '..', '..');
const python = join(repo, 'converter', '.venv', 'bin', 'python');

interface Row {
  file: string;
  dxfBytes: number;
  status: string;
  bytesBefore?: number;
  bytesAfter?: number;
  ratio?: number;
  convertSeconds?: number;
  seconds?: number;
  peakRssMb?: number;
  instances?: number;
  skipped?: boolean;
  validatorErrors?: number;
}

/** Child mode: compress one file, print the result and this process's peak RSS as JSON. */
async function one(input: string, output: string): Promise<void> {
  const { compressGlb } = await import('../src/compress/index.ts');
  const r = await compressGlb(input, output);
  console.log(JSON.stringify({ ...r, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
}

async function bench(dxf: string, work: string): Promise<Row> {
  const row: Row = { file: basename(dxf), dxfBytes: (await stat(dxf)).size, status: 'ok' };
  const glb = join(work, `${row.file}.glb`);
  const out = join(work, `${row.file}.kiosk.glb`);
  const t0 = performance.now();
  try {
    await run(python, ['-m', 'converter', dxf, '-o', glb], { cwd: join(repo, 'converter'), maxBuffer: 64 << 20 });
  } catch (err) {
    const lines = String((err as { stdout?: string }).stdout ?? '').trim().split('\n');
    const last = JSON.parse(lines.at(-1) || '{}') as { code?: string };
    row.status = `converter: ${last.code ?? 'failed'}`;
    return row;
  }
  row.convertSeconds = (performance.now() - t0) / 1000;
  const child = await run(process.execPath, [import.meta.filename, '--one', glb, out], { maxBuffer: 16 << 20 });
  const r = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Required<Row>;
  Object.assign(row, {
    bytesBefore: r.bytesBefore,
    bytesAfter: r.bytesAfter,
    ratio: r.bytesAfter / r.bytesBefore,
    seconds: r.seconds,
    peakRssMb: r.peakRssMb,
    instances: r.instances,
    skipped: r.skipped,
  });
  if (existsSync(join(repo, 'node_modules', 'gltf-validator'))) {
    const v = await run(process.execPath, [join(repo, 'converter', 'scripts', 'validate_glb.mjs'), out], {
      maxBuffer: 64 << 20,
    }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
    row.validatorErrors = (JSON.parse(v.stdout.trim().split('\n')[0]) as { numErrors: number }).numErrors;
  }
  await rm(glb, { force: true });
  await rm(out, { force: true });
  return row;
}

function table(rows: Row[]): string {
  const mb = (n?: number) => (n === undefined ? '–' : (n / 1e6).toFixed(n < 1e6 ? 3 : 1));
  const head =
    '| file | DXF MB | GLB MB | kiosk MB | after/before | saved | convert s | compress s | peak RSS MB | instances | unchanged | validator errors |';
  const lines = [head, '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|'];
  for (const r of rows) {
    if (r.status !== 'ok') {
      lines.push(`| ${r.file} | ${mb(r.dxfBytes)} | ${r.status} | – | – | – | – | – | – | – | – | – |`);
      continue;
    }
    lines.push(
      `| ${r.file} | ${mb(r.dxfBytes)} | ${mb(r.bytesBefore)} | ${mb(r.bytesAfter)} | ${r.ratio!.toFixed(3)} | ` +
        `${((1 - r.ratio!) * 100).toFixed(1)} % | ${r.convertSeconds!.toFixed(2)} | ${r.seconds!.toFixed(2)} | ` +
        `${r.peakRssMb!.toFixed(0)} | ${r.instances} | ${r.skipped ? 'yes' : 'no'} | ${r.validatorErrors ?? '–'} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      one: { type: 'boolean' },
      corpus: { type: 'string', default: resolve(repo, '..', 'shared', 'corpus', 'dxf') },
      'big-mb': { type: 'string', default: '50' },
      'no-big': { type: 'boolean' },
      json: { type: 'string' },
    },
    allowPositionals: true,
  });
  if (values.one) {
    const [input, output] = process.argv.slice(-2);
    await one(input, output);
    return;
  }
  const inputs: string[] = [];
  if (existsSync(values.corpus)) {
    for (const name of (await readdir(values.corpus)).sort()) {
      if (name.toLowerCase().endsWith('.dxf')) inputs.push(join(values.corpus, name));
    }
  } else {
    console.error(`corpus ${values.corpus} not found: skipping it`);
  }
  if (!values['no-big']) {
    const cache = join(repo, 'converter', 'bench-out');
    await mkdir(cache, { recursive: true });
    const big = join(cache, `synthetic-${values['big-mb']}mb.dxf`);
    if (!existsSync(big)) {
      console.error(`generating ${big} …`);
      await run(python, [join(repo, 'converter', 'bench', 'synthetic.py'), big, values['big-mb']]);
    }
    inputs.push(big);
  }
  const work = await mkdtemp(join(tmpdir(), 'compress-bench-'));
  const rows: Row[] = [];
  try {
    for (const input of inputs) {
      const row = await bench(input, work);
      rows.push(row);
      console.error(`${row.file}: ${row.status}${row.ratio === undefined ? '' : ` ${(row.ratio * 100).toFixed(1)} % of the GLB`}`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  console.log(table(rows));
  const ok = rows.filter((r) => r.status === 'ok' && !r.file.startsWith('synthetic-'));
  if (ok.length) {
    const ratios = ok.map((r) => r.ratio!).sort((a, b) => a - b);
    const median = ratios[Math.floor(ratios.length / 2)];
    const total = ok.reduce((s, r) => s + r.bytesAfter!, 0) / ok.reduce((s, r) => s + r.bytesBefore!, 0);
    console.log(
      `\ncorpus: ${ok.length} converted; after/before median ${median.toFixed(3)}, ` +
        `worst ${ratios.at(-1)!.toFixed(3)}, all bytes together ${total.toFixed(3)}`,
    );
  }
  if (values.json) await writeFile(values.json, JSON.stringify(rows, null, 2));
}

await main();
