// The WebGPU reduction kernels (ops/reduce.ts) against the CPU kernels: each op
// runs its GPU kernel directly on GPU-resident inputs (float32, and int64/bool in
// i32 buffers, keeping their strides: contiguous, transposed, sliced, broadcast)
// and must not decline; the result must match the registry's CPU kernel in shape,
// dtype and values. A few goldens come from torch 2.13 where the CPU kernel is not
// the reference (any/all over dim=[]). The runtime tests check that a chain of
// reductions stays on the GPU with one readback.

import { afterAll, beforeAll, describe, expect } from 'vitest';
import { type DType } from '../../core/dtype';
import { NDArray } from '../../core/ndarray';
import { PyFloat } from '../../core/scalar';
import { Graph } from '../../ir/graph';
import { defaultRegistry } from '../../ops/register-all';
import { bindArgs } from '../../ops/schema';
import { useTestDevice } from '../../../testing/webgpu';
import { CpuRuntime } from '../cpu/cpu-runtime';
import { expectClose, randArray, randSliced, rng } from '../cpu/test-helpers';
import { GpuExecutor, GpuStorage, isGpu } from './gpu-exec';
import { type GpuCtx } from './gpu-kernels';
import { GPU_KERNELS } from './kernel-table';
import { WebGpuRuntime } from './webgpu-runtime';

const testGpu = useTestDevice();
const gpuIt = (name: string, fn: () => Promise<void>) => testGpu.gpuIt(name, fn, 120_000);

/** One executor for the kernel tests, so compiled pipelines are reused. */
let exec: GpuExecutor | undefined;
beforeAll(() => {
  if (testGpu.dev) exec = new GpuExecutor(testGpu.dev.device);
});
afterAll(() => exec?.destroy()); // runs before the device's own afterAll (hooks unwind in reverse)

const r = rng(7);
const TOL = { atol: 2e-5, rtol: 2e-4 };

/** A host array on the GPU with the same shape, strides, offset and torch dtype. */
function toGpu(exec: GpuExecutor, a: NDArray): NDArray {
  const up = exec.upload(a, a.dtype === 'float32' ? 'f32' : 'i32', true);
  const st = up.storage as GpuStorage;
  return new NDArray(new GpuStorage(a.dtype, st.buffer, st.elems, st.elemType, false), [...a.shape], [...a.strides], a.offset);
}

function toHost(o: NDArray, data: Float32Array | Int32Array): NDArray {
  return NDArray.fromValues(o.dtype, o.shape, o.dtype === 'bool' ? Array.from(data, (v) => v !== 0) : data);
}

/** Run `target`'s GPU kernel on GPU copies of the tensor arguments (host ones where `host`); the kernel must not decline. */
async function gpuResult(target: string, bound: unknown[], host = false): Promise<unknown> {
  const ex = exec!;
  const g: GpuCtx = { exec: ex, gpu: (a, type) => (isGpu(a) ? a : ex.upload(a, type ?? 'f32', false)) };
  const onGpu = (a: unknown): unknown => (a instanceof NDArray ? (host ? a : toGpu(ex, a)) : Array.isArray(a) ? a.map(onGpu) : a);
  const res = GPU_KERNELS.get(target)!(bound.map(onGpu), g);
  expect(res, `${target} declined its arguments`).toBeTruthy();
  const outs: NDArray[] = [];
  const visit = (a: unknown): void => (isGpu(a) ? void outs.push(a) : Array.isArray(a) ? a.forEach(visit) : undefined);
  visit(res);
  const data = await ex.finish(outs);
  const back = new Map(outs.map((o, i) => [o, toHost(o, data[i]!)]));
  const swap = (a: unknown): unknown => (isGpu(a) ? back.get(a) : Array.isArray(a) ? a.map(swap) : a);
  return swap(res);
}

/** expectClose, with equal infinities counted as equal (its error term would be inf - inf). */
function expectNear(got: unknown, ref: unknown, tol: typeof TOL, path: string): void {
  const strip = (a: unknown, b: unknown): [unknown, unknown] => {
    if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
      const pairs = a.map((x, i) => strip(x, b[i]));
      return [pairs.map((p) => p[0]), pairs.map((p) => p[1])];
    }
    if (!(a instanceof NDArray && b instanceof NDArray) || a.numel !== b.numel || a.dtype !== 'float32' || b.dtype !== 'float32') return [a, b];
    const x = a.toArray(), y = b.toArray();
    const same = (i: number) => x[i] === y[i] && !Number.isFinite(x[i]!);
    return [NDArray.fromValues('float32', a.shape, x.map((v, i) => (same(i) ? 0 : v))), NDArray.fromValues('float32', b.shape, y.map((v, i) => (same(i) ? 0 : v)))];
  };
  const [a, b] = strip(got, ref);
  expectClose(a, b, tol, path);
}

