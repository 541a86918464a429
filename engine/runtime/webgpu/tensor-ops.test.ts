// The typed pointwise programs (comparisons, logic, bitwise, bool/int chains)
// and the kernels of ops/tensor-ops.ts (copies, conversions, factories,
// materializing movement, padding, tril/triu) and the views added to VIEW_OPS,
// each against the CPU runtime on random shapes with contiguous, transposed,
// sliced and broadcast inputs, checking that the GPU did the work.

import { describe, expect } from 'vitest';
import { NDArray, contiguousStrides } from '../../core/ndarray';
import { PyFloat } from '../../core/scalar';
import { type Node } from '../../ir/graph';
import { CpuRuntime } from '../cpu/cpu-runtime';
import { expectClose, randArray, randSliced, randTransposed, rng } from '../cpu/test-helpers';
import { useTestDevice } from '../../../testing/webgpu';
import { type Build, annotatedGraph, freshInputs } from '../../../testing/graph-build';
import { gpuStorage } from './gpu-exec';
import { placement } from './ops/elementwise';
import { WebGpuRuntime } from './webgpu-runtime';

const testGpu = useTestDevice();
const { gpuIt } = testGpu;


const r = rng(23);


const chain = annotatedGraph;

/** Run on both runtimes, compare, and return the GPU runtime's stats and fallbacks. */
async function check(inputs: readonly NDArray[], build: Build, tol = { atol: 2e-5, rtol: 2e-4 }, label = '', hook?: (rt: WebGpuRuntime) => void) {
  const graph = chain(inputs, build);
  const cpu = new CpuRuntime(graph).run(freshInputs(inputs));
  const fallbacks: string[] = [];
  const gpu = new WebGpuRuntime(graph, testGpu.dev!, { onHostFallback: (op) => fallbacks.push(op) });
  hook?.(gpu);
  const out = await gpu.run(freshInputs(inputs));
  expectClose(out, cpu, tol, label);
  return { stats: gpu.exec.stats, fallbacks };
}

/** One op over GPU inputs: each input goes through detach (a GPU copy), then `view` (e.g. a transpose). */
async function onGpu(target: string, inputs: readonly NDArray[], rest: unknown[] = [], kwargs: Record<string, unknown> = {}, view?: (op: Parameters<Build>[0], n: Node) => Node) {
  const prev = placement.intOnGpu;
  placement.intOnGpu = true;
  try {
    const res = await check(inputs, (op, xs) => op(target, [...xs.map((x) => (view ? view(op, op('aten.detach.default', [x])) : op('aten.detach.default', [x]))), ...rest], kwargs), undefined, target);
    expect(res.fallbacks, `${target}: no host fallback`).toEqual([]);
    expect(res.stats.dispatches, `${target}: ran on the GPU`).toBeGreaterThanOrEqual(1);
    return res;
  } finally {
    placement.intOnGpu = prev;
  }
}

/** An op with host inputs and constants only (factories); it must dispatch on the GPU. */
async function direct(target: string, args: unknown[], kwargs: Record<string, unknown> = {}, intOnGpu = true) {
  const prev = placement.intOnGpu;
  placement.intOnGpu = intOnGpu;
  try {
    const arrays = args.filter((a): a is NDArray => a instanceof NDArray);
    const res = await check(arrays, (op, xs) => {
      let k = 0;
      return op(target, args.map((a) => (a instanceof NDArray ? xs[k++]! : a)), kwargs);
    }, undefined, target);
    expect(res.stats.dispatches, `${target}: ran on the GPU`).toBeGreaterThanOrEqual(1);
    return res;
  } finally {
    placement.intOnGpu = prev;
  }
}

