// scaled_dot_product_attention's two fast paths against the reference kernel:
// small heads on the WebAssembly SIMD kernel (padded layouts, masks built per
// head or shared, rows with every key masked) and large heads on the GEMM.

import { describe, expect, it } from 'vitest';
import { NDArray } from '../../core/ndarray';
import { pointwiseWasm } from './wasm-pointwise';
import { stridesInOrderOf } from './attention';
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
    // GPT-2's layout: q, k, v are transposed views into one [B, L, 3·H·E] projection (read in place).
    for (const E of [8, 6]) {
      const qkv = randArray([2, 9, 3 * 3 * E], r, 'float32', 2);
      const view = (o: number) => qkv.withView([2, 3, 9, E], [9 * 9 * E, E, 9 * E, 1], o);
      const [q, k, v] = [view(0), view(3 * E), view(6 * E)];
      check([q, k, v]);
      check([q, k, v, null, 0, true]);
      check([q, k, v, randArray([2, 3, 9, 9], r, 'bool')]); // a different mask for every head
      check([q, k, v, randArray([9, 9], r)]); // additive, shared
    }
    // Separate buffers, S not a multiple of 4, broadcast k/v heads.
    check([randArray([1, 2, 5, 4], r), randArray([1, 2, 11, 4], r), randArray([1, 2, 11, 12], r)], { scale: 0.7 });
    check([randArray([2, 2, 3, 4], r), randArray([1, 2, 13, 4], r), randArray([2, 1, 13, 8], r), randArray([3, 13], r, 'bool'), 0, false]);
  });
  it('a query viewing a fused QKV projection gives a [B, L, H, E]-ordered output (a later transpose + reshape is a view)', () => {
    const qkv = randArray([2, 9, 3 * 3 * 8], r);
    const view = (o: number) => qkv.withView([2, 3, 9, 8], [9 * 72, 8, 72, 1], o);
    const out = check([view(0), view(24), view(48)]);
    expect([...out.strides]).toEqual([216, 8, 24, 1]);
    expect(stridesInOrderOf(randArray([1, 3, 4, 8], r).withView([2, 3, 4, 8], [0, 32, 8, 1], 0), [2, 3, 4, 8])).toEqual([96, 32, 8, 1]);
  });
  it('rows whose keys are all masked give zeros (as torch safe softmax does)', () => {
    const q = randArray([1, 2, 4, 8], r), k = randArray([1, 2, 6, 8], r), v = randArray([1, 2, 6, 4], r);
    const mask = NDArray.fromValues('bool', [4, 6], Array.from({ length: 24 }, (_, i) => i >= 6 && i % 3 !== 0));
    const out = check([q, k, v, mask]);
    expect(out.toArray().slice(0, 4)).toEqual([0, 0, 0, 0]);
    const neg = NDArray.fromValues('float32', [4, 6], Array.from({ length: 24 }, (_, i) => (i < 6 ? -Infinity : 0.5)));
    expect(check([q, k, v, neg]).toArray().slice(0, 4)).toEqual([0, 0, 0, 0]);
  });
  it('no keys or no queries', () => {
    check([randArray([1, 2, 3, 8], r), randArray([1, 2, 0, 8], r), randArray([1, 2, 0, 4], r)]);
    check([randArray([1, 2, 0, 8], r), randArray([1, 2, 5, 8], r), randArray([1, 2, 5, 4], r)]);
  });
  it('large heads (GEMM path) agree too', () => {
    const q = randArray([1, 2, 64, 32], r), k = randArray([1, 2, 70, 32], r), v = randArray([1, 2, 70, 24], r);
    check([q, k, v]);
    check([q, k, v, null, 0, true]);
    check([q, k, v, randArray([64, 70], r, 'bool')]);
  });
});
