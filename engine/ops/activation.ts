// Activation functions: relu, gelu, silu, hardswish, hardsigmoid, hardtanh,
// leaky_relu, elu, softplus, sigmoid, tanh and their in-place twins.
// silu, hardswish, hardsigmoid and softplus are outside core ATen: their
// decompositions mirror what PyTorch's run_decompositions() emits, node for node.

import { type DType, isFloating } from '../core/dtype';
import { OpArgumentError } from '../core/errors';
import { type NDArray } from '../core/ndarray';
import { castValue, erf, unaryKernel } from './cpu-elementwise';
import { inplaceOp, notImplemented, num, unaryFloatOp } from './elementwise';
import { meta } from './meta-utils';
import { defineOp } from './registry';
import { type DecompContext, type OpDef, OpGroup, type TensorMeta } from './types';

const { Elementwise, Unary, Core } = OpGroup;

/**
 * A float-only activation: the meta keeps the dtype (as PyTorch's does), the CPU
 * kernel rejects integer inputs with the kernel's NotImplementedError.
 */
function floatActivation(
  schema: string,
  kernelName: string,
  make: (args: unknown[], d: DType) => (v: number) => number,
  opts: { core?: boolean; check?: (args: unknown[], op: string) => void; decomp?: OpDef['decomp'] } = {},
): OpDef {
  return defineOp({
    schema,
    groups: [Elementwise, Unary, ...(opts.core ? [Core] : [])],
    decomp: opts.decomp,
    meta: (args, ctx) => {
      opts.check?.(args, ctx.op);
      const s = args[0] as TensorMeta;
      return meta(s.dtype, s.shape);
    },
    cpu: (args, ctx) => {
      opts.check?.(args, ctx.op);
      const x = args[0] as NDArray;
      if (!isFloating(x.dtype)) throw notImplemented(ctx.op, kernelName, x.dtype);
      return unaryKernel(x, make(args, x.dtype));
    },
  });
}

const sigmoidFn = (v: number): number => 1 / (1 + Math.exp(-v));

export const sigmoid = unaryFloatOp('sigmoid(Tensor self) -> Tensor', sigmoidFn);
export const tanh = unaryFloatOp('tanh(Tensor self) -> Tensor', Math.tanh);

export const relu = defineOp({
  schema: 'relu(Tensor self) -> Tensor',
  groups: [Elementwise, Unary, Core],
  meta: ([self]) => meta((self as TensorMeta).dtype, (self as TensorMeta).shape),
  cpu: ([self], ctx) => {
    const x = self as NDArray;
    if (x.dtype === 'bool') throw new OpArgumentError(ctx.op, 'Boolean inputs not supported for relu');
    return unaryKernel(x, (v) => (v > 0 || v !== v ? v : 0));
  },
});

const SQRT1_2 = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

export const gelu = floatActivation(
  'gelu(Tensor self, *, str approximate="none") -> Tensor',
  'GeluKernelImpl',
  ([, approx], d) =>
    approx === 'tanh'
      ? (v) => 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v)))
      : d === 'float64'
        ? (v) => 0.5 * v * (1 + erf(v * SQRT1_2))
        : // PyTorch's vectorized float kernel gives NaN at +inf (the double one gives inf).
          (v) => (v === Infinity ? NaN : 0.5 * v * (1 + erf(v * SQRT1_2))),
  {
    core: true,
    check: ([, approx], op) => {
      if (approx !== 'none' && approx !== 'tanh') throw new OpArgumentError(op, 'approximate argument must be either none or tanh.');
    },
  },
);

export const silu = floatActivation('silu(Tensor self) -> Tensor', 'silu_cpu', () => (v) => v * sigmoidFn(v), {
  decomp: ([x], ctx) => ctx.call('aten.mul.Tensor', [x, ctx.call('aten.sigmoid.default', [x])]),
});

/** relu6(x + 3) as hardswish/hardsigmoid decompose it: add, clamp(min 0), clamp(max 6). */
function relu6Plus3(ctx: DecompContext, x: unknown): unknown {
  const add = ctx.call('aten.add.Tensor', [x, 3]);
  const lo = ctx.call('aten.clamp.default', [add, 0]);
  return ctx.call('aten.clamp.default', [lo, null, 6]);
}

export const hardswish = floatActivation('hardswish(Tensor self) -> Tensor', 'hardswish_cpu', () => (v) => (v * Math.min(Math.max(v + 3, 0), 6)) / 6, {
  decomp: ([x], ctx) => ctx.call('aten.div.Tensor', [ctx.call('aten.mul.Tensor', [x, relu6Plus3(ctx, x)]), 6]),
});

