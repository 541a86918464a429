// Kernel calls cut across threads (see Note [Kernel threads]). The GEMM and
// matrix-vector kernels get a wrapper with the one-thread signatures, so the
// workspace that calls them does not change: parts are ranges of A or B panels,
// each writing its own rows or columns of C. The convolutions cut their own
// calls with runParts (conv-direct.ts). A call is cut only when each part has
// enough work to pay for publishing it.

import { KernelTeam, type CpuThreads, kernelFunctionNames } from './kernel-threads';
import { type GemmKernels, MR, NR, gemmModule } from './wasm-kernels';

/** Multiply-adds a part needs before a call is cut (~10 µs of one core). */
export const MIN_PART_MACS = 1 << 18;

/** [start, end) of part p when n items are cut into `parts` near-equal ranges. */
export function partRange(n: number, parts: number, p: number): [number, number] {
  return [Math.floor((p * n) / parts), Math.floor(((p + 1) * n) / parts)];
}

/** How many parts `items` units of `macsPerItem` each are cut into on `threads` threads. */
export function partsFor(items: number, macsPerItem: number, threads: number): number {
  return Math.max(1, Math.min(threads, items, Math.floor((items * macsPerItem) / MIN_PART_MACS)));
}

/** Threads a call can be cut into with these kernels (1 without a team). */
export const threadsOf = (k: GemmKernels): number => k.team?.size ?? 1;

/**
 * Run `fn` (the module's export `name`) over `parts` parts, part p's arguments
 * from argsOf(p): claimed by the workers and this thread when there is a team,
 * else all here in order. Parts must write disjoint memory.
 */
export function runParts(k: GemmKernels, name: string, fn: (...args: number[]) => void, parts: number, argsOf: (p: number) => number[]): void {
  if (parts < 2 || !k.team) {
    for (let p = 0; p < parts; p++) fn(...argsOf(p));
    return;
  }
  k.team.run(name, parts, argsOf, (a) => fn(...a));
}

/** `k` with gemm_panels, gemv_a and gemv_b cut across the threads. */
export function parallelKernels(k: GemmKernels, threads: CpuThreads): GemmKernels {
  const team = new KernelTeam(threads, kernelFunctionNames(gemmModule(true)!));
  const T = team.size;
  const gemmPanels: GemmKernels['gemmPanels'] = (pa, pb, pc, mp, np, K, ldc, order, bPanel, bRow, biasMode, pBias, act) => {
    const tile = MR * NR * K;
    // Cut the longer side: ranges of B panels (columns of C) or of A panels (rows of C).
    const alongN = np >= mp;
    const parts = partsFor(alongN ? np : mp, tile * (alongN ? mp : np), T);
    if (parts < 2) return k.gemmPanels(pa, pb, pc, mp, np, K, ldc, order, bPanel, bRow, biasMode, pBias, act);
    const argsOf = (p: number): number[] => {
      if (alongN) {
        const [j0, j1] = partRange(np, parts, p);
        return [pa, pb + j0 * bPanel, pc + j0 * NR * 4, mp, j1 - j0, K, ldc, order, bPanel, bRow, biasMode, pBias + (biasMode === 2 ? j0 * NR * 4 : 0), act];
      }
      const [i0, i1] = partRange(mp, parts, p);
      return [pa + i0 * K * MR * 4, pb, pc + i0 * MR * ldc, i1 - i0, np, K, ldc, order, bPanel, bRow, biasMode, pBias + (biasMode === 1 ? i0 * MR * 4 : 0), act];
    };
    team.run('gemm_panels', parts, argsOf, (a) => k.gemmPanels(...(a as Parameters<GemmKernels['gemmPanels']>)));
  };
  const gemvA: GemmKernels['gemvA'] = (pa, px, pc, mp, K, biasMode, pBias, act) => {
    const parts = partsFor(mp, MR * K, T);
    if (parts < 2) return k.gemvA(pa, px, pc, mp, K, biasMode, pBias, act);
    const argsOf = (p: number): number[] => {
      const [i0, i1] = partRange(mp, parts, p);
      return [pa + i0 * K * MR * 4, px, pc + i0 * MR * 4, i1 - i0, K, biasMode, pBias + (biasMode === 1 ? i0 * MR * 4 : 0), act];
    };
    team.run('gemv_a', parts, argsOf, (a) => k.gemvA(...(a as Parameters<GemmKernels['gemvA']>)));
  };
  const gemvB: GemmKernels['gemvB'] = (pa, pb, pc, np, K, bPanel, bRow, biasMode, pBias, act) => {
    const parts = partsFor(np, NR * K, T);
    if (parts < 2) return k.gemvB(pa, pb, pc, np, K, bPanel, bRow, biasMode, pBias, act);
    const argsOf = (p: number): number[] => {
      const [j0, j1] = partRange(np, parts, p);
      return [pa, pb + j0 * bPanel, pc + j0 * NR * 4, j1 - j0, K, bPanel, bRow, biasMode, pBias + (biasMode === 2 ? j0 * NR * 4 : 0), act];
    };
    team.run('gemv_b', parts, argsOf, (a) => k.gemvB(...(a as Parameters<GemmKernels['gemvB']>)));
  };
  return { ...k, gemmPanels, gemvA, gemvB, team };
}
