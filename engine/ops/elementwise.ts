// Elementwise math: unary functions, binary arithmetic with PyTorch's type
// promotion, where/masked_fill/clamp, their in-place twins, and the dtype/copy
// ops (clone, _to_copy, to, type_as, alias, copy, fill, dropout).
// Activations live in activation.ts, comparisons and logic in compare.ts.
//
// Tensor-typed arguments may arrive as Python scalars: decompositions call
// `aten.add.Tensor(x, 3)` and `aten.sub.Tensor(2, x)` exactly as PyTorch's do, so
// every binary op here accepts a number (or PyFloat/bool/SymInt) in any Tensor slot
// and promotes it as a wrapped scalar.

import { type DType, isFloating } from '../core/dtype';
import { OpArgumentError, UnsupportedOperatorError } from '../core/errors';
import { NDArray } from '../core/ndarray';
import { type PyScalar, PyFloat, isPyScalar, scalarIsFloat, scalarToNumber } from '../core/scalar';
import { type IntLike, hintInt, isSymInt, staticallyKnownTrue, symEq } from '../symbolic';
import {
  type KernelOperand,
  binaryKernel,
  castArray,
  castValue,
  divFloorFloat,
  divFloorInt,
  dtypeTitle,
  erf,
  filled,
  intPow,
  remainderFloat,
  roundHalfEven,
  ternaryKernel,
  unaryKernel,
} from './cpu-elementwise';
import { type Operand, broadcastShapes, contiguousStridesSym, elementwiseMeta, floatResult, meta, resultDType, sameShape, shapeStr } from './meta-utils';
import { CPU_DEVICE, STRIDED_LAYOUT } from './movement';
import { defineInplace, defineOp } from './registry';
import { type DecompContext, type OpDef, OpGroup, type TensorMeta, isTensorMeta } from './types';

const { Elementwise, Unary, Binary, Core, Commutative, Random } = OpGroup;


// ---- helpers shared with activation.ts and compare.ts ----

/** A Tensor-slot argument in a CPU kernel: the array, or the scalar as a number. */
export function kernelOperand(v: unknown): KernelOperand {
  if (v instanceof NDArray) return v;
  if (isPyScalar(v)) return scalarToNumber(v);
  if (isSymInt(v)) return hintInt(v) ?? NaN;
  throw new Error(`expected a tensor or scalar, got ${String(v)}`);
}

export const isArray = (v: unknown): v is NDArray => v instanceof NDArray;

/** Dtype a CPU operand contributes to promotion (a tensor's or a scalar's). */
export const promoteOperands = (vs: readonly unknown[]): DType => resultDType(vs as Operand[]);

/** Scalar arguments as numbers (bool → 0/1). */
export const num = (v: unknown): number => (isSymInt(v) ? (hintInt(v) ?? NaN) : scalarToNumber(v as PyScalar));

/** A unary op that keeps the input dtype for ints and floats alike. */
export function unaryOp(schema: string, f: (v: number) => number, opts: { groups?: OpGroup[]; check?: (d: DType, op: string, isMeta: boolean) => void; decomp?: OpDef['decomp'] } = {}): OpDef {
  return defineOp({
    schema,
    groups: [Elementwise, Unary, ...(opts.groups ?? [Core])],
    decomp: opts.decomp,
    meta: ([self], ctx) => {
      const s = self as TensorMeta;
      opts.check?.(s.dtype, ctx.op, true);
      return meta(s.dtype, s.shape);
    },
    cpu: ([self], ctx) => {
      const x = self as NDArray;
      opts.check?.(x.dtype, ctx.op, false);
      return unaryKernel(x, f);
    },
  });
}

/** A unary op whose result is floating (ints and bools → float32). */
export function unaryFloatOp(schema: string, f: (v: number) => number, groups: OpGroup[] = [Core]): OpDef {
  return defineOp({
    schema,
    groups: [Elementwise, Unary, ...groups],
    meta: ([self]) => {
      const s = self as TensorMeta;
      return meta(floatResult(s.dtype), s.shape);
    },
    cpu: ([self]) => {
      const x = self as NDArray;
      const d = floatResult(x.dtype);
      return unaryKernel(x, f, d, d);
    },
  });
}

/** PyTorch's "not implemented for 'Bool'" error of a CPU kernel. */
export function notImplemented(op: string, kernel: string, d: DType): UnsupportedOperatorError {
  return new UnsupportedOperatorError(op, `"${kernel}" not implemented for '${dtypeTitle(d)}'`);
}

/** in-place ops must not broadcast `self`: torch's check_inplace_broadcast. */
function checkInplaceShape(op: string, self: readonly IntLike[], out: readonly IntLike[]): void {
  if (!sameShape(self, out)) throw new OpArgumentError(op, `output with shape ${shapeStr(self)} doesn't match the broadcast shape ${shapeStr(out)}`);
}

/** torch.can_cast for in-place results: no float → int, nothing but bool → bool. */
function checkInplaceCast(op: string, from: DType, to: DType): void {
  if ((isFloating(from) && !isFloating(to)) || (to === 'bool' && from !== 'bool'))
    throw new OpArgumentError(op, `result type ${dtypeTitle(from)} can't be cast to the desired output type ${dtypeTitle(to)}`);
}

/** defineInplace plus the broadcast check PyTorch's in-place meta functions make. */
export function inplaceOp(schema: string, functional: OpDef, extra: Partial<Pick<OpDef, 'decomp'>> = {}): OpDef {
  const d = defineInplace(schema, functional);
  return {
    ...d,
    ...extra,
    meta: (args, ctx) => {
      const out = functional.meta(args, ctx) as TensorMeta;
      checkInplaceShape(ctx.op, (args[0] as TensorMeta).shape, out.shape);
      return d.meta(args, ctx);
    },
    cpu: (args, ctx) => {
      const self = args[0] as NDArray;
      const out = functional.cpu(args, ctx) as NDArray;
      checkInplaceCast(ctx.op, out.dtype, self.dtype);
      checkInplaceShape(ctx.op, self.shape, out.shape);
      self.copyFrom(out.dtype === self.dtype ? out : castArray(out, self.dtype));
      return self;
    },
  };
}

