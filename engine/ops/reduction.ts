// Reductions: sum, mean, amax/amin, max/min (all and per-dim, with indices),
// argmax/argmin, prod, var/std, any/all, cumsum, logsumexp.
//
// Kernels walk the input through two offset tables: one over the kept dims
// ("outer", in output order) and one over the reduced dims ("inner", row-major),
// so any strides (transposed, expanded, sliced) work without a copy. Floating
// sums and means accumulate in float64 and round to the output dtype once.
//
// Note [Reduction dim lists]
// An empty dim list means different things per overload, as in torch 2.13:
// sum.dim_IntList / mean.dim / var / std / amax / amin / linalg_vector_norm /
// norm reduce every dim; any.dims / all.dims (`int[]? dim`) reduce none (the
// elementwise truth value, same shape); logsumexp reduces every dim but keeps
// them as size 1 (fake tensors give [1, …, 1]; eager without keepdim raises
// "output with shape [] doesn't match the broadcast shape [1, …, 1]"), except on
// an empty input, where it is sum(exp(x), dim).log() and dim=[] reduces all.
//
// Note [Reduction dtype]
// With dtype= (and for the int64 widening of integer inputs), torch converts the
// input to the result dtype element by element before reducing
// (make_reduction_from_out_ty): float → int truncates and wraps, → half rounds,
// → bool tests != 0. mean(dtype=float16/bfloat16) instead sums in float32 and
// rounds once. int64 results wrap at 2^64 (exact while the values fit a double).
//
// Decompositions mirror what torch's run_decompositions() emits (2.11/2.13):
// sum.default → sum.dim_IntList(x, []); var.dim → var.correction; std → var.correction
// + sqrt; all → logical_not + any + logical_not; logsumexp → amax/where/exp/sum/log.

import { type DType, isFloating, isIntegral, isDType, roundToDType } from '../core/dtype';
import { IndexOutOfRangeError, OpArgumentError, UnsupportedOperatorError, check } from '../core/errors';
import { NDArray } from '../core/ndarray';
import { PyFloat, type PyScalar, scalarToNumber } from '../core/scalar';
import { type IntLike, guardBool, symEq, hintInt } from '../symbolic';
import { meta, wrapDim, wrapDims, floatResult } from './meta-utils';
import { defineOp } from './registry';
import { type OpDef, OpGroup, type TensorMeta, type DecompContext } from './types';
import { CPU_DEVICE, STRIDED_LAYOUT } from './movement';
import { castValue } from './cpu-elementwise';

// ---------------------------------------------------------------------------
// Shared helpers (also used by matmul.ts, conv.ts and norm.ts)

/** Title-case dtype names as torch writes them in error messages (`Long`, `Float`). */
export const dtypeTitle = (d: DType): string =>
  ({ float32: 'Float', float64: 'Double', float16: 'Half', bfloat16: 'BFloat16', int64: 'Long', int32: 'Int', int16: 'Short', int8: 'Char', uint8: 'Byte', bool: 'Bool' })[d];

/** A `ScalarType?` argument: a DType name (`'float64'`, `'torch.float64'`) or an enum-like object; null when absent. */
export function dtypeArg(v: unknown): DType | null {
  if (v === null || v === undefined) return null;
  let s: unknown = v;
  if (typeof v === 'object' && v !== null) s = (v as { enum?: unknown; dtype?: unknown }).enum ?? (v as { dtype?: unknown }).dtype;
  if (typeof s === 'string') {
    const name = s.startsWith('torch.') ? s.slice(6) : s;
    const alias: Record<string, DType> = { float: 'float32', double: 'float64', half: 'float16', long: 'int64', int: 'int32', short: 'int16' };
    const d = alias[name] ?? name;
    if (isDType(d)) return d;
  }
  throw new OpArgumentError('', `expected a dtype, got ${String(v)}`);
}

/** A concrete int from a cpu-side int argument. */
export const num = (v: unknown): number => (typeof v === 'number' ? v : scalarToNumber(v as PyScalar));

/** Storage offsets of a strided view, row-major (base included). */
export function viewOffsets(x: NDArray, shape: readonly number[], strides: readonly number[], base: number): Int32Array | Float64Array {
  return x.withView(shape, strides, base).offsets();
}

/** A float64 copy of the elements of `x` in row-major order. */
export function toF64(x: NDArray): Float64Array {
  const n = x.numel;
  const out = new Float64Array(n);
  const src = x.storage.data;
  if (x.isContiguous()) {
    for (let i = 0; i < n; i++) out[i] = src[x.offset + i]!;
    return out;
  }
  const offs = x.offsets();
  for (let i = 0; i < n; i++) out[i] = src[offs[i]!]!;
  return out;
}

