// Assorted ops models use that the other families do not cover: detach, zero,
// relu6, eye, topk/sort/argsort, linalg_vector_norm (and norm.ScalarOpt_dim),
// round.decimals, bitwise_*.Scalar, nan_to_num, cumprod, group_norm /
// native_group_norm, fill.Tensor, and in-place twins of existing ops.
//
// Decompositions mirror torch 2.13's run_decompositions():
//   detach → alias; zero → full_like(self, 0, pin_memory=False, memory_format=preserve);
//   relu6 → hardtanh(x, 0, 6); eye(n, m) → arange(0, n, dtype=r) / arange(0, m, dtype=r) /
//   unsqueeze(-1) / eq.Tensor / _to_copy(dtype) with r the smallest of uint8/uint16/int32/
//   int64 holding max(n, m) (int64 when symbolic); argsort → sort + [1];
//   norm.ScalarOpt_dim → linalg_vector_norm(x, p ?? 2, dim, keepdim);
//   fill.Tensor → copy(self, value); nan_to_num → isnan/eq.Scalar + scalar_tensor + where;
//   group_norm → native_group_norm(x, w, b, N, C, H*W, group, eps)[0].
// topk, sort, linalg_vector_norm, round.decimals, bitwise_*.Scalar, cumprod and
// native_group_norm are core ATen.

import { type DType, isFloating, isIntegral, roundToDType } from '../core/dtype';
import { OpArgumentError, UnsupportedOperatorError } from '../core/errors';
import { NDArray } from '../core/ndarray';
import { PyFloat, type PyScalar, scalarToNumber } from '../core/scalar';
import { type IntLike, hintInt, isSymInt, product } from '../symbolic';
import { hardsigmoid, elu } from './activation';
import { binaryKernel, bitwise, castArray, dtypeTitle, filled } from './cpu-elementwise';
import { clampMin, inplaceOp, maskedFillTensor, notImplemented } from './elementwise';
import { meta, resultDType, wrapDim, wrapDims, type Operand } from './meta-utils';
import { defineInplace, defineOp } from './registry';
import { checkCumDType, cumprodSteps, dtypeArg, viewOffsets } from './reduction';
import { type OpDef, OpGroup, type TensorMeta } from './types';
import { CPU_DEVICE, PRESERVE_FORMAT, STRIDED_LAYOUT, likeStrides, mul, viewOp } from './view-geometry';

const { Core, Elementwise, Unary, Binary, Factory, Reduction } = OpGroup;
const T = (v: unknown): TensorMeta => v as TensorMeta;
const A = (v: unknown): NDArray => v as NDArray;
const num = (v: unknown): number => (isSymInt(v) ? (hintInt(v) ?? NaN) : scalarToNumber(v as PyScalar));
const conc = (v: IntLike): number => (typeof v === 'number' ? v : (hintInt(v) ?? NaN));
/** Output metadata of a pointwise op (TensorIterator keeps the input's dense layout). */
const pointwise = (s: TensorMeta, dtype: DType = s.dtype): TensorMeta => ({ dtype, shape: [...s.shape], strides: likeStrides(s) });

/** Offsets of every 1-D lane along `d` (lane starts), for kernels that walk one dim. */
function lanes(x: NDArray, d: number): Int32Array | Float64Array {
  return viewOffsets(
    x,
    x.shape.filter((_, i) => i !== d),
    x.strides.filter((_, i) => i !== d),
    x.offset,
  );
}

// ---- detach / zero / relu6 ----

export const detach = viewOp('detach(Tensor(a) self) -> Tensor(a)', (g) => ({ ...g }), {
  groups: [OpGroup.View],
  decomp: ([self], ctx) => ctx.call('aten.alias.default', [self]),
});

export const zero = defineOp({
  schema: 'zero(Tensor self) -> Tensor',
  groups: [Elementwise],
  meta: ([self]) => pointwise(T(self)),
  cpu: ([self]) => NDArray.zeros(A(self).dtype, A(self).shape),
  decomp: ([self], ctx) => ctx.call('aten.full_like.default', [self, 0], { pin_memory: false, memory_format: PRESERVE_FORMAT }),
});
export const zero_ = defineInplace('zero_(Tensor(a!) self) -> Tensor(a!)', zero);

