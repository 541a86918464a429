import { describe, expect, it } from 'vitest';
import { IndexOutOfRangeError, OpArgumentError } from '../core/errors';
import { NDArray } from '../core/ndarray';
import { ShapeEnv, SymInt, ValueRange, symAdd } from '../symbolic';
import { loadCases, metaContext, recordDecomp, runCase } from '../../testing/movement-goldens';
import { meta } from './meta-utils';
import { movementOps, view, slice, expand, flatten, transpose, reshape, unbind, chunk, split, squeezeDim, narrow, select, splitWithSizes } from './movement';
import { shapeOps, cat, contiguous, stack, roll, sym_size } from './shape-ops';
import { bindArgs } from './schema';
import { type TensorMeta } from './types';

const byName = new Map([...movementOps, ...shapeOps].map((o) => [o.name, o]));

describe('movement goldens (PyTorch 2.13)', () => {
  const cases = loadCases().filter((c) => byName.has(c.op));
  it('covers every movement op', () => {
    const seen = new Set(cases.map((c) => c.op));
    for (const o of [...movementOps, ...shapeOps]) expect(seen.has(o.name), o.name).toBe(true);
  });
  for (const c of cases) it(c.name, () => runCase(byName.get(c.op)!, c));
});

function sym(hint: number, env = new ShapeEnv()): SymInt {
  return new SymInt(env.createBackedSymbol(hint, { range: new ValueRange(2, Infinity) }), env);
}

const call = (op: (typeof movementOps)[number], args: unknown[], kwargs: Record<string, unknown> = {}) => op.meta(bindArgs(op.parsed, args, kwargs), metaContext(op.name));

describe('views share storage', () => {
  it('slice/select/permute return views of the same storage', () => {
    const x = NDArray.fromValues('float32', [2, 3], [0, 1, 2, 3, 4, 5]);
    const s = slice.cpu(bindArgs(slice.parsed, [x, 1, 1]), { op: slice.name }) as NDArray;
    expect(s.storage).toBe(x.storage);
    expect(s.offset).toBe(1);
    s.storage.data[1] = 42;
    expect(x.toArray()[1]).toBe(42);
  });
});

