// Step fusion on small hand-built graphs: each fused run must equal the
// unfused run (fusion off) and the reference kernels (fast kernels off),
// including the patterns fusion must leave alone (a residual computed after
// the conv, a pool that is a graph output, an in-place add on the other
// operand).

import { describe, expect, it } from 'vitest';
import { type NDArray } from '../../core/ndarray';
import { Graph, type Node } from '../../ir/graph';
import { CpuRuntime } from './cpu-runtime';
import { expectClose, randArray, rng } from './test-helpers';

const r = rng(11);

const conv = (g: Graph, x: Node, w: Node, pad: number, groups: number, name: string): Node =>
  g.createNode('call_function', 'aten.conv2d.default', [x, w, null, [1, 1], [pad, pad], [1, 1], groups], {}, name);
const call = (g: Graph, target: string, args: unknown[], name: string): Node => g.createNode('call_function', target, args as never, {}, name);

/** Run fused, unfused and on reference kernels; all three must agree. Returns the fused runtime's outputs. */
function agree(g: Graph, inputs: NDArray[], frozen: number[]): unknown {
  const opts = { frozenInputs: new Set(frozen) };
  const fused = new CpuRuntime(g, opts).run(inputs);
  const unfused = new CpuRuntime(g, { ...opts, fuse: false }).run(inputs);
  const ref = new CpuRuntime(g, { ...opts, fast: false }).run(inputs);
  expectClose(fused, unfused);
  expectClose(fused, ref);
  // A second run reuses cached weights and pooled buffers.
  expectClose(new CpuRuntime(g, opts).run(inputs), ref);
  return fused;
}

describe('residual add fusion', () => {
  for (const downsampleFirst of [true, false])
    it(`conv → add_(·, other) → relu with the other branch computed ${downsampleFirst ? 'before' : 'after'} the conv`, () => {
      const g = new Graph();
      const [x, w, wd] = [g.placeholder('x'), g.placeholder('w'), g.placeholder('wd')];
      let d: Node | undefined;
      if (downsampleFirst) d = conv(g, x, wd, 0, 1, 'down');
      const c = conv(g, x, w, 1, 1, 'main');
      if (!downsampleFirst) d = conv(g, x, wd, 0, 1, 'down');
      const s = call(g, 'aten.add_.Tensor', [c, d], 'add_');
      g.output(call(g, 'aten.relu.default', [s], 'relu'));
      agree(g, [randArray([2, 6, 7, 9], r), randArray([5, 6, 3, 3], r), randArray([5, 6, 1, 1], r)], [1, 2]);
    });
  it('add(other, conv) out of place, and add_(other, conv) left alone', () => {
    for (const target of ['aten.add.Tensor', 'aten.add_.Tensor']) {
      const g = new Graph();
      const [x, w, y] = [g.placeholder('x'), g.placeholder('w'), g.placeholder('y')];
      const c = conv(g, x, w, 0, 1, 'pw');
      const yc = call(g, 'aten.clone.default', [y], 'yc');
      g.output(call(g, target, [yc, c], 'add'));
      agree(g, [randArray([1, 8, 5, 5], r), randArray([4, 8, 1, 1], r), randArray([1, 4, 5, 5], r)], [1]);
    }
  });
});

describe('squeeze-excitation fusion', () => {
  /** dw conv → relu → pool → fc → relu → fc → hardsigmoid → scale · y → 1×1 conv. */
  function seGraph(pool: 'adaptive' | 'mean' | 'mean-nokeep', poolIsOutput: boolean): Graph {
    const g = new Graph();
    const [x, wd, w1, w2, wp] = ['x', 'wd', 'w1', 'w2', 'wp'].map((n) => g.placeholder(n)) as [Node, Node, Node, Node, Node];
    const y = call(g, 'aten.relu.default', [conv(g, x, wd, 1, 8, 'dw')], 'act');
    let p = pool === 'adaptive' ? call(g, 'aten.adaptive_avg_pool2d.default', [y, [1, 1]], 'pool') : call(g, 'aten.mean.dim', [y, [-1, -2], pool === 'mean'], 'pool');
    const pooled = p;
    if (pool === 'mean-nokeep') p = call(g, 'aten.view.default', [p, [-1, 8, 1, 1]], 'unflat');
    const h = call(g, 'aten.relu.default', [conv(g, p, w1, 0, 1, 'fc1')], 'fc1_act');
    const sc = call(g, 'aten.hardsigmoid.default', [conv(g, h, w2, 0, 1, 'fc2')], 'scale');
    const out = conv(g, call(g, 'aten.mul.Tensor', [sc, y], 'mul'), wp, 0, 1, 'project');
    g.output(poolIsOutput ? [out, pooled] : out);
    return g;
  }
  const inputs = () => [randArray([2, 8, 9, 9], r), randArray([8, 1, 3, 3], r), randArray([4, 8, 1, 1], r), randArray([8, 4, 1, 1], r), randArray([6, 8, 1, 1], r)];
  for (const pool of ['adaptive', 'mean', 'mean-nokeep'] as const)
    it(`pool by ${pool}, scale folded into the projection`, () => {
      agree(seGraph(pool, false), inputs(), [1, 2, 3, 4]);
    });
  it('a pool that is a graph output keeps its own buffer across runs', () => {
    const g = seGraph('adaptive', true);
    const rt = new CpuRuntime(g, { frozenInputs: new Set([1, 2, 3, 4]) });
    const a = inputs();
    const first = (agree(g, a, [1, 2, 3, 4]) as NDArray[])[1]!.toArray();
    const kept = (rt.run(a) as NDArray[])[1]!;
    const b = inputs();
    rt.run([b[0]!, ...a.slice(1)]);
    expect(kept.toArray()).toEqual(first);
  });
});
