// View geometry: sizes, strides and storage offsets of view ops computed once over
// IntLike (plain numbers are IntLike too) so meta functions and CPU kernels share
// them, plus the size helpers (infer_size, stride computation, contiguity) and
// the enum spellings decompositions pass. Comparisons on symbolic sizes go
// through `eqSize`/`ltSize`, which decide statically when the ranges allow and
// otherwise guard on the hint (guard_or_false), as PyTorch's meta functions do.

import {
  type DType,
} from '../core/dtype';
import {
  IndexOutOfRangeError,
  OpArgumentError,
} from '../core/errors';
import {
  NDArray,
  contiguousStrides,
} from '../core/ndarray';
import {
  type BoolLike,
  type IntLike,
  guardBool,
  guardOrFalse,
  hintInt,
  intLikeToString,
  product,
  staticallyKnownTrue,
  symAnd,
  symOr,
  guardSizeOblivious,
  symAdd,
  symEq,
  symFloorDiv,
  symGe,
  symGt,
  symLt,
  symMod,
  symMul,
  symSub,
  toPoly,
  wrapInt,
  type SymInt,
  ValueRange,
} from '../symbolic';
import * as E from '../symbolic/expr';
import {
  contiguousStridesSym,
  wrapDim,
} from './meta-utils';
import {
  INT64_MAX,
} from '../ir/format';
import {
  defineOp,
} from './registry';
import {
  type OpDef,
  OpGroup,
  type TensorMeta,
} from './types';

// ---------------------------------------------------------------- shared helpers

/** `memory_format=torch.contiguous_format` as decompositions pass it. */
export const CONTIGUOUS_FORMAT = { enum: 'torch.contiguous_format' } as const;
/** `memory_format=torch.preserve_format`. */
export const PRESERVE_FORMAT = { enum: 'torch.preserve_format' } as const;
/** `layout=torch.strided`. */
export const STRIDED_LAYOUT = { enum: 'torch.strided' } as const;
/** `device=device(type='cpu')`. */
export const CPU_DEVICE = { enum: "device(type='cpu')" } as const;

/** Python's sys.maxsize (9223372036854775807) as slice ends arrive: it rounds to 2^63 in JS. */
export { INT64_MAX };
export const isToEnd = (v: IntLike | null): boolean => v === null || (typeof v === 'number' && v >= 2 ** 62);

/** Geometry of a strided tensor: what a view op computes. */
export interface Geometry {
  shape: IntLike[];
  strides: IntLike[];
  offset: IntLike;
}

export const geomOfMeta = (m: TensorMeta): Geometry => ({ shape: [...m.shape], strides: [...m.strides], offset: m.storageOffset ?? 0 });
export const geomOfArray = (a: NDArray): Geometry => ({ shape: [...a.shape], strides: [...a.strides], offset: a.offset });

export function viewMeta(dtype: DType, g: Geometry): TensorMeta {
  return { dtype, shape: g.shape, strides: g.strides, storageOffset: g.offset };
}

export function viewArray(x: NDArray, g: Geometry): NDArray {
  return x.withView(g.shape as number[], g.strides as number[], g.offset as number);
}

/** Declare a view op from one geometry function shared by meta and cpu. */
export function viewOp(schema: string, geom: (g: Geometry, args: unknown[], op: string) => Geometry, extra: Partial<Parameters<typeof defineOp>[0]> = {}): OpDef {
  return defineOp({
    schema,
    groups: extra.groups ?? [OpGroup.View, OpGroup.Core],
    meta: (args, ctx) => {
      const x = args[0] as TensorMeta;
      return viewMeta(x.dtype, geom(geomOfMeta(x), args, ctx.op));
    },
    cpu: (args, ctx) => {
      const x = args[0] as NDArray;
      return viewArray(x, geom(geomOfArray(x), args, ctx.op));
    },
    decomp: extra.decomp,
  });
}

export const add = (a: IntLike, b: IntLike): IntLike => (typeof a === 'number' && typeof b === 'number' ? a + b : symAdd(a, b));
export const mul = (a: IntLike, b: IntLike): IntLike => (typeof a === 'number' && typeof b === 'number' ? a * b : symMul(a, b));
export const subI = (a: IntLike, b: IntLike): IntLike => (typeof a === 'number' && typeof b === 'number' ? a - b : symSub(a, b));

