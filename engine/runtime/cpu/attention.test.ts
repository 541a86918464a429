// scaled_dot_product_attention's two fast paths against the reference kernel:
// small heads on the WebAssembly SIMD kernel (padded layouts, masks built per
// head or shared, rows with every key masked) and large heads on the GEMM.

import { describe, expect, it } from 'vitest';
import { NDArray } from '../../core/ndarray';
import { pointwiseWasm } from './wasm-pointwise';
import { expectClose, randArray, runBoth, rng } from './test-helpers';

const OP = 'aten.scaled_dot_product_attention.default';
const check = (args: unknown[], kwargs: Record<string, unknown> = {}) => {
  const { fast, ref } = runBoth(OP, args, kwargs);
  expectClose(fast, ref, { atol: 2e-6, rtol: 1e-4 });
  return fast as NDArray;
};

describe('scaled_dot_product_attention fast paths', () => {
  const r = rng(21);
  it.skipIf(!pointwiseWasm())('small heads (SIMD kernel): odd sizes, strided q/k/v, masks per head and shared, causal', () => {
    // GPT-2's layout: q, k, v are transposed views into one [B, L, 3·H·E] projection.
    const qkv = randArray([2, 9, 3 * 3 * 6], r, 'float32', 2);
    const view = (o: number) => qkv.withView([2, 3, 9, 6], [9 * 54, 6, 54, 1], o);
    const [q, k, v] = [view(0), view(18), view(36)];
    check([q, k, v]);
    check([q, k, v, null, 0, true]);
    check([q, k, v, randArray([2, 3, 9, 9], r, 'bool')]); // a different mask for every head
    check([q, k, v, randArray([9, 9], r)]); // additive, shared
    check([randArray([1, 2, 5, 3], r), randArray([1, 2, 11, 3], r), randArray([1, 2, 11, 7], r)], { scale: 0.7 });
  });
  it('rows whose keys are all masked give zeros (as torch safe softmax does)', () => {
    const q = randArray([1, 2, 4, 8], r), k = randArray([1, 2, 6, 8], r), v = randArray([1, 2, 6, 4], r);
    const mask = NDArray.fromValues('bool', [4, 6], Array.from({ length: 24 }, (_, i) => i >= 6 && i % 3 !== 0));
    const out = check([q, k, v, mask]);
    expect(out.toArray().slice(0, 4)).toEqual([0, 0, 0, 0]);
    const neg = NDArray.fromValues('float32', [4, 6], Array.from({ length: 24 }, (_, i) => (i < 6 ? -Infinity : 0.5)));
    expect(check([q, k, v, neg]).toArray().slice(0, 4)).toEqual([0, 0, 0, 0]);
  });
  it('large heads (GEMM path) agree too', () => {
    const q = randArray([1, 2, 64, 32], r), k = randArray([1, 2, 70, 32], r), v = randArray([1, 2, 70, 24], r);
    check([q, k, v]);
    check([q, k, v, null, 0, true]);
    check([q, k, v, randArray([64, 70], r, 'bool')]);
  });
});
