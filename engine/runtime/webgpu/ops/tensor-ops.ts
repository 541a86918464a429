// WebGPU kernels: copies and dtype conversions, factories, materializing
// movement ops (stack, repeat, tile, flip, roll, diff), padding, tril/triu.
//
// Every kernel here is one or a few dispatches of the typed pointwise program
// (ops/elementwise.ts): a copy is the identity expression read through the
// source's strides (negative for flip, 0 for repeat) and written through a
// view of the output; a conversion is the same with another output kind;
// factories and tril/triu read the output coordinate (`coord`).
//
// Placement: float32 work runs on the GPU. Bool/int work runs on the GPU when
// its input already lives there; bool/int factories and chains over host-only
// inputs stay on the host unless `placement.intOnGpu` is set, because their
// consumers (embedding positions, index, cumsum) still read host values and a
// GPU result there would cost a readback. Random factories and native_dropout
// in training draw from the GPU's Philox generator (ops/random.ts).

import { type DType } from '../../../core/dtype';
import { NDArray, contiguousStrides } from '../../../core/ndarray';
import { PyFloat, isPyScalar, scalarIsFloat, scalarToNumber } from '../../../core/scalar';
import { dtypeArg } from '../../../ops/factory';
import { BASE_KERNELS, type GpuCtx, type GpuKernel, broadcastStrides } from '../gpu-kernels';
import { gpuStorage, isGpu } from '../gpu-exec';
import { type Expr, type Kind, dtypeKind, elemOf, fusedElementwiseProgram, fusedElementwiseRun, leafKind, placement } from './elementwise';
import { RANDOM_KERNELS, dropoutKernel } from './random';
import { likeStrides } from './operands';

const I32_MIN = -(2 ** 31), I32_MAX = 2 ** 31 - 1;
const inI32 = (v: number) => Number.isInteger(v) && v >= I32_MIN && v <= I32_MAX;
const isArr = (v: unknown): v is NDArray => v instanceof NDArray;
const ints = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isInteger(x));
const numOf = (v: unknown): number | undefined => (isPyScalar(v) ? scalarToNumber(v) : undefined);
const kindOfGpu = (a: NDArray): Kind => (gpuStorage(a).elemType === 'f32' ? 'f32' : a.dtype === 'bool' ? 'bool' : 'i32');
const sc = (i: number, k: Kind): Expr => ({ t: 'sc', i, k });
const coord = (d: number): Expr => ({ t: 'coord', d });

/** out (on the GPU, any strides) ← expr over `leaves` (broadcast to out's shape). False when a leaf cannot be read. */
function writeExpr(g: GpuCtx, expr: Expr, leaves: readonly NDArray[], scalars: readonly number[], out: NDArray): boolean {
  const kinds = leaves.map(leafKind);
  if (kinds.some((k) => k === undefined)) return false;
  const gl = leaves.map((l, i) => g.gpu(l, elemOf(kinds[i]!)));
  const program = fusedElementwiseProgram(expr, kinds as Kind[], out.ndim, scalars.length, kindOfGpu(out));
  g.exec.dispatch(program, gl, [out], fusedElementwiseRun(out.shape, out.strides, out.offset, gl.map((l) => ({ strides: broadcastStrides(l, out.shape), offset: l.offset })), scalars));
  return true;
}

/** dst ← src (broadcast), converting to dst's kind. */
export function copyTyped(g: GpuCtx, src: NDArray, dst: NDArray): boolean {
  return writeExpr(g, { t: 'in', i: 0 }, [src], [], dst);
}

/** A fresh contiguous GPU tensor of `dtype` (undefined: not a dtype the GPU holds). */
function allocOf(g: GpuCtx, shape: readonly number[], dtype: DType): NDArray | undefined {
  const k = dtypeKind(dtype);
  return k && g.exec.alloc(shape, elemOf(k), dtype);
}