export const relu6 = defineOp({
  schema: 'relu6(Tensor self) -> Tensor',
  groups: [Elementwise, Unary],
  meta: ([self]) => pointwise(T(self)),
  cpu: ([self]) => {
    const x = A(self);
    const out = NDArray.zeros(x.dtype, x.shape);
    const src = x.toFlat();
    for (let i = 0; i < src.length; i++) {
      const v = Number(src[i]);
      out.storage.data[i] = Number.isNaN(v) ? v : Math.min(Math.max(v, 0), 6);
    }
    return out;
  },
  decomp: ([self], ctx) => ctx.call('aten.hardtanh.default', [self, 0, 6]),
});
export const relu6_ = inplaceOp('relu6_(Tensor(a!) self) -> Tensor(a!)', relu6);

// ---- eye ----

function checkEye(op: string, n: IntLike, m: IntLike): void {
  if (typeof n === 'number' && n < 0) throw new OpArgumentError(op, `n must be greater or equal to 0, got ${n}`);
  if (typeof m === 'number' && m < 0) throw new OpArgumentError(op, `m must be greater or equal to 0, got ${m}`);
}

/** torch._refs._strength_reduce_integer: the dtype of eye's index ranges. */
function eyeRangeDType(n: IntLike, m: IntLike): DType {
  if (typeof n !== 'number' || typeof m !== 'number') return 'int64';
  const v = Math.max(n, m);
  if (v <= 255) return 'uint8';
  if (v <= 65535) throw new UnsupportedOperatorError('aten.eye', 'eye with 256 ≤ max(n, m) ≤ 65535 decomposes through torch.uint16 ranges, which are not supported yet');
  return v <= 2 ** 31 - 1 ? 'int32' : 'int64';
}

function eyeOp(schema: string, hasM: boolean): OpDef {
  const nm = (args: unknown[]): [IntLike, IntLike] => [args[0] as IntLike, (hasM ? args[1] : args[0]) as IntLike];
  const rest = (args: unknown[]): unknown[] => args.slice(hasM ? 2 : 1);
  return defineOp({
    schema,
    groups: [Factory],
    meta: (args, ctx) => {
      const [n, m] = nm(args);
      checkEye(ctx.op, n, m);
      return meta(dtypeArg(rest(args)[0]) ?? 'float32', [n, m]);
    },
    cpu: (args, ctx) => {
      const [n, m] = nm(args).map(conc) as [number, number];
      checkEye(ctx.op, n, m);
      const out = NDArray.zeros(dtypeArg(rest(args)[0]) ?? 'float32', [n, m]);
      for (let i = 0; i < Math.min(n, m); i++) out.storage.data[i * m + i] = 1;
      return out;
    },
    decomp: (args, ctx) => {
      const [n, m] = nm(args);
      checkEye('aten.eye', n, m);
      const [dtype, , device] = rest(args);
      const r = eyeRangeDType(n, m);
      const kw = { dtype: r, layout: STRIDED_LAYOUT, device: device ?? CPU_DEVICE, pin_memory: false };
      const rn = ctx.call('aten.arange.start_step', [0, n], kw);
      const rm = ctx.call('aten.arange.start_step', [0, m], kw);
      const eq = ctx.call('aten.eq.Tensor', [ctx.call('aten.unsqueeze.default', [rn, -1]), rm]);
      const d = dtypeArg(dtype) ?? 'float32';
      return d === 'bool' ? eq : ctx.call('aten._to_copy.default', [eq], { dtype: d });
    },
  });
}

export const eye = eyeOp('eye(SymInt n, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor', false);
export const eyeM = eyeOp('eye.m(SymInt n, SymInt m, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor', true);

// ---- sort / argsort / topk ----

/** Ascending order with NaN largest (torch's CPU comparator); descending reverses it. */
const ascending = (a: number, b: number): number => (Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : Number.isNaN(b) ? -1 : a - b);

