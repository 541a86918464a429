// Every fast CPU kernel against its op's reference kernel on random shapes,
// including non-contiguous (transposed, strided, offset) and broadcast inputs.

import { describe, expect, it } from 'vitest';
import { NDArray } from '../../core/ndarray';
import { PyFloat } from '../../core/scalar';
import { expectClose, kernelContext, randArray, randSliced, randTransposed, rng, runBoth } from './test-helpers';
import { fastKernels } from './fast-kernels';
import { defaultRegistry } from '../../ops/register-all';

const r = rng(42);
const check = (op: string, args: unknown[], kwargs: Record<string, unknown> = {}, tol?: { atol: number; rtol: number }) => {
  const { fast, ref } = runBoth(op, args, kwargs);
  expectClose(fast, ref, tol);
};

describe('fast kernel table', () => {
  it('names only ops the registry knows', () => {
    for (const name of fastKernels().keys()) expect(defaultRegistry.has(name), name).toBe(true);
  });
});

describe('unary', () => {
  const ops = ['relu', 'hardswish', 'hardsigmoid', 'sigmoid', 'tanh', 'silu', 'neg', 'exp', 'sqrt', 'rsqrt', 'abs', 'sin', 'cos'];
  for (const op of ops)
    it(`${op} on contiguous, transposed and sliced inputs`, () => {
      const pos = op === 'sqrt' || op === 'rsqrt';
      for (const x of [randArray([3, 5, 7], r, 'float32', 4), randTransposed([4, 6], r), randSliced([2, 9], r)]) {
        const input = pos ? NDArray.fromValues('float32', x.shape, x.toArray().map((v) => Math.abs(v) + 0.1)) : x;
        check(`aten.${op}.default`, [input]);
      }
    });
  it('gelu (none, tanh) and clamp variants', () => {
    const x = randArray([5, 8], r, 'float32', 4);
    check('aten.gelu.default', [x]);
    check('aten.gelu.default', [x], { approximate: 'tanh' });
    check('aten.clamp.default', [x, -0.5, 0.75]);
    check('aten.clamp.default', [x, null, new PyFloat(0)]);
    check('aten.clamp_min.default', [x, 0.1]);
    check('aten.clamp_max.default', [x, 0.1]);
    check('aten.hardtanh.default', [randTransposed([3, 4], r)]);
  });
  it('in-place variants write into self', () => {
    for (const op of ['relu_', 'hardswish_', 'sigmoid_', 'tanh_', 'silu_']) {
      const x = randArray([4, 4], r, 'float32', 4);
      const { fast, ref } = runBoth(`aten.${op}.default`, [x]);
      expect(fast).toBe((fast as NDArray) && fast);
      expectClose(fast, ref);
      expect((fast as NDArray).storage).toBe(x.storage);
    }
  });
  it('declines non-float32 inputs', () => {
    const ctx = kernelContext();
    expect(fastKernels().get('aten.relu.default')!([randArray([3], r, 'int64')], ctx)).toBeUndefined();
  });
});

