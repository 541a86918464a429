// Views and shape ops: view/reshape/permute/expand/slice/select/split/cat … .
//
// View ops (OpGroup.View) return tensors sharing their input's storage: their
// meta computes sizes, strides and storage offset exactly as PyTorch does (so a
// later `view` can tell whether it is stride-compatible), and their CPU kernel
// returns `x.withView(shape, strides, offset)`. Geometry is computed once, over
// IntLike, by the functions below; meta and cpu both call them (plain numbers are
// IntLike too). Comparisons on symbolic sizes go through `eqSize`/`ltSize`, which
// decide statically when the ranges allow and otherwise guard on the hint
// (guard_or_false), as PyTorch's symbolic meta functions do.
//
// Decompositions mirror what torch 2.13's run_decompositions() prints (checked
// against /tmp/ref and the 2.11 corpus): transpose/t/movedim → permute,
// reshape/flatten/unflatten/view_as → view (clone(contiguous_format) + view when
// not viewable), contiguous → clone(memory_format=torch.contiguous_format),
// narrow → slice, split/chunk → split_with_sizes, unbind → slice… + squeeze.dims…,
// stack → cat + view (or unsqueeze… + cat on the last dim), tile → repeat,
// roll → arange + add + fmod + index_select, squeeze.default/dim → squeeze.dims.

import { type DType, itemSize, promoteTypes } from '../core/dtype';
import { IndexOutOfRangeError, OpArgumentError } from '../core/errors';
import { NDArray, contiguousStrides } from '../core/ndarray';
import {
  type BoolLike,
  type IntLike,
  guardBool,
  guardOrFalse,
  hintInt,
  intLikeToString,
  product,
  staticallyKnownTrue,
  symAdd,
  symEq,
  symFloorDiv,
  symGe,
  symLt,
  symMod,
  symMul,
  symSub,
  toPoly,
  wrapInt,
  type SymInt,
} from '../symbolic';
import * as E from '../symbolic/expr';
import { contiguousStridesSym, meta, shapeStr, wrapDim } from './meta-utils';
import { defineOp } from './registry';
import { type DecompContext, type OpDef, OpGroup, type TensorMeta } from './types';

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
export const INT64_MAX = 2 ** 63;
const isToEnd = (v: IntLike | null): boolean => v === null || (typeof v === 'number' && v >= 2 ** 62);

/** Geometry of a strided tensor: what a view op computes. */
export interface Geometry {
  shape: IntLike[];
  strides: IntLike[];
  offset: IntLike;
}

const geomOfMeta = (m: TensorMeta): Geometry => ({ shape: [...m.shape], strides: [...m.strides], offset: m.storageOffset ?? 0 });
const geomOfArray = (a: NDArray): Geometry => ({ shape: [...a.shape], strides: [...a.strides], offset: a.offset });

function viewMeta(dtype: DType, g: Geometry): TensorMeta {
  return { dtype, shape: g.shape, strides: g.strides, storageOffset: g.offset };
}

function viewArray(x: NDArray, g: Geometry): NDArray {
  return x.withView(g.shape as number[], g.strides as number[], g.offset as number);
}

