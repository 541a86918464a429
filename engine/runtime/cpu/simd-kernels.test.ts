// The WebAssembly SIMD kernels of wasm-pointwise.ts through the fast kernels
// that use them, against the reference kernels: layer_norm (rows of a multiple
// of 4, ≥ 256 elements; with and without affine parameters, strided input, rows
// whose mean is far larger than their spread), same-shape + − × ÷ (≥ 256
// elements, odd lengths, offsets, infinities and NaN) and strided copies by rows.

import { describe, expect, it } from 'vitest';
import { NDArray } from '../../core/ndarray';
import { expectClose, randArray, randTransposed, runBoth, rng } from './test-helpers';
import { pointwiseWasm } from './wasm-pointwise';

const OP = 'aten.layer_norm.default';
const check = (args: unknown[]) => {
  const { fast, ref } = runBoth(OP, args);
  expectClose(fast, ref, { atol: 1e-5, rtol: 1e-4 });
};

describe('layer_norm fast paths', () => {
  const r = rng(33);
  it('SIMD rows: affine, weight only, none; strided input', () => {
    check([randArray([4, 16, 64], r, 'float32', 3), [64], randArray([64], r), randArray([64], r)]);
    check([randArray([20, 64], r), [64], randArray([64], r), null]);
    check([randArray([3, 8, 4, 8], r), [4, 8]]);
    check([randTransposed([64, 32], r), [32], randArray([32], r), randArray([32], r)]);
  });
  it('rows with a large mean and a small spread', () => {
    for (const shape of [[8, 64], [3, 6]]) {
      const base = randArray(shape, r, 'float32', 0.01);
      const shifted = NDArray.fromValues('float32', shape, base.toArray().map((v) => v + 1000));
      check([shifted, [shape[1]!], null, null, 1e-5]);
    }
  });
});

describe('same-shape binary ops', () => {
  const r = rng(8);
  it('add, sub, mul, div of ≥ 256 elements equal the reference (values exactly)', () => {
    for (const op of ['aten.add.Tensor', 'aten.sub.Tensor', 'aten.mul.Tensor', 'aten.div.Tensor']) {
      for (const shape of [[3, 97], [1, 16, 64]]) {
        const a = randArray(shape, r, 'float32', 4), b = randArray(shape, r);
        const { fast, ref } = runBoth(op, [a, b]);
        expect((fast as NDArray).toArray()).toEqual((ref as NDArray).toArray());
      }
    }
  });
  it('one contiguous and one strided operand (a residual add of a transposed projection): values as the reference, layout of the first operand', () => {
    const src = randArray([2, 10, 64], r);
    const proj = randArray([10, 2, 64], r).withView([2, 10, 64], [64, 128, 1], 0);
    for (const [op, args] of [['aten.add.Tensor', [src, proj]], ['aten.mul.Tensor', [proj, src]], ['aten.sub.Tensor', [proj, proj]]] as const) {
      const { fast, ref } = runBoth(op, [...args]);
      expect((fast as NDArray).toArray()).toEqual((ref as NDArray).toArray());
      // TensorIterator's rule: the first operand's layout decides (the reference kernel always writes contiguous).
      expect([...(fast as NDArray).strides]).toEqual(op === 'aten.add.Tensor' ? [640, 64, 1] : [64, 128, 1]);
    }
  });
  it.skipIf(!pointwiseWasm())('the SIMD kernel at offsets, with infinities, NaN and division by zero', () => {
    const w = pointwiseWasm()!;
    const n = 301;
    const a = Float32Array.from({ length: n + 3 }, (_, i) => (i % 7 === 0 ? 0 : r() * 5));
    const b = Float32Array.from({ length: n + 5 }, (_, i) => (i % 11 === 0 ? 0 : i % 13 === 0 ? Infinity : i % 17 === 0 ? NaN : r()));
    for (const kind of ['add', 'sub', 'mul', 'div'] as const) {
      const out = new Float32Array(n + 2);
      w.binary(kind, a, 3, b, 5, out, 2, n);
      for (let i = 0; i < n; i++) {
        const x = a[3 + i]!, y = b[5 + i]!;
        const want = Math.fround(kind === 'add' ? x + y : kind === 'sub' ? x - y : kind === 'mul' ? x * y : x / y);
        expect(Object.is(out[2 + i], want) || (Number.isNaN(want) && Number.isNaN(out[2 + i]!)), `${kind} at ${i}`).toBe(true);
      }
    }
  });
});

describe('strided copies by rows (contiguous, reshape)', () => {
  const r = rng(12);
  it('permuted and sliced views of ≥ 256 elements copy exactly', () => {
    const base = randArray([3, 10, 2, 64], r);
    const cases: NDArray[] = [
      base.withView([10, 2, 3, 64], [128, 64, 1280, 1], 0), // the encoder layer's q/k/v split
      randArray([7, 9, 13], r).withView([9, 7, 13], [13, 117, 1], 0), // rows of 13: a scalar tail
      randArray([8, 50], r).withView([8, 40], [50, 1], 5), // sliced rows, an offset
      randArray([2, 3, 8, 16], r).withView([2, 8, 3, 16], [384, 16, 128, 1], 0),
    ];
    for (const x of cases) {
      const { fast, ref } = runBoth('aten.contiguous.default', [x]);
      expect((fast as NDArray).isContiguous()).toBe(true);
      expect((fast as NDArray).toArray()).toEqual((ref as NDArray).toArray());
    }
    const { fast, ref } = runBoth('aten.reshape.default', [cases[0]!, [20, 192]]);
    expect((fast as NDArray).toArray()).toEqual((ref as NDArray).toArray());
  });
});
