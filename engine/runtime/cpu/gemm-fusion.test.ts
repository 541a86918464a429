// Pointwise steps folded into linear / addmm (pointwise-fusion.ts):
//  * GELU-tanh chains computed by the GEMM epilogue: equal to the unfused and
//    reference runs, stable over repeated runs, the chain's own loop used when
//    the GEMM's fast path declines (float64), no fusion when the GEMM output has
//    another reader;
//  * residual adds (GEMM output + earlier value of the same shape) added by the
//    GEMM: either operand order, through views and eval-mode dropout, the
//    TypeScript kernel, and the cases that must stay unfused (broadcasting,
//    operand computed after the GEMM).

import { describe, expect, it } from 'vitest';
import { type NDArray } from '../../core/ndarray';
import { Graph, type Node } from '../../ir/graph';
import { CpuRuntime, type CpuRuntimeOptions } from './cpu-runtime';
import { expectClose, randArray, rng, call, geluChain } from './test-helpers';



/** Give a node a static f32 shape in its meta (as exported graphs carry; residual fusion checks it). */
function shaped(n: Node, shape: number[]): Node {
  n.meta.val = { dtype: 'float32', shape, strides: shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1)) };
  return n;
}

const runWith = (g: Graph, inputs: unknown[], opts: CpuRuntimeOptions = {}): NDArray => new CpuRuntime(g, opts).run(inputs) as NDArray;

describe('GELU-tanh in the GEMM epilogue', () => {
  for (const wasm of [true, false])
    it(`linear → GELU equals the unfused and reference runs (${wasm ? 'WebAssembly' : 'TypeScript'} kernel), run after run`, () => {
      const g = new Graph();
      const [x, w, b] = [g.placeholder('x'), g.placeholder('w'), g.placeholder('b')];
      const lin = call(g, 'aten.linear.default', [x, w, b], 'lin');
      g.output(call(g, 'aten.add.Tensor', [geluChain(g, lin), 1], 'after'));
      const r = rng(3);
      // Values spread wide enough to reach both tails of the GELU.
      const inputs = [randArray([2, 9, 12], r, 'float32', 3), randArray([21, 12], r), randArray([21], r)];
      const rt = new CpuRuntime(g, { wasm });
      const first = rt.run(inputs) as NDArray;
      expectClose(first, runWith(g, inputs, { fuse: false, wasm }), { atol: 1e-6, rtol: 1e-5 });
      expectClose(first, runWith(g, inputs, { fast: false }), { atol: 1e-6, rtol: 1e-5 });
      const again = first.toArray();
      for (let i = 0; i < 3; i++) expect((rt.run(inputs) as NDArray).toArray()).toEqual(again);
    });

  it('float64 (the GEMM fast path declines) runs the chain itself', () => {
    const g = new Graph();
    const [bias, a, w] = [g.placeholder('bias'), g.placeholder('a'), g.placeholder('w')];
    const mm = call(g, 'aten.addmm.default', [bias, a, w], 'mm');
    g.output(geluChain(g, call(g, 'aten.view.default', [mm, [3, 2, 7]], 'v')));
    const r = rng(9);
    const inputs = [randArray([7], r, 'float64'), randArray([6, 5], r, 'float64'), randArray([5, 7], r, 'float64')];
    expectClose(runWith(g, inputs), runWith(g, inputs, { fast: false }), { atol: 1e-9, rtol: 1e-9 });
  });

  it('a GEMM output read elsewhere keeps its pre-activation value', () => {
    const g = new Graph();
    const [x, w, b] = [g.placeholder('x'), g.placeholder('w'), g.placeholder('b')];
    const lin = call(g, 'aten.linear.default', [x, w, b], 'lin');
    g.output([geluChain(g, lin), lin]);
    const r = rng(4);
    const inputs = [randArray([5, 8], r), randArray([6, 8], r), randArray([6], r)];
    const [y, l] = new CpuRuntime(g).run(inputs) as NDArray[];
    const [ry, rl] = new CpuRuntime(g, { fast: false }).run(inputs) as NDArray[];
    expectClose(y!, ry!, { atol: 1e-6, rtol: 1e-5 });
    expectClose(l!, rl!, { atol: 1e-6, rtol: 1e-5 });
  });
});

