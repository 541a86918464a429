// Conv → batch norm (eval) → activation folded into one WebGPU dispatch
// (conv-bn-fold.ts), on hand-built graphs in both IR forms. Every result is
// compared with the CPU runtime with its fusion off (the unfolded reference);
// the dispatch counts show whether the chain folded. Chains that must not
// fold (parameters not frozen, a value inside the chain read elsewhere) must
// still give the right answer.

import { describe, expect } from 'vitest';
import { NDArray, contiguousStrides } from '../../core/ndarray';
import { PyFloat } from '../../core/scalar';
import { Graph, type Node } from '../../ir/graph';
import { useTestDevice } from '../../../testing/webgpu';
import { CpuRuntime } from '../cpu/cpu-runtime';
import { expectClose, randArray, rng } from '../cpu/test-helpers';
import { WebGpuRuntime } from './webgpu-runtime';

const testGpu = useTestDevice();
const { gpuIt } = testGpu;
const r = rng(5);

const meta = (shape: readonly number[]) => ({ dtype: 'float32', shape: [...shape], strides: contiguousStrides(shape) });
const call = (g: Graph, target: string, args: unknown[], name: string, shape: readonly number[]): Node => {
  const n = g.createNode('call_function', target, args as never, {}, name);
  n.meta.val = meta(shape);
  return n;
};

interface ChainSpec {
  /** [N, C, H, W] of the input. */
  x: [number, number, number, number];
  cout: number;
  k: number;
  stride?: number;
  pad?: number;
  groups?: number;
  bias: boolean;
  /** BN affine parameters present. */
  affine?: boolean;
  /** 'training': conv2d + batch_norm; 'core': convolution + _native_batch_norm_legit_no_training + getitem. */
  ir: 'training' | 'core';
  /** Activation target (and its extra args), or none. */
  act?: [string, ...unknown[]];
}

/** A conv → bn (→ act) graph without its output node; placeholders x, w, [b], [γ, β], μ, σ². Returns the graph, inputs, the parameter positions and the chain's nodes. */
function chainGraph(s: ChainSpec): { g: Graph; inputs: NDArray[]; params: number[]; conv: Node; bn: Node; tail: Node } {
  const g = new Graph();
  const [N, C, H, W] = s.x;
  const stride = s.stride ?? 1, pad = s.pad ?? 0, groups = s.groups ?? 1;
  const OH = Math.floor((H + 2 * pad - s.k) / stride) + 1, OW = Math.floor((W + 2 * pad - s.k) / stride) + 1;
  const outShape = [N, s.cout, OH, OW];
  const inputs: NDArray[] = [randArray(s.x, r, 'float32', 2), randArray([s.cout, C / groups, s.k, s.k], r, 'float32', 0.7)];
  const x = g.placeholder('x'), w = g.placeholder('w');
  let b: Node | null = null;
  if (s.bias) {
    b = g.placeholder('b');
    inputs.push(randArray([s.cout], r));
  }
  const affine = s.affine ?? true;
  let gamma: Node | null = null, beta: Node | null = null;
  if (affine) {
    gamma = g.placeholder('gamma');
    beta = g.placeholder('beta');
    inputs.push(randArray([s.cout], r, 'float32', 1.5), randArray([s.cout], r));
  }
  const mean = g.placeholder('mean'), variance = g.placeholder('var');
  const v = randArray([s.cout], r);
  inputs.push(randArray([s.cout], r, 'float32', 0.5), v.withView(v.shape, v.strides, 0));
  // Variances well away from zero, some small, some large.
  const vd = inputs[inputs.length - 1]!.storage.data as Float32Array;
  for (let i = 0; i < vd.length; i++) vd[i] = Math.abs(vd[i]!) * 3 + 0.05;
  const conv =
    s.ir === 'training'
      ? call(g, 'aten.conv2d.default', [x, w, b, [stride, stride], [pad, pad], [1, 1], groups], 'conv', outShape)
      : call(g, 'aten.convolution.default', [x, w, b, [stride, stride], [pad, pad], [1, 1], false, [0, 0], groups], 'conv', outShape);
  let bn: Node, tail: Node;
  if (s.ir === 'training') {
    bn = tail = call(g, 'aten.batch_norm.default', [conv, gamma, beta, mean, variance, false, new PyFloat(0.1), new PyFloat(1e-5), true], 'bn', outShape);
  } else {
    bn = g.createNode('call_function', 'aten._native_batch_norm_legit_no_training.default', [conv, gamma, beta, mean, variance, new PyFloat(0.1), new PyFloat(1e-5)] as never, {}, 'bn');
    bn.meta.val = [meta(outShape), meta([0]), meta([0])];
    tail = call(g, 'getitem', [bn, 0], 'bn_out', outShape);
  }
  if (s.act) tail = call(g, s.act[0], [tail, ...s.act.slice(1)], 'act', outShape);
  const params = inputs.map((_, i) => i).filter((i) => i > 0);
  return { g, inputs, params, conv, bn, tail };
}

