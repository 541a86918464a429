// The GPU random kernels (ops/random.ts, Note [GPU random numbers]): the WGSL
// Philox4x32-10 against Random123's known-answer vectors and an independent
// BigInt implementation; rand / randn / randint / *_like / native_dropout
// through the runtime against that reference (the exact stream), seeding and
// determinism, ranges, dtypes and shapes, and distribution checks with bounds
// a broken generator fails (6 standard errors, chi-square, Kolmogorov–Smirnov).

import { afterAll, describe, expect } from 'vitest';
import { NDArray } from '../../core/ndarray';
import { PyFloat } from '../../core/scalar';
import { Graph, type Node } from '../../ir/graph';
import { useTestDevice } from '../../../testing/webgpu';
import { GpuExecutor, gpuStorage } from './gpu-exec';
import { placement } from './ops/elementwise';
import { manualSeedGpu, philoxProgram, philoxRun } from './ops/random';
import { manualSeed } from '../../ops/factory';
import { WebGpuRuntime } from './webgpu-runtime';

const testGpu = useTestDevice();
const gpuIt = (name: string, fn: () => Promise<void>) => testGpu.gpuIt(name, fn, 120_000);

let exec: GpuExecutor | undefined;
const sharedExec = (): GpuExecutor => (exec ??= new GpuExecutor(testGpu.dev!.device));
afterAll(() => exec?.destroy());

// ---- an independent Philox4x32-10 (BigInt, Salmon et al. 2011 / Random123) ----

const MASK = 0xffffffffn;
function philoxRef(ctr: readonly number[], key: readonly number[]): number[] {
  let c = ctr.map(BigInt);
  let k = key.map(BigInt);
  for (let r = 0; r < 10; r++) {
    if (r > 0) k = [(k[0]! + 0x9e3779b9n) & MASK, (k[1]! + 0xbb67ae85n) & MASK];
    const p0 = 0xd2511f53n * c[0]!, p1 = 0xcd9e8d57n * c[2]!;
    c = [(p1 >> 32n) ^ c[1]! ^ k[0]!, p1 & MASK, (p0 >> 32n) ^ c[3]! ^ k[1]!, p0 & MASK];
  }
  return c.map(Number);
}

/** Element e of a call at (seed, offset): block e/4 at counter (offset/4, e/4), lane e%4. */
function refBits(seed: bigint, offset: bigint, n: number): number[] {
  const key = [Number(seed & MASK), Number((seed >> 32n) & MASK)];
  const c = offset / 4n;
  const out: number[] = [];
  for (let t = 0; out.length < n; t++) out.push(...philoxRef([Number(c & MASK), Number((c >> 32n) & MASK), t, 0], key));
  return out.slice(0, n);
}
const unit = (x: number) => Math.fround(Math.fround(x * 2 ** -32) + 2 ** -33);
const refUniform = (bits: number[]) => bits.map((x) => (unit(x) >= 1 ? 0 : unit(x)));
function refNormal(bits: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < bits.length; i += 2) {
    const s = Math.sqrt(-2 * Math.log(unit(bits[i]!))), v = unit(bits[i + 1] ?? 0) * 2 * Math.PI;
    out.push(s * Math.sin(v), s * Math.cos(v));
  }
  return out.slice(0, bits.length);
}

// ---- graphs ----

type Build = (op: (target: string, args: unknown[], kwargs?: Record<string, unknown>) => Node, inputs: Node[]) => Node | Node[];

async function runGpu(build: Build, inputs: NDArray[] = []): Promise<{ out: NDArray[]; fallbacks: string[]; dispatches: number }> {
  const g = new Graph();
  const phs = inputs.map((_, i) => g.placeholder(`x${i}`));
  const out = build((t, args, kw = {}) => g.createNode('call_function', t, args as never[], kw as never, 'op'), phs);
  g.output(out);
  const fallbacks: string[] = [];
  const rt = new WebGpuRuntime(g, testGpu.dev!, { onHostFallback: (op) => fallbacks.push(op) }, sharedExec());
  const before = rt.exec.stats.dispatches;
  const res = await rt.run(inputs);
  return { out: (Array.isArray(res) ? res : [res]) as NDArray[], fallbacks, dispatches: rt.exec.stats.dispatches - before };
}
/** A 2-D array's transposed view. */
const T = (a: NDArray): NDArray => a.withView([a.shape[1]!, a.shape[0]!], [a.strides[1]!, a.strides[0]!], a.offset);
const values = (a: NDArray): number[] => Array.from(a.toFlat() as ArrayLike<number>);