/** `x` converted to `dtype` in a fresh contiguous GPU tensor. */
function castGpu(g: GpuCtx, x: NDArray, dtype: DType): NDArray | undefined {
  const out = allocOf(g, x.shape, dtype);
  if (!out) return undefined;
  if (copyTyped(g, x, out)) return out;
  g.exec.recycle(gpuStorage(out));
  return undefined;
}

/** A contiguous copy of a GPU tensor with its element type kept (bool/int included). */
export function contiguousTyped(g: GpuCtx, x: NDArray): NDArray {
  const out = g.exec.alloc(x.shape, gpuStorage(x).elemType, x.dtype);
  copyTyped(g, x, out);
  return out;
}

/** Bool/int results are made on the GPU when an input is there (or placement says so); float32 always. */
const onGpu = (dtype: DType, inputs: readonly unknown[]): boolean =>
  dtypeKind(dtype) === 'f32' || placement.intOnGpu || inputs.some((a) => isGpu(a) || (Array.isArray(a) && a.some(isGpu)));

/** Materializing ops take GPU tensors, or host float32 ones (uploaded). */
const gpuWorthy = (xs: readonly NDArray[]): boolean => placement.intOnGpu || xs.some(isGpu) || xs.every((x) => x.dtype === 'float32');

/** `x` on the GPU in its own kind (views are then taken over the GPU copy, not uploaded one by one). */
function up(g: GpuCtx, x: NDArray): NDArray | undefined {
  const k = leafKind(x);
  return k && g.gpu(x, elemOf(k));
}

// ---- copies and conversions ----

/** to(…): the tensor itself when nothing changes, else a converted copy. */
function toLike(g: GpuCtx, x: unknown, dtype: unknown, copy: unknown): NDArray | undefined {
  if (!isGpu(x)) return undefined;
  const d = dtypeArg(dtype) ?? x.dtype;
  return d === x.dtype && !copy ? x : castGpu(g, x, d);
}

function dropout(g: GpuCtx, x: unknown, p: unknown, train: unknown): NDArray[] | undefined {
  // Eval or p = 0 only (training is ops/random.ts's).
  if (!isArr(x) || (train !== false && numOf(p) !== 0) || !gpuWorthy([x])) return undefined;
  const y = castGpu(g, x, x.dtype);
  const mask = y && fill(g, x.shape, 'bool', 1, [y]);
  return y && mask && [y, mask];
}

// ---- factories ----

/** A GPU tensor of `shape` filled with `v` (undefined: host dtype, int outside int32, bad sizes). */
function fill(g: GpuCtx, shape: unknown, dtype: DType, v: number, inputs: readonly unknown[] = []): NDArray | undefined {
  if (!ints(shape) || shape.some((s) => s < 0) || !onGpu(dtype, inputs)) return undefined;
  const k = dtypeKind(dtype);
  if (!k || (k !== 'f32' && !inI32(Math.trunc(v)))) return undefined;
  const out = allocOf(g, shape, dtype)!;
  writeExpr(g, sc(0, k === 'f32' ? 'f32' : 'i32'), [], [k === 'f32' ? v : Math.trunc(v)], out);
  return out;
}

const scalarValue = (v: unknown): number | undefined => (typeof v === 'boolean' ? Number(v) : numOf(v));
/** The dtype torch.full infers for a Python scalar. */
const scalarDType = (v: unknown): DType => (typeof v === 'boolean' ? 'bool' : isPyScalar(v) && scalarIsFloat(v) ? 'float32' : 'int64');

function fillFactory(g: GpuCtx, shape: unknown, dtype: unknown, v: unknown, inferred: DType, inputs: readonly unknown[] = []): NDArray | undefined {
  const n = scalarValue(v);
  return n === undefined ? undefined : fill(g, shape, dtypeArg(dtype) ?? inferred, n, inputs);
}


function fillLike(g: GpuCtx, x: unknown, dtype: unknown, v: unknown, fmt: unknown): NDArray | undefined {
  if (!isArr(x)) return undefined;
  const out = fillFactory(g, x.shape, dtype, v, x.dtype, [x]);
  if (!out || (fmt != null && !(typeof fmt === 'object' && 'enum' in fmt && /preserve_format$/.test(String((fmt as { enum: string }).enum))))) return out;
  return out.withView(out.shape, likeStrides(x), 0);
}

