// Fast view and copy kernels: the shape/stride arithmetic of torch's views
// (view, reshape, permute, transpose, unsqueeze, squeeze, expand, slice, select,
// split, flatten, unflatten, alias) on concrete sizes, without the symbolic
// machinery the reference kernels carry. Views share storage; copies of f32
// data (contiguous, clone, reshape of non-viewable input) use the buffer pool.
// Arguments a kernel does not understand make it decline.

import { NDArray, Storage, contiguousStrides } from '../../core/ndarray';
import { computeStride } from '../../ops/view-geometry';
import { type FastKernel, type KernelContext, f32 } from './kernel-context';
import { pointwiseWasm } from './wasm-pointwise';

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const intList = (v: unknown): v is number[] => Array.isArray(v) && v.every(isInt);
const wrap = (d: number, n: number): number => (d < 0 ? d + n : d);

/** torch's computeStride on concrete sizes: strides viewing (shape, strides) as newShape, or undefined. */
export function viewStrides(shape: readonly number[], strides: readonly number[], newShape: readonly number[]): number[] | undefined {
  return computeStride(shape, strides, newShape) as number[] | undefined;
}

/** The target shape with a single -1 inferred, or undefined if it does not fit numel. */
function inferShape(size: readonly number[], numel: number): number[] | undefined {
  let infer = -1;
  let known = 1;
  for (let i = 0; i < size.length; i++) {
    if (size[i] === -1) {
      if (infer >= 0) return undefined;
      infer = i;
    } else if (size[i]! < 0) return undefined;
    else known *= size[i]!;
  }
  const out = [...size];
  if (infer >= 0) {
    if (known === 0 || numel % known !== 0) return undefined;
    out[infer] = numel / known;
  } else if (known !== numel) return undefined;
  return out;
}

function view(x: NDArray, size: unknown): NDArray | undefined {
  if (!intList(size)) return undefined;
  const shape = inferShape(size, x.numel);
  if (!shape) return undefined;
  // A contiguous input views as contiguous strides: skip the general (symbolic-aware) stride walk.
  const st = x.isContiguous() ? contiguousStrides(shape) : viewStrides(x.shape, x.strides, shape);
  return st && new NDArray(x.storage, shape, st, x.offset);
}

/** out[0..numel) = x's elements in row-major order, read through its strides (innermost dim as a loop). */
function stridedCopy(x: NDArray, src: Float32Array, out: Float32Array): void {
  const shape = x.shape, strides = x.strides;
  const nd = shape.length;
  const n = shape[nd - 1]!, st = strides[nd - 1]!;
  const rows = n === 0 ? 0 : x.numel / n;
  const idx = new Array<number>(nd).fill(0);
  let off = x.offset;
  let o = 0;
  for (let r = 0; r < rows; r++) {
    if (st === 1) for (let i = 0; i < n; i++) out[o + i] = src[off + i]!;
    else for (let i = 0; i < n; i++) out[o + i] = src[off + i * st]!;
    o += n;
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]!++;
      off += strides[d]!;
      if (idx[d]! < shape[d]!) break;
      off -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

let rowStarts = new Int32Array(64);

/** stridedCopy on the WebAssembly row-gather kernel: rows with unit stride, of ≥ 4 floats, from a compact source range. False when it does not apply. */
function stridedCopySimd(x: NDArray, src: Float32Array, out: Float32Array): boolean {
  const nd = x.ndim;
  const n = x.shape[nd - 1]!;
  if (nd < 2 || x.strides[nd - 1] !== 1 || n < 4 || x.numel < 256) return false;
  let hi = x.offset;
  for (let d = 0; d < nd; d++) {
    if (x.strides[d]! < 0) return false;
    hi += (x.shape[d]! - 1) * x.strides[d]!;
  }
  if (hi - x.offset + 1 > 2 * x.numel) return false;
  const w = pointwiseWasm();
  if (!w) return false;
  const rows = x.numel / n;
  if (rowStarts.length < rows) rowStarts = new Int32Array(rows * 2);
  const idx = new Array<number>(nd - 1).fill(0);
  let off = 0;
  for (let r = 0; r < rows; r++) {
    rowStarts[r] = off;
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]!++;
      off += x.strides[d]!;
      if (idx[d]! < x.shape[d]!) break;
      off -= x.strides[d]! * x.shape[d]!;
      idx[d] = 0;
    }
  }
  w.gatherRows(src, x.offset, hi, rowStarts, rows, n, out, 0);
  return true;
}