/** Decide a size relation: statically when possible, else guard on the hint (data-dependent → false). */
export function decide(b: BoolLike): boolean {
  return guardOrFalse(b);
}
export const eqSize = (a: IntLike, b: IntLike): boolean => (typeof a === 'number' && typeof b === 'number' ? a === b : decide(symEq(a, b)));
export const ltSize = (a: IntLike, b: IntLike): boolean => (typeof a === 'number' && typeof b === 'number' ? a < b : decide(symLt(a, b)));
const ltSizeOblivious = (a: IntLike, b: IntLike): boolean => (typeof a === 'number' && typeof b === 'number' ? a < b : guardSizeOblivious(symLt(a, b)));
/** Equal without adding a guard: numbers compare; symbols only when ranges prove it. */
export const knownEq = (a: IntLike, b: IntLike): boolean => (typeof a === 'number' && typeof b === 'number' ? a === b : staticallyKnownTrue(symEq(a, b)));
export const gtSize = (a: IntLike, b: IntLike): boolean => (typeof a === 'number' && typeof b === 'number' ? a > b : decide(symGt(a, b)));
export const geSize = (a: IntLike, b: IntLike): boolean => (typeof a === 'number' && typeof b === 'number' ? a >= b : decide(symGe(a, b)));
/** Equality the program must hold: guards (errors when it provably does not). */
export const mustEq = (a: IntLike, b: IntLike): boolean => (typeof a === 'number' && typeof b === 'number' ? a === b : staticallyKnownTrue(symEq(a, b)) || guardBool(symEq(a, b)));

export const listStr = (xs: readonly IntLike[]): string => `[${xs.map(intLikeToString).join(', ')}]`;

/** torch's infer_size: resolve one -1 entry against numel, with torch's error texts. */
export function inferSize(shape: readonly IntLike[], numel: IntLike, op: string): IntLike[] {
  let newsize: IntLike = 1;
  let inferDim: number | undefined;
  shape.forEach((s, i) => {
    if (typeof s === 'number' && s === -1) {
      if (inferDim !== undefined) throw new OpArgumentError(op, 'only one dimension can be inferred');
      inferDim = i;
    } else if (typeof s !== 'number' || s >= 0) newsize = mul(newsize, s);
    else throw new OpArgumentError(op, `invalid shape dimension ${s} at index ${i} of shape ${listStr(shape)}`);
  });
  const out = [...shape];
  const bad = () => new OpArgumentError(op, `shape '${listStr(shape)}' is invalid for input of size ${intLikeToString(numel)}`);
  if (inferDim === undefined) {
    if (!mustEq(numel, newsize)) throw bad();
    return out;
  }
  if (eqSize(newsize, 0)) {
    if (eqSize(numel, 0))
      throw new OpArgumentError(op, `cannot reshape tensor of 0 elements into shape ${listStr(shape)} because the unspecified dimension size -1 can be any value and is ambiguous`);
    throw bad();
  }
  const exact = exactDiv(numel, newsize);
  if (exact !== undefined) {
    out[inferDim] = exact;
    return out;
  }
  const rem = typeof numel === 'number' && typeof newsize === 'number' ? numel % newsize : symMod(numel, newsize);
  if (!mustEq(rem, 0)) throw bad();
  out[inferDim] = typeof numel === 'number' && typeof newsize === 'number' ? numel / newsize : symFloorDiv(numel, newsize);
  return out;
}

/**
 * a / b when b is a single term (c·monomial) dividing every term of a exactly,
 * e.g. 6*s0 / s0 = 6, so -1 resolves without a guard; undefined otherwise.
 */
export function exactDiv(a: IntLike, b: IntLike): IntLike | undefined {
  if (typeof a === 'number' && typeof b === 'number') return b !== 0 && a % b === 0 ? a / b : undefined;
  const env = (typeof a === 'number' ? (b as SymInt) : a).env;
  const pa = env.simplify(toPoly(a));
  const pb = env.simplify(toPoly(b));
  if (pb.terms.size !== 1) return undefined;
  const [tb] = [...pb.terms.values()];
  let acc = E.int(0);
  for (const ta of pa.terms.values()) {
    if (ta.coeff % tb!.coeff !== 0) return undefined;
    const pows = new Map<string, [E.Atom, number]>(ta.mono.factors.map(([atom, p]) => [atom.key, [atom, p]]));
    for (const [atom, p] of tb!.mono.factors) {
      const cur = pows.get(atom.key);
      if (!cur || cur[1] < p) return undefined;
      cur[1] -= p;
    }
    let term = E.int(ta.coeff / tb!.coeff);
    for (const [atom, p] of pows.values()) for (let i = 0; i < p; i++) term = E.mul(term, E.atomPoly(atom));
    acc = E.add(acc, term);
  }
  return wrapInt(acc, env);
}