function emptyPermuted(g: GpuCtx, size: unknown, layout: unknown, dtype: unknown): NDArray | undefined {
  if (!ints(size) || !ints(layout) || layout.length !== size.length || new Set(layout).size !== layout.length || layout.some((d) => d < 0 || d >= size.length)) return undefined;
  const out = fill(g, size, dtypeArg(dtype) ?? 'float32', 0);
  if (!out) return undefined;
  const strides = new Array<number>(size.length);
  let acc = 1;
  for (let i = layout.length - 1; i >= 0; i--) {
    strides[layout[i]!] = acc;
    acc *= Math.max(size[layout[i]!]!, 1);
  }
  return out.withView(out.shape, strides, 0);
}

/** arange: start + i·step (exact in i32 for integer ranges, f32 otherwise). */
function arange(g: GpuCtx, start: unknown, end: unknown, step: unknown, dtype: unknown): NDArray | undefined {
  const s = scalarValue(start), e = scalarValue(end), st = scalarValue(step);
  if (s === undefined || e === undefined || st === undefined || st === 0 || !Number.isFinite(s) || !Number.isFinite(e)) return undefined;
  if ((st > 0 && e < s) || (st < 0 && e > s)) return undefined;
  const isFloat = [start, end, step].some((a) => typeof a !== 'boolean' && scalarIsFloat(a as number | PyFloat));
  const d = dtypeArg(dtype) ?? (isFloat ? 'float32' : 'int64');
  const n = Math.ceil((e - s) / st);
  const k = dtypeKind(d);
  if (!k || !onGpu(d, [])) return undefined;
  const out = allocOf(g, [n], d)!;
  const exact = [s, st, s + st * n].every(inI32);
  const expr: Expr = exact
    ? { t: 'bin', op: 'add', a: sc(0, 'i32'), b: { t: 'bin', op: 'mul', a: coord(0), b: sc(1, 'i32') } }
    : { t: 'bin', op: 'add', a: sc(0, 'f32'), b: { t: 'bin', op: 'mul', a: { t: 'cast', k: 'f32', a: coord(0) }, b: sc(1, 'f32') } };
  writeExpr(g, expr, [], [s, st], out);
  return out;
}

/** linspace as the CPU computes it: float32 halves from each end. */
function linspace(g: GpuCtx, start: unknown, end: unknown, steps: unknown, dtype: unknown): NDArray | undefined {
  const s = scalarValue(start), e = scalarValue(end);
  const d = dtypeArg(dtype) ?? 'float32';
  if (s === undefined || e === undefined) return undefined;
  if (typeof steps !== 'number' || steps < 2 || !dtypeKind(d) || !onGpu(d, [])) return steps === 1 || steps === 0 ? fill(g, [steps], d, s ?? 0) : undefined;
  const out = allocOf(g, [steps], d)!;
  const i = { t: 'cast', k: 'f32', a: coord(0) } as const;
  const step = (e - s) / (steps - 1);
  const lo: Expr = { t: 'bin', op: 'add', a: { t: 'bin', op: 'mul', a: i, b: sc(2, 'f32') }, b: sc(0, 'f32') };
  const rev: Expr = { t: 'bin', op: 'sub', a: sc(3, 'f32'), b: i };
  const hi: Expr = { t: 'bin', op: 'sub', a: sc(1, 'f32'), b: { t: 'bin', op: 'mul', a: rev, b: sc(2, 'f32') } };
  writeExpr(g, { t: 'where', c: { t: 'typed', op: 'lt', args: [i, sc(4, 'f32')] }, a: lo, b: hi }, [], [s, e, step, steps - 1, steps / 2], out);
  return out;
}