/** Write float64 values into a fresh contiguous array of `dtype`, rounding as the dtype does. */
export function fromF64(dtype: DType, shape: readonly number[], vals: ArrayLike<number>): NDArray {
  const out = NDArray.zeros(dtype, shape);
  const d = out.storage.data;
  const n = d.length;
  if (dtype === 'float32' || dtype === 'float64') for (let i = 0; i < n; i++) d[i] = vals[i]!;
  else for (let i = 0; i < n; i++) d[i] = roundToDType(dtype, vals[i]!);
  return out;
}

interface ReducePlan {
  outShape: number[];
  outer: Int32Array | Float64Array;
  inner: Int32Array | Float64Array;
}

/** Offsets for reducing `x` over `dims` (sorted, wrapped). */
function planReduce(x: NDArray, dims: readonly number[], keepdim: boolean): ReducePlan {
  const red = new Set(dims);
  const keptShape: number[] = [];
  const keptStrides: number[] = [];
  const redShape: number[] = [];
  const redStrides: number[] = [];
  const outShape: number[] = [];
  x.shape.forEach((s, d) => {
    if (red.has(d)) {
      redShape.push(s);
      redStrides.push(x.strides[d]!);
      if (keepdim) outShape.push(1);
    } else {
      keptShape.push(s);
      keptStrides.push(x.strides[d]!);
      outShape.push(s);
    }
  });
  return { outShape, outer: viewOffsets(x, keptShape, keptStrides, x.offset), inner: viewOffsets(x, redShape, redStrides, 0) };
}

/** Reduction dims: None or [] mean every dim (torch's `int[1]? dim`). */
function reduceDims(dim: unknown, ndim: number): number[] {
  if (dim === null || dim === undefined) return [...Array(ndim).keys()];
  const list = (Array.isArray(dim) ? dim : [dim]).map(num);
  if (list.length === 0) return [...Array(ndim).keys()];
  if (ndim === 0) {
    for (const d of list) wrapDim(d, 0);
    return [];
  }
  return wrapDims(list, ndim).sort((a, b) => a - b);
}

/** Output shape of a reduction over `dims` (meta side; sizes may be symbolic). */
function reducedShape(shape: readonly IntLike[], dims: readonly number[], keepdim: boolean): IntLike[] {
  const red = new Set(dims);
  const out: IntLike[] = [];
  shape.forEach((s, d) => {
    if (!red.has(d)) out.push(s);
    else if (keepdim) out.push(1);
  });
  return out;
}

/** An `int[]? dim` list (any.dims / all.dims): None means every dim, [] none. */
function optDimList(dim: unknown, ndim: number): number[] {
  if (dim === null || dim === undefined) return [...Array(ndim).keys()];
  const list = (Array.isArray(dim) ? dim : [dim]).map(num);
  if (ndim === 0) {
    for (const d of list) wrapDim(d, 0);
    return [];
  }
  return wrapDims(list, ndim).sort((a, b) => a - b);
}

/** Whether a dim argument is an explicitly empty list. */
const isEmptyList = (dim: unknown): boolean => Array.isArray(dim) && dim.length === 0;

function metaDims(dim: unknown, ndim: number): number[] {
  if (dim === null || dim === undefined) return [...Array(ndim).keys()];
  const list = (Array.isArray(dim) ? dim : [dim]) as number[];
  if (list.length === 0) return [...Array(ndim).keys()];
  if (ndim === 0) {
    for (const d of list) wrapDim(d, 0);
    return [];
  }
  return wrapDims(list, ndim);
}

/** Sum-like accumulation: `reduce(acc, v)` over each output's inputs. */
function reduceKernel(x: NDArray, dims: readonly number[], keepdim: boolean, outDType: DType, init: number, step: (acc: number, v: number) => number, finish?: (acc: number, n: number) => number): NDArray {
  const { outShape, outer, inner } = planReduce(x, dims, keepdim);
  const src = x.storage.data;
  const vals = new Float64Array(outer.length);
  const n = inner.length;
  for (let o = 0; o < outer.length; o++) {
    const base = outer[o]!;
    let acc = init;
    for (let i = 0; i < n; i++) acc = step(acc, src[base + inner[i]!]!);
    vals[o] = finish ? finish(acc, n) : acc;
  }
  return fromF64(outDType, outShape, vals);
}

// int64 arithmetic wrapping at 2^64 (torch's overflow), exact while both operands
// and the wrapped result are doubles that hold integers exactly; a BigInt only
// past 2^53.
const wrap64 = (v: bigint): number => Number(BigInt.asIntN(64, v)) + 0;
const add64 = (a: number, b: number): number => {
  const s = a + b;
  return Number.isSafeInteger(s) ? s : wrap64(BigInt(a) + BigInt(b));
};
const mul64 = (a: number, b: number): number => {
  const p = a * b;
  return Number.isSafeInteger(p) ? p + 0 : wrap64(BigInt(a) * BigInt(b));
};

