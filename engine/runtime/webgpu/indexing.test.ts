// The WebGPU indexing, scatter, sort/topk, pooling and extra conv/matmul
// kernels against the CPU kernels, on random shapes with contiguous,
// transposed, sliced and broadcast operands, duplicate and negative indices;
// and against goldens from PyTorch 2.13 (CPU) where the CPU kernel does not
// decide (sort stability, topk ties, negative indices, accumulation).

import { afterAll, describe, expect } from 'vitest';
import { type DType } from '../../core/dtype';
import { NDArray } from '../../core/ndarray';
import { PyFloat } from '../../core/scalar';
import { Graph, type Node } from '../../ir/graph';
import { CpuRuntime } from '../cpu/cpu-runtime';
import { expectClose, randArray, randSliced, randTransposed, rng } from '../cpu/test-helpers';
import { useTestDevice } from '../../../testing/webgpu';
import { GpuExecutor } from './gpu-exec';
import { WebGpuRuntime } from './webgpu-runtime';

const testGpu = useTestDevice();
const gpuIt = (name: string, fn: () => Promise<void>) => testGpu.gpuIt(name, fn, 120_000);




const r = rng(23);

// One executor for every run: pipelines compile once (SwiftShader compiles slowly), as in a long-lived runtime.
let exec: GpuExecutor | undefined;
const sharedExec = (): GpuExecutor => (exec ??= new GpuExecutor(testGpu.dev!.device));
afterAll(() => exec?.destroy()); // runs before the device's own afterAll (hooks unwind in reverse)

/** A graph of `target` over placeholders (NDArray args); `pre` maps input i through a GPU op first (mul by 1). */
function opGraph(target: string, args: unknown[], kwargs: Record<string, unknown> = {}, viaGpu = false): { graph: Graph; inputs: NDArray[] } {
  const g = new Graph();
  const inputs: NDArray[] = [];
  const toArg = (a: unknown): unknown => {
    if (a instanceof NDArray) {
      inputs.push(a);
      const p = g.placeholder(`x${inputs.length - 1}`);
      if (!viaGpu || a.dtype !== 'float32' || inputs.length > 1) return p;
      // The first float input made on the GPU (a pointwise op), so in-place ops see GPU storage.
      const m = g.createNode('call_function', 'aten.mul.Tensor', [p, new PyFloat(1)], {}, 'pre');
      m.meta.val = { dtype: 'float32', shape: [...a.shape], strides: [...a.strides] };
      return m;
    }
    return Array.isArray(a) ? a.map(toArg) : a;
  };
  const node = g.createNode('call_function', target, args.map(toArg), Object.fromEntries(Object.entries(kwargs).map(([k, v]) => [k, toArg(v)])), 'op');
  g.output(node);
  const v = new CpuRuntime(g, { fuse: false }).run(inputs);
  const metaOf = (x: NDArray) => ({ dtype: x.dtype, shape: [...x.shape], strides: [...x.strides] });
  const n = g.outputNode!.args[0] as Node;
  if (v instanceof NDArray) n.meta.val = metaOf(v);
  else if (Array.isArray(v) && v[0] instanceof NDArray) n.meta.val = (v as NDArray[]).map(metaOf);
  return { graph: g, inputs };
}

/** Run on both runtimes; the op must have run on the GPU (dispatches, no host fallback). */
async function gpuRun(target: string, args: unknown[], kwargs: Record<string, unknown> = {}, viaGpu = false): Promise<{ gpu: unknown; cpu: unknown; dispatches: number }> {
  const { graph, inputs } = opGraph(target, args, kwargs, viaGpu);
  const cpu = new CpuRuntime(graph).run(inputs.map((x) => x.clone()));
  const fallbacks: string[] = [];
  const rt = new WebGpuRuntime(graph, testGpu.dev!, { onHostFallback: (op) => fallbacks.push(op) }, sharedExec());
  const before = rt.exec.stats.dispatches;
  const gpu = await rt.run(inputs);
  expect(fallbacks, `${target} fell back to the host`).toEqual([]);
  const dispatches = rt.exec.stats.dispatches - before;
  expect(dispatches, `${target} ran on the GPU`).toBeGreaterThanOrEqual(1);
  return { gpu, cpu, dispatches };
}