/** Sort every lane along `dim` (stable); returns values and int64 indices, contiguous. */
function sortKernel(x: NDArray, dimArg: number, descending: boolean, k?: number): [NDArray, NDArray] {
  if (x.ndim === 0) {
    wrapDim(dimArg, 0);
    return [x.clone(), NDArray.zeros('int64', [])];
  }
  const d = wrapDim(dimArg, x.ndim);
  const n = x.shape[d]!;
  const take = k ?? n;
  const shape = [...x.shape];
  shape[d] = take;
  const values = NDArray.zeros(x.dtype, shape);
  const indices = NDArray.zeros('int64', shape);
  const inLanes = lanes(x, d);
  const outLanes = lanes(values, d);
  const sIn = x.strides[d]!;
  const sOut = values.strides[d]!;
  const src = x.storage.data;
  const order = new Array<number>(n);
  for (let l = 0; l < inLanes.length; l++) {
    const base = inLanes[l]!;
    for (let i = 0; i < n; i++) order[i] = i;
    const v = (i: number): number => Number(src[base + i * sIn]);
    order.sort(descending ? (i, j) => ascending(v(j), v(i)) || i - j : (i, j) => ascending(v(i), v(j)) || i - j);
    for (let i = 0; i < take; i++) {
      values.storage.data[outLanes[l]! + i * sOut] = src[base + order[i]! * sIn]!;
      indices.storage.data[outLanes[l]! + i * sOut] = order[i]!;
    }
  }
  return [values, indices];
}

function sortMeta(self: TensorMeta, dim: number): [TensorMeta, TensorMeta] {
  wrapDim(dim, self.shape.length);
  return [pointwise(self), pointwise(self, 'int64')];
}

export const sort = defineOp({
  schema: 'sort(Tensor self, int dim=-1, bool descending=False) -> (Tensor values, Tensor indices)',
  groups: [Core],
  meta: ([self, dim]) => sortMeta(T(self), dim as number),
  cpu: ([self, dim, descending]) => sortKernel(A(self), dim as number, descending as boolean),
});

export const sortStable = defineOp({
  schema: 'sort.stable(Tensor self, *, bool? stable, int dim=-1, bool descending=False) -> (Tensor values, Tensor indices)',
  groups: [Core],
  meta: ([self, , dim]) => sortMeta(T(self), dim as number),
  cpu: ([self, , dim, descending]) => sortKernel(A(self), dim as number, descending as boolean),
});

export const argsort = defineOp({
  schema: 'argsort(Tensor self, int dim=-1, bool descending=False) -> Tensor',
  meta: ([self, dim]) => sortMeta(T(self), dim as number)[1],
  cpu: ([self, dim, descending]) => sortKernel(A(self), dim as number, descending as boolean)[1],
  decomp: ([self, dim, descending], ctx) => (ctx.call('aten.sort.default', [self, dim, descending]) as unknown[])[1],
});

export const argsortStable = defineOp({
  schema: 'argsort.stable(Tensor self, *, bool stable, int dim=-1, bool descending=False) -> Tensor',
  meta: ([self, , dim]) => sortMeta(T(self), dim as number)[1],
  cpu: ([self, , dim, descending]) => sortKernel(A(self), dim as number, descending as boolean)[1],
  decomp: ([self, stable, dim, descending], ctx) => (ctx.call('aten.sort.stable', [self], { stable, dim, descending }) as unknown[])[1],
});

function topkCheck(op: string, shape: readonly IntLike[], k: IntLike, dimArg: number): number {
  const d = wrapDim(dimArg, shape.length);
  const size = shape.length === 0 ? 1 : shape[d]!;
  if (typeof k === 'number' && typeof size === 'number' && (k < 0 || k > size)) throw new OpArgumentError(op, 'selected index k out of range');
  return d;
}

export const topk = defineOp({
  schema: 'topk(Tensor self, SymInt k, int dim=-1, bool largest=True, bool sorted=True) -> (Tensor values, Tensor indices)',
  groups: [Core],
  meta: ([self, k, dim], ctx) => {
    const s = T(self);
    const d = topkCheck(ctx.op, s.shape, k as IntLike, dim as number);
    const shape = [...s.shape];
    if (shape.length) shape[d] = k as IntLike;
    return [meta(s.dtype, shape), meta('int64', shape)];
  },
  cpu: ([self, k, dim, largest], ctx) => {
    const x = A(self);
    topkCheck(ctx.op, x.shape, conc(k as IntLike), dim as number);
    // Values (and their order) match torch; which of several equal values is picked is unspecified there.
    return sortKernel(x, dim as number, largest as boolean, x.ndim ? conc(k as IntLike) : undefined);
  },
});