const T = (op: Parameters<Build>[0], n: Node) => op('aten.transpose.int', [n, 0, 1]);
const withSpecials = (shape: number[]) => {
  const a = randArray(shape, r, 'float32', 3);
  const v = a.toArray();
  [NaN, Infinity, -Infinity, 0, -0].forEach((s, i) => (v[(i * 7) % v.length] = s));
  return NDArray.fromValues('float32', shape, v);
};
const ints = (shape: number[], lo: number, hi: number) => NDArray.fromValues('int64', shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.floor(lo + ((r() + 1) / 2) * (hi - lo))));
const pairs: Array<[number[], number[]]> = [[[4, 5], [4, 5]], [[4, 5], [5]], [[3, 1, 5], [1, 4, 1]], [[6], []]];

describe('typed pointwise on WebGPU', () => {
  gpuIt('comparisons (Tensor and Scalar) on float, int64 and bool, broadcast and strided', async () => {
    for (const op of ['eq', 'ne', 'lt', 'le', 'gt', 'ge']) {
      for (const [a, b] of pairs) {
        const x = randArray(a, r), y = randArray(b, r).withView(b, contiguousStrides(b), 0);
        // equal elements included, so that eq/le/ge see ties
        await direct(`aten.${op}.Tensor`, [x, NDArray.fromValues('float32', x.shape, x.toArray().map((v, i) => (i % 3 ? v : 0.5)))]);
        await direct(`aten.${op}.Tensor`, [x, y]);
      }
      await direct(`aten.${op}.Tensor`, [randTransposed([5, 6], r), randSliced([5, 6], r)]);
      await direct(`aten.${op}.Scalar`, [withSpecials([4, 6]), new PyFloat(0.25)]);
      await onGpu(`aten.${op}.Tensor`, [ints([4, 5], -3, 3), ints([5], -3, 3)]);
      await onGpu(`aten.${op}.Scalar`, [ints([4, 5], -3, 3)], [1]);
      await onGpu(`aten.${op}.Scalar`, [ints([4, 5], -3, 3)], [new PyFloat(0.5)], {}, T);
      await onGpu(`aten.${op}.Tensor`, [randArray([3, 4], r, 'bool'), randArray([4], r, 'bool')]);
    }
  });
  gpuIt('logical ops, isnan/isinf, bitwise ops and round(decimals)', async () => {
    for (const op of ['logical_and', 'logical_or', 'logical_xor']) {
      await direct(`aten.${op}.default`, [withSpecials([4, 5]), randArray([5], r, 'bool')]);
      await onGpu(`aten.${op}.default`, [ints([3, 4], -1, 2), randArray([3, 1], r, 'bool')], [], {}, undefined);
    }
    await direct('aten.logical_not.default', [withSpecials([3, 7])]);
    await onGpu('aten.logical_not.default', [ints([4, 3], -2, 2)], [], {}, T);
    for (const op of ['isnan', 'isinf']) {
      await direct(`aten.${op}.default`, [withSpecials([5, 4])]);
      await onGpu(`aten.${op}.default`, [ints([3, 3], -5, 5)]);
    }
    for (const k of ['and', 'or', 'xor']) {
      await onGpu(`aten.bitwise_${k}.Tensor`, [ints([4, 5], -100, 100), ints([5], -100, 100)]);
      await onGpu(`aten.bitwise_${k}.Tensor`, [randArray([4, 5], r, 'bool'), randArray([4, 5], r, 'bool')], [], {}, T);
      await onGpu(`aten.bitwise_${k}.Scalar`, [ints([4, 5], -100, 100)], [13]);
      await onGpu(`aten.__${k}__.Tensor`, [ints([2, 3, 4], -9, 9), ints([3, 1], -9, 9)]);
      await onGpu(`aten.__${k}__.Scalar`, [randArray([3, 4], r, 'bool')], [true]);
    }
    await onGpu('aten.bitwise_not.default', [ints([4, 5], -50, 50)], [], {}, T);
    await onGpu('aten.bitwise_not.default', [randArray([4, 5], r, 'bool')]);
    for (const d of [2, 0, -1]) await direct('aten.round.decimals', [randArray([5, 6], r, 'float32', 40)], { decimals: d }, false);
    await direct('aten.round.decimals', [randTransposed([5, 6], r)], { decimals: 3 }, false);
  });
  gpuIt('integer arithmetic is exact within int32; larger host int64 inputs stay on the host', async () => {
    const big = NDArray.fromValues('int64', [4], [1_000_000_007, -1_073_741_823, 2_000_000_000, 5]);
    const other = NDArray.fromValues('int64', [4], [1_000_000_009, -1_073_741_824, 147_483_647, -7]);
    await onGpu('aten.add.Tensor', [big, other]);
    await onGpu('aten.sub.Tensor', [big, other]);
    await onGpu('aten.mul.Scalar', [NDArray.fromValues('int64', [3], [46340, -46341, 3])], [46340]);
    await onGpu('aten.eq.Tensor', [big, NDArray.fromValues('int64', [4], [1_000_000_007, 1, 2_000_000_000, 6])]);
    // 2^31 and beyond: the host computes (exactly, as int64).
    const prev = placement.intOnGpu;
    placement.intOnGpu = true;
    try {
      const huge = NDArray.fromValues('int64', [3], [2 ** 31, -(2 ** 33) + 1, 3]);
      const res = await check([huge, other.withView([3], [1], 0)], (op, [a, b]) => op('aten.add.Tensor', [a!, b!]));
      expect(res.stats.dispatches).toBe(0);
      const sc = await check([NDArray.fromValues('int64', [2], [1, 2])], (op, [a]) => op('aten.add.Scalar', [a!, 2 ** 32]));
      expect(sc.stats.dispatches).toBe(0);
    } finally {
      placement.intOnGpu = prev;
    }
  });
  gpuIt('int/bool outputs of arithmetic, where, clamp, fill keep their dtype; NaN survives clamp and relu', async () => {
    const a = () => ints([3, 4], -20, 20), b = () => ints([4], -20, 20);
    for (const op of ['add', 'sub', 'mul', 'maximum', 'minimum']) await onGpu(op === 'maximum' || op === 'minimum' ? `aten.${op}.default` : `aten.${op}.Tensor`, [a(), b()], [], {}, undefined);
    await onGpu('aten.add.Tensor', [a(), b()], [], { alpha: 3 });
    await onGpu('aten.add.Tensor', [randArray([3, 4], r, 'bool'), randArray([4], r, 'bool')]);
    await onGpu('aten.sub.Scalar', [a()], [7], {}, T);
    await onGpu('aten.mul.Scalar', [a()], [new PyFloat(0.5)]);
    await onGpu('aten.rsub.Scalar', [a()], [5]);
    for (const op of ['neg', 'abs']) await onGpu(`aten.${op}.default`, [a()], [], {}, T);
    await onGpu('aten.where.self', [randArray([3, 4], r, 'bool'), a(), b()]);
    await onGpu('aten.where.ScalarOther', [randArray([4], r, 'bool'), a()], [-1]);
    await onGpu('aten.masked_fill.Scalar', [a(), randArray([4], r, 'bool')], [99]);
    await onGpu('aten.clamp.default', [a()], [-5, 6], {}, T);
    await onGpu('aten.clamp_min.default', [a()], [0]);
    await onGpu('aten.fill.Scalar', [a()], [-3]);
    await onGpu('aten.fill.Scalar', [randArray([3, 4], r, 'bool')], [true]);
    await onGpu('aten.zero.default', [a()]);
    // in place into a transposed GPU int tensor (the runtime's strided in-place path)
    await onGpu('aten.add_.Tensor', [a(), a()], [], {}, T);
    await onGpu('aten.masked_fill_.Scalar', [a(), randArray([3, 4], r, 'bool')], [-8], {}, T);
    // (no infinities: the comparison helper's |x − y| is NaN for them)
    const nan = () => NDArray.fromValues('float32', [4, 6], F([4, 6]).toArray().map((v, i) => (i % 5 ? v : NaN)));
    await direct('aten.clamp.default', [nan(), new PyFloat(-0.5), new PyFloat(0.5)], {}, false);
    await direct('aten.relu.default', [nan()], {}, false);
  });
  gpuIt('a bool mask computed on the GPU feeds scaled_dot_product_attention', async () => {
    const [q, k, v] = [F([2, 5, 8]), F([2, 6, 8]), F([2, 6, 8])];
    // The attention program binds its mask as f32: it must get one (i32 bits read as f32 are denormals, flushed on many GPUs).
    const maskTypes: string[] = [];
    const spy = (rt: WebGpuRuntime) => {
      const dispatch = rt.exec.dispatch.bind(rt.exec);
      rt.exec.dispatch = (p, ins, outs, run) => {
        if (p.name === 'attention_softmax') maskTypes.push(...ins.map((t) => `${p.bindings.inputs[0]}:${gpuStorage(t).elemType}`));
        dispatch(p, ins, outs, run);
      };
    };
    const res = await check([q, k, v, F([5, 6])], (op, [a, b, c, s]) => {
      const m = op('aten.logical_or.default', [op('aten.gt.Scalar', [op('aten.softmax.int', [s!, -1]), new PyFloat(0.15)]), op('aten.eye.m', [5, 6], { dtype: 'bool' })]);
      return op('aten.scaled_dot_product_attention.default', [a!, b!, c!, m]);
    }, undefined, 'sdpa', spy);
    expect(res.fallbacks).toEqual([]);
    expect(maskTypes).toEqual(['f32:f32']);
  });
  gpuIt("gpt2's causal-mask chain (arange → le / eq → __and__) fuses and stays on the GPU", async () => {
    const prev = placement.intOnGpu;
    placement.intOnGpu = true;
    try {
      const n = 7;
      const res = await check([], (op) => {
        const a = op('aten.arange.default', [n]);
        const b = op('aten.arange.default', [n]);
        const rows = op('aten.unsqueeze.default', [a, 1]);
        const cols = op('aten.unsqueeze.default', [b, 0]);
        const le = op('aten.le.Tensor', [cols, rows]);
        const eq = op('aten.eq.Scalar', [op('aten.sub.Tensor', [rows, cols]), 0]);
        const both = op('aten.__and__.Tensor', [le, op('aten.logical_not.default', [eq])]);
        return op('aten.where.ScalarOther', [both, new PyFloat(1.5), new PyFloat(-2)]);
      });
      // two aranges and one fused dispatch for le, sub, eq, not, __and__, where
      expect(res.stats.dispatches).toBe(3);
      expect(res.stats.readbacks).toBe(1);
      expect(res.fallbacks).toEqual([]);
      // Without the placement flag, the same chain runs on the host and still agrees.
      placement.intOnGpu = false;
      const host = await check([], (op) => op('aten.__and__.Tensor', [op('aten.le.Tensor', [op('aten.arange.default', [n]), 3]), op('aten.arange.default', [n])]));
      expect(host.stats.dispatches).toBe(0);
    } finally {
      placement.intOnGpu = prev;
    }
  });
  gpuIt('a bool mask made from GPU data stays on the GPU and feeds float ops', async () => {
    const res = await check([randArray([4, 6], r), randArray([6], r)], (op, [x, y]) => {
      const m = op('aten.gt.Tensor', [op('aten.relu.default', [x!]), y!]);
      const k = op('aten.logical_or.default', [m, op('aten.isnan.default', [x!])]);
      return op('aten.masked_fill.Scalar', [x!, k, new PyFloat(-1)]);
    });
    expect(res.stats.dispatches).toBeLessThanOrEqual(2);
    expect(res.fallbacks).toEqual([]);
  });
});