const mulFor = (d: DType): ((a: number, b: number) => number) => (d === 'int32' ? Math.imul : (a, b) => a * b);

// ---- unary math ----

const boolNotImpl = (kernel: string) => (d: DType, op: string, isMeta: boolean) => {
  if (!isMeta && d === 'bool') throw notImplemented(op, kernel, d);
};

export const sin = unaryFloatOp('sin(Tensor self) -> Tensor', Math.sin);
export const cos = unaryFloatOp('cos(Tensor self) -> Tensor', Math.cos);
export const tan = unaryFloatOp('tan(Tensor self) -> Tensor', Math.tan);
export const exp = unaryFloatOp('exp(Tensor self) -> Tensor', Math.exp);
export const log = unaryFloatOp('log(Tensor self) -> Tensor', Math.log);
export const sqrt = unaryFloatOp('sqrt(Tensor self) -> Tensor', Math.sqrt);
export const rsqrt = unaryFloatOp('rsqrt(Tensor self) -> Tensor', (v) => 1 / Math.sqrt(v));
export const reciprocal = unaryFloatOp('reciprocal(Tensor self) -> Tensor', (v) => 1 / v);
export const erfOp = unaryFloatOp('erf(Tensor self) -> Tensor', erf);
export const log1p = unaryFloatOp('log1p(Tensor self) -> Tensor', Math.log1p);
export const expm1 = unaryFloatOp('expm1(Tensor self) -> Tensor', Math.expm1);

export const neg = unaryOp('neg(Tensor self) -> Tensor', (v) => -v, {
  check: (d, op) => {
    if (d === 'bool')
      throw new OpArgumentError(op, 'Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.');
  },
});
export const abs = unaryOp('abs(Tensor self) -> Tensor', Math.abs, { check: boolNotImpl('abs_cpu') });
// sign(NaN) is 0 on CPU: (0 < x) - (x < 0).
export const sign = unaryOp('sign(Tensor self) -> Tensor', (v) => Number(v > 0) - Number(v < 0));
export const floor = unaryOp('floor(Tensor self) -> Tensor', Math.floor, { check: boolNotImpl('floor_vml_cpu') });
export const ceil = unaryOp('ceil(Tensor self) -> Tensor', Math.ceil, { check: boolNotImpl('ceil_vml_cpu') });
export const round = unaryOp('round(Tensor self) -> Tensor', roundHalfEven, { check: boolNotImpl('round_vml_cpu') });
export const trunc = unaryOp('trunc(Tensor self) -> Tensor', Math.trunc, { check: boolNotImpl('trunc_vml_cpu') });

// ---- binary arithmetic ----

function checkAlpha(op: string, alpha: PyScalar, d: DType): void {
  if (typeof alpha === 'boolean' && d !== 'bool') throw new OpArgumentError(op, 'Boolean alpha only supported for Boolean results.');
  if (scalarIsFloat(alpha) && !isFloating(d)) throw new OpArgumentError(op, 'For integral input tensors, argument alpha must not be a floating point number.');
}

const isBoolOperand = (v: unknown): boolean => typeof v === 'boolean' || ((isTensorMeta(v) || isArray(v)) && (v as TensorMeta).dtype === 'bool');

function checkSubBool(op: string, a: unknown, b: unknown): void {
  if (isBoolOperand(a) && isBoolOperand(b))
    throw new OpArgumentError(op, 'Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.');
  if (isBoolOperand(a) || isBoolOperand(b))
    throw new OpArgumentError(op, 'Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.');
}

/** a + sign·alpha·b in dtype d. */
function addKernel(a: unknown, b: unknown, alpha: PyScalar, sign: 1 | -1, d: DType, op: string): NDArray {
  const al = castValue(d, scalarToNumber(alpha)) * sign;
  const mul = mulFor(d);
  const f = al === 1 ? (x: number, y: number) => x + y : al === -1 ? (x: number, y: number) => x - y : (x: number, y: number) => x + mul(al, y);
  return binaryKernel(kernelOperand(a), kernelOperand(b), f, d, d, op);
}

function addLike(schema: string, sign: 1 | -1, groups: OpGroup[]): OpDef {
  return defineOp({
    schema,
    groups: [Elementwise, Binary, ...groups],
    meta: ([a, b, alpha], ctx) => {
      if (sign < 0) checkSubBool(ctx.op, a, b);
      const d = resultDType([a, b] as Operand[]);
      checkAlpha(ctx.op, alpha as PyScalar, d);
      return elementwiseMeta([a, b] as Operand[], d, ctx.op);
    },
    cpu: ([a, b, alpha], ctx) => {
      if (sign < 0) checkSubBool(ctx.op, a, b);
      const d = promoteOperands([a, b]);
      checkAlpha(ctx.op, alpha as PyScalar, d);
      return addKernel(a, b, alpha as PyScalar, sign, d, ctx.op);
    },
  });
}

export const add = addLike('add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor', 1, [Core, Commutative]);
export const addScalar = addLike('add.Scalar(Tensor self, Scalar other, Scalar alpha=1) -> Tensor', 1, [Core]);
export const sub = addLike('sub.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor', -1, [Core]);
export const subScalar = addLike('sub.Scalar(Tensor self, Scalar other, Scalar alpha=1) -> Tensor', -1, [Core]);

