// misc.ts: the decompositions torch 2.13's run_decompositions() prints, and
// symbolic metas (the PyTorch goldens are in ops2-goldens.test.ts).

import { describe, expect, it } from 'vitest';
import { PyFloat } from '../core/scalar';
import { ShapeEnv, SymInt, ValueRange } from '../symbolic';
import { recordDecomp } from '../../testing/movement-goldens';
import { meta } from './meta-utils';
import { argsort, argsortStable, detach, eye, eyeM, groupNorm, miscOps, nanToNum, normScalarOptDim, relu6, topk, zero } from './misc';
import { defaultRegistry } from './register-all';
import { bindArgs } from './schema';
import { type OpDef, OpGroup, type TensorMeta } from './types';

const known = defaultRegistry.all();
const f = (v: unknown): string =>
  v === null || v === undefined
    ? 'None'
    : Array.isArray(v)
      ? `[${v.map(f).join(', ')}]`
      : v instanceof PyFloat
        ? v.toString()
        : typeof v === 'object' && 'traced' in v
          ? `%${(v as { traced: number }).traced}`
          : typeof v === 'object' && 'enum' in v
            ? (v as { enum: string }).enum
            : String(v);
const dec = (op: OpDef, args: unknown[], kw: Record<string, unknown> = {}) =>
  recordDecomp(op, args, known, kw).calls.map(([n, a, k]) => `${n}(${[...a.map(f), ...Object.entries(k).map(([kk, v]) => `${kk}=${f(v)}`)].join(', ')})`);

describe('misc decompositions (torch 2.13 run_decompositions)', () => {
  const x = meta('float32', [2, 3, 4]);
  const cpu = "layout=torch.strided, device=device(type='cpu'), pin_memory=false";

  it('detach, zero, relu6, argsort, norm.ScalarOpt_dim', () => {
    expect(dec(detach, [x])).toEqual(['aten.alias.default(%0)']);
    expect(dec(zero, [x])).toEqual(['aten.full_like.default(%0, 0, pin_memory=false, memory_format=torch.preserve_format)']);
    expect(dec(relu6, [x])).toEqual(['aten.hardtanh.default(%0, 0, 6)']);
    expect(dec(argsort, [x, 1])).toEqual(['aten.sort.default(%0, 1, false)']);
    expect(dec(argsortStable, [x], { stable: true, dim: 1 })).toEqual(['aten.sort.stable(%0, stable=true, dim=1, descending=false)']);
    expect(dec(normScalarOptDim, [x, null, [1], true])).toEqual(['aten.linalg_vector_norm.default(%0, 2, [1], true)']);
  });

  it('eye: uint8 ranges, unsqueeze, eq, _to_copy', () => {
    expect(dec(eyeM, [3, 4], { device: { enum: "device(type='cpu')" }, pin_memory: false })).toEqual([
      `aten.arange.start_step(0, 3, dtype=uint8, ${cpu})`,
      `aten.arange.start_step(0, 4, dtype=uint8, ${cpu})`,
      'aten.unsqueeze.default(%0, -1)',
      'aten.eq.Tensor(%2, %1)',
      'aten._to_copy.default(%3, dtype=float32)',
    ]);
    expect(dec(eye, [3], { dtype: 'int64' }).at(-1)).toBe('aten._to_copy.default(%3, dtype=int64)');
  });

  it('nan_to_num: where chains over isnan / -inf / inf', () => {
    const st = "dtype=float32, layout=torch.strided, device=device(type='cpu')";
    expect(dec(nanToNum, [x, 0.0, 1.0])).toEqual([
      'aten.isnan.default(%0)',
      `aten.scalar_tensor.default(0.0, ${st})`,
      'aten.where.self(%1, %2, %0)',
      'aten.eq.Scalar(%0, -Infinity)',
      `aten.scalar_tensor.default(-3.4028234663852886e+38, ${st})`,
      'aten.where.self(%4, %5, %3)',
      'aten.eq.Scalar(%0, Infinity)',
      `aten.scalar_tensor.default(1.0, ${st})`,
      'aten.where.self(%7, %8, %6)',
    ]);
  });

  it('group_norm → native_group_norm(x, w, b, N, C, HxW, group, eps)', () => {
    expect(dec(groupNorm, [meta('float32', [1, 2, 3, 4]), 2])).toEqual(['aten.native_group_norm.default(%0, None, None, 1, 2, 12, 2, 0.00001)']);
  });

  it('core ops have no decomposition; the others do', () => {
    for (const op of miscOps) {
      if (op.groupSet.has(OpGroup.Inplace)) continue;
      expect(op.decomp === undefined, op.name).toBe(op.groupSet.has(OpGroup.Core));
    }
  });
});

describe('misc metas over symbolic sizes', () => {
  it('topk keeps symbolic dims and sets k', () => {
    const env = new ShapeEnv();
    const s0 = new SymInt(env.createBackedSymbol(5, { range: new ValueRange(2, Infinity) }), env);
    const [v, i] = topk.meta(bindArgs(topk.parsed, [meta('float32', [s0, 7]), 3]), { op: topk.name, env, newUnbacked: () => 0 }) as TensorMeta[];
    expect(v!.shape.map(String)).toEqual(['s0', '3']);
    expect(i!.dtype).toBe('int64');
    const g = groupNorm.meta(bindArgs(groupNorm.parsed, [meta('float32', [s0, 6, 5]), 3]), { op: groupNorm.name, env, newUnbacked: () => 0 }) as TensorMeta;
    expect(String(g.shape[0])).toBe('s0');
  });
});