describe('binary', () => {
  const shapes: Array<[number[], number[]]> = [
    [[4, 5], [4, 5]],
    [[4, 5], [5]],
    [[2, 3, 4, 5], [1, 3, 1, 1]],
    [[3, 1, 5], [1, 4, 1]],
    [[6], []],
    [[], [2, 3]],
  ];
  for (const op of ['add', 'sub', 'mul', 'div'])
    it(`${op}.Tensor with broadcasting`, () => {
      for (const [sa, sb] of shapes) check(`aten.${op}.Tensor`, [randArray(sa, r), randArray(sb, r)]);
      check(`aten.${op}.Tensor`, [randTransposed([5, 6], r), randSliced([5, 6], r)]);
      check(`aten.${op}.Tensor`, [randTransposed([3, 4], r), randArray([4], r)]);
    });
  it('scalars, alpha and pow', () => {
    const x = randArray([3, 7], r);
    check('aten.add.Tensor', [x, randArray([7], r)], { alpha: 2 });
    check('aten.sub.Tensor', [x, randArray([3, 1], r)], { alpha: new PyFloat(0.5) });
    check('aten.add.Scalar', [x, new PyFloat(1.5)]);
    check('aten.mul.Scalar', [x, 3]);
    check('aten.div.Scalar', [x, new PyFloat(7)]);
    check('aten.mul.Tensor', [x, new PyFloat(0.1)]);
    check('aten.pow.Tensor_Scalar', [x, 2]);
    check('aten.pow.Tensor_Scalar', [x, 3]);
    check('aten.pow.Tensor_Scalar', [NDArray.fromValues('float32', [4], [0.5, 2, 3, 4]), new PyFloat(0.5)]);
    check('aten.maximum.default', [x, randArray([7], r)]);
    check('aten.minimum.default', [randTransposed([3, 7], r), x]);
  });
  it('output follows a transposed input layout (TensorIterator)', () => {
    const t = randTransposed([4, 6], r);
    const { fast } = runBoth('aten.add.Tensor', [t, 1]);
    expect([...(fast as NDArray).strides]).toEqual([1, 4]);
  });
  it('in-place add_/mul_ with broadcast other', () => {
    for (const op of ['add_', 'sub_', 'mul_', 'div_']) {
      const x = randArray([2, 3, 4], r);
      const { fast, ref } = runBoth(`aten.${op}.Tensor`, [x, randArray([3, 1], r)]);
      expectClose(fast, ref);
      expect((fast as NDArray).storage).toBe(x.storage);
    }
  });
  it('declines int and mixed dtypes', () => {
    const ctx = kernelContext();
    const add = fastKernels().get('aten.add.Tensor')!;
    expect(add([randArray([3], r, 'int64'), randArray([3], r, 'int64'), 1], ctx)).toBeUndefined();
    expect(add([randArray([3], r), randArray([3], r, 'int64'), 1], ctx)).toBeUndefined();
  });
});

describe('matrix products', () => {
  const sizes: Array<[number, number, number]> = [[1, 1, 1], [3, 5, 7], [17, 9, 33], [64, 48, 40], [5, 130, 3]];
  it('mm / addmm with strided operands and broadcast self', () => {
    for (const [M, N, K] of sizes) {
      check('aten.mm.default', [randArray([M, K], r), randArray([K, N], r)]);
      check('aten.mm.default', [randTransposed([M, K], r), randTransposed([K, N], r)]);
      check('aten.addmm.default', [randArray([N], r), randArray([M, K], r), randTransposed([K, N], r)]);
      check('aten.addmm.default', [randArray([M, 1], r), randSliced([M, K], r), randArray([K, N], r)], { beta: new PyFloat(0.5), alpha: 2 });
      check('aten.addmm.default', [randArray([M, N], r), randArray([M, K], r), randArray([K, N], r)]);
    }
  });
  it('bmm, matmul and linear', () => {
    check('aten.bmm.default', [randArray([3, 4, 5], r), randTransposed([3, 5, 6], r)]);
    check('aten.matmul.default', [randArray([2, 3, 4, 5], r), randArray([5, 6], r)]);
    check('aten.matmul.default', [randArray([2, 1, 4, 5], r), randArray([3, 5, 6], r)]);
    check('aten.matmul.default', [randArray([4, 5], r), randArray([5, 6], r)]);
    check('aten.linear.default', [randArray([2, 7, 5], r), randArray([6, 5], r), randArray([6], r)]);
    check('aten.linear.default', [randTransposed([5, 3], r), randArray([4, 3], r)]);
    check('aten.linear.default', [randArray([3], r), randArray([4, 3], r), randArray([4], r)]);
  });
  it('the TypeScript GEMM kernel agrees too', () => {
    const ctx = kernelContext({ wasm: false });
    const { fast, ref } = runBoth('aten.addmm.default', [randArray([11], r), randArray([9, 13], r), randArray([13, 11], r)], {}, ctx);
    expectClose(fast, ref);
  });
});

