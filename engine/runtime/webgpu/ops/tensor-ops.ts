// WebGPU kernels: Copies and dtype conversions, factories, materializing movement ops, padding, tril/triu.

import { type GpuKernel } from '../gpu-kernels';

export const TENSOR_KERNELS: ReadonlyArray<readonly [string, GpuKernel]> = [];
