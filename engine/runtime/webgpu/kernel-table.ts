// The WebGPU kernel table: every op with a GPU kernel, by ATen target. Each
// ops/*.ts module exports its own list; this file only joins them (a module
// imports gpu-kernels.ts for the shared helpers, never this table).

import { BASE_KERNELS, type GpuKernel } from './gpu-kernels';
import { INDEX_KERNELS } from './ops/indexing';
import { REDUCE_KERNELS } from './ops/reduce';
import { TENSOR_KERNELS } from './ops/tensor-ops';

export const GPU_KERNELS: ReadonlyMap<string, GpuKernel> = new Map<string, GpuKernel>([...BASE_KERNELS, ...TENSOR_KERNELS, ...REDUCE_KERNELS, ...INDEX_KERNELS]);
