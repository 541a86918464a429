// layer_norm on the WebAssembly SIMD kernel (rows of a multiple of 4, ≥ 256
// elements) and on the scalar path, against the reference kernel: with and
// without affine parameters, strided input, and rows whose mean is far larger
// than their spread (the shifted moments must not cancel).

import { describe, it } from 'vitest';
import { NDArray } from '../../core/ndarray';
import { expectClose, randArray, randTransposed, runBoth, rng } from './test-helpers';

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