/** The per-element conversion of a `from` input reduced in `to`; null when it changes nothing. */
function elementCast(from: DType, to: DType): ((v: number) => number) | null {
  if (from === to || to === 'float64') return null;
  if (to === 'int64' && isIntegral(from, true)) return null;
  if (to === 'float32' && from !== 'int64' && from !== 'int32' && from !== 'float64') return null;
  return (v) => castValue(to, v);
}

/** A product step in `d`: wraps like torch's integer types, rounds like its floating ones. */
function productStep(d: DType): (acc: number, v: number) => number {
  switch (d) {
    case 'int64':
      return mul64;
    case 'int32':
      return (a, v) => Math.imul(a, v);
    case 'float64':
      return (a, v) => a * v;
    default:
      return (a, v) => castValue(d, a * v);
  }
}

function sumKernel(x: NDArray, dims: readonly number[], keepdim: boolean, outDType: DType, mean: boolean): NDArray {
  const { outShape, outer, inner } = planReduce(x, dims, keepdim);
  const src = x.storage.data;
  const vals = new Float64Array(outer.length);
  const n = inner.length;
  // See Note [Reduction dtype]: mean of a half dtype sums the input as float32.
  const accD = mean && (outDType === 'float16' || outDType === 'bfloat16') ? 'float32' : outDType;
  const cast = elementCast(x.dtype, accD);
  const int64 = outDType === 'int64';
  for (let o = 0; o < outer.length; o++) {
    const base = outer[o]!;
    let acc = 0;
    if (int64) for (let i = 0; i < n; i++) acc = add64(acc, cast ? cast(src[base + inner[i]!]!) : src[base + inner[i]!]!);
    else if (cast) for (let i = 0; i < n; i++) acc += cast(src[base + inner[i]!]!);
    else for (let i = 0; i < n; i++) acc += src[base + inner[i]!]!;
    vals[o] = mean ? acc / n : acc;
  }
  return fromF64(outDType, outShape, vals);
}

/** torch's dtype for sum/prod/cumsum: integers and bools widen to int64. */
function sumDType(self: DType, dtype: DType | null): DType {
  if (dtype) return dtype;
  return isIntegral(self, true) ? 'int64' : self;
}

function meanDType(op: string, self: DType, dtype: DType | null): DType {
  if (dtype) {
    check(isFloating(dtype), op, () => `mean(): could not infer output dtype. Optional dtype must be either a floating point or complex dtype. Got: ${dtypeTitle(dtype)}`);
    return dtype;
  }
  check(isFloating(self), op, () => `mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${dtypeTitle(self)}`);
  return self;
}

const T = (v: unknown): TensorMeta => v as TensorMeta;
const A = (v: unknown): NDArray => v as NDArray;

function checkNonEmptyDims(name: string, shape: readonly IntLike[], dims: readonly number[]): void {
  for (const d of dims) {
    const s = shape[d]!;
    if (typeof s === 'number' ? s === 0 : guardBool(symEq(s, 0)))
      throw new IndexOutOfRangeError(`${name}(): Expected reduction dim ${d} to have non-zero size.`);
  }
}

function numelIsZero(shape: readonly IntLike[]): boolean {
  return shape.some((s) => (typeof s === 'number' ? s === 0 : hintInt(s) === 0 && guardBool(symEq(s, 0))));
}

// ---------------------------------------------------------------------------
// sum / mean / prod

export const sumDimIntList = defineOp({
  schema: 'sum.dim_IntList(Tensor self, int[1]? dim, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor',
  groups: [OpGroup.Reduction, OpGroup.Core],
  meta: ([self, dim, keepdim, dtype]) => {
    const s = T(self);
    return meta(sumDType(s.dtype, dtypeArg(dtype)), reducedShape(s.shape, metaDims(dim, s.shape.length), keepdim === true));
  },
  cpu: ([self, dim, keepdim, dtype]) => {
    const x = A(self);
    return sumKernel(x, reduceDims(dim, x.ndim), keepdim === true, sumDType(x.dtype, dtypeArg(dtype)), false);
  },
});

export const sumDefault = defineOp({
  schema: 'sum(Tensor self, *, ScalarType? dtype=None) -> Tensor',
  groups: [OpGroup.Reduction],
  meta: ([self, dtype]) => meta(sumDType(T(self).dtype, dtypeArg(dtype)), []),
  cpu: ([self, dtype]) => {
    const x = A(self);
    return sumKernel(x, reduceDims(null, x.ndim), false, sumDType(x.dtype, dtypeArg(dtype)), false);
  },
  decomp: ([self, dtype], ctx) => ctx.call('aten.sum.dim_IntList', [self, []], dtype === null || dtype === undefined ? {} : { dtype }),
});

