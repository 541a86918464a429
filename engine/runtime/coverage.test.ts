// Which registry ops each runtime backs with its own kernels. Every op runs on
// the CPU runtime (the registry guarantees a reference kernel); this reports the
// ops without a fast CPU kernel or a WebGPU kernel, and checks that every
// float op of the corpus models (training IR and core ATen) has both.

import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../ops/register-all';
import { fastKernels } from './cpu/fast-kernels';
import { POINTWISE } from './webgpu/fuse';
import { METADATA_OPS, VIEW_OPS } from './webgpu/gpu-kernels';
import { GPU_KERNELS } from './webgpu/kernel-table';

/** Float-tensor ops of mobilenet_v3_small, gpt2_tiny and transformer_encoder_layer in both IRs. */
const CORPUS_FLOAT_OPS = [
  'aten.conv2d.default', 'aten.convolution.default', 'aten.batch_norm.default', 'aten._native_batch_norm_legit_no_training.default',
  'aten.hardswish_.default', 'aten.relu_.default', 'aten.relu.default', 'aten.hardsigmoid.default', 'aten.adaptive_avg_pool2d.default',
  'aten.mean.dim', 'aten.mul.Tensor', 'aten.mul.Scalar', 'aten.add.Tensor', 'aten.add_.Tensor', 'aten.div.Tensor', 'aten.clamp.default',
  'aten.sub.Tensor', 'aten.pow.Tensor_Scalar', 'aten.tanh.default', 'aten.linear.default', 'aten.addmm.default', 'aten.mm.default', 'aten.bmm.default',
  'aten.layer_norm.default', 'aten.native_layer_norm.default', 'aten._softmax.default', 'aten.scaled_dot_product_attention.default',
  'aten.embedding.default', 'aten.dropout.default', 'aten.dropout_.default', 'aten.view.default', 'aten.reshape.default',
  'aten.transpose.int', 'aten.permute.default', 'aten.unsqueeze.default', 'aten.squeeze.dim', 'aten.squeeze.dims', 'aten.select.int',
  'aten.slice.Tensor', 'aten.split.Tensor', 'aten.split_with_sizes.default', 'aten.unflatten.int', 'aten.flatten.using_ints',
  'aten.contiguous.default', 'aten.clone.default', 'aten.expand.default', 'aten.alias.default',
];

const gpuOps = new Set([...POINTWISE.keys(), ...GPU_KERNELS.keys(), ...VIEW_OPS, ...METADATA_OPS]);
const fast = new Set(fastKernels().keys());

describe('runtime kernel coverage', () => {
  it('every float op of the corpus models has a fast CPU kernel and a WebGPU kernel', () => {
    for (const op of CORPUS_FLOAT_OPS) {
      expect(defaultRegistry.has(op), op).toBe(true);
      expect(fast.has(op), `fast CPU kernel for ${op}`).toBe(true);
      expect(gpuOps.has(op), `WebGPU kernel for ${op}`).toBe(true);
    }
  });
  it('reports registry ops that run on reference kernels only', () => {
    const all = defaultRegistry.all().map((d) => d.name);
    const noFast = all.filter((n) => !fast.has(n));
    const noGpu = all.filter((n) => !gpuOps.has(n));
    console.info(`${all.length} registry ops; ${all.length - noFast.length} with a fast CPU kernel, ${all.length - noGpu.length} with a WebGPU kernel.\nWebGPU runs the others on the host (integer/bool bookkeeping by design; float ops at the cost of a readback):\n  ${noGpu.join(' ')}`);
    expect(all.length - noGpu.length).toBeGreaterThan(80);
  });
});