/** Declare a view op from one geometry function shared by meta and cpu. */
function viewOp(schema: string, geom: (g: Geometry, args: unknown[], op: string) => Geometry, extra: Partial<Parameters<typeof defineOp>[0]> = {}): OpDef {
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

const add = (a: IntLike, b: IntLike): IntLike => (typeof a === 'number' && typeof b === 'number' ? a + b : symAdd(a, b));
const mul = (a: IntLike, b: IntLike): IntLike => (typeof a === 'number' && typeof b === 'number' ? a * b : symMul(a, b));
const subI = (a: IntLike, b: IntLike): IntLike => (typeof a === 'number' && typeof b === 'number' ? a - b : symSub(a, b));

/** Decide a size relation: statically when possible, else guard on the hint (data-dependent → false). */
function decide(b: BoolLike): boolean {
  return guardOrFalse(b);
}
export const eqSize = (a: IntLike, b: IntLike): boolean => (typeof a === 'number' && typeof b === 'number' ? a === b : decide(symEq(a, b)));
export const ltSize = (a: IntLike, b: IntLike): boolean => (typeof a === 'number' && typeof b === 'number' ? a < b : decide(symLt(a, b)));
const geSize = (a: IntLike, b: IntLike): boolean => (typeof a === 'number' && typeof b === 'number' ? a >= b : decide(symGe(a, b)));
/** Equality the program must hold: guards (errors when it provably does not). */
const mustEq = (a: IntLike, b: IntLike): boolean => (typeof a === 'number' && typeof b === 'number' ? a === b : staticallyKnownTrue(symEq(a, b)) || guardBool(symEq(a, b)));

const listStr = (xs: readonly IntLike[]): string => `[${xs.map(intLikeToString).join(', ')}]`;

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
    if (d === 0 || (!eqSize(oldShape[d - 1]!, 1) && !eqSize(oldStrides[d - 1]!, mul(tensorNumel, chunkBase)))) {
      while (viewD >= 0 && (ltSize(viewNumel, tensorNumel) || eqSize(newShape[viewD]!, 1))) {
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

const VIEW_ERROR =
  "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.";

function viewGeom(g: Geometry, size: readonly IntLike[], op: string): Geometry {
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
  for (let i = 1; i < n; i++) {
    let d1 = i;
    for (let d0 = i - 1; d0 >= 0; d0--) {
      const c = cmp(perm[d0]!, perm[d1]!);
      if (c > 0) {
        [perm[d0], perm[d1]] = [perm[d1]!, perm[d0]!];
        d1 = d0;
      } else if (c < 0) break;
    }
  }
  return perm.reverse();
}

/** A contiguous copy of `x` (cpu). */
function contiguousCopy(x: NDArray): NDArray {
  return x.clone();
}

/** New contiguous array of `shape` holding x's elements in row-major order. */
function reshapeCopy(x: NDArray, shape: readonly number[]): NDArray {
  const c = x.clone();
  return new NDArray(c.storage, [...shape], contiguousStrides(shape), 0);
}

function checkPermutation(dims: readonly number[], ndim: number, op: string): number[] {
  if (dims.length !== ndim)
    throw new OpArgumentError(
      op,
      `permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${ndim} is not equal to len(dims) = ${dims.length}`,
    );
  const w = dims.map((d) => wrapDim(d, ndim));
  if (new Set(w).size !== w.length) throw new OpArgumentError(op, 'permute(): duplicate dims are not allowed.');
  return w;
}

function permuteGeom(g: Geometry, dims: readonly number[], op: string): Geometry {
  const w = checkPermutation(dims, g.shape.length, op);
  return { shape: w.map((d) => g.shape[d]!), strides: w.map((d) => g.strides[d]!), offset: g.offset };
}

function transposePerm(ndim: number, d0: number, d1: number): number[] {
  const a = wrapDim(d0, ndim);
  const b = wrapDim(d1, ndim);
  const perm = Array.from({ length: ndim }, (_, i) => i);
  perm[a] = b;
  perm[b] = a;
  return perm;
}

function expandGeom(g: Geometry, size: readonly IntLike[], op: string): Geometry {
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

function unsqueezeGeom(g: Geometry, dim: number): Geometry {
  const d = wrapDim(dim, g.shape.length + 1);
  const shape = [...g.shape];
  const strides = [...g.strides];
  const st = d >= g.shape.length ? 1 : mul(g.shape[d]!, g.strides[d]!);
  shape.splice(d, 0, 1);
  strides.splice(d, 0, st);
  return { shape, strides, offset: g.offset };
}

function squeezeGeom(g: Geometry, dims: readonly number[] | undefined): Geometry {
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

/** slice.Tensor's geometry, clamping start/end like Python slicing. */
export function sliceGeom(g: Geometry, dimArg: number, start: IntLike | null, end: IntLike | null, step: IntLike, op: string): Geometry {
  const nd = g.shape.length;
  if (nd === 0) throw new IndexOutOfRangeError('slice() cannot be applied to a 0-dim tensor.');
  const dim = wrapDim(dimArg, nd);
  if (typeof step === 'number' ? step <= 0 : !guardBool(symGe(step, 1))) throw new OpArgumentError(op, 'slice step must be positive');
  const size = g.shape[dim]!;
  let s: IntLike = start ?? 0;
  const toEnd = isToEnd(end);
  let e: IntLike = toEnd ? size : end!;
  if (ltSize(s, 0)) s = add(s, size);
  if (!toEnd && ltSize(e, 0)) e = add(e, size);
  if (ltSize(s, 0)) s = 0;
  else if (geSize(s, size)) s = size;
  if (toEnd) e = size;
  else if (ltSize(e, s)) e = s;
  else if (geSize(e, size)) e = size;
  const len = subI(e, s);
  const shape = [...g.shape];
  const strides = [...g.strides];
  shape[dim] = step === 1 ? len : typeof len === 'number' && typeof step === 'number' ? Math.floor((len + step - 1) / step) : symFloorDiv(add(len, subI(step, 1)), step);
  strides[dim] = mul(g.strides[dim]!, step);
  return { shape, strides, offset: add(g.offset, mul(s, g.strides[dim]!)) };
}

function selectGeom(g: Geometry, dimArg: number, index: IntLike): Geometry {
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

function narrowArgs(g: Geometry, dimArg: number, start: IntLike, length: IntLike, op: string): { dim: number; start: IntLike } {
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

function splitSizesOf(size: IntLike, splitSize: IntLike, op: string): IntLike[] {
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

function splitWithSizesGeoms(g: Geometry, sizes: readonly IntLike[], dimArg: number, op: string): Geometry[] {
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

function multiViewOp(schema: string, geoms: (g: Geometry, args: unknown[], op: string) => Geometry[], decomp?: Parameters<typeof defineOp>[0]['decomp'], core = false): OpDef {
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

// ---------------------------------------------------------------- views

export const view = viewOp('view(Tensor(a) self, SymInt[] size) -> Tensor(a)', (g, a, op) => viewGeom(g, a[1] as IntLike[], op));

// Like view (same checks and geometry), but autograd does not treat the result as a view.
export const _unsafe_view = defineOp({
  schema: '_unsafe_view(Tensor self, SymInt[] size) -> Tensor',
  meta: ([x, size], ctx) => {
    const m = x as TensorMeta;
    return viewMeta(m.dtype, viewGeom(geomOfMeta(m), size as IntLike[], ctx.op));
  },
  cpu: ([x, size], ctx) => {
    const a = x as NDArray;
    return viewArray(a, viewGeom(geomOfArray(a), size as number[], ctx.op));
  },
  decomp: ([x, size], ctx) => ctx.call('aten.view.default', [x, size]),
});

/** reshape/flatten's rewrite: view when the strides allow, else clone(contiguous) + view. */
function reshapeDecomp(ctx: DecompContext, x: unknown, size: readonly IntLike[], op: string): unknown {
  const m = ctx.meta(x);
  const shape = inferSize(size, product(m.shape), op);
  if (computeStride(m.shape, m.strides, shape)) return ctx.call('aten.view.default', [x, [...size]]);
  const c = ctx.call('aten.clone.default', [x], { memory_format: CONTIGUOUS_FORMAT });
  return ctx.call('aten.view.default', [c, shape]);
}

/** reshape's CPU semantics: a view when stride-compatible, else a contiguous copy. */
function reshapeCpu(x: NDArray, size: readonly number[], op: string): NDArray {
  const shape = inferSize(size, x.numel, op) as number[];
  const strides = computeStride(x.shape, x.strides, shape);
  if (strides) return x.withView(shape, strides as number[], x.offset);
  return reshapeCopy(x, shape);
}

export const reshape = defineOp({
  schema: 'reshape(Tensor(a) self, SymInt[] shape) -> Tensor(a)',
  meta: ([x, size], ctx) => {
    const m = x as TensorMeta;
    const shape = inferSize(size as IntLike[], product(m.shape), ctx.op);
    const strides = computeStride(m.shape, m.strides, shape);
    return strides ? viewMeta(m.dtype, { shape, strides, offset: m.storageOffset ?? 0 }) : meta(m.dtype, shape);
  },
  cpu: ([x, size], ctx) => reshapeCpu(x as NDArray, size as number[], ctx.op),
  decomp: ([x, size], ctx) => reshapeDecomp(ctx, x, size as IntLike[], 'aten.reshape.default'),
});

export const view_as = viewOp('view_as(Tensor(a) self, Tensor other) -> Tensor(a)', (g, a, op) => viewGeom(g, (a[1] as { shape: readonly IntLike[] }).shape, op), {
  groups: [OpGroup.View],
  decomp: ([x, other], ctx) => ctx.call('aten.view.default', [x, [...ctx.meta(other).shape]]),
});

export const permute = viewOp('permute(Tensor(a) self, int[] dims) -> Tensor(a)', (g, a, op) => permuteGeom(g, a[1] as number[], op));

/** transpose/t with equal dims (or t on <2-D) decompose to alias; otherwise to permute. */
function transposeDecomp(ctx: DecompContext, x: unknown, d0: number, d1: number): unknown {
  const nd = ctx.meta(x).shape.length;
  if (nd === 0) return ctx.call('aten.alias.default', [x]);
  const a = wrapDim(d0, nd);
  const b = wrapDim(d1, nd);
  if (a === b) return ctx.call('aten.alias.default', [x]);
  return ctx.call('aten.permute.default', [x, transposePerm(nd, a, b)]);
}

export const transpose = viewOp(
  'transpose.int(Tensor(a) self, int dim0, int dim1) -> Tensor(a)',
  (g, a) => (g.shape.length === 0 ? { ...g } : permuteGeom(g, transposePerm(g.shape.length, a[1] as number, a[2] as number), 'aten.transpose.int')),
  { groups: [OpGroup.View], decomp: ([x, d0, d1], ctx) => transposeDecomp(ctx, x, d0 as number, d1 as number) },
);

function tCheck(nd: number, op: string): void {
  if (nd > 2) throw new OpArgumentError(op, `t() expects a tensor with <= 2 dimensions, but self is ${nd}D`);
}

export const t = viewOp(
  't(Tensor(a) self) -> Tensor(a)',
  (g, _a, op) => {
    tCheck(g.shape.length, op);
    return g.shape.length < 2 ? { ...g } : permuteGeom(g, [1, 0], op);
  },
  {
    groups: [OpGroup.View],
    decomp: ([x], ctx) => {
      const nd = ctx.meta(x).shape.length;
      tCheck(nd, 'aten.t.default');
      return nd < 2 ? ctx.call('aten.alias.default', [x]) : ctx.call('aten.permute.default', [x, [1, 0]]);
    },
  },
);

export const swapaxes = viewOp(
  'swapaxes(Tensor(a) self, int axis0, int axis1) -> Tensor(a)',
  (g, a) => (g.shape.length === 0 ? { ...g } : permuteGeom(g, transposePerm(g.shape.length, a[1] as number, a[2] as number), 'aten.swapaxes.default')),
  { groups: [OpGroup.View], decomp: ([x, d0, d1], ctx) => transposeDecomp(ctx, x, d0 as number, d1 as number) },
);

function movedimPerm(nd: number, src: readonly number[], dst: readonly number[], op: string): number[] {
  if (src.length !== dst.length)
    throw new OpArgumentError(op, `movedim: Invalid source or destination dims: source (${listStr(src)} dims) should contain the same number of dims as destination (${listStr(dst)} dims)`);
  const s = src.map((d) => wrapDim(d, nd));
  const d = dst.map((x) => wrapDim(x, nd));
  if (new Set(s).size !== s.length) throw new OpArgumentError(op, `movedim: repeated dim in \`source\` (${listStr(src)})`);
  if (new Set(d).size !== d.length) throw new OpArgumentError(op, `movedim: repeated dim in \`destination\` (${listStr(dst)})`);
  const perm = new Array<number>(nd).fill(-1);
  s.forEach((sd, i) => (perm[d[i]!] = sd));
  const restSrc = Array.from({ length: nd }, (_, i) => i).filter((i) => !s.includes(i));
  let k = 0;
  for (let i = 0; i < nd; i++) if (perm[i] === -1) perm[i] = restSrc[k++]!;
  return perm;
}

export const movedimInt = viewOp(
  'movedim.int(Tensor(a) self, int source, int destination) -> Tensor(a)',
  (g, a, op) => permuteGeom(g, movedimPerm(g.shape.length, [a[1] as number], [a[2] as number], op), op),
  { groups: [OpGroup.View], decomp: ([x, s, d], ctx) => ctx.call('aten.permute.default', [x, movedimPerm(ctx.meta(x).shape.length, [s as number], [d as number], 'aten.movedim.int')]) },
);

export const movedimIntlist = viewOp(
  'movedim.intlist(Tensor(a) self, int[] source, int[] destination) -> Tensor(a)',
  (g, a, op) => permuteGeom(g, movedimPerm(g.shape.length, a[1] as number[], a[2] as number[], op), op),
  {
    groups: [OpGroup.View],
    decomp: ([x, s, d], ctx) => ctx.call('aten.permute.default', [x, movedimPerm(ctx.meta(x).shape.length, s as number[], d as number[], 'aten.movedim.intlist')]),
  },
);

export const expand = viewOp('expand(Tensor(a) self, SymInt[] size, *, bool implicit=False) -> Tensor(a)', (g, a, op) => expandGeom(g, a[1] as IntLike[], op));

export const expand_as = viewOp('expand_as(Tensor(a) self, Tensor other) -> Tensor(a)', (g, a, op) => expandGeom(g, (a[1] as { shape: readonly IntLike[] }).shape, op), {
  groups: [OpGroup.View],
  decomp: ([x, other], ctx) => ctx.call('aten.expand.default', [x, [...ctx.meta(other).shape]]),
});

export const unsqueeze = viewOp('unsqueeze(Tensor(a) self, int dim) -> Tensor(a)', (g, a) => unsqueezeGeom(g, a[1] as number));

export const squeezeDim = viewOp('squeeze.dim(Tensor(a) self, int dim) -> Tensor(a)', (g, a) => squeezeGeom(g, [a[1] as number]), {
  decomp: ([x, dim], ctx) => ctx.call('aten.squeeze.dims', [x, [dim]]),
});

export const squeezeDims = viewOp('squeeze.dims(Tensor(a) self, int[] dim) -> Tensor(a)', (g, a) => squeezeGeom(g, a[1] as number[]));

export const squeeze = viewOp('squeeze(Tensor(a) self) -> Tensor(a)', (g) => squeezeGeom(g, undefined), {
  groups: [OpGroup.View],
  decomp: ([x], ctx) => ctx.call('aten.squeeze.dims', [x, ctx.meta(x).shape.map((_, i) => i)]),
});

export const alias = viewOp('alias(Tensor(a) self) -> Tensor(a)', (g) => ({ ...g }));

function flattenShape(shape: readonly IntLike[], start: number, end: number, op: string): { shape: IntLike[]; noop: boolean } {
  if (shape.length === 0) return { shape: [1], noop: false };
  const s = wrapDim(start, shape.length);
  const e = wrapDim(end, shape.length);
  if (s > e) throw new OpArgumentError(op, 'flatten() has invalid args: start_dim cannot come after end_dim');
  if (s === e) return { shape: [...shape], noop: true };
  const merged = product(shape.slice(s, e + 1));
  return { shape: [...shape.slice(0, s), merged, ...shape.slice(e + 1)], noop: false };
}

export const flatten = defineOp({
  schema: 'flatten.using_ints(Tensor(a) self, int start_dim=0, int end_dim=-1) -> Tensor(a)',
  meta: ([x, s, e], ctx) => {
    const m = x as TensorMeta;
    const f = flattenShape(m.shape, s as number, e as number, ctx.op);
    if (f.noop) return m;
    const strides = computeStride(m.shape, m.strides, f.shape);
    return strides ? viewMeta(m.dtype, { shape: f.shape, strides, offset: m.storageOffset ?? 0 }) : meta(m.dtype, f.shape);
  },
  cpu: ([x, s, e], ctx) => {
    const a = x as NDArray;
    const f = flattenShape(a.shape, s as number, e as number, ctx.op);
    return f.noop ? a : reshapeCpu(a, f.shape as number[], ctx.op);
  },
  decomp: ([x, s, e], ctx) => {
    const m = ctx.meta(x);
    const f = flattenShape(m.shape, s as number, e as number, 'aten.flatten.using_ints');
    if (f.noop) return x;
    return reshapeDecomp(ctx, x, f.shape, 'aten.flatten.using_ints');
  },
});

function unflattenShape(shape: readonly IntLike[], dimArg: number, sizes: readonly IntLike[], op: string): IntLike[] {
  const dim = wrapDim(dimArg, shape.length);
  if (sizes.length === 0) throw new OpArgumentError(op, 'unflatten: sizes must be non-empty');
  const dimSize = shape[dim]!;
  let inferred: IntLike[];
  try {
    inferred = inferSize(sizes, dimSize, op);
  } catch (err) {
    if (!(err instanceof OpArgumentError)) throw err;
    if (sizes.some((s) => s === -1)) throw err;
    throw new OpArgumentError(op, `unflatten: Provided sizes ${listStr(sizes)} don't multiply up to the size of dim ${dimArg} (${intLikeToString(dimSize)}) in the input tensor`);
  }
  return [...shape.slice(0, dim), ...inferred, ...shape.slice(dim + 1)];
}

export const unflatten = viewOp(
  'unflatten.int(Tensor(a) self, int dim, SymInt[] sizes) -> Tensor(a)',
  (g, a, op) => viewGeom(g, unflattenShape(g.shape, a[1] as number, a[2] as IntLike[], op), op),
  {
    groups: [OpGroup.View],
    decomp: ([x, dim, sizes], ctx) => ctx.call('aten.view.default', [x, unflattenShape(ctx.meta(x).shape, dim as number, sizes as IntLike[], 'aten.unflatten.int')]),
  },
);

export const slice = viewOp('slice.Tensor(Tensor(a) self, int dim=0, SymInt? start=None, SymInt? end=None, SymInt step=1) -> Tensor(a)', (g, a, op) =>
  sliceGeom(g, a[1] as number, a[2] as IntLike | null, a[3] as IntLike | null, a[4] as IntLike, op),
);

export const select = viewOp('select.int(Tensor(a) self, int dim, SymInt index) -> Tensor(a)', (g, a) => selectGeom(g, a[1] as number, a[2] as IntLike));

export const narrow = viewOp(
  'narrow(Tensor(a) self, int dim, SymInt start, SymInt length) -> Tensor(a)',
  (g, a, op) => {
    const { dim, start } = narrowArgs(g, a[1] as number, a[2] as IntLike, a[3] as IntLike, op);
    return sliceGeom(g, dim, start, add(start, a[3] as IntLike), 1, op);
  },
  {
    groups: [OpGroup.View],
    decomp: ([x, dim, start, length], ctx) => {
      const { start: s } = narrowArgs(geomOfMeta(ctx.meta(x)), dim as number, start as IntLike, length as IntLike, 'aten.narrow.default');
      return ctx.call('aten.slice.Tensor', [x, dim, s, add(s, length as IntLike)]);
    },
  },
);

export const splitWithSizes = multiViewOp(
  'split_with_sizes(Tensor(a -> *) self, SymInt[] split_sizes, int dim=0) -> Tensor(a)[]',
  (g, a, op) => splitWithSizesGeoms(g, a[1] as IntLike[], a[2] as number, op),
  undefined,
  true,
);

function splitTensorSizes(shape: readonly IntLike[], splitSize: IntLike, dimArg: number, op: string): IntLike[] {
  if (shape.length === 0) throw new OpArgumentError(op, 'split expects at least a 1-dimensional tensor');
  return splitSizesOf(shape[wrapDim(dimArg, shape.length)]!, splitSize, op);
}

export const split = multiViewOp(
  'split.Tensor(Tensor(a -> *) self, SymInt split_size, int dim=0) -> Tensor(a)[]',
  (g, a, op) => splitWithSizesGeoms(g, splitTensorSizes(g.shape, a[1] as IntLike, a[2] as number, op), a[2] as number, op),
  ([x, ss, dim], ctx) => ctx.call('aten.split_with_sizes.default', [x, splitTensorSizes(ctx.meta(x).shape, ss as IntLike, dim as number, 'aten.split.Tensor'), dim]),
);

function chunkSizes(shape: readonly IntLike[], chunks: number, dimArg: number, op: string): IntLike[] {
  if (shape.length === 0) throw new OpArgumentError(op, 'chunk expects at least a 1-dimensional tensor');
  if (chunks <= 0) throw new OpArgumentError(op, `chunk expects \`chunks\` to be greater than 0, got: ${chunks}`);
  const size = shape[wrapDim(dimArg, shape.length)]!;
  const splitSize = typeof size === 'number' ? Math.floor((size + chunks - 1) / chunks) : symFloorDiv(symAdd(size, chunks - 1), chunks);
  if (eqSize(splitSize, 0) && eqSize(size, 0)) {
    const out = new Array<IntLike>(chunks).fill(0);
    return out;
  }
  return splitSizesOf(size, splitSize, op);
}

export const chunk = multiViewOp(
  'chunk(Tensor(a -> *) self, int chunks, int dim=0) -> Tensor(a)[]',
  (g, a, op) => splitWithSizesGeoms(g, chunkSizes(g.shape, a[1] as number, a[2] as number, op), a[2] as number, op),
  ([x, chunks, dim], ctx) => ctx.call('aten.split_with_sizes.default', [x, chunkSizes(ctx.meta(x).shape, chunks as number, dim as number, 'aten.chunk.default'), dim]),
);

export const unbind = multiViewOp(
  'unbind.int(Tensor(a -> *) self, int dim=0) -> Tensor(a)[]',
  (g, a) => {
    if (g.shape.length === 0) throw new IndexOutOfRangeError('Dimension specified as 0 but tensor has no dimensions');
    const dim = wrapDim(a[1] as number, g.shape.length);
    const n = g.shape[dim]!;
    if (typeof n !== 'number') throw new OpArgumentError('aten.unbind.int', 'unbind over a symbolic dimension is not supported');
    return Array.from({ length: n }, (_, i) => selectGeom(g, dim, i));
  },
  ([x, dimArg], ctx) => {
    const m = ctx.meta(x);
    if (m.shape.length === 0) throw new IndexOutOfRangeError('Dimension specified as 0 but tensor has no dimensions');
    const dim = wrapDim(dimArg as number, m.shape.length);
    const n = m.shape[dim]!;
    if (typeof n !== 'number') throw new OpArgumentError('aten.unbind.int', 'unbind over a symbolic dimension is not supported');
    const slices = Array.from({ length: n }, (_, i) => ctx.call('aten.slice.Tensor', [x, dim, i, i + 1]));
    return slices.map((s) => ctx.call('aten.squeeze.dims', [s, [dim]]));
  },
);

function asStridedGeom(g: Geometry, a: unknown[], op: string): Geometry {
  const size = a[1] as IntLike[];
  const stride = a[2] as IntLike[];
  if (size.length !== stride.length) throw new OpArgumentError(op, 'mismatch in length of strides and shape');
  return { shape: [...size], strides: [...stride], offset: (a[3] as IntLike | null) ?? g.offset };
}

export const as_strided = defineOp({
  schema: 'as_strided(Tensor(a) self, SymInt[] size, SymInt[] stride, SymInt? storage_offset=None) -> Tensor(a)',
  groups: [OpGroup.View, OpGroup.Core],
  meta: (args, ctx) => {
    const x = args[0] as TensorMeta;
    return viewMeta(x.dtype, asStridedGeom(geomOfMeta(x), args, ctx.op));
  },
  cpu: (args, ctx) => {
    const x = args[0] as NDArray;
    const g = asStridedGeom(geomOfArray(x), args, ctx.op);
    const shape = g.shape as number[];
    const strides = g.strides as number[];
    const offset = g.offset as number;
    // Bounds check against the storage, as torch's setStorage does (sizes in bytes).
    if (!shape.includes(0)) {
      let maxOff = offset;
      shape.forEach((s, i) => (maxOff += (s - 1) * strides[i]!));
      const item = itemSize(x.dtype);
      const need = (maxOff + 1) * item;
      const have = x.storage.data.length * item;
      if (need > have)
        throw new OpArgumentError(
          ctx.op,
          `setStorage: sizes ${listStr(shape)}, strides ${listStr(strides)}, storage offset ${offset}, and itemsize ${item} requiring a storage size of ${need} are out of bounds for storage of size ${have}`,
        );
    }
    return x.withView(shape, strides, offset);
  },
});

// ---------------------------------------------------------------- copies

export const contiguous = defineOp({
  schema: 'contiguous(Tensor(a) self, *, MemoryFormat memory_format=0) -> Tensor(a)',
  meta: ([x]) => {
    const m = x as TensorMeta;
    return isContiguousMeta(m) ? m : meta(m.dtype, m.shape);
  },
  cpu: ([x]) => {
    const a = x as NDArray;
    return a.isContiguous() ? a : contiguousCopy(a);
  },
  decomp: ([x], ctx) => (isContiguousMeta(ctx.meta(x)) ? x : ctx.call('aten.clone.default', [x], { memory_format: CONTIGUOUS_FORMAT })),
});

/** cat's output metadata, with torch's checks. Legacy 1-D empty tensors are skipped. */
function catMeta(tensors: readonly TensorMeta[], dimArg: number, op: string): TensorMeta {
  if (tensors.length === 0) throw new OpArgumentError(op, 'torch.cat(): expected a non-empty list of Tensors');
  const dtype = tensors.map((t) => t.dtype).reduce((a, b) => promoteTypes(a, b));
  const isLegacy = (t: TensorMeta) => t.shape.length === 1 && eqSize(t.shape[0]!, 0);
  const live = tensors.map((t, i) => ({ t, i })).filter(({ t }) => !isLegacy(t));
  if (live.length === 0) return meta(dtype, [0]);
  const ref = live[0]!.t;
  const dim = wrapDim(dimArg, ref.shape.length);
  if (ref.shape.length === 0) throw new OpArgumentError(op, `zero-dimensional tensor (at position ${live[0]!.i}) cannot be concatenated`);
  let total: IntLike = 0;
  for (const { t, i } of live) {
    if (t.shape.length === 0) throw new OpArgumentError(op, `zero-dimensional tensor (at position ${i}) cannot be concatenated`);
    if (t.shape.length !== ref.shape.length)
      throw new OpArgumentError(op, `Tensors must have same number of dimensions: got ${ref.shape.length} and ${t.shape.length}`);
    t.shape.forEach((s, d) => {
      if (d === dim) return;
      if (!mustEq(s, ref.shape[d]!))
        throw new OpArgumentError(
          op,
          `Sizes of tensors must match except in dimension ${dim}. Expected size ${intLikeToString(ref.shape[d]!)} but got size ${intLikeToString(s)} for tensor number ${i} in the list.`,
        );
    });
    total = add(total, t.shape[dim]!);
  }
  const shape = [...ref.shape];
  shape[dim] = total;
  return meta(dtype, shape);
}

const arrayMeta = (a: NDArray): TensorMeta => ({ dtype: a.dtype, shape: a.shape, strides: a.strides });

export function catArrays(tensors: readonly NDArray[], dimArg: number, op: string): NDArray {
  const m = catMeta(tensors.map(arrayMeta), dimArg, op);
  const out = NDArray.zeros(m.dtype, m.shape as number[]);
  if (out.numel === 0 && m.shape.length === 1) return out;
  const dim = wrapDim(dimArg, m.shape.length);
  let start = 0;
  for (const t of tensors) {
    if (t.ndim === 1 && t.shape[0] === 0) continue;
    const dst = out.withView(t.shape, out.strides, start * out.strides[dim]!);
    dst.copyFrom(t);
    start += t.shape[dim]!;
  }
  return out;
}

export const cat = defineOp({
  schema: 'cat(Tensor[] tensors, int dim=0) -> Tensor',
  groups: [OpGroup.Core],
  meta: ([ts, dim], ctx) => catMeta(ts as TensorMeta[], dim as number, ctx.op),
  cpu: ([ts, dim], ctx) => catArrays(ts as NDArray[], dim as number, ctx.op),
});

function checkStack(shapes: ReadonlyArray<readonly IntLike[]>, op: string): void {
  if (shapes.length === 0) throw new OpArgumentError(op, 'stack expects a non-empty TensorList');
  const ref = shapes[0]!;
  shapes.forEach((s, i) => {
    if (s.length !== ref.length || !s.every((x, d) => mustEq(x, ref[d]!)))
      throw new OpArgumentError(op, `stack expects each tensor to be equal size, but got ${shapeStr(ref)} at entry 0 and ${shapeStr(s)} at entry ${i}`);
  });
}

export const stack = defineOp({
  schema: 'stack(Tensor[] tensors, int dim=0) -> Tensor',
  meta: ([ts, dimArg], ctx) => {
    const tensors = ts as TensorMeta[];
    checkStack(
      tensors.map((x) => x.shape),
      ctx.op,
    );
    const dim = wrapDim(dimArg as number, tensors[0]!.shape.length + 1);
    const shape = [...tensors[0]!.shape];
    shape.splice(dim, 0, tensors.length);
    return meta(tensors.map((x) => x.dtype).reduce((a, b) => promoteTypes(a, b)), shape);
  },
  cpu: ([ts, dimArg], ctx) => {
    const tensors = ts as NDArray[];
    checkStack(
      tensors.map((x) => x.shape),
      ctx.op,
    );
    const dim = wrapDim(dimArg as number, tensors[0]!.ndim + 1);
    return catArrays(
      tensors.map((x) => viewArray(x, unsqueezeGeom(geomOfArray(x), dim))),
      dim,
      ctx.op,
    );
  },
  decomp: ([ts, dimArg], ctx) => {
    const tensors = ts as unknown[];
    if (tensors.length === 0) throw new OpArgumentError('aten.stack.default', 'stack expects a non-empty TensorList');
    const first = ctx.meta(tensors[0]);
    const dim = wrapDim(dimArg as number, first.shape.length + 1);
    if (dim < first.shape.length) {
      checkStack(
        tensors.map((x) => ctx.meta(x).shape),
        'aten.stack.default',
      );
      const sizes = [...first.shape];
      sizes.splice(dim, 0, tensors.length);
      const out = ctx.call('aten.cat.default', [[...tensors], dim]);
      return ctx.call('aten.view.default', [out, sizes]);
    }
    const us = tensors.map((x) => ctx.call('aten.unsqueeze.default', [x, dim]));
    return ctx.call('aten.cat.default', [us, dimArg]);
  },
});

function repeatShape(shape: readonly IntLike[], repeats: readonly IntLike[], op: string): IntLike[] {
  if (repeats.length < shape.length)
    throw new OpArgumentError(op, 'Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor');
  const pad = repeats.length - shape.length;
  return repeats.map((r, i) => (i < pad ? r : mul(shape[i - pad]!, r)));
}

export const repeat = defineOp({
  schema: 'repeat(Tensor self, SymInt[] repeats) -> Tensor',
  groups: [OpGroup.Core],
  meta: ([x, reps], ctx) => {
    const m = x as TensorMeta;
    return meta(m.dtype, repeatShape(m.shape, reps as IntLike[], ctx.op));
  },
  cpu: ([x, reps], ctx) => {
    const a = x as NDArray;
    const shape = repeatShape(a.shape, reps as number[], ctx.op) as number[];
    const out = NDArray.zeros(a.dtype, shape);
    const pad = shape.length - a.ndim;
    const src = a.storage.data;
    const dst = out.storage.data;
    forEachIndex(shape, (idx, flat) => {
      let off = a.offset;
      for (let d = 0; d < a.ndim; d++) off += (idx[d + pad]! % a.shape[d]!) * a.strides[d]!;
      dst[flat] = src[off]!;
    });
    return out;
  },
});

export const tile = defineOp({
  schema: 'tile(Tensor self, SymInt[] dims) -> Tensor',
  meta: ([x, dims], ctx) => repeat.meta([x, tileReps((x as TensorMeta).shape.length, dims as IntLike[])], ctx),
  cpu: ([x, dims], ctx) => repeat.cpu([x, tileReps((x as NDArray).ndim, dims as number[])], ctx),
  decomp: ([x, dims], ctx) => ctx.call('aten.repeat.default', [x, tileReps(ctx.meta(x).shape.length, dims as IntLike[])]),
});

function tileReps(ndim: number, dims: readonly IntLike[]): IntLike[] {
  return dims.length < ndim ? [...new Array<IntLike>(ndim - dims.length).fill(1), ...dims] : [...dims];
}

function wrapUniqueDims(dims: readonly number[], ndim: number, op: string): number[] {
  const w = dims.map((d) => wrapDim(d, ndim));
  const seen = new Set<number>();
  for (const d of w) {
    if (seen.has(d)) throw new OpArgumentError(op, `dim ${d} appears multiple times in the list of dims`);
    seen.add(d);
  }
  return w;
}

export const flip = defineOp({
  schema: 'flip(Tensor self, int[] dims) -> Tensor',
  groups: [OpGroup.Core],
  meta: ([x, dims], ctx) => {
    const m = x as TensorMeta;
    wrapUniqueDims(dims as number[], m.shape.length, ctx.op);
    // The result is empty_like(self): preserve_format strides.
    return { dtype: m.dtype, shape: [...m.shape], strides: likeStrides(m) };
  },
  cpu: ([x, dims], ctx) => {
    const a = x as NDArray;
    const w = new Set(wrapUniqueDims(dims as number[], a.ndim, ctx.op));
    let offset = a.offset;
    const strides = a.strides.map((s, d) => {
      if (!w.has(d) || a.shape[d] === 0) return s;
      offset += (a.shape[d]! - 1) * s;
      return -s;
    });
    return a.withView(a.shape, strides, offset).clone();
  },
});

function rollArgs(nd: number, shifts: readonly IntLike[], dims: readonly number[], op: string): { shifts: IntLike[]; dims: number[] } {
  if (shifts.length === 0) throw new OpArgumentError(op, '`shifts` required');
  if (dims.length === 0 && shifts.length === 1) return { shifts: [...shifts], dims: [] };
  if (shifts.length !== dims.length) throw new OpArgumentError(op, `shifts and dimensions must align. shifts: ${shifts.length}, dims:${dims.length}`);
  if (nd === 0) throw new IndexOutOfRangeError(`Dimension specified as ${dims[0]} but tensor has no dimensions`);
  return { shifts: [...shifts], dims: dims.map((d) => wrapDim(d, nd)) };
}

const pyMod = (a: number, b: number): number => a - Math.floor(a / b) * b;

export const roll = defineOp({
  schema: 'roll(Tensor self, SymInt[1] shifts, int[1] dims=[]) -> Tensor',
  meta: ([x, shifts, dims], ctx) => {
    const m = x as TensorMeta;
    rollArgs(m.shape.length, shifts as IntLike[], dims as number[], ctx.op);
    return meta(m.dtype, m.shape);
  },
  cpu: ([x, shiftsArg, dimsArg], ctx) => {
    const a = x as NDArray;
    const { shifts, dims } = rollArgs(a.ndim, shiftsArg as number[], dimsArg as number[], ctx.op);
    if (a.numel === 0) return a.clone();
    if (dims.length === 0) {
      const flat = a.clone();
      const n = flat.numel;
      const out = NDArray.zeros(a.dtype, a.shape);
      const s = pyMod(shifts[0] as number, n);
      for (let i = 0; i < n; i++) out.storage.data[(i + s) % n] = flat.storage.data[i]!;
      return out;
    }
    const out = NDArray.zeros(a.dtype, a.shape);
    const src = a.storage.data;
    const dst = out.storage.data;
    const shiftOf = new Array<number>(a.ndim).fill(0);
    dims.forEach((d, i) => (shiftOf[d] = pyMod(shiftOf[d]! + (shifts[i] as number), a.shape[d]!)));
    forEachIndex(a.shape, (idx, flat) => {
      let off = a.offset;
      for (let d = 0; d < a.ndim; d++) off += pyMod(idx[d]! - shiftOf[d]!, a.shape[d]!) * a.strides[d]!;
      dst[flat] = src[off]!;
    });
    return out;
  },
  decomp: ([x, shiftsArg, dimsArg], ctx) => {
    const m = ctx.meta(x);
    const { shifts, dims } = rollArgs(m.shape.length, shiftsArg as IntLike[], dimsArg as number[], 'aten.roll.default');
    if (staticallyKnownTrue(symEq(product(m.shape), 0))) return ctx.call('aten.clone.default', [x]);
    const rollOne = (t: unknown, shift: IntLike, dim: number): unknown => {
      const size = ctx.meta(t).shape[dim]!;
      const start = typeof size === 'number' && typeof shift === 'number' ? pyMod(size - shift, size) : symMod(symSub(size, shift), size);
      const idx = ctx.call('aten.arange.start_step', [0, size], { layout: STRIDED_LAYOUT, device: CPU_DEVICE, pin_memory: false });
      const sum = ctx.call('aten.add.Tensor', [idx, start]);
      const fm = ctx.call('aten.fmod.Scalar', [sum, size]);
      return ctx.call('aten.index_select.default', [t, dim, fm]);
    };
    if (dims.length === 0) {
      const flat = reshapeDecomp(ctx, x, [product(m.shape)], 'aten.roll.default');
      const r = rollOne(flat, shifts[0]!, 0);
      return ctx.call('aten.view.default', [r, [...m.shape]]);
    }
    let cur: unknown = x;
    dims.forEach((d, i) => (cur = rollOne(cur, shifts[i]!, d)));
    return cur;
  },
});

// ---------------------------------------------------------------- symbolic sizes

export const sym_size = defineOp({
  schema: 'sym_size.int(Tensor self, int dim) -> SymInt',
  groups: [OpGroup.Core, OpGroup.SymScalar],
  meta: ([x, dim]) => {
    const m = x as TensorMeta;
    return m.shape[wrapDim(dim as number, m.shape.length)]!;
  },
  cpu: ([x, dim]) => {
    const a = x as NDArray;
    return a.shape[wrapDim(dim as number, a.ndim)]!;
  },
});

export const sym_numel = defineOp({
  schema: 'sym_numel(Tensor self) -> SymInt',
  groups: [OpGroup.Core, OpGroup.SymScalar],
  meta: ([x]) => product((x as TensorMeta).shape),
  cpu: ([x]) => (x as NDArray).numel,
});

export const sym_stride = defineOp({
  schema: 'sym_stride.int(Tensor self, int dim) -> SymInt',
  groups: [OpGroup.Core, OpGroup.SymScalar],
  meta: ([x, dim]) => {
    const m = x as TensorMeta;
    return m.strides[wrapDim(dim as number, m.shape.length)]!;
  },
  cpu: ([x, dim]) => {
    const a = x as NDArray;
    return a.strides[wrapDim(dim as number, a.ndim)]!;
  },
});

export const movementOps: OpDef[] = [
  view,
  _unsafe_view,
  reshape,
  view_as,
  permute,
  transpose,
  t,
  swapaxes,
  movedimInt,
  movedimIntlist,
  expand,
  expand_as,
  unsqueeze,
  squeezeDim,
  squeezeDims,
  squeeze,
  alias,
  flatten,
  unflatten,
  slice,
  select,
  narrow,
  split,
  splitWithSizes,
  chunk,
  unbind,
  as_strided,
  contiguous,
  cat,
  stack,
  repeat,
  tile,
  flip,
  roll,
  sym_size,
  sym_numel,
  sym_stride,
];
