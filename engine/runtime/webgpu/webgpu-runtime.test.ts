// The WebGPU runtime against the CPU runtime: single ops on random shapes
// (contiguous, transposed, sliced, broadcast), fused chains, the run protocol
// (one submit, one readback, shapes as uniforms) and the corpus models against
// torch. Runs on any adapter Dawn finds; on a machine without one it uses
// Chromium's SwiftShader when installed, else every test skips with a message.

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { NDArray, Storage, contiguousStrides } from '../../core/ndarray';
import { PyFloat } from '../../core/scalar';
import { type ExportedProgram } from '../../export/exported-program';
import { Graph, type Node } from '../../ir/graph';
import { loadPt2 } from '../../serialize/read';
import { CORPUS_DIR, corpusAvailable } from '../../../testing/corpus';
import { CpuRuntime } from '../cpu/cpu-runtime';
import { expectClose, randArray, randSliced, randTransposed, rng } from '../cpu/test-helpers';
import { frozenInputIndices, programInputs, userOutputs } from '../program';
import { useTestDevice } from '../../../testing/webgpu';
import { WebGpuRuntime } from './webgpu-runtime';

const testGpu = useTestDevice();
const { gpuIt } = testGpu;




const r = rng(11);

/** A one-op graph over `inputs` (placeholders) and constant args; node metadata taken from the CPU result. */
function opGraph(target: string, args: unknown[], kwargs: Record<string, unknown> = {}): { graph: Graph; inputs: NDArray[] } {
  const g = new Graph();
  const inputs: NDArray[] = [];
  const toArg = (a: unknown): unknown => {
    if (a instanceof NDArray) {
      inputs.push(a);
      return g.placeholder(`x${inputs.length - 1}`);
    }
    return Array.isArray(a) ? a.map(toArg) : a;
  };
  const node = g.createNode('call_function', target, args.map(toArg), Object.fromEntries(Object.entries(kwargs).map(([k, v]) => [k, toArg(v)])), 'op');
  g.output(node);
  annotate(g, inputs);
  return { graph: g, inputs };
}

/** meta.val of the graph's result node from a CPU run (fusion and placement read dtypes from meta). */
function annotate(g: Graph, inputs: readonly unknown[]): void {
  const v = new CpuRuntime(g, { fuse: false }).run(inputs);
  const n = g.outputNode!.args[0] as Node;
  const metaOf = (x: NDArray) => ({ dtype: x.dtype, shape: [...x.shape], strides: [...x.strides] });
  if (v instanceof NDArray) n.meta.val = metaOf(v);
  else if (Array.isArray(v) && v[0] instanceof NDArray) n.meta.val = (v as NDArray[]).map(metaOf);
}

async function compare(target: string, args: unknown[], kwargs: Record<string, unknown> = {}, tol = { atol: 2e-5, rtol: 2e-4 }): Promise<WebGpuRuntime> {
  const { graph, inputs } = opGraph(target, args, kwargs);
  const cpu = new CpuRuntime(graph).run(inputs);
  const gpu = new WebGpuRuntime(graph, testGpu.dev!);
  const out = await gpu.run(inputs);
  expectClose(out, cpu, tol, target);
  return gpu;
}


