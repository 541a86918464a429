import { describe, expect, it } from 'vitest';
import { OpArgumentError } from '../core/errors';
import { NDArray } from '../core/ndarray';
import { PyFloat } from '../core/scalar';
import { ShapeEnv, SymInt, ValueRange } from '../symbolic';
import { loadCases, metaContext, recordDecomp, runCase } from '../../testing/movement-goldens';
import {
  factoryOps,
  arange,
  arangeStartStep,
  full,
  zeros,
  ones_like,
  empty_like,
  new_zeros,
  linspace,
  randint,
  rand,
  manualSeed,
  zeros_like,
} from './factory';
import { meta } from './meta-utils';
import { transpose } from './movement';
import { bindArgs } from './schema';
import { type OpDef, type TensorMeta } from './types';

const byName = new Map(factoryOps.map((o) => [o.name, o]));

describe('factory goldens (PyTorch 2.13)', () => {
  const cases = loadCases().filter((c) => byName.has(c.op));
  it('covers every factory op', () => {
    const seen = new Set(cases.map((c) => c.op));
    for (const o of factoryOps) expect(seen.has(o.name), o.name).toBe(true);
  });
  for (const c of cases) it(c.name, () => runCase(byName.get(c.op)!, c));
});

const call = (op: OpDef, args: unknown[], kwargs: Record<string, unknown> = {}) => op.meta(bindArgs(op.parsed, args, kwargs), metaContext(op.name));
const run = (op: OpDef, args: unknown[], kwargs: Record<string, unknown> = {}) => op.cpu(bindArgs(op.parsed, args, kwargs), { op: op.name }) as NDArray;

describe('dtype rules and symbolic sizes', () => {
  it('full infers bool / int64 / float32 from the fill value', () => {
    expect((call(full, [[2], true]) as TensorMeta).dtype).toBe('bool');
    expect((call(full, [[2], 3]) as TensorMeta).dtype).toBe('int64');
    expect((call(full, [[2], new PyFloat(3)]) as TensorMeta).dtype).toBe('float32');
  });
  it('arange over a symbolic end has that length', () => {
    const env = new ShapeEnv();
    const s0 = new SymInt(env.createBackedSymbol(6, { range: new ValueRange(2, Infinity) }), env);
    const m = call(arangeStartStep, [0, s0]) as TensorMeta;
    expect(m.dtype).toBe('int64');
    expect(String(m.shape[0])).toBe('s0');
    expect(String((call(zeros, [[s0, 2]]) as TensorMeta).shape[0])).toBe('s0');
  });
  it('*_like preserves a permuted layout', () => {
    const tr = call(transpose, [meta('float32', [2, 3]), 0, 1]) as TensorMeta;
    expect((call(zeros_like, [tr]) as TensorMeta).strides).toEqual([1, 3]);
    expect(run(zeros_like, [NDArray.zeros('float32', [2, 3]).withView([3, 2], [1, 3], 0)]).strides).toEqual([1, 3]);
  });
  it('randint / rand are seeded and in range', () => {
    manualSeed(1);
    const a = run(randint, [10, [50]]);
    expect(a.dtype).toBe('int64');
    expect(a.toArray().every((v) => Number.isInteger(v) && v >= 0 && v < 10)).toBe(true);
    manualSeed(1);
    expect(run(randint, [10, [50]]).toArray()).toEqual(a.toArray());
    expect(run(rand, [[100]]).toArray().every((v) => v >= 0 && v < 1)).toBe(true);
  });
  it('errors match PyTorch', () => {
    expect(() => run(arange, [-1])).toThrow(OpArgumentError);
    expect(() => run(arange, [-1])).toThrow('upper bound and lower bound inconsistent with step sign');
    expect(() => call(linspace, [0, 1, -1])).toThrow('number of steps must be non-negative');
  });
});

describe('decompositions', () => {
  it('zeros → full(size, 0, dtype, layout, device, pin_memory)', () => {
    const r = recordDecomp(zeros, [[2, 3]]);
    expect(r.calls).toEqual([
      ['aten.full.default', [[2, 3], 0], { dtype: 'float32', layout: { enum: 'torch.strided' }, device: { enum: "device(type='cpu')" }, pin_memory: false }],
    ]);
  });
  it('arange → arange.start_step(0, end)', () => {
    const r = recordDecomp(arange, [5]);
    expect(r.calls[0]![0]).toBe('aten.arange.start_step');
    expect(r.calls[0]![1]).toEqual([0, 5]);
    expect(r.calls[0]![2]).toMatchObject({ dtype: null, layout: { enum: 'torch.strided' }, pin_memory: false });
  });
  it('ones_like → full_like(memory_format=preserve_format); new_zeros → full with self dtype; empty_like → empty_permuted', () => {
    const r = recordDecomp(ones_like, [meta('float32', [2, 3])], [], { dtype: 'int64' });
    expect(r.calls[0]![0]).toBe('aten.full_like.default');
    expect(r.calls[0]![1][1]).toBe(1);
    expect(r.calls[0]![2]).toMatchObject({ dtype: 'int64', memory_format: { enum: 'torch.preserve_format' } });
    const n = recordDecomp(new_zeros, [meta('int32', [1]), [2]]);
    expect(n.calls[0]!.slice(0, 2)).toEqual(['aten.full.default', [[2], 0]]);
    expect(n.calls[0]![2]).toMatchObject({ dtype: 'int32' });
    const tr = call(transpose, [meta('float32', [2, 3, 4]), 0, 2]) as TensorMeta;
    const e = recordDecomp(empty_like, [tr]);
    expect(e.calls[0]!.slice(0, 2)).toEqual(['aten.empty_permuted.default', [[4, 3, 2], [2, 1, 0]]]);
  });
  it('linspace → arange/lt/_to_copy/mul/add/sub/mul/sub/where', () => {
    const r = recordDecomp(linspace, [0, 1, 5]);
    expect(r.calls.map((c) => c[0])).toEqual([
      'aten.arange.start_step',
      'aten.lt.Scalar',
      'aten._to_copy.default',
      'aten.mul.Tensor',
      'aten.add.Tensor',
      'aten.sub.Tensor',
      'aten._to_copy.default',
      'aten.mul.Tensor',
      'aten.sub.Tensor',
      'aten.where.self',
    ]);
    expect(r.calls[3]![1][1]).toBe(0.25);
    expect(r.calls[5]![1][0]).toBe(4);
    expect(recordDecomp(linspace, [0, 1, 1]).calls[0]!.slice(0, 2)).toEqual(['aten.full.default', [[1], 0]]);
  });
});