function eye(g: GpuCtx, n: unknown, m: unknown, dtype: unknown): NDArray | undefined {
  const d = dtypeArg(dtype) ?? 'float32';
  if (typeof n !== 'number' || typeof m !== 'number' || n < 0 || m < 0 || !dtypeKind(d) || !onGpu(d, [])) return undefined;
  const out = allocOf(g, [n, m], d)!;
  writeExpr(g, { t: 'typed', op: 'eq', args: [coord(0), coord(1)] }, [], [], out);
  return out;
}

// ---- materializing movement ----

const wrap = (d: number, nd: number): number | undefined => (d >= -nd && d < nd ? (d < 0 ? d + nd : d) : undefined);
/** View of `x` narrowed to [start, start+len) along `d`. */
const narrowed = (x: NDArray, d: number, start: number, len: number): NDArray => {
  const shape = [...x.shape];
  shape[d] = len;
  return x.withView(shape, x.strides, x.offset + start * x.strides[d]!);
};

function stack(g: GpuCtx, xs: unknown, dim: unknown): NDArray | undefined {
  if (!Array.isArray(xs) || !xs.length || !xs.every(isArr) || typeof dim !== 'number') return undefined;
  const ts = xs as NDArray[];
  const [first] = ts as [NDArray];
  if (!ts.every((x) => x.dtype === first.dtype && x.ndim === first.ndim && x.shape.every((s, i) => s === first.shape[i])) || !gpuWorthy(ts)) return undefined;
  const d = wrap(dim, first.ndim + 1);
  if (d === undefined) return undefined;
  const out = allocOf(g, [...first.shape.slice(0, d), ts.length, ...first.shape.slice(d)], first.dtype);
  if (!out) return undefined;
  const st = out.strides.filter((_, i) => i !== d);
  for (let i = 0; i < ts.length; i++) if (!copyTyped(g, ts[i]!, out.withView(first.shape, st, i * out.strides[d]!))) return undefined;
  return out;
}

/** repeat: the output viewed as (r₀, s₀, r₁, s₁, …) receives x read with stride 0 along every r. */
function repeat(g: GpuCtx, xa: unknown, reps: unknown): NDArray | undefined {
  if (!isArr(xa) || !ints(reps) || reps.length < xa.ndim || reps.some((r) => r < 0) || !gpuWorthy([xa])) return undefined;
  const x = up(g, xa);
  if (!x) return undefined;
  const lead = reps.length - x.ndim;
  const xs = [...new Array<number>(lead).fill(1), ...x.shape];
  const xst = [...new Array<number>(lead).fill(0), ...x.strides];
  const out = allocOf(g, xs.map((s, i) => s * reps[i]!), xa.dtype);
  if (!out) return undefined;
  const shape2 = xs.flatMap((s, i) => [reps[i]!, s]);
  const dst = out.withView(shape2, xs.flatMap((s, i) => [s * out.strides[i]!, out.strides[i]!]), 0);
  const src = x.withView(shape2, xst.flatMap((s) => [0, s]), x.offset);
  return copyTyped(g, src, dst) ? out : undefined;
}

function tile(g: GpuCtx, x: unknown, dims: unknown): NDArray | undefined {
  if (!isArr(x) || !ints(dims)) return undefined;
  return repeat(g, x, dims.length < x.ndim ? [...new Array<number>(x.ndim - dims.length).fill(1), ...dims] : dims);
}

/** flip: x read through negated strides from its far end. */
function flip(g: GpuCtx, xa: unknown, dims: unknown): NDArray | undefined {
  if (!isArr(xa) || !ints(dims) || !gpuWorthy([xa])) return undefined;
  const x = up(g, xa);
  if (!x) return undefined;
  const ds = dims.map((d) => wrap(d, Math.max(x.ndim, 1)));
  if (ds.some((d) => d === undefined) || new Set(ds).size !== ds.length) return undefined;
  const strides = [...x.strides];
  let offset = x.offset;
  for (const d of ds as number[]) {
    if (x.ndim === 0) continue;
    offset += (x.shape[d]! - 1) * strides[d]!;
    strides[d] = -strides[d]!;
  }
  const out = allocOf(g, x.shape, xa.dtype);
  return out && (x.numel === 0 || copyTyped(g, x.withView(x.shape, strides, offset), out)) ? out : undefined;
}