/** One rand-like factory on the GPU, checked to have run there. */
async function draw(target: string, args: unknown[], kwargs: Record<string, unknown> = {}): Promise<NDArray> {
  const { out, fallbacks, dispatches } = await runGpu((op) => op(target, args, kwargs));
  expect(fallbacks).toEqual([]);
  expect(dispatches, `${target} dispatched on the GPU`).toBeGreaterThanOrEqual(1);
  return out[0]!;
}

// ---- statistics ----

function moments(xs: readonly number[]): { mean: number; variance: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, variance: xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1) };
}
/** Pearson's chi-square of counts against equal expected counts, and its bound df + 6·√(2·df). */
function chiSquare(counts: readonly number[]): { chi2: number; bound: number } {
  const n = counts.reduce((a, b) => a + b, 0), e = n / counts.length;
  const df = counts.length - 1;
  return { chi2: counts.reduce((a, c) => a + (c - e) ** 2 / e, 0), bound: df + 6 * Math.sqrt(2 * df) };
}
/** Kolmogorov–Smirnov distance of a sample from a CDF. */
function ksDistance(xs: readonly number[], cdf: (x: number) => number): number {
  const s = [...xs].sort((a, b) => a - b);
  let d = 0;
  s.forEach((x, i) => (d = Math.max(d, Math.abs(cdf(x) - i / s.length), Math.abs(cdf(x) - (i + 1) / s.length))));
  return d;
}
/** Φ via erf (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2, t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return 0.5 * (1 + (x >= 0 ? erf : -erf));
}
/** KS bound: 2/√n (the 0.001 critical value is 1.95/√n). */
const ksBound = (n: number) => 2 / Math.sqrt(n);

const N = 100_000;
/** randn against the reference: WGSL's sin/cos are within 2⁻¹¹ on [−π, π], scaled by s ≤ 6.7. */
const NORMAL_TOL = 4e-3;

describe('Philox4x32-10 in WGSL', () => {
  gpuIt('matches Random123 known-answer vectors and a BigInt implementation', async () => {
    // Random123 kat_vectors, philox4x32 10 rounds: counter, key → output.
    const kat: Array<[number[], number[], number[]]> = [
      [[0, 0, 0, 0], [0, 0], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]],
      [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]],
      [[0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]],
    ];
    const ex = sharedExec();
    for (const [ctr, key, want] of kat) {
      expect(philoxRef(ctr, key), 'BigInt reference').toEqual(want);
      // 300 threads: thread t runs counter word 2 + t; thread 0 is the vector itself.
      const n = 4 * 300;
      const out = ex.alloc([n], 'i32', 'int32');
      const seed = BigInt(key[0]!) | (BigInt(key[1]!) << 32n);
      const offset = (BigInt(ctr[0]!) | (BigInt(ctr[1]!) << 32n)) * 4n;
      ex.dispatch(philoxProgram('raw'), [], [out], philoxRun(n, { seed, offset }, undefined, [ctr[2]!, ctr[3]!]));
      const [bits] = await ex.finish([out]);
      const got = Array.from(bits!, (x) => x >>> 0);
      expect(got.slice(0, 4)).toEqual(want);
      for (const t of [1, 2, 63, 64, 65, 299]) expect(got.slice(4 * t, 4 * t + 4), `thread ${t}`).toEqual(philoxRef([ctr[0]!, ctr[1]!, (ctr[2]! + t) >>> 0, ctr[3]!], key));
      ex.recycle(gpuStorage(out));
    }
  });
});

