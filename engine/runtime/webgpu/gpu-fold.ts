// Constant folding for the WebGPU runtime, with the CPU runtime's plan
// (cpu/const-fold.ts): steps that depend only on frozen inputs and input shapes
// (GPT-2's position ids and causal mask: arange, cumsum, comparisons, index)
// run once per input-shape signature. On later runs their values are put in
// place and the steps skipped, so neither their host kernels nor their uploads
// run again: kept host arrays count as frozen (uploaded once, like weights),
// and kept GPU tensors are pinned (never recycled) until the signature changes.

import { type Node } from '../../ir/graph';
import { type OpRegistry } from '../../ops/registry';
import { type Step } from '../cpu/cpu-runtime';
import { FoldCache, planFolding, slotsIn } from '../cpu/const-fold';
import { type GpuStorage, gpuStorage, isGpu } from './gpu-exec';

/** What the planner needs of a runtime step. */
export interface FoldableStep {
  readonly node: Node;
  readonly slot: number;
  readonly args: unknown[];
  /** Fused members (root included) whose arguments the step also reads. */
  readonly members?: readonly Node[];
}

export class GpuFold<S extends FoldableStep> {
  /** The steps that run while the kept values are valid. */
  readonly liveSteps: readonly S[];
  private readonly cache: FoldCache;
  /** GPU storages of the kept values: not recycled while kept. */
  private pinned = new Set<GpuStorage>();
  private next: GpuStorage[] = [];

  private constructor(cache: FoldCache, live: readonly S[]) {
    this.cache = cache;
    this.liveSteps = live;
  }

  /**
   * The fold of `steps`, or undefined when nothing folds. `bound(n)`: node n's
   * bound arguments (with Slots); `frozen`: placeholder positions of frozen
   * inputs; `outputs`: slots the graph returns.
   */
  static plan<S extends FoldableStep>(steps: readonly S[], bound: (n: Node) => unknown[] | undefined, registry: OpRegistry, placeholderSlots: readonly number[], frozen: ReadonlySet<number>, outputs: ReadonlySet<number>, slots: number): GpuFold<S> | undefined {
    const byPlan = new Map<Step, S>();
    const planSteps = steps.map((s) => {
      const nodes = s.members ?? [s.node];
      const args: unknown[] = [s.args, ...nodes.filter((m) => m !== s.node).map((m) => bound(m) ?? [])];
      const writes: number[] = [];
      for (const m of nodes) {
        const b = bound(m);
        if (!b || !registry.has(m.target)) continue;
        registry.get(m.target).parsed.args.forEach((a, i) => {
          if (a.mutable) writes.push(...slotsIn(b[i]));
        });
      }
      const p = { node: s.node, slot: s.slot, args, dyn: [], exec: () => undefined, releases: [], writes } as Step;
      byPlan.set(p, s);
      return p;
    });
    const plan = planFolding(planSteps, placeholderSlots, frozen, outputs);
    if (!plan) return undefined;
    const folded = new Set([...plan.folded].map((p) => byPlan.get(p)!));
    return new GpuFold(new FoldCache(plan, slots), steps.filter((s) => !folded.has(s)));
  }

  /** Steps folded away (tests, stats). */
  get foldedSteps(): number {
    return this.cache.plan.folded.size;
  }

  /** Full runs that computed the kept values. */
  get refreshes(): number {
    return this.cache.refreshes;
  }

  /**
   * A run starts over `inputs` (unwrapped placeholders): true when the kept
   * values are valid (they are written into `values`; run liveSteps), false
   * for a full run (run every step, calling capture after each).
   */
  begin(inputs: readonly unknown[], values: unknown[], recycle: (s: GpuStorage) => void): boolean {
    if (this.cache.valid(inputs)) {
      this.cache.prefill(values);
      return true;
    }
    for (const s of this.pinned) recycle(s);
    this.pinned = new Set();
    this.next = [];
    this.cache.begin();
    return false;
  }

  /** During a full run: step `slot` produced `v`; keep it when live steps read it. */
  capture(slot: number, v: unknown): void {
    const k = this.cache.boundaryIndex[slot]!;
    if (k < 0) return;
    this.cache.capture(k, v);
    const visit = (x: unknown): void => {
      if (isGpu(x)) this.next.push(gpuStorage(x));
      else if (Array.isArray(x)) x.forEach(visit);
    };
    visit(v);
  }

  /** The full run finished: keep what it captured. */
  commit(inputs: readonly unknown[]): void {
    this.cache.commit(inputs);
    this.pinned = new Set(this.next);
    this.next = [];
  }

  /** Whether `s` belongs to a kept value (or one being captured): never recycle it. */
  isPinned(s: GpuStorage): boolean {
    return this.pinned.has(s) || this.next.includes(s);
  }

  /** Host storages of the kept values: uploaded once, as frozen inputs are. */
  get hostStorages(): readonly object[] {
    return this.cache.storages;
  }
}
