// Activation ops beyond the goldens (which elementwise.test.ts runs for every
// family): decompositions node for node as PyTorch's run_decompositions() emits
// them, symbolic metas, and error texts.

import { describe, expect, it } from 'vitest';
import { OpArgumentError, UnsupportedOperatorError } from '../core/errors';
import { NDArray } from '../core/ndarray';
import { ShapeEnv, SymInt } from '../symbolic';
import { activationOps } from './activation';
import { meta } from './meta-utils';
import { bindArgs } from './schema';
import { type DecompContext, type OpDef, OpGroup, type TensorMeta } from './types';

const op = (name: string): OpDef => {
  const d = activationOps.find((o) => o.name === name);
  if (!d) throw new Error(name);
  return d;
};

/** Run a decomposition, recording `op(args…)` lines; each result is named `%n`. */
function decompose(name: string, args: unknown[], kwargs: Record<string, unknown> = {}): string[] {
  const lines: string[] = [];
  const ctx: DecompContext = {
    call(target, a, kw = {}) {
      const kws = Object.entries(kw).map(([k, v]) => `${k}=${String(v)}`);
      lines.push(`${target}(${[...a.map((x) => (x === null ? 'None' : String(x))), ...kws].join(', ')})`);
      return `%${lines.length - 1}`;
    },
    meta: () => meta('float32', [2, 3]),
  };
  const d = op(name);
  d.decomp!(bindArgs(d.parsed, args, kwargs), ctx);
  return lines;
}

describe('activation decompositions', () => {
  it('silu → sigmoid, mul', () => {
    expect(decompose('aten.silu.default', ['x'])).toEqual(['aten.sigmoid.default(x)', 'aten.mul.Tensor(x, %0)']);
  });

  it('hardswish → add, clamp, clamp, mul, div', () => {
    expect(decompose('aten.hardswish.default', ['x'])).toEqual([
      'aten.add.Tensor(x, 3)',
      'aten.clamp.default(%0, 0)',
      'aten.clamp.default(%1, None, 6)',
      'aten.mul.Tensor(x, %2)',
      'aten.div.Tensor(%3, 6)',
    ]);
  });

  it('hardsigmoid → add, clamp, clamp, div', () => {
    expect(decompose('aten.hardsigmoid.default', ['x'])).toEqual([
      'aten.add.Tensor(x, 3)',
      'aten.clamp.default(%0, 0)',
      'aten.clamp.default(%1, None, 6)',
      'aten.div.Tensor(%2, 6)',
    ]);
  });

  it('softplus with beta 1 skips the scaling; other betas scale and unscale', () => {
    expect(decompose('aten.softplus.default', ['x'])).toEqual([
      'aten.exp.default(x)',
      'aten.log1p.default(%0)',
      'aten.gt.Scalar(x, 20)',
      'aten.where.self(%2, x, %1)',
    ]);
    expect(decompose('aten.softplus.default', ['x', 2, 10])).toEqual([
      'aten.mul.Tensor(x, 2)',
      'aten.exp.default(%0)',
      'aten.log1p.default(%1)',
      'aten.div.Tensor(%2, 2)',
      'aten.gt.Scalar(%0, 10)',
      'aten.where.self(%4, x, %3)',
    ]);
  });

  it('core activations keep no decomposition; in-place ones name their functional op', () => {
    for (const name of ['aten.relu.default', 'aten.gelu.default', 'aten.hardtanh.default', 'aten.leaky_relu.default', 'aten.elu.default', 'aten.sigmoid.default', 'aten.tanh.default']) {
      expect(op(name).groupSet.has(OpGroup.Core), name).toBe(true);
      expect(op(name).decomp, name).toBeUndefined();
    }
    expect(op('aten.relu_.default').functional).toBe('aten.relu.default');
    expect(op('aten.hardswish_.default').functional).toBe('aten.hardswish.default');
    expect(op('aten.relu_.default').groupSet.has(OpGroup.Inplace)).toBe(true);
  });
});

describe('activation metas and errors', () => {
  it('keeps symbolic shapes', () => {
    const env = new ShapeEnv();
    const s0 = new SymInt(env.createBackedSymbol(5), env);
    for (const o of activationOps) {
      const out = o.meta(bindArgs(o.parsed, [meta('float16', [s0, 2])]), { op: o.name, env, newUnbacked: () => 0 }) as TensorMeta;
      expect(out.dtype, o.name).toBe('float16');
      expect(String(out.shape[0]), o.name).toBe('s0');
    }
  });

  it('rejects a bad gelu approximation and bool hardtanh (meta and CPU)', () => {
    const g = op('aten.gelu.default');
    const x = meta('float32', [2]);
    expect(() => g.meta(bindArgs(g.parsed, [x], { approximate: 'fast' }), { op: g.name, env: undefined, newUnbacked: () => 0 })).toThrow(
      new OpArgumentError(g.name, 'approximate argument must be either none or tanh.'),
    );
    const h = op('aten.hardtanh.default');
    expect(() => h.cpu(bindArgs(h.parsed, [NDArray.zeros('bool', [2])]), { op: h.name })).toThrow('Bool inputs not supported for hardtanh');
  });

  it('float-only kernels raise NotImplementedError for ints, like PyTorch', () => {
    const s = op('aten.silu.default');
    expect(() => s.cpu([NDArray.zeros('int64', [2])], { op: s.name })).toThrow(UnsupportedOperatorError);
    expect(() => s.cpu([NDArray.zeros('int64', [2])], { op: s.name })).toThrow(`"silu_cpu" not implemented for 'Long'`);
  });

  it('gelu tanh and erf forms agree with their formulas', () => {
    const g = op('aten.gelu.default');
    const x = NDArray.fromValues('float64', [3], [-1, 0.5, 2]);
    const exact = (g.cpu(bindArgs(g.parsed, [x]), { op: g.name }) as NDArray).toArray();
    expect(exact[0]).toBeCloseTo(-0.15865525393145707, 14);
    expect(exact[2]).toBeCloseTo(1.9544997361036416, 14);
    const tanh = (g.cpu(bindArgs(g.parsed, [x], { approximate: 'tanh' }), { op: g.name }) as NDArray).toArray();
    expect(tanh[1]).toBeCloseTo(0.34571400982514394, 14);
  });
});