describe('convolution and pooling', () => {
  type Case = { x: number[]; w: number[]; stride?: number[]; padding?: number[]; dilation?: number[]; groups?: number; bias?: boolean };
  const cases: Case[] = [
    { x: [1, 3, 9, 9], w: [4, 3, 3, 3], padding: [1, 1] },
    { x: [2, 4, 10, 7], w: [6, 4, 1, 1], bias: true },
    { x: [1, 3, 11, 11], w: [5, 3, 3, 3], stride: [2, 2], padding: [1, 1], bias: true },
    { x: [1, 4, 9, 9], w: [6, 2, 3, 3], groups: 2, padding: [1, 1] },
    { x: [2, 6, 12, 12], w: [6, 1, 3, 3], groups: 6, padding: [1, 1], bias: true },
    { x: [1, 5, 13, 13], w: [5, 1, 5, 5], groups: 5, stride: [2, 2], padding: [2, 2], bias: true },
    { x: [1, 4, 7, 7], w: [8, 1, 3, 3], groups: 4, padding: [1, 1] },
    { x: [1, 3, 12, 10], w: [4, 3, 3, 2], dilation: [2, 1], padding: [2, 0] },
    { x: [1, 4, 15, 15], w: [4, 1, 3, 3], groups: 4, stride: [3, 3], dilation: [2, 2] },
    { x: [1, 8, 7, 7], w: [8, 1, 5, 5], groups: 8, stride: [1, 1], padding: [2, 2] },
  ];
  it('conv2d: dense, 1×1, strided, grouped, depthwise, dilated', () => {
    for (const c of cases) {
      const args = [randArray(c.x, r), randArray(c.w, r), c.bias ? randArray([c.w[0]!], r) : null, c.stride ?? [1, 1], c.padding ?? [0, 0], c.dilation ?? [1, 1], c.groups ?? 1];
      check('aten.conv2d.default', args);
      check('aten.convolution.default', [args[0], args[1], args[2], args[3], args[4], args[5], false, [0, 0], args[6]]);
    }
  });
  it('conv2d on a non-contiguous input and with the TypeScript kernels', () => {
    const x = randArray([1, 3, 8, 9], r).withView([1, 3, 9, 8], [216, 72, 1, 9], 0);
    check('aten.conv2d.default', [x, randArray([4, 3, 3, 3], r), null, [1, 1], [1, 1]]);
    const ctx = kernelContext({ wasm: false });
    const { fast, ref } = runBoth('aten.conv2d.default', [randArray([1, 6, 9, 9], r), randArray([6, 1, 3, 3], r), null, [2, 2], [1, 1], [1, 1], 6], {}, ctx);
    expectClose(fast, ref);
  });
  it('conv1d', () => {
    check('aten.conv1d.default', [randArray([2, 3, 17], r), randArray([5, 3, 4], r), randArray([5], r), [2], [1]]);
  });
  it('adaptive average pool to 1×1, mean over H·W, max pool', () => {
    check('aten.adaptive_avg_pool2d.default', [randArray([2, 3, 5, 6], r), [1, 1]]);
    check('aten._adaptive_avg_pool2d.default', [randArray([1, 4, 7, 7], r), [1, 1]]);
    check('aten.mean.dim', [randArray([2, 3, 4, 5], r), [-1, -2], true]);
    check('aten.mean.dim', [randArray([2, 3, 4, 5], r), [2, 3]]);
    check('aten.max_pool2d.default', [randArray([1, 2, 9, 9], r), [3, 3], [2, 2], [1, 1]]);
    check('aten.max_pool2d.default', [randArray([2, 3, 8, 8], r), [2, 2]]);
  });
});

