// Per-node profile of the CPU runtime on a corpus model: each step's exec is
// wrapped with a timer; prints the graph's steps with their mean time after a
// long warm-up, grouped by op, and the gap between the sum of the steps and the
// whole run (the per-step overhead of the run loop). Steps skipped by constant
// folding show 0.
//
//   npx tsx scripts/bench/profile-nodes.ts gpt2_tiny [runs] [--steps] [--threads N]

import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NDArray, Storage, contiguousStrides } from '../../engine/core/ndarray';
import { loadPt2 } from '../../engine/serialize/read';
import { CpuRuntime, type Step } from '../../engine/runtime/cpu/cpu-runtime';
import { frozenInputIndices, programInputs } from '../../engine/runtime/program';
import { openCpuThreads } from '../../main/host/cpu-threads';

const MODELS = resolve(import.meta.dirname, '../../../shared/corpus/torch-2.11/models');
const SHAPES: Record<string, number[]> = { gpt2_tiny: [1, 16], transformer_encoder_layer: [2, 10, 64], mobilenet_v3_small: [1, 3, 224, 224] };
const name = process.argv[2] ?? 'gpt2_tiny';
const runs = Number(/^\d+$/.test(process.argv[3] ?? '') ? process.argv[3] : 500);
const inFile = readdirSync(MODELS).find((f) => f.startsWith(`${name}.in0.`))!;
const dtype = inFile.split('.')[2]!;
const b = readFileSync(join(MODELS, inFile));
const buf = b.buffer.slice(b.byteOffset, b.byteOffset + b.length);
const data = dtype === 'float32' ? new Float32Array(buf) : Float64Array.from(new BigInt64Array(buf), Number);
const shape = SHAPES[name]!;
const x = new NDArray(new Storage(dtype as 'float32', data), shape, contiguousStrides(shape));
const ep = [...loadPt2(new Uint8Array(readFileSync(join(MODELS, `${name}.pt2`)))).programs.values()][0]!;
const ti = process.argv.indexOf('--threads');
const threads = ti > 0 ? await openCpuThreads(Number(process.argv[ti + 1])) : undefined;
const rt = new CpuRuntime(ep.graph, { frozenInputs: frozenInputIndices(ep), threads });
const inputs = programInputs(ep, [x]);

const whole: number[] = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  rt.run(inputs);
  whole.push(performance.now() - t0);
}
const steps = (rt as unknown as { steps: Step[] }).steps;
const samples = steps.map(() => new Float64Array(runs));
let run = 0;
steps.forEach((s, i) => {
  const ex = s.exec;
  s.exec = (a, c) => {
    const t0 = performance.now();
    const r = ex(a, c);
    samples[i]![run] += performance.now() - t0;
    return r;
  };
});
for (let i = 0; i < runs; i++) rt.run(inputs); // re-warm with the timers in place
for (const a of samples) a.fill(0);
const timed: number[] = [];
for (let i = 0; i < runs; i++, run++) {
  const t0 = performance.now();
  rt.run(inputs);
  timed.push(performance.now() - t0);
}
const sorted = (v: number[]) => [...v].sort((p, q) => p - q);
const tail = sorted(whole.slice(-100));
console.log(`${name}: ${steps.length} steps; untimed run (last 100 of ${runs}): min ${tail[0]!.toFixed(4)} median ${tail[50]!.toFixed(4)} ms`);
const byOp = new Map<string, { n: number; ms: number }>();
let sum = 0;
steps.forEach((s, i) => {
  const ms = [...samples[i]!].sort((p, q) => p - q)[runs >> 1]!; // median: robust to GC pauses
  sum += ms;
  const e = byOp.get(s.node.target) ?? { n: 0, ms: 0 };
  e.n++;
  e.ms += ms;
  byOp.set(s.node.target, e);
  if (process.argv.includes('--steps')) console.log(`${(ms * 1000).toFixed(2).padStart(8)} µs  ${s.node.name}  ${s.node.target}`);
});
console.log(`sum of step medians ${sum.toFixed(4)} ms; timed run median ${sorted(timed)[runs >> 1]!.toFixed(4)} ms`);
for (const [op, e] of [...byOp].sort((p, q) => q[1].ms - p[1].ms)) console.log(`${(e.ms * 1000).toFixed(1).padStart(8)} µs  ${String(e.n).padStart(3)}×  ${op}`);
await threads?.close();