/** GPU kernel vs the registry's CPU kernel on the same bound arguments. */
async function check(target: string, args: unknown[], kwargs: Record<string, unknown> = {}, opts: { tol?: typeof TOL; host?: boolean } = {}): Promise<void> {
  const def = defaultRegistry.get(target);
  const bound = bindArgs(def.parsed, args, kwargs);
  const cpu = def.cpu(bound, { op: target });
  const gpu = await gpuResult(target, bound, opts.host);
  expectNear(gpu, cpu, opts.tol ?? TOL, `${target}(${args.map(describeArg).join(', ')})`);
}

const describeArg = (a: unknown): string => (a instanceof NDArray ? `${a.dtype}[${a.shape.join(',')}]/[${a.strides.join(',')}]+${a.offset}` : JSON.stringify(a) ?? String(a));

/** Random arrays of `shape` in four layouts: contiguous, last two dims transposed, sliced (stride 2, offset 1), broadcast along dim 0. */
function layouts(shape: readonly number[], dtype: DType = 'float32', scale = 1): NDArray[] {
  const nd = shape.length;
  const out = [randArray(shape, r, dtype, scale)];
  if (nd >= 2) {
    const sw = [...shape];
    [sw[nd - 1], sw[nd - 2]] = [sw[nd - 2]!, sw[nd - 1]!];
    const base = randArray(sw, r, dtype, scale);
    const st = [...base.strides];
    [st[nd - 1], st[nd - 2]] = [st[nd - 2]!, st[nd - 1]!];
    out.push(base.withView(shape, st, 0));
  }
  if (nd >= 1) {
    const base = randArray([...shape.slice(0, -1), shape[nd - 1]! * 2 + 1], r, dtype, scale);
    out.push(base.withView(shape, [...base.strides.slice(0, -1), 2], 1));
  }
  if (nd >= 2 && shape[0]! > 1) {
    const base = randArray([1, ...shape.slice(1)], r, dtype, scale);
    out.push(base.withView(shape, [0, ...base.strides.slice(1)], 0));
  }
  return out;
}

const SHAPES = [[3, 4, 5], [2, 3, 4, 5], [300, 7], [5, 700], [9]];
/** Dim choices valid for a rank. */
const dimChoices = (nd: number): Array<number[] | null> => (nd >= 3 ? [[0], [1], [-1], [0, 2], [], null] : nd === 2 ? [[0], [1], [-1, 0], null] : [[0], null]);

/** A float array with values from a small set (many ties) and a few NaNs where `nans`. */
function tied(shape: number[], nans = false): NDArray {
  const n = shape.reduce((a, b) => a * b, 1);
  return NDArray.fromValues('float32', shape, Array.from({ length: n }, () => (nans && r() > 0.97 ? NaN : Math.floor(r() * 3))));
}