/** rsub: other - alpha·self, which run_decompositions() writes as sub.Tensor(other, self). */
function rsubLike(schema: string): OpDef {
  return defineOp({
    schema,
    groups: [Elementwise, Binary],
    meta: ([a, b, alpha], ctx) => {
      checkSubBool(ctx.op, b, a);
      const d = resultDType([a, b] as Operand[]);
      checkAlpha(ctx.op, alpha as PyScalar, d);
      return elementwiseMeta([a, b] as Operand[], d, ctx.op);
    },
    cpu: ([a, b, alpha], ctx) => {
      checkSubBool(ctx.op, b, a);
      const d = promoteOperands([a, b]);
      checkAlpha(ctx.op, alpha as PyScalar, d);
      return addKernel(b, a, alpha as PyScalar, -1, d, ctx.op);
    },
    // PyTorch records alpha only when it is not the int 1 (alpha=1.0 stays visible).
    decomp: ([a, b, alpha], ctx) => ctx.call('aten.sub.Tensor', [b, a], alpha === 1 ? {} : { alpha }),
  });
}

export const rsub = rsubLike('rsub.Scalar(Tensor self, Scalar other, Scalar alpha=1) -> Tensor');
export const rsubTensor = rsubLike('rsub.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor');

/** A binary op computing in the promoted dtype, optionally producing floats. */
function binaryOp(
  schema: string,
  kernel: (d: DType, op: string) => (x: number, y: number) => number,
  opts: { groups?: OpGroup[]; float?: boolean; check?: (d: DType, op: string, isMeta: boolean, args: unknown[]) => void; decomp?: OpDef['decomp'] } = {},
): OpDef {
  const resultOf = (args: unknown[]): DType => {
    const d = resultDType(args.slice(0, 2) as Operand[]);
    return opts.float ? floatResult(d) : d;
  };
  return defineOp({
    schema,
    groups: [Elementwise, Binary, ...(opts.groups ?? [Core])],
    decomp: opts.decomp,
    meta: (args, ctx) => {
      const d = resultOf(args);
      opts.check?.(d, ctx.op, true, args);
      return elementwiseMeta(args.slice(0, 2) as Operand[], d, ctx.op);
    },
    cpu: (args, ctx) => {
      const d = resultOf(args);
      opts.check?.(d, ctx.op, false, args);
      return binaryKernel(kernelOperand(args[0]), kernelOperand(args[1]), kernel(d, ctx.op), d, d, ctx.op);
    },
  });
}

export const mul = binaryOp('mul.Tensor(Tensor self, Tensor other) -> Tensor', (d) => (d === 'bool' ? (x, y) => x * y : mulFor(d)), { groups: [Core, Commutative] });
export const mulScalar = binaryOp('mul.Scalar(Tensor self, Scalar other) -> Tensor', (d) => mulFor(d));
export const div = binaryOp('div.Tensor(Tensor self, Tensor other) -> Tensor', () => (x, y) => x / y, { float: true });
export const divScalar = binaryOp('div.Scalar(Tensor self, Scalar other) -> Tensor', () => (x, y) => x / y, { float: true });

type RoundingMode = 'trunc' | 'floor' | null;

function checkRoundingMode(op: string, mode: unknown): RoundingMode {
  if (mode === null || mode === 'trunc' || mode === 'floor') return mode;
  throw new OpArgumentError(op, `div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '${String(mode)}'`);
}

function divModeKernel(mode: 'trunc' | 'floor', d: DType, op: string): (x: number, y: number) => number {
  if (isFloating(d)) return mode === 'trunc' ? (x, y) => Math.trunc(x / y) : divFloorFloat;
  if (mode === 'floor') return divFloorInt(op);
  return (x, y) => {
    if (y === 0) throw new OpArgumentError(op, 'ZeroDivisionError');
    return Math.trunc(x / y);
  };
}

function checkFloorBool(d: DType, op: string): void {
  if (d === 'bool') throw new OpArgumentError(op, 'torch.bool not supported for floor_divide');
}

function divModeOp(schema: string): OpDef {
  const resultOf = ([a, b, mode]: unknown[], op: string): [DType, RoundingMode] => {
    const m = checkRoundingMode(op, mode);
    const d = resultDType([a, b] as Operand[]);
    if (m === null) return [floatResult(d), m];
    if (m === 'floor') checkFloorBool(d, op);
    return [d, m];
  };
  return defineOp({
    schema,
    groups: [Elementwise, Binary, Core],
    meta: (args, ctx) => elementwiseMeta(args.slice(0, 2) as Operand[], resultOf(args, ctx.op)[0], ctx.op),
    cpu: (args, ctx) => {
      const [d, m] = resultOf(args, ctx.op);
      const f = m === null ? (x: number, y: number) => x / y : divModeKernel(m, d, ctx.op);
      return binaryKernel(kernelOperand(args[0]), kernelOperand(args[1]), f, d, d, ctx.op);
    },
  });
}

export const divMode = divModeOp('div.Tensor_mode(Tensor self, Tensor other, *, str? rounding_mode) -> Tensor');
export const divScalarMode = divModeOp('div.Scalar_mode(Tensor self, Scalar other, *, str? rounding_mode) -> Tensor');

const floorDivDecomp: OpDef['decomp'] = ([a, b], ctx) => ctx.call('aten.div.Tensor_mode', [a, b], { rounding_mode: 'floor' });
export const floorDivide = binaryOp('floor_divide(Tensor self, Tensor other) -> Tensor', (d, op) => divModeKernel('floor', d, op), {
  groups: [],
  check: (d, op) => checkFloorBool(d, op),
  decomp: floorDivDecomp,
});
export const floorDivideScalar = binaryOp('floor_divide.Scalar(Tensor self, Scalar other) -> Tensor', (d, op) => divModeKernel('floor', d, op), {
  groups: [],
  check: (d, op) => checkFloorBool(d, op),
  decomp: floorDivDecomp,
});

