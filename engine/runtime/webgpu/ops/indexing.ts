// WebGPU kernels: Indexing, scatter, sort/topk, extra pooling/conv/matmul forms.

import { type GpuKernel } from '../gpu-kernels';

export const INDEX_KERNELS: ReadonlyArray<readonly [string, GpuKernel]> = [];
