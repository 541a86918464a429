// Pointwise fusion (pointwise-fusion.ts) and constant folding (const-fold.ts)
// against unfused / unfolded runs and the reference kernels: GELU-tanh chains
// (in place over a GEMM output, into a new buffer, and the fallback on strided
// input), GEMM + ReLU, folded shape-dependent subgraphs recomputed when an input
// shape changes, values written by live in-place ops never folded.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NDArray, Storage, contiguousStrides } from '../../core/ndarray';
import { Graph } from '../../ir/graph';
import { CpuRuntime, type CpuRuntimeOptions } from './cpu-runtime';
import { fexp, ftanh, geluTanhLoop, geluTanhScalar } from './fast-math';
import { pointwiseWasm } from './wasm-pointwise';
import { expectClose, randArray, randTransposed, rng, call, geluChain } from './test-helpers';
import { CORPUS_DIR } from '../../../testing/corpus';
import { loadPt2 } from '../../serialize/read';
import { frozenInputIndices, programInputs, userOutputs } from '../program';



function runWith(g: Graph, inputs: unknown[], opts: CpuRuntimeOptions = {}): NDArray {
  return new CpuRuntime(g, opts).run(inputs) as NDArray;
}

describe('fast math', () => {
  it('fexp and ftanh match Math.exp / Math.tanh to well below f32 rounding', () => {
    for (let x = -30; x <= 30; x += 0.0137) {
      expect(Math.abs(fexp(x) / Math.exp(x) - 1)).toBeLessThan(1e-9);
      const t = Math.tanh(x);
      expect(Math.abs(ftanh(x) - t)).toBeLessThanOrEqual(1e-8 * Math.abs(t));
    }
    for (const x of [0, -0, 1e-8, -3e-5, 0.0199, 0.0201]) expect(Math.abs(ftanh(x) - Math.tanh(x))).toBeLessThanOrEqual(2e-8 * Math.abs(x));
    expect(Number.isNaN(ftanh(NaN))).toBe(true);
    expect(ftanh(Infinity)).toBe(1);
    expect(ftanh(-Infinity)).toBe(-1);
  });
  it('geluTanhLoop matches the formula', () => {
    const x = Float32Array.from({ length: 200 }, (_, i) => (i - 100) / 12);
    const out = new Float32Array(200);
    geluTanhLoop(x, 0, out, 0, 200);
    const k = Math.sqrt(2 / Math.PI);
    x.forEach((v, i) => expect(Math.abs(out[i]! - 0.5 * v * (1 + Math.tanh(k * (v + 0.044715 * v ** 3))))).toBeLessThan(1e-6));
  });
});

describe.skipIf(!pointwiseWasm())('WebAssembly SIMD GELU-tanh', () => {
  it('matches the f64 scalar loop at offsets, odd lengths and in place', () => {
    const w = pointwiseWasm()!;
    const r = rng(4);
    for (const [n, xi, oi] of [[1, 0, 0], [7, 3, 1], [64, 0, 0], [1031, 5, 2]] as const) {
      const x = Float32Array.from({ length: n + xi }, () => r() * 12);
      const a = new Float32Array(n + oi).fill(7), b = new Float32Array(n + oi).fill(7);
      w.geluTanh(x, xi, a, oi, n);
      geluTanhScalar(x, xi, b, oi, n);
      expect(a.slice(0, oi)).toEqual(b.slice(0, oi)); // nothing before oi written
      for (let i = oi; i < n + oi; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-6 * Math.abs(b[i]!) + 1e-12); // tiny tails: f32 rounding of the exponent
      const inPlace = x.slice();
      w.geluTanh(inPlace, xi, inPlace, xi, n);
      expect(inPlace.subarray(xi)).toEqual(a.subarray(oi));
    }
  });
});

