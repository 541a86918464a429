// Operands of the indexing, sort and pooling kernels: data tensors on the GPU
// with their element type, and integer index tensors as i32.
//
// Data tensors are float32 (host or GPU) or already-on-GPU i32 tensors (int64 /
// int32 / bool values); integer data still on the host stays there, as the
// runtime keeps integer bookkeeping on the host.

import { NDArray, contiguousStrides } from '../../../core/ndarray';
import { type GpuCtx } from '../gpu-kernels';
import { GpuStorage, gpuStorage } from '../gpu-exec';
import { type ElemType } from '../program';

/** Whether a tensor lives on the GPU (isGpu's guard would narrow the host case to never). */
export const onGpu = (x: NDArray): boolean => x.storage instanceof GpuStorage;

const INT_DTYPES = new Set(['int64', 'int32', 'int16', 'int8', 'uint8']);

/** A data operand on the GPU with its element type: float32 anywhere, integer data only when already on the GPU. */
export function dataOperand(g: GpuCtx, x: unknown): { t: NDArray; type: ElemType } | undefined {
  if (!(x instanceof NDArray)) return undefined;
  if (onGpu(x)) return { t: x, type: gpuStorage(x).elemType };
  return x.dtype === 'float32' ? { t: g.gpu(x), type: 'f32' } : undefined;
}

/** A float32 tensor on the GPU (host float32 uploaded), else undefined. */
export function floatOperand(g: GpuCtx, x: unknown): NDArray | undefined {
  const d = dataOperand(g, x);
  return d && d.type === 'f32' && d.t.dtype === 'float32' ? d.t : undefined;
}

/** `x` on the GPU with element type `type` (host arrays uploaded when their dtype fits). */
export function operandAs(g: GpuCtx, x: unknown, type: ElemType): NDArray | undefined {
  if (!(x instanceof NDArray)) return undefined;
  if (onGpu(x)) return gpuStorage(x).elemType === type ? x : undefined;
  if (type === 'f32') return x.dtype === 'float32' ? g.gpu(x) : undefined;
  return (INT_DTYPES.has(x.dtype) || x.dtype === 'bool') && fitsI32(x) ? g.gpu(x, 'i32') : undefined;
}

/** Whether every value of a host integer array survives the i32 upload (int64 data past it stays on the host). */
function fitsI32(x: NDArray): boolean {
  if (x.dtype !== 'int64') return true;
  const d = x.storage.data;
  for (const o of x.offsets()) {
    const v = Number(d[o]!);
    if (v < -2147483648 || v > 2147483647) return false;
  }
  return true;
}

/** Whether a number is an i32 value. */
export const isI32 = (v: number): boolean => Number.isInteger(v) && v >= -2147483648 && v <= 2147483647;

/** An integer index tensor as i32 on the GPU. */
export function indexOperand(g: GpuCtx, x: unknown): NDArray | undefined {
  if (!(x instanceof NDArray)) return undefined;
  if (onGpu(x)) return gpuStorage(x).elemType === 'i32' && x.dtype !== 'bool' ? x : undefined;
  return INT_DTYPES.has(x.dtype) && x.dtype !== 'uint8' ? g.gpu(x, 'i32') : undefined;
}

/** Strides of a fresh tensor like `x` under preserve_format: x's own when dense and non-overlapping, else contiguous. */
export function likeStrides(x: NDArray): number[] {
  const dims = x.shape.map((_, i) => i).sort((a, b) => x.strides[b]! - x.strides[a]!);
  let expected = 1;
  for (let k = dims.length - 1; k >= 0; k--) {
    const d = dims[k]!;
    if (x.shape[d] === 1) continue;
    if (x.strides[d] !== expected) return contiguousStrides(x.shape);
    expected *= x.shape[d]!;
  }
  return [...x.strides];
}