describe('WebGPU kernels vs the CPU runtime', () => {
  gpuIt('unary activations on contiguous, transposed and sliced inputs', async () => {
    for (const op of ['relu', 'hardswish', 'hardsigmoid', 'sigmoid', 'tanh', 'silu', 'neg', 'exp', 'abs', 'sin', 'cos'])
      for (const x of [randArray([3, 5, 7], r, 'float32', 3), randTransposed([4, 6], r), randSliced([2, 9], r)]) await compare(`aten.${op}.default`, [x]);
    await compare('aten.gelu.default', [randArray([4, 8], r, 'float32', 3)]);
    await compare('aten.gelu.default', [randArray([4, 8], r, 'float32', 3)], { approximate: 'tanh' });
    await compare('aten.clamp.default', [randArray([4, 8], r), -0.3, 0.4]);
    await compare('aten.sqrt.default', [NDArray.fromValues('float32', [5], [0.1, 1, 2, 4, 9])]);
  });
  gpuIt('binary ops with broadcasting, scalars and alpha', async () => {
    const shapes: Array<[number[], number[]]> = [[[4, 5], [4, 5]], [[4, 5], [5]], [[2, 3, 4, 5], [1, 3, 1, 1]], [[3, 1, 5], [1, 4, 1]], [[6], []]];
    for (const op of ['add', 'sub', 'mul', 'div']) {
      for (const [a, b] of shapes) await compare(`aten.${op}.Tensor`, [randArray(a, r), randArray(b, r, 'float32', 1).withView(b, contiguousStrides(b), 0)]);
      await compare(`aten.${op}.Tensor`, [randTransposed([5, 6], r), randSliced([5, 6], r)]);
    }
    await compare('aten.add.Tensor', [randArray([3, 4], r), randArray([4], r)], { alpha: 2 });
    await compare('aten.mul.Tensor', [randArray([3, 4], r), new PyFloat(0.5)]);
    await compare('aten.pow.Tensor_Scalar', [randArray([3, 4], r), 3]);
    await compare('aten.maximum.default', [randArray([3, 4], r), randArray([4], r)]);
  });
  gpuIt('pointwise templates: rounding, special functions, parametric activations, where/fill (on the GPU)', async () => {
    const onGpu = async (target: string, args: unknown[], kwargs: Record<string, unknown> = {}) => {
      const rt = await compare(target, args, kwargs);
      expect(rt.exec.stats.dispatches, `${target} ran on the GPU`).toBeGreaterThanOrEqual(1);
    };
    const three = () => [randArray([3, 5, 7], r, 'float32', 3), randTransposed([4, 6], r), randSliced([2, 9], r)];
    for (const op of ['tan', 'erf', 'expm1', 'sign', 'floor', 'ceil', 'round', 'trunc', 'relu6', 'detach', 'elu', 'leaky_relu', 'softplus', 'nan_to_num'])
      for (const x of three()) await onGpu(`aten.${op}.default`, [x]);
    await onGpu('aten.log1p.default', [randArray([4, 5], r).withView([4, 5], [5, 1], 0)]);
    await onGpu('aten.log1p.default', [NDArray.fromValues('float32', [5], [0, 1e-9, 0.5, 3, 100])]);
    await onGpu('aten.elu.default', [randArray([4, 5], r, 'float32', 3), new PyFloat(0.7), new PyFloat(1.2), new PyFloat(0.9)]);
    await onGpu('aten.leaky_relu.default', [randTransposed([4, 6], r), new PyFloat(0.2)]);
    await onGpu('aten.softplus.default', [randArray([4, 5], r, 'float32', 8), 2, 5]);
    await onGpu('aten.nan_to_num.default', [NDArray.fromValues('float32', [5], [NaN, Infinity, -Infinity, 1, -2]), new PyFloat(1.5)]);
    const shapes: Array<[number[], number[]]> = [[[4, 5], [4, 5]], [[4, 5], [5]], [[3, 1, 5], [1, 4, 1]]];
    const pos = (shape: number[]) => {
      const a = randArray(shape, r);
      return NDArray.fromValues('float32', shape, a.toArray().map((v) => Math.sign(v || 1) * (Math.abs(v) + 0.5)));
    };
    for (const [a, b] of shapes) {
      for (const op of ['atan2.default', 'remainder.Tensor', 'floor_divide.default', 'rsub.Tensor', 'clamp_min.Tensor', 'clamp_max.Tensor', 'lerp.Scalar'])
        await onGpu(`aten.${op}`, op === 'lerp.Scalar' ? [randArray(a, r), randArray(b, r), new PyFloat(0.3)] : [randArray(a, r, 'float32', 3), pos(b)]);
      await onGpu('aten.div.Tensor_mode', [randArray(a, r, 'float32', 5), pos(b)], { rounding_mode: 'floor' });
      await onGpu('aten.div.Tensor_mode', [randArray(a, r, 'float32', 5), pos(b)], { rounding_mode: 'trunc' });
      await onGpu('aten.lerp.Tensor', [randArray(a, r), randArray(b, r), randArray(b, r)]);
      await onGpu('aten.masked_fill.Scalar', [randArray(a, r), randArray(b, r, 'bool'), new PyFloat(-2)]);
      await onGpu('aten.where.ScalarOther', [randArray(b, r, 'bool'), randArray(a, r), new PyFloat(0.25)]);
      await onGpu('aten.where.ScalarSelf', [randArray(b, r, 'bool'), new PyFloat(0.25), randArray(a, r)]);
      await onGpu('aten.clamp.Tensor', [randArray(a, r), NDArray.fromValues('float32', [1], [-0.2]), randArray(b, r).withView(b, contiguousStrides(b), 0)]);
    }
    await onGpu('aten.remainder.Scalar', [randTransposed([5, 6], r), new PyFloat(0.7)]);
    await onGpu('aten.floor_divide.Scalar', [randSliced([5, 6], r), new PyFloat(0.3)]);
    await onGpu('aten.rsub.Scalar', [randTransposed([5, 6], r), new PyFloat(2)], { alpha: 3 });
    await onGpu('aten.div.Scalar_mode', [randTransposed([5, 6], r), new PyFloat(0.3)], { rounding_mode: 'floor' });
    await onGpu('aten.pow.Scalar', [new PyFloat(1.7), randSliced([5, 6], r)]);
    await onGpu('aten.fill.Scalar', [randTransposed([5, 6], r), new PyFloat(0.5)]);
    await onGpu('aten.fill.Tensor', [randSliced([5, 6], r), NDArray.fromValues('float32', [], [3])]);
    await onGpu('aten.zero.default', [randTransposed([5, 6], r)]);
    await onGpu('aten.masked_fill.Tensor', [randTransposed([5, 6], r), randArray([6], r, 'bool'), NDArray.fromValues('float32', [], [7])]);
  });
  gpuIt('in-place pointwise templates write into self', async () => {
    for (const op of ['relu6_', 'elu_', 'leaky_relu_', 'zero_']) await compare(`aten.${op}.default`, [randArray([3, 4], r)]);
    await compare('aten.clamp_min_.default', [randArray([3, 4], r), new PyFloat(0.1)]);
    await compare('aten.masked_fill_.Scalar', [randArray([3, 4], r), randArray([4], r, 'bool'), new PyFloat(1)]);
    await compare('aten.masked_fill_.Tensor', [randArray([3, 4], r), randArray([4], r, 'bool'), NDArray.fromValues('float32', [], [2])]);
    await compare('aten.fill_.Scalar', [randArray([3, 4], r), new PyFloat(1)]);
    await compare('aten.fill_.Tensor', [randArray([3, 4], r), NDArray.fromValues('float32', [], [2])]);
    for (const op of ['add_', 'sub_', 'mul_', 'div_']) await compare(`aten.${op}.Scalar`, [randArray([3, 4], r), new PyFloat(1.5)]);
  });
  gpuIt('in-place ops write into self', async () => {
    await compare('aten.add_.Tensor', [randArray([2, 3, 4], r), randArray([3, 1], r)]);
    await compare('aten.relu_.default', [randArray([5, 5], r)]);
  });
  gpuIt('matrix products: mm, addmm, bmm, matmul, linear (strided operands)', async () => {
    await compare('aten.mm.default', [randArray([17, 9], r), randTransposed([9, 20], r)]);
    await compare('aten.addmm.default', [randArray([20], r), randArray([17, 9], r), randArray([9, 20], r)], { beta: new PyFloat(0.5), alpha: 2 });
    await compare('aten.bmm.default', [randArray([3, 4, 5], r), randTransposed([3, 5, 6], r)]);
    await compare('aten.matmul.default', [randArray([2, 1, 4, 5], r), randArray([3, 5, 6], r)]);
    await compare('aten.linear.default', [randArray([2, 7, 5], r), randArray([6, 5], r), randArray([6], r)]);
    await compare('aten.linear.default', [randTransposed([5, 3], r), randArray([4, 3], r)]);
  });
  gpuIt('convolution: dense, 1×1, strided, grouped, depthwise, dilated; conv1d', async () => {
    const cases: Array<[number[], number[], number[], number[], number[], number, boolean]> = [
      [[1, 3, 9, 9], [4, 3, 3, 3], [1, 1], [1, 1], [1, 1], 1, true],
      [[2, 4, 6, 5], [6, 4, 1, 1], [1, 1], [0, 0], [1, 1], 1, true],
      [[1, 4, 9, 9], [6, 2, 3, 3], [2, 2], [1, 1], [1, 1], 2, false],
      [[1, 6, 10, 10], [6, 1, 5, 5], [2, 2], [2, 2], [1, 1], 6, true],
      [[1, 3, 12, 10], [4, 3, 3, 2], [1, 1], [2, 0], [2, 1], 1, false],
    ];
    for (const [x, w, s, p, d, g, bias] of cases) await compare('aten.conv2d.default', [randArray(x, r), randArray(w, r), bias ? randArray([w[0]!], r) : null, s, p, d, g]);
    await compare('aten.convolution.default', [randTransposed([1, 3, 8, 8], r), randArray([2, 3, 3, 3], r), null, [1, 1], [1, 1], [1, 1], false, [0, 0], 1]);
    await compare('aten.conv1d.default', [randArray([2, 3, 17], r), randArray([5, 3, 4], r), randArray([5], r), [2], [1]]);
  });
  gpuIt('pooling, normalization, softmax', async () => {
    await compare('aten.adaptive_avg_pool2d.default', [randArray([2, 3, 5, 6], r), [1, 1]]);
    await compare('aten.mean.dim', [randTransposed([2, 3, 4, 5], r), [-1, -2], true]);
    await compare('aten.max_pool2d.default', [randArray([1, 2, 9, 9], r), [3, 3], [2, 2], [1, 1]]);
    const v = NDArray.fromValues('float32', [3], [0.5, 1, 2]);
    await compare('aten.batch_norm.default', [randArray([2, 3, 4, 5], r), randArray([3], r), randArray([3], r), randArray([3], r), v, false, 0.1, 1e-5, false]);
    await compare('aten._native_batch_norm_legit_no_training.default', [randArray([2, 3, 4, 5], r), randArray([3], r), randArray([3], r), randArray([3], r), v, 0.1, 1e-5]);
    await compare('aten.layer_norm.default', [randArray([2, 5, 8], r), [8], randArray([8], r), randArray([8], r)]);
    await compare('aten.native_layer_norm.default', [randTransposed([4, 6], r), [6], null, null, 1e-5]);
    await compare('aten._softmax.default', [randArray([3, 4, 5], r, 'float32', 4), 1, false]);
    await compare('aten.softmax.int', [randTransposed([4, 6], r), -1]);
  });
  gpuIt('attention: masks, causal, scale, transposed query layout', async () => {
    const q = randArray([2, 3, 5, 8], r), k = randArray([2, 3, 7, 8], r), v = randArray([2, 3, 7, 4], r);
    await compare('aten.scaled_dot_product_attention.default', [q, k, v]);
    await compare('aten.scaled_dot_product_attention.default', [q, k, v, randArray([5, 7], r)]);
    await compare('aten.scaled_dot_product_attention.default', [q, k, v, randArray([1, 1, 5, 7], r, 'bool')]);
    await compare('aten.scaled_dot_product_attention.default', [q, randArray([2, 3, 5, 8], r), randArray([2, 3, 5, 4], r), null, 0, true]);
    await compare('aten.scaled_dot_product_attention.default', [randArray([2, 5, 3, 8], r).withView([2, 3, 5, 8], [120, 8, 24, 1], 0), k, v], { scale: new PyFloat(0.3) });
  });
  gpuIt('embedding, cat, views and copies', async () => {
    await compare('aten.embedding.default', [randArray([10, 4], r), NDArray.fromValues('int64', [2, 3], [1, 0, 9, 3, 3, 7])]);
    await compare('aten.cat.default', [[randArray([2, 3], r), randTransposed([2, 4], r)], 1]);
    await compare('aten.contiguous.default', [randTransposed([3, 5], r)]);
    await compare('aten.reshape.default', [randTransposed([3, 4], r), [12]]);
  });
});