describe('pointwise fusion', () => {
  it('GELU-tanh over an addmm output (in place) equals the unfused and reference runs', () => {
    const g = new Graph();
    const [bias, a, w] = [g.placeholder('bias'), g.placeholder('a'), g.placeholder('w')];
    const mm = call(g, 'aten.addmm.default', [bias, a, w], 'mm');
    const v = call(g, 'aten.view.default', [mm, [2, 3, 8]], 'v');
    g.output(call(g, 'aten.add.Tensor', [geluChain(g, v), 1], 'after'));
    const r = rng(7);
    const inputs = [randArray([8], r), randArray([6, 5], r, 'float32', 3), randArray([5, 8], r)];
    const fused = runWith(g, inputs);
    expectClose(fused, runWith(g, inputs, { fuse: false }), { atol: 1e-6, rtol: 1e-5 });
    expectClose(fused, runWith(g, inputs, { fast: false }), { atol: 1e-6, rtol: 1e-5 });
    // The fused step wrote in place: running again on the same runtime gives the same result.
    const rt = new CpuRuntime(g);
    const first = (rt.run(inputs) as NDArray).toArray();
    expect((rt.run(inputs) as NDArray).toArray()).toEqual(first);
  });

  it('GELU-tanh of a graph input writes a new buffer; strided input falls back to the original steps', () => {
    const g = new Graph();
    const x = g.placeholder('x');
    g.output(geluChain(g, x));
    const r = rng(11);
    for (const input of [randArray([4, 6], r, 'float32', 4), randTransposed([4, 6], r)]) {
      const before = input.toArray();
      expectClose(runWith(g, [input]), runWith(g, [input], { fast: false }), { atol: 1e-6, rtol: 1e-5 });
      expect(input.toArray()).toEqual(before);
    }
  });

  it('a chain whose intermediate is read elsewhere is not fused', () => {
    const g = new Graph();
    const x = g.placeholder('x');
    const y = geluChain(g, x);
    const th = g.nodes.find((n) => n.name === 'th')!;
    g.output([y, th]);
    const input = randArray([3, 4], rng(2));
    const [a, b] = new CpuRuntime(g).run([input]) as NDArray[];
    const [ra, rb] = new CpuRuntime(g, { fast: false }).run([input]) as NDArray[];
    expectClose(a, ra, { atol: 1e-6, rtol: 1e-5 });
    expectClose(b, rb, { atol: 1e-6, rtol: 1e-5 });
  });

  it('linear + relu uses the GEMM epilogue and equals the unfused run', () => {
    const g = new Graph();
    const [x, w, b] = [g.placeholder('x'), g.placeholder('w'), g.placeholder('b')];
    const lin = call(g, 'aten.linear.default', [x, w, b], 'lin');
    g.output(call(g, 'aten.relu.default', [lin], 'relu'));
    const r = rng(5);
    const inputs = [randArray([2, 5, 7], r), randArray([9, 7], r), randArray([9], r)];
    const out = runWith(g, inputs);
    expect(Math.min(...out.toArray())).toBe(0);
    expectClose(out, runWith(g, inputs, { fuse: false }));
    expectClose(out, runWith(g, inputs, { fast: false }));
  });
});