/** A contiguous copy (pooled for f32). */
export function contiguousCopy(x: NDArray, ctx: KernelContext): NDArray {
  if (x.dtype !== 'float32') return x.clone();
  const out = ctx.allocF32(x.numel);
  const src = f32(x);
  if (x.isContiguous()) out.set(src.subarray(x.offset, x.offset + x.numel));
  else if (!stridedCopySimd(x, src, out)) stridedCopy(x, src, out);
  return new NDArray(new Storage('float32', out), [...x.shape], contiguousStrides(x.shape));
}

function reshape(x: NDArray, size: unknown, ctx: KernelContext): NDArray | undefined {
  const v = view(x, size);
  if (v) return v;
  if (!intList(size)) return undefined;
  const c = contiguousCopy(x, ctx);
  return view(c, size);
}

function permute(x: NDArray, dims: unknown): NDArray | undefined {
  if (!intList(dims) || dims.length !== x.ndim) return undefined;
  const d = dims.map((i) => wrap(i, x.ndim));
  if (new Set(d).size !== d.length || d.some((i) => i < 0 || i >= x.ndim)) return undefined;
  return new NDArray(x.storage, d.map((i) => x.shape[i]!), d.map((i) => x.strides[i]!), x.offset);
}

function transpose(x: NDArray, a: unknown, b: unknown): NDArray | undefined {
  const n = Math.max(x.ndim, 1);
  if (!isInt(a) || !isInt(b)) return undefined;
  if (x.ndim === 0) return new NDArray(x.storage, [], [], x.offset);
  const d0 = wrap(a, n), d1 = wrap(b, n);
  if (d0 < 0 || d0 >= n || d1 < 0 || d1 >= n) return undefined;
  const shape = [...x.shape], strides = [...x.strides];
  [shape[d0], shape[d1]] = [shape[d1]!, shape[d0]!];
  [strides[d0], strides[d1]] = [strides[d1]!, strides[d0]!];
  return new NDArray(x.storage, shape, strides, x.offset);
}

function unsqueeze(x: NDArray, dim: unknown): NDArray | undefined {
  if (!isInt(dim)) return undefined;
  const d = wrap(dim, x.ndim + 1);
  if (d < 0 || d > x.ndim) return undefined;
  const shape = [...x.shape], strides = [...x.strides];
  shape.splice(d, 0, 1);
  strides.splice(d, 0, d < x.ndim ? x.strides[d]! * x.shape[d]! : 1);
  return new NDArray(x.storage, shape, strides, x.offset);
}

function squeeze(x: NDArray, dims: number[] | undefined): NDArray | undefined {
  const n = x.ndim;
  const drop = new Set<number>();
  if (dims === undefined) x.shape.forEach((s, i) => s === 1 && drop.add(i));
  else
    for (const d0 of dims) {
      const d = wrap(d0, Math.max(n, 1));
      if (d < 0 || d >= Math.max(n, 1)) return undefined;
      if (n > 0 && x.shape[d] === 1) drop.add(d);
    }
  return new NDArray(x.storage, x.shape.filter((_, i) => !drop.has(i)), x.strides.filter((_, i) => !drop.has(i)), x.offset);
}

function expand(x: NDArray, size: unknown): NDArray | undefined {
  if (!intList(size) || size.length < x.ndim) return undefined;
  const lead = size.length - x.ndim;
  const shape: number[] = [], strides: number[] = [];
  for (let i = 0; i < size.length; i++) {
    const j = i - lead;
    const want = size[i]!;
    if (j < 0) {
      if (want < 0) return undefined;
      shape.push(want);
      strides.push(0);
      continue;
    }
    const have = x.shape[j]!;
    if (want === -1 || want === have) {
      shape.push(have);
      strides.push(x.strides[j]!);
    } else if (have === 1 && want >= 0) {
      shape.push(want);
      strides.push(0);
    } else return undefined;
  }
  return new NDArray(x.storage, shape, strides, x.offset);
}