describe('GPU random factories', () => {
  gpuIt('rand / randn reproduce the reference stream; reseeding repeats it; the offset advances; seeds differ', async () => {
    manualSeedGpu(1234);
    const a = await draw('aten.rand.default', [[7, 9]]);
    const b = await draw('aten.rand.default', [[7, 9]]);
    expect(a.dtype).toBe('float32');
    expect(a.shape).toEqual([7, 9]);
    const seed = 1234n;
    expectNear(values(a), refUniform(refBits(seed, 0n, 63)), 1e-6);
    expectNear(values(b), refUniform(refBits(seed, 4n, 63)), 1e-6);
    expect(values(a)).not.toEqual(values(b));
    manualSeedGpu(1234);
    expect(values(await draw('aten.rand.default', [[7, 9]]))).toEqual(values(a));
    manualSeedGpu(1235);
    const c = values(await draw('aten.rand.default', [[7, 9]]));
    expect(c.filter((v, i) => v === values(a)[i]!).length).toBeLessThan(3);
    // randn: Box–Muller over the same bits.
    manualSeedGpu(2n ** 40n + 7n);
    const z = await draw('aten.randn.default', [[5, 13]]);
    expectNear(values(z), refNormal(refBits(2n ** 40n + 7n, 0n, 68)).slice(0, 65), NORMAL_TOL);
  });

  gpuIt('manualSeed (torch.manual_seed) seeds the GPU generator too', async () => {
    manualSeed(99);
    expectNear(values(await draw('aten.rand.default', [[3, 5]])), refUniform(refBits(99n, 0n, 15)), 1e-6);
  });

  gpuIt('rand: [0, 1), uniform (moments within 6 SE, chi-square over 100 bins, KS)', async () => {
    manualSeedGpu(7);
    const x = values(await draw('aten.rand.default', [[N]]));
    expect(Math.min(...x)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...x)).toBeLessThan(1);
    const { mean, variance } = moments(x);
    expect(Math.abs(mean - 0.5)).toBeLessThan(6 * Math.sqrt(1 / 12 / N));
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(6 * Math.sqrt((1 / 80 - 1 / 144) / N));
    const counts = new Array<number>(100).fill(0);
    for (const v of x) counts[Math.floor(v * 100)]!++;
    const { chi2, bound } = chiSquare(counts);
    expect(chi2).toBeLessThan(bound);
    expect(ksDistance(x, (v) => Math.min(Math.max(v, 0), 1))).toBeLessThan(ksBound(N));
  });

  gpuIt('randn: standard normal (moments within 6 SE, KS against Φ)', async () => {
    manualSeedGpu(8);
    const x = values(await draw('aten.randn.default', [[N]]));
    expect(x.every(Number.isFinite)).toBe(true);
    const { mean, variance } = moments(x);
    expect(Math.abs(mean)).toBeLessThan(6 * Math.sqrt(1 / N));
    expect(Math.abs(variance - 1)).toBeLessThan(6 * Math.sqrt(2 / N));
    expect(ksDistance(x, normalCdf)).toBeLessThan(ksBound(N));
  });

  gpuIt('randint / randint.low: [low, high), int64 or float32, every value drawn, chi-square', async () => {
    const prev = placement.intOnGpu;
    placement.intOnGpu = true;
    try {
      manualSeedGpu(9);
      const a = await draw('aten.randint.low', [-3, 7, [N]]);
      expect(a.dtype).toBe('int64');
      const x = values(a);
      expect(x.every((v) => Number.isInteger(v) && v >= -3 && v < 7)).toBe(true);
      const counts = new Array<number>(10).fill(0);
      for (const v of x) counts[v + 3]!++;
      expect(counts.every((c) => c > 0)).toBe(true);
      const { chi2, bound } = chiSquare(counts);
      expect(chi2).toBeLessThan(bound);
      // The exact stream: (bits mod range) + low.
      manualSeedGpu(10);
      const b = await draw('aten.randint.default', [1000, [3, 50]]);
      expect(b.shape).toEqual([3, 50]);
      expect(values(b)).toEqual(refBits(10n, 0n, 150).map((u) => u % 1000));
      const f = await draw('aten.randint.low', [5, 9, [64]], { dtype: 'float32' });
      expect(f.dtype).toBe('float32');
      expect(values(f).every((v) => Number.isInteger(v) && v >= 5 && v < 9)).toBe(true);
      // A range up to int32's edges.
      const wide = values(await draw('aten.randint.low', [-(2 ** 31), 2 ** 31 - 1, [4096]]));
      expect(wide.every((v) => Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31 - 1)).toBe(true);
      expect(wide.some((v) => v < 0) && wide.some((v) => v > 0)).toBe(true);
    } finally {
      placement.intOnGpu = prev;
    }
  });

  gpuIt('randint with an int dtype stays on the host without placement.intOnGpu; bad bounds raise there', async () => {
    const { dispatches, out } = await runGpu((op) => op('aten.randint.default', [10, [4]]));
    expect(dispatches).toBe(0);
    expect(out[0]!.dtype).toBe('int64');
    await expect(runGpu((op) => op('aten.randint.low', [5, 5, [4]], { dtype: 'float32' }))).rejects.toThrow(/from=5 >= to=5/);
  });

  gpuIt('rand_like / randn_like: shape of the input, float32, empty tensors; float64 stays on the host', async () => {
    const x = T(NDArray.fromValues('float32', [3, 4], new Array<number>(12).fill(0)));
    manualSeedGpu(11);
    const { out, fallbacks, dispatches } = await runGpu((op, [p]) => [op('aten.rand_like.default', [p!]), op('aten.randn_like.default', [p!])], [x]);
    expect(fallbacks).toEqual([]);
    // Two draws, then the two outputs (laid out like x, transposed) made contiguous for the readback.
    expect(dispatches).toBe(4);
    expect(out.map((o) => o.shape)).toEqual([[4, 3], [4, 3]]);
    // Written in memory order: logical (i, j) of the [4, 3] view is element i + 4j.
    const logical = (mem: number[]) => Array.from({ length: 12 }, (_, k) => mem[Math.floor(k / 3) + 4 * (k % 3)]!);
    expectNear(values(out[0]!), logical(refUniform(refBits(11n, 0n, 12))), 1e-6);
    expectNear(values(out[1]!), logical(refNormal(refBits(11n, 4n, 12))), NORMAL_TOL);
    const e = await runGpu((op) => op('aten.rand.default', [[0, 5]]));
    expect(e.fallbacks).toEqual([]);
    expect(e.out[0]!.shape).toEqual([0, 5]);
    const d = await runGpu((op) => op('aten.rand.default', [[4]], { dtype: 'float64' }));
    expect(d.dispatches).toBe(0);
    expect(d.out[0]!.dtype).toBe('float64');
  });

  gpuIt('native_dropout (train): mask ~ Bernoulli(1 − p), y = x·mask/(1 − p), strided input, p = 1', async () => {
    const p = 0.3;
    const x = NDArray.fromValues('float32', [N], Array.from({ length: N }, (_, i) => (i % 17) - 8));
    manualSeedGpu(12);
    const { out, fallbacks, dispatches } = await runGpu((op, [a]) => op('aten.native_dropout.default', [a!, new PyFloat(p), true]), [x]);
    expect(fallbacks).toEqual([]);
    expect(dispatches).toBe(1);
    const [y, mask] = out as [NDArray, NDArray];
    expect(mask.dtype).toBe('bool');
    const m = values(mask), yv = values(y), xv = values(x);
    const kept = m.reduce((a, b) => a + b, 0) / N;
    expect(Math.abs(kept - (1 - p))).toBeLessThan(6 * Math.sqrt((p * (1 - p)) / N));
    yv.forEach((v, i) => {
      if (Math.abs(v - xv[i]! * m[i]! * Math.fround(1 / (1 - p))) > 1e-5) throw new Error(`y[${i}] = ${v}, mask ${m[i]}, x ${xv[i]}`);
    });
    // The exact mask: keep where u < 1 − p, u in (0, 1].
    expect(m.slice(0, 400)).toEqual(refBits(12n, 0n, 400).map((u) => Number(unit(u) < Math.fround(1 - p))));
    // A transposed input is read through its strides; p = 1 drops everything.
    const t = T(NDArray.fromValues('float32', [6, 5], Array.from({ length: 30 }, (_, i) => i + 1)));
    const s = await runGpu((op, [a]) => op('aten.native_dropout.default', [a!, new PyFloat(0.5), true]), [t]);
    const sm = values(s.out[1]!), sy = values(s.out[0]!), tv = values(t);
    sy.forEach((v, i) => expect(v).toBeCloseTo(tv[i]! * sm[i]! * 2, 5));
    const all = await runGpu((op, [a]) => op('aten.native_dropout.default', [a!, new PyFloat(1), true]), [t]);
    expect(values(all.out[0]!).every((v) => v === 0)).toBe(true);
    expect(values(all.out[1]!).every((v) => v === 0)).toBe(true);
  });
});

function expectNear(got: readonly number[], want: readonly number[], tol: number): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => {
    if (!(Math.abs(g - want[i]!) <= tol)) throw new Error(`element ${i}: got ${g}, want ${want[i]}`);
  });
}