describe('symbolic meta', () => {
  it('view infers -1 over a symbolic size', () => {
    const s0 = sym(5);
    const m = call(view, [meta('float32', [s0, 3, 4]), [-1, 4]]) as TensorMeta;
    expect(m.shape.map(String)).toEqual(['3*s0', '4']);
    expect(m.strides).toEqual([4, 1]);
  });
  it('view [s0, -1] resolves -1 without guards', () => {
    const s0 = sym(5);
    const m = call(view, [meta('float32', [s0, 3, 2]), [s0, -1]]) as TensorMeta;
    expect(m.shape.map(String)).toEqual(['s0', '6']);
    expect(s0.env.guards).toHaveLength(0);
    const f = call(flatten, [meta('float32', [s0, 3, 2]), 1]) as TensorMeta;
    expect(f.strides).toEqual([6, 1]);
    expect(s0.env.guards).toHaveLength(0);
  });
  it('slice [1:] of s0 + 1 has length s0', () => {
    const s0 = sym(5);
    const m = call(slice, [meta('float32', [symAdd(s0, 1), 2]), 0, 1]) as TensorMeta;
    expect(String(m.shape[0])).toBe('s0');
    expect(m.storageOffset).toBe(2);
    expect(String((call(slice, [meta('float32', [s0, 2]), 0, 1]) as TensorMeta).shape[0])).toBe('s0 - 1');
  });
  it('slice to an unbacked end within range has the unbacked length', () => {
    const env = new ShapeEnv();
    const u0 = new SymInt(env.createUnbackedSymbol(new ValueRange(0, 8)), env);
    const m = call(slice, [meta('float32', [8]), 0, null, u0]) as TensorMeta;
    expect(String(m.shape[0])).toBe('u0');
    expect(env.guards).toHaveLength(0);
  });
  it('slice with a step over a symbolic size', () => {
    const s0 = sym(6);
    const m = call(slice, [meta('float32', [s0, 6]), 1, 0, 2 ** 63, 2]) as TensorMeta;
    expect(m.shape.map(String)).toEqual(['s0', '3']);
    expect(m.strides).toEqual([6, 2]);
  });
  it('expand keeps symbolic sizes and uses stride 0', () => {
    const s0 = sym(5);
    const m = call(expand, [meta('float32', [s0, 1, 4]), [s0, 3, -1]]) as TensorMeta;
    expect(m.shape.map(String)).toEqual(['s0', '3', '4']);
    expect(m.strides.map(String)).toEqual(['4', '0', '1']);
  });
  it('flatten(1) keeps the batch symbol; flatten() multiplies', () => {
    const s0 = sym(5);
    expect((call(flatten, [meta('float32', [s0, 3, 2]), 1]) as TensorMeta).shape.map(String)).toEqual(['s0', '6']);
    expect((call(flatten, [meta('float32', [s0, 3, 2])]) as TensorMeta).shape.map(String)).toEqual(['6*s0']);
  });
  it('cat adds symbolic sizes; transpose swaps symbolic strides', () => {
    const s0 = sym(5);
    const x = meta('float32', [s0, 3]);
    expect(String((call(cat, [[x, x], 0]) as TensorMeta).shape[0])).toBe('2*s0');
    const tr = call(transpose, [x, 0, 1]) as TensorMeta;
    expect(tr.shape.map(String)).toEqual(['3', 's0']);
    expect(tr.strides.map(String)).toEqual(['1', '3']);
    const c = call(contiguous, [tr]) as TensorMeta;
    expect(c.strides.map(String)).toEqual(['s0', '1']);
  });
  it('narrow/select/split_with_sizes on symbolic dims', () => {
    const s0 = sym(5);
    const x = meta('float32', [s0, 4]);
    expect((call(narrow, [x, 1, 1, 2]) as TensorMeta).shape.map(String)).toEqual(['s0', '2']);
    const sel = call(select, [x, 0, -1]) as TensorMeta;
    expect(String(sel.storageOffset)).toBe('4*s0 - 4');
    const parts = call(splitWithSizes, [meta('float32', [s0, 4]), [1, 3], 1]) as TensorMeta[];
    expect(parts.map((p) => p.shape.map(String))).toEqual([
      ['s0', '1'],
      ['s0', '3'],
    ]);
    expect(call(sym_size, [x, 0])).toBe(s0);
  });
  it('view of a transposed symbolic tensor is rejected', () => {
    const s0 = sym(5);
    const tr = call(transpose, [meta('float32', [s0, 3]), 0, 1]) as TensorMeta;
    expect(() => call(view, [tr, [-1]])).toThrow(/Use \.reshape/);
  });
});

describe('errors', () => {
  it('view / expand / cat errors carry PyTorch text and type', () => {
    const x = meta('float32', [2, 3]);
    expect(() => call(view, [x, [4, 2]])).toThrow(OpArgumentError);
    expect(() => call(view, [x, [4, 2]])).toThrow("shape '[4, 2]' is invalid for input of size 6");
    expect(() => call(select, [x, 0, 2])).toThrow(IndexOutOfRangeError);
    expect(() => call(cat, [[x, meta('float32', [2, 4])], 0])).toThrow(
      'Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 for tensor number 1 in the list.',
    );
  });
});