// ---- norms ----

function normDims(dim: unknown, ndim: number): number[] {
  const dims = dim === null || dim === undefined ? [] : (dim as number[]);
  return dims.length === 0 ? [...Array(ndim).keys()] : wrapDims(dims, ndim);
}

function normDType(op: string, self: DType, dtype: unknown): DType {
  if (!isFloating(self)) throw new OpArgumentError(op, `linalg.vector_norm: Expected a floating point or complex tensor as input. Got ${dtypeTitle(self)}`);
  return dtypeArg(dtype) ?? self;
}

function normMeta(op: string, s: TensorMeta, dim: unknown, keepdim: boolean, dtype: unknown): TensorMeta {
  const d = normDType(op, s.dtype, dtype);
  const dims = new Set(normDims(dim, s.shape.length));
  const shape = s.shape.flatMap((v, i) => (dims.has(i) ? (keepdim ? [1] : []) : [v]));
  return meta(d, shape);
}

function vectorNormCpu(op: string, x: NDArray, ord: number, dim: unknown, keepdim: boolean, dtype: unknown): NDArray {
  const outD = normDType(op, x.dtype, dtype);
  const dims = normDims(dim, x.ndim);
  const kept = [...Array(x.ndim).keys()].filter((i) => !dims.includes(i));
  const outer = viewOffsets(x, kept.map((i) => x.shape[i]!), kept.map((i) => x.strides[i]!), x.offset);
  const inner = viewOffsets(x, dims.map((i) => x.shape[i]!), dims.map((i) => x.strides[i]!), 0);
  const src = x.storage.data;
  const vals = new Float64Array(outer.length);
  for (let o = 0; o < outer.length; o++) {
    let acc = ord === Infinity ? 0 : ord === -Infinity ? Infinity : 0;
    for (let i = 0; i < inner.length; i++) {
      const a = Math.abs(roundToDType(outD, Number(src[outer[o]! + inner[i]!])));
      if (ord === Infinity) acc = Number.isNaN(a) || a > acc ? a : acc;
      else if (ord === -Infinity) acc = Number.isNaN(a) || a < acc ? a : acc;
      else if (ord === 0) acc += a !== 0 ? 1 : 0;
      else if (ord === 1) acc += a;
      else if (ord === 2) acc += a * a;
      else acc += a ** ord;
    }
    vals[o] = ord === 0 || ord === 1 || !Number.isFinite(ord) ? acc : ord === 2 ? Math.sqrt(acc) : acc ** (1 / ord);
  }
  const shape = x.shape.flatMap((v, i) => (dims.includes(i) ? (keepdim ? [1] : []) : [v]));
  return NDArray.fromValues(outD, shape, vals);
}

export const linalgVectorNorm = defineOp({
  schema: 'linalg_vector_norm(Tensor self, Scalar ord=2, int[1]? dim=None, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor',
  groups: [Core, Reduction],
  meta: ([self, , dim, keepdim, dtype], ctx) => normMeta(ctx.op, T(self), dim, keepdim as boolean, dtype),
  cpu: ([self, ord, dim, keepdim, dtype], ctx) => vectorNormCpu(ctx.op, A(self), num(ord), dim, keepdim as boolean, dtype),
});

export const normScalarOptDim = defineOp({
  schema: 'norm.ScalarOpt_dim(Tensor self, Scalar? p, int[1] dim, bool keepdim=False) -> Tensor',
  groups: [Reduction],
  meta: ([self, , dim, keepdim], ctx) => normMeta(ctx.op, T(self), dim, keepdim as boolean, null),
  cpu: ([self, p, dim, keepdim], ctx) => vectorNormCpu(ctx.op, A(self), p === null ? 2 : num(p), dim, keepdim as boolean, null),
  decomp: ([self, p, dim, keepdim], ctx) => ctx.call('aten.linalg_vector_norm.default', [self, p ?? 2, dim, keepdim]),
});

// ---- elementwise extras ----