/** Python slice bounds clamped as torch does: [start, len] of the slice. */
function sliceBounds(size: number, start: unknown, end: unknown, step: number): [number, number] | undefined {
  // Ends beyond 2^53 (sys.maxsize) arrive as inexact numbers: they just mean "to the end".
  const num = (v: unknown, dflt: number): number | undefined => (v == null ? dflt : typeof v === 'number' && (Number.isInteger(v) || Math.abs(v) > 2 ** 53) ? v : undefined);
  let s = num(start, 0);
  let e = num(end, size);
  if (s === undefined || e === undefined) return undefined;
  if (s < 0) s += size;
  if (e < 0) e += size;
  s = Math.min(Math.max(s, 0), size);
  e = Math.min(Math.max(e, s), size);
  return [s, Math.floor((e - s + step - 1) / step)];
}

function slice(x: NDArray, dim: unknown, start: unknown, end: unknown, step: unknown): NDArray | undefined {
  if (!isInt(dim) || !isInt(step) || step <= 0 || x.ndim === 0) return undefined;
  const d = wrap(dim, x.ndim);
  if (d < 0 || d >= x.ndim) return undefined;
  const b = sliceBounds(x.shape[d]!, start, end, step);
  if (!b) return undefined;
  const shape = [...x.shape], strides = [...x.strides];
  shape[d] = b[1];
  strides[d] = x.strides[d]! * step;
  return new NDArray(x.storage, shape, strides, x.offset + b[0] * x.strides[d]!);
}

function select(x: NDArray, dim: unknown, index: unknown): NDArray | undefined {
  if (!isInt(dim) || !isInt(index) || x.ndim === 0) return undefined;
  const d = wrap(dim, x.ndim);
  if (d < 0 || d >= x.ndim) return undefined;
  const i = wrap(index, x.shape[d]!);
  if (i < 0 || i >= x.shape[d]!) return undefined;
  return new NDArray(x.storage, x.shape.filter((_, j) => j !== d), x.strides.filter((_, j) => j !== d), x.offset + i * x.strides[d]!);
}

function splitSizes(x: NDArray, sizes: number[], dim: unknown): NDArray[] | undefined {
  if (!isInt(dim) || x.ndim === 0) return undefined;
  const d = wrap(dim, x.ndim);
  if (d < 0 || d >= x.ndim || sizes.reduce((a, b) => a + b, 0) !== x.shape[d]) return undefined;
  const out: NDArray[] = [];
  let at = 0;
  for (const s of sizes) {
    const shape = [...x.shape];
    shape[d] = s;
    out.push(new NDArray(x.storage, shape, [...x.strides], x.offset + at * x.strides[d]!));
    at += s;
  }
  return out;
}

function split(x: NDArray, size: unknown, dim: unknown): NDArray[] | undefined {
  if (!isInt(size) || !isInt(dim) || size <= 0 || x.ndim === 0) return undefined;
  const len = x.shape[wrap(dim, x.ndim)];
  if (len === undefined) return undefined;
  const sizes: number[] = [];
  for (let at = 0; at < len; at += size) sizes.push(Math.min(size, len - at));
  if (len === 0) sizes.push(0);
  return splitSizes(x, sizes, dim);
}

function flatten(x: NDArray, start: unknown, end: unknown, ctx: KernelContext): NDArray | undefined {
  if (!isInt(start) || !isInt(end)) return undefined;
  if (x.ndim === 0) return view(x, [1]);
  const s = wrap(start, x.ndim), e = wrap(end, x.ndim);
  if (s < 0 || e >= x.ndim || s > e) return undefined;
  if (s === e) return x;
  const mid = x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1);
  return reshape(x, [...x.shape.slice(0, s), mid, ...x.shape.slice(e + 1)], ctx);
}

function unflatten(x: NDArray, dim: unknown, sizes: unknown): NDArray | undefined {
  if (!isInt(dim) || !intList(sizes) || x.ndim === 0) return undefined;
  const d = wrap(dim, x.ndim);
  const inner = inferShape(sizes, x.shape[d]!);
  if (!inner) return undefined;
  return view(x, [...x.shape.slice(0, d), ...inner, ...x.shape.slice(d + 1)]);
}