function remainderKernel(d: DType, op: string): (x: number, y: number) => number {
  if (isFloating(d)) return remainderFloat;
  return (x, y) => {
    if (y === 0) throw new OpArgumentError(op, 'ZeroDivisionError');
    let r = x % y;
    if (r !== 0 && r < 0 !== y < 0) r += y;
    return r;
  };
}
export const remainder = binaryOp('remainder.Tensor(Tensor self, Tensor other) -> Tensor', remainderKernel, { check: boolNotImpl('remainder_cpu') });
export const remainderScalar = binaryOp('remainder.Scalar(Tensor self, Scalar other) -> Tensor', remainderKernel, { check: boolNotImpl('remainder_cpu') });

/** C pow: pow(1, y) = 1 and pow(-1, ±inf) = 1, where Math.pow gives NaN. */
function cpow(x: number, y: number): number {
  if (x === 1 || y === 0) return 1;
  if (x === -1 && !Number.isFinite(y) && !Number.isNaN(y)) return 1;
  return Math.pow(x, y);
}

const powKernel = (d: DType): ((x: number, y: number) => number) => (isFloating(d) ? cpow : intPow(d));

export const powTensorScalar = binaryOp('pow.Tensor_Scalar(Tensor self, Scalar exponent) -> Tensor', powKernel, {
  check: (d, op, isMeta, [, e]) => {
    if (!isMeta && !isFloating(d) && !scalarIsFloat(e as PyScalar) && num(e) < 0)
      throw new OpArgumentError(op, 'Integers to negative integer powers are not allowed.');
  },
});
export const powTensorTensor = binaryOp('pow.Tensor_Tensor(Tensor self, Tensor exponent) -> Tensor', powKernel, { check: boolNotImpl('pow') });
export const powScalar = binaryOp('pow.Scalar(Scalar self, Tensor exponent) -> Tensor', powKernel);

export const maximum = binaryOp('maximum(Tensor self, Tensor other) -> Tensor', () => Math.max, { groups: [Core, Commutative] });
export const minimum = binaryOp('minimum(Tensor self, Tensor other) -> Tensor', () => Math.min, { groups: [Core, Commutative] });
export const atan2 = binaryOp('atan2(Tensor self, Tensor other) -> Tensor', () => Math.atan2, { float: true });

// ---- where, masked_fill ----

function checkCondition(op: string, d: DType, isMeta: boolean, what: 'where' | 'masked_fill'): void {
  if (d === 'bool') return;
  if (isMeta) throw new OpArgumentError(op, `expected predicate to be bool, got torch.${d}`);
  if (what === 'where') throw new OpArgumentError(op, `where expected condition to be a boolean tensor, but got a tensor with dtype ${dtypeTitle(d)}`);
  const cName: Partial<Record<DType, string>> = { int64: 'long int', int32: 'int', int16: 'short int', int8: 'signed char', uint8: 'unsigned char', float32: 'float', float64: 'double' };
  throw new OpArgumentError(op, `masked_fill_ only supports boolean masks, but got mask with dtype ${cName[d] ?? d}`);
}

const select = (c: number, x: number, y: number): number => (c ? x : y);

function whereLike(schema: string, groups: OpGroup[], decomp?: OpDef['decomp']): OpDef {
  return defineOp({
    schema,
    groups: [Elementwise, ...groups],
    decomp,
    meta: ([c, a, b], ctx) => {
      const cm = c as TensorMeta;
      checkCondition(ctx.op, cm.dtype, true, 'where');
      const d = resultDType([a, b] as Operand[]);
      return elementwiseMeta([cm, a, b] as Operand[], d, ctx.op);
    },
    cpu: ([c, a, b], ctx) => {
      const cond = c as NDArray;
      checkCondition(ctx.op, cond.dtype, false, 'where');
      const d = promoteOperands([a, b]);
      return ternaryKernel(cond, kernelOperand(a), kernelOperand(b), select, d, ['bool', d, d], ctx.op);
    },
  });
}

/** `scalar_tensor(v, dtype=d, layout=torch.strided, device=cpu)`, as the where/masked_fill decompositions make. */
function scalarTensor(ctx: DecompContext, v: unknown, d: DType): unknown {
  return ctx.call('aten.scalar_tensor.default', [v], { dtype: d, layout: STRIDED_LAYOUT, device: CPU_DEVICE });
}

/** Convert x to dtype d unless it already is (`_to_copy(x, dtype=d)`). */
function castTo(ctx: DecompContext, x: unknown, d: DType): unknown {
  return ctx.meta(x).dtype === d ? x : ctx.call('aten._to_copy.default', [x], { dtype: d });
}

export const where = whereLike('where.self(Tensor condition, Tensor self, Tensor other) -> Tensor', [Core]);
export const whereScalarSelf = whereLike('where.ScalarSelf(Tensor condition, Scalar self, Tensor other) -> Tensor', [], ([c, a, b], ctx) => {
  const d = resultDType([a, ctx.meta(b)] as Operand[]);
  const st = scalarTensor(ctx, a, d);
  return ctx.call('aten.where.self', [c, st, castTo(ctx, b, d)]);
});
export const whereScalarOther = whereLike('where.ScalarOther(Tensor condition, Tensor self, Scalar other) -> Tensor', [], ([c, a, b], ctx) => {
  const d = resultDType([ctx.meta(a), b] as Operand[]);
  const st = scalarTensor(ctx, b, d);
  return ctx.call('aten.where.self', [c, castTo(ctx, a, d), st]);
});
export const whereScalar = whereLike('where.Scalar(Tensor condition, Scalar self, Scalar other) -> Tensor', [], ([c, a, b], ctx) => {
  const d = resultDType([a, b] as Operand[]);
  const other = scalarTensor(ctx, b, d);
  const self = scalarTensor(ctx, a, d);
  return ctx.call('aten.where.self', [c, self, other]);
});

