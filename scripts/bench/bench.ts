// `npm run bench`: latency of our CPU runtime against ONNX Runtime for Node
// (onnxruntime-node on NAME.onnx) and the reference PyTorch (ep.module() of
// NAME.pt2), each on one thread, on the corpus model archives and their recorded
// inputs. Engines run one after another (never concurrently) in the same
// invocation; a missing peer is reported and skipped.
//
//   npm run bench -- [--models a,b] [--warmup N] [--reps N] [--threads N] [--json] [--python PATH]
//
// --threads N (default 1) gives every engine N threads: ours its kernel worker
// threads (main/host/cpu-threads.ts), ONNX Runtime intraOpNumThreads, PyTorch
// torch.set_num_threads.
//
// Every engine gets the same warm-up (class Settle): at least --warmup runs
// (default 1000), then on until 100 runs bring no 20-run median 2% below the
// best so far, at most 10× --warmup. V8 tiers our kernels up over hundreds of
// runs and the settle test can stop on a plateau before the last tier: with
// 200 runs transformer_encoder_layer measured 0.080 ms, with 2000 0.061 ms
// (ONNX Runtime and torch were unchanged by the longer warm-up).
// The table shows median (min) of the next --reps runs (default 100).

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { NDArray, Storage, contiguousStrides } from '../../engine/core/ndarray';
import { loadPt2 } from '../../engine/serialize/read';
import { CpuRuntime } from '../../engine/runtime/cpu/cpu-runtime';
import { frozenInputIndices, programInputs, userOutputs } from '../../engine/runtime/program';
import { openCpuThreads } from '../../main/host/cpu-threads';
import { countMacs, simdPeakGmacs } from './ceiling';

const HERE = import.meta.dirname;
const MODELS = resolve(HERE, '../../../shared/corpus/torch-2.11/models');
const SHAPES: Record<string, number[]> = {
  mobilenet_v3_small: [1, 3, 224, 224],
  gpt2_tiny: [1, 16],
  transformer_encoder_layer: [2, 10, 64],
};

interface Timing {
  median: number;
  min: number;
  /** Warm-up runs before timing (see Settle). */
  warm?: number;
}
interface Row {
  model: string;
  ours?: Timing;
  ort?: Timing;
  torch?: Timing;
  maxRelDiff?: number;
  /** Multiply-adds of one run (ceiling.ts). */
  macs?: number;
  notes: string[];
}

const stats = (ms: number[]): Timing => {
  const s = [...ms].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, min: s[0]! };
};

function readRaw(path: string, dtype: string, shape: number[]): NDArray {
  const b = readFileSync(path);
  const buf = b.buffer.slice(b.byteOffset, b.byteOffset + b.length);
  const data = dtype === 'float32' ? new Float32Array(buf) : dtype === 'int64' ? Float64Array.from(new BigInt64Array(buf), Number) : undefined;
  if (!data) throw new Error(`unsupported input dtype ${dtype}`);
  return new NDArray(new Storage(dtype as 'float32', data), shape, contiguousStrides(shape));
}

/**
 * Warm-up policy shared by every engine: at least `warmup` runs, then on until
 * five 20-run windows in a row bring no median more than 2% below the best so
 * far (V8 keeps tiering up JavaScript and WebAssembly for hundreds of runs), at
 * most 10·warmup runs.
 */
class Settle {
  private window: number[] = [];
  private best = Infinity;
  private stale = 0;
  n = 0;
  constructor(private readonly warmup: number) {}
  /** Record one warm-up time; true while warming up should continue. */
  more(ms: number): boolean {
    this.n++;
    this.window.push(ms);
    if (this.window.length < 20) return true;
    const med = stats(this.window).median;
    this.window = [];
    if (med < this.best * 0.98) this.stale = 0;
    else this.stale++;
    this.best = Math.min(this.best, med);
    if (this.n < this.warmup) return true;
    return this.stale < 5 && this.n < 10 * this.warmup;
  }
}