const F = (shape: number[]) => randArray(shape, r, 'float32', 2);
const inputsOf = () => [F([4, 5]), randTransposed([5, 4], r), randSliced([3, 6], r)];
/** An op over host float32 inputs (uploaded) or, with `view`, over GPU copies viewed by it. */
async function floatOp(target: string, inputs: NDArray[], rest: unknown[] = [], kwargs: Record<string, unknown> = {}) {
  const res = await check(inputs, (op, xs) => op(target, [...xs, ...rest], kwargs), undefined, target);
  expect(res.stats.dispatches, `${target}: ran on the GPU`).toBeGreaterThanOrEqual(1);
}

describe('tensor kernels on WebGPU', () => {
  gpuIt('copies and dtype conversions keep or convert the element type', async () => {
    const withNaN = NDArray.fromValues('float32', [4, 5], F([4, 5]).toArray().map((v, i) => (i % 7 ? (i % 5 ? v : 0) : NaN)));
    const sources = [withNaN, ints([4, 5], -4, 4), randArray([4, 5], r, 'bool')];
    for (const x of sources)
      for (const dtype of ['float32', 'int64', 'int32', 'bool']) {
        if (x.dtype === 'float32' && dtype !== 'float32' && dtype !== 'bool') continue; // NaN → int is undefined in torch
        await onGpu('aten._to_copy.default', [x], [], { dtype }, T);
        await onGpu('aten.to.dtype', [x], [dtype]);
        await onGpu('aten.to.dtype_layout', [x], [], { dtype }, T);
        await onGpu('aten.to.device', [x], ['cpu', dtype]);
      }
    await onGpu('aten._to_copy.default', [F([3, 4])], [], { dtype: 'int64' }, T);
    await onGpu('aten.type_as.default', [ints([3, 4], -5, 5), F([1])]);
    await onGpu('aten.type_as.default', [F([3, 4]), randArray([2], r, 'bool')]);
    for (const x of [F([3, 4]), ints([3, 4], -9, 9), randArray([3, 4], r, 'bool')]) {
      await onGpu('aten.lift_fresh_copy.default', [x], [], {}, T);
      await onGpu('aten.clone.default', [x], [], {}, T);
      await onGpu('aten.contiguous.default', [x], [], {}, T);
    }
    await onGpu('aten.copy.default', [F([3, 4]), ints([4], -3, 3)]);
    await onGpu('aten.copy.default', [ints([4, 3], 0, 9), F([4, 3])], [], {}, T);
    await onGpu('aten.copy_.default', [F([4, 3]), F([1, 3])]);
    await onGpu('aten.copy_.default', [ints([3, 4], 0, 9), randArray([4], r, 'bool')]);
    await onGpu('aten.native_dropout.default', [F([3, 4])], [new PyFloat(0.3), false], {}, T);
    await onGpu('aten.native_dropout.default', [F([3, 4])], [new PyFloat(0), true]);
  });
  gpuIt('factories: constants, like/new, arange, linspace, eye', async () => {
    for (const dtype of [null, 'float32', 'int64', 'bool']) {
      await direct('aten.zeros.default', [[3, 4]], { dtype });
      await direct('aten.ones.default', [[2, 3, 2]], { dtype });
      await direct('aten.empty.memory_format', [[5]], { dtype });
      await direct('aten.scalar_tensor.default', [new PyFloat(2.5)], { dtype });
      await direct('aten.zeros_like.default', [randTransposed([3, 4], r)], { dtype });
      await direct('aten.ones_like.default', [ints([2, 3], 0, 3)], { dtype });
      await direct('aten.empty_like.default', [F([2, 3])], { dtype });
      await direct('aten.new_zeros.default', [ints([2], 0, 3), [3, 2]], { dtype });
      await direct('aten.new_ones.default', [F([2]), [4]], { dtype });
      await direct('aten.new_empty.default', [F([2]), [2, 2]], { dtype });
      await direct('aten.eye.default', [4], { dtype });
      await direct('aten.eye.m', [3, 5], { dtype });
    }
    for (const v of [new PyFloat(1.5), 7, true, -3]) {
      await direct('aten.full.default', [[3, 2], v]);
      await direct('aten.full_like.default', [randTransposed([3, 4], r), v]);
      await direct('aten.new_full.default', [ints([2], 0, 3), [2, 3], v]);
    }
    await direct('aten.full.default', [[2, 2], new PyFloat(2.7)], { dtype: 'int64' });
    await direct('aten.empty_permuted.default', [[2, 3, 4], [0, 2, 1]]);
    await direct('aten.arange.default', [10]);
    await direct('aten.arange.default', [new PyFloat(4.5)]);
    await direct('aten.arange.start', [-3, 9]);
    await direct('aten.arange.start_step', [10, -5, -3]);
    await direct('aten.arange.start_step', [new PyFloat(0), new PyFloat(1), new PyFloat(0.1)]);
    await direct('aten.arange.start_step', [1, 20, 2], { dtype: 'float32' });
    await direct('aten.linspace.default', [new PyFloat(-1), new PyFloat(2), 7]);
    await direct('aten.linspace.default', [0, 10, 4], { dtype: 'int64' });
    await direct('aten.linspace.default', [new PyFloat(3), new PyFloat(3), 1]);
  });
  gpuIt('materializing movement: stack, repeat, tile, flip, roll, diff', async () => {
    for (const x of inputsOf()) {
      await check([x, F(x.shape as number[])], (op, [a, b]) => op('aten.stack.default', [[a!, b!], 1]), undefined, 'stack');
      await floatOp('aten.repeat.default', [x], [[2, 1, 3]]);
      await floatOp('aten.tile.default', [x], [[2]]);
      await floatOp('aten.flip.default', [x], [[0, -1]]);
      await floatOp('aten.flip.default', [x], [[1]]);
      await floatOp('aten.roll.default', [x], [[2, -1], [0, 1]]);
      await floatOp('aten.roll.default', [x], [[7]]);
      await floatOp('aten.diff.default', [x], [1, -1]);
      await floatOp('aten.diff.default', [x], [2, 0]);
    }
    const st = await check([F([2, 3]), randTransposed([2, 3], r), F([3])], (op, [a, b, c]) => op('aten.stack.default', [[a!, b!, op('aten.expand.default', [c!, [2, 3]])], -1]));
    expect(st.stats.dispatches).toBe(3);
    const df = await check([F([3, 4]), F([3, 1]), randTransposed([3, 2], r)], (op, [x, p, a]) => op('aten.diff.default', [x!, 2, 1, p!, a!]));
    expect(df.stats.dispatches).toBe(5);
    const prev = placement.intOnGpu;
    placement.intOnGpu = true;
    try {
      const si = await check([ints([2, 3], 0, 9), ints([2, 3], 0, 9)], (op, [a, b]) => op('aten.stack.default', [[op('aten.detach.default', [a!]), b!], 0]));
      expect(si.stats.dispatches).toBe(3);
    } finally {
      placement.intOnGpu = prev;
    }
    await onGpu('aten.repeat.default', [randArray([2, 3], r, 'bool')], [[2, 2]], {}, T);
    // int GPU tensors through cat and reshapes keep their dtype and values (base kernels copy as float32)
    const prevP = placement.intOnGpu;
    placement.intOnGpu = true;
    try {
      const c = await check([ints([3, 2], -9, 9), ints([4, 3], -9, 9)], (op, [a, b]) => op('aten.cat.default', [[op('aten.detach.default', [a!]), op('aten.transpose.int', [op('aten.detach.default', [b!]), 0, 1])], 1]));
      expect(c.stats.dispatches).toBe(4);
      const bc = await check([randArray([2, 3], r, 'bool'), randArray([2, 2], r, 'bool')], (op, [a, b]) => op('aten.cat.default', [[op('aten.detach.default', [a!]), b!], -1]));
      expect(bc.fallbacks).toEqual([]);
      const rs = await check([ints([3, 4], -9, 9)], (op, [a]) => op('aten.reshape.default', [op('aten.transpose.int', [op('aten.detach.default', [a!]), 0, 1]), [2, 6]]));
      expect(rs.fallbacks).toEqual([]);
      await check([randArray([2, 3, 2], r, 'bool')], (op, [a]) => op('aten.flatten.using_ints', [op('aten.permute.default', [op('aten.detach.default', [a!]), [2, 0, 1]]), 0, 1]));
    } finally {
      placement.intOnGpu = prevP;
    }
    await onGpu('aten.flip.default', [ints([3, 4], -9, 9)], [[1]], {}, T);
    await onGpu('aten.roll.default', [ints([3, 4], -9, 9)], [[1], [1]], {}, T);
    await onGpu('aten.diff.default', [ints([3, 5], -9, 9)], [1, 1]);
    await onGpu('aten.diff.default', [randArray([3, 5], r, 'bool')], [2, -1]);
  });
  gpuIt('tril/triu, constant padding, as_strided and the views', async () => {
    for (const x of [F([5, 6]), randTransposed([4, 7], r), F([2, 3, 4])])
      for (const k of [-1, 0, 2]) {
        await floatOp('aten.tril.default', [x], [k]);
        await floatOp('aten.triu.default', [x], [k]);
      }
    await onGpu('aten.tril.default', [ints([4, 4], -9, 9)], [1], {}, T);
    await onGpu('aten.triu.default', [randArray([3, 5], r, 'bool')], [-1]);
    for (const x of inputsOf()) {
      await floatOp('aten.constant_pad_nd.default', [x], [[1, 2], new PyFloat(-0.5)]);
      await floatOp('aten.constant_pad_nd.default', [x], [[-1, 2, 0, 1]]);
      await floatOp('aten.pad.default', [x], [[2, -1, 1, 1]], { value: new PyFloat(3) });
    }
    await onGpu('aten.constant_pad_nd.default', [ints([3, 4], -9, 9)], [[1, 1], 5], {}, T);
    // Views over GPU data (after relu): pure stride arithmetic, then one densifying copy.
    const views: Array<[string, unknown[]]> = [
      ['aten.swapaxes.default', [0, 2]],
      ['aten.movedim.int', [0, -1]],
      ['aten.movedim.intlist', [[0, 1], [2, 0]]],
      ['aten.narrow.default', [1, 1, 2]],
      ['aten.chunk.default', [2, 2]],
      ['aten.unbind.int', [1]],
      ['aten.as_strided.default', [[3, 2], [1, 4], 2]],
      ['aten.expand_as.default', []],
      ['aten.view_as.default', []],
    ];
    for (const [target, rest] of views) {
      const x = F([2, 3, 4]);
      const other = target === 'aten.expand_as.default' ? F([5, 2, 3, 4]) : F([6, 4]);
      const res = await check([x, other], (op, [a, b]) => {
        const y = op('aten.relu.default', [a!]);
        return op(target, target.endsWith('_as.default') ? [y, b!] : [y, ...rest]);
      }, undefined, target);
      expect(res.fallbacks, target).toEqual([]);
      expect(res.stats.readbacks, target).toBe(1);
    }
  });
  gpuIt('scalar ops: item reads a GPU value back as a host step; _assert_scalar reads no tensor', async () => {
    // x is uploaded before the readback and read again after it
    const res = await check([F([1]), F([3])], (op, [x, y]) => op('aten.mul.Tensor', [op('aten.mul.Scalar', [y!, op('aten.item.default', [op('aten.relu.default', [x!])])]), x!]));
    expect(res.fallbacks).toEqual(['aten.item.default']);
    const a = await check([F([2])], (op, [x]) => {
      op('aten._assert_scalar.default', [true, 'check']);
      return op('aten.relu.default', [x!]);
    });
    expect(a.fallbacks).toEqual([]);
  });
});
