import { describe, expect, it } from 'vitest';
import { NDArray } from '../core/ndarray';
import { ShapeEnv, SymInt } from '../symbolic';
import { meta } from './meta-utils';
import { bindArgs } from './schema';
import { reductionOps } from './reduction';
import { matmulOps, mm, bmm, linear, matmul, baddbmm, dot, mv } from './matmul';
import { convOps } from './conv';
import { normOps } from './norm';
import { type TensorMeta } from './types';
import { metaCtx, opNames, recordDecomp, runGoldens } from '../../testing/nn-goldens';

const ALL = [...reductionOps, ...matmulOps, ...convOps, ...normOps];

describe('matmul goldens (PyTorch)', () => runGoldens(matmulOps));

describe('matmul meta with symbolic sizes', () => {
  const env = new ShapeEnv();
  const s0 = new SymInt(env.createBackedSymbol(5), env);
  it('mm keeps the symbolic row count', () => {
    const m = mm.meta([meta('float32', [s0, 8]), meta('float32', [8, 3])], metaCtx('mm')) as TensorMeta;
    expect(m.shape.map(String)).toEqual(['s0', '3']);
  });
  it('bmm with a symbolic batch', () => {
    const m = bmm.meta([meta('float32', [s0, 2, 8]), meta('float32', [s0, 8, 3])], metaCtx('bmm')) as TensorMeta;
    expect(m.shape.map(String)).toEqual(['s0', '2', '3']);
  });
  it('linear on [s0, 4, 8]', () => {
    const m = linear.meta(bindArgs(linear.parsed, [meta('float32', [s0, 4, 8]), meta('float32', [6, 8]), meta('float32', [6])]), metaCtx('linear')) as TensorMeta;
    expect(m.shape.map(String)).toEqual(['s0', '4', '6']);
  });
});

describe('matmul kernel speed', () => {
  it('multiplies 256x256 by 256x256 quickly', () => {
    const n = 256;
    const a = NDArray.fromValues('float32', [n, n], Array.from({ length: n * n }, (_, i) => (i % 7) - 3));
    const t0 = performance.now();
    const out = mm.cpu([a, a], { op: 'mm' }) as NDArray;
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(out.shape).toEqual([n, n]);
  });
});