describe('WebGPU reductions vs the CPU kernels', () => {
  gpuIt('sum / mean / prod over dim lists, keepdim, every layout', async () => {
    for (const shape of SHAPES)
      for (const x of layouts(shape))
        for (const dims of dimChoices(shape.length))
          for (const keep of [false, true]) {
            await check('aten.sum.dim_IntList', [x, dims, keep]);
            await check('aten.mean.dim', [x, dims, keep]);
          }
    for (const x of [...layouts([3, 4, 5]), ...layouts([40, 50])]) {
      await check('aten.sum.default', [x]);
      await check('aten.mean.default', [x]);
      await check('aten.prod.dim_int', [x, 1, true]);
      await check('aten.prod.dim_int', [x, -1]);
    }
    await check('aten.prod.default', [randArray([4, 6], r, 'float32', 2)]);
    await check('aten.mean.dim', [randArray([2, 3, 4, 5], r), [-1, -2], true], {}, { host: true });
    await check('aten.sum.dim_IntList', [NDArray.fromValues('float32', [], [3.5]), [0]]);
    await check('aten.sum.dim_IntList', [randArray([0, 4], r), [0]]);
    await check('aten.mean.dim', [randArray([3, 0], r), [1]]);
  });

  gpuIt('sums are compensated: 1e8 + 2000 ones - 1e8 is exact', async () => {
    const vals = [1e8, ...new Array<number>(2000).fill(1), -1e8];
    const x = NDArray.fromValues('float32', [vals.length], vals);
    const [out] = [await gpuResult('aten.sum.default', [x, null])] as NDArray[];
    expect(out!.item()).toBe(2000);
    const rows = NDArray.fromValues('float32', [2, vals.length], [...vals, ...vals.map((v) => -v)]);
    const s = (await gpuResult('aten.sum.dim_IntList', [rows, [1], false, null])) as NDArray;
    expect(s.toArray()).toEqual([2000, -2000]);
  });

  gpuIt('few long rows take the split path (partials, then a second reduction)', async () => {
    const near1 = (shape: number[]) => NDArray.fromValues('float32', shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 1 + r() * 1e-4));
    for (const x of [randArray([70001], r), randArray([3, 20000], r).withView([20000, 3], [1, 20000], 0), randSliced([2, 9000], r)]) {
      const all = [...Array(x.ndim).keys()];
      await check('aten.sum.default', [x]);
      await check('aten.mean.dim', [x, [0]]);
      await check('aten.amax.default', [x, all]);
      await check('aten.min.default', [x]);
      await check('aten.any.dims', [x, null]);
      await check('aten.all.default', [x]);
    }
    await check('aten.sum.dim_IntList', [randArray([3, 40000], r), [1], true]);
    // More rows than one grid dimension holds (65535 workgroups): rows go over x and y.
    const tall = randArray([66000, 33], r);
    await check('aten.sum.dim_IntList', [tall, [1]]);
    const before = exec!.stats.dispatches;
    const big = [1e8, ...new Array<number>(30000).fill(1), -1e8];
    const exact = (await gpuResult('aten.sum.default', [NDArray.fromValues('float32', [big.length], big), null])) as NDArray;
    expect(exact.item()).toBe(30000);
    expect(exec!.stats.dispatches - before, 'two dispatches: partials, then their sum').toBe(2);
    await check('aten.prod.default', [near1([30000])]);
    await check('aten.sum.default', [randArray([50000], r, 'int64')]);
    await check('aten.amin.default', [randArray([4, 10000], r, 'int64'), [1]]);
    await check('aten.any.default', [NDArray.fromValues('bool', [20000], Array.from({ length: 20000 }, (_, i) => i === 17000))]);
    for (const x of [tied([2, 30000]), tied([30000, 3]).withView([3, 30000], [1, 3], 0), tied([2, 20000], true), randArray([2, 20000], r, 'int64')]) {
      await check('aten.argmax.default', [x, 1]);
      await check('aten.argmin.default', [x, -1, true]);
      await check('aten.max.dim', [x, 1]);
      await check('aten.min.dim', [x, 1, true]);
    }
    await check('aten.argmax.default', [tied([40, 500], true)]);
    const ab = exec!.stats.dispatches;
    const late = (nanAt: number) => NDArray.fromValues('float32', [50000], Array.from({ length: 50000 }, (_, i) => (i === 43210 || i === 47000 ? 5 : i === nanAt ? NaN : 1)));
    expect(((await gpuResult('aten.argmax.default', [late(48000), 0, false])) as NDArray).item()).toBe(48000);
    expect(((await gpuResult('aten.argmax.default', [late(-1), 0, false])) as NDArray).item()).toBe(43210);
    expect(exec!.stats.dispatches - ab, 'chunk winners, then the winner among them').toBe(4);
    const nan = randArray([30000], r);
    nan.storage.data[25000] = NaN;
    await check('aten.max.default', [nan]);
    await check('aten.sum.default', [nan]);
  });

  gpuIt('var / std / batch norm over few long rows: chunk moments merged (Chan), then the normalization', async () => {
    const shifted = (shape: number[]) => NDArray.fromValues('float32', shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 50 + 3 * r()));
    for (const x of [shifted([3, 20000]), shifted([20000, 3]).withView([3, 20000], [1, 3], 0), randSliced([2, 9000], r)]) {
      await check('aten.var.correction', [x, [1]]);
      await check('aten.std.correction', [x, [1]], { correction: 0, keepdim: true });
      await check('aten.var.correction', [x, null], { correction: 2 });
      await check('aten.std.dim', [x, [0, 1], false]);
    }
    const before = exec!.stats.dispatches;
    await gpuResult('aten.var.correction', [shifted([40000]), null, null, false]);
    expect(exec!.stats.dispatches - before, 'moments, then their merge').toBe(2);
    for (const x of [...layouts([4, 3, 48, 48], 'float32', 3), shifted([20000, 3])]) {
      const C = x.shape[1]!;
      const rm = randArray([C], r), rv = NDArray.fromValues('float32', [C], Array.from({ length: C }, () => 0.5 + Math.abs(r())));
      await check('aten._native_batch_norm_legit_functional.default', [x, randArray([C], r), randArray([C], r), rm, rv, true, 0.1, 1e-5]);
      await check('aten._native_batch_norm_legit_functional.default', [x, null, null, rm, rv, true, 0.2, 1e-3]);
      await check('aten._native_batch_norm_legit.no_stats', [x, randArray([C], r), null, true, 0.1, 1e-5]);
    }
    for (const x of layouts([2, 8, 40, 40], 'float32', 3)) {
      await check('aten.native_group_norm.default', [x, randArray([8], r), randArray([8], r), 2, 8, 1600, 1, 1e-5]);
      await check('aten.native_group_norm.default', [x, null, randArray([8], r), 2, 8, 1600, 2, 1e-3]);
      await check('aten.group_norm.default', [x, 1]);
    }
    const at = exec!.stats.dispatches;
    await gpuResult('aten._native_batch_norm_legit.no_stats', [randArray([2, 3, 80, 80], r), null, null, true, 0.1, 1e-5]);
    expect(exec!.stats.dispatches - at, 'moments, merge, normalization').toBe(3);
    const gat = exec!.stats.dispatches;
    await gpuResult('aten.native_group_norm.default', [randArray([1, 4, 64, 64], r), null, null, 1, 4, 4096, 1, 1e-5]);
    expect(exec!.stats.dispatches - gat, 'group norm: moments, merge, normalization').toBe(3);
  });

  gpuIt('logsumexp / log_softmax over few long rows: chunk (max, sum exp) merged, then x - lse', async () => {
    const rows = (vals: number[][]) => NDArray.fromValues('float32', [vals.length, vals[0]!.length], vals.flat());
    const n = 20000;
    const base = () => Array.from({ length: n }, () => 8 * r());
    const spiky = base().map((v, i) => (i === 15000 ? 90 : v - 500));
    const special = rows([base(), spiky, base().map((v, i) => (i === 3 ? Infinity : v)), base().map((v, i) => (i === 19999 ? NaN : v)), new Array<number>(n).fill(-Infinity), base().map((v, i) => (i < 12000 ? -Infinity : v))]);
    for (const x of [special, randArray([3, 12000], r, 'float32', 4).withView([12000, 3], [1, 12000], 0), randArray([50000], r, 'float32', 30)]) {
      await check('aten.logsumexp.default', [x, [0]]);
      await check('aten.logsumexp.default', [x, [-1], true]);
      await check('aten.log_softmax.int', [x, -1]);
      await check('aten._log_softmax.default', [x, 0, false]);
    }
    await check('aten.logsumexp.default', [randArray([30000], r, 'int64'), [0]]);
    const at = exec!.stats.dispatches;
    await gpuResult('aten.log_softmax.int', [randArray([2, 30000], r), 1, null]);
    expect(exec!.stats.dispatches - at, 'chunk pairs, merge, x - lse').toBe(3);
  });

  gpuIt('integer and bool inputs, dtype arguments (torch promotion: int/bool sums → int64)', async () => {
    for (const dtype of ['int64', 'bool'] as const)
      for (const x of layouts([6, 70], dtype)) {
        await check('aten.sum.dim_IntList', [x, [1]]);
        await check('aten.sum.dim_IntList', [x, [0], true]);
        await check('aten.sum.default', [x]);
        await check('aten.sum.default', [x], { dtype: 'float32' });
        await check('aten.prod.dim_int', [x, 0]);
        await check('aten.amax.default', [x, [1]]);
        await check('aten.amin.default', [x, [0]]);
        await check('aten.max.dim', [x, 1]);
        await check('aten.argmin.default', [x, 0]);
        await check('aten.cumsum.default', [x, 1]);
        await check('aten.logsumexp.default', [x, [1]]);
      }
    const f = randArray([5, 9], r, 'float32', 6);
    await check('aten.sum.dim_IntList', [f, [1]], { dtype: 'int64' });
    await check('aten.mean.dim', [f, [0]], { dtype: 'float32' });
    await check('aten.prod.default', [NDArray.fromValues('int64', [5], [2, -3, 1, 4, 5])]);
    await check('aten.cumprod.default', [randArray([4, 6], r, 'int64'), 0]);
  });

  gpuIt('amax / amin / max / min propagate NaN; max.dim / argmax keep the first index on ties', async () => {
    for (const shape of [[4, 6, 5], [3, 500], [300, 6]]) {
      for (const x of [tied(shape), tied(shape, true), ...layouts(shape)]) {
        for (const d of [0, 1, -1]) {
          await check('aten.max.dim', [x, d]);
          await check('aten.min.dim', [x, d, true]);
          await check('aten.argmax.default', [x, d]);
          await check('aten.argmin.default', [x, d, true]);
          await check('aten.amax.default', [x, [d]]);
          await check('aten.amin.default', [x, [d], true]);
        }
        await check('aten.argmax.default', [x]);
        await check('aten.argmin.default', [x, null, true]);
        await check('aten.max.default', [x]);
        await check('aten.min.default', [x]);
        await check('aten.amax.default', [x, []]);
      }
    }
    const nan = NDArray.fromValues('float32', [2, 4], [1, NaN, 3, NaN, -Infinity, -Infinity, 2, 2]);
    await check('aten.max.dim', [nan, 1]);
    await check('aten.argmin.default', [nan, 1]);
  });

  gpuIt('var / std: corrections, dims, one-element rows (NaN)', async () => {
    for (const shape of [[3, 4, 5], [300, 7], [4, 600]])
      for (const x of layouts(shape, 'float32', 3))
        for (const dims of dimChoices(shape.length)) {
          await check('aten.var.correction', [x, dims], { correction: 0, keepdim: true });
          await check('aten.var.correction', [x, dims]);
          await check('aten.std.correction', [x, dims], { correction: new PyFloat(2.5) });
          await check('aten.var.dim', [x, dims, false]);
          await check('aten.std.dim', [x, dims, true, true]);
        }
    const shifted = NDArray.fromValues('float32', [2, 1000], Array.from({ length: 2000 }, () => 1000 + r()));
    await check('aten.var.correction', [shifted, [1]]);
    await check('aten.std.correction', [randArray([4, 1], r), [1]]);
  });

  gpuIt('any / all over float (zeros, NaN), int and bool inputs', async () => {
    const sparse = (shape: number[]) => NDArray.fromValues('float32', shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (r() > 0.9 ? (r() > 0 ? NaN : 1) : 0)));
    const xs = [sparse([4, 5, 6]), sparse([200, 3]), ...layouts([4, 5, 6], 'bool'), ...layouts([3, 80], 'int64'), NDArray.fromValues('float32', [3, 2], [0, -0, 0, 1, -0, NaN])];
    for (const x of xs) {
      for (const op of ['any', 'all']) {
        await check(`aten.${op}.default`, [x]);
        await check(`aten.${op}.dim`, [x, 1]);
        await check(`aten.${op}.dim`, [x, -1, true]);
        await check(`aten.${op}.dims`, [x, [0, 1]]);
        await check(`aten.${op}.dims`, [x, null, true]);
      }
    }
  });

  gpuIt('any.dims / all.dims over dim=[] reduce nothing (torch 2.13 golden)', async () => {
    // torch.ops.aten.any.dims(torch.tensor([[0.,1.],[0.,0.]]), []) → [[False, True], [False, False]]; all.dims the same.
    const x = NDArray.fromValues('float32', [2, 2], [0, 1, 0, 0]);
    for (const op of ['aten.any.dims', 'aten.all.dims']) {
      const out = (await gpuResult(op, [x, [], false])) as NDArray;
      expect(out.dtype).toBe('bool');
      expect([...out.shape]).toEqual([2, 2]);
      expect(out.toArray()).toEqual([0, 1, 0, 0]);
    }
  });

  gpuIt('cumsum / cumprod along every dim, any layout; compensated cumsum', async () => {
    for (const shape of [[3, 4, 5], [2, 300], [7]])
      for (const x of layouts(shape))
        for (let d = -1; d < shape.length; d++) {
          await check('aten.cumsum.default', [x, d]);
          await check('aten.cumprod.default', [x, d]);
        }
    await check('aten.cumsum.default', [randArray([3, 4], r, 'float32', 5), 1], { dtype: 'int64' });
    await check('aten.cumsum.default', [NDArray.fromValues('float32', [], [2.5]), 0]);
    // Few long lanes: chunk totals, then each chunk from the totals before it.
    const near1 = NDArray.fromValues('float32', [2, 20000], Array.from({ length: 40000 }, () => 1 + r() * 1e-4));
    const longLanes: Array<[NDArray, number]> = [[randArray([20001], r), 0], [randArray([3, 12000], r).withView([12000, 3], [1, 12000], 0), 0], [near1, 1]];
    for (const [x, d] of longLanes) await check('aten.cumsum.default', [x, d]);
    await check('aten.cumprod.default', [near1, 1]);
    await check('aten.cumsum.default', [randArray([2, 10000], r, 'bool'), 1]);
    await check('aten.cumprod.default', [NDArray.fromValues('int64', [9000], Array.from({ length: 9000 }, (_, i) => (i % 1000 === 0 ? -1 : 1))), 0]);
    const before = exec!.stats.dispatches;
    const big = [1e8, ...new Array<number>(20000).fill(1), -1e8];
    const cs = (await gpuResult('aten.cumsum.default', [NDArray.fromValues('float32', [big.length], big), 0, null])) as NDArray;
    expect(cs.toArray().at(-1)).toBe(20000);
    expect(exec!.stats.dispatches - before, 'chunk totals, then the chunks').toBe(2);
    // torch: cumsum([1e8, 1, 1, -1e8]) = [1e8, 1e8, 1e8, 2] (accumulated in double).
    const c = (await gpuResult('aten.cumsum.default', [NDArray.fromValues('float32', [4], [1e8, 1, 1, -1e8]), 0, null])) as NDArray;
    expect(c.toArray()).toEqual([1e8, 1e8, 1e8, 2]);
  });

  gpuIt('logsumexp (infinite and NaN rows), vector norms of every ord', async () => {
    for (const shape of [[3, 4, 5], [300, 7], [4, 600]])
      for (const x of layouts(shape, 'float32', 4))
        for (const dims of dimChoices(shape.length)) {
          if (dims && dims.length) await check('aten.logsumexp.default', [x, dims, true]);
          for (const ord of [2, 1, Infinity, -Infinity, 0, 3, new PyFloat(0.5), -1]) await check('aten.linalg_vector_norm.default', [x, ord, dims]);
          if (dims) await check('aten.norm.ScalarOpt_dim', [x, null, dims, true]);
        }
    const bad = NDArray.fromValues('float32', [3, 4], [1, NaN, 2, 3, Infinity, 1, 2, 3, -Infinity, Infinity, 0, 1]);
    for (const d of [0, 1]) {
      for (const ord of [2, 1, Infinity, -Infinity, 0, 3, new PyFloat(0.5), -1]) await check('aten.linalg_vector_norm.default', [bad, ord, [d]]);
      await check('aten.var.correction', [bad, [d]]);
      await check('aten.std.correction', [bad, [d]]);
      await check('aten.logsumexp.default', [bad, [d]]);
      await check('aten.log_softmax.int', [bad, d]);
    }
    await check('aten._native_batch_norm_legit.no_stats', [bad, null, null, true, 0.1, 1e-5]);
    await check('aten.native_group_norm.default', [bad, null, null, 3, 4, 1, 2, 1e-5]);
    const special = NDArray.fromValues('float32', [4, 3], [-Infinity, -Infinity, -Infinity, Infinity, 1, 2, NaN, 1, 2, 0, 0, 0]);
    await check('aten.logsumexp.default', [special, [1]]);
    await check('aten.linalg_vector_norm.default', [special, Infinity, [1]]);
    await check('aten.linalg_vector_norm.default', [special, 2, [0]]);
  });

  gpuIt('log_softmax along every dim, any layout', async () => {
    for (const shape of [[3, 4, 5], [300, 7], [2, 700]])
      for (const x of layouts(shape, 'float32', 5))
        for (let d = -1; d < shape.length; d++) {
          await check('aten._log_softmax.default', [x, d, false]);
          await check('aten.log_softmax.int', [x, d]);
        }
    await check('aten.log_softmax.int', [randArray([4, 6], r), 1, 'float32']);
  });

  gpuIt('group norm and batch norm (training statistics, running-stat updates, eval)', async () => {
    const cases: Array<[number[], number]> = [[[2, 6, 4, 5], 3], [[3, 4, 7], 2], [[2, 4, 20, 20], 4], [[5, 6], 6]];
    for (const [shape, G] of cases)
      for (const x of layouts(shape, 'float32', 2)) {
        const C = shape[1]!;
        const hw = shape.slice(2).reduce((a, b) => a * b, 1);
        await check('aten.native_group_norm.default', [x, randArray([C], r), randArray([C], r), shape[0], C, hw, G, 1e-5]);
        await check('aten.native_group_norm.default', [x, null, null, shape[0], C, hw, G, 1e-3]);
        await check('aten.group_norm.default', [x, G, randArray([C], r)]);
      }
    for (const shape of [[4, 3, 5, 6], [8, 3], [2, 5, 40, 30]])
      for (const x of layouts(shape, 'float32', 3)) {
        const C = shape[1]!;
        const rm = randArray([C], r), rv = NDArray.fromValues('float32', [C], Array.from({ length: C }, () => 0.5 + Math.abs(r())));
        await check('aten._native_batch_norm_legit_functional.default', [x, randArray([C], r), randArray([C], r), rm, rv, true, 0.1, 1e-5]);
        await check('aten._native_batch_norm_legit_functional.default', [x, null, randArray([C], r), rm, rv, true, 0.3, 1e-3]);
        await check('aten._native_batch_norm_legit_functional.default', [x, randArray([C], r), null, rm, rv, false, 0.1, 1e-5]);
        await check('aten._native_batch_norm_legit.no_stats', [x, randArray([C], r), randArray([C], r), true, 0.1, 1e-5]);
        await check('aten._native_batch_norm_legit.no_stats', [x, null, null, true, 0.1, 1e-5]);
      }
  });
});

