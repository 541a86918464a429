// Precision of the WebGPU transcendental functions against the CPU kernels
// (float64 math rounded to float32) on wide-range random inputs. WGSL's
// built-ins carry no accuracy guarantee worth relying on (SwiftShader's sin/cos
// lose ~1e-2 relative near the zeros for |x| ~ 3), so ops/elementwise.ts
// evaluates them with its own range reduction and polynomials.

import { describe, expect } from 'vitest';
import { NDArray } from '../../core/ndarray';
import { Graph } from '../../ir/graph';
import { CpuRuntime } from '../cpu/cpu-runtime';
import { rng } from '../cpu/test-helpers';
import { useTestDevice } from '../../../testing/webgpu';
import { WebGpuRuntime } from './webgpu-runtime';

const testGpu = useTestDevice();
const { gpuIt } = testGpu;




const MIN_NORMAL = 1.1754943508222875e-38;

/** The f32 ulp at |y|. */
function ulp(y: number): number {
  const a = Math.fround(Math.abs(y));
  if (a < 1.1754943508222875e-38) return 1.401298464324817e-45;
  const e = Math.floor(Math.log2(a));
  return 2 ** (e - 23);
}

/** Worst error of one op: ulps, relative (to max(|ref|, floor)) and absolute. */
async function worst(target: string, xs: NDArray[], extra: unknown[] = []): Promise<{ ulps: number; rel: number; abs: number; at: string }> {
  const g = new Graph();
  const ph = xs.map((_, i) => g.placeholder(`x${i}`));
  const n = g.createNode('call_function', target, [...ph, ...extra], {}, 'op');
  g.output(n);
  const cpu = new CpuRuntime(g).run(xs) as NDArray;
  n.meta.val = { dtype: cpu.dtype, shape: [...cpu.shape], strides: [...cpu.strides] };
  const gpu = (await new WebGpuRuntime(g, testGpu.dev!).run(xs)) as NDArray;
  const a = gpu.toArray(), b = cpu.toArray();
  const inp = xs.map((x) => x.toArray());
  let ulps = 0, rel = 0, abs = 0, at = '';
  for (let i = 0; i < b.length; i++) {
    const y = b[i]!, x = a[i]!;
    if (Number.isNaN(y) && Number.isNaN(x)) continue;
    if (y === x) continue;
    // GPUs (SwiftShader included) flush subnormals: skip subnormal inputs and results.
    if (Math.abs(y) < MIN_NORMAL || inp.some((v) => v[i] !== 0 && Math.abs(v[i]!) < MIN_NORMAL)) continue;
    const d = Math.abs(x - y);
    const u = Number.isFinite(d) ? d / ulp(y) : Infinity;
    if (!(u <= ulps)) {
      ulps = Number.isNaN(u) ? Infinity : u;
      at = `${inp.map((v) => v[i]).join(',')} → ${x} (ref ${y})`;
    }
    rel = Math.max(rel, d / Math.max(Math.abs(y), 1e-30));
    abs = Math.max(abs, d);
  }
  return { ulps, rel, abs, at };
}

const r = rng(2024);
/** n values uniform in [lo, hi], plus some near zero. */
function uniform(n: number, lo: number, hi: number): NDArray {
  const v: number[] = [];
  for (let i = 0; i < n; i++) v.push(i % 16 === 0 ? (r() - 0.5) * 1e-3 : lo + (hi - lo) * r());
  return NDArray.fromValues('float32', [n], v.map(Math.fround).map((x) => Math.min(hi, Math.max(lo, x))));
}
/** n values log-uniform in magnitude over [10^e0, 10^e1], random sign unless positive. */
function logUniform(n: number, e0: number, e1: number, positive = false): NDArray {
  const v: number[] = [];
  for (let i = 0; i < n; i++) v.push((positive || r() < 0.5 ? 1 : -1) * 10 ** (e0 + (e1 - e0) * r()));
  return NDArray.fromValues('float32', [n], v);
}

const N = 4096;
// [op, inputs, max ulps]
const CASES: Array<[string, () => NDArray[], number, unknown[]?]> = [
  ['aten.sin.default', () => [uniform(N, -3, 3)], 2],
  ['aten.cos.default', () => [uniform(N, -3, 3)], 2],
  ['aten.sin.default', () => [logUniform(N, -6, 4)], 2],
  ['aten.cos.default', () => [logUniform(N, -6, 4)], 2],
  ['aten.exp.default', () => [uniform(N, -87, 88)], 2],
  ['aten.log.default', () => [logUniform(N, -30, 30, true)], 2],
  ['aten.tanh.default', () => [logUniform(N, -6, 1.5)], 2],
  ['aten.sigmoid.default', () => [uniform(N, -80, 30)], 2],
];
// Not yet ulp-accurate: gelu's erf is Abramowitz–Stegun 7.1.26 (1.5e-7 absolute, so
// relative error grows in the tails) and pow goes through the built-in
// exp2(e·log2 x). Bounds as measured on SwiftShader, so regressions show.
const LOOSE: Array<[string, () => NDArray[], { abs?: number; rel?: number }, unknown[]?]> = [
  ['aten.gelu.default', () => [uniform(N, -10, 10)], { abs: 1e-6 }],
  ['aten.pow.Tensor_Scalar', () => [logUniform(N, -3, 3, true)], { rel: 1e-5 }, [2.5]],
  ['aten.pow.Tensor_Tensor', () => [logUniform(N, -2, 2, true), uniform(N, -8, 8)], { rel: 1e-5 }],
];

describe('WebGPU transcendental precision vs the CPU kernels', () => {
  for (const [op, make, maxUlps, extra] of CASES)
    gpuIt(`${op} within ${maxUlps} ulp`, async () => {
      const w = await worst(op, make(), extra);
      console.log(`${op}: ${w.ulps.toFixed(2)} ulp, rel ${w.rel.toExponential(2)}, abs ${w.abs.toExponential(2)} at ${w.at}`);
      expect(w.ulps, `${op} worst at ${w.at}`).toBeLessThanOrEqual(maxUlps);
    });
  for (const [op, make, tol, extra] of LOOSE)
    gpuIt(`${op} within ${JSON.stringify(tol)} (known gap)`, async () => {
      const w = await worst(op, make(), extra);
      console.log(`${op}: ${w.ulps.toFixed(2)} ulp, rel ${w.rel.toExponential(2)}, abs ${w.abs.toExponential(2)} at ${w.at}`);
      if (tol.abs !== undefined) expect(w.abs).toBeLessThanOrEqual(tol.abs);
      if (tol.rel !== undefined) expect(w.rel).toBeLessThanOrEqual(tol.rel);
    });
});
