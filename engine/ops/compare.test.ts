// Comparison and logic ops beyond the goldens (which elementwise.test.ts runs):
// symbolic metas, scalar operands, NaN semantics, int64 bitwise beyond 32 bits.

import { describe, expect, it } from 'vitest';
import { NDArray } from '../core/ndarray';
import { ShapeEnv, SymInt } from '../symbolic';
import { compareOps } from './compare';
import { meta } from './meta-utils';
import { bindArgs } from './schema';
import { type OpDef, OpGroup, type TensorMeta } from './types';

const op = (name: string): OpDef => {
  const d = compareOps.find((o) => o.name === name);
  if (!d) throw new Error(name);
  return d;
};
const run = (name: string, args: unknown[]): number[] => {
  const d = op(name);
  return (d.cpu(bindArgs(d.parsed, args), { op: d.name }) as NDArray).toArray();
};

describe('comparisons', () => {
  it('produce bool over broadcast symbolic shapes', () => {
    const env = new ShapeEnv();
    const s0 = new SymInt(env.createBackedSymbol(4), env);
    for (const name of ['aten.eq.Tensor', 'aten.lt.Tensor', 'aten.logical_and.default', 'aten.ge.Scalar']) {
      const d = op(name);
      const other = name.endsWith('Scalar') ? 0.5 : meta('int64', [1, 3]);
      const out = d.meta(bindArgs(d.parsed, [meta('float32', [s0, 1]), other]), { op: d.name, env, newUnbacked: () => 0 }) as TensorMeta;
      expect(out.dtype, name).toBe('bool');
      expect(String(out.shape[0]), name).toBe('s0');
      expect(out.shape[1], name).toBe(name.endsWith('Scalar') ? 1 : 3);
    }
  });

  it('compare in the promoted dtype: int tensor vs float scalar', () => {
    const i = NDArray.fromValues('int64', [3], [0, 1, 2]);
    expect(run('aten.lt.Scalar', [i, 1.5])).toEqual([1, 1, 0]);
    expect(run('aten.eq.Scalar', [i, 1])).toEqual([0, 1, 0]);
  });

  it('NaN: unequal to everything, truthy for logical ops', () => {
    const x = NDArray.fromValues('float32', [2], [NaN, 0]);
    expect(run('aten.ne.Tensor', [x, x])).toEqual([1, 0]);
    expect(run('aten.eq.Tensor', [x, x])).toEqual([0, 1]);
    expect(run('aten.logical_not.default', [x])).toEqual([0, 1]);
    expect(run('aten.isnan.default', [x])).toEqual([1, 0]);
  });

  it('bitwise ops on int64 beyond 32 bits', () => {
    const a = NDArray.fromValues('int64', [2], [2 ** 40 + 7, -1]);
    const b = NDArray.fromValues('int64', [2], [2 ** 40 + 3, 2 ** 35]);
    expect(run('aten.bitwise_and.Tensor', [a, b])).toEqual([2 ** 40 + 3, 2 ** 35]);
    expect(run('aten.bitwise_or.Tensor', [a, b])).toEqual([2 ** 40 + 7, -1]);
    expect(run('aten.bitwise_not.default', [a])).toEqual([-(2 ** 40) - 8, 0]);
  });

  it('groups: comparisons are core; eq/ne and logical ops commute; __and__ decomposes', () => {
    expect(op('aten.eq.Tensor').groupSet.has(OpGroup.Commutative)).toBe(true);
    expect(op('aten.lt.Tensor').groupSet.has(OpGroup.Commutative)).toBe(false);
    expect(op('aten.gt.Scalar').groupSet.has(OpGroup.Core)).toBe(true);
    expect(op('aten.__and__.Tensor').groupSet.has(OpGroup.Core)).toBe(false);
    expect(op('aten.__or__.Tensor').decomp).toBeDefined();
  });
});
