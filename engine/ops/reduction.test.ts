import { describe, expect, it } from 'vitest';
import { NDArray } from '../core/ndarray';
import { PyFloat } from '../core/scalar';
import { ShapeEnv, SymInt } from '../symbolic';
import { meta } from './meta-utils';
import { bindArgs } from './schema';
import { reductionOps, sumDefault, sumDimIntList, meanDim, maxDim, varDim, stdCorrection, allDim, allDefault, logsumexp, cumsum } from './reduction';
import { matmulOps } from './matmul';
import { convOps } from './conv';
import { normOps } from './norm';
import { type TensorMeta } from './types';
import { metaCtx, opNames, recordDecomp, runGoldens } from '../../testing/nn-goldens';

const ALL = [...reductionOps, ...matmulOps, ...convOps, ...normOps];

describe('reduction goldens (PyTorch)', () => runGoldens(reductionOps));

describe('reduction meta with symbolic sizes', () => {
  const env = new ShapeEnv();
  const s0 = new SymInt(env.createBackedSymbol(5), env);
  const x = meta('float32', [s0, 4, 3]);
  it('sum.dim_IntList keeps the symbolic batch', () => {
    const m = sumDimIntList.meta(bindArgs(sumDimIntList.parsed, [x, [1]]), metaCtx('sum')) as TensorMeta;
    expect(m.shape.map(String)).toEqual(['s0', '3']);
  });
  it('mean.dim over the symbolic dim with keepdim', () => {
    const m = meanDim.meta(bindArgs(meanDim.parsed, [x, [0], true]), metaCtx('mean')) as TensorMeta;
    expect(m.shape.map(String)).toEqual(['1', '4', '3']);
  });
  it('max.dim returns values and int64 indices', () => {
    const [v, i] = maxDim.meta(bindArgs(maxDim.parsed, [x, -1]), metaCtx('max')) as TensorMeta[];
    expect(v!.shape.map(String)).toEqual(['s0', '4']);
    expect(i!.dtype).toBe('int64');
  });
  it('cumsum of int32 widens to int64 and keeps shape', () => {
    const m = cumsum.meta(bindArgs(cumsum.parsed, [meta('int32', [s0, 2]), 0]), metaCtx('cumsum')) as TensorMeta;
    expect(m.dtype).toBe('int64');
    expect(String(m.shape[0])).toBe('s0');
  });
});

describe('reduction kernels on odd layouts', () => {
  it('sums an expanded (stride 0) input', () => {
    const base = NDArray.fromValues('float32', [3], [1, 2, 3]);
    const x = base.withView([4, 3], [0, 1], 0);
    const out = sumDimIntList.cpu(bindArgs(sumDimIntList.parsed, [x, [0]]), { op: 'sum' }) as NDArray;
    expect(out.toArray()).toEqual([4, 8, 12]);
  });
  it('max.dim propagates NaN', () => {
    const x = NDArray.fromValues('float32', [1, 3], [1, NaN, 3]);
    const [v, i] = maxDim.cpu(bindArgs(maxDim.parsed, [x, 1]), { op: 'max' }) as NDArray[];
    expect(Number.isNaN(v!.toArray()[0])).toBe(true);
    expect(i!.toArray()).toEqual([1]);
  });
});

describe('reduction decompositions (as run_decompositions prints them)', () => {
  const x = meta('float32', [3, 4, 5]);
  it('sum.default → sum.dim_IntList(x, [])', () => {
    const { calls } = recordDecomp(ALL, sumDefault, [x]);
    expect(calls).toEqual([{ op: 'aten.sum.dim_IntList', args: [x, []], kwargs: {} }]);
  });
  it('sum.default(dtype) keeps dtype as a kwarg', () => {
    const { calls } = recordDecomp(ALL, sumDefault, [x], { dtype: 'float64' });
    expect(calls[0]!.kwargs).toEqual({ dtype: 'float64' });
  });
  it('var.dim → var.correction with correction/keepdim kwargs', () => {
    const { calls } = recordDecomp(ALL, varDim, [x, [1], false, true]);
    expect(calls[0]).toMatchObject({ op: 'aten.var.correction', args: [x, [1]], kwargs: { correction: 0, keepdim: true } });
  });
  it('std.correction → var.correction(correction=1.0) + sqrt', () => {
    const { calls } = recordDecomp(ALL, stdCorrection, [x]);
    expect(opNames(calls)).toEqual(['aten.var.correction', 'aten.sqrt.default']);
    expect(calls[0]!.kwargs.correction).toEqual(new PyFloat(1));
  });
  it('all.dim → logical_not, any.dim, logical_not', () => {
    const b = meta('bool', [3, 4]);
    expect(opNames(recordDecomp(ALL, allDim, [b, 1]).calls)).toEqual(['aten.logical_not.default', 'aten.any.dim', 'aten.logical_not.default']);
    expect(opNames(recordDecomp(ALL, allDefault, [b]).calls)).toEqual(['aten.logical_not.default', 'aten.any.dims', 'aten.logical_not.default']);
  });
  it('logsumexp → amax, abs, eq, scalar_tensor, where, squeeze, sub, exp, sum, log, add', () => {
    const { calls, result } = recordDecomp(ALL, logsumexp, [x, [1]]);
    expect(opNames(calls)).toEqual([
      'aten.amax.default', 'aten.abs.default', 'aten.eq.Scalar', 'aten.scalar_tensor.default', 'aten.where.self', 'aten.squeeze.dims',
      'aten.sub.Tensor', 'aten.exp.default', 'aten.sum.dim_IntList', 'aten.log.default', 'aten.add.Tensor',
    ]);
    expect((result as TensorMeta).shape).toEqual([3, 5]);
  });
  it('logsumexp(x, []) keeps size-1 dims, as its meta does (torch gives [1, 1, 1])', () => {
    const { calls, result } = recordDecomp(ALL, logsumexp, [x, []]);
    expect(calls[0]).toMatchObject({ op: 'aten.amax.default', args: [x, [], true] });
    expect((result as TensorMeta).shape).toEqual([1, 1, 1]);
    expect((logsumexp.meta(bindArgs(logsumexp.parsed, [x, []]), metaCtx('logsumexp')) as TensorMeta).shape).toEqual([1, 1, 1]);
  });
  it('logsumexp of an empty input → exp, sum, log (torch._refs: no amax of nothing)', () => {
    const e = meta('float32', [0, 3]);
    const { calls, result } = recordDecomp(ALL, logsumexp, [e, [1], true]);
    expect(opNames(calls)).toEqual(['aten.exp.default', 'aten.sum.dim_IntList', 'aten.log.default']);
    expect((result as TensorMeta).shape).toEqual([0, 1]);
    expect((recordDecomp(ALL, logsumexp, [e, []]).result as TensorMeta).shape).toEqual([]);
  });
});
