// Constant folding on the WebGPU runtime (gpu-fold.ts): shape-only and
// frozen-input steps run once per input-shape signature, kept GPU values
// survive the buffer pool across runs, and every run still equals the CPU's.

import { describe, expect } from 'vitest';
import { type NDArray } from '../../core/ndarray';
import { annotatedGraph } from '../../../testing/graph-build';
import { useTestDevice } from '../../../testing/webgpu';
import { CpuRuntime } from '../cpu/cpu-runtime';
import { expectClose, randArray, rng } from '../cpu/test-helpers';
import { WebGpuRuntime } from './webgpu-runtime';

const testGpu = useTestDevice();
const { gpuIt } = testGpu;

describe('WebGPU constant folding', () => {
  // out = relu(x·(w·w) + arange(x.size(1))) · y with w frozen: sym_size, arange and the GEMM w·w fold
  // (w·w is a GPU tensor kept across runs); x·(w·w) and the fused pointwise tail run every time.
  const build = (x: NDArray, w: NDArray, y: NDArray) =>
    annotatedGraph([w, x, y], (op, [wp, xp, yp]) => {
      const n = op('aten.sym_size.int', [xp, 1]);
      const ar = op('aten.arange.default', [n], { dtype: 'float32' });
      const ww = op('aten.mm.default', [wp, wp]);
      const h = op('aten.mm.default', [xp, ww]);
      return op('aten.mul.Tensor', [op('aten.relu.default', [op('aten.add.Tensor', [h, ar])]), yp]);
    });

  gpuIt('folds once per input-shape signature and matches the CPU on every run', async () => {
    const r = rng(21);
    const w = randArray([3, 3], r);
    const g = build(randArray([2, 3], r), w, randArray([2, 3], r));
    const gpu = new WebGpuRuntime(g, testGpu.dev!, { frozenInputs: new Set([0]) });
    const cpu = new CpuRuntime(g, { fold: false });
    expect(gpu.foldedSteps).toBe(3);
    let refreshes = 0;
    for (const [shape, refresh] of [[[2, 3], true], [[2, 3], false], [[2, 3], false], [[5, 3], true], [[5, 3], false], [[2, 3], true]] as const) {
      const x = randArray(shape, r), y = randArray(shape, r);
      const out = await gpu.run([w, x, y]);
      if (refresh) refreshes++;
      expect(gpu.foldRefreshes, `shape [${shape.join(', ')}]`).toBe(refreshes);
      expectClose(out, cpu.run([w, x, y]), { atol: 1e-6, rtol: 1e-6 });
    }
  });

  gpuIt('a new frozen array refreshes the kept values; without frozen inputs only the shape steps fold', async () => {
    const r = rng(22);
    const x = randArray([3, 4], r), y = randArray([3, 4], r);
    const g = build(x, randArray([4, 4], r), y);
    const gpu = new WebGpuRuntime(g, testGpu.dev!, { frozenInputs: new Set([0]) });
    const cpu = new CpuRuntime(g, { fold: false });
    for (let i = 0; i < 3; i++) {
      const w = randArray([4, 4], r);
      expectClose(await gpu.run([w, x, y]), cpu.run([w, x, y]), { atol: 1e-6, rtol: 1e-6 });
    }
    expect(gpu.foldRefreshes).toBe(3);
    expect(new WebGpuRuntime(g, testGpu.dev!).foldedSteps).toBe(2); // sym_size + arange
  });

  gpuIt('fewer steps and uploads per run once folded', async () => {
    const r = rng(23);
    const w = randArray([16, 16], r);
    const x = randArray([8, 16], r), y = randArray([8, 16], r);
    const g = build(x, w, y);
    const gpu = new WebGpuRuntime(g, testGpu.dev!, { frozenInputs: new Set([0]) });
    await gpu.run([w, x, y]);
    const { dispatches, uploads } = gpu.exec.stats;
    await gpu.run([w, x, y]);
    const second = { dispatches: gpu.exec.stats.dispatches - dispatches, uploads: gpu.exec.stats.uploads - uploads };
    // The first run also computed w·w and uploaded w and the arange; later runs upload x and y and run x·(w·w) and the fused tail.
    expect(second.uploads).toBe(2);
    expect(second.dispatches).toBe(2);
    expect(dispatches).toBeGreaterThan(second.dispatches);
  });
});