describe('matmul decompositions (as run_decompositions prints them)', () => {
  const f = (...shape: number[]): TensorMeta => meta('float32', shape);
  it('linear 2-D → permute + addmm', () => {
    const [x, w, b] = [f(4, 8), f(6, 8), f(6)];
    const { calls } = recordDecomp(ALL, linear, [x, w, b]);
    expect(opNames(calls)).toEqual(['aten.permute.default', 'aten.addmm.default']);
    expect(calls[0]!.args).toEqual([w, [1, 0]]);
    expect(calls[1]!.args[0]).toBe(b);
    expect(calls[1]!.args[1]).toBe(x);
  });
  it('linear 3-D contiguous → view + permute + addmm + view', () => {
    const { calls, result } = recordDecomp(ALL, linear, [f(2, 4, 8), f(6, 8), f(6)]);
    expect(opNames(calls)).toEqual(['aten.view.default', 'aten.permute.default', 'aten.addmm.default', 'aten.view.default']);
    expect(calls[0]!.args[1]).toEqual([8, 8]);
    expect(calls[3]!.args[1]).toEqual([2, 4, 6]);
    expect((result as TensorMeta).shape).toEqual([2, 4, 6]);
  });
  it('linear 3-D without bias → permute + view + mm + view', () => {
    const { calls } = recordDecomp(ALL, linear, [f(2, 4, 8), f(6, 8)]);
    expect(opNames(calls)).toEqual(['aten.permute.default', 'aten.view.default', 'aten.mm.default', 'aten.view.default']);
  });
  it('linear 1-D → view [1, 8] + permute + addmm + view [6]', () => {
    const { calls } = recordDecomp(ALL, linear, [f(8), f(6, 8), f(6)]);
    expect(calls.map((c) => (c.op === 'aten.view.default' ? c.args[1] : c.op))).toEqual([[1, 8], 'aten.permute.default', 'aten.addmm.default', [6]]);
  });
  it('matmul 4-D @ 4-D → expand/view/expand/view/bmm/view', () => {
    const { calls } = recordDecomp(ALL, matmul, [f(2, 3, 4, 8), f(2, 3, 8, 5)]);
    expect(opNames(calls)).toEqual(['aten.expand.default', 'aten.view.default', 'aten.expand.default', 'aten.view.default', 'aten.bmm.default', 'aten.view.default']);
    expect(calls[1]!.args[1]).toEqual([6, 4, 8]);
    expect(calls[5]!.args[1]).toEqual([2, 3, 4, 5]);
  });
  it('matmul with a broadcast batch copies (clone) before viewing', () => {
    const { calls } = recordDecomp(ALL, matmul, [f(2, 1, 4, 8), f(3, 8, 5)]);
    expect(opNames(calls)).toEqual([
      'aten.expand.default', 'aten.clone.default', 'aten.view.default', 'aten.expand.default', 'aten.clone.default', 'aten.view.default', 'aten.bmm.default', 'aten.view.default',
    ]);
  });
  it('matmul 3-D @ 2-D folds into mm; 1-D cases use mul + sum / unsqueeze + mm + squeeze', () => {
    expect(opNames(recordDecomp(ALL, matmul, [f(2, 4, 8), f(8, 5)]).calls)).toEqual(['aten.view.default', 'aten.mm.default', 'aten.view.default']);
    expect(opNames(recordDecomp(ALL, matmul, [f(8), f(8)]).calls)).toEqual(['aten.mul.Tensor', 'aten.sum.dim_IntList']);
    expect(opNames(recordDecomp(ALL, matmul, [f(8), f(8, 3)]).calls)).toEqual(['aten.unsqueeze.default', 'aten.mm.default', 'aten.squeeze.dims']);
    expect(opNames(recordDecomp(ALL, matmul, [f(8), f(2, 8, 3)]).calls)).toEqual([
      'aten.permute.default', 'aten.clone.default', 'aten.view.default', 'aten.mul.Tensor', 'aten.sum.dim_IntList', 'aten.view.default',
    ]);
    expect(opNames(recordDecomp(ALL, matmul, [f(4, 8), f(2, 8, 5)]).calls)).toEqual([
      'aten.expand.default', 'aten.view.default', 'aten.expand.default', 'aten.view.default', 'aten.bmm.default', 'aten.view.default',
    ]);
  });
  it('matmul folds a strided 3-D input when the matrix requires grad (a parameter at export time)', () => {
    const x = meta('float32', [2, 4, 8]);
    const xt: TensorMeta = { dtype: 'float32', shape: [4, 2, 8], strides: [8, 32, 1] };
    const w = { ...meta('float32', [8, 5]), requiresGrad: true };
    expect(opNames(recordDecomp(ALL, matmul, [xt, w]).calls)).toEqual(['aten.clone.default', 'aten.view.default', 'aten.mm.default', 'aten.view.default']);
    expect(opNames(recordDecomp(ALL, matmul, [xt, meta('float32', [8, 5])]).calls)).toEqual([
      'aten.expand.default', 'aten.view.default', 'aten.expand.default', 'aten.view.default', 'aten.bmm.default', 'aten.view.default',
    ]);
    expect(opNames(recordDecomp(ALL, matmul, [x, w]).calls)).toEqual(['aten.view.default', 'aten.mm.default', 'aten.view.default']);
  });
  it('baddbmm, dot, mv', () => {
    const bd = recordDecomp(ALL, baddbmm, [f(2, 4, 5), f(2, 4, 8), f(2, 8, 5)], { beta: 0.5, alpha: 2 });
    expect(opNames(bd.calls)).toEqual(['aten.bmm.default', 'aten.mul.Tensor', 'aten.mul.Tensor', 'aten.add.Tensor']);
    expect(opNames(recordDecomp(ALL, baddbmm, [f(2, 4, 5), f(2, 4, 8), f(2, 8, 5)]).calls)).toEqual(['aten.bmm.default', 'aten.add.Tensor']);
    expect(recordDecomp(ALL, dot, [f(8), f(8)]).calls[1]!.args[1]).toEqual([]);
    expect(recordDecomp(ALL, mv, [f(3, 8), f(8)]).calls[1]!.args[1]).toEqual([1]);
  });
});
