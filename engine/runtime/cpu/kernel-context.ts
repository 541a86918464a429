// What a fast CPU kernel gets besides its arguments: pooled output buffers, the
// GEMM workspace, and a cache key for data that stays the same across runs.
// A fast kernel returns `undefined` to decline (unsupported dtype, layout or
// attribute); the runtime then runs the op's reference kernel from the registry.

import { NDArray, Storage, contiguousStrides, numelOf } from '../../core/ndarray';
import { isPyScalar, scalarToNumber } from '../../core/scalar';
import { type GemmWorkspace } from './gemm';

export interface KernelContext {
  readonly op: string;
  /** An f32 array of n elements from the run's buffer pool; its contents are garbage. */
  allocF32(n: number): Float32Array;
  /** Give back a buffer from allocF32 that nothing references any more (a kernel's scratch). */
  recycleF32?(a: Float32Array): void;
  readonly gemm: GemmWorkspace;
  /** A key to cache derived data (packed weights) under, when `a` never changes between runs. */
  frozenKey(a: NDArray): object | undefined;
}

/** Fast kernel: the op's bound positional arguments (NDArrays, numbers, lists) → result, or undefined to decline. */
export type FastKernel = (args: unknown[], ctx: KernelContext) => unknown;

/** A contiguous f32 NDArray over a pooled buffer. */
export function allocF32(ctx: KernelContext, shape: readonly number[]): NDArray {
  return new NDArray(new Storage('float32', ctx.allocF32(numelOf(shape))), [...shape], contiguousStrides(shape));
}

export const isF32 = (v: unknown): v is NDArray => v instanceof NDArray && v.dtype === 'float32';

/** A Python scalar argument as a number, or undefined for anything else. */
export function scalarArg(v: unknown): number | undefined {
  return isPyScalar(v) ? scalarToNumber(v) : undefined;
}

/** Contiguous and starting anywhere: elements are data[offset .. offset+numel). */
export function isDense(a: NDArray): boolean {
  return a.isContiguous();
}

/** The f32 view of an NDArray's storage. */
export const f32 = (a: NDArray): Float32Array => a.storage.data as Float32Array;
