// GELU-tanh chains after linear / addmm computed by the GEMM epilogue
// (pointwise-fusion.ts): equal to the unfused and reference runs, stable over
// repeated runs, the chain's own loop used when the GEMM's fast path declines
// (float64) and no fusion when the GEMM output has another reader.

import { describe, expect, it } from 'vitest';
import { type NDArray } from '../../core/ndarray';
import { PyFloat } from '../../core/scalar';
import { Graph, type Node } from '../../ir/graph';
import { CpuRuntime, type CpuRuntimeOptions } from './cpu-runtime';
import { expectClose, randArray, rng } from './test-helpers';

const call = (g: Graph, target: string, args: unknown[], name: string): Node => g.createNode('call_function', target, args as never[], {}, name);

function geluChain(g: Graph, x: Node): Node {
  const half = call(g, 'aten.mul.Tensor', [x, 0.5], 'half');
  const cube = call(g, 'aten.pow.Tensor_Scalar', [x, new PyFloat(3)], 'cube');
  const cm = call(g, 'aten.mul.Tensor', [cube, 0.044715], 'cm');
  const inner = call(g, 'aten.add.Tensor', [x, cm], 'inner');
  const scaled = call(g, 'aten.mul.Tensor', [inner, 0.7978845608028654], 'scaled');
  const th = call(g, 'aten.tanh.default', [scaled], 'th');
  const plus = call(g, 'aten.add.Tensor', [th, new PyFloat(1)], 'plus');
  return call(g, 'aten.mul.Tensor', [half, plus], 'gelu');
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
