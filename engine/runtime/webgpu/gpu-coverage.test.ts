// Which registry ops have a WebGPU path (a pointwise template, a GPU kernel, a
// view over GPU storage, or a metadata read) and which still run on the host.
// The remaining list is printed; the covered count may only grow.

import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../ops/register-all';
import { POINTWISE } from './fuse';
import { METADATA_OPS, VIEW_OPS } from './gpu-kernels';
import { GPU_KERNELS } from './kernel-table';

/** Ops with a GPU path when this test was last updated. */
const COVERED_AT_LEAST = 287;

/**
 * Host by nature: these return a Python number, not a tensor, so their result
 * must reach the host whatever runs them (torch's CUDA item() synchronizes and
 * copies too). The runtime runs them as a host step reading back their one
 * element (reported through onHostFallback). A GPU kernel would add nothing but
 * a copy: the tensor they read already has one element. Not counted as covered.
 */
const HOST_BY_NATURE: ReadonlySet<string> = new Set(['aten.item.default', 'aten._local_scalar_dense.default']);

describe('WebGPU op coverage', () => {
  it('lists the registry ops without a GPU path', () => {
    const all = defaultRegistry.all().map((d) => d.name);
    const has = (n: string) => POINTWISE.has(n) || GPU_KERNELS.has(n) || VIEW_OPS.has(n) || METADATA_OPS.has(n);
    const covered = all.filter(has);
    const host = all.filter((n) => HOST_BY_NATURE.has(n));
    const remaining = all.filter((n) => !has(n) && !HOST_BY_NATURE.has(n));
    console.log(
      `WebGPU coverage: ${covered.length}/${all.length} ops with a GPU path; host by nature (return a host scalar) (${host.length}): ${host.join(', ')}; remaining (${remaining.length}):\n  ${remaining.join('\n  ')}`,
    );
    expect(covered.length).toBeGreaterThanOrEqual(COVERED_AT_LEAST);
    // Host-by-nature ops are registry ops and have no GPU path claimed for them.
    expect(host.length).toBe(HOST_BY_NATURE.size);
    expect(host.filter(has)).toEqual([]);
  });
});