/** roll: for each combination of low/high parts of the rolled dims, one slab copy. */
function roll(g: GpuCtx, xa: unknown, shifts: unknown, dims: unknown, dtype?: DType): NDArray | undefined {
  if (!isArr(xa) || !ints(shifts) || !ints(dims) || !gpuWorthy([xa])) return undefined;
  const d0 = dtype ?? xa.dtype;
  const x = up(g, xa);
  if (!x) return undefined;
  if (dims.length === 0) {
    if (shifts.length !== 1) return undefined;
    const flat = x.isContiguous() ? x : contiguousTyped(g, x);
    const r = roll(g, flat.withView([x.numel], [1], flat.offset), shifts, [0], d0);
    if (flat !== x) g.exec.recycle(gpuStorage(flat));
    return r?.withView(x.shape, contiguousStrides(x.shape), 0);
  }
  if (shifts.length !== dims.length) return undefined;
  const ds = dims.map((d) => wrap(d, x.ndim));
  if (ds.some((d) => d === undefined)) return undefined;
  const out = allocOf(g, x.shape, d0);
  if (!out) return undefined;
  if (x.numel === 0) return out;
  for (let mask = 0; mask < 1 << ds.length; mask++) {
    let src = x, dst = out, empty = false;
    ds.forEach((d, k) => {
      const n = x.shape[d!]!;
      const s = ((shifts[k]! % n) + n) % n;
      // high part: dst[s:] ← src[:n-s]; low part: dst[:s] ← src[n-s:]
      const high = (mask >> k) & 1;
      const len = high ? n - s : s;
      if (len === 0) empty = true;
      src = narrowed(src, d!, high ? 0 : n - s, len);
      dst = narrowed(dst, d!, high ? s : 0, len);
    });
    if (!empty && !copyTyped(g, src, dst)) return undefined;
  }
  return out;
}

/** diff: n passes of x[1:] − x[:-1] (logical xor for bool) along dim, after prepend/append. */
function diff(g: GpuCtx, args: unknown[]): NDArray | undefined {
  const [x, n, dimArg, pre, app] = args;
  if (!isArr(x) || typeof n !== 'number' || n < 0 || typeof dimArg !== 'number' || x.ndim === 0) return undefined;
  const parts = [pre, x, app].filter((t): t is NDArray => isArr(t));
  if ((pre != null && !isArr(pre)) || (app != null && !isArr(app)) || !parts.every((p) => p.dtype === x.dtype && p.ndim === x.ndim) || !gpuWorthy(parts)) return undefined;
  const dim = wrap(dimArg, x.ndim)!;
  if (dim === undefined || !parts.every((p) => p.shape.every((s, i) => i === dim || s === x.shape[i]))) return undefined;
  const temps: NDArray[] = [];
  let cur = up(g, x);
  if (!cur) return undefined;
  if (parts.length > 1) {
    const shape = [...x.shape];
    shape[dim] = parts.reduce((a, p) => a + p.shape[dim]!, 0);
    cur = allocOf(g, shape, x.dtype)!;
    temps.push(cur);
    let at = 0;
    for (const p of parts) {
      if (!copyTyped(g, p, narrowed(cur, dim, at, p.shape[dim]!))) return undefined;
      at += p.shape[dim]!;
    }
  }
  const bool = x.dtype === 'bool';
  for (let i = 0; i < n && cur.shape[dim]! > 0; i++) {
    const len = cur.shape[dim]!;
    const shape = [...cur.shape];
    shape[dim] = len - 1;
    const out = allocOf(g, shape, x.dtype);
    if (!out) return undefined;
    const expr: Expr = bool ? { t: 'typed', op: 'ne', args: [{ t: 'in', i: 0 }, { t: 'in', i: 1 }] } : { t: 'bin', op: 'sub', a: { t: 'in', i: 0 }, b: { t: 'in', i: 1 } };
    if (!writeExpr(g, expr, [narrowed(cur, dim, 1, len - 1), narrowed(cur, dim, 0, len - 1)], [], out)) return undefined;
    cur = out;
    temps.push(out);
  }
  // No pass ran (n = 0 or an empty dim): the result is a copy of the (concatenated) input.
  const result = temps.at(-1) === cur && (parts.length === 1 || temps.length > 1) ? cur : castGpu(g, cur, x.dtype);
  for (const t of temps) if (t !== result) g.exec.recycle(gpuStorage(t));
  return result;
}