/** A Python scalar as the dtype would print it (2 → 2.0 for float tensors, True for bool). */
function scalarAs(d: DType, v: PyScalar): PyScalar {
  const n = scalarToNumber(v);
  if (d === 'bool') return n !== 0;
  if (isFloating(d)) return Number.isInteger(n) ? new PyFloat(n) : n;
  return Math.trunc(n);
}

function maskedFillLike(schema: string, tensorValue: boolean): OpDef {
  const checkValue = (op: string, v: unknown, isMeta: boolean): void => {
    if (!tensorValue) return;
    const nd = (v as TensorMeta).shape.length;
    if (nd !== 0)
      throw new OpArgumentError(
        op,
        isMeta
          ? `only supports a 0-dimensional value tensor, but got tensor with ${nd} dimension`
          : `masked_fill_ only supports a 0-dimensional value tensor, but got tensor with ${nd} dimension(s).`,
      );
  };
  return defineOp({
    schema,
    groups: [Elementwise],
    meta: ([self, mask, value], ctx) => {
      const s = self as TensorMeta;
      const m = mask as TensorMeta;
      checkCondition(ctx.op, m.dtype, true, 'masked_fill');
      checkValue(ctx.op, value, true);
      return meta(s.dtype, broadcastShapes(s.shape, m.shape, ctx.op));
    },
    cpu: ([self, mask, value], ctx) => {
      const x = self as NDArray;
      const m = mask as NDArray;
      checkCondition(ctx.op, m.dtype, false, 'masked_fill');
      checkValue(ctx.op, value, false);
      const v = castValue(x.dtype, tensorValue ? (value as NDArray).item() : num(value));
      return ternaryKernel(m, v, x, select, x.dtype, ['bool', x.dtype, x.dtype], ctx.op);
    },
    decomp: ([self, mask, value], ctx) => {
      const d = ctx.meta(self).dtype;
      const v = tensorValue ? castTo(ctx, value, d) : scalarTensor(ctx, scalarAs(d, value as PyScalar), d);
      return ctx.call('aten.where.self', [mask, v, self]);
    },
  });
}

export const maskedFill = maskedFillLike('masked_fill.Scalar(Tensor self, Tensor mask, Scalar value) -> Tensor', false);
export const maskedFillTensor = maskedFillLike('masked_fill.Tensor(Tensor self, Tensor mask, Tensor value) -> Tensor', true);

// ---- clamp ----

const CLAMP_NONE = "torch.clamp: At least one of 'min' or 'max' must not be None";
const clampLo = (x: number, lo: number): number => (x < lo ? lo : x); // NaN x stays NaN
const clampHi = (x: number, hi: number): number => (x > hi ? hi : x);
const clampBoth = (x: number, lo: number, hi: number): number => clampHi(clampLo(x, lo), hi);

export const clamp = defineOp({
  schema: 'clamp(Tensor self, Scalar? min=None, Scalar? max=None) -> Tensor',
  groups: [Elementwise, Unary, Core],
  meta: ([self, lo, hi], ctx) => {
    if (lo === null && hi === null) throw new OpArgumentError(ctx.op, CLAMP_NONE);
    const s = self as TensorMeta;
    return meta(resultDType([s, lo, hi].filter((v) => v !== null) as Operand[]), s.shape);
  },
  cpu: ([self, lo, hi], ctx) => {
    if (lo === null && hi === null) throw new OpArgumentError(ctx.op, CLAMP_NONE);
    const x = self as NDArray;
    const d = promoteOperands([x, lo, hi].filter((v) => v !== null));
    const l = lo === null ? -Infinity : castValue(d, num(lo));
    const h = hi === null ? Infinity : castValue(d, num(hi));
    return unaryKernel(x, (v) => clampBoth(v, l, h), d, d);
  },
});

export const clampTensor = defineOp({
  schema: 'clamp.Tensor(Tensor self, Tensor? min=None, Tensor? max=None) -> Tensor',
  groups: [Elementwise, Core],
  meta: ([self, lo, hi], ctx) => {
    if (lo === null && hi === null) throw new OpArgumentError(ctx.op, CLAMP_NONE);
    const ops = [self, lo, hi].filter((v) => v !== null) as Operand[];
    return elementwiseMeta(ops, resultDType(ops), ctx.op);
  },
  cpu: ([self, lo, hi], ctx) => {
    if (lo === null && hi === null) throw new OpArgumentError(ctx.op, CLAMP_NONE);
    const x = self as NDArray;
    const d = promoteOperands([x, lo, hi].filter((v) => v !== null));
    if (lo === null) return binaryKernel(x, kernelOperand(hi), clampHi, d, d, ctx.op);
    if (hi === null) return binaryKernel(x, kernelOperand(lo), clampLo, d, d, ctx.op);
    return ternaryKernel(x, kernelOperand(lo), kernelOperand(hi), clampBoth, d, [d, d, d], ctx.op);
  },
});

export const clampMin = defineOp({
  schema: 'clamp_min(Tensor self, Scalar min) -> Tensor',
  groups: [Elementwise, Unary],
  meta: ([self, lo], ctx) => clamp.meta([self, lo, null], ctx),
  cpu: ([self, lo], ctx) => clamp.cpu([self, lo, null], ctx),
  decomp: ([self, lo], ctx) => ctx.call('aten.clamp.default', [self, lo]),
});
export const clampMax = defineOp({
  schema: 'clamp_max(Tensor self, Scalar max) -> Tensor',
  groups: [Elementwise, Unary],
  meta: ([self, hi], ctx) => clamp.meta([self, null, hi], ctx),
  cpu: ([self, hi], ctx) => clamp.cpu([self, null, hi], ctx),
  decomp: ([self, hi], ctx) => ctx.call('aten.clamp.default', [self, null, hi]),
});
export const clampMinTensor = defineOp({
  schema: 'clamp_min.Tensor(Tensor self, Tensor min) -> Tensor',
  groups: [Elementwise],
  meta: ([self, lo], ctx) => clampTensor.meta([self, lo, null], ctx),
  cpu: ([self, lo], ctx) => clampTensor.cpu([self, lo, null], ctx),
  decomp: ([self, lo], ctx) => ctx.call('aten.clamp.Tensor', [self, lo]),
});
export const clampMaxTensor = defineOp({
  schema: 'clamp_max.Tensor(Tensor self, Tensor max) -> Tensor',
  groups: [Elementwise],
  meta: ([self, hi], ctx) => clampTensor.meta([self, null, hi], ctx),
  cpu: ([self, hi], ctx) => clampTensor.cpu([self, null, hi], ctx),
  decomp: ([self, hi], ctx) => ctx.call('aten.clamp.Tensor', [self, null, hi]),
});

