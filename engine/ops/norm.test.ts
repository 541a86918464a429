import { describe, expect, it } from 'vitest';
import { NDArray } from '../core/ndarray';
import { PyFloat } from '../core/scalar';
import { ShapeEnv, SymInt } from '../symbolic';
import { meta } from './meta-utils';
import { bindArgs } from './schema';
import { reductionOps } from './reduction';
import { matmulOps } from './matmul';
import { convOps } from './conv';
import {
  normOps, batchNorm, layerNorm, nativeLayerNorm, softmaxInt, logSoftmaxInt, scaledDotProductAttention, nativeBatchNormLegitNoTraining,
} from './norm';
import { type TensorMeta } from './types';
import { metaCtx, opNames, recordDecomp, runGoldens } from '../../testing/nn-goldens';

const ALL = [...reductionOps, ...matmulOps, ...convOps, ...normOps];
const f = (...shape: number[]): TensorMeta => meta('float32', shape);

describe('norm/softmax/attention goldens (PyTorch)', () => runGoldens(normOps));

describe('norm meta with symbolic sizes', () => {
  const env = new ShapeEnv();
  const s0 = new SymInt(env.createBackedSymbol(5), env);
  it('native_layer_norm statistics keep the symbolic batch', () => {
    const [o, mean, rstd] = nativeLayerNorm.meta([meta('float32', [s0, 7, 8]), [8], f(8), f(8), 1e-5], metaCtx('ln')) as TensorMeta[];
    expect(o!.shape.map(String)).toEqual(['s0', '7', '8']);
    expect(mean!.shape.map(String)).toEqual(['s0', '7', '1']);
    expect(rstd!.dtype).toBe('float32');
  });
  it('_native_batch_norm_legit_no_training saves empty statistics', () => {
    const outs = nativeBatchNormLegitNoTraining.meta([meta('float32', [s0, 4, 3]), null, null, f(4), f(4), 0.1, 1e-5], metaCtx('bn')) as TensorMeta[];
    expect(outs.map((m) => m.shape.map(String))).toEqual([['s0', '4', '3'], ['0'], ['0']]);
  });
  it('sdpa output is [..., L, Ev]', () => {
    const m = scaledDotProductAttention.meta(bindArgs(scaledDotProductAttention.parsed, [meta('float32', [s0, 2, 5, 4]), meta('float32', [s0, 2, 6, 4]), meta('float32', [s0, 2, 6, 3])]), metaCtx('sdpa')) as TensorMeta;
    expect(m.shape.map(String)).toEqual(['s0', '2', '5', '3']);
  });
});

describe('norm kernels', () => {
  it('batch_norm in training mode updates running stats in place (eager)', () => {
    const x = NDArray.fromValues('float32', [2, 2], [1, 2, 3, 6]);
    const rm = NDArray.fromValues('float32', [2], [0, 0]);
    const rv = NDArray.fromValues('float32', [2], [1, 1]);
    batchNorm.cpu([x, null, null, rm, rv, true, 0.1, 1e-5, false], { op: 'bn' });
    expect(rm.toArray().map((v) => Math.round(v * 1e5) / 1e5)).toEqual([0.2, 0.4]);
    expect(rv.toArray().map((v) => Math.round(v * 1e5) / 1e5)).toEqual([1.1, 1.7]);
  });
  it('softmax of an int tensor is not implemented, as in torch', () => {
    const x = NDArray.fromValues('int64', [3], [1, 2, 3]);
    expect(() => softmaxInt.cpu(bindArgs(softmaxInt.parsed, [x, 0]), { op: 'softmax' })).toThrow(`"softmax_lastdim_kernel_impl" not implemented for 'Long'`);
  });
});

