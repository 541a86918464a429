// The direct WebAssembly convolution kernels (depthwise layers, dense and
// grouped k×k convs) against the registry's reference convolution on random geometries:
// kernel widths 1–7, strides 1/2 (and 3 vertically), padding wider and narrower
// than the kernel, vertical dilation, channel multipliers, odd sizes, batches,
// non-contiguous inputs and fused activations.

import { describe, expect, it } from 'vitest';
import { NDArray, Storage, contiguousStrides } from '../../core/ndarray';
import { defaultRegistry } from '../../ops/register-all';
import { type ConvGeometry, depthwiseWasm, directConvWasm, maxPoolWasm } from './conv-direct';
import { convNd } from './conv';
import { type Activation, activate } from './gemm';
import { type KernelContext } from './kernel-context';
import { expectClose, kernelContext, randArray, rng } from './test-helpers';

const r = rng(7);

interface Case {
  x: [number, number, number, number];
  w: [number, number, number, number];
  stride?: [number, number];
  padding?: [number, number];
  dilation?: [number, number];
  bias?: boolean;
}

function reference(x: NDArray, w: NDArray, b: NDArray | null, c: Case, groups: number, act?: Activation): NDArray {
  const conv = defaultRegistry.get('aten.convolution.default');
  const y = (conv.cpu([x, w, b, c.stride ?? [1, 1], c.padding ?? [0, 0], c.dilation ?? [1, 1], false, [0, 0], groups], { op: conv.name }) as NDArray).contiguous();
  if (!act) return y;
  const data = Float32Array.from(y.toArray());
  activate(act, data, 0, data.length);
  return new NDArray(new Storage('float32', data), [...y.shape], contiguousStrides(y.shape));
}

function geometry(c: Case): ConvGeometry {
  const [, C, H, W] = c.x;
  const [, , KH, KW] = c.w;
  const [sh, sw] = c.stride ?? [1, 1];
  const [ph, pw] = c.padding ?? [0, 0];
  const [dh, dw] = c.dilation ?? [1, 1];
  const OH = Math.floor((H + 2 * ph - dh * (KH - 1) - 1) / sh) + 1;
  const OW = Math.floor((W + 2 * pw - dw * (KW - 1) - 1) / sw) + 1;
  return { C, H, W, KH, KW, sh, sw, ph, pw, dh, dw, OH, OW };
}

type Runner = (ctx: KernelContext, x: NDArray, w: NDArray, bias: NDArray | null, g: ConvGeometry, Cout: number, N: number, out: Float32Array, act: Activation | undefined) => boolean;

/** Run `run` on the case (asserting it took the case), compare with the reference. */
function check(run: Runner, c: Case, groups: number, act?: Activation, x = randArray(c.x, r)): void {
  const w = randArray(c.w, r);
  const b = c.bias ? randArray([c.w[0]], r) : null;
  const g = geometry(c);
  const N = c.x[0], Cout = c.w[0];
  const out = new Float32Array(N * Cout * g.OH * g.OW).fill(NaN);
  const ctx = kernelContext();
  expect(run(ctx, x, w, b, g, Cout, N, out, act), JSON.stringify(c)).toBe(true);
  const shape = [N, Cout, g.OH, g.OW];
  expectClose(new NDArray(new Storage('float32', out), shape, contiguousStrides(shape)), reference(x, w, b, c, groups, act));
}

