// WebGPU kernel: nonzero (the coordinates of the nonzero elements, row-major,
// as an int64 [count, ndim] tensor).
//
// Note [GPU nonzero]
// The output's size is the data, so the count must reach the host before the
// output can be allocated and any later op recorded; torch's CUDA nonzero
// synchronizes for the same reason. Three passes and one readback of 4 bytes:
//   1. flags: f[i] = (x[i] ≠ 0) over x's logical (row-major) index, through its
//      strides (the typed pointwise program; NaN counts as nonzero);
//   2. an inclusive scan of the flags (the cumsum kernel of ops/reduce.ts), whose
//      last element is the count, read back alone (GpuExecutor.finish submits
//      everything recorded so far);
//   3. compaction: every flagged i writes its coordinates into row scan[i] − 1,
//      so rows come out in row-major order.
// Only a tensor already on the GPU takes this path: for a host tensor the host
// kernel costs no GPU work and no readback. The runtime notices the readback
// and uploads its host inputs again for later steps (they were retired).

import { NDArray } from '../../../core/ndarray';
import { type GpuCtx, type GpuKernel, broadcastStrides } from '../gpu-kernels';
import { gpuStorage, isGpu } from '../gpu-exec';
import { type ProgramInfo, type RunData, Uniforms, gridFor, memoProgram } from '../program';
import { fusedElementwiseProgram, fusedElementwiseRun, leafKind } from './elementwise';
import { REDUCE_KERNELS } from './reduce';

const CUMSUM = new Map(REDUCE_KERNELS).get('aten.cumsum.default')!;

/** Uniforms: n, rank, then the sizes. Flagged element i writes its coordinates to out row scan[i] − 1. */
function compactProgram(rank: number): ProgramInfo {
  return memoProgram(`nonzero_compact|${rank}`, () => makeCompact(rank));
}

function makeCompact(rank: number): ProgramInfo {
  const lines: string[] = [];
  for (let d = rank - 1; d >= 0; d--) lines.push(`  { let s = U(${2 + d}u); out0[row + ${d}u] = i32(rem % s); rem = rem / s; }`);
  return {
    name: 'nonzero_compact',
    cacheKey: { hint: `r${rank}`, inputDependencies: ['i32', 'i32'] },
    bindings: { inputs: ['i32', 'i32'], outputs: ['i32'] },
    uniformWords: 2 + rank,
    getShaderSource: (h) => `${h.prelude()}
${h.main(`  if (idx >= U(0u) || in0[idx] == 0) { return; }
  let row = u32(in1[idx] - 1) * U(1u);
  var rem = idx;
${lines.join('\n')}`)}`,
  };
}

function compactRun(shape: readonly number[], n: number): RunData {
  return { uniforms: new Uniforms().u(n, shape.length, ...shape).build(), workgroups: gridFor(n) };
}

/** nonzero of a GPU tensor (Note [GPU nonzero]); undefined for host tensors and kinds the GPU cannot read. */
function nonzero(g: GpuCtx, x: unknown): Promise<NDArray> | undefined {
  if (!isGpu(x)) return undefined;
  const kind = leafKind(x);
  if (!kind) return undefined;
  return run(g, x, kind);
}

async function run(g: GpuCtx, x: NDArray, kind: 'f32' | 'i32' | 'bool'): Promise<NDArray> {
  const n = x.numel, nd = x.ndim;
  if (n === 0) return g.exec.alloc([0, nd], 'i32', 'int64');
  const flags = g.exec.alloc(x.shape, 'i32', 'bool');
  const ne = fusedElementwiseProgram({ t: 'typed', op: 'ne', args: [{ t: 'in', i: 0 }, { t: 'sc', i: 0, k: 'i32' }] }, [kind], nd, 1, 'bool');
  g.exec.dispatch(ne, [x], [flags], fusedElementwiseRun(x.shape, flags.strides, 0, [{ strides: broadcastStrides(x, x.shape), offset: x.offset }], [0]));
  const flat = flags.withView([n], [1], 0);
  const scan = CUMSUM([flat, 0, null], g) as NDArray;
  const [last] = await g.exec.finish([scan.withView([1], [1], scan.offset + n - 1)]);
  const count = last![0]!;
  const out = g.exec.alloc([count, nd], 'i32', 'int64');
  if (count > 0 && nd > 0) g.exec.dispatch(compactProgram(nd), [flat, scan], [out], compactRun(x.shape, n));
  g.exec.recycle(gpuStorage(flags));
  g.exec.recycle(gpuStorage(scan));
  return out;
}

export const NONZERO_KERNELS: ReadonlyArray<readonly [string, GpuKernel]> = [['aten.nonzero.default', ([x], g) => nonzero(g, x)]];