export const meanDim = defineOp({
  schema: 'mean.dim(Tensor self, int[1]? dim, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor',
  groups: [OpGroup.Reduction, OpGroup.Core],
  meta: ([self, dim, keepdim, dtype], ctx) => {
    const s = T(self);
    return meta(meanDType(ctx.op, s.dtype, dtypeArg(dtype)), reducedShape(s.shape, metaDims(dim, s.shape.length), keepdim === true));
  },
  cpu: ([self, dim, keepdim, dtype], ctx) => {
    const x = A(self);
    return sumKernel(x, reduceDims(dim, x.ndim), keepdim === true, meanDType(ctx.op, x.dtype, dtypeArg(dtype)), true);
  },
});

export const meanDefault = defineOp({
  schema: 'mean(Tensor self, *, ScalarType? dtype=None) -> Tensor',
  groups: [OpGroup.Reduction, OpGroup.Core],
  meta: ([self, dtype], ctx) => meta(meanDType(ctx.op, T(self).dtype, dtypeArg(dtype)), []),
  cpu: ([self, dtype], ctx) => {
    const x = A(self);
    return sumKernel(x, reduceDims(null, x.ndim), false, meanDType(ctx.op, x.dtype, dtypeArg(dtype)), true);
  },
});

function prodCpu(x: NDArray, dims: number[], keepdim: boolean, outDType: DType): NDArray {
  // torch multiplies in the result dtype (Note [Reduction dtype]).
  const cast = elementCast(x.dtype, outDType);
  const step = productStep(outDType);
  return reduceKernel(x, dims, keepdim, outDType, 1, cast ? (a, v) => step(a, cast(v)) : step);
}

export const prodDefault = defineOp({
  schema: 'prod(Tensor self, *, ScalarType? dtype=None) -> Tensor',
  groups: [OpGroup.Reduction, OpGroup.Core],
  meta: ([self, dtype]) => meta(sumDType(T(self).dtype, dtypeArg(dtype)), []),
  cpu: ([self, dtype]) => {
    const x = A(self);
    return prodCpu(x, reduceDims(null, x.ndim), false, sumDType(x.dtype, dtypeArg(dtype)));
  },
});

export const prodDimInt = defineOp({
  schema: 'prod.dim_int(Tensor self, int dim, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor',
  groups: [OpGroup.Reduction, OpGroup.Core],
  meta: ([self, dim, keepdim, dtype]) => {
    const s = T(self);
    return meta(sumDType(s.dtype, dtypeArg(dtype)), reducedShape(s.shape, metaDims([dim], s.shape.length), keepdim === true));
  },
  cpu: ([self, dim, keepdim, dtype]) => {
    const x = A(self);
    return prodCpu(x, reduceDims([dim], x.ndim), keepdim === true, sumDType(x.dtype, dtypeArg(dtype)));
  },
});

// ---------------------------------------------------------------------------
// amax / amin / max / min / argmax / argmin

// NaN propagates, as in torch.
const maxStep = (a: number, v: number): number => (Number.isNaN(a) ? a : Number.isNaN(v) || v > a ? v : a);
const minStep = (a: number, v: number): number => (Number.isNaN(a) ? a : Number.isNaN(v) || v < a ? v : a);

const noDimMsg = (name: string): string =>
  `${name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`;

function amaxLike(name: 'amax' | 'amin', step: (a: number, v: number) => number, init: number): OpDef {
  return defineOp({
    schema: `${name}(Tensor self, int[1] dim=[], bool keepdim=False) -> Tensor`,
    groups: [OpGroup.Reduction, OpGroup.Core],
    meta: ([self, dim, keepdim], ctx) => {
      const s = T(self);
      const dims = metaDims(dim, s.shape.length);
      check(!(isEmptyList(dim) && numelIsZero(s.shape)), ctx.op, () => noDimMsg(name));
      checkNonEmptyDims(name, s.shape, dims);
      return meta(s.dtype, reducedShape(s.shape, dims, keepdim === true));
    },
    cpu: ([self, dim, keepdim], ctx) => {
      const x = A(self);
      const dims = reduceDims(dim, x.ndim);
      check(!(isEmptyList(dim) && x.numel === 0), ctx.op, () => noDimMsg(name));
      checkNonEmptyDims(name, x.shape, dims);
      return reduceKernel(x, dims, keepdim === true, x.dtype, init, step);
    },
  });
}

export const amax = amaxLike('amax', maxStep, -Infinity);
export const amin = amaxLike('amin', minStep, Infinity);

function maxAll(name: 'max' | 'min', step: (a: number, v: number) => number, init: number): OpDef {
  const emptyMsg = `${name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`;
  return defineOp({
    schema: `${name}(Tensor self) -> Tensor`,
    groups: [OpGroup.Reduction],
    meta: ([self], ctx) => {
      const s = T(self);
      check(!numelIsZero(s.shape), ctx.op, () => emptyMsg);
      return meta(s.dtype, []);
    },
    cpu: ([self], ctx) => {
      const x = A(self);
      check(x.numel > 0, ctx.op, () => emptyMsg);
      return reduceKernel(x, reduceDims(null, x.ndim), false, x.dtype, init, step);
    },
  });
}