describe('constant folding', () => {
  /** out = x + arange(x.size(1)) · scale, scale = w·2 from a frozen input. */
  function shapeGraph(): Graph {
    const g = new Graph();
    const [w, x] = [g.placeholder('w'), g.placeholder('x')];
    const n = call(g, 'aten.sym_size.int', [x, 1], 'n');
    const ar = call(g, 'aten.arange.default', [n], 'ar');
    const scale = call(g, 'aten.mul.Tensor', [w, 2], 'scale');
    const pos = call(g, 'aten.mul.Tensor', [ar, scale], 'pos');
    g.output(call(g, 'aten.add.Tensor', [x, pos], 'out'));
    return g;
  }
  const expected = (x: NDArray, w: number) => {
    const n = x.shape[1]!;
    return x.toArray().map((v, i) => v + (i % n) * 2 * w);
  };

  // The signature is each shape-read input's whole shape (conservative: [4, 3] after [2, 3] refreshes too).
  it('folds shape-only subgraphs once per input-shape signature and recomputes when a shape changes', () => {
    const rt = new CpuRuntime(shapeGraph(), { frozenInputs: new Set([0]) });
    expect(rt.foldedSteps).toBe(4);
    const w = NDArray.fromValues('float32', [], [1.5]);
    const r = rng(3);
    let refreshes = 0;
    for (const [shape, refresh] of [[[2, 3], true], [[2, 3], false], [[4, 3], true], [[4, 3], false], [[2, 5], true], [[2, 3], true], [[2, 3], false]] as const) {
      const x = randArray(shape, r);
      const out = rt.run([w, x]) as NDArray;
      if (refresh) refreshes++;
      expect(rt.foldRefreshes, `shape [${shape.join(', ')}]`).toBe(refreshes);
      expect([...out.shape]).toEqual(shape);
      out.toArray().forEach((v, i) => expect(v).toBeCloseTo(expected(x, 1.5)[i]!, 5));
    }
  });

  it('a different frozen array (not just new values) refreshes the folded values', () => {
    const rt = new CpuRuntime(shapeGraph(), { frozenInputs: new Set([0]) });
    const x = randArray([2, 4], rng(9));
    for (const wv of [1, -3, 0.25]) {
      const out = rt.run([NDArray.fromValues('float32', [], [wv]), x]) as NDArray;
      out.toArray().forEach((v, i) => expect(v).toBeCloseTo(expected(x, wv)[i]!, 5));
    }
    expect(rt.foldRefreshes).toBe(3);
  });

  it('nothing folds through a non-frozen input, and folding can be turned off', () => {
    expect(new CpuRuntime(shapeGraph()).foldedSteps).toBe(2); // sym_size + arange only
    expect(new CpuRuntime(shapeGraph(), { frozenInputs: new Set([0]), fold: false }).foldedSteps).toBe(0);
  });

  it('a folded value written by a live in-place op is not folded', () => {
    const g = new Graph();
    const x = g.placeholder('x');
    const n = call(g, 'aten.sym_size.int', [x, 0], 'n');
    const z = call(g, 'aten.zeros.default', [[n]], 'z');
    const zv = call(g, 'aten.view.default', [z, [-1]], 'zv');
    const acc = call(g, 'aten.add_.Tensor', [zv, x], 'acc');
    const other = call(g, 'aten.view.default', [z, [1, -1]], 'other');
    g.output([acc, other]);
    const rt = new CpuRuntime(g);
    expect(rt.foldedSteps).toBe(1); // only sym_size
    const input = NDArray.fromValues('float32', [3], [1, 2, 3]);
    for (let i = 0; i < 3; i++) {
      const [a, o] = rt.run([input]) as NDArray[];
      expect(a!.toArray()).toEqual([1, 2, 3]);
      expect(o!.toArray()).toEqual([1, 2, 3]);
    }
  });

  it('a fused in-place GELU over a GEMM of frozen inputs does not fold that GEMM (it would be overwritten every run)', () => {
    const g = new Graph();
    const [bias, a, w] = [g.placeholder('bias'), g.placeholder('a'), g.placeholder('w')];
    const mm = call(g, 'aten.addmm.default', [bias, a, w], 'mm');
    const v = call(g, 'aten.view.default', [mm, [2, 3, 8]], 'v');
    g.output(geluChain(g, v));
    const r = rng(17);
    const inputs = [randArray([8], r), randArray([6, 5], r, 'float32', 3), randArray([5, 8], r)];
    const rt = new CpuRuntime(g, { frozenInputs: new Set([0, 1, 2]) });
    const want = runWith(g, inputs, { fast: false }).toArray();
    for (let i = 0; i < 3; i++) expectClose(rt.run(inputs) as NDArray, NDArray.fromValues('float32', [2, 3, 8], want), { atol: 1e-6, rtol: 1e-5 });
  });

  it('a frozen buffer that the graph mutates (directly or through a view) is not treated as constant', () => {
    for (const throughView of [false, true]) {
      const g = new Graph();
      const [buf, x] = [g.placeholder('buf'), g.placeholder('x')];
      const doubled = call(g, 'aten.mul.Tensor', [buf, 2], 'doubled'); // reads buf before this run's update
      const target = throughView ? call(g, 'aten.view.default', [buf, [-1]], 'flat') : buf;
      call(g, 'aten.add_.Tensor', [target, 1], 'bump');
      g.output(call(g, 'aten.add.Tensor', [x, doubled], 'out'));
      const rt = new CpuRuntime(g, { frozenInputs: new Set([0]) });
      const b = NDArray.fromValues('float32', [3], [0, 0, 0]);
      const input = NDArray.fromValues('float32', [3], [1, 1, 1]);
      for (let i = 0; i < 3; i++) expect((rt.run([b, input]) as NDArray).toArray(), `run ${i}, view ${throughView}`).toEqual([1 + 2 * i, 1 + 2 * i, 1 + 2 * i]);
    }
  });

  it('random ops are never folded', () => {
    const g = new Graph();
    const x = g.placeholder('x');
    const n = call(g, 'aten.sym_size.int', [x, 0], 'n');
    const noise = call(g, 'aten.rand.default', [[n]], 'noise');
    g.output(call(g, 'aten.add.Tensor', [x, noise], 'out'));
    const rt = new CpuRuntime(g);
    expect(rt.foldedSteps).toBe(1);
  });
});

const GPT2 = join(CORPUS_DIR, 'models', 'gpt2_tiny.pt2');

describe.skipIf(!existsSync(GPT2))('constant folding on gpt2_tiny (causal mask, position ids)', () => {
  it('folds the mask subgraph; a new sequence length recomputes it and matches an unfolded run', () => {
    const ep = [...loadPt2(new Uint8Array(readFileSync(GPT2))).programs.values()][0]!;
    const b = readFileSync(join(CORPUS_DIR, 'models', 'gpt2_tiny.in0.int64.bin'));
    const ids = Float64Array.from(new BigInt64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length)), Number);
    const input = (n: number) => new NDArray(new Storage('int64', ids.slice(0, n)), [1, n], contiguousStrides([1, n]));
    const folded = new CpuRuntime(ep.graph, { frozenInputs: frozenInputIndices(ep) });
    const plain = new CpuRuntime(ep.graph, { frozenInputs: frozenInputIndices(ep), fold: false });
    expect(folded.foldedSteps).toBeGreaterThan(20);
    for (const n of [16, 16, 7, 7, 16, 3]) {
      const user = [input(n)];
      const run = (rt: CpuRuntime) => userOutputs(ep, rt.run(programInputs(ep, user)), user)[0] as NDArray;
      const a = run(folded), r = run(plain);
      expect([...a.shape]).toEqual([1, n, 1000]);
      expectClose(a, r, { atol: 0, rtol: 0 });
    }
    expect(folded.foldRefreshes).toBe(4);
  });
});
