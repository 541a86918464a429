// torch.diff against goldens from the reference PyTorch (scripts/goldens/diff.py),
// and its decomposition against what torch's run_decompositions() prints.

import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NDArray } from '../core/ndarray';
import { type DType } from '../core/dtype';
import { Module } from '../trace/module';
import { Tensor } from '../trace/tensor';
import { callOp } from '../trace/dispatch';
import { exportModule } from '../export/export';
import { diff } from './diff';

interface T {
  dtype: DType;
  shape: number[];
  data: number[];
}
const cases = JSON.parse(readFileSync(join(__dirname, '../test/data/ops/diff.json'), 'utf8')) as Array<{ x: T; n: number; dim: number; prepend: T | null; append: T | null; out: T }>;
const nd = (t: T) => NDArray.fromValues(t.dtype, t.shape, t.data);

describe('aten.diff', () => {
  test.each(cases.map((c, i) => [i, c] as const))('golden %i', (_, c) => {
    const out = diff.cpu([nd(c.x), c.n, c.dim, c.prepend && nd(c.prepend), c.append && nd(c.append)], { op: diff.name }) as NDArray;
    expect(out.dtype).toBe(c.out.dtype);
    expect([...out.shape]).toEqual(c.out.shape);
    out.toArray().forEach((v, i) => expect(v).toBeCloseTo(Number(c.out.data[i]), 5));
  });

  test('decomposes to slices and sub like torch', () => {
    class M extends Module {
      forward(x: Tensor) {
        return callOp('aten.diff.default', [x], { dim: -1 });
      }
    }
    const ep = exportModule(new M(), [Tensor.fromNDArray(NDArray.zeros('float32', [2, 5]))]);
    expect(ep.opSequence()).toEqual(['aten.diff.default']);
    const dec = ep.runDecompositions();
    expect(dec.opSequence()).toEqual(['aten.slice.Tensor', 'aten.slice.Tensor', 'aten.sub.Tensor']);
    expect(dec.code).toContain('torch.ops.aten.slice.Tensor(x, -1, 0, 4)');
    expect(dec.code).toContain('torch.ops.aten.slice.Tensor(x, -1, 1, 5)');
  });
});