// ---- lerp: start + weight·(end - start), PyTorch's two-sided formula ----

function lerpValue(s: number, e: number, w: number): number {
  return Math.abs(w) < 0.5 ? s + w * (e - s) : e - (e - s) * (1 - w);
}

function checkLerpFloat(op: string, d: DType, kernel: string): void {
  if (!isFloating(d)) throw notImplemented(op, kernel, d);
}

export const lerpScalar = defineOp({
  schema: 'lerp.Scalar(Tensor self, Tensor end, Scalar weight) -> Tensor',
  groups: [Elementwise],
  meta: ([self, end], ctx) => {
    const s = self as TensorMeta;
    return meta(s.dtype, broadcastShapes(s.shape, (end as TensorMeta).shape, ctx.op));
  },
  cpu: ([self, end, weight], ctx) => {
    const x = self as NDArray;
    checkLerpFloat(ctx.op, x.dtype, 'lerp_kernel_scalar');
    const w = castValue(x.dtype, num(weight));
    return binaryKernel(x, end as NDArray, (s, e) => lerpValue(s, e, w), x.dtype, x.dtype, ctx.op);
  },
  decomp: ([self, end, weight], ctx) => {
    const d = ctx.meta(self).dtype;
    const w = ctx.call('aten.full.default', [[], weight], { dtype: d, layout: STRIDED_LAYOUT, device: CPU_DEVICE, pin_memory: false });
    return lerpDecomp(ctx, self, end, w);
  },
});

export const lerpTensor = defineOp({
  schema: 'lerp.Tensor(Tensor self, Tensor end, Tensor weight) -> Tensor',
  groups: [Elementwise],
  meta: ([self, end, weight], ctx) => {
    const s = self as TensorMeta;
    return elementwiseMeta([s, end, weight] as Operand[], s.dtype, ctx.op);
  },
  cpu: ([self, end, weight], ctx) => {
    const x = self as NDArray;
    checkLerpFloat(ctx.op, x.dtype, 'lerp_kernel_tensor');
    return ternaryKernel(x, end as NDArray, weight as NDArray, lerpValue, x.dtype, [x.dtype, x.dtype, x.dtype], ctx.op);
  },
  decomp: ([self, end, weight], ctx) => lerpDecomp(ctx, self, end, weight),
});

function lerpDecomp(ctx: DecompContext, self: unknown, end: unknown, w: unknown): unknown {
  const absW = ctx.call('aten.abs.default', [w]);
  const ge = ctx.call('aten.ge.Scalar', [absW, 0.5]);
  const wm1 = ctx.call('aten.sub.Tensor', [w, 1]);
  const coeff = ctx.call('aten.where.self', [ge, wm1, w]);
  const base = ctx.call('aten.where.self', [ge, end, self]);
  const diff = ctx.call('aten.sub.Tensor', [end, self]);
  const prod = ctx.call('aten.mul.Tensor', [coeff, diff]);
  return ctx.call('aten.add.Tensor', [prod, base]);
}

// ---- dtype and copy ops ----

/** MemoryFormat arguments: `{enum: 'torch.contiguous_format'}` (a bare `contiguous_format` is accepted too). */
interface MemoryFormat {
  enum: string;
}

const formatName = (fmt: MemoryFormat | null): string => (fmt?.enum ?? 'preserve_format').replace(/^torch\./, '');

/** Strides of a fresh tensor like `s` under a memory format (preserve keeps dense strides). */
function likeStrides(s: TensorMeta, fmt: MemoryFormat | null): IntLike[] {
  const f = formatName(fmt);
  if (f === 'channels_last' && s.shape.length === 4) {
    const [, c, h, w] = s.shape;
    const contig = contiguousStridesSym([s.shape[0]!, h!, w!, c!]);
    return [contig[0]!, contig[3]!, contig[1]!, contig[2]!];
  }
  if (f === 'preserve_format' && isDenseNonOverlapping(s)) return [...s.strides];
  return contiguousStridesSym(s.shape);
}

function isDenseNonOverlapping(s: TensorMeta): boolean {
  const contig = contiguousStridesSym(s.shape);
  if (s.strides.every((st, i) => st === contig[i] || staticallyKnownTrue(symEq(st, contig[i]!)))) return true;
  if (!s.shape.every((x) => typeof x === 'number') || !s.strides.every((x) => typeof x === 'number')) return false;
  // A permutation of a contiguous layout: sort dims by stride and check they tile.
  const dims = s.shape.map((_, i) => i).sort((a, b) => (s.strides[b] as number) - (s.strides[a] as number));
  let expected = 1;
  for (let k = dims.length - 1; k >= 0; k--) {
    const d = dims[k]!;
    const size = s.shape[d] as number;
    if (size === 1) continue;
    if (s.strides[d] !== expected) return false;
    expected *= size;
  }
  return true;
}

function copyLike(s: TensorMeta, dtype: DType, fmt: MemoryFormat | null): TensorMeta {
  return { dtype, shape: [...s.shape], strides: likeStrides(s, fmt) };
}