async function compare(target: string, args: unknown[], kwargs: Record<string, unknown> = {}, tol = { atol: 2e-5, rtol: 2e-4 }, viaGpu = false): Promise<unknown> {
  const { gpu, cpu } = await gpuRun(target, args, kwargs, viaGpu);
  expectClose(gpu, cpu, tol, target);
  return gpu;
}


/** Random integers in [lo, hi) as an int64 (or `dtype`) tensor. */
function randInt(shape: number[], lo: number, hi: number, dtype: DType = 'int64'): NDArray {
  const n = shape.reduce((a, b) => a * b, 1);
  return NDArray.fromValues(dtype, shape, Array.from({ length: n }, () => lo + Math.floor(((r() + 1) / 2) * (hi - lo))));
}

/** Random values from a small set (many ties). */
const ties = (shape: number[]): NDArray => NDArray.fromValues('float32', shape, randInt(shape, -3, 4).toArray());

const datas = (shape: number[]) => [randArray(shape, r), randTransposed(shape, r), randSliced(shape, r)];
const values = (a: unknown, i: number) => (a as NDArray[])[i]!.toArray();

describe('WebGPU indexing kernels vs the CPU kernels', () => {
  gpuIt('index_select: any dim, strided data, duplicate indices, int32 indices', async () => {
    for (const x of datas([5, 6])) {
      await compare('aten.index_select.default', [x, 0, randInt([7], 0, 5)]);
      await compare('aten.index_select.default', [x, -1, randInt([4], 0, 6, 'int32')]);
    }
    await compare('aten.index_select.default', [randArray([3, 4, 5], r), 1, NDArray.fromValues('int64', [5], [3, 3, 0, 1, 3])]);
    await compare('aten.index_select.default', [randArray([3, 4, 5], r), 2, NDArray.fromValues('int64', [], [4])]);
  });
  gpuIt('gather: index smaller than self, strided data and index', async () => {
    for (const x of datas([4, 6])) {
      await compare('aten.gather.default', [x, 1, randInt([3, 9], 0, 6)]);
      await compare('aten.gather.default', [x, 0, randInt([4, 2], 0, 4)]);
    }
    const idx = randInt([5, 3, 2], 0, 4).withView([3, 5, 2], [2, 6, 1], 0);
    await compare('aten.gather.default', [randArray([3, 5, 4], r), -1, idx]);
  });
  gpuIt('scatter.src / scatter.value: duplicates (last write wins), src larger than index, strided self', async () => {
    for (const x of datas([4, 6])) {
      await compare('aten.scatter.src', [x, 1, randInt([4, 9], 0, 6), randArray([5, 10], r)]);
      await compare('aten.scatter.value', [x, 0, randInt([7, 6], 0, 4), new PyFloat(-2.5)]);
    }
    await compare('aten.scatter.src', [randArray([3, 4, 5], r), 2, randInt([3, 2, 11], 0, 5), randTransposed([3, 2, 11], r)]);
  });
  gpuIt('index.Tensor: None entries, adjacent and split index dims, broadcast indices, host masks', async () => {
    for (const x of datas([5, 6])) {
      await compare('aten.index.Tensor', [x, [randInt([4], -5, 5)]]);
      await compare('aten.index.Tensor', [x, [null, randInt([2, 3], -6, 6)]]);
      await compare('aten.index.Tensor', [x, [randInt([3, 1], 0, 5), randInt([4], -6, 6)]]);
    }
    const x = randArray([4, 5, 6, 3], r);
    await compare('aten.index.Tensor', [x, [randInt([2], 0, 4), null, randInt([2], 0, 6)]]);
    await compare('aten.index.Tensor', [x, [null, randInt([3, 1], 0, 5), randInt([1, 2], 0, 6)]]);
    await compare('aten.index.Tensor', [x, [null, null, null, randInt([7], -3, 3)]]);
    await compare('aten.index.Tensor', [x, [randArray([4, 5], r, 'bool')]]);
    await compare('aten.index.Tensor', [x, [null, randArray([5], r, 'bool'), randInt([1], 0, 6)]]);
  });
  gpuIt('index_put / index_put_: accumulate or not, duplicates, broadcast values, GPU self in place', async () => {
    for (const x of datas([5, 6])) {
      const i0 = randInt([8], -5, 5), i1 = randInt([8], 0, 6);
      for (const acc of [false, true]) {
        await compare('aten.index_put.default', [x, [i0, i1], randArray([8], r), acc]);
        await compare('aten.index_put.default', [x, [null, randInt([3], 0, 6)], randArray([3], r), acc]);
        await compare('aten.index_put.default', [x, [randInt([2, 1], 0, 5), randInt([1, 3], 0, 6)], randArray([1], r), acc]);
        await compare('aten.index_put_.default', [x, [i0], randArray([6], r), acc], {}, undefined, true);
      }
    }
    await compare('aten.index_put.default', [randArray([4, 5], r), [randArray([4, 5], r, 'bool')], NDArray.fromValues('float32', [], [7]), false]);
  });
  gpuIt('distinct host indices write in one pass; duplicates take the claim pass', async () => {
    const perm = (n: number) => NDArray.fromValues('int64', [n], [...Array(n).keys()].sort(() => r()));
    for (const x of datas([6, 5])) {
      const one = await gpuRun('aten.index_put.default', [x, [perm(6).withView([4], [1], 1)], randArray([4, 5], r), false]);
      expectClose(one.gpu, one.cpu);
      expect(one.dispatches, 'clone + store').toBe(2);
      const dup = await gpuRun('aten.index_put.default', [x, [NDArray.fromValues('int64', [3], [1, -5, 2])], randArray([3, 5], r), false]);
      expectClose(dup.gpu, dup.cpu);
      expect(dup.dispatches, 'clone + fill + claim + write').toBe(4);
      const rows = NDArray.fromValues('int64', [2, 5], [...perm(6).toArray().slice(0, 5), ...perm(6).toArray().slice(0, 5)]);
      const sc = await gpuRun('aten.scatter.src', [x, 0, rows, randArray([2, 5], r)]);
      expectClose(sc.gpu, sc.cpu);
      const sv = await gpuRun('aten.scatter.value', [x, 1, NDArray.fromValues('int64', [2, 3], [4, 0, -1, 2, 3, 1]), new PyFloat(9)]);
      expectClose(sv.gpu, sv.cpu);
      expect(sv.dispatches, '(0,4) and (0,-1) name one target').toBe(4);
      const sd = await gpuRun('aten.scatter.value', [x, 1, NDArray.fromValues('int64', [2, 3], [4, 0, 1, 2, 3, 1]), new PyFloat(9)]);
      expectClose(sd.gpu, sd.cpu);
      expect(sd.dispatches, 'distinct per row').toBe(2);
    }
  });
  gpuIt('many writers per target at larger sizes (races on parallel hardware)', async () => {
    const n = 20000;
    const rows = randInt([n], -50, 50), vals = randArray([n, 8], r);
    for (const acc of [false, true]) await compare('aten.index_put.default', [randArray([50, 8], r), [rows], vals, acc], {}, { atol: 1e-3, rtol: 1e-4 });
    await compare('aten.scatter.src', [randArray([4, 30], r), 1, randInt([4, 5000], 0, 30), randArray([4, 5000], r)]);
  });
  gpuIt('negative indices and accumulation match torch', async () => {
    const x = NDArray.fromValues('float32', [3, 4], Array.from({ length: 12 }, (_, i) => i));
    const g1 = await compare('aten.index.Tensor', [x, [NDArray.fromValues('int64', [2], [-1, 0]), NDArray.fromValues('int64', [2, 1], [-2, 1])]]);
    expect((g1 as NDArray).toArray()).toEqual([10, 2, 9, 1]); // torch 2.13
    const rows = NDArray.fromValues('int64', [4], [-1, 0, -1, 2]), cols = NDArray.fromValues('int64', [4], [1, 1, 1, -1]);
    const v = NDArray.fromValues('float32', [4], [1, 2, 3, 4]);
    const acc = await compare('aten.index_put.default', [x, [rows, cols], v, true]);
    expect((acc as NDArray).toArray()).toEqual([0, 3, 2, 3, 4, 5, 6, 7, 8, 13, 10, 15]);
    const put = await compare('aten.index_put.default', [x, [rows, cols], v, false]);
    expect((put as NDArray).toArray()).toEqual([0, 2, 2, 3, 4, 5, 6, 7, 8, 3, 10, 4]);
  });
});