export const maxDefault = maxAll('max', maxStep, -Infinity);
export const minDefault = maxAll('min', minStep, Infinity);

/** Index of the first max (or min) along the inner offsets; NaN wins, as in torch. */
function argReduce(src: ArrayLike<number>, base: number, inner: ArrayLike<number>, isMax: boolean): number {
  let best = src[base + inner[0]!]!;
  let bi = 0;
  if (Number.isNaN(best)) return 0;
  for (let i = 1; i < inner.length; i++) {
    const v = src[base + inner[i]!]!;
    if (Number.isNaN(v)) return i;
    if (isMax ? v > best : v < best) {
      best = v;
      bi = i;
    }
  }
  return bi;
}

function maxDimLike(name: 'max' | 'min'): OpDef {
  const isMax = name === 'max';
  return defineOp({
    schema: `${name}.dim(Tensor self, int dim, bool keepdim=False) -> (Tensor values, Tensor indices)`,
    groups: [OpGroup.Reduction, OpGroup.Core],
    meta: ([self, dim, keepdim]) => {
      const s = T(self);
      const dims = metaDims([dim], s.shape.length);
      checkNonEmptyDims(name, s.shape, dims);
      const shape = reducedShape(s.shape, dims, keepdim === true);
      return [meta(s.dtype, shape), meta('int64', shape)];
    },
    cpu: ([self, dim, keepdim]) => {
      const x = A(self);
      const dims = reduceDims([dim], x.ndim);
      checkNonEmptyDims(name, x.shape, dims);
      const { outShape, outer, inner } = planReduce(x, dims, keepdim === true);
      const values = NDArray.zeros(x.dtype, outShape);
      const indices = NDArray.zeros('int64', outShape);
      const src = x.storage.data;
      for (let o = 0; o < outer.length; o++) {
        const i = argReduce(src, outer[o]!, inner, isMax);
        indices.storage.data[o] = i;
        values.storage.data[o] = src[outer[o]! + inner[i]!]!;
      }
      return [values, indices];
    },
  });
}

export const maxDim = maxDimLike('max');
export const minDim = maxDimLike('min');

function argMaxLike(name: 'argmax' | 'argmin'): OpDef {
  const isMax = name === 'argmax';
  return defineOp({
    schema: `${name}(Tensor self, int? dim=None, bool keepdim=False) -> Tensor`,
    groups: [OpGroup.Reduction, OpGroup.Core],
    meta: ([self, dim, keepdim], ctx) => {
      const s = T(self);
      if (dim === null) {
        check(!numelIsZero(s.shape), ctx.op, () => `${name}(): Expected reduction dim to be specified for input.numel() == 0.`);
        return meta('int64', keepdim === true ? s.shape.map(() => 1) : []);
      }
      const dims = metaDims([dim], s.shape.length);
      checkNonEmptyDims(name, s.shape, dims);
      return meta('int64', reducedShape(s.shape, dims, keepdim === true));
    },
    cpu: ([self, dim, keepdim]) => {
      const x = A(self);
      if (dim === null && x.numel === 0) throw new IndexOutOfRangeError(`${name}(): Expected reduction dim to be specified for input.numel() == 0.`);
      const dims = dim === null ? reduceDims(null, x.ndim) : reduceDims([dim], x.ndim);
      if (dim !== null) checkNonEmptyDims(name, x.shape, dims);
      const plan = planReduce(x, dims, keepdim === true);
      const outShape = dim === null ? (keepdim === true ? x.shape.map(() => 1) : []) : plan.outShape;
      const out = NDArray.zeros('int64', outShape);
      const src = x.storage.data;
      for (let o = 0; o < plan.outer.length; o++) out.storage.data[o] = argReduce(src, plan.outer[o]!, plan.inner, isMax);
      return out;
    },
  });
}

export const argmax = argMaxLike('argmax');
export const argmin = argMaxLike('argmin');

// ---------------------------------------------------------------------------
// var / std

function correctionValue(c: unknown): number {
  return c === null || c === undefined ? 1 : scalarToNumber(c as PyScalar);
}

function varMeta(op: string, s: TensorMeta, dim: unknown, keepdim: unknown): TensorMeta {
  check(isFloating(s.dtype), op, () => 'std and var only support floating point and complex dtypes');
  return meta(s.dtype, reducedShape(s.shape, metaDims(dim, s.shape.length), keepdim === true));
}