describe('depthwise layer kernel', () => {
  it('matches the reference conv on random geometries', () => {
    const cases: Case[] = [];
    for (let kw = 1; kw <= 7; kw++)
      for (const s of [1, 2] as const) {
        const kh = 1 + ((kw * 3 + s) % 7);
        const C = 1 + ((kw + s) % 5);
        const m = kw % 3 === 0 ? 2 : 1;
        const H = 5 + ((kw * 5) % 13), W = 3 + ((kw * 7 + s) % 17) + kw;
        cases.push({ x: [1 + (kw % 2), C, H + kh, W], w: [C * m, 1, kh, kw], stride: [s, s], padding: [kh >> 1, kw >> 1], bias: kw % 2 === 1 });
      }
    cases.push(
      { x: [1, 72, 56, 56], w: [72, 1, 3, 3], stride: [2, 2], padding: [1, 1], bias: true },
      { x: [1, 16, 112, 112], w: [16, 1, 3, 3], stride: [2, 2], padding: [1, 1], bias: true },
      { x: [1, 96, 7, 7], w: [96, 1, 5, 5], padding: [2, 2], bias: true },
      { x: [1, 24, 14, 14], w: [24, 1, 5, 5], stride: [2, 2], padding: [2, 2] },
      { x: [1, 3, 9, 10], w: [3, 1, 3, 3], padding: [4, 5], bias: true },
      { x: [2, 4, 17, 13], w: [4, 1, 3, 3], stride: [3, 1], dilation: [2, 1], padding: [2, 1] },
      { x: [1, 5, 1, 9], w: [10, 1, 1, 4], stride: [1, 2], padding: [0, 3] },
      { x: [1, 2, 4, 4], w: [2, 1, 3, 3] },
    );
    for (const c of cases) check(depthwiseWasm, c, c.x[1]);
  });
  it('matches the reference on square kernels (two output rows per block), odd and even heights', () => {
    const cases: Case[] = [];
    for (let k = 1; k <= 7; k++)
      for (const s of [1, 2] as const)
        for (const H of [6 + k, 7 + k]) {
          const m = k === 4 ? 2 : 1;
          const C = 1 + ((k + H) % 3);
          cases.push({ x: [1, C, H, 5 + 3 * k + s], w: [C * m, 1, k, k], stride: [s, s], padding: [k >> 1, (k - 1) >> 1], bias: H % 2 === 0 });
        }
    cases.push(
      // Vertical stride or dilation other than the kernel's: one row at a time.
      { x: [1, 3, 15, 12], w: [3, 1, 3, 3], stride: [1, 2], padding: [1, 1], bias: true },
      { x: [1, 3, 15, 12], w: [3, 1, 5, 5], stride: [2, 1], padding: [2, 2] },
      { x: [1, 2, 16, 11], w: [2, 1, 3, 3], dilation: [2, 1], padding: [2, 1] },
      // A row of OW = 1 and a plane of one row.
      { x: [1, 2, 9, 1], w: [2, 1, 3, 3], padding: [1, 1] },
      { x: [1, 2, 1, 9], w: [2, 1, 3, 3], padding: [1, 1] },
    );
    for (const c of cases) {
      check(depthwiseWasm, c, c.x[1]);
      check(depthwiseWasm, c, c.x[1], 'hardswish');
    }
  });
  it('propagates NaN through the fused activations', () => {
    const c: Case = { x: [1, 2, 10, 10], w: [2, 1, 3, 3], padding: [1, 1], bias: true };
    for (const act of ['relu', 'hardswish'] as const) {
      const x = randArray(c.x, r);
      (x.storage.data as Float32Array)[33] = NaN;
      check(depthwiseWasm, c, 2, act, x);
    }
  });
  it('applies fused ReLU and hardswish, and reads non-contiguous inputs', () => {
    const c: Case = { x: [1, 6, 13, 11], w: [6, 1, 3, 3], stride: [2, 2], padding: [1, 1], bias: true };
    check(depthwiseWasm, c, 6, 'relu');
    check(depthwiseWasm, c, 6, 'hardswish');
    const wide = randArray([1, 11, 6, 13], r);
    check(depthwiseWasm, c, 6, undefined, wide.withView([1, 6, 13, 11], [858, 1, 66, 6], 0));
  });
  it('computes channel means of the activated output when asked', () => {
    for (const c of [
      { x: [2, 6, 13, 11], w: [6, 1, 3, 3], stride: [2, 2], padding: [1, 1], bias: true },
      { x: [1, 4, 7, 7], w: [8, 1, 5, 5], padding: [2, 2], bias: true },
      { x: [1, 3, 9, 9], w: [3, 1, 3, 3], padding: [1, 1] },
    ] as Case[]) {
      const x = randArray(c.x, r), w = randArray(c.w, r), b = c.bias ? randArray([c.w[0]], r) : null;
      const g = geometry(c);
      const N = c.x[0], Cout = c.w[0], hw = g.OH * g.OW;
      const out = new Float32Array(N * Cout * hw), means = new Float32Array(N * Cout).fill(NaN);
      expect(depthwiseWasm(kernelContext(), x, w, b, g, Cout, N, out, 'hardswish', means)).toBe(true);
      const ref = reference(x, w, b, c, c.x[1], 'hardswish').toArray();
      for (let i = 0; i < N * Cout; i++) {
        let sum = 0;
        for (let j = 0; j < hw; j++) sum += ref[i * hw + j]!;
        expect(means[i]).toBeCloseTo(sum / hw, 5);
      }
    }
  });
  it('declines what it has no kernel for', () => {
    const ctx = kernelContext();
    const x = randArray([1, 2, 9, 9], r), w = randArray([2, 1, 3, 3], r);
    const g = geometry({ x: [1, 2, 9, 9], w: [2, 1, 3, 3], dilation: [1, 2] });
    expect(depthwiseWasm(ctx, x, w, null, g, 2, 1, new Float32Array(2 * g.OH * g.OW), undefined)).toBe(false);
    expect(depthwiseWasm(kernelContext({ wasm: false }), x, w, null, geometry({ x: [1, 2, 9, 9], w: [2, 1, 3, 3] }), 2, 1, new Float32Array(98), undefined)).toBe(false);
  });
});