/** A graph of several ops: `build` gets the placeholders and adds nodes; the CPU result of the last is the reference. */
async function compareGraph(inputs: NDArray[], build: (g: Graph, ph: Node[]) => Node, hostOps: string[] = []): Promise<void> {
  const g = new Graph();
  const ph = inputs.map((_, i) => g.placeholder(`x${i}`));
  g.output(build(g, ph));
  const cpu = new CpuRuntime(g, { fuse: false }).run(inputs);
  const fallbacks: string[] = [];
  const gpu = await new WebGpuRuntime(g, testGpu.dev!, { onHostFallback: (op) => fallbacks.push(op) }, sharedExec()).run(inputs);
  expect(fallbacks, 'ops that fell back to the host').toEqual(hostOps);
  expectClose(gpu, cpu, { atol: 2e-5, rtol: 2e-4 });
}

describe('WebGPU indexing on GPU-made integer tensors (i32 buffers)', () => {
  const call = (g: Graph, target: string, args: unknown[], kwargs: Record<string, unknown> = {}) => g.createNode('call_function', target, args, kwargs);
  const item = (g: Graph, n: Node, i: number) => g.createNode('call_function', 'getitem', [n, i]);
  gpuIt('sort/topk indices feed index_select, gather and index.Tensor', async () => {
    await compareGraph([randArray([6, 4], r), randArray([6], r)], (g, [x, y]) => call(g, 'aten.index_select.default', [x, 0, call(g, 'aten.argsort.default', [y, 0, true])]));
    await compareGraph([randArray([5, 7], r)], (g, [x]) => call(g, 'aten.gather.default', [x, 1, call(g, 'aten.argsort.stable', [x], { stable: true, dim: 1 })]));
    await compareGraph([randArray([5, 9], r), randArray([9], r)], (g, [x, y]) => call(g, 'aten.index.Tensor', [x, [null, item(g, call(g, 'aten.topk.default', [y, 3]), 1)]]));
  });
  gpuIt('int64 data on the GPU: gather, scatter and index_put (accumulating with atomicAdd) keep exact integers', async () => {
    const y = randArray([4, 9], r);
    const idx = randInt([4, 6], 0, 9), rows = randInt([7], -4, 4);
    await compareGraph([y, idx], (g, [a, i]) => call(g, 'aten.gather.default', [call(g, 'aten.argsort.default', [a, 1]), 1, i]));
    await compareGraph([y, idx], (g, [a, i]) => call(g, 'aten.scatter.value', [call(g, 'aten.argsort.default', [a, 1]), 1, i, 100]));
    await compareGraph([y, idx, randInt([4, 6], -50, 50)], (g, [a, i, v]) => call(g, 'aten.scatter.src', [call(g, 'aten.argsort.default', [a, 1]), 1, i, v]));
    for (const acc of [false, true])
      await compareGraph([y, rows, randInt([7, 9], -1000, 1000)], (g, [a, i, v]) => call(g, 'aten.index_put.default', [call(g, 'aten.argsort.default', [a, 1]), [i], v, acc]));
    // int64 values past int32 cannot travel as i32: the host computes it.
    const big = NDArray.fromValues('int64', [4, 6], Array.from({ length: 24 }, (_, k) => 2 ** 33 + k));
    await compareGraph([y, idx, big], (g, [a, i, v]) => call(g, 'aten.scatter.src', [call(g, 'aten.argsort.default', [a, 1]), 1, i, v]), ['aten.scatter.src']);
    await compareGraph([y, idx], (g, [a, i]) => call(g, 'aten.scatter.value', [call(g, 'aten.argsort.default', [a, 1]), 1, i, 2 ** 40]), ['aten.scatter.value']);
  });
});

