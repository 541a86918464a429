// The GPU nonzero (ops/nonzero.ts, Note [GPU nonzero]) against the CPU kernel:
// float / int / bool inputs made on the GPU, contiguous, transposed and sliced,
// 0-d, empty, all-zero and all-nonzero; one mid-run readback of the count;
// host inputs uploaded before that readback are uploaded again after it.

import { afterAll, describe, expect } from 'vitest';
import { type DType } from '../../core/dtype';
import { NDArray } from '../../core/ndarray';
import { Graph, type Node } from '../../ir/graph';
import { CpuRuntime } from '../cpu/cpu-runtime';
import { rng } from '../cpu/test-helpers';
import { useTestDevice } from '../../../testing/webgpu';
import { type Build, type Op, annotatedGraph, freshInputs } from '../../../testing/graph-build';
import { GpuExecutor } from './gpu-exec';
import { placement } from './ops/elementwise';
import { WebGpuRuntime } from './webgpu-runtime';

const testGpu = useTestDevice();
const gpuIt = (name: string, fn: () => Promise<void>) => testGpu.gpuIt(name, fn, 120_000);

let exec: GpuExecutor | undefined;
const sharedExec = (): GpuExecutor => (exec ??= new GpuExecutor(testGpu.dev!.device));
afterAll(() => exec?.destroy());

const r = rng(31);


const graphOf = annotatedGraph;

/** GPU and CPU runs of the graph: outputs compared exactly; the GPU run's readbacks and fallbacks returned. */
async function check(inputs: readonly NDArray[], build: Build, label: string): Promise<{ readbacks: number; dispatches: number; fallbacks: string[]; out: NDArray[] }> {
  const graph = graphOf(inputs, build);
  const cpuRes = new CpuRuntime(graph).run(freshInputs(inputs));
  const cpu = (Array.isArray(cpuRes) ? cpuRes : [cpuRes]) as NDArray[];
  const fallbacks: string[] = [];
  const ex = sharedExec();
  const before = { ...ex.stats };
  const rt = new WebGpuRuntime(graph, testGpu.dev!, { onHostFallback: (op) => fallbacks.push(op) }, ex);
  const gpuRes = await rt.run(freshInputs(inputs));
  const gpu = (Array.isArray(gpuRes) ? gpuRes : [gpuRes]) as NDArray[];
  gpu.forEach((o, i) => {
    expect(o.dtype, label).toBe(cpu[i]!.dtype);
    expect(o.shape, label).toEqual(cpu[i]!.shape);
    expect(Array.from(o.toFlat() as ArrayLike<number>), label).toEqual(Array.from(cpu[i]!.toFlat() as ArrayLike<number>));
  });
  return { readbacks: ex.stats.readbacks - before.readbacks, dispatches: ex.stats.dispatches - before.dispatches, fallbacks, out: gpu };
}

/** Values with about `density` of them nonzero (float: ± values, zeros include -0). */
function sparse(dtype: DType, shape: number[], density: number): NDArray {
  const n = shape.reduce((a, b) => a * b, 1);
  const vals = Array.from({ length: n }, (_, i) => {
    const on = (r() + 1) / 2 < density;
    if (dtype === 'bool') return on ? 1 : 0;
    if (dtype === 'float32') return on ? r() * 4 + (r() > 0 ? 0.5 : -0.5) : i % 7 === 0 ? -0 : 0;
    return on ? Math.floor(r() * 9) + 1 : 0;
  });
  return NDArray.fromValues(dtype, shape, vals);
}

/** nonzero of x made on the GPU (detach is a GPU copy), optionally through a view first. */
const nonzeroOnGpu = (view?: (op: Op, n: Node) => Node): Build => (op, [x]) => {
  const d = op('aten.detach.default', [x!]);
  return op('aten.nonzero.default', [view ? view(op, d) : d]);
};
const transposed: (op: Op, n: Node) => Node = (op, n) => op('aten.transpose.int', [n, 0, 1]);
const sliced: (op: Op, n: Node) => Node = (op, n) => op('aten.slice.Tensor', [n, 1, 1, null, 2]);

async function withIntOnGpu<T>(fn: () => Promise<T>): Promise<T> {
  const prev = placement.intOnGpu;
  placement.intOnGpu = true;
  try {
    return await fn();
  } finally {
    placement.intOnGpu = prev;
  }
}

