// Test graphs built op by op over placeholders, with every node's meta.val taken
// from a CPU run (runtimes read output dtypes and shapes from it), and inputs
// copied so that in-place ops and aliasing views in one runtime do not change
// what another runtime gets.

import { NDArray, Storage } from '../engine/core/ndarray';
import { Graph, type Node } from '../engine/ir/graph';
import { CpuRuntime } from '../engine/runtime/cpu/cpu-runtime';

export type Op = (target: string, args: unknown[], kwargs?: Record<string, unknown>) => Node;
/** Builds the graph's body; returns its output node(s). */
export type Build = (op: Op, inputs: Node[]) => Node | Node[];

export const metaOf = (x: NDArray) => ({ dtype: x.dtype, shape: [...x.shape], strides: [...x.strides] });

/** Inputs with storages of their own, strides kept. */
export const freshInputs = (xs: readonly NDArray[]): NDArray[] => xs.map((x) => new NDArray(new Storage(x.dtype, x.storage.data.slice()), [...x.shape], [...x.strides], x.offset));

/** A graph from `build` over placeholders for `inputs`, every node's meta.val from an unfused CPU run. */
export function annotatedGraph(inputs: readonly NDArray[], build: Build): Graph {
  const make = (all: boolean) => {
    const g = new Graph();
    const phs = inputs.map((_, i) => g.placeholder(`x${i}`));
    const made: Node[] = [];
    const toArg = (a: unknown): unknown => (Array.isArray(a) ? a.map(toArg) : a);
    const out = build((t, args, kw = {}) => {
      const n = g.createNode('call_function', t, args.map(toArg) as never[], kw as never, 'op');
      made.push(n);
      return n;
    }, phs);
    g.output(all ? made : out);
    return { g, made };
  };
  // A probe graph returning every node gives each node's value; the real graph returns `build`'s outputs.
  const probe = make(true);
  const values = new CpuRuntime(probe.g, { fuse: false }).run(freshInputs(inputs)) as unknown[];
  const real = make(false);
  real.made.forEach((n, i) => {
    const v = values[i];
    if (v instanceof NDArray) n.meta.val = metaOf(v);
    else if (Array.isArray(v) && v[0] instanceof NDArray) n.meta.val = (v as NDArray[]).map(metaOf);
  });
  return real.g;
}
