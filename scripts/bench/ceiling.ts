// What one thread of WebAssembly SIMD can do at best, for `npm run bench`: the
// measured peak of f32x4 multiply + add on this CPU (independent accumulators in
// registers, no memory traffic) and each model's multiply-adds counted on a real
// run. Their quotient is a floor no CPU runtime built on 128-bit WebAssembly
// SIMD can beat on one thread, whatever its kernels.

import { type NDArray } from '../../engine/core/ndarray';
import { CpuRuntime, type Step } from '../../engine/runtime/cpu/cpu-runtime';
import { FunctionBuilder, ValType, assembleModule } from '../../engine/runtime/cpu/wasm-assembler';
import { type Graph } from '../../engine/ir/graph';

const ACCUMULATORS = 12;

/** Peak f32x4 mul+add throughput of one thread, in GMAC/s (best of 20 timed loops). */
export function simdPeakGmacs(): number {
  const f = new FunctionBuilder('peak', [ValType.i32], [ValType.f32]);
  const a = f.local(ValType.v128), b = f.local(ValType.v128);
  const acc = Array.from({ length: ACCUMULATORS }, () => f.local(ValType.v128));
  f.f32(1.0001).f32x4Splat().set(a).f32(0.9999).f32x4Splat().set(b);
  f.block().loop();
  for (const c of acc) f.get(c).get(a).get(b).f32x4Mul().f32x4Add().set(c);
  f.get(0).i32(1).i32Sub().tee(0).i32Eqz().brIf(1).br(0).end().end();
  f.get(acc[0]!);
  for (const c of acc.slice(1)) f.get(c).f32x4Add();
  f.f32x4ExtractLane(0);
  const inst = new WebAssembly.Instance(new WebAssembly.Module(assembleModule([f])), { env: { memory: new WebAssembly.Memory({ initial: 1 }) } });
  const peak = inst.exports.peak as (n: number) => number;
  const n = 2_000_000;
  peak(n);
  let best = Infinity;
  for (let r = 0; r < 20; r++) {
    const t0 = performance.now();
    peak(n);
    best = Math.min(best, performance.now() - t0);
  }
  return (n * ACCUMULATORS * 4) / best / 1e6;
}

const numel = (s: readonly number[]): number => s.reduce((p, q) => p * q, 1);

/** Multiply-adds of one op from its concrete arguments and result (0 for ops without a product). */
function opMacs(target: string, args: unknown[], out: unknown): number {
  const shape = (v: unknown): number[] => (v as NDArray).shape as number[];
  const o = Array.isArray(out) ? out[0] : out;
  if (!o || !(o as NDArray).shape) return 0;
  const on = numel(shape(o));
  switch (target) {
    case 'aten.conv2d.default':
    case 'aten.conv1d.default':
    case 'aten.convolution.default': {
      const w = shape(args[1]);
      return on * numel(w.slice(1));
    }
    case 'aten.linear.default':
    case 'aten.mm.default':
    case 'aten.bmm.default':
    case 'aten.matmul.default':
      return on * shape(args[0]).at(-1)!;
    case 'aten.addmm.default':
    case 'aten.baddbmm.default':
      return on * shape(args[1]).at(-1)!;
    case 'aten.scaled_dot_product_attention.default': {
      const q = shape(args[0]), k = shape(args[1]);
      return numel(q) * k.at(-2)! * 2; // QKᵀ and the weighted sum of V
    }
    default:
      return 0;
  }
}

/** Multiply-adds of one run of the graph on `inputs`, counted op by op (no fusion, no folding). */
export function countMacs(graph: Graph, inputs: unknown[], frozenInputs: ReadonlySet<number>): number {
  const rt = new CpuRuntime(graph, { frozenInputs, fuse: false, fold: false });
  let macs = 0;
  for (const s of (rt as unknown as { steps: Step[] }).steps) {
    const exec = s.exec;
    s.exec = (a, c) => {
      const r = exec(a, c);
      macs += opMacs(s.node.target, a, r);
      return r;
    };
  }
  rt.run(inputs);
  return macs;
}