/** tril / triu: x where (col − row ≤ k) / (col − row ≥ k), else 0. */
function triangle(g: GpuCtx, x: unknown, k: unknown, lower: boolean): NDArray | undefined {
  const diag = k ?? 0;
  if (!isArr(x) || x.ndim < 2 || typeof diag !== 'number' || !inI32(diag) || !gpuWorthy([x])) return undefined;
  const out = allocOf(g, x.shape, x.dtype);
  if (!out) return undefined;
  const nd = x.ndim;
  const delta: Expr = { t: 'bin', op: 'sub', a: coord(nd - 1), b: coord(nd - 2) };
  const c: Expr = { t: 'typed', op: lower ? 'le' : 'ge', args: [delta, sc(0, 'i32')] };
  return writeExpr(g, { t: 'where', c, a: { t: 'in', i: 0 }, b: sc(1, 'bool') }, [x], [diag, 0], out) ? out : undefined;
}

/** constant_pad_nd: fill with the value, then copy the (cropped) input into the interior. */
function constantPad(g: GpuCtx, xa: unknown, pad: unknown, value: unknown): NDArray | undefined {
  if (!isArr(xa) || !ints(pad) || pad.length % 2 !== 0 || pad.length / 2 > xa.ndim || !gpuWorthy([xa])) return undefined;
  const x = up(g, xa);
  if (!x) return undefined;
  const v = value == null ? 0 : scalarValue(value);
  if (v === undefined) return undefined;
  const shape = [...x.shape];
  let src = x;
  const at: number[] = new Array<number>(x.ndim).fill(0);
  for (let j = 0; j < pad.length / 2; j++) {
    const d = x.ndim - 1 - j;
    const l = pad[2 * j]!, r = pad[2 * j + 1]!;
    shape[d] = x.shape[d]! + l + r;
    if (shape[d]! < 0) return undefined;
    const len = Math.max(0, x.shape[d]! - Math.max(-l, 0) - Math.max(-r, 0));
    src = narrowed(src, d, Math.max(-l, 0), len);
    at[d] = Math.max(l, 0);
  }
  const out = fill(g, shape, xa.dtype, v, [x]);
  if (!out || src.numel === 0) return out;
  const dst = out.withView(src.shape, out.strides, at.reduce((a, p, d) => a + p * out.strides[d]!, 0));
  return copyTyped(g, src, dst) ? out : undefined;
}

/** as_strided over GPU storage: torch's bounds check against the buffer's elements, then a view. */
function asStrided(x: unknown, size: unknown, stride: unknown, offset: unknown): NDArray | undefined {
  if (!isGpu(x) || !ints(size) || !ints(stride) || size.length !== stride.length || (offset != null && typeof offset !== 'number')) return undefined;
  const off = (offset as number | null) ?? x.offset;
  if (!size.includes(0)) {
    const last = size.reduce((a, s, i) => a + (s - 1) * stride[i]!, off);
    if (last >= gpuStorage(x).elems || off < 0) return undefined; // the host kernel raises torch's error
  }
  return x.withView(size, stride, off);
}

// The base kernels that copy through float32 programs, made safe for bool/int
// GPU tensors: reshapes densify them with their own element type first (the
// base kernel then only views), cat of non-float tensors runs typed copies.
const BASE = new Map(BASE_KERNELS);
const isIntGpu = (x: unknown): x is NDArray => isGpu(x) && gpuStorage(x).elemType === 'i32';
const typedReshape = (name: string): readonly [string, GpuKernel] => [
  name,
  (args, g) => {
    const [x, ...rest] = args;
    return BASE.get(name)!(isIntGpu(x) && !x.isContiguous() ? [contiguousTyped(g, x), ...rest] : args, g);
  },
];