function varCpu(op: string, x: NDArray, dim: unknown, correction: number, keepdim: boolean, sqrt: boolean): NDArray {
  check(isFloating(x.dtype), op, () => 'std and var only support floating point and complex dtypes');
  const { outShape, outer, inner } = planReduce(x, reduceDims(dim, x.ndim), keepdim);
  const src = x.storage.data;
  const n = inner.length;
  const vals = new Float64Array(outer.length);
  for (let o = 0; o < outer.length; o++) {
    const base = outer[o]!;
    let mean = 0;
    for (let i = 0; i < n; i++) mean += src[base + inner[i]!]!;
    mean /= n;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const d = src[base + inner[i]!]! - mean;
      ss += d * d;
    }
    const v = ss / Math.max(n - correction, 0);
    vals[o] = sqrt ? Math.sqrt(v) : v;
  }
  return fromF64(x.dtype, outShape, vals);
}

export const varCorrection = defineOp({
  schema: 'var.correction(Tensor self, int[1]? dim=None, *, Scalar? correction=None, bool keepdim=False) -> Tensor',
  groups: [OpGroup.Reduction, OpGroup.Core],
  meta: ([self, dim, , keepdim], ctx) => varMeta(ctx.op, T(self), dim, keepdim),
  cpu: ([self, dim, correction, keepdim], ctx) => varCpu(ctx.op, A(self), dim, correctionValue(correction), keepdim === true, false),
});

export const varDim = defineOp({
  schema: 'var.dim(Tensor self, int[1]? dim, bool unbiased=True, bool keepdim=False) -> Tensor',
  groups: [OpGroup.Reduction, OpGroup.Core],
  meta: ([self, dim, , keepdim], ctx) => varMeta(ctx.op, T(self), dim, keepdim),
  cpu: ([self, dim, unbiased, keepdim], ctx) => varCpu(ctx.op, A(self), dim, unbiased === false ? 0 : 1, keepdim === true, false),
  decomp: ([self, dim, unbiased, keepdim], ctx) => ctx.call('aten.var.correction', [self, dim], { correction: unbiased === false ? 0 : 1, keepdim }),
});

export const stdCorrection = defineOp({
  schema: 'std.correction(Tensor self, int[1]? dim=None, *, Scalar? correction=None, bool keepdim=False) -> Tensor',
  groups: [OpGroup.Reduction],
  meta: ([self, dim, , keepdim], ctx) => varMeta(ctx.op, T(self), dim, keepdim),
  cpu: ([self, dim, correction, keepdim], ctx) => varCpu(ctx.op, A(self), dim, correctionValue(correction), keepdim === true, true),
  decomp: ([self, dim, correction, keepdim], ctx) => {
    const c = correction === null || correction === undefined ? new PyFloat(1) : correction;
    return ctx.call('aten.sqrt.default', [ctx.call('aten.var.correction', [self, dim], { correction: c, keepdim })]);
  },
});

export const stdDim = defineOp({
  schema: 'std.dim(Tensor self, int[1]? dim, bool unbiased=True, bool keepdim=False) -> Tensor',
  groups: [OpGroup.Reduction],
  meta: ([self, dim, , keepdim], ctx) => varMeta(ctx.op, T(self), dim, keepdim),
  cpu: ([self, dim, unbiased, keepdim], ctx) => varCpu(ctx.op, A(self), dim, unbiased === false ? 0 : 1, keepdim === true, true),
  decomp: ([self, dim, unbiased, keepdim], ctx) =>
    ctx.call('aten.sqrt.default', [ctx.call('aten.var.correction', [self, dim], { correction: new PyFloat(unbiased === false ? 0 : 1), keepdim })]),
});

// ---------------------------------------------------------------------------
// any / all

/** any/all keep uint8 as uint8; everything else gives bool. */
const boolReduceDType = (d: DType): DType => (d === 'uint8' ? 'uint8' : 'bool');

function anyCpu(x: NDArray, dims: number[], keepdim: boolean): NDArray {
  return reduceKernel(x, dims, keepdim, boolReduceDType(x.dtype), 0, (a, v) => (a || (v !== 0 ? 1 : 0)));
}

export const anyDefault = defineOp({
  schema: 'any(Tensor self) -> Tensor',
  groups: [OpGroup.Reduction, OpGroup.Core],
  meta: ([self]) => meta(boolReduceDType(T(self).dtype), []),
  cpu: ([self]) => anyCpu(A(self), reduceDims(null, A(self).ndim), false),
});

export const anyDim = defineOp({
  schema: 'any.dim(Tensor self, int dim, bool keepdim=False) -> Tensor',
  groups: [OpGroup.Reduction, OpGroup.Core],
  meta: ([self, dim, keepdim]) => {
    const s = T(self);
    return meta(boolReduceDType(s.dtype), reducedShape(s.shape, metaDims([dim], s.shape.length), keepdim === true));
  },
  cpu: ([self, dim, keepdim]) => anyCpu(A(self), reduceDims([dim], A(self).ndim), keepdim === true),
});