describe('residual add in the GEMM', () => {
  /** x [2, 6, 8] → linear(8 → 8) → view → dropout(eval) → add with `other` (a layer-norm-like earlier value). */
  function graph(opts: { otherFirst: boolean; late?: boolean; broadcast?: boolean }): Graph {
    const g = new Graph();
    const [x, w, b, y] = [g.placeholder('x'), g.placeholder('w'), g.placeholder('b'), g.placeholder('y')];
    for (const [n, s] of [[x, [2, 6, 8]], [w, [8, 8]], [b, [8]], [y, opts.broadcast ? [8] : [2, 6, 8]]] as const) shaped(n, [...s]);
    const early = shaped(call(g, 'aten.mul.Tensor', [y, 2], 'early'), opts.broadcast ? [8] : [2, 6, 8]);
    const flat = shaped(call(g, 'aten.view.default', [x, [12, 8]], 'flat'), [12, 8]);
    const lin = shaped(call(g, 'aten.linear.default', [flat, w, b], 'lin'), [12, 8]);
    const back = shaped(call(g, 'aten.view.default', [lin, [2, 6, 8]], 'back'), [2, 6, 8]);
    const drop = shaped(call(g, 'aten.dropout.default', [back, 0.1, false], 'drop'), [2, 6, 8]);
    const other = opts.late ? shaped(call(g, 'aten.mul.Tensor', [y, 3], 'late'), [2, 6, 8]) : early;
    const add = shaped(call(g, 'aten.add.Tensor', opts.otherFirst ? [other, drop] : [drop, other], 'add'), [2, 6, 8]);
    g.output([add, early]);
    return g;
  }
  const r = rng(12);
  const inputs = [randArray([2, 6, 8], r), randArray([8, 8], r), randArray([8], r), randArray([2, 6, 8], r)];
  /** Runs (three times) against the reference; returns whether the GEMM took the add (an extra argument). */
  const check = (g: Graph, ins: unknown[], wasm = true): boolean => {
    const rt = new CpuRuntime(g, { wasm });
    const want = new CpuRuntime(g, { fast: false }).run(ins) as NDArray[];
    for (let rep = 0; rep < 3; rep++) {
      const got = rt.run(ins) as NDArray[];
      expect(got[0]!.shape).toEqual(want[0]!.shape);
      expectClose(got[0]!, want[0]!, { atol: 1e-6, rtol: 1e-5 });
      expectClose(got[1]!, want[1]!, { atol: 1e-6, rtol: 1e-5 });
    }
    const steps = (rt as unknown as { steps: Array<{ node: Node; args: unknown[] }> }).steps;
    return steps.find((s) => s.node.name === 'lin')!.args.length === 4;
  };
  for (const otherFirst of [false, true])
    for (const wasm of [true, false])
      it(`is added by the GEMM (other ${otherFirst ? 'first' : 'second'}, ${wasm ? 'WebAssembly' : 'TypeScript'} kernel)`, () => {
        expect(check(graph({ otherFirst }), inputs, wasm)).toBe(true);
      });
  it('an operand computed after the GEMM stays a separate add; a broadcast one is left to the add at run time', () => {
    expect(check(graph({ otherFirst: false, late: true }), inputs)).toBe(false);
    check(graph({ otherFirst: true, broadcast: true }), [...inputs.slice(0, 3), randArray([8], r)]);
  });
  it('float64 (the GEMM fast path declines) adds in the add step', () => {
    const r64 = rng(13);
    const ins = [randArray([2, 6, 8], r64, 'float64'), randArray([8, 8], r64, 'float64'), randArray([8], r64, 'float64'), randArray([2, 6, 8], r64, 'float64')];
    expect(check(graph({ otherFirst: false }), ins)).toBe(true);
  });
});
