// GPU profiling (GpuExecutor.enableProfiling, Note [GPU profile]): every
// dispatch of a profiled run is timed by program, and the outputs are unchanged.

import { describe, expect, it } from 'vitest';
import { NDArray, Storage } from '../../core/ndarray';
import { useTestDevice } from '../../../testing/webgpu';
import { GpuExecutor } from './gpu-exec';
import { type MatOperand, gemmDispatch } from './ops/matmul';

const testGpu = useTestDevice();


describe('GPU profile', () => {
  it('times each dispatch by program and leaves results alone', async (ctx) => {
    if (!testGpu.dev) return ctx.skip(testGpu.why);
    const exec = new GpuExecutor(testGpu.dev.device);
    if (!exec.enableProfiling()) return ctx.skip('this adapter has no timestamp-query feature');
    const n = 8;
    const a = exec.upload(new NDArray(new Storage('float32', Float32Array.from({ length: n * n }, (_, i) => i % 7)), [n, n], [n, 1], 0), 'f32', false);
    const eye = exec.upload(new NDArray(new Storage('float32', Float32Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0))), [n, n], [n, 1], 0), 'f32', false);
    const op: MatOperand = { batchStrides: [], rs: n, cs: 1, offset: 0 };
    const c1 = exec.alloc([n, n]), c2 = exec.alloc([n, n]);
    const { program, run } = gemmDispatch(n, n, n, [], op, op, op, undefined, 1, 0);
    exec.dispatch(program, [a, eye], [c1], run);
    exec.dispatch(program, [c1, eye], [c2], run);
    const [out] = await exec.finish([c2]);
    expect(Array.from(out!)).toEqual(Array.from({ length: n * n }, (_, i) => i % 7));
    const entries = [...exec.profile];
    expect(entries).toHaveLength(1);
    expect(entries[0]![0]).toContain('gemm');
    expect(entries[0]![1].dispatches).toBe(2);
    expect(entries[0]![1].ms).toBeGreaterThanOrEqual(0);
    exec.destroy();
  });
});