/** torch's CPU round(decimals): nearbyint(x·10^d)/10^d, or nearbyint(x/10^-d)·10^-d, in the dtype. */
function roundDecimals(d: DType, decimals: number): (v: number) => number {
  const r = (v: number): number => roundToDType(d === 'float64' ? 'float64' : 'float32', v);
  const neg = decimals <= 0;
  const p = r(10 ** (neg ? -decimals : decimals));
  const nearby = (v: number): number => {
    const f = Math.floor(v);
    const diff = v - f;
    return diff > 0.5 || (diff === 0.5 && f % 2 !== 0) ? f + 1 : f;
  };
  return (v) => (!Number.isFinite(v) ? v : neg ? r(nearby(r(v / p)) * p) : r(nearby(r(v * p)) / p));
}

export const roundDecimalsOp = defineOp({
  schema: 'round.decimals(Tensor self, *, int decimals) -> Tensor',
  groups: [Core, Elementwise, Unary],
  meta: ([self], ctx) => {
    if (!isFloating(T(self).dtype)) throw notImplemented(ctx.op, 'round_cpu', T(self).dtype);
    return pointwise(T(self));
  },
  cpu: ([self, decimals], ctx) => {
    const x = A(self);
    if (!isFloating(x.dtype)) throw notImplemented(ctx.op, 'round_cpu', x.dtype);
    const f = roundDecimals(x.dtype, decimals as number);
    const src = x.toFlat();
    return NDArray.fromValues(x.dtype, x.shape, Array.from(src as ArrayLike<number>, f));
  },
});

function bitwiseScalar(kind: 'and' | 'or' | 'xor'): OpDef {
  const check = (op: string, d: DType): void => {
    if (isFloating(d)) throw notImplemented(op, `bitwise_${kind}_cpu`, d);
  };
  return defineOp({
    schema: `bitwise_${kind}.Scalar(Tensor self, Scalar other) -> Tensor`,
    groups: [Core, Elementwise, Binary],
    meta: ([self, other], ctx) => {
      const d = resultDType([self, other] as Operand[]);
      check(ctx.op, d);
      return pointwise(T(self), d);
    },
    cpu: ([self, other], ctx) => {
      const d = resultDType([self, other] as Operand[]);
      check(ctx.op, d);
      return binaryKernel(A(self), num(other), bitwise(kind), d, d, ctx.op);
    },
  });
}

const FLOAT_MAX: Partial<Record<DType, number>> = { float32: 3.4028234663852886e38, float16: 65504, bfloat16: 3.3895313892515355e38, float64: Number.MAX_VALUE };
const optNum = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));

export const nanToNum = defineOp({
  schema: 'nan_to_num(Tensor self, float? nan=None, float? posinf=None, float? neginf=None) -> Tensor',
  groups: [Elementwise, Unary],
  meta: ([self]) => pointwise(T(self)),
  cpu: ([self, nan, posinf, neginf]) => {
    const x = A(self);
    if (!isFloating(x.dtype)) return x.clone();
    const max = FLOAT_MAX[x.dtype]!;
    const [n, p, q] = [optNum(nan) ?? 0, optNum(posinf) ?? max, optNum(neginf) ?? -max];
    const src = x.toFlat() as ArrayLike<number>;
    return NDArray.fromValues(x.dtype, x.shape, Array.from(src, (v) => (Number.isNaN(v) ? n : v === Infinity ? p : v === -Infinity ? q : v)));
  },
  decomp: ([self, nan, posinf, neginf], ctx) => {
    const d = ctx.meta(self).dtype;
    if (!isFloating(d)) return ctx.call('aten.clone.default', [self]);
    const max = FLOAT_MAX[d]!;
    const st = (v: number) => ctx.call('aten.scalar_tensor.default', [Number.isInteger(v) ? new PyFloat(v) : v], { dtype: d, layout: STRIDED_LAYOUT, device: CPU_DEVICE });
    let r = ctx.call('aten.where.self', [ctx.call('aten.isnan.default', [self]), st(optNum(nan) ?? 0), self]);
    r = ctx.call('aten.where.self', [ctx.call('aten.eq.Scalar', [self, -Infinity]), st(optNum(neginf) ?? -max), r]);
    return ctx.call('aten.where.self', [ctx.call('aten.eq.Scalar', [self, Infinity]), st(optNum(posinf) ?? max), r]);
  },
});