describe('WebGPU sort, argsort, topk vs the CPU kernels', () => {
  gpuIt('sort / argsort: every dim, both directions, ties and NaN, non-power-of-two lengths', async () => {
    for (const x of [ties([6, 13]), randTransposed([7, 5], r), randSliced([3, 17], r), ties([2, 3, 33])])
      for (const dim of [-1, 0])
        for (const desc of [false, true]) {
          await compare('aten.sort.default', [x, dim, desc]);
          await compare('aten.sort.stable', [x], { stable: true, dim, descending: desc });
          await compare('aten.argsort.default', [x, dim, desc]);
          await compare('aten.argsort.stable', [x], { stable: true, dim, descending: desc });
        }
    // Rows past the 512-element workgroup chunk: global stages between the in-memory ones.
    await compare('aten.sort.default', [randArray([2, 300], r), -1, false]);
    await compare('aten.sort.default', [ties([3, 1500]), -1, true]);
    await compare('aten.argsort.default', [randArray([513, 2], r), 0, false]);
    const nan = NDArray.fromValues('float32', [2, 6], [NaN, 1, -0, NaN, 0, -Infinity, 3, Infinity, NaN, -1, 3, 2]);
    for (const desc of [false, true]) {
      // Infinities defeat expectClose's tolerance arithmetic: exact comparison (NaN equals NaN, -0 differs from 0).
      const { gpu, cpu } = await gpuRun('aten.sort.default', [nan, 1, desc]);
      for (const i of [0, 1]) expect(values(gpu, i)).toEqual(values(cpu, i));
    }
  });
  gpuIt('topk: largest and smallest, any dim, k from 0 to the size', async () => {
    for (const x of [randArray([5, 9], r), randTransposed([6, 7], r), randSliced([4, 11], r)])
      for (const [k, dim, largest] of [[3, -1, true], [1, 0, false], [0, 1, true], [4, 0, true]] as const) await compare('aten.topk.default', [x, k, dim, largest]);
    await compare('aten.topk.default', [randArray([3, 100], r), 10]);
    await compare('aten.topk.default', [ties([64, 1000]), 10, -1, false]);
    await compare('aten.sort.default', [randArray([4, 5000], r), -1, true]);
  });
  gpuIt('sort stability, NaN order and topk ties match torch', async () => {
    const x = NDArray.fromValues('float32', [7], [1, 3, 3, 2, 3, 0, 3]);
    const s = await compare('aten.sort.stable', [x], { stable: true, descending: true });
    expect(values(s, 1)).toEqual([1, 2, 4, 6, 3, 0, 5]); // torch 2.13
    const y = NDArray.fromValues('float32', [5], [NaN, 1, NaN, -1, 2]);
    expect(values(await compare('aten.sort.default', [y]), 1)).toEqual([3, 1, 4, 0, 2]);
    expect(values(await compare('aten.sort.default', [y, -1, true]), 1)).toEqual([0, 2, 4, 1, 3]);
    // topk among ties: torch picks [1, 6]; which of the equal values is unspecified, so check values and what the indices point at.
    const { gpu } = await gpuRun('aten.topk.default', [x, 2]);
    expect(values(gpu, 0)).toEqual([3, 3]);
    const idx = values(gpu, 1);
    expect(new Set(idx).size).toBe(2);
    for (const i of idx) expect(x.toArray()[i]).toBe(3);
    const small = await gpuRun('aten.topk.default', [x, 3, -1, false]);
    expect(values(small.gpu, 0)).toEqual([0, 1, 2]);
    expect(values(small.gpu, 1)).toEqual([5, 0, 3]); // torch 2.13 (no ties)
  });
});