describe('direct dense conv kernel', () => {
  it('matches the reference conv on random geometries', () => {
    const cases: Case[] = [{ x: [1, 3, 224, 224], w: [16, 3, 3, 3], stride: [2, 2], padding: [1, 1], bias: true }];
    for (let kw = 1; kw <= 7; kw++)
      for (const s of [1, 2] as const) {
        const cin = 1 + ((kw + s) % 4);
        const cout = 1 + ((kw * 5 + s) % 11);
        const kh = 1 + ((kw + 2 * s) % 5);
        cases.push({ x: [1 + (s - 1), cin, 6 + kh + kw, 4 + ((kw * 3) % 19) + kw], w: [cout, cin, kh, kw], stride: [s, s], padding: [kh >> 1, (kw + 1) >> 1], bias: s === 1 });
      }
    cases.push(
      { x: [1, 2, 12, 10], w: [5, 2, 3, 2], dilation: [2, 1], padding: [2, 0], stride: [3, 1] },
      { x: [2, 2, 12, 13], w: [3, 2, 3, 3], dilation: [1, 2], padding: [1, 2], stride: [1, 2] },
      { x: [1, 3, 11, 23], w: [6, 3, 2, 9], dilation: [1, 3], padding: [0, 5] },
      { x: [1, 4, 20, 20], w: [4, 4, 7, 7], stride: [2, 2], padding: [3, 3], bias: true },
    );
    for (const c of cases) check(directConvWasm, c, 1);
  });
  it('applies fused activations', () => {
    const c: Case = { x: [1, 3, 15, 17], w: [6, 3, 3, 3], stride: [2, 2], padding: [1, 1], bias: true };
    check(directConvWasm, c, 1, 'hardswish');
    check(directConvWasm, c, 1, 'relu');
  });
  it('takes many input channels, and grouped convs through conv2d', () => {
    check(directConvWasm, { x: [1, 37, 9, 11], w: [10, 37, 3, 3], padding: [1, 1], bias: true }, 1);
    check(directConvWasm, { x: [2, 16, 12, 12], w: [6, 16, 5, 3], stride: [2, 2], padding: [2, 1] }, 1);
    const ctx = kernelContext();
    for (const [c, groups] of [
      [{ x: [2, 12, 10, 9], w: [9, 4, 3, 3], padding: [1, 1], bias: true }, 3],
      [{ x: [1, 8, 11, 11], w: [8, 2, 3, 3], stride: [2, 2], padding: [1, 1] }, 4],
      [{ x: [1, 6, 7, 8], w: [4, 3, 1, 1], stride: [2, 2] }, 2],
    ] as Array<[Case, number]>) {
      const x = randArray(c.x, r), w = randArray(c.w, r), b = c.bias ? randArray([c.w[0]], r) : null;
      expectClose(convNd(x, w, b, c.stride ?? [1, 1], c.padding ?? [0, 0], [1, 1], groups, ctx, { act: 'relu' }), reference(x, w, b, c, groups, 'relu'));
    }
  });
  it('leaves im2col + GEMM to hosts without WebAssembly SIMD and to strides above 2 along W', () => {
    for (const [c, groups, wasm] of [
      [{ x: [2, 6, 9, 10], w: [4, 3, 3, 3], padding: [1, 1], bias: true }, 2, false],
      [{ x: [1, 5, 9, 9], w: [7, 5, 3, 2], stride: [2, 2], dilation: [2, 1] }, 1, false],
      [{ x: [1, 4, 9, 14], w: [5, 4, 3, 3], stride: [1, 3], padding: [1, 1], bias: true }, 1, true],
    ] as Array<[Case, number, boolean]>) {
      const x = randArray(c.x, r), w = randArray(c.w, r), b = c.bias ? randArray([c.w[0]], r) : null;
      const y = convNd(x, w, b, c.stride ?? [1, 1], c.padding ?? [0, 0], c.dilation ?? [1, 1], groups, kernelContext({ wasm }), { act: 'hardswish' });
      expectClose(y, reference(x, w, b, c, groups, 'hardswish'));
    }
  });
  it('is what conv2d uses for a 3-channel stem', () => {
    const ctx = kernelContext();
    const x = randArray([1, 3, 20, 20], r), w = randArray([8, 3, 3, 3], r);
    const y = convNd(x, w, null, [2, 2], [1, 1], [1, 1], 1, ctx, { act: 'hardswish' })!;
    expectClose(y, reference(x, w, null, { x: [1, 3, 20, 20], w: [8, 3, 3, 3], stride: [2, 2], padding: [1, 1] }, 1, 'hardswish'));
  });
});

