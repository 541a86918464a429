// Constant folding for the CPU runtime. Steps whose values depend only on
// frozen inputs (parameters, buffers, constants) and on the *shapes* of the
// other inputs (through aten.sym_size / sym_numel) give the same result on every
// run with the same input shapes: position ids, causal masks built from arange,
// transposed weights. They run once; their values that live steps read are kept
// and reused while the signature (each such input's shape, each frozen input's
// identity) stays the same, and recomputed by a full run when it changes.
//
// Never folded: random ops, in-place steps (anything that writes), graph outputs
// (the caller owns those), control flow; a value that a live step writes into
// (an in-place op) is not folded, nor is anything it may view (conservatively:
// every tensor it is computed from); and an input
// that any step writes into (a buffer mutation, directly or through a view)
// does not count as frozen.

import { type StorageArray } from '../../core/dtype';
import { NDArray } from '../../core/ndarray';
import { type Step, Slot } from './cpu-runtime';

const SHAPE_ONLY = new Set(['aten.sym_size.int', 'aten.sym_numel.default']);
const NONDETERMINISTIC = /rand|bernoulli|normal|uniform|multinomial|dropout|exponential|geometric|cauchy|poisson|print/;

export function slotsIn(a: unknown, out: number[] = []): number[] {
  if (a instanceof Slot) out.push(a.index);
  else if (Array.isArray(a)) for (const x of a) slotsIn(x, out);
  return out;
}

export interface FoldPlan {
  /** Steps that run only when the signature changes. */
  readonly folded: ReadonlySet<Step>;
  /** Folded slots that live steps read: their values are kept between runs. */
  readonly boundary: readonly number[];
  /** Placeholder positions whose shapes folded values depend on. */
  readonly shapeInputs: readonly number[];
  /** Frozen placeholder positions that folded steps read. */
  readonly frozenInputs: readonly number[];
}

/**
 * Which steps fold. `placeholderSlots[i]` is placeholder i's slot; `frozen`
 * holds placeholder positions; `outputSlots` the slots the graph returns.
 */
export function planFolding(steps: readonly Step[], placeholderSlots: readonly number[], frozen: ReadonlySet<number>, outputSlots: ReadonlySet<number>): FoldPlan | undefined {
  const phPos = new Map<number, number>();
  placeholderSlots.forEach((s, i) => phPos.set(s, i));
  const producer = new Map<number, Step>();
  for (const s of steps) producer.set(s.slot, s);
  const argSlots = new Map<Step, number[]>();
  for (const s of steps) argSlots.set(s, slotsIn(s.args));
  const candidate = (s: Step): boolean =>
    s.node.op === 'call_function' &&
    !outputSlots.has(s.slot) &&
    !s.node.target.startsWith('higher_order.') &&
    !NONDETERMINISTIC.test(s.node.target) &&
    // In-place steps run every time: what they write may view an input (or a value that must stay live).
    !s.writes?.length;
  const forcedLive = new Set<Step>();
  // Placeholders some step writes into (directly or through a view): not constant, whatever `frozen` says.
  const mutated = new Set<number>();
  for (const s of steps) for (const w of s.writes ?? []) if (phPos.has(w)) mutated.add(phPos.get(w)!);
  let foldable = new Set<number>();
  for (;;) {
    foldable = new Set();
    for (const s of steps) {
      if (forcedLive.has(s) || !candidate(s)) continue;
      const ok = argSlots.get(s)!.every((i) => {
        if (foldable.has(i)) return true;
        const p = phPos.get(i);
        return p !== undefined && ((frozen.has(p) && !mutated.has(p)) || SHAPE_ONLY.has(s.node.target));
      });
      if (ok) foldable.add(s.slot);
    }
    // A live step writing into a folded value: that value and what it views stay live.
    let changed = false;
    for (const s of steps) {
      if (foldable.has(s.slot)) continue;
      for (const w of s.writes ?? []) if (foldable.has(w)) changed = markLive(w, producer, argSlots, foldable, forcedLive, phPos, mutated) || changed;
    }
    if (!changed) break;
  }
  if (foldable.size === 0) return undefined;
  const folded = new Set(steps.filter((s) => foldable.has(s.slot)));
  const boundary = new Set<number>();
  for (const s of steps) if (!folded.has(s)) for (const i of argSlots.get(s)!) if (foldable.has(i)) boundary.add(i);
  const shapeInputs = new Set<number>();
  const frozenInputs = new Set<number>();
  for (const s of folded)
    for (const i of argSlots.get(s)!) {
      const p = phPos.get(i);
      if (p === undefined) continue;
      if (frozen.has(p)) frozenInputs.add(p);
      else shapeInputs.add(p);
    }
  return { folded, boundary: [...boundary], shapeInputs: [...shapeInputs], frozenInputs: [...frozenInputs] };
}