describe('WebGPU reductions vs torch 2.13 (goldens from torch.ops.aten on CPU)', () => {
  const x = () => NDArray.fromValues('float32', [4, 4], [1, NaN, 2, 3, Infinity, 1, 2, 3, -Infinity, Infinity, 0, 1, 2, 2, 1, 2]);
  const y = () => NDArray.fromValues('float32', [3, 4], [1, 2, 3, 4.5, 0.5, -1, 2, 8, 3, 3, 3, 3]);
  const near = (got: unknown, want: number[], what: string) => {
    const a = (got as NDArray).toArray();
    expect(a.length, what).toBe(want.length);
    want.forEach((w, i) => {
      const ok = Number.isNaN(w) ? Number.isNaN(a[i]!) : !Number.isFinite(w) ? a[i] === w : Math.abs(a[i]! - w) <= 1e-5 + 1e-5 * Math.abs(w);
      expect(ok, `${what}[${i}]: ${a[i]} vs torch ${w}`).toBe(true);
    });
  };
  gpuIt('NaN and infinities, ties, corrections, ords, scans', async () => {
    near(await gpuResult('aten.amax.default', [x(), [1], false]), [NaN, Infinity, Infinity, 2.0], 'amax');
    near(await gpuResult('aten.argmax.default', [x(), 1, false]), [1, 0, 1, 0], 'argmax');
    near(await gpuResult('aten.argmin.default', [x(), 1, false]), [1, 1, 0, 2], 'argmin');
    const [v, i] = (await gpuResult('aten.max.dim', [x(), 1, false])) as NDArray[];
    near(v, [NaN, Infinity, Infinity, 2.0], 'max.dim values');
    near(i, [1, 0, 1, 0], 'max.dim indices');
    near(((await gpuResult('aten.min.dim', [x(), 0, false])) as NDArray[])[1], [2, 0, 2, 2], 'min.dim indices');
    near(await gpuResult('aten.logsumexp.default', [x(), [1], false]), [NaN, Infinity, Infinity, 3.2142832279205322], 'logsumexp');
    near(await gpuResult('aten.linalg_vector_norm.default', [x(), 0, [1], false, null]), [4.0, 4.0, 3.0, 4.0], 'norm ord 0');
    near(await gpuResult('aten.linalg_vector_norm.default', [x(), Infinity, [1], false, null]), [NaN, Infinity, Infinity, 2.0], 'norm ord inf');
    near(await gpuResult('aten.linalg_vector_norm.default', [y(), -Infinity, [1], false, null]), [1.0, 0.5, 3.0], 'norm ord -inf');
    near(await gpuResult('aten.linalg_vector_norm.default', [y(), new PyFloat(0.5), [1], false, null]), [39.28261947631836, 35.39949035644531, 48.0], 'norm ord 0.5');
    near(await gpuResult('aten.var.correction', [y(), [1], 0, false]), [1.671875, 11.671875, 0.0], 'var correction 0');
    near(await gpuResult('aten.var.correction', [y(), [1], new PyFloat(2.5), false]), [4.458333492279053, 31.125, 0.0], 'var correction 2.5');
    near(await gpuResult('aten.std.correction', [y(), [0], null, false]), [1.3228756189346313, 2.0816659927368164, 0.5773502588272095, 2.565800666809082], 'std');
    near(await gpuResult('aten._log_softmax.default', [y(), 1, false]), [-3.7892403602600098, -2.7892403602600098, -1.7892402410507202, -0.2892402410507202, -7.503150463104248, -9.00314998626709, -6.003150463104248, -0.0031502642668783665, -1.3862943649291992, -1.3862943649291992, -1.3862943649291992, -1.3862943649291992], 'log_softmax');
    near(await gpuResult('aten.cumsum.default', [y(), 1, null]), [1.0, 3.0, 6.0, 10.5, 0.5, -0.5, 1.5, 9.5, 3.0, 6.0, 9.0, 12.0], 'cumsum');
    near(await gpuResult('aten.cumprod.default', [y(), 0, null]), [1.0, 2.0, 3.0, 4.5, 0.5, -2.0, 6.0, 36.0, 1.5, -6.0, 18.0, 108.0], 'cumprod');
    near(await gpuResult('aten.any.dim', [x(), 1, false]), [1, 1, 1, 1], 'any');
    near(await gpuResult('aten.all.dim', [x(), 1, false]), [1, 1, 0, 1], 'all');
    const mask = NDArray.fromValues('bool', [4, 4], x().toArray().map((e) => e > 1));
    const s = (await gpuResult('aten.sum.dim_IntList', [mask, [1], false, null])) as NDArray;
    expect(s.dtype).toBe('int64');
    near(s, [2, 3, 1, 3], 'sum of bool');
  });
});