describe('conv with a per-channel input scale (squeeze-excitation folded in)', () => {
  const scaled = (x: NDArray, s: NDArray): NDArray => {
    const [N, C, H, W] = x.shape as [number, number, number, number];
    const X = x.toArray(), S = s.toArray();
    return NDArray.fromValues('float32', [N, C, H, W], X.map((v, i) => v * S[Math.floor(i / (H * W))]!));
  };
  const cases: Array<{ c: Case; groups: number; wasm: boolean }> = [
    { c: { x: [2, 12, 5, 7], w: [9, 12, 1, 1], bias: true }, groups: 1, wasm: true },
    { c: { x: [1, 8, 6, 6], w: [4, 4, 1, 1] }, groups: 2, wasm: true },
    { c: { x: [2, 12, 5, 7], w: [9, 12, 1, 1], bias: true }, groups: 1, wasm: false },
    { c: { x: [1, 6, 9, 9], w: [6, 1, 3, 3], padding: [1, 1] }, groups: 6, wasm: true },
    { c: { x: [1, 3, 9, 9], w: [5, 3, 3, 3], stride: [2, 2] }, groups: 1, wasm: true },
    { c: { x: [1, 3, 4, 4], w: [5, 3, 1, 1] }, groups: 1, wasm: true },
  ];
  it('equals conv(x · s) for 1×1 GEMM convs and the convs that scale a copy', () => {
    for (const { c, groups, wasm } of cases) {
      const x = randArray(c.x, r), w = randArray(c.w, r), b = c.bias ? randArray([c.w[0]], r) : null;
      const s = randArray([c.x[0], c.x[1], 1, 1], r);
      const y = convNd(x, w, b, c.stride ?? [1, 1], c.padding ?? [0, 0], [1, 1], groups, kernelContext({ wasm }), { inputScale: s, act: 'relu' });
      expectClose(y, reference(scaled(x, s), w, b, c, groups, 'relu'));
    }
  });
  it('declines a scale that is not [N, C, 1, 1]', () => {
    const x = randArray([1, 4, 3, 3], r), w = randArray([2, 4, 1, 1], r);
    expect(convNd(x, w, null, [1, 1], [0, 0], [1, 1], 1, kernelContext(), { inputScale: randArray([1, 4, 3, 1], r) })).toBeUndefined();
  });
});