export const cumprod = defineOp({
  schema: 'cumprod(Tensor self, int dim, *, ScalarType? dtype=None) -> Tensor',
  groups: [Core],
  meta: ([self, dim, dtype]) => {
    const s = T(self);
    wrapDim(dim as number, s.shape.length);
    return meta(dtypeArg(dtype) ?? (isIntegral(s.dtype, true) ? 'int64' : s.dtype), s.shape);
  },
  cpu: ([self, dim, dtype], ctx) => {
    const x = A(self);
    const outD = dtypeArg(dtype) ?? (isIntegral(x.dtype, true) ? 'int64' : x.dtype);
    const d = wrapDim(dim as number, x.ndim);
    const out = NDArray.zeros(outD, x.shape);
    if (x.ndim === 0) {
      out.storage.data[0] = roundToDType(outD, x.item());
      return out;
    }
    checkCumDType('cumprod_out_cpu', outD, x.numel, ctx.op);
    const inL = lanes(x, d);
    const outL = lanes(out, d);
    const src = x.storage.data;
    // The input converted to outD element by element, products in outD (wrapping for integers).
    const { cast, step } = cumprodSteps(x.dtype, outD);
    for (let l = 0; l < inL.length; l++) {
      let acc = 1;
      for (let k = 0; k < x.shape[d]!; k++) {
        const v = Number(src[inL[l]! + k * x.strides[d]!]);
        acc = step(acc, cast ? cast(v) : v);
        out.storage.data[outL[l]! + k * out.strides[d]!] = roundToDType(outD, acc);
      }
    }
    return out;
  },
});

// fill.Tensor: a 0-dim value tensor broadcast over self's shape.
function checkFillValue(op: string, v: TensorMeta | NDArray): void {
  const nd = v.shape.length;
  if (nd !== 0) throw new OpArgumentError(op, `fill_ only supports 0-dimension value tensor but got tensor with ${nd} dimensions.`);
}

export const fillTensor = defineOp({
  schema: 'fill.Tensor(Tensor self, Tensor value) -> Tensor',
  groups: [Elementwise],
  meta: ([self, value], ctx) => {
    checkFillValue(ctx.op, T(value));
    return pointwise(T(self));
  },
  cpu: ([self, value], ctx) => {
    checkFillValue(ctx.op, A(value));
    return filled(A(self).dtype, A(self).shape, castArray(A(value), A(self).dtype).item());
  },
  decomp: ([self, value], ctx) => ctx.call('aten.copy.default', [self, value]),
});

// ---- group norm ----

function groupNormCheck(op: string, shape: readonly IntLike[], group: number, weight: TensorMeta | NDArray | null, bias: TensorMeta | NDArray | null): void {
  const C = shape[1]!;
  if (typeof C === 'number' && C % group !== 0)
    throw new OpArgumentError(op, `Expected number of channels in input to be divisible by num_groups, but got input of shape [${shape.map(String).join(', ')}] and num_groups=${group}`);
  for (const [t, name] of [
    [weight, 'weight'],
    [bias, 'bias'],
  ] as const)
    if (t && !(t.shape.length === 1 && String(t.shape[0]) === String(C)))
      throw new OpArgumentError(op, `Expected ${name} to be a vector of size equal to the number of channels in input, but got ${name} of shape [${t.shape.map(String).join(', ')}] and input of shape [${shape.map(String).join(', ')}]`);
}

function groupNormCpu(x: NDArray, w: NDArray | null, b: NDArray | null, N: number, C: number, HxW: number, group: number, eps: number): [NDArray, NDArray, NDArray] {
  const xs = x.toFlat() as ArrayLike<number>;
  const ws = w?.toFlat() as ArrayLike<number> | undefined;
  const bs = b?.toFlat() as ArrayLike<number> | undefined;
  const cpg = C / group;
  const out = new Float64Array(xs.length);
  const means = new Float64Array(N * group);
  const rstds = new Float64Array(N * group);
  const len = cpg * HxW;
  for (let ng = 0; ng < N * group; ng++) {
    const base = ng * len;
    let s = 0;
    for (let i = 0; i < len; i++) s += xs[base + i]!;
    const mean = len ? s / len : 0;
    let v = 0;
    for (let i = 0; i < len; i++) v += (xs[base + i]! - mean) ** 2;
    const rstd = 1 / Math.sqrt((len ? v / len : 0) + eps);
    means[ng] = mean;
    rstds[ng] = rstd;
    for (let i = 0; i < len; i++) {
      const c = ((ng % group) * cpg + Math.floor(i / HxW)) % C;
      out[base + i] = (xs[base + i]! - mean) * rstd * (ws ? ws[c]! : 1) + (bs ? bs[c]! : 0);
    }
  }
  return [NDArray.fromValues(x.dtype, x.shape, out), NDArray.fromValues(x.dtype, [N, group], means), NDArray.fromValues(x.dtype, [N, group], rstds)];
}