describe('WebGPU run protocol', () => {
  gpuIt('a pointwise chain runs as one dispatch; one submit and one readback per run', async () => {
    const g = new Graph();
    const x = g.placeholder('x'), y = g.placeholder('y');
    const a = g.createNode('call_function', 'aten.add.Tensor', [x, y], {}, 'add');
    const b = g.createNode('call_function', 'aten.relu.default', [a], {}, 'relu');
    const c = g.createNode('call_function', 'aten.mul.Tensor', [b, new PyFloat(2)], {}, 'mul');
    g.output(c);
    const inputs = [randArray([4, 6], r), randArray([6], r)];
    annotate(g, inputs);
    for (const n of [a, b]) n.meta.val = { dtype: 'float32', shape: [4, 6], strides: [6, 1] };
    const rt = new WebGpuRuntime(g, testGpu.dev!);
    const out = await rt.run(inputs);
    expectClose(out, new CpuRuntime(g).run(inputs));
    expect(rt.exec.stats).toMatchObject({ dispatches: 1, submits: 1, readbacks: 1 });
  });
  gpuIt('outputs of earlier runs stay as they were when later runs reuse the readback buffer', async () => {
    const g = new Graph();
    const x = g.placeholder('x');
    g.output(g.createNode('call_function', 'aten.relu.default', [x], {}, 'relu'));
    const inputs = [0, 1, 2].map(() => [randArray([5, 7], r)]);
    annotate(g, inputs[0]!);
    const rt = new WebGpuRuntime(g, testGpu.dev!);
    const outs: unknown[] = [];
    for (const i of inputs) outs.push(await rt.run(i));
    inputs.forEach((i, k) => expectClose(outs[k], new CpuRuntime(g).run(i), { atol: 0, rtol: 0 }));
    expect(rt.exec.stats.readbacks).toBe(3);
  });
  gpuIt('a residual over two batch norms (resnet) fuses within the storage-buffer limit', async () => {
    // relu(bn(x) + bn(y)): two 5-input batch norms would make an 11-binding program in one group.
    const g = new Graph();
    const ph = Array.from({ length: 10 }, (_, i) => g.placeholder(`p${i}`));
    const bn = (o: number) => g.createNode('call_function', 'aten.batch_norm.default', [ph[o]!, ph[o + 1]!, ph[o + 2]!, ph[o + 3]!, ph[o + 4]!, false, new PyFloat(0.1), new PyFloat(1e-5), false], {}, 'batch_norm');
    const s = g.createNode('call_function', 'aten.add.Tensor', [bn(0), bn(5)], {}, 'add');
    const out = g.createNode('call_function', 'aten.relu.default', [s], {}, 'relu');
    g.output(out);
    const C = 3;
    const chan = () => [randArray([C], r), randArray([C], r), NDArray.fromValues('float32', [C], [0.5, 1, 2]), randArray([C], r)];
    const inputs = [randArray([2, C, 4, 4], r), ...chan(), randArray([2, C, 4, 4], r), ...chan()];
    // Argument order of batch_norm: input, weight, bias, running_mean, running_var.
    annotate(g, inputs);
    for (const n of g.nodes) if (n.op === 'call_function') n.meta.val = { dtype: 'float32', shape: [2, C, 4, 4], strides: [C * 16, 16, 4, 1] };
    const limit = testGpu.dev!.device.limits.maxStorageBuffersPerShaderStage;
    const rt = new WebGpuRuntime(g, testGpu.dev!);
    expectClose(await rt.run(inputs), new CpuRuntime(g).run(inputs));
    expect(rt.exec.stats.dispatches).toBeGreaterThanOrEqual(2); // split: one group could not bind every input
    expect(limit).toBeGreaterThanOrEqual(7);
  });
  gpuIt('shapes travel as uniforms: new sizes reuse the compiled pipelines', async () => {
    const rt = await compare('aten.add.Tensor', [randArray([3, 4], r), randArray([3, 4], r)]);
    const { graph } = opGraph('aten.add.Tensor', [randArray([3, 4], r), randArray([3, 4], r)]);
    const again = new WebGpuRuntime(graph, testGpu.dev!, {}, rt.exec);
    await again.run([randArray([7, 9], r), randArray([7, 9], r)]);
    expect(rt.exec.pipelineCount).toBe(1);
  });
});

