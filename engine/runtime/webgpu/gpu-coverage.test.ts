// Which registry ops have a WebGPU path (a pointwise template, a GPU kernel, a
// view over GPU storage, or a metadata read) and which still run on the host.
// The remaining list is printed; the covered count may only grow.

import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../ops/register-all';
import { POINTWISE } from './fuse';
import { METADATA_OPS, VIEW_OPS } from './gpu-kernels';
import { GPU_KERNELS } from './kernel-table';

/** Ops covered when this test was last updated. */
const COVERED_AT_LEAST = 280;

describe('WebGPU op coverage', () => {
  it('lists the registry ops without a GPU path', () => {
    const all = defaultRegistry.all().map((d) => d.name);
    const has = (n: string) => POINTWISE.has(n) || GPU_KERNELS.has(n) || VIEW_OPS.has(n) || METADATA_OPS.has(n);
    const covered = all.filter(has);
    const remaining = all.filter((n) => !has(n));
    console.log(`WebGPU coverage: ${covered.length}/${all.length} ops; remaining (${remaining.length}):\n  ${remaining.join('\n  ')}`);
    expect(covered.length).toBeGreaterThanOrEqual(COVERED_AT_LEAST);
  });
});