/** embedding(weight, indices, …): rows of an f32 weight gathered by integer indices (row copies). */
function embedding(w: NDArray, idx: unknown, ctx: KernelContext): NDArray | undefined {
  if (w.dtype !== 'float32' || w.ndim !== 2 || !(idx instanceof NDArray) || !(idx.dtype === 'int64' || idx.dtype === 'int32')) return undefined;
  const [V, D] = w.shape as [number, number];
  const ids = idx.toFlat();
  const out = ctx.allocF32(ids.length * D);
  const W = f32(w);
  const [s0, s1] = w.strides as [number, number];
  for (let r = 0; r < ids.length; r++) {
    const i = ids[r]!;
    if (!(i >= 0 && i < V)) return undefined; // the reference kernel raises torch's IndexError
    const base = w.offset + i * s0;
    if (s1 === 1) out.set(W.subarray(base, base + D), r * D);
    else for (let d = 0; d < D; d++) out[r * D + d] = W[base + d * s1]!;
  }
  const shape = [...idx.shape, D];
  return new NDArray(new Storage('float32', out), shape, contiguousStrides(shape));
}

const A = (v: unknown): NDArray | undefined => (v instanceof NDArray ? v : undefined);
const on = (f: (x: NDArray, args: unknown[], ctx: KernelContext) => unknown): FastKernel => (args, ctx) => {
  const x = A(args[0]);
  return x ? f(x, args, ctx) : undefined;
};

export function movementKernels(): Array<[string, FastKernel]> {
  return [
    ['aten.view.default', on((x, a) => view(x, a[1]))],
    ['aten._unsafe_view.default', on((x, a) => view(x, a[1]))],
    ['aten.reshape.default', on((x, a, c) => reshape(x, a[1], c))],
    ['aten.permute.default', on((x, a) => permute(x, a[1]))],
    ['aten.transpose.int', on((x, a) => transpose(x, a[1], a[2]))],
    ['aten.t.default', on((x) => (x.ndim < 2 ? new NDArray(x.storage, [...x.shape], [...x.strides], x.offset) : transpose(x, 0, 1)))],
    ['aten.unsqueeze.default', on((x, a) => unsqueeze(x, a[1]))],
    ['aten.squeeze.dim', on((x, a) => (isInt(a[1]) ? squeeze(x, [a[1]]) : undefined))],
    ['aten.squeeze.dims', on((x, a) => (intList(a[1]) ? squeeze(x, a[1]) : undefined))],
    ['aten.squeeze.default', on((x) => squeeze(x, undefined))],
    ['aten.expand.default', on((x, a) => (a[2] ? undefined : expand(x, a[1])))],
    ['aten.slice.Tensor', on((x, a) => slice(x, a[1], a[2], a[3], a[4]))],
    ['aten.select.int', on((x, a) => select(x, a[1], a[2]))],
    ['aten.split.Tensor', on((x, a) => split(x, a[1], a[2]))],
    ['aten.split_with_sizes.default', on((x, a) => (intList(a[1]) ? splitSizes(x, a[1], a[2]) : undefined))],
    ['aten.flatten.using_ints', on((x, a, c) => flatten(x, a[1], a[2], c))],
    ['aten.unflatten.int', on((x, a) => unflatten(x, a[1], a[2]))],
    ['aten.alias.default', on((x) => new NDArray(x.storage, [...x.shape], [...x.strides], x.offset))],
    ['aten.contiguous.default', on((x, a, c) => (a[1] != null && !isContiguousFormat(a[1]) ? undefined : x.isContiguous() ? x : contiguousCopy(x, c)))],
    ['aten.embedding.default', on((w, a, c) => embedding(w, a[1], c))],
    ['aten.clone.default', on((x, a, c) => (a[1] != null && !isContiguousFormat(a[1]) && !isPreserve(a[1]) ? undefined : cloneLike(x, c)))],
  ];
}

const enumName = (v: unknown): string | undefined => (typeof v === 'string' ? v : v && typeof v === 'object' && 'enum' in v ? String((v as { enum: unknown }).enum) : undefined);
// Memory formats arrive as enums ({enum: 'torch.contiguous_format'}) or as schema defaults (c10 codes: 0 contiguous, 1 preserve).
const isContiguousFormat = (v: unknown): boolean => v === 0 || (enumName(v)?.endsWith('contiguous_format') ?? false);
const isPreserve = (v: unknown): boolean => v === 1 || (enumName(v)?.endsWith('preserve_format') ?? false);

/** clone: contiguous copy (torch preserves dense strides; a contiguous result matches for contiguous inputs). */
function cloneLike(x: NDArray, ctx: KernelContext): NDArray | undefined {
  if (!x.isContiguous()) return undefined;
  return contiguousCopy(x, ctx);
}