const MODELS = join(CORPUS_DIR, 'models');
const SMALL: Record<string, number[]> = { transformer_encoder_layer: [2, 10, 64], gpt2_tiny: [1, 16], mobilenet_v3_small: [1, 3, 224, 224] };

describe.skipIf(!corpusAvailable || !existsSync(MODELS))('corpus models on WebGPU vs torch', () => {
  for (const [name, shape] of Object.entries(SMALL))
    gpuIt(`${name}: within 1e-4 of the output scale, one submit and one readback`, async () => {
      const ep: ExportedProgram = [...loadPt2(new Uint8Array(readFileSync(join(MODELS, `${name}.pt2`)))).programs.values()][0]!;
      const file = readdirSync(MODELS).find((f) => f.startsWith(`${name}.in0.`))!;
      const dtype = file.split('.')[2] as 'float32' | 'int64';
      const b = readFileSync(join(MODELS, file));
      const raw = b.buffer.slice(b.byteOffset, b.byteOffset + b.length);
      const x = new NDArray(new Storage(dtype, dtype === 'float32' ? new Float32Array(raw) : Float64Array.from(new BigInt64Array(raw), Number)), shape, contiguousStrides(shape));
      const fallbacks: string[] = [];
      const rt = new WebGpuRuntime(ep.graph, testGpu.dev!, { frozenInputs: frozenInputIndices(ep), onHostFallback: (op) => fallbacks.push(op) });
      const [out] = userOutputs(ep, await rt.run(programInputs(ep, [x])), [x]) as NDArray[];
      const rb = readFileSync(join(MODELS, `${name}.out.float32.bin`));
      const ref = new Float32Array(rb.buffer.slice(rb.byteOffset, rb.byteOffset + rb.length));
      const got = out!.toFlat();
      let diff = 0, scale = 0;
      for (let i = 0; i < ref.length; i++) {
        diff = Math.max(diff, Math.abs(ref[i]! - got[i]!));
        scale = Math.max(scale, Math.abs(ref[i]!));
      }
      expect(diff / scale).toBeLessThan(1e-4);
      expect(fallbacks).toEqual([]);
      expect(rt.exec.stats.submits).toBe(1);
      expect(rt.exec.stats.readbacks).toBe(1);
    });
});

