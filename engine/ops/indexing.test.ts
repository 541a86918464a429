import { describe, expect, it } from 'vitest';
import { IndexOutOfRangeError, OpArgumentError, RuntimeAssertionError } from '../core/errors';
import { NDArray } from '../core/ndarray';
import { ShapeEnv, SymInt, ValueRange } from '../symbolic';
import { loadCases, metaContext, recordDecomp, runCase } from '../../testing/movement-goldens';
import { indexingOps, index, nonzero, item, _local_scalar_dense, _assert_scalar, tril, index_select, embedding } from './indexing';
import { meta } from './meta-utils';
import { factoryOps } from './factory';
import { movementOps } from './movement';
import { shapeOps } from './shape-ops';
import { bindArgs } from './schema';
import { type OpDef, type TensorMeta } from './types';

const byName = new Map(indexingOps.map((o) => [o.name, o]));

describe('indexing goldens (PyTorch 2.13)', () => {
  const cases = loadCases().filter((c) => byName.has(c.op));
  it('covers every indexing op', () => {
    const seen = new Set(cases.map((c) => c.op));
    for (const o of indexingOps) expect(seen.has(o.name), o.name).toBe(true);
  });
  for (const c of cases) it(c.name, () => runCase(byName.get(c.op)!, c));
});

const call = (op: OpDef, args: unknown[], ctx = metaContext(op.name)) => op.meta(bindArgs(op.parsed, args), ctx);

describe('data-dependent sizes', () => {
  it('nonzero makes an unbacked row count ranged [0, numel]', () => {
    const ctx = metaContext('aten.nonzero.default');
    const m = call(nonzero, [meta('float32', [2, 3, 4])], ctx) as TensorMeta;
    expect(m.dtype).toBe('int64');
    expect(String(m.shape[0])).toBe('u0');
    expect(m.shape[1]).toBe(3);
    expect(ctx.env.info('u0').range.toString()).toBe('VR[0, 24]');
  });
  it('nonzero counts NaN (and -0 is zero), as torch 2.13 does', () => {
    // torch.nonzero(torch.tensor([nan, 0., 1., -0.])).tolist() == [[0], [2]]; a 0-d NaN gives shape [1, 0].
    const x = NDArray.fromValues('float32', [4], [NaN, 0, 1, -0]);
    const out = nonzero.cpu([x], { op: nonzero.name }) as NDArray;
    expect(out.shape).toEqual([2, 1]);
    expect(out.toArray()).toEqual([0, 2]);
    const scalar = nonzero.cpu([NDArray.fromValues('float32', [], [NaN])], { op: nonzero.name }) as NDArray;
    expect(scalar.shape).toEqual([1, 0]);
  });
  it('boolean-mask indexing gives [u0, rest]', () => {
    const ctx = metaContext('aten.index.Tensor');
    const m = call(index, [meta('float32', [2, 3, 4]), [meta('bool', [2, 3])]], ctx) as TensorMeta;
    expect(m.shape.map(String)).toEqual(['u0', '4']);
    expect(ctx.env.info('u0').range.toString()).toBe('VR[0, 6]');
  });
  it('item / _local_scalar_dense return a fresh unbacked symbol', () => {
    const ctx = metaContext('aten.item.default');
    const u = call(item, [meta('int64', [])], ctx);
    expect(u).toBeInstanceOf(SymInt);
    expect(String(u)).toBe('u0');
    expect(String(call(_local_scalar_dense, [meta('float32', [1])], ctx))).toBe('u1');
    expect(() => call(item, [meta('float32', [2])])).toThrow('a Tensor with 2 elements cannot be converted to Scalar');
  });
  it('index with symbolic batch keeps the symbol in place', () => {
    const env = new ShapeEnv();
    const s0 = new SymInt(env.createBackedSymbol(5, { range: new ValueRange(2, Infinity) }), env);
    const m = call(index, [meta('float32', [s0, 3, 4]), [null, meta('int64', [7])]]) as TensorMeta;
    expect(m.shape.map(String)).toEqual(['s0', '7', '4']);
    const e = call(embedding, [meta('float32', [10, 3]), meta('int64', [s0, 2])]) as TensorMeta;
    expect(e.shape.map(String)).toEqual(['s0', '2', '3']);
    const sel = call(index_select, [meta('float32', [s0, 3]), 0, meta('int64', [s0])]) as TensorMeta;
    expect(sel.shape.map(String)).toEqual(['s0', '3']);
  });
});

describe('errors and asserts', () => {
  it('_assert_scalar throws RuntimeAssertionError with the message when false', () => {
    expect(() => _assert_scalar.cpu([false, 'Runtime assertion failed for expression u0 >= 0'], { op: '' })).toThrow(RuntimeAssertionError);
    expect(_assert_scalar.cpu([true, 'x'], { op: '' })).toBeUndefined();
    expect(_assert_scalar.groupSet.has('side_effect' as never)).toBe(true);
  });
  it('index errors match PyTorch', () => {
    const x = NDArray.zeros('float32', [2, 3]);
    expect(() => index.cpu([x, [NDArray.fromValues('int64', [1], [2])]], { op: index.name })).toThrow(IndexOutOfRangeError);
    expect(() => call(index, [meta('float32', [2, 3]), [meta('int64', [2]), meta('int64', [3])]])).toThrow(
      'shape mismatch: indexing tensors could not be broadcast together with shapes [2], [3]',
    );
    expect(() => call(tril, [meta('float32', [3])])).toThrow(OpArgumentError);
  });
});

describe('decompositions', () => {
  it('item → _local_scalar_dense', () => {
    const r = recordDecomp(item, [meta('int64', [])]);
    expect(r.calls).toEqual([['aten._local_scalar_dense.default', [r.inputs[0]], {}]]);
  });
  it('tril → arange/unsqueeze/sub/le/scalar_tensor/where', () => {
    const r = recordDecomp(tril, [meta('float32', [2, 3, 4]), 1], [...movementOps, ...shapeOps, ...factoryOps]);
    expect(r.calls.map((c) => c[0])).toEqual([
      'aten.arange.start_step',
      'aten.unsqueeze.default',
      'aten.arange.start_step',
      'aten.unsqueeze.default',
      'aten.sub.Tensor',
      'aten.le.Scalar',
      'aten.scalar_tensor.default',
      'aten.where.self',
    ]);
    expect(r.calls[0]![1]).toEqual([0, 4]);
    expect(r.calls[2]![1]).toEqual([0, 3]);
    expect(r.calls[5]![1][1]).toBe(1);
    expect(r.calls[6]![2]).toMatchObject({ dtype: 'float32' });
  });
});