export const hardsigmoid = floatActivation('hardsigmoid(Tensor self) -> Tensor', 'hardsigmoid_cpu', () => (v) => Math.min(Math.max(v + 3, 0), 6) / 6, {
  decomp: ([x], ctx) => ctx.call('aten.div.Tensor', [relu6Plus3(ctx, x), 6]),
});

export const softplus = floatActivation(
  'softplus(Tensor self, Scalar beta=1, Scalar threshold=20) -> Tensor',
  'softplus_cpu',
  ([, beta, threshold]) => {
    const b = num(beta);
    const t = num(threshold);
    return (v) => (v * b > t ? v : Math.log1p(Math.exp(v * b)) / b);
  },
  {
    decomp: ([x, beta, threshold], ctx) => {
      const scaled = num(beta) === 1 ? x : ctx.call('aten.mul.Tensor', [x, beta]);
      let soft = ctx.call('aten.log1p.default', [ctx.call('aten.exp.default', [scaled])]);
      if (num(beta) !== 1) soft = ctx.call('aten.div.Tensor', [soft, beta]);
      const big = ctx.call('aten.gt.Scalar', [scaled, threshold]);
      return ctx.call('aten.where.self', [big, x, soft]);
    },
  },
);

export const leakyRelu = floatActivation(
  'leaky_relu(Tensor self, Scalar negative_slope=0.01) -> Tensor',
  'leaky_relu_cpu',
  ([, slope], d) => {
    const s = castValue(d, num(slope));
    return (v) => (v > 0 ? v : v * s);
  },
  { core: true },
);

export const elu = floatActivation(
  'elu(Tensor self, Scalar alpha=1, Scalar scale=1, Scalar input_scale=1) -> Tensor',
  'elu_cpu',
  ([, alpha, scale, inputScale]) => {
    const neg = num(alpha) * num(scale);
    const pos = num(scale);
    const inp = num(inputScale);
    return (v) => (v <= 0 ? Math.expm1(v * inp) * neg : v * pos);
  },
  { core: true },
);

function checkHardtanh(op: string, d: DType, lo: number, hi: number): void {
  if (d === 'bool') throw new OpArgumentError(op, 'Bool inputs not supported for hardtanh');
  if (d === 'uint8' && (lo < 0 || hi < 0)) throw new OpArgumentError(op, 'cannot do hardtanh on an unsigned type with negative limits');
}

export const hardtanh = defineOp({
  schema: 'hardtanh(Tensor self, Scalar min_val=-1, Scalar max_val=1) -> Tensor',
  groups: [Elementwise, Unary, Core],
  meta: ([self, lo, hi], ctx) => {
    const s = self as TensorMeta;
    checkHardtanh(ctx.op, s.dtype, num(lo), num(hi));
    return meta(s.dtype, s.shape);
  },
  cpu: ([self, lo, hi], ctx) => {
    const x = self as NDArray;
    checkHardtanh(ctx.op, x.dtype, num(lo), num(hi));
    const l = castValue(x.dtype, num(lo));
    const h = castValue(x.dtype, num(hi));
    return unaryKernel(x, (v) => (v < l ? l : v > h ? h : v));
  },
});

export const relu_ = inplaceOp('relu_(Tensor(a!) self) -> Tensor(a!)', relu);
export const sigmoid_ = inplaceOp('sigmoid_(Tensor(a!) self) -> Tensor(a!)', sigmoid);
export const tanh_ = inplaceOp('tanh_(Tensor(a!) self) -> Tensor(a!)', tanh);
export const gelu_ = inplaceOp('gelu_(Tensor(a!) self, *, str approximate="none") -> Tensor(a!)', gelu);
export const silu_ = inplaceOp('silu_(Tensor(a!) self) -> Tensor(a!)', silu);
export const hardswish_ = inplaceOp('hardswish_(Tensor(a!) self) -> Tensor(a!)', hardswish);
export const hardtanh_ = inplaceOp('hardtanh_(Tensor(a!) self, Scalar min_val=-1, Scalar max_val=1) -> Tensor(a!)', hardtanh);
export const leakyRelu_ = inplaceOp('leaky_relu_(Tensor(a!) self, Scalar negative_slope=0.01) -> Tensor(a!)', leakyRelu);

export const activationOps: OpDef[] = [
  sigmoid, tanh, relu, gelu, silu, hardswish, hardsigmoid, softplus, leakyRelu, elu, hardtanh,
  relu_, sigmoid_, tanh_, gelu_, silu_, hardswish_, hardtanh_, leakyRelu_,
];