export const clone = defineOp({
  schema: 'clone(Tensor self, *, MemoryFormat? memory_format=None) -> Tensor',
  groups: [Elementwise, Unary, Core],
  meta: ([self, fmt]) => copyLike(self as TensorMeta, (self as TensorMeta).dtype, fmt as MemoryFormat | null),
  cpu: ([self]) => (self as NDArray).clone(),
});

export const toCopy = defineOp({
  schema:
    '_to_copy(Tensor self, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None, bool non_blocking=False, MemoryFormat? memory_format=None) -> Tensor',
  groups: [Core],
  meta: ([self, dtype, , , , , fmt]) => {
    const s = self as TensorMeta;
    return copyLike(s, (dtype as DType | null) ?? s.dtype, fmt as MemoryFormat | null);
  },
  cpu: ([self, dtype]) => {
    const x = self as NDArray;
    return castArray(x, (dtype as DType | null) ?? x.dtype);
  },
});

/** to(): an alias when nothing changes, otherwise _to_copy. */
function toLike(schema: string, pick: (args: unknown[]) => { dtype: DType | null; copy: boolean; fmt: MemoryFormat | null; nonBlocking: boolean; device?: unknown }): OpDef {
  const target = (args: unknown[], self: DType) => {
    const p = pick(args);
    const d = p.dtype ?? self;
    return { ...p, d, same: d === self && !p.copy && formatName(p.fmt) === 'preserve_format' };
  };
  return defineOp({
    schema,
    groups: [],
    meta: (args) => {
      const s = args[0] as TensorMeta;
      const t = target(args, s.dtype);
      return t.same ? s : copyLike(s, t.d, t.fmt);
    },
    cpu: (args) => {
      const x = args[0] as NDArray;
      const t = target(args, x.dtype);
      return t.same ? x : castArray(x, t.d);
    },
    decomp: (args, ctx) => {
      const x = args[0];
      const t = target(args, ctx.meta(x).dtype);
      if (t.same) return x;
      const kwargs: Record<string, unknown> = { dtype: t.d };
      if (t.device !== undefined) kwargs.device = t.device;
      if (t.nonBlocking) kwargs.non_blocking = true;
      if (t.fmt !== null) kwargs.memory_format = t.fmt;
      return ctx.call('aten._to_copy.default', [x], kwargs);
    },
  });
}

export const toDtype = toLike(
  'to.dtype(Tensor(a) self, ScalarType dtype, bool non_blocking=False, bool copy=False, MemoryFormat? memory_format=None) -> Tensor(a)',
  ([, dtype, nonBlocking, copy, fmt]) => ({ dtype: dtype as DType, nonBlocking: nonBlocking as boolean, copy: copy as boolean, fmt: fmt as MemoryFormat | null }),
);
export const toDtypeLayout = toLike(
  'to.dtype_layout(Tensor(a) self, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None, bool non_blocking=False, bool copy=False, MemoryFormat? memory_format=None) -> Tensor(a)',
  ([, dtype, , , , nonBlocking, copy, fmt]) => ({ dtype: dtype as DType | null, nonBlocking: nonBlocking as boolean, copy: copy as boolean, fmt: fmt as MemoryFormat | null }),
);

export const toDevice = toLike(
  'to.device(Tensor(a) self, Device device, ScalarType dtype, bool non_blocking=False, bool copy=False, MemoryFormat? memory_format=None) -> Tensor(a)',
  ([, device, dtype, nonBlocking, copy, fmt]) => ({ device, dtype: dtype as DType, nonBlocking: nonBlocking as boolean, copy: copy as boolean, fmt: fmt as MemoryFormat | null }),
);

export const typeAs = defineOp({
  schema: 'type_as(Tensor self, Tensor other) -> Tensor',
  groups: [],
  meta: ([self, other]) => {
    const s = self as TensorMeta;
    const d = (other as TensorMeta).dtype;
    return d === s.dtype ? s : copyLike(s, d, null);
  },
  cpu: ([self, other]) => {
    const x = self as NDArray;
    const d = (other as NDArray).dtype;
    return d === x.dtype ? x : castArray(x, d);
  },
  decomp: ([self, other], ctx) => {
    const d = ctx.meta(other).dtype;
    if (d === ctx.meta(self).dtype) return self;
    return ctx.call('aten._to_copy.default', [self], { dtype: d, layout: STRIDED_LAYOUT, device: CPU_DEVICE });
  },
});

// alias.default is a view op: movement.ts declares it.

export const liftFreshCopy = defineOp({
  schema: 'lift_fresh_copy(Tensor self) -> Tensor',
  groups: [],
  meta: ([self]) => copyLike(self as TensorMeta, (self as TensorMeta).dtype, null),
  cpu: ([self]) => (self as NDArray).clone(),
  decomp: ([self], ctx) => ctx.call('aten.clone.default', [self]),
});

/** copy(self, src): a new tensor shaped and typed like self holding src broadcast to it. */
export const copy = defineOp({
  schema: 'copy(Tensor self, Tensor src, bool non_blocking=False) -> Tensor',
  groups: [Core],
  meta: ([self, src], ctx) => {
    const s = self as TensorMeta;
    const out = broadcastShapes(s.shape, (src as TensorMeta).shape, ctx.op);
    checkInplaceShape(ctx.op, s.shape, out);
    return copyLike(s, s.dtype, null);
  },
  cpu: ([self, src], ctx) => {
    const x = self as NDArray;
    const sv = src as NDArray;
    const out = broadcastShapes(x.shape, sv.shape, ctx.op) as number[];
    checkInplaceShape(ctx.op, x.shape, out);
    return castArray(sv, x.dtype, x.shape);
  },
});

