// Padding: symbolic metas and the decompositions torch 2.13's run_decompositions()
// prints (the PyTorch goldens are in ops2-goldens.test.ts).

import { describe, expect, it } from 'vitest';
import { PyFloat } from '../core/scalar';
import { ShapeEnv, SymInt, ValueRange } from '../symbolic';
import { recordDecomp } from '../../testing/movement-goldens';
import { defaultRegistry } from './register-all';
import { meta } from './meta-utils';
import { constantPadNd, pad } from './padding';
import { bindArgs } from './schema';
import { type TensorMeta } from './types';

const known = defaultRegistry.all();
const fmtCall = ([name, args, kw]: [string, unknown[], Record<string, unknown>]): string => {
  const f = (v: unknown): string =>
    v === null ? 'None' : Array.isArray(v) ? `[${v.map(f).join(', ')}]` : v instanceof PyFloat ? v.toString() : typeof v === 'object' && 'traced' in v ? `%${(v as { traced: number }).traced}` : typeof v === 'object' && 'enum' in v ? (v as { enum: string }).enum : String(v);
  return `${name}(${[...args.map(f), ...Object.entries(kw).map(([k, v]) => `${k}=${f(v)}`)].join(', ')})`;
};

describe('pad decompositions (torch 2.13 run_decompositions)', () => {
  const x = meta('float32', [2, 3, 4]);
  const dec = (args: unknown[]) => recordDecomp(pad, args, known).calls.map(fmtCall);

  it('constant → constant_pad_nd with a float value', () => {
    expect(dec([x, [1, 2], 'constant', 1.5])).toEqual(['aten.constant_pad_nd.default(%0, [1, 2], 1.5)']);
    expect(dec([x, [-1, 2, 1, 0]])).toEqual(['aten.constant_pad_nd.default(%0, [-1, 2, 1, 0], 0.0)']);
    expect(constantPadNd.decomp).toBeUndefined();
  });

  it('reflect → arange/abs/sub/abs/sub/index per dim, outermost first', () => {
    const kw = "layout=torch.strided, device=device(type='cpu'), pin_memory=false";
    expect(dec([x, [1, 1], 'reflect'])).toEqual([
      `aten.arange.start_step(-1, 5, ${kw})`,
      'aten.abs.default(%1)',
      'aten.sub.Tensor(3, %2)',
      'aten.abs.default(%3)',
      'aten.sub.Tensor(3, %4)',
      'aten.index.Tensor(%0, [None, None, %5])',
    ]);
    const y = meta('float32', [1, 2, 3, 4]);
    const calls = recordDecomp(pad, [y, [1, 1, 1, 1], 'reflect'], known).calls.map(fmtCall);
    expect(calls[0]).toBe(`aten.arange.start_step(-1, 4, ${kw})`);
    expect(calls[2]).toBe('aten.sub.Tensor(2, %2)');
    expect(calls[5]).toBe('aten.index.Tensor(%0, [None, None, %5, None])');
    expect(calls[6]).toBe(`aten.arange.start_step(-1, 5, ${kw})`);
    expect(calls[11]).toBe('aten.index.Tensor(%6, [None, None, None, %11])');
  });

  it('replicate → arange/clamp/index', () => {
    const kw = "layout=torch.strided, device=device(type='cpu'), pin_memory=false";
    expect(dec([x, [1, 2], 'replicate'])).toEqual([`aten.arange.start_step(-1, 6, ${kw})`, 'aten.clamp.default(%1, 0, 3)', 'aten.index.Tensor(%0, [None, None, %2])']);
  });

  it('circular is reported as not decomposable yet', () => {
    expect(() => dec([x, [1, 1], 'circular'])).toThrow(/slice_scatter/);
  });
});

describe('pad metas over symbolic sizes', () => {
  it('adds the pads to a symbolic dim', () => {
    const env = new ShapeEnv();
    const s0 = new SymInt(env.createBackedSymbol(5, { range: new ValueRange(2, Infinity) }), env);
    const ctx = { op: 'aten.pad.default', env, newUnbacked: () => 0 };
    const m = pad.meta(bindArgs(pad.parsed, [meta('float32', [2, s0]), [1, 2], 'replicate']), ctx) as TensorMeta;
    expect(m.shape.map(String)).toEqual(['2', 's0 + 3']);
    const c = constantPadNd.meta(bindArgs(constantPadNd.parsed, [meta('float32', [s0, 3]), [0, 0, 1, 1]]), ctx) as TensorMeta;
    expect(c.shape.map(String)).toEqual(['s0 + 2', '3']);
  });
});