describe('normalization and attention', () => {
  it('batch norm (eval) in both IRs', () => {
    const x = randArray([2, 3, 4, 5], r);
    const [w, b, m] = [randArray([3], r), randArray([3], r), randArray([3], r)];
    const v = NDArray.fromValues('float32', [3], [0.5, 1, 2]);
    check('aten.batch_norm.default', [x, w, b, m, v, false, 0.1, 1e-5, false]);
    check('aten.batch_norm.default', [x, null, null, m, v, false, 0.1, 1e-3, false]);
    check('aten._native_batch_norm_legit_no_training.default', [x, w, b, m, v, 0.1, 1e-5]);
  });
  it('layer norm and native_layer_norm', () => {
    check('aten.layer_norm.default', [randArray([2, 5, 8], r), [8], randArray([8], r), randArray([8], r)]);
    check('aten.layer_norm.default', [randTransposed([4, 6], r), [6]]);
    check('aten.native_layer_norm.default', [randArray([3, 4, 5], r), [4, 5], randArray([4, 5], r), null, 1e-5]);
  });
  it('softmax along any dim', () => {
    check('aten._softmax.default', [randArray([3, 4, 5], r, 'float32', 5), -1, false]);
    check('aten._softmax.default', [randArray([3, 4, 5], r, 'float32', 5), 1, false]);
    check('aten.softmax.int', [randTransposed([4, 6], r), 0]);
  });
  it('scaled_dot_product_attention: plain, masks, causal, scale, transposed query layout', () => {
    const q = randArray([2, 3, 5, 8], r), k = randArray([2, 3, 7, 8], r), v = randArray([2, 3, 7, 4], r);
    check('aten.scaled_dot_product_attention.default', [q, k, v]);
    check('aten.scaled_dot_product_attention.default', [q, k, v, randArray([5, 7], r)]);
    check('aten.scaled_dot_product_attention.default', [q, k, v, randArray([1, 1, 5, 7], r, 'bool')]);
    check('aten.scaled_dot_product_attention.default', [q, randArray([2, 3, 5, 8], r), randArray([2, 3, 5, 4], r), null, 0, true]);
    check('aten.scaled_dot_product_attention.default', [q, k, v], { scale: new PyFloat(0.3) });
    // A query that is a transposed view: the output keeps its stride order (see Note [Layout of attention outputs]).
    const qt = randArray([2, 5, 3, 8], r).withView([2, 3, 5, 8], [120, 8, 24, 1], 0);
    const { fast, ref } = runBoth('aten.scaled_dot_product_attention.default', [qt, k, v]);
    expectClose(fast, ref);
    expect([...(fast as NDArray).strides]).toEqual([60, 4, 12, 1]);
  });
});

describe('movement', () => {
  const x = randArray([2, 3, 4], r);
  const t = randTransposed([4, 6], r);
  it('views', () => {
    check('aten.view.default', [x, [6, 4]]);
    check('aten.view.default', [x, [-1, 2, 2]]);
    check('aten.reshape.default', [t, [24]]);
    check('aten._unsafe_view.default', [x, [3, 8]]);
    check('aten.permute.default', [x, [2, 0, 1]]);
    check('aten.transpose.int', [x, 0, -1]);
    check('aten.t.default', [t]);
    check('aten.unsqueeze.default', [x, -1]);
    check('aten.unsqueeze.default', [t, 1]);
    check('aten.squeeze.dim', [randArray([2, 1, 3], r), 1]);
    check('aten.squeeze.dims', [randArray([1, 2, 1, 3], r), [0, 2]]);
    check('aten.squeeze.default', [randArray([1, 2, 1], r)]);
    check('aten.expand.default', [randArray([3, 1], r), [2, 3, 4]]);
    check('aten.expand.default', [randArray([3, 1], r), [-1, 5]]);
    check('aten.slice.Tensor', [x, 2, 1, 3]);
    check('aten.slice.Tensor', [x, 1, -2, 2 ** 63]); // sys.maxsize as it arrives from an archive
    check('aten.slice.Tensor', [t, 0, 0, 4, 2]);
    check('aten.select.int', [x, 1, -1]);
    check('aten.split.Tensor', [x, 3, 2]);
    check('aten.split_with_sizes.default', [x, [1, 2], 1]);
    check('aten.flatten.using_ints', [x, 1]);
    check('aten.flatten.using_ints', [t, 0, 1]);
    check('aten.unflatten.int', [x, -1, [2, -1]]);
    check('aten.alias.default', [t]);
    check('aten.contiguous.default', [t]);
    check('aten.clone.default', [x]);
    check('aten.embedding.default', [randArray([10, 4], r), NDArray.fromValues('int64', [2, 3], [1, 0, 9, 3, 3, 7])]);
    check('aten.embedding.default', [randTransposed([10, 4], r), NDArray.fromValues('int64', [5], [2, 2, 0, 9, 1])]);
  });
  it('view declines what torch would reject, so the reference raises the error', () => {
    const ctx = kernelContext();
    expect(fastKernels().get('aten.view.default')!([t, [24]], ctx)).toBeUndefined();
  });
});