export const nativeGroupNorm = defineOp({
  schema: 'native_group_norm(Tensor input, Tensor? weight, Tensor? bias, SymInt N, SymInt C, SymInt HxW, int group, float eps) -> (Tensor, Tensor, Tensor)',
  groups: [Core],
  meta: ([input, weight, bias, N, , , group], ctx) => {
    const x = T(input);
    groupNormCheck(ctx.op, x.shape, group as number, weight as TensorMeta | null, bias as TensorMeta | null);
    return [meta(x.dtype, x.shape), meta(x.dtype, [N as IntLike, group as number]), meta(x.dtype, [N as IntLike, group as number])];
  },
  cpu: ([input, weight, bias, N, C, HxW, group, eps], ctx) => {
    const x = A(input);
    groupNormCheck(ctx.op, x.shape, group as number, weight as NDArray | null, bias as NDArray | null);
    return groupNormCpu(x, weight as NDArray | null, bias as NDArray | null, conc(N as IntLike), conc(C as IntLike), conc(HxW as IntLike), group as number, num(eps));
  },
});

export const groupNorm = defineOp({
  schema: 'group_norm(Tensor input, int num_groups, Tensor? weight=None, Tensor? bias=None, float eps=1.0000000000000001e-05, bool cudnn_enabled=True) -> Tensor',
  meta: ([input, group, weight, bias], ctx) => {
    const x = T(input);
    groupNormCheck(ctx.op, x.shape, group as number, weight as TensorMeta | null, bias as TensorMeta | null);
    return meta(x.dtype, x.shape);
  },
  cpu: ([input, group, weight, bias, eps], ctx) => {
    const x = A(input);
    groupNormCheck(ctx.op, x.shape, group as number, weight as NDArray | null, bias as NDArray | null);
    return groupNormCpu(x, weight as NDArray | null, bias as NDArray | null, x.shape[0]!, x.shape[1]!, x.shape.slice(2).reduce((a, b) => a * b, 1), group as number, num(eps))[0];
  },
  decomp: ([input, group, weight, bias, eps], ctx) => {
    const shape = ctx.meta(input).shape;
    const hxw = shape.slice(2).reduce<IntLike>((a, b) => mul(a, b), 1);
    const out = ctx.call('aten.native_group_norm.default', [input, weight, bias, shape[0]!, shape[1]!, typeof hxw === 'number' ? hxw : product(shape.slice(2)), group, eps]) as unknown[];
    return out[0];
  },
});

// ---- in-place twins ----

export const clampMin_ = inplaceOp('clamp_min_(Tensor(a!) self, Scalar min) -> Tensor(a!)', clampMin);
export const maskedFillTensor_ = inplaceOp('masked_fill_.Tensor(Tensor(a!) self, Tensor mask, Tensor value) -> Tensor(a!)', maskedFillTensor);
export const fillTensor_ = inplaceOp('fill_.Tensor(Tensor(a!) self, Tensor value) -> Tensor(a!)', fillTensor);
export const elu_ = inplaceOp('elu_(Tensor(a!) self, Scalar alpha=1, Scalar scale=1, Scalar input_scale=1) -> Tensor(a!)', elu);
export const hardsigmoid_ = inplaceOp('hardsigmoid_(Tensor(a!) self) -> Tensor(a!)', hardsigmoid);

export const miscOps: OpDef[] = [
  detach, zero, zero_, relu6, relu6_, eye, eyeM,
  sort, sortStable, argsort, argsortStable, topk,
  linalgVectorNorm, normScalarOptDim,
  roundDecimalsOp, bitwiseScalar('and'), bitwiseScalar('or'), bitwiseScalar('xor'),
  nanToNum, cumprod, fillTensor, nativeGroupNorm, groupNorm,
  clampMin_, maskedFillTensor_, fillTensor_, elu_, hardsigmoid_,
];