function cat(g: GpuCtx, xs: unknown, dim: unknown): NDArray | undefined {
  if (!Array.isArray(xs) || typeof dim !== 'number' || !xs.every(isArr) || !xs.some(isIntGpu)) return BASE.get('aten.cat.default')!([xs, dim], g) as NDArray | undefined;
  const parts = (xs as NDArray[]).filter((x) => !(x.ndim === 1 && x.shape[0] === 0));
  const [first] = parts as [NDArray];
  if (!first || !parts.every((x) => x.dtype === first.dtype && x.ndim === first.ndim)) return undefined;
  const d = wrap(dim, first.ndim);
  if (d === undefined || !parts.every((x) => x.shape.every((s, i) => i === d || s === first.shape[i]))) return undefined;
  const shape = [...first.shape];
  shape[d] = parts.reduce((a, x) => a + x.shape[d]!, 0);
  const out = allocOf(g, shape, first.dtype);
  if (!out) return undefined;
  let at = 0;
  for (const x of parts) {
    if (!copyTyped(g, x, narrowed(out, d, at, x.shape[d]!))) return undefined;
    at += x.shape[d]!;
  }
  return out;
}

/** The attention kernel reads its mask as f32: a bool/int GPU mask is converted (0/1 as f32, dtype kept). */
const attention: GpuKernel = (args, g) => {
  const mask = args[3];
  if (!isIntGpu(mask)) return BASE.get('aten.scaled_dot_product_attention.default')!(args, g);
  const m = g.exec.alloc(mask.shape, 'f32', mask.dtype);
  copyTyped(g, mask, m);
  return BASE.get('aten.scaled_dot_product_attention.default')!([...args.slice(0, 3), m, ...args.slice(4)], g);
};

