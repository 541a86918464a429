// Per-op profile of one corpus model on the CPU runtime: wall time per step,
// summed by op name and shape signature over many runs (min-of-runs per step).
//   npx tsx scripts/bench/profile-cpu.ts [model | path.pt2] [runs] [--steps]

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { NDArray, Storage, contiguousStrides } from '../../engine/core/ndarray';
import { loadPt2 } from '../../engine/serialize/read';
import { CpuRuntime, type Step } from '../../engine/runtime/cpu/cpu-runtime';
import { frozenInputIndices, programInputs, userOutputs } from '../../engine/runtime/program';

const MODELS = process.env.PT2_MODELS ?? resolve(import.meta.dirname, '../../../shared/corpus/torch-2.11/models');
const name = process.argv[2] ?? 'mobilenet_v3_small';
const runs = Number(process.argv[3] ?? 50);
// A path ending in .pt2 runs that archive on a random [1, 3, 224, 224] input (no reference check).
const file = name.endsWith('.pt2') ? name : `${MODELS}/${name}.pt2`;
const ep = [...loadPt2(new Uint8Array(readFileSync(file))).programs.values()][0]!;
const shape = [1, 3, 224, 224];
const b = name.endsWith('.pt2') ? Buffer.from(Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => Math.sin(i)).buffer) : readFileSync(`${MODELS}/${name}.in0.float32.bin`);
const x = new NDArray(new Storage('float32', new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length))), shape, contiguousStrides(shape));
const rt = new CpuRuntime(ep.graph, { frozenInputs: frozenInputIndices(ep) });
const inputs = programInputs(ep, [x]);
const steps = (rt as unknown as { steps: Step[] }).steps;
const times = new Float64Array(steps.length).fill(Infinity);
const labels: string[] = [];
for (const [i, s] of steps.entries()) {
  const exec = s.exec;
  labels.push(s.node.target);
  s.exec = (args, ctx) => {
    const t0 = performance.now();
    const r = exec(args, ctx);
    const dt = performance.now() - t0;
    if (dt < times[i]!) times[i] = dt;
    if (labels[i] === s.node.target) {
      const sig = args.filter((a) => a instanceof NDArray).map((a) => `[${(a as NDArray).shape.join(',')}]`).join(' ');
      labels[i] = `${s.node.target} ${sig}`;
    }
    return r;
  };
}
const out = rt.run(inputs);
for (let r = 0; r < runs; r++) rt.run(inputs);
const total: number[] = [];
for (let r = 0; r < runs; r++) {
  const t0 = performance.now();
  rt.run(inputs);
  total.push(performance.now() - t0);
}
const byOp = new Map<string, { ms: number; n: number }>();
for (const [i, l] of labels.entries()) {
  let op = l.split(' ')[0]!;
  const w = /conv\S* \[[^\]]*\] \[(\d+),(\d+),(\d+),(\d+)\]/.exec(l);
  if (w) op += w[2] === '1' ? ' (depthwise)' : w[3] === '1' && w[4] === '1' ? ' (1×1)' : ' (other)';
  const e = byOp.get(op) ?? { ms: 0, n: 0 };
  e.ms += times[i]!;
  e.n++;
  byOp.set(op, e);
}
console.log(`${name}: run min ${Math.min(...total).toFixed(3)} ms, median ${total.sort((a, b) => a - b)[total.length >> 1]!.toFixed(3)} ms; sum of per-step mins ${times.reduce((a, b) => a + b, 0).toFixed(3)} ms`);
for (const [op, e] of [...byOp].sort((a, b) => b[1].ms - a[1].ms)) console.log(`${e.ms.toFixed(3).padStart(8)} ms  ${String(e.n).padStart(3)}×  ${op}`);
if (process.argv.includes('--steps')) {
  const order = [...times.keys()].sort((a, b) => times[b]! - times[a]!).slice(0, Number(process.env.TOP ?? 40));
  for (const i of order) console.log(`${times[i]!.toFixed(3).padStart(8)} ms  ${labels[i]}`);
}
if (name.endsWith('.pt2')) process.exit(0);
const ref = readFileSync(`${MODELS}/${name}.out.float32.bin`);
const R = new Float32Array(ref.buffer.slice(ref.byteOffset, ref.byteOffset + ref.length));
const got = (userOutputs(ep, out, [x])[0] as NDArray).contiguous();
const G = got.storage.data as Float32Array;
let d = 0, s = 0;
for (let i = 0; i < R.length; i++) {
  d = Math.max(d, Math.abs(R[i]! - G[got.offset + i]!));
  s = Math.max(s, Math.abs(R[i]!));
}
console.log(`max|Δ|/scale ${(d / (s || 1)).toExponential(2)}`);
