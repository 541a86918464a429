// WebGPU kernels: Reductions (sum/mean/max/arg*/var/std/any/all/norms), scans, log_softmax, group/batch norm forms.

import { type GpuKernel } from '../gpu-kernels';

export const REDUCE_KERNELS: ReadonlyArray<readonly [string, GpuKernel]> = [];
