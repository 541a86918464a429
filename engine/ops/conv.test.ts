import { describe, expect, it } from 'vitest';
import { NDArray } from '../core/ndarray';
import { ShapeEnv, SymInt, hintInt } from '../symbolic';
import { meta } from './meta-utils';
import { bindArgs } from './schema';
import { reductionOps } from './reduction';
import { matmulOps } from './matmul';
import { convOps, convolution, conv1d, conv2d, conv2dPadding, maxPool2d, maxPool2dWithIndices, maxPool1d, avgPool1d, adaptiveAvgPool2d } from './conv';
import { normOps } from './norm';
import { type TensorMeta } from './types';
import { metaCtx, opNames, recordDecomp, runGoldens } from '../../testing/nn-goldens';

const ALL = [...reductionOps, ...matmulOps, ...convOps, ...normOps];
const f = (...shape: number[]): TensorMeta => meta('float32', shape);

describe('conv/pool goldens (PyTorch)', () => runGoldens(convOps));

describe('conv/pool meta with symbolic sizes', () => {
  const env = new ShapeEnv();
  const s0 = new SymInt(env.createBackedSymbol(32), env);
  it('convolution output height follows (H + 2p - d(k-1) - 1) // s + 1', () => {
    const m = convolution.meta([meta('float32', [2, 3, s0, 16]), f(8, 3, 3, 3), null, [2, 2], [1, 1], [1, 1], false, [0, 0], 1], metaCtx('conv')) as TensorMeta;
    expect(typeof m.shape[2]).toBe('object');
    expect(hintInt(m.shape[2]!)).toBe(16);
    expect(m.shape.slice(0, 2)).toEqual([2, 8]);
    expect(m.shape[3]).toBe(8);
  });
  it('max_pool2d_with_indices on a symbolic batch', () => {
    const [v, i] = maxPool2dWithIndices.meta(bindArgs(maxPool2dWithIndices.parsed, [meta('float32', [s0, 3, 8, 8]), [2, 2]]), metaCtx('mp')) as TensorMeta[];
    expect(v!.shape.map(String)).toEqual(['s0', '3', '4', '4']);
    expect(i!.dtype).toBe('int64');
  });
});

describe('convolution speed', () => {
  it('1x3x256x256 with 16 output channels (3x3, pad 1) well under a second', () => {
    const n = 3 * 256 * 256;
    const x = NDArray.fromValues('float32', [1, 3, 256, 256], Array.from({ length: n }, (_, i) => Math.sin(i)));
    const w = NDArray.fromValues('float32', [16, 3, 3, 3], Array.from({ length: 432 }, (_, i) => Math.cos(i)));
    const b = NDArray.fromValues('float32', [16], Array.from({ length: 16 }, (_, i) => i));
    const t0 = performance.now();
    const out = convolution.cpu([x, w, b, [1, 1], [1, 1], [1, 1], false, [0, 0], 1], { op: 'conv' }) as NDArray;
    const dt = performance.now() - t0;
    expect(out.shape).toEqual([1, 16, 256, 256]);
    expect(dt).toBeLessThan(1000);
  });
});

describe('conv/pool decompositions (as run_decompositions prints them)', () => {
  it('conv2d → convolution with every argument spelled out', () => {
    const [x, w, b] = [f(1, 3, 8, 8), f(4, 3, 3, 3), f(4)];
    const { calls } = recordDecomp(ALL, conv2d, [x, w, b, [1, 1], [1, 1]]);
    expect(calls).toEqual([{ op: 'aten.convolution.default', args: [x, w, b, [1, 1], [1, 1], [1, 1], false, [0, 0], 1], kwargs: {} }]);
  });
  it('conv1d on unbatched input → unsqueeze + convolution + squeeze.dims', () => {
    const { calls, result } = recordDecomp(ALL, conv1d, [f(3, 10), f(4, 3, 3), f(4)]);
    expect(opNames(calls)).toEqual(['aten.unsqueeze.default', 'aten.convolution.default', 'aten.squeeze.dims']);
    expect(calls[1]!.args.slice(3)).toEqual([[1], [0], [1], false, [0], 1]);
    expect((result as TensorMeta).shape).toEqual([4, 8]);
  });
  it("conv2d.padding: 'same' (odd / even kernel) and 'valid'", () => {
    const x = f(1, 3, 8, 8);
    const same = recordDecomp(ALL, conv2dPadding, [x, f(4, 3, 3, 3), f(4), [1, 1], 'same']).calls;
    expect(same[0]!.args.slice(3)).toEqual([[1, 1], [1, 1], [1, 1], false, [0, 0], 1]);
    const even = recordDecomp(ALL, conv2dPadding, [x, f(4, 3, 4, 4), f(4), [1, 1], 'same']).calls;
    expect(opNames(even)).toEqual(['aten.constant_pad_nd.default', 'aten.convolution.default']);
    expect(even[0]!.args[1]).toEqual([0, 1, 0, 1]);
    expect(even[1]!.args.slice(3)).toEqual([[1, 1], [1, 1], [1, 1], false, [0, 0], 1]);
    const valid = recordDecomp(ALL, conv2dPadding, [x, f(4, 3, 3, 3), f(4)]).calls;
    expect(valid[0]!.args.slice(3)).toEqual([[1, 1], [0], [1, 1], false, [0], 1]);
  });
  it('max_pool2d → max_pool2d_with_indices[0]', () => {
    const x = f(1, 3, 8, 8);
    const { calls, result } = recordDecomp(ALL, maxPool2d, [x, [3, 3], [3, 3]]);
    expect(calls).toEqual([{ op: 'aten.max_pool2d_with_indices.default', args: [x, [3, 3], [3, 3], [0, 0], [1, 1], false], kwargs: {} }]);
    expect((result as TensorMeta).shape).toEqual([1, 3, 2, 2]);
  });
  it('max_pool1d / avg_pool1d → unsqueeze(-2) + 2-D pool + squeeze.dims([-2])', () => {
    const mp = recordDecomp(ALL, maxPool1d, [f(2, 3, 9), [2]]).calls;
    expect(opNames(mp)).toEqual(['aten.unsqueeze.default', 'aten.max_pool2d_with_indices.default', 'aten.squeeze.dims']);
    expect(mp[1]!.args.slice(1)).toEqual([[1, 2], [1, 2], [0, 0], [1, 1], false]);
    const ap = recordDecomp(ALL, avgPool1d, [f(2, 3, 9), [3], [2], [1], true, false]).calls;
    expect(ap[1]!.args.slice(1)).toEqual([[1, 3], [1, 2], [0, 1], true, false]);
  });
  it('adaptive_avg_pool2d → mean.dim for 1x1, else _adaptive_avg_pool2d', () => {
    const x = f(1, 3, 8, 8);
    expect(recordDecomp(ALL, adaptiveAvgPool2d, [x, [1, 1]]).calls).toEqual([{ op: 'aten.mean.dim', args: [x, [-1, -2], true], kwargs: {} }]);
    expect(opNames(recordDecomp(ALL, adaptiveAvgPool2d, [x, [3, 3]]).calls)).toEqual(['aten._adaptive_avg_pool2d.default']);
  });
});