describe('GPU nonzero', () => {
  gpuIt('float / int64 / bool, contiguous and strided, against the CPU kernel; one count readback', async () => {
    await withIntOnGpu(async () => {
      for (const dtype of ['float32', 'int64', 'bool'] as DType[]) {
        for (const [shape, view, name] of [
          [[37], undefined, '1-d'],
          [[6, 11], undefined, '2-d'],
          [[3, 4, 5], undefined, '3-d'],
          [[9, 13], transposed, 'transposed'],
          [[5, 17], sliced, 'sliced'],
          [[40, 70], undefined, 'larger'],
        ] as Array<[number[], ((op: Op, n: Node) => Node) | undefined, string]>) {
          const label = `${dtype} ${name}`;
          const res = await check([sparse(dtype, shape, 0.4)], nonzeroOnGpu(view), label);
          expect(res.fallbacks, label).toEqual([]);
          expect(res.out[0]!.dtype, label).toBe('int64');
          // The count mid-run, the outputs at the end.
          expect(res.readbacks, label).toBe(2);
        }
      }
    });
  });

  gpuIt('empty results, all nonzero, 0-d and empty inputs', async () => {
    await withIntOnGpu(async () => {
      const zeros = await check([NDArray.zeros('float32', [4, 6])], nonzeroOnGpu(), 'all zero');
      expect(zeros.out[0]!.shape).toEqual([0, 2]);
      const ones = await check([NDArray.fromValues('bool', [3, 5], new Array<number>(15).fill(1))], nonzeroOnGpu(), 'all true');
      expect(ones.out[0]!.shape).toEqual([15, 2]);
      await check([NDArray.fromValues('float32', [2, 3], [1, 2, 3, 4, 5, 6])], nonzeroOnGpu(transposed), 'all nonzero, transposed');
      const scalar = await check([NDArray.scalar('float32', 2.5)], nonzeroOnGpu(), '0-d nonzero');
      expect(scalar.out[0]!.shape).toEqual([1, 0]);
      await check([NDArray.scalar('int64', 0)], nonzeroOnGpu(), '0-d zero');
      const empty = await check([NDArray.zeros('float32', [0, 3])], nonzeroOnGpu(), 'empty input');
      expect(empty.out[0]!.shape).toEqual([0, 2]);
    });
  });

  gpuIt('later steps after the count readback: GPU results kept, host inputs uploaded again', async () => {
    await withIntOnGpu(async () => {
      const x = sparse('float32', [8, 9], 0.5);
      const y = NDArray.fromValues('float32', [5], [1, -2, 3, -4, 5]);
      const z = NDArray.fromValues('float32', [5], [10, 20, 30, 40, 50]);
      // y is uploaded for sum (a kernel, not fused) before nonzero's readback and read
      // again by mul after it, once z (uploaded first after the readback) has taken
      // y's old upload buffer; the GPU value `a` made before the readback is read after it.
      const res = await check(
        [x, y, z],
        (op, [xn, yn, zn]) => {
          const a = op('aten.sum.default', [yn!]);
          const nz = op('aten.nonzero.default', [op('aten.detach.default', [xn!])]);
          const c = op('aten.sum.default', [zn!]);
          const b = op('aten.mul.Tensor', [yn!, a]);
          return [nz, b, op('aten.sum.default', [nz]), c];
        },
        'mixed',
      );
      expect(res.fallbacks).toEqual([]);
      expect(res.readbacks).toBe(2);
    });
  });

  gpuIt('NaN counts as nonzero (NaN ≠ 0, as torch); -0 does not', async () => {
    // torch: nonzero([nan, 0, -0, 2, nan]) == [[0], [3], [4]] (the CPU kernel agrees since it counts NaN too).
    await withIntOnGpu(async () => {
      const g = new Graph();
      const x = g.placeholder('x');
      const d = g.createNode('call_function', 'aten.detach.default', [x], {}, 'd');
      d.meta.val = { dtype: 'float32', shape: [5], strides: [1] };
      g.output(g.createNode('call_function', 'aten.nonzero.default', [d], {}, 'nz'));
      const rt = new WebGpuRuntime(g, testGpu.dev!, {}, sharedExec());
      const out = (await rt.run([NDArray.fromValues('float32', [5], [NaN, 0, -0, 2, NaN])])) as NDArray;
      expect(out.dtype).toBe('int64');
      expect(out.shape).toEqual([3, 1]);
      expect(Array.from(out.toFlat() as ArrayLike<number>)).toEqual([0, 3, 4]);
    });
  });

  gpuIt('a host input stays on the host (no GPU work, no readback)', async () => {
    const res = await check([sparse('float32', [4, 4], 0.5)], (op, [x]) => op('aten.nonzero.default', [x!]), 'host');
    expect(res.dispatches).toBe(0);
    expect(res.readbacks).toBe(0);
  });
});