const CASES = join(CORPUS_DIR, 'cases');

describe.skipIf(!corpusAvailable || !existsSync(CASES))('buffers written in place (training IR)', () => {
  const load = (name: string): ExportedProgram => [...loadPt2(new Uint8Array(readFileSync(join(CASES, `${name}.pt2`)))).programs.values()][0]!;

  gpuIt('buffer_mutation: add_(b_count, 1) feeds the output and persists across runs, as on the CPU', async () => {
    // forward: add_ = add_(b_count, 1); return batch_norm(x, …) + add_ — each call sees the incremented count.
    const runs = async (gpu: boolean): Promise<number[][]> => {
      const ep = load('buffer_mutation'); // state of its own: each runtime mutates its buffer
      const frozen = frozenInputIndices(ep);
      const rt = gpu ? new WebGpuRuntime(ep.graph, testGpu.dev!, { frozenInputs: frozen }) : new CpuRuntime(ep.graph, { frozenInputs: frozen });
      const user = [randArray([4, 8], rng(5))];
      const outs: number[][] = [];
      for (let k = 0; k < 3; k++) outs.push(Array.from((userOutputs(ep, await rt.run(programInputs(ep, user)), user)[0] as NDArray).toArray()));
      return outs;
    };
    const ep = load('buffer_mutation');
    const countAt = ep.graphSignature.inputSpecs.findIndex((s) => s.kind === 'BUFFER' && s.target === 'count');
    expect(frozenInputIndices(ep).has(countAt)).toBe(false); // written by add_ in the graph: never cached as frozen
    const [cpu, gpu] = [await runs(false), await runs(true)];
    for (let k = 0; k < 3; k++) for (let i = 0; i < cpu[k]!.length; i++) expect(gpu[k]![i]).toBeCloseTo(cpu[k]![i]!, 4);
    expect(cpu[1]![0]! - cpu[0]![0]!).toBeCloseTo(1, 5); // the count went up by one between calls
  });
});