/**
 * torch's computeStride: strides for viewing (oldShape, oldStrides) as newShape
 * without copying, or undefined when some dimension spans two contiguous subspaces.
 */
export function computeStride(oldShape: readonly IntLike[], oldStrides: readonly IntLike[], newShape: readonly IntLike[]): IntLike[] | undefined {
  const numel = product(oldShape);
  if (oldShape.length === 0) return contiguousStridesSym(newShape);
  if (eqSize(numel, 0)) {
    if (oldShape.length === newShape.length && oldShape.every((s, i) => eqSize(s, newShape[i]!))) return [...oldStrides];
    return contiguousStridesSym(newShape);
  }
  const newStrides = new Array<IntLike>(newShape.length);
  let viewD = newShape.length - 1;
  let chunkBase: IntLike = oldStrides[oldStrides.length - 1]!;
  let tensorNumel: IntLike = 1;
  let viewNumel: IntLike = 1;
  for (let d = oldShape.length - 1; d >= 0; d--) {
    tensorNumel = mul(tensorNumel, oldShape[d]!);
    // Size-1 tests here never guard: torch's view does not specialise a dynamic
    // dim away from 1 (a dynamic batch keeps VR[1, …] through flatten/view).
    if (d === 0 || (!knownEq(oldShape[d - 1]!, 1) && !eqSize(oldStrides[d - 1]!, mul(tensorNumel, chunkBase)))) {
      while (viewD >= 0 && (ltSizeOblivious(viewNumel, tensorNumel) || knownEq(newShape[viewD]!, 1))) {
        newStrides[viewD] = mul(viewNumel, chunkBase);
        viewNumel = mul(viewNumel, newShape[viewD]!);
        viewD--;
      }
      if (!eqSize(viewNumel, tensorNumel)) return undefined;
      if (d > 0) {
        chunkBase = oldStrides[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  if (viewD !== -1) return undefined;
  return newStrides;
}

export const VIEW_ERROR =
  "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.";

export function viewGeom(g: Geometry, size: readonly IntLike[], op: string): Geometry {
  const shape = inferSize(size, product(g.shape), op);
  const strides = computeStride(g.shape, g.strides, shape);
  if (!strides) throw new OpArgumentError(op, VIEW_ERROR);
  return { shape, strides, offset: g.offset };
}

/** Contiguous in row-major order (size-1 dims ignored), decided without guards where possible. */
export function isContiguousMeta(m: { shape: readonly IntLike[]; strides: readonly IntLike[] }): boolean {
  let expected: IntLike = 1;
  for (let i = m.shape.length - 1; i >= 0; i--) {
    const s = m.shape[i]!;
    if (staticallyKnownTrue(symEq(s, 1))) continue;
    if (!staticallyKnownTrue(symEq(m.strides[i]!, expected))) return false;
    expected = mul(expected, s);
  }
  return true;
}

/**
 * Note [Contiguity guards of contiguous()]
 * torch 2.11's Tensor.contiguous() asks is_contiguous() of its input, which on
 * symbolic sizes is one boolean expression,
 *   numel == 0  or  all over dims (size_d == 1 or stride_d == expected_d),
 * (expected_d the product of the inner sizes), decided with a single guard. When
 * it is false the guard records the negation; a conjunction of facts such as
 * Ne(6*s0, 0) ∧ Ne(s0, 1) narrows s0 to VR[2, …] (corpus case `views`), while a
 * disjunction narrows nothing (a dynamic batch in a transformer keeps VR[1, …]).
 * Plain metadata checks elsewhere use the guard-free `isContiguousMeta`.
 */
export function isContiguousGuarded(m: { shape: readonly IntLike[]; strides: readonly IntLike[] }): boolean {
  let all: BoolLike = true;
  let expected: IntLike = 1;
  for (let i = m.shape.length - 1; i >= 0; i--) {
    const s = m.shape[i]!;
    all = symAnd(all, symOr(symEq(s, 1), symEq(m.strides[i]!, expected)));
    expected = mul(expected, s);
  }
  return guardBool(symOr(symEq(product(m.shape), 0), all));
}

/** Strides an `*_like` op gives its output under preserve_format (torch's empty_like). */
export function likeStrides(m: TensorMeta): IntLike[] {
  if (isContiguousMeta(m)) return contiguousStridesSym(m.shape);
  const perm = physicalLayout(m);
  const strides = new Array<IntLike>(m.shape.length);
  let acc: IntLike = 1;
  for (let i = perm.length - 1; i >= 0; i--) {
    const d = perm[i]!;
    strides[d] = acc;
    const s = m.shape[d]!;
    acc = mul(acc, typeof s === 'number' ? Math.max(s, 1) : s);
  }
  return strides;
}

/**
 * TensorIterator's dimension sort (insertion sort, innermost first): a dim moves
 * inward past one that `cmp` ranks above it, and an ambiguous comparison (0)
 * lets it move on past, while a definite "smaller" stops it. In place.
 */
export function sortDims(perm: number[], cmp: (d0: number, d1: number) => number): void {
  for (let i = 1; i < perm.length; i++) {
    let d1 = i;
    for (let d0 = i - 1; d0 >= 0; d0--) {
      const c = cmp(perm[d0]!, perm[d1]!);
      if (c > 0) {
        [perm[d0], perm[d1]] = [perm[d1]!, perm[d0]!];
        d1 = d0;
      } else if (c < 0) break;
    }
  }
}

/**
 * Dims from outermost to innermost (torch's infer_dense_strides): insertion sort
 * by stride with stride-0 dims ambiguous (keep row-major order) and equal strides
 * ordered by size. Symbolic strides compare by their hints.
 */
export function physicalLayout(m: TensorMeta): number[] {
  const n = m.shape.length;
  const num = (v: IntLike): number => hintInt(v) ?? 0;
  const perm = Array.from({ length: n }, (_, i) => n - 1 - i); // innermost first
  const cmp = (a: number, b: number): number => {
    const sa = num(m.strides[a]!);
    const sb = num(m.strides[b]!);
    if (sa === 0 || sb === 0) return 0;
    if (sa < sb) return -1;
    if (sa > sb) return 1;
    return num(m.shape[a]!) > num(m.shape[b]!) ? 1 : 0;
  };
  sortDims(perm, cmp);
  return perm.reverse();
}

/** A contiguous copy of `x` (cpu). */
export function contiguousCopy(x: NDArray): NDArray {
  return x.clone();
}

/** New contiguous array of `shape` holding x's elements in row-major order. */
export function reshapeCopy(x: NDArray, shape: readonly number[]): NDArray {
  const c = x.clone();
  return new NDArray(c.storage, [...shape], contiguousStrides(shape), 0);
}

export function checkPermutation(dims: readonly number[], ndim: number, op: string): number[] {
  if (dims.length !== ndim)
    throw new OpArgumentError(
      op,
      `permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${ndim} is not equal to len(dims) = ${dims.length}`,
    );
  const w = dims.map((d) => wrapDim(d, ndim));
  if (new Set(w).size !== w.length) throw new OpArgumentError(op, 'permute(): duplicate dims are not allowed.');
  return w;
}

export function permuteGeom(g: Geometry, dims: readonly number[], op: string): Geometry {
  const w = checkPermutation(dims, g.shape.length, op);
  return { shape: w.map((d) => g.shape[d]!), strides: w.map((d) => g.strides[d]!), offset: g.offset };
}

export function transposePerm(ndim: number, d0: number, d1: number): number[] {
  const a = wrapDim(d0, ndim);
  const b = wrapDim(d1, ndim);
  const perm = Array.from({ length: ndim }, (_, i) => i);
  perm[a] = b;
  perm[b] = a;
  return perm;
}

export function expandGeom(g: Geometry, size: readonly IntLike[], op: string): Geometry {
  const nd = g.shape.length;
  if (size.length < nd)
    throw new OpArgumentError(
      op,
      `expand(torch.FloatTensor{${listStr(g.shape)}}, size=${listStr(size)}): the number of sizes provided (${size.length}) must be greater or equal to the number of dimensions in the tensor (${nd})`,
    );
  const n = size.length;
  const shape = new Array<IntLike>(n);
  const strides = new Array<IntLike>(n);
  for (let i = n - 1; i >= 0; i--) {
    const off = n - 1 - i;
    const dim = nd - 1 - off;
    const target = size[i]!;
    if (dim < 0) {
      if (typeof target === 'number' && target < 0)
        throw new OpArgumentError(op, `The expanded size of the tensor (${target}) isn't allowed in a leading, non-existing dimension ${i}`);
      // A new leading dim: stride 0 unless its size is 1 (then the dense stride).
      shape[i] = target;
      strides[i] = eqSize(target, 1) ? (i === n - 1 ? 1 : mul(shape[i + 1]!, strides[i + 1]!)) : 0;
      continue;
    }
    const cur = g.shape[dim]!;
    if (typeof target === 'number' && target === -1) {
      shape[i] = cur;
      strides[i] = g.strides[dim]!;
    } else if (cur === target || staticallyKnownTrue(symEq(cur, target))) {
      shape[i] = cur;
      strides[i] = g.strides[dim]!;
    } else if (typeof cur === 'number' ? cur === 1 : guardOrFalse(symEq(cur, 1))) {
      shape[i] = target;
      strides[i] = 0;
    } else if (mustEq(cur, target)) {
      shape[i] = target;
      strides[i] = g.strides[dim]!;
    } else {
      throw new OpArgumentError(
        op,
        `The expanded size of the tensor (${intLikeToString(target)}) must match the existing size (${intLikeToString(cur)}) at non-singleton dimension ${i}.  Target sizes: ${listStr(size)}.  Tensor sizes: ${listStr(g.shape)}`,
      );
    }
  }
  return { shape, strides, offset: g.offset };
}

export function unsqueezeGeom(g: Geometry, dim: number): Geometry {
  const d = wrapDim(dim, g.shape.length + 1);
  const shape = [...g.shape];
  const strides = [...g.strides];
  const st = d >= g.shape.length ? 1 : mul(g.shape[d]!, g.strides[d]!);
  shape.splice(d, 0, 1);
  strides.splice(d, 0, st);
  return { shape, strides, offset: g.offset };
}

export function squeezeGeom(g: Geometry, dims: readonly number[] | undefined): Geometry {
  const nd = g.shape.length;
  const set = new Set(dims === undefined ? g.shape.map((_, i) => i) : dims.map((d) => wrapDim(d, nd)));
  const shape: IntLike[] = [];
  const strides: IntLike[] = [];
  g.shape.forEach((s, i) => {
    if (set.has(i) && eqSize(s, 1)) return;
    shape.push(s);
    strides.push(g.strides[i]!);
  });
  return { shape, strides, offset: g.offset };
}

/** Whether `v` mentions a data-dependent (unbacked, `u…`) symbol. */
function hasUnbacked(v: IntLike | null): boolean {
  return v !== null && typeof v !== 'number' && [...E.freeSymbols(v.env.simplify(v.expr))].some((n) => n.startsWith('u'));
}

/** a < b decided from value ranges alone (no guards); undefined when they cannot tell. */
function staticLt(a: IntLike, b: IntLike): boolean | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a < b;
  if (staticallyKnownTrue(symLt(a, b))) return true;
  if (staticallyKnownTrue(symGe(a, b))) return false;
  return undefined;
}

/** a ≤ b decided from value ranges alone; undefined when they cannot tell. */
const staticLe = (a: IntLike, b: IntLike): boolean | undefined => {
  const gt = staticLt(b, a);
  return gt === undefined ? undefined : !gt;
};

/** Clamp `v` to at least `lo` / at most `hi` statically (equality needs no clamp); undefined when unknown. */
function clampStatic(v: IntLike, lo: IntLike, hi: IntLike): IntLike | undefined {
  let r = v;
  if (staticLe(lo, r) !== true) {
    if (staticLe(r, lo) !== true) return undefined;
    r = lo;
  }
  if (staticLe(r, hi) === true) return r;
  return staticLe(hi, r) === true ? hi : undefined;
}

/**
 * Python-slice clamping of [start, end) into [0, size] decided statically;
 * undefined when some comparison depends on an unbacked value the ranges cannot
 * resolve (`x[:u0]` with u0 = y.item() unconstrained).
 */
function staticSliceBounds(size: IntLike, start: IntLike, end: IntLike): { s: IntLike; e: IntLike } | undefined {
  const wrap = (v: IntLike): IntLike | undefined => {
    const neg = staticLt(v, 0);
    return neg === undefined ? undefined : neg ? add(v, size) : v;
  };
  const s0 = wrap(start);
  const e0 = wrap(end);
  if (s0 === undefined || e0 === undefined) return undefined;
  const s = clampStatic(s0, 0, size);
  if (s === undefined) return undefined;
  const e = clampStatic(e0, s, size);
  return e === undefined ? undefined : { s, e };
}

/** The upper bound of a size from its value range (the size itself when concrete). */
function sizeUpper(size: IntLike): number {
  return typeof size === 'number' ? size : size.env.range(toPoly(size)).hi;
}

/**
 * slice.Tensor's geometry, clamping start/end like Python slicing.
 *
 * Note [Unbacked slice bounds]
 * When start or end involve unbacked symbols (`x[:u0]`, u0 = y.item()) that the
 * value ranges cannot place relative to 0 and the dim's size, torch (2.11+) does
 * not guard: the result's length is a fresh unbacked symbol u1 with range
 * [0, size] (`newUnbacked`, given by meta functions). The tracer then emits the
 * runtime asserts torch prints for u1's range (sym_size_int, ge/le, _assert_scalar).
 */
export function sliceGeom(
  g: Geometry,
  dimArg: number,
  start: IntLike | null,
  end: IntLike | null,
  step: IntLike,
  op: string,
  newUnbacked?: (range: ValueRange) => IntLike,
): Geometry {
  const nd = g.shape.length;
  if (nd === 0) throw new IndexOutOfRangeError('slice() cannot be applied to a 0-dim tensor.');
  const dim = wrapDim(dimArg, nd);
  if (typeof step === 'number' ? step <= 0 : !guardBool(symGe(step, 1))) throw new OpArgumentError(op, 'slice step must be positive');
  const size = g.shape[dim]!;
  const toEnd = isToEnd(end);
  if (newUnbacked && (hasUnbacked(start) || (!toEnd && hasUnbacked(end)))) {
    const bounds = staticSliceBounds(size, start ?? 0, toEnd ? size : end!);
    if (!bounds) {
      const shape = [...g.shape];
      const strides = [...g.strides];
      shape[dim] = newUnbacked(new ValueRange(0, sizeUpper(size)));
      strides[dim] = mul(g.strides[dim]!, step);
      // The start is clamped into [0, size] at run time; 0 unless it is given.
      const s = start === null ? 0 : start;
      return { shape, strides, offset: add(g.offset, mul(s, g.strides[dim]!)) };
    }
  }
  let s: IntLike = start ?? 0;
  let e: IntLike = toEnd ? size : end!;
  if (ltSize(s, 0)) s = add(s, size);
  if (!toEnd && ltSize(e, 0)) e = add(e, size);
  if (ltSize(s, 0)) s = 0;
  else if (gtSize(s, size)) s = size;
  if (toEnd) e = size;
  else if (ltSize(e, s)) e = s;
  else if (gtSize(e, size)) e = size;
  const len = subI(e, s);
  const shape = [...g.shape];
  const strides = [...g.strides];
  shape[dim] = step === 1 ? len : typeof len === 'number' && typeof step === 'number' ? Math.floor((len + step - 1) / step) : symFloorDiv(add(len, subI(step, 1)), step);
  strides[dim] = mul(g.strides[dim]!, step);
  return { shape, strides, offset: add(g.offset, mul(s, g.strides[dim]!)) };
}

export function selectGeom(g: Geometry, dimArg: number, index: IntLike): Geometry {
  const nd = g.shape.length;
  if (nd === 0) throw new IndexOutOfRangeError('select() cannot be applied to a 0-dim tensor.');
  const dim = wrapDim(dimArg, nd);
  const size = g.shape[dim]!;
  const oob =
    typeof index === 'number' && typeof size === 'number'
      ? index < -size || index >= size
      : guardOrFalse(symLt(index, symSub(0, size))) || guardOrFalse(symGe(index, size));
  if (oob)
    throw new IndexOutOfRangeError(
      `select(): index ${intLikeToString(index)} out of range for tensor of size ${listStr(g.shape)} at dimension ${dimArg}`,
    );
  const idx = ltSize(index, 0) ? add(index, size) : index;
  const shape = [...g.shape];
  const strides = [...g.strides];
  shape.splice(dim, 1);
  strides.splice(dim, 1);
  return { shape, strides, offset: add(g.offset, mul(idx, g.strides[dim]!)) };
}

export function narrowArgs(g: Geometry, dimArg: number, start: IntLike, length: IntLike, op: string): { dim: number; start: IntLike } {
  const nd = g.shape.length;
  if (nd === 0) throw new OpArgumentError(op, 'narrow() cannot be applied to a 0-dim tensor.');
  if (ltSize(length, 0)) throw new OpArgumentError(op, 'narrow(): length must be non-negative.');
  const dim = wrapDim(dimArg, nd);
  const size = g.shape[dim]!;
  let s = start;
  if (ltSize(s, 0)) s = add(s, size);
  if (ltSize(size, add(s, length)))
    throw new OpArgumentError(op, `start (${intLikeToString(s)}) + length (${intLikeToString(length)}) exceeds dimension size (${intLikeToString(size)}).`);
  return { dim, start: s };
}

export function splitSizesOf(size: IntLike, splitSize: IntLike, op: string): IntLike[] {
  if (ltSize(splitSize, 0)) throw new OpArgumentError(op, `split expects split_size be non-negative, but got split_size=${intLikeToString(splitSize)}`);
  const n = typeof size === 'number' ? size : (size.hint ?? 0);
  const ss = typeof splitSize === 'number' ? splitSize : (splitSize.hint ?? 0);
  if (ss === 0 && !eqSize(size, 0)) throw new OpArgumentError(op, `split_size can only be 0 if dimension size is 0, but got dimension size of ${intLikeToString(size)}`);
  // The number of pieces is a Python int: PyTorch specialises on it.
  const chunks = ss === 0 ? 1 : Math.max(Math.ceil(n / ss), 1);
  if (typeof size !== 'number' || typeof splitSize !== 'number') {
    // Guard that the piece count holds, as PyTorch's int() on the symbolic count does.
    const count = symFloorDiv(symAdd(size, symSub(splitSize, 1)), splitSize);
    mustEq(count, chunks);
  }
  const out: IntLike[] = [];
  for (let i = 0; i < chunks - 1; i++) out.push(splitSize);
  out.push(subI(size, mul(splitSize, chunks - 1)));
  return out;
}

export function splitWithSizesGeoms(g: Geometry, sizes: readonly IntLike[], dimArg: number, op: string): Geometry[] {
  if (g.shape.length === 0) throw new OpArgumentError(op, 'split expects at least a 1-dimensional tensor');
  const dim = wrapDim(dimArg, g.shape.length);
  const dimSize = g.shape[dim]!;
  if (sizes.some((s) => ltSize(s, 0)))
    throw new OpArgumentError(op, `split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=${listStr(sizes)}`);
  const total = sizes.reduce<IntLike>((a, b) => add(a, b), 0);
  if (!mustEq(total, dimSize))
    throw new OpArgumentError(
      op,
      `split_with_sizes expects split_sizes to sum exactly to ${intLikeToString(dimSize)} (input tensor's size at dimension ${dim}), but got split_sizes=${listStr(sizes)}`,
    );
  let start: IntLike = 0;
  return sizes.map((len) => {
    const shape = [...g.shape];
    shape[dim] = len;
    const out = { shape, strides: [...g.strides], offset: add(g.offset, mul(start, g.strides[dim]!)) };
    start = add(start, len);
    return out;
  });
}

export function multiViewOp(schema: string, geoms: (g: Geometry, args: unknown[], op: string) => Geometry[], decomp?: Parameters<typeof defineOp>[0]['decomp'], core = false): OpDef {
  return defineOp({
    schema,
    groups: core ? [OpGroup.View, OpGroup.Core] : [OpGroup.View],
    meta: (args, ctx) => {
      const x = args[0] as TensorMeta;
      return geoms(geomOfMeta(x), args, ctx.op).map((g) => viewMeta(x.dtype, g));
    },
    cpu: (args, ctx) => {
      const x = args[0] as NDArray;
      return geoms(geomOfArray(x), args, ctx.op).map((g) => viewArray(x, g));
    },
    decomp,
  });
}

/** Visit every multi-index of `shape` in row-major order. */
export function forEachIndex(shape: readonly number[], fn: (idx: readonly number[], flat: number) => void): void {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n === 0) return;
  const idx = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < n; flat++) {
    fn(idx, flat);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
}