describe('conv with a residual added to its output', () => {
  it('equals conv(x) + r on the GEMM (with and without activation), depthwise and direct paths', () => {
    for (const [c, groups, act, wasm] of [
      [{ x: [2, 12, 5, 7], w: [9, 12, 1, 1], bias: true }, 1, undefined, true],
      [{ x: [1, 12, 5, 7], w: [9, 12, 1, 1] }, 1, 'relu', true],
      [{ x: [1, 8, 6, 6], w: [4, 4, 1, 1], bias: true }, 2, undefined, true],
      [{ x: [1, 12, 5, 7], w: [9, 12, 1, 1], bias: true }, 1, undefined, false],
      [{ x: [1, 6, 9, 9], w: [6, 1, 3, 3], padding: [1, 1] }, 6, 'hardswish', true],
      [{ x: [1, 3, 9, 9], w: [5, 3, 3, 3], stride: [2, 2] }, 1, undefined, true],
    ] as Array<[Case, number, Activation | undefined, boolean]>) {
      const x = randArray(c.x, r), w = randArray(c.w, r), b = c.bias ? randArray([c.w[0]], r) : null;
      const ref = reference(x, w, b, c, groups, act);
      const res = randArray([...ref.shape], r);
      const y = convNd(x, w, b, c.stride ?? [1, 1], c.padding ?? [0, 0], [1, 1], groups, kernelContext({ wasm }), { act, residual: res });
      const R = res.toArray();
      expectClose(y, NDArray.fromValues('float32', [...ref.shape], ref.toArray().map((v, i) => v + R[i]!)));
    }
  });
  it('declines a residual of another shape', () => {
    const x = randArray([1, 4, 3, 3], r), w = randArray([2, 4, 1, 1], r);
    expect(convNd(x, w, null, [1, 1], [0, 0], [1, 1], 1, kernelContext(), { residual: randArray([1, 2, 3, 1], r) })).toBeUndefined();
  });
});

describe('max pool kernel', () => {
  const pool = defaultRegistry.get('aten.max_pool2d.default');
  it('matches the reference max pool (kernel 1–7, strides 1/2, padding, vertical dilation, NaN)', () => {
    for (let kw = 1; kw <= 7; kw++)
      for (const s of [1, 2]) {
        const kh = 1 + ((kw + s) % 5), dh = 1 + (kw % 2);
        const x = randArray([1 + (s - 1), 2 + (kw % 3), 9 + kh * dh, 7 + kw * 2 + s], r);
        if (kw === 3) (x.storage.data as Float32Array)[5] = NaN;
        const c: Case = { x: x.shape as Case['x'], w: [1, 1, kh, kw], stride: [s, s], padding: [kh >> 1, kw >> 1], dilation: [dh, 1] };
        const g = geometry(c);
        const [N, C] = c.x;
        const out = new Float32Array(N * C * g.OH * g.OW);
        expect(maxPoolWasm(kernelContext(), x, { ...g, C }, N, out), JSON.stringify(c)).toBe(true);
        const ref = pool.cpu([x, [kh, kw], [s, s], [kh >> 1, kw >> 1], [dh, 1], false], { op: pool.name }) as NDArray;
        const shape = [N, C, g.OH, g.OW];
        expectClose(new NDArray(new Storage('float32', out), shape, contiguousStrides(shape)), ref);
      }
  });
});