const TOL = { atol: 1e-4, rtol: 1e-4 };

/** Runs `g` on the GPU twice; both runs must match the unfused CPU reference. Returns the runtime and its dispatches per run. */
async function gpuRuns(g: Graph, inputs: NDArray[], frozen: number[]): Promise<{ rt: WebGpuRuntime; perRun: number }> {
  const want = new CpuRuntime(g, { fuse: false }).run(inputs);
  const rt = new WebGpuRuntime(g, testGpu.dev!, { frozenInputs: new Set(frozen) });
  const d0 = rt.exec.stats.dispatches;
  expectClose(await rt.run(inputs), want, TOL, 'first run');
  const d1 = rt.exec.stats.dispatches;
  expectClose(await rt.run(inputs), want, TOL, 'second run');
  expect(rt.exec.stats.dispatches - d1, 'dispatches are the same every run').toBe(d1 - d0);
  return { rt, perRun: d1 - d0 };
}

const CASES: Array<[string, ChainSpec]> = [
  ['3×3 conv, no bias → batch_norm → hardswish_', { x: [2, 6, 9, 8], cout: 5, k: 3, pad: 1, bias: false, ir: 'training', act: ['aten.hardswish_.default'] }],
  ['3×3 stride-2 conv with bias → batch_norm → relu', { x: [1, 4, 11, 10], cout: 7, k: 3, stride: 2, pad: 1, bias: true, ir: 'training', act: ['aten.relu.default'] }],
  ['1×1 conv (small GEMM) → batch_norm → relu_', { x: [2, 8, 5, 6], cout: 12, k: 1, bias: false, ir: 'training', act: ['aten.relu_.default'] }],
  ['1×1 conv (tiled GEMM) with bias → batch_norm → hardswish', { x: [1, 32, 32, 32], cout: 64, k: 1, bias: true, ir: 'training', act: ['aten.hardswish.default'] }],
  ['depthwise 3×3 stride-2 conv → batch_norm → hardtanh(0, 6)', { x: [2, 8, 9, 9], cout: 8, k: 3, stride: 2, pad: 1, groups: 8, bias: false, ir: 'training', act: ['aten.hardtanh.default', 0, 6] }],
  ['grouped conv → batch_norm (no affine) → silu', { x: [1, 6, 7, 7], cout: 9, k: 3, pad: 1, groups: 3, bias: true, affine: false, ir: 'training', act: ['aten.silu.default'] }],
  ['conv → batch_norm, no activation', { x: [1, 3, 6, 6], cout: 4, k: 3, bias: false, ir: 'training' }],
  ['core IR: convolution → _native_batch_norm_legit_no_training → getitem → relu', { x: [2, 5, 8, 8], cout: 6, k: 3, pad: 1, bias: false, ir: 'core', act: ['aten.relu.default'] }],
  ['core IR: 1×1 convolution with bias → _native_batch_norm_legit_no_training → getitem → relu6', { x: [1, 8, 6, 6], cout: 10, k: 1, bias: true, ir: 'core', act: ['aten.relu6.default'] }],
  ['core IR: depthwise convolution → _native_batch_norm_legit_no_training → getitem → hardswish', { x: [1, 6, 10, 10], cout: 6, k: 5, pad: 2, groups: 6, bias: false, ir: 'core', act: ['aten.hardswish.default'] }],
];