export const anyDims = defineOp({
  schema: 'any.dims(Tensor self, int[]? dim=None, bool keepdim=False) -> Tensor',
  groups: [OpGroup.Reduction, OpGroup.Core],
  meta: ([self, dim, keepdim]) => {
    const s = T(self);
    return meta(boolReduceDType(s.dtype), reducedShape(s.shape, optDimList(dim, s.shape.length), keepdim === true));
  },
  cpu: ([self, dim, keepdim]) => anyCpu(A(self), optDimList(dim, A(self).ndim), keepdim === true),
});

function allCpu(x: NDArray, dims: number[], keepdim: boolean): NDArray {
  return reduceKernel(x, dims, keepdim, boolReduceDType(x.dtype), 1, (a, v) => (a && (v !== 0 ? 1 : 0)));
}

const notOf = (ctx: DecompContext, t: unknown): unknown => ctx.call('aten.logical_not.default', [t]);

export const allDefault = defineOp({
  schema: 'all(Tensor self) -> Tensor',
  groups: [OpGroup.Reduction],
  meta: ([self]) => meta(boolReduceDType(T(self).dtype), []),
  cpu: ([self]) => allCpu(A(self), reduceDims(null, A(self).ndim), false),
  decomp: ([self], ctx) => notOf(ctx, ctx.call('aten.any.dims', [notOf(ctx, self)])),
});

export const allDim = defineOp({
  schema: 'all.dim(Tensor self, int dim, bool keepdim=False) -> Tensor',
  groups: [OpGroup.Reduction],
  meta: ([self, dim, keepdim]) => {
    const s = T(self);
    return meta(boolReduceDType(s.dtype), reducedShape(s.shape, metaDims([dim], s.shape.length), keepdim === true));
  },
  cpu: ([self, dim, keepdim]) => allCpu(A(self), reduceDims([dim], A(self).ndim), keepdim === true),
  decomp: ([self, dim, keepdim], ctx) => notOf(ctx, ctx.call('aten.any.dim', [notOf(ctx, self), dim, keepdim])),
});

export const allDims = defineOp({
  schema: 'all.dims(Tensor self, int[]? dim=None, bool keepdim=False) -> Tensor',
  groups: [OpGroup.Reduction],
  meta: ([self, dim, keepdim]) => {
    const s = T(self);
    return meta(boolReduceDType(s.dtype), reducedShape(s.shape, optDimList(dim, s.shape.length), keepdim === true));
  },
  cpu: ([self, dim, keepdim]) => allCpu(A(self), optDimList(dim, A(self).ndim), keepdim === true),
  decomp: ([self, dim, keepdim], ctx) => notOf(ctx, ctx.call('aten.any.dims', [notOf(ctx, self), dim, keepdim])),
});

// ---------------------------------------------------------------------------
// cumsum (cumprod lives in misc.ts and shares the helpers below)

/** torch's CPU cumsum/cumprod kernels have no bool instantiation (0-d and empty inputs never reach them). */
export function checkCumDType(kernel: string, outDType: DType, numel: number, op: string): void {
  if (outDType === 'bool' && numel > 0) throw new UnsupportedOperatorError(op, `"${kernel}" not implemented for 'Bool'`);
}

/** Per-element conversion and product step of cumprod in `outDType` (Note [Reduction dtype]). */
export function cumprodSteps(inDType: DType, outDType: DType): { cast: ((v: number) => number) | null; step: (acc: number, v: number) => number } {
  // torch accumulates floating types in double (float for half types): no rounding per step.
  return { cast: elementCast(inDType, outDType), step: isFloating(outDType) ? (a, v) => a * v : productStep(outDType) };
}

export const cumsum = defineOp({
  schema: 'cumsum(Tensor self, int dim, *, ScalarType? dtype=None) -> Tensor',
  groups: [OpGroup.Core],
  meta: ([self, dim, dtype]) => {
    const s = T(self);
    wrapDim(num(dim), s.shape.length);
    return meta(sumDType(s.dtype, dtypeArg(dtype)), s.shape);
  },
  cpu: ([self, dim, dtype], ctx) => {
    const x = A(self);
    const outDType = sumDType(x.dtype, dtypeArg(dtype));
    const out = NDArray.zeros(outDType, x.shape);
    if (x.ndim === 0) {
      wrapDim(num(dim), 0);
      out.storage.data[0] = roundToDType(outDType, x.item());
      return out;
    }
    const d = wrapDim(num(dim), x.ndim);
    checkCumDType('cumsum_out_cpu', outDType, x.numel, ctx.op);
    const len = x.shape[d]!;
    const keptShape = x.shape.filter((_, i) => i !== d);
    const inOuter = viewOffsets(x, keptShape, x.strides.filter((_, i) => i !== d), x.offset);
    const outOuter = viewOffsets(out, keptShape, out.strides.filter((_, i) => i !== d), 0);
    const sIn = x.strides[d]!;
    const sOut = out.strides[d]!;
    const src = x.storage.data;
    const dst = out.storage.data;
    // torch's CPU cumsum converts the input to the result dtype first (Note [Reduction
    // dtype]), accumulates floats in double and rounds each output.
    const cast = elementCast(x.dtype, outDType);
    const int64 = outDType === 'int64';
    for (let o = 0; o < inOuter.length; o++) {
      let acc = 0;
      for (let k = 0; k < len; k++) {
        const raw = src[inOuter[o]! + k * sIn]!;
        const v = cast ? cast(raw) : raw;
        acc = int64 ? add64(acc, v) : acc + v;
        dst[outOuter[o]! + k * sOut] = roundToDType(outDType, acc);
      }
    }
    return out;
  },
});