export const TENSOR_KERNELS: ReadonlyArray<readonly [string, GpuKernel]> = [
  ['aten.cat.default', ([xs, dim], g) => cat(g, xs, dim ?? 0)],
  ['aten.scaled_dot_product_attention.default', attention],
  typedReshape('aten.reshape.default'),
  typedReshape('aten._unsafe_view.default'),
  typedReshape('aten.flatten.using_ints'),
  // Copies and conversions. clone/contiguous/to.dtype(_layout) replace the base
  // float-only versions so that bool/int GPU tensors keep their element type.
  ['aten._to_copy.default', ([x, dtype], g) => (isGpu(x) ? castGpu(g, x, dtypeArg(dtype) ?? x.dtype) : undefined)],
  ['aten.to.device', ([x, , dtype, , copy], g) => toLike(g, x, dtype, copy)],
  ['aten.to.dtype', ([x, dtype, , copy], g) => toLike(g, x, dtype, copy)],
  ['aten.to.dtype_layout', ([x, dtype, , , , , copy], g) => toLike(g, x, dtype, copy)],
  ['aten.type_as.default', ([x, other], g) => (isGpu(x) && isArr(other) ? (other.dtype === x.dtype ? x : castGpu(g, x, other.dtype)) : undefined)],
  ['aten.lift_fresh_copy.default', ([x], g) => (isGpu(x) ? contiguousTyped(g, x) : undefined)],
  ['aten.clone.default', ([x], g) => (isGpu(x) ? contiguousTyped(g, x) : undefined)],
  ['aten.contiguous.default', ([x], g) => (isGpu(x) ? (x.isContiguous() ? x : contiguousTyped(g, x)) : undefined)],
  [
    'aten.copy.default',
    ([self, src], g) => {
      if (!isArr(self) || !isArr(src) || !(isGpu(self) || isGpu(src))) return undefined;
      const out = allocOf(g, self.shape, self.dtype);
      return out && copyTyped(g, src, out) ? out : undefined;
    },
  ],
  // In place into GPU storage; a host self is written on the host.
  ['aten.copy_.default', ([self, src], g) => (isGpu(self) && isArr(src) && dtypeKind(self.dtype) && copyTyped(g, src, self) ? self : undefined)],
  // Training (0 < p ≤ 1) samples on the GPU (ops/random.ts); eval and p = 0 copy.
  ['aten.native_dropout.default', dropoutKernel(([x, p, train], g) => dropout(g, x, p, train))],
  ...RANDOM_KERNELS,
  // Factories.
  ['aten.zeros.default', ([size, dtype], g) => fill(g, size, dtypeArg(dtype) ?? 'float32', 0)],
  ['aten.ones.default', ([size, dtype], g) => fill(g, size, dtypeArg(dtype) ?? 'float32', 1)],
  ['aten.full.default', ([size, v, dtype], g) => fillFactory(g, size, dtype, v, scalarDType(v))],
  ['aten.empty.memory_format', ([size, dtype], g) => fill(g, size, dtypeArg(dtype) ?? 'float32', 0)],
  ['aten.empty_permuted.default', ([size, layout, dtype], g) => emptyPermuted(g, size, layout, dtype)],
  ['aten.scalar_tensor.default', ([s, dtype], g) => fillFactory(g, [], dtype, s, 'float32')],
  ['aten.arange.default', ([e, dtype], g) => arange(g, 0, e, 1, dtype)],
  ['aten.arange.start', ([s, e, dtype], g) => arange(g, s, e, 1, dtype)],
  ['aten.arange.start_step', ([s, e, st, dtype], g) => arange(g, s, e, st, dtype)],
  ['aten.zeros_like.default', ([x, dtype, , , , mf], g) => fillLike(g, x, dtype, 0, mf)],
  ['aten.ones_like.default', ([x, dtype, , , , mf], g) => fillLike(g, x, dtype, 1, mf)],
  ['aten.empty_like.default', ([x, dtype, , , , mf], g) => fillLike(g, x, dtype, 0, mf)],
  ['aten.full_like.default', ([x, v, dtype, , , , mf], g) => fillLike(g, x, dtype, v, mf)],
  ['aten.new_zeros.default', ([x, size, dtype], g) => isArr(x) && fillFactory(g, size, dtype, 0, x.dtype, [x])],
  ['aten.new_ones.default', ([x, size, dtype], g) => isArr(x) && fillFactory(g, size, dtype, 1, x.dtype, [x])],
  ['aten.new_empty.default', ([x, size, dtype], g) => isArr(x) && fillFactory(g, size, dtype, 0, x.dtype, [x])],
  ['aten.new_full.default', ([x, size, v, dtype], g) => isArr(x) && fillFactory(g, size, dtype, v, x.dtype, [x])],
  ['aten.linspace.default', ([s, e, n, dtype], g) => linspace(g, s, e, n, dtype)],
  ['aten.eye.default', ([n, dtype], g) => eye(g, n, n, dtype)],
  ['aten.eye.m', ([n, m, dtype], g) => eye(g, n, m, dtype)],
  // Materializing movement, padding, triangles.
  ['aten.stack.default', ([xs, dim], g) => stack(g, xs, dim ?? 0)],
  ['aten.repeat.default', ([x, reps], g) => repeat(g, x, reps)],
  ['aten.tile.default', ([x, dims], g) => tile(g, x, dims)],
  ['aten.flip.default', ([x, dims], g) => flip(g, x, dims)],
  ['aten.roll.default', ([x, shifts, dims], g) => roll(g, x, shifts, dims ?? [])],
  ['aten.diff.default', (args, g) => diff(g, args)],
  ['aten.tril.default', ([x, k], g) => triangle(g, x, k, true)],
  ['aten.triu.default', ([x, k], g) => triangle(g, x, k, false)],
  ['aten.constant_pad_nd.default', ([x, pad, v], g) => constantPad(g, x, pad, v)],
  ['aten.pad.default', ([x, pad, mode, v], g) => ((mode ?? 'constant') === 'constant' ? constantPad(g, x, pad, v) : undefined)],
  ['aten.as_strided.default', ([x, size, stride, offset]) => asStrided(x, size, stride, offset)],
];