describe('conv → batch norm → activation folding', () => {
  for (const [name, spec] of CASES)
    gpuIt(`${name}: one dispatch, as the unfolded CPU chain`, async () => {
      const { g, inputs, params, tail } = chainGraph(spec);
      g.output(tail);
      const { rt, perRun } = await gpuRuns(g, inputs, params);
      expect(perRun, 'the chain is one dispatch').toBe(1);
      expect(rt.convBn.folds, 'weights folded once for both runs').toBe(1);
      // The same graph with the parameters not frozen: nothing folds, same answer, more dispatches.
      const { perRun: unfolded } = await gpuRuns(g, inputs, []);
      expect(unfolded).toBeGreaterThan(1);
    });

  gpuIt('new parameter arrays fold again', async () => {
    const { g, inputs, params, tail } = chainGraph(CASES[0]![1]);
    g.output(tail);
    const rt = new WebGpuRuntime(g, testGpu.dev!, { frozenInputs: new Set(params) });
    await rt.run(inputs);
    const other = inputs.map((a, i) => (i === 3 ? randArray(a.shape, r) : a)); // new β
    expectClose(await rt.run(other), new CpuRuntime(g, { fuse: false }).run(other), TOL);
    expect(rt.convBn.folds).toBe(2);
  });
});

describe('chains that must not fold (or fold only in part)', () => {
  gpuIt('the conv output is also a graph output', async () => {
    const { g, inputs, params, conv, tail } = chainGraph(CASES[0]![1]);
    g.output([tail, conv]);
    const { rt } = await gpuRuns(g, inputs, params);
    expect(rt.convBn.folds).toBe(0);
  });
  gpuIt('the conv output is read by another op too', async () => {
    const { g, inputs, params, conv, tail } = chainGraph(CASES[1]![1]);
    const shape = (tail.meta.val as { shape: number[] }).shape;
    const other = call(g, 'aten.sigmoid.default', [conv], 'other', shape);
    g.output(call(g, 'aten.add.Tensor', [tail, other], 'sum', shape));
    const { rt } = await gpuRuns(g, inputs, params);
    expect(rt.convBn.folds).toBe(0);
  });
  gpuIt('only some batch-norm parameters frozen', async () => {
    const { g, inputs, params, tail } = chainGraph(CASES[2]![1]);
    g.output(tail);
    const { rt } = await gpuRuns(g, inputs, params.slice(0, -1)); // running_var not frozen
    expect(rt.convBn.folds).toBe(0);
  });
  gpuIt('float64 tensors: the fused step declines and runs the chain node by node', async () => {
    const { g, inputs, params, tail } = chainGraph(CASES[7]![1]);
    g.output(tail);
    for (const n of g.nodes) delete n.meta.val; // no float32 meta: nothing says the chain is not float64
    const f64 = inputs.map((a) => NDArray.fromValues('float64', a.shape, a.toFlat() as ArrayLike<number>));
    const want = new CpuRuntime(g, { fuse: false }).run(f64);
    const rt = new WebGpuRuntime(g, testGpu.dev!, { frozenInputs: new Set(params) });
    const got = await rt.run(f64);
    expect((got as NDArray).dtype).toBe('float64');
    expectClose(got, want, TOL);
    expect(rt.convBn.folds).toBe(0);
  });
  gpuIt('the batch-norm output is also returned: conv + bn fold, the activation stays apart', async () => {
    const { g, inputs, params, bn, tail } = chainGraph(CASES[0]![1]);
    g.output([tail, bn]);
    const { rt, perRun } = await gpuRuns(g, inputs, params);
    expect(rt.convBn.folds).toBe(1);
    expect(perRun).toBe(2);
  });
  gpuIt('the batch-norm output written in place after the fold (add_)', async () => {
    const { g, inputs, params, bn } = chainGraph(CASES[6]![1]);
    const shape = (bn.meta.val as { shape: number[] }).shape;
    const y = g.placeholder('y');
    inputs.push(randArray(shape, r));
    g.output(call(g, 'aten.add_.Tensor', [bn, y], 'acc', shape));
    const { rt } = await gpuRuns(g, inputs, params);
    expect(rt.convBn.folds).toBe(1);
  });
});
