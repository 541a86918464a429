// Memory planning for the CPU runtime: a pool of f32 buffers by length and a
// per-run reference count of live storages. A value's storage returns to the
// pool when the last live value viewing it dies (at its last use in the graph),
// so a later node of the same size reuses it; steady-state runs allocate almost
// nothing. Only buffers the pool handed out are ever recycled: inputs, weights
// and storages made by reference kernels are left to the garbage collector.

import { NDArray } from '../../core/ndarray';
import { type StorageArray } from '../../core/dtype';

export class BufferPool {
  private readonly free = new Map<number, Float32Array[]>();
  private readonly owned = new WeakSet<Float32Array>();
  /** Fresh allocations (pool misses) since creation, for tests and stats. */
  allocations = 0;

  alloc(n: number): Float32Array {
    const list = this.free.get(n);
    const hit = list?.pop();
    if (hit) return hit;
    this.allocations++;
    const a = new Float32Array(n);
    this.owned.add(a);
    return a;
  }

  /** Give a buffer back; ignored unless this pool allocated it. */
  recycle(a: StorageArray): void {
    if (!(a instanceof Float32Array) || !this.owned.has(a)) return;
    let list = this.free.get(a.length);
    if (!list) this.free.set(a.length, (list = []));
    list.push(a);
  }

  /** Drop every idle buffer (memory returns to the GC). */
  clear(): void {
    this.free.clear();
  }
}

/** Live-value counts per storage array during one run. */
export class Liveness {
  private readonly refs = new Map<StorageArray, number>();

  constructor(
    private readonly pool: BufferPool,
    /** Arrays that must never be recycled this run (the inputs). */
    private readonly pinned: ReadonlySet<StorageArray>,
  ) {}

  retain(v: unknown): void {
    if (v instanceof NDArray) {
      const d = v.storage.data;
      this.refs.set(d, (this.refs.get(d) ?? 0) + 1);
    } else if (Array.isArray(v)) for (const x of v) this.retain(x);
  }

  release(v: unknown): void {
    if (v instanceof NDArray) {
      const d = v.storage.data;
      const n = (this.refs.get(d) ?? 1) - 1;
      if (n > 0) this.refs.set(d, n);
      else {
        this.refs.delete(d);
        if (!this.pinned.has(d)) this.pool.recycle(d);
      }
    } else if (Array.isArray(v)) for (const x of v) this.release(x);
  }
}