describe('WebGPU pooling and extra conv/matmul forms vs the CPU kernels', () => {
  gpuIt('max_pool2d_with_indices / max_pool1d: padding, dilation, ceil_mode, NaN, unbatched and strided inputs', async () => {
    const cases: Array<[number[], number[], number[], number[], number[], boolean]> = [
      [[2, 3, 9, 9], [3, 3], [2, 2], [1, 1], [1, 1], false],
      [[1, 2, 10, 7], [2, 3], [], [0, 1], [1, 1], true],
      [[1, 2, 11, 11], [3, 2], [2, 3], [1, 1], [2, 1], true],
      [[3, 8, 6], [2, 2], [1, 2], [1, 0], [1, 1], false],
    ];
    for (const [shape, k, s, p, d, ceil] of cases) for (const x of datas(shape)) await compare('aten.max_pool2d_with_indices.default', [x, k, s, p, d, ceil]);
    const nan = randArray([1, 1, 4, 4], r);
    nan.storage.data[5] = NaN;
    await compare('aten.max_pool2d_with_indices.default', [nan, [2, 2], [1, 1]]);
    for (const x of datas([2, 3, 20])) {
      await compare('aten.max_pool1d.default', [x, [3], [2], [1], [1], true]);
      await compare('aten.max_pool1d.default', [x, [4], [], [0], [2], false]);
    }
    await compare('aten.max_pool1d.default', [randArray([4, 15], r), [2]]);
  });
  gpuIt('avg_pool2d / avg_pool1d: ceil_mode, count_include_pad, divisor_override', async () => {
    for (const x of datas([2, 3, 9, 8]))
      for (const [ceil, cip, div] of [[false, true, null], [true, false, null], [true, true, 5], [false, false, null]] as const) {
        await compare('aten.avg_pool2d.default', [x, [3, 2], [2, 2], [1, 1], ceil, cip, div]);
        await compare('aten.avg_pool2d.default', [x, [2, 2], [], [0, 1], ceil, cip, div]);
      }
    await compare('aten.avg_pool2d.default', [randArray([3, 7, 7], r), [3, 3], [2, 2], [1, 1], true, false]);
    for (const x of datas([2, 3, 17])) {
      await compare('aten.avg_pool1d.default', [x, [3], [2], [1], true, false]);
      await compare('aten.avg_pool1d.default', [x, [4], [3], [2], false, true]);
    }
    await compare('aten.avg_pool1d.default', [randArray([3, 10], r), [2]]);
  });
  gpuIt("conv1d/conv2d with 'same' (odd padding on the right) and 'valid' padding", async () => {
    const tol = { atol: 1e-4, rtol: 1e-3 };
    for (const x of datas([2, 4, 9, 8])) {
      await compare('aten.conv2d.padding', [x, randArray([6, 4, 3, 3], r), randArray([6], r), [1, 1], 'same'], {}, tol);
      await compare('aten.conv2d.padding', [x, randArray([4, 2, 4, 2], r), null, [1, 1], 'same', [2, 1], 2], {}, tol);
      await compare('aten.conv2d.padding', [x, randArray([5, 4, 3, 2], r), randArray([5], r), [2, 1], 'valid', [1, 2]], {}, tol);
    }
    await compare('aten.conv2d.padding', [randArray([3, 7, 7], r), randTransposed([5, 3, 2, 2], r), null, [1, 1], 'same'], {}, tol);
    for (const x of datas([2, 3, 16])) {
      await compare('aten.conv1d.padding', [x, randArray([4, 3, 4], r), randArray([4], r), [1], 'same', [3]], {}, tol);
      await compare('aten.conv1d.padding', [x, randArray([4, 3, 5], r), null, [3], 'valid'], {}, tol);
    }
  });
  gpuIt('baddbmm, dot, mv on strided operands', async () => {
    const tol = { atol: 1e-4, rtol: 1e-3 };
    await compare('aten.baddbmm.default', [randArray([3, 5, 6], r), randArray([3, 5, 4], r), randTransposed([3, 4, 6], r)], { beta: new PyFloat(0.5), alpha: 2 }, tol);
    await compare('aten.baddbmm.default', [randArray([20], r), randTransposed([2, 17, 9], r), randArray([2, 9, 20], r)], {}, tol);
    const nan = NDArray.fromValues('float32', [1, 1, 3], [NaN, NaN, NaN]);
    await compare('aten.baddbmm.default', [nan, randArray([2, 4, 5], r), randArray([2, 5, 3], r)], { beta: 0 }, tol);
    await compare('aten.dot.default', [randArray([37], r), randSliced([37], r)], {}, tol);
    await compare('aten.mv.default', [randTransposed([19, 23], r), randArray([23], r)], {}, tol);
    await compare('aten.mv.default', [randSliced([7, 5], r), randArray([5], r)], {}, tol);
  });
});
