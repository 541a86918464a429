// The table of fast CPU kernels by op name. Each entry takes the op's bound
// positional arguments (schema order, defaults filled) and returns its result,
// or undefined to hand the call to the op's reference kernel in the registry.

import { adaptiveAvgPoolKernel, convKernel, convolutionKernel, maxPool2dKernel, meanDimKernel } from './conv';
import { type UnaryKind, binaryKernel, dropoutKernel, unaryKernel } from './elementwise';
import { type FastKernel, scalarArg } from './kernel-context';
import { addmmKernel, bmmKernel, linearKernel, matmulKernel, mmKernel } from './matmul';
import { batchNormKernel, layerNormKernel, nativeBatchNormKernel, nativeLayerNormKernel, softmaxCoreKernel, softmaxKernel } from './norm';
import { sdpaKernel } from './attention';
import { movementKernels } from './movement';

/** clamp bounds from (self, min, max) scalars; None is unbounded. */
const clampBounds = (lo: number, hi: number) => (args: unknown[]): [number, number] | undefined => {
  const a = args[lo], b = args[hi];
  const l = a == null ? -Infinity : scalarArg(a);
  const h = b == null ? Infinity : scalarArg(b);
  return l === undefined || h === undefined ? undefined : [l, h];
};

const geluKind = (args: unknown[]): UnaryKind | undefined => (args[1] === 'tanh' ? 'gelu_tanh' : args[1] === 'none' || args[1] == null ? 'gelu' : undefined);
const gelu = (inplace: boolean): FastKernel => (args, ctx) => {
  const kind = geluKind(args);
  return kind && unaryKernel(kind, inplace)(args, ctx);
};

const UNARY: Array<[string, UnaryKind]> = [
  ['relu', 'relu'], ['hardswish', 'hardswish'], ['hardsigmoid', 'hardsigmoid'], ['sigmoid', 'sigmoid'], ['tanh', 'tanh'],
  ['silu', 'silu'], ['neg', 'neg'], ['exp', 'exp'], ['sqrt', 'sqrt'], ['rsqrt', 'rsqrt'], ['abs', 'abs'], ['sin', 'sin'], ['cos', 'cos'],
];
const INPLACE_UNARY = new Set(['relu', 'hardswish', 'hardsigmoid', 'sigmoid', 'tanh', 'silu']);

export function fastKernels(): Map<string, FastKernel> {
  const m = new Map<string, FastKernel>();
  for (const [name, kind] of UNARY) {
    m.set(`aten.${name}.default`, unaryKernel(kind, false));
    if (INPLACE_UNARY.has(name)) m.set(`aten.${name}_.default`, unaryKernel(kind, true));
  }
  m.set('aten.gelu.default', gelu(false));
  m.set('aten.gelu_.default', gelu(true));
  m.set('aten.clamp.default', unaryKernel('clamp', false, clampBounds(1, 2)));
  m.set('aten.clamp_.default', unaryKernel('clamp', true, clampBounds(1, 2)));
  m.set('aten.clamp_min.default', unaryKernel('clamp', false, (a) => clampBounds(1, 9)(a)));
  m.set('aten.clamp_max.default', unaryKernel('clamp', false, (a) => clampBounds(9, 1)(a)));
  m.set('aten.hardtanh.default', unaryKernel('clamp', false, clampBounds(1, 2)));
  m.set('aten.hardtanh_.default', unaryKernel('clamp', true, clampBounds(1, 2)));
  for (const kind of ['add', 'sub'] as const) {
    m.set(`aten.${kind}.Tensor`, binaryKernel(kind, { alphaArg: 2 }));
    m.set(`aten.${kind}.Scalar`, binaryKernel(kind, { alphaArg: 2 }));
    m.set(`aten.${kind}_.Tensor`, binaryKernel(kind, { alphaArg: 2, inplace: true }));
    m.set(`aten.${kind}_.Scalar`, binaryKernel(kind, { alphaArg: 2, inplace: true }));
  }
  for (const kind of ['mul', 'div'] as const) {
    m.set(`aten.${kind}.Tensor`, binaryKernel(kind));
    m.set(`aten.${kind}.Scalar`, binaryKernel(kind));
    m.set(`aten.${kind}_.Tensor`, binaryKernel(kind, { inplace: true }));
    m.set(`aten.${kind}_.Scalar`, binaryKernel(kind, { inplace: true }));
  }
  m.set('aten.pow.Tensor_Scalar', binaryKernel('pow'));
  m.set('aten.maximum.default', binaryKernel('maximum'));
  m.set('aten.minimum.default', binaryKernel('minimum'));
  m.set('aten.dropout.default', dropoutKernel);
  m.set('aten.dropout_.default', dropoutKernel);

  m.set('aten.mm.default', mmKernel);
  m.set('aten.addmm.default', addmmKernel);
  m.set('aten.bmm.default', bmmKernel);
  m.set('aten.linear.default', linearKernel);
  m.set('aten.matmul.default', matmulKernel);

  m.set('aten.convolution.default', convolutionKernel);
  m.set('aten.conv2d.default', convKernel);
  m.set('aten.conv1d.default', convKernel);
  m.set('aten.adaptive_avg_pool2d.default', adaptiveAvgPoolKernel);
  m.set('aten._adaptive_avg_pool2d.default', adaptiveAvgPoolKernel);
  m.set('aten.mean.dim', meanDimKernel);
  m.set('aten.max_pool2d.default', maxPool2dKernel);

  m.set('aten.batch_norm.default', batchNormKernel);
  m.set('aten._native_batch_norm_legit_no_training.default', nativeBatchNormKernel);
  m.set('aten.layer_norm.default', layerNormKernel);
  m.set('aten.native_layer_norm.default', nativeLayerNormKernel);
  m.set('aten._softmax.default', softmaxCoreKernel);
  m.set('aten.softmax.int', softmaxKernel);
  m.set('aten.scaled_dot_product_attention.default', sdpaKernel);
  for (const [name, k] of movementKernels()) m.set(name, k);
  return m;
}