describe('norm decompositions (as run_decompositions prints them)', () => {
  it('batch_norm eval → _native_batch_norm_legit_no_training[0]', () => {
    const args = [f(4, 8), f(8), f(8), f(8), f(8), false, 0.1, 1e-5, false];
    const { calls, result } = recordDecomp(ALL, batchNorm, args);
    expect(calls).toEqual([{ op: 'aten._native_batch_norm_legit_no_training.default', args: [args[0], args[1], args[2], args[3], args[4], 0.1, 1e-5], kwargs: {} }]);
    expect((result as TensorMeta).shape).toEqual([4, 8]);
  });
  it('batch_norm train → _native_batch_norm_legit_functional + copy_ of the running stats', () => {
    const { calls } = recordDecomp(ALL, batchNorm, [f(2, 3, 4, 4), f(3), f(3), f(3), f(3), true, 0.1, 1e-5, false]);
    expect(opNames(calls)).toEqual(['aten._native_batch_norm_legit_functional.default', 'aten.copy_.default', 'aten.copy_.default']);
  });
  it('batch_norm train without running stats → _native_batch_norm_legit.no_stats', () => {
    const { calls } = recordDecomp(ALL, batchNorm, [f(2, 3, 4, 4), f(3), f(3), null, null, true, 0.1, 1e-5, false]);
    expect(calls[0]!.op).toBe('aten._native_batch_norm_legit.no_stats');
    expect(calls[0]!.args.slice(3)).toEqual([true, 0.1, 1e-5]);
  });
  it('layer_norm → native_layer_norm[0]', () => {
    const x = f(2, 5, 8);
    const { calls } = recordDecomp(ALL, layerNorm, [x, [8], f(8), f(8)]);
    expect(opNames(calls)).toEqual(['aten.native_layer_norm.default']);
    expect(calls[0]!.args[4]).toBe(1e-5);
  });
  it('softmax.int → _softmax(x, dim, False); with dtype → _to_copy first', () => {
    const x = f(3, 4);
    expect(recordDecomp(ALL, softmaxInt, [x, -1]).calls).toEqual([{ op: 'aten._softmax.default', args: [x, -1, false], kwargs: {} }]);
    const withDType = recordDecomp(ALL, logSoftmaxInt, [x, 0, 'float64']).calls;
    expect(opNames(withDType)).toEqual(['aten._to_copy.default', 'aten._log_softmax.default']);
    expect(withDType[0]!.kwargs.dtype).toBe('float64');
  });
  const tail = [
    'aten._softmax.default', 'aten.eq.Scalar', 'aten.logical_not.default', 'aten.any.dim', 'aten.logical_not.default', 'aten.full_like.default', 'aten.where.self',
    'aten.expand.default', 'aten.view.default', 'aten.expand.default', 'aten.view.default', 'aten.bmm.default', 'aten.view.default',
  ];
  const qk = ['aten.permute.default', 'aten.mul.Scalar', 'aten.expand.default', 'aten.view.default', 'aten.expand.default', 'aten.view.default', 'aten.bmm.default', 'aten.view.default'];
  const flash = ['aten.permute.default', 'aten.clone.default', 'aten.permute.default'];
  it('sdpa 4-D → math path + permute/clone/permute', () => {
    const { calls, result } = recordDecomp(ALL, scaledDotProductAttention, [f(2, 3, 5, 4), f(2, 3, 6, 4), f(2, 3, 6, 4)]);
    expect(opNames(calls)).toEqual(['aten.mul.Scalar', ...qk, ...tail, ...flash]);
    expect(calls[0]!.args[1]).toBe(0.7071067811865476);
    expect((result as TensorMeta).shape).toEqual([2, 3, 5, 4]);
  });
  it('sdpa causal builds the tril mask from arange', () => {
    const { calls } = recordDecomp(ALL, scaledDotProductAttention, [f(2, 3, 5, 4), f(2, 3, 6, 4), f(2, 3, 6, 4), null, 0, true]);
    expect(opNames(calls)).toEqual([
      'aten.mul.Scalar', 'aten.full.default', 'aten.arange.start_step', 'aten.unsqueeze.default', 'aten.arange.start_step', 'aten.unsqueeze.default', 'aten.sub.Tensor',
      'aten.le.Scalar', 'aten.logical_and.default', 'aten.scalar_tensor.default', 'aten.scalar_tensor.default', 'aten.where.self',
      ...qk, 'aten.add.Tensor', ...tail, ...flash,
    ]);
  });
  it('sdpa with a bool mask converts it first; 3-D skips the final permutes; scale=1 prints 1.0', () => {
    const b = recordDecomp(ALL, scaledDotProductAttention, [f(2, 3, 5, 4), f(2, 3, 6, 4), f(2, 3, 6, 4), meta('bool', [5, 6])]).calls;
    expect(opNames(b).slice(0, 4)).toEqual(['aten.scalar_tensor.default', 'aten.scalar_tensor.default', 'aten.where.self', 'aten.mul.Scalar']);
    const three = recordDecomp(ALL, scaledDotProductAttention, [f(3, 5, 4), f(3, 6, 4), f(3, 6, 4)], { scale: 1 }).calls;
    expect(opNames(three)).toEqual(['aten.mul.Scalar', ...qk, ...tail]);
    expect(three[0]!.args[1]).toEqual(new PyFloat(1));
  });
  it('sdpa gqa repeats k/v heads with unsqueeze/expand/clone/view', () => {
    const { calls } = recordDecomp(ALL, scaledDotProductAttention, [f(2, 4, 5, 4), f(2, 2, 6, 4), f(2, 2, 6, 4)], { enable_gqa: true });
    expect(opNames(calls).slice(0, 9)).toEqual([
      'aten.mul.Scalar', 'aten.unsqueeze.default', 'aten.expand.default', 'aten.clone.default', 'aten.view.default',
      'aten.unsqueeze.default', 'aten.expand.default', 'aten.clone.default', 'aten.view.default',
    ]);
    expect(calls[4]!.args[1]).toEqual([2, 4, 6, 4]);
  });
});