function time(fn: () => unknown, warmup: number, reps: number): Timing {
  const s = new Settle(warmup);
  for (;;) {
    const t0 = performance.now();
    fn();
    if (!s.more(performance.now() - t0)) break;
  }
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  return { ...stats(ms), warm: s.n };
}

async function timeAsync(fn: () => Promise<unknown>, warmup: number, reps: number): Promise<Timing> {
  const s = new Settle(warmup);
  for (;;) {
    const t0 = performance.now();
    await fn();
    if (!s.more(performance.now() - t0)) break;
  }
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return { ...stats(ms), warm: s.n };
}

async function benchOrt(threads: number, onnx: string, raw: Buffer, dtype: string, shape: number[], warmup: number, reps: number): Promise<Timing> {
  const ort = (await import('onnxruntime-node')).default ?? (await import('onnxruntime-node'));
  const session = await ort.InferenceSession.create(onnx, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential' });
  const buf = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length);
  const data = dtype === 'int64' ? new BigInt64Array(buf) : new Float32Array(buf);
  const feeds = { [session.inputNames[0]!]: new ort.Tensor(dtype as 'float32', data as Float32Array, shape) };
  return timeAsync(() => session.run(feeds), warmup, reps);
}

function benchTorch(threads: number, python: string, pt2: string, input: string, dtype: string, shape: number[], warmup: number, reps: number): Timing {
  const r = spawnSync(python, [join(HERE, 'torch-bench.py'), pt2, input, dtype, shape.join('x'), String(warmup), String(reps), String(threads)], { encoding: 'utf8', timeout: 600_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error((r.stderr || r.stdout).trim().split('\n').at(-1) ?? `exit ${r.status}`);
  const line = r.stdout.trim().split('\n').at(-1)!;
  const rec = JSON.parse(line) as { ms: number[]; warm?: number };
  return { ...stats(rec.ms), warm: rec.warm };
}

function relDiff(name: string, out: NDArray): number | undefined {
  const p = join(MODELS, `${name}.out.float32.bin`);
  if (!existsSync(p)) return undefined;
  const b = readFileSync(p);
  const ref = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
  const got = out.toFlat();
  let d = 0, s = 0;
  for (let i = 0; i < ref.length; i++) {
    d = Math.max(d, Math.abs(ref[i]! - got[i]!));
    s = Math.max(s, Math.abs(ref[i]!));
  }
  return d / (s || 1);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      models: { type: 'string' },
      warmup: { type: 'string', default: '1000' },
      reps: { type: 'string', default: '100' },
      threads: { type: 'string', default: '1' },
      json: { type: 'boolean' },
      python: { type: 'string', default: process.env.PT2_REF_PYTHON ?? '/tmp/ref/bin/python' },
    },
  });
  const warmup = Number(values.warmup);
  const reps = Number(values.reps);
  const threads = Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`--threads must be a whole number ≥ 1, got ${values.threads}`);
  const pool = await openCpuThreads(threads);
  if (!existsSync(MODELS)) {
    console.log(`pt2 bench: no corpus models at ${MODELS}; nothing to run`);
    return;
  }
  const names = values.models ? values.models.split(',') : readdirSync(MODELS).filter((f) => f.endsWith('.pt2')).map((f) => f.slice(0, -4));
  const rows: Row[] = [];
  for (const name of names) {
    const row: Row = { model: name, notes: [] };
    rows.push(row);
    const inFile = readdirSync(MODELS).find((f) => f.startsWith(`${name}.in0.`));
    const shape = SHAPES[name];
    if (!inFile || !shape) {
      row.notes.push('no recorded input');
      continue;
    }
    const dtype = inFile.split('.')[2]!;
    const inPath = join(MODELS, inFile);
    const pt2 = join(MODELS, `${name}.pt2`);
    try {
      const ep = [...loadPt2(new Uint8Array(readFileSync(pt2))).programs.values()][0]!;
      const x = readRaw(inPath, dtype, shape);
      const rt = new CpuRuntime(ep.graph, { frozenInputs: frozenInputIndices(ep), threads: pool });
      const inputs = programInputs(ep, [x]);
      row.ours = time(() => rt.run(inputs), warmup, reps);
      row.maxRelDiff = relDiff(name, userOutputs(ep, rt.run(inputs), [x])[0] as NDArray);
      row.macs = countMacs(ep.graph, inputs, frozenInputIndices(ep));
    } catch (e) {
      row.notes.push(`ours failed: ${(e as Error).message.split('\n')[0]}`);
    }
    const onnx = join(MODELS, `${name}.onnx`);
    if (!existsSync(onnx)) row.notes.push('ORT: no NAME.onnx');
    else
      try {
        row.ort = await benchOrt(threads, onnx, readFileSync(inPath), dtype, shape, warmup, reps);
      } catch (e) {
        row.notes.push(`ORT unavailable: ${(e as Error).message.split('\n')[0]}`);
      }
    if (!existsSync(values.python!)) row.notes.push(`PyTorch: no reference python at ${values.python} (set PT2_REF_PYTHON or --python)`);
    else
      try {
        row.torch = benchTorch(threads, values.python!, pt2, inPath, dtype, shape, warmup, reps);
      } catch (e) {
        row.notes.push(`PyTorch failed: ${(e as Error).message}`);
      }
  }
  await pool?.close();
  const peak = simdPeakGmacs();
  if (values.json) {
    console.log(JSON.stringify({ cpu: cpus()[0]?.model, threads, warmup, reps, simdPeakGmacs: peak, rows }, null, 2));
    return;
  }
  const f = (t?: Timing) => (t ? `${t.median.toFixed(3)} (${t.min.toFixed(3)})` : '—');
  const ratio = (a?: Timing, b?: Timing) => (a && b ? `${(a.median / b.median).toFixed(2)}×` : '—');
  console.log(`CPU latency, ${threads} thread${threads === 1 ? '' : 's'} each, ms: median (min) of ${reps} runs after ≥${warmup} warm-up runs (until settled); ${cpus()[0]?.model ?? ''}`);
  const header = ['model', 'ours (pt2 cpu)', 'onnxruntime-node', 'ours/ORT', 'torch ep.module()', 'ours/torch', 'max|Δ|/scale'];
  const body = rows.map((r) => [r.model, f(r.ours), f(r.ort), ratio(r.ours, r.ort), f(r.torch), ratio(r.ours, r.torch), r.maxRelDiff === undefined ? '—' : r.maxRelDiff.toExponential(1)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(line(b));
  for (const r of rows) for (const n of r.notes) console.log(`note: ${r.model}: ${n}`);
  // The floor: every multiply-add at the measured peak of one thread's f32x4 mul+add.
  console.log(`WebAssembly SIMD peak, one thread: ${peak.toFixed(1)} GMAC/s (f32x4 mul+add, 12 accumulators in registers)`);
  for (const r of rows)
    if (r.macs) {
      const floor = r.macs / peak / 1e6 / threads;
      const vsOrt = r.ort ? `, ${(floor / r.ort.median).toFixed(2)}× ORT` : '';
      const ofPeak = r.ours ? `; ours runs at ${((r.macs / r.ours.median / 1e6 / peak / threads) * 100).toFixed(0)}% of it` : '';
      console.log(`floor: ${r.model}: ${(r.macs / 1e6).toFixed(1)} M multiply-adds ≥ ${floor.toFixed(3)} ms at that peak${vsOrt}${ofPeak}`);
    }
  const warm = (t?: Timing) => (t?.warm === undefined ? '—' : String(t.warm));
  for (const r of rows) if (r.ours || r.ort || r.torch) console.log(`warm-up runs: ${r.model}: ours ${warm(r.ours)}, ORT ${warm(r.ort)}, torch ${warm(r.torch)}`);
}

await main();