describe('WebGPU reductions in the runtime', () => {
  gpuIt('argmax → sum (int64 on the GPU) → and a float chain run with one readback and no host fallback', async () => {
    const g = new Graph();
    const x = g.placeholder('x');
    const am = g.createNode('call_function', 'aten.argmax.default', [x, 1], {}, 'am');
    const s = g.createNode('call_function', 'aten.sum.dim_IntList', [am, [0]], {}, 's');
    const v = g.createNode('call_function', 'aten.var.correction', [x, [0, 1]], {}, 'v');
    const ls = g.createNode('call_function', 'aten.log_softmax.int', [x, 0], {}, 'ls');
    const mx = g.createNode('call_function', 'aten.max.dim', [ls, -1], {}, 'mx');
    const gi = g.createNode('call_function', 'getitem', [mx, 1], {}, 'gi');
    const an = g.createNode('call_function', 'aten.any.dims', [gi, null], {}, 'an');
    g.output([s, v, an, gi]);
    const inputs = [randArray([3, 40, 5], r)];
    const cpu = new CpuRuntime(g).run(inputs);
    const fallbacks: string[] = [];
    const rt = new WebGpuRuntime(g, testGpu.dev!, { onHostFallback: (op) => fallbacks.push(op) });
    const out = await rt.run(inputs);
    expectClose(out, cpu, TOL);
    expect(fallbacks).toEqual([]);
    expect(rt.exec.stats.readbacks).toBe(1);
  });

  gpuIt('split temporaries go back to the pool: a second run allocates no new buffers', async () => {
    const g = new Graph();
    const x = g.placeholder('x');
    const outs = [
      g.createNode('call_function', 'aten.sum.dim_IntList', [x, [1]], {}, 's'),
      g.createNode('call_function', 'aten.var.correction', [x, [1]], {}, 'v'),
      g.createNode('call_function', 'aten.log_softmax.int', [x, 1], {}, 'ls'),
      g.createNode('call_function', 'aten.argmax.default', [x, 1], {}, 'am'),
      g.createNode('call_function', 'aten.cumsum.default', [x, 1], {}, 'cs'),
    ];
    g.output(outs);
    const inputs = [randArray([2, 20000], r)];
    const cpu = new CpuRuntime(g).run(inputs);
    const rt = new WebGpuRuntime(g, testGpu.dev!);
    const created = () => (rt.exec as unknown as { pool: { created: number } }).pool.created;
    expectClose(await rt.run(inputs), cpu, TOL);
    const first = created();
    expectClose(await rt.run(inputs), cpu, TOL);
    expect(created()).toBe(first);
  });
});