describe('decompositions (mirroring torch 2.13 run_decompositions)', () => {
  it('transpose.int → permute; t/same dims → alias', () => {
    const r = recordDecomp(transpose, [meta('float32', [2, 3, 4]), -1, 0], movementOps);
    expect(r.calls).toEqual([['aten.permute.default', [r.inputs[0], [2, 1, 0]], {}]]);
    expect(recordDecomp(transpose, [meta('float32', [2, 3]), 1, 1]).calls.map((c) => c[0])).toEqual(['aten.alias.default']);
  });
  it('contiguous → clone(memory_format=torch.contiguous_format), no-op when contiguous', () => {
    const tr = call(transpose, [meta('float32', [2, 3]), 0, 1]) as TensorMeta;
    const r = recordDecomp(contiguous, [tr]);
    expect(r.calls).toEqual([['aten.clone.default', [r.inputs[0]], { memory_format: { enum: 'torch.contiguous_format' } }]]);
    const r2 = recordDecomp(contiguous, [meta('float32', [2, 3])]);
    expect(r2.calls).toEqual([]);
    expect(r2.result).toBe(r2.inputs[0]);
  });
  it('flatten.using_ints → view with the traced SymInt and ints', () => {
    const s0 = sym(4);
    const r = recordDecomp(flatten, [meta('float32', [s0, 3, 2]), 1]);
    expect(r.calls[0]![0]).toBe('aten.view.default');
    expect((r.calls[0]![1][1] as unknown[]).map(String)).toEqual(['s0', '6']);
  });
  it('reshape → view when viewable (sizes as given), else clone + view of the inferred shape', () => {
    const r = recordDecomp(reshape, [meta('float32', [6, 4]), [-1, 12]]);
    expect(r.calls).toEqual([['aten.view.default', [r.inputs[0], [-1, 12]], {}]]);
    const tr = call(transpose, [meta('float32', [2, 3, 4]), 0, 1]) as TensorMeta;
    const r2 = recordDecomp(reshape, [tr, [-1]]);
    expect(r2.calls.map((c) => c[0])).toEqual(['aten.clone.default', 'aten.view.default']);
    expect(r2.calls[1]![1][1]).toEqual([24]);
  });
  it('stack → cat + view, or unsqueeze + cat on the new last dim', () => {
    const x = meta('float32', [2, 3]);
    const r = recordDecomp(stack, [[x, x], 1], [...movementOps, ...shapeOps]);
    expect(r.calls.map((c) => [c[0], c[1].slice(1)])).toEqual([
      ['aten.cat.default', [1]],
      ['aten.view.default', [[2, 2, 3]]],
    ]);
    const r2 = recordDecomp(stack, [[x, x], -1], [...movementOps, ...shapeOps]);
    expect(r2.calls.map((c) => [c[0], c[1].slice(1)])).toEqual([
      ['aten.unsqueeze.default', [2]],
      ['aten.unsqueeze.default', [2]],
      ['aten.cat.default', [-1]],
    ]);
  });
  it('unbind → slices then squeeze.dims; chunk/split → split_with_sizes; squeeze.dim → squeeze.dims', () => {
    const x = meta('float32', [2, 3]);
    const r = recordDecomp(unbind, [x, -1]);
    expect(r.calls.map((c) => [c[0], c[1].slice(1)])).toEqual([
      ['aten.slice.Tensor', [1, 0, 1]],
      ['aten.slice.Tensor', [1, 1, 2]],
      ['aten.slice.Tensor', [1, 2, 3]],
      ['aten.squeeze.dims', [[1]]],
      ['aten.squeeze.dims', [[1]]],
      ['aten.squeeze.dims', [[1]]],
    ]);
    expect(recordDecomp(chunk, [meta('float32', [2, 4]), 3, -1]).calls.map((c) => c[1].slice(1))).toEqual([[[2, 2], -1]]);
    expect(recordDecomp(split, [meta('float32', [2, 4]), 3, 1]).calls.map((c) => c[1].slice(1))).toEqual([[[3, 1], 1]]);
    expect(recordDecomp(squeezeDim, [meta('float32', [2, 1]), -1]).calls).toEqual([['aten.squeeze.dims', [expect.anything(), [-1]], {}]]);
  });
  it('roll → arange + add + fmod + index_select', () => {
    const r = recordDecomp(roll, [meta('float32', [2, 3, 4]), [1], [2]]);
    expect(r.calls.map((c) => [c[0], c[1].slice(c[0] === 'aten.arange.start_step' ? 0 : 1)])).toEqual([
      ['aten.arange.start_step', [0, 4]],
      ['aten.add.Tensor', [3]],
      ['aten.fmod.Scalar', [4]],
      ['aten.index_select.default', [2, expect.anything()]],
    ]);
  });
});