/** A step whose value is a Python scalar (symbolic int): no storage to share. */
function scalarValued(s: Step): boolean {
  const t = s.node.target;
  if (SHAPE_ONLY.has(t) || /^(operator|math)\.|^torch\.sym_/.test(t)) return true;
  const val = s.node.meta.val as unknown;
  return val !== undefined && val !== null && typeof val !== 'object';
}

/** Force `slot`'s step live, and the steps whose storage it may share (its tensor arguments, transitively). */
function markLive(
  slot: number, producer: Map<number, Step>, argSlots: Map<Step, number[]>, foldable: Set<number>, forced: Set<Step>,
  phPos: Map<number, number>, mutated: Set<number>,
): boolean {
  const p = phPos.get(slot);
  if (p !== undefined) {
    // The write reaches a (frozen) input through views: that input changes from run to run.
    if (mutated.has(p)) return false;
    mutated.add(p);
    return true;
  }
  const s = producer.get(slot);
  if (!s || !foldable.has(slot) || forced.has(s) || scalarValued(s)) return false;
  forced.add(s);
  for (const i of argSlots.get(s)!) markLive(i, producer, argSlots, foldable, forced, phPos, mutated);
  return true;
}

/** Storage arrays a value holds (NDArrays, nested lists). */
export function storagesOf(v: unknown, out: StorageArray[] = []): StorageArray[] {
  if (v instanceof NDArray) out.push(v.storage.data);
  else if (Array.isArray(v)) for (const x of v) storagesOf(x, out);
  return out;
}

/** The folded values of the last signature, and the check whether a run may reuse them. */
export class FoldCache {
  private sig: unknown[] | undefined;
  private values: unknown[] = [];
  private next: unknown[] = [];
  /** For each slot, its position in plan.boundary, or -1. */
  readonly boundaryIndex: Int32Array;
  /** Storages of the kept values: never recycled. */
  storages: StorageArray[] = [];
  /** Full (folding) runs so far, for tests and stats. */
  refreshes = 0;

  constructor(readonly plan: FoldPlan, slots: number) {
    this.boundaryIndex = new Int32Array(slots).fill(-1);
    plan.boundary.forEach((s, k) => (this.boundaryIndex[s] = k));
  }

  private signature(inputs: readonly unknown[]): unknown[] {
    const sig: unknown[] = [];
    for (const p of this.plan.frozenInputs) {
      const v = inputs[p];
      if (v instanceof NDArray) sig.push(v.storage.data, v.offset);
      else sig.push(v);
    }
    for (const p of this.plan.shapeInputs) {
      const v = inputs[p];
      if (v instanceof NDArray) {
        sig.push(v.ndim);
        for (const d of v.shape) sig.push(d);
      } else sig.push(v);
    }
    return sig;
  }

  /** True when `inputs` (unwrapped placeholders, in order) match the kept values' signature. */
  valid(inputs: readonly unknown[]): boolean {
    const old = this.sig;
    if (!old) return false;
    const sig = this.signature(inputs);
    if (sig.length !== old.length) return false;
    for (let i = 0; i < sig.length; i++) if (sig[i] !== old[i]) return false;
    return true;
  }

  /** A full run starts: forget the kept values (their storages stay pinned by the caller until it ends). */
  begin(): void {
    this.sig = undefined;
    this.next = new Array<unknown>(this.plan.boundary.length);
  }

  /** During a full run: boundary value number k was computed. Returns its storages (to pin). */
  capture(k: number, v: unknown): StorageArray[] {
    this.next[k] = v;
    return storagesOf(v);
  }

  /** The full run over `inputs` finished: keep what it captured. */
  commit(inputs: readonly unknown[]): void {
    this.values = this.next;
    this.next = [];
    this.storages = storagesOf(this.values);
    this.sig = this.signature(inputs);
    this.refreshes++;
  }

  /** Write the kept values into a run's slots. */
  prefill(values: unknown[]): void {
    const b = this.plan.boundary;
    for (let k = 0; k < b.length; k++) values[b[k]!] = this.values[k];
  }
}