// ---------------------------------------------------------------------------
// logsumexp

export const logsumexp = defineOp({
  schema: 'logsumexp(Tensor self, int[1] dim, bool keepdim=False) -> Tensor',
  groups: [OpGroup.Reduction],
  meta: ([self, dim, keepdim]) => {
    const s = T(self);
    // dim=[] keeps every reduced dim as size 1, unless the input is empty (Note [Reduction dim lists]).
    const keep = keepdim === true || (isEmptyList(dim) && !numelIsZero(s.shape));
    return meta(floatResult(s.dtype), reducedShape(s.shape, metaDims(dim, s.shape.length), keep));
  },
  cpu: ([self, dim, keepdim], ctx) => {
    const x = A(self);
    if (isEmptyList(dim) && keepdim !== true && x.ndim > 0 && x.numel > 0)
      throw new OpArgumentError(ctx.op, `output with shape [] doesn't match the broadcast shape [${x.shape.map(() => 1).join(', ')}]`);
    const { outShape, outer, inner } = planReduce(x, reduceDims(dim, x.ndim), keepdim === true);
    const src = x.storage.data;
    const vals = new Float64Array(outer.length);
    for (let o = 0; o < outer.length; o++) {
      const base = outer[o]!;
      let m = -Infinity;
      for (let i = 0; i < inner.length; i++) m = Math.max(m, src[base + inner[i]!]!);
      if (Math.abs(m) === Infinity) m = 0;
      let s = 0;
      for (let i = 0; i < inner.length; i++) s += Math.exp(src[base + inner[i]!]! - m);
      vals[o] = Math.log(s) + m;
    }
    return fromF64(floatResult(x.dtype), outShape, vals);
  },
  decomp: ([self, dim, keepdim], ctx) => {
    // torch._refs.logsumexp: max-shifted, with infinite maxima replaced by 0.
    let x = self;
    const m = ctx.meta(self);
    if (!isFloating(m.dtype)) x = ctx.call('aten._to_copy.default', [self], { dtype: 'float32' });
    const dims = dim as number[];
    // An empty input has no maximum to shift by: log(sum(exp(x), dim, keepdim)).
    if (numelIsZero(m.shape)) return ctx.call('aten.log.default', [ctx.call('aten.sum.dim_IntList', [ctx.call('aten.exp.default', [x]), dims, keepdim])]);
    const amaxV = ctx.call('aten.amax.default', [x, dims, true]);
    const absV = ctx.call('aten.abs.default', [amaxV]);
    const isInf = ctx.call('aten.eq.Scalar', [absV, Infinity]);
    const zero = ctx.call('aten.scalar_tensor.default', [new PyFloat(0)], { dtype: ctx.meta(amaxV).dtype, layout: STRIDED_LAYOUT, device: CPU_DEVICE });
    const maxes = ctx.call('aten.where.self', [isInf, zero, amaxV]);
    const maxesSqueezed = keepdim === true ? maxes : ctx.call('aten.squeeze.dims', [maxes, dims]);
    const shifted = ctx.call('aten.sub.Tensor', [x, maxes]);
    const e = ctx.call('aten.exp.default', [shifted]);
    const s = ctx.call('aten.sum.dim_IntList', [e, dims, keepdim]);
    const l = ctx.call('aten.log.default', [s]);
    return ctx.call('aten.add.Tensor', [l, maxesSqueezed]);
  },
});

export const reductionOps: OpDef[] = [
  sumDefault,
  sumDimIntList,
  meanDefault,
  meanDim,
  prodDefault,
  prodDimInt,
  amax,
  amin,
  maxDefault,
  minDefault,
  maxDim,
  minDim,
  argmax,
  argmin,
  varCorrection,
  varDim,
  stdCorrection,
  stdDim,
  anyDefault,
  anyDim,
  anyDims,
  allDefault,
  allDim,
  allDims,
  cumsum,
  logsumexp,
];