export const fill = defineOp({
  schema: 'fill.Scalar(Tensor self, Scalar value) -> Tensor',
  groups: [Elementwise],
  meta: ([self]) => meta((self as TensorMeta).dtype, (self as TensorMeta).shape),
  cpu: ([self, value]) => filled((self as NDArray).dtype, (self as NDArray).shape, num(value)),
  decomp: ([self, value], ctx) => ctx.call('aten.full_like.default', [self, value], { pin_memory: false }),
});

// ---- dropout ----

/** Inverted dropout: keep with probability 1-p and scale by 1/(1-p). */
function dropoutKernel(x: NDArray, p: number): [NDArray, NDArray] {
  const mask = NDArray.zeros('bool', x.shape);
  const m = mask.storage.data;
  for (let i = 0; i < m.length; i++) m[i] = Math.random() >= p ? 1 : 0;
  const scale = p >= 1 ? 0 : 1 / (1 - p);
  const d = x.dtype;
  const out = ternaryKernel(x, mask, scale, (v, k, s) => v * k * s, d, [d, d, d]);
  return [out, mask];
}

export const nativeDropout = defineOp({
  schema: 'native_dropout(Tensor input, float p, bool? train) -> (Tensor, Tensor)',
  groups: [Core, Random],
  meta: ([input]) => {
    const s = input as TensorMeta;
    return [meta(s.dtype, s.shape), meta('bool', s.shape)];
  },
  cpu: ([input, p, train]) => {
    const x = input as NDArray;
    if (train === false) return [x.clone(), filled('bool', x.shape, 1)];
    return dropoutKernel(x, num(p));
  },
});

/** dropout(input, p, train): the input itself when not training (eager returns it unchanged). */
export const dropout = defineOp({
  schema: 'dropout(Tensor input, float p, bool train) -> Tensor',
  groups: [Random],
  meta: ([input, p, train]) => {
    const s = input as TensorMeta;
    return train && num(p) !== 0 ? meta(s.dtype, s.shape) : { ...s };
  },
  cpu: ([input, p, train]) => {
    const x = input as NDArray;
    return train && num(p) !== 0 ? dropoutKernel(x, num(p))[0] : x;
  },
  decomp: ([input, p, train], ctx) => {
    if (train && num(p) !== 0) return (ctx.call('aten.native_dropout.default', [input, p, train]) as unknown[])[0];
    return ctx.call('aten.clone.default', [input]);
  },
});

// ---- in-place twins (functionalized back to the ops above) ----

export const add_ = inplaceOp('add_.Tensor(Tensor(a!) self, Tensor other, *, Scalar alpha=1) -> Tensor(a!)', add);
export const addScalar_ = inplaceOp('add_.Scalar(Tensor(a!) self, Scalar other, Scalar alpha=1) -> Tensor(a!)', addScalar);
export const sub_ = inplaceOp('sub_.Tensor(Tensor(a!) self, Tensor other, *, Scalar alpha=1) -> Tensor(a!)', sub);
export const subScalar_ = inplaceOp('sub_.Scalar(Tensor(a!) self, Scalar other, Scalar alpha=1) -> Tensor(a!)', subScalar);
export const mul_ = inplaceOp('mul_.Tensor(Tensor(a!) self, Tensor other) -> Tensor(a!)', mul);
export const mulScalar_ = inplaceOp('mul_.Scalar(Tensor(a!) self, Scalar other) -> Tensor(a!)', mulScalar);
export const div_ = inplaceOp('div_.Tensor(Tensor(a!) self, Tensor other) -> Tensor(a!)', div);
export const divScalar_ = inplaceOp('div_.Scalar(Tensor(a!) self, Scalar other) -> Tensor(a!)', divScalar);
export const clamp_ = inplaceOp('clamp_(Tensor(a!) self, Scalar? min=None, Scalar? max=None) -> Tensor(a!)', clamp);
export const maskedFill_ = inplaceOp('masked_fill_.Scalar(Tensor(a!) self, Tensor mask, Scalar value) -> Tensor(a!)', maskedFill);
export const fill_ = inplaceOp('fill_.Scalar(Tensor(a!) self, Scalar value) -> Tensor(a!)', fill);
export const copy_ = inplaceOp('copy_(Tensor(a!) self, Tensor src, bool non_blocking=False) -> Tensor(a!)', copy);
/**
 * dropout_ is CompositeImplicit in PyTorch: in eval it returns `self` untouched, so
 * run_decompositions() leaves no op at all (mobilenet_v3's classifier). The decomp
 * says so; in training it writes a native_dropout sample back with copy_.
 */
export const dropout_ = inplaceOp('dropout_(Tensor(a!) self, float p, bool train) -> Tensor(a!)', dropout, {
  decomp: ([self, p, train], ctx) => {
    if (!train || num(p) === 0) return self;
    const out = (ctx.call('aten.native_dropout.default', [self, p, train]) as unknown[])[0];
    return ctx.call('aten.copy_.default', [self, out]);
  },
});

export const elementwiseOps: OpDef[] = [
  sin, cos, tan, exp, log, sqrt, rsqrt, reciprocal, erfOp, log1p, expm1,
  neg, abs, sign, floor, ceil, round, trunc,
  add, addScalar, sub, subScalar, rsub, rsubTensor, mul, mulScalar, div, divScalar, divMode, divScalarMode,
  floorDivide, floorDivideScalar, remainder, remainderScalar, powTensorScalar, powTensorTensor, powScalar,
  maximum, minimum, atan2,
  where, whereScalarSelf, whereScalarOther, whereScalar, maskedFill, maskedFillTensor,
  clamp, clampTensor, clampMin, clampMax, clampMinTensor, clampMaxTensor, lerpScalar, lerpTensor,
  clone, toCopy, toDtype, toDtypeLayout, toDevice, typeAs, liftFreshCopy, copy, fill, nativeDropout, dropout,
  add_, addScalar_, sub_, subScalar_, mul_, mulScalar_, div_, divScalar_, clamp_, maskedFill_, fill_, copy_, dropout_,
];
