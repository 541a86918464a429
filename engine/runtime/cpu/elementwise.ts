// Fast f32 elementwise kernels: unary activations and binary arithmetic with
// broadcasting. The op is chosen once per call (a switch outside the loops, one
// tight loop per op, no per-element closures); broadcasting coalesces dimensions
// and walks all but the innermost with an odometer. Outputs take the layout
// torch's TensorIterator would give them (see Note [Output layout of pointwise ops]).
// Anything not f32 (ints, bools, mixed dtypes) declines to the reference kernels.

import { NDArray, Storage, contiguousStrides } from '../../core/ndarray';
import { erf as erf_ } from '../../ops/cpu-elementwise';
import { sortDims } from '../../ops/view-geometry';

const erf: (x: number) => number = erf_;
import { type FastKernel, type KernelContext, f32, isF32, scalarArg } from './kernel-context';
import { fexp, ftanh, geluTanhLoop } from './fast-math';
import { type SimdBinary, pointwiseWasm } from './wasm-pointwise';
import { contiguousCopy } from './movement';

export type UnaryKind =
  | 'relu' | 'hardswish' | 'hardsigmoid' | 'sigmoid' | 'tanh' | 'silu' | 'gelu' | 'gelu_tanh'
  | 'neg' | 'exp' | 'sqrt' | 'rsqrt' | 'abs' | 'sin' | 'cos' | 'clamp';

/** out[o..o+n) = f(x[i..i+n)) for one unary kind; lo/hi are clamp bounds. */
export function unaryLoop(kind: UnaryKind, x: Float32Array, xi: number, out: Float32Array, oi: number, n: number, lo = -Infinity, hi = Infinity): void {
  switch (kind) {
    case 'relu':
      for (let i = 0; i < n; i++) {
        const v = x[xi + i]!;
        out[oi + i] = v > 0 || v !== v ? v : 0;
      }
      return;
    case 'hardswish':
      for (let i = 0; i < n; i++) {
        const v = x[xi + i]!;
        out[oi + i] = v <= -3 ? 0 : v >= 3 ? v : (v * (v + 3)) / 6;
      }
      return;
    case 'hardsigmoid':
      for (let i = 0; i < n; i++) {
        const v = x[xi + i]!;
        out[oi + i] = v <= -3 ? 0 : v >= 3 ? 1 : (v + 3) / 6;
      }
      return;
    case 'sigmoid':
      // fast-math.ts: several times faster than Math.exp / Math.tanh in V8, exact to f32.
      for (let i = 0; i < n; i++) out[oi + i] = 1 / (1 + fexp(-x[xi + i]!));
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) out[oi + i] = ftanh(x[xi + i]!);
      return;
    case 'silu':
      for (let i = 0; i < n; i++) {
        const v = x[xi + i]!;
        out[oi + i] = v / (1 + fexp(-v));
      }
      return;
    case 'gelu':
      for (let i = 0; i < n; i++) {
        const v = x[xi + i]!;
        out[oi + i] = 0.5 * v * (1 + erf(v * Math.SQRT1_2));
      }
      return;
    case 'gelu_tanh':
      geluTanhLoop(x, xi, out, oi, n);
      return;
    case 'neg':
      for (let i = 0; i < n; i++) out[oi + i] = -x[xi + i]!;
      return;
    case 'exp':
      for (let i = 0; i < n; i++) out[oi + i] = Math.exp(x[xi + i]!);
      return;
    case 'sqrt':
      for (let i = 0; i < n; i++) out[oi + i] = Math.sqrt(x[xi + i]!);
      return;
    case 'rsqrt':
      for (let i = 0; i < n; i++) out[oi + i] = 1 / Math.sqrt(x[xi + i]!);
      return;
    case 'abs':
      for (let i = 0; i < n; i++) out[oi + i] = Math.abs(x[xi + i]!);
      return;
    case 'sin':
      for (let i = 0; i < n; i++) out[oi + i] = Math.sin(x[xi + i]!);
      return;
    case 'cos':
      for (let i = 0; i < n; i++) out[oi + i] = Math.cos(x[xi + i]!);
      return;
    case 'clamp':
      // torch.clamp: NaN propagates; min applied before max (min > max gives max).
      for (let i = 0; i < n; i++) {
        const v = x[xi + i]!;
        out[oi + i] = v !== v ? v : Math.min(Math.max(v, lo), hi);
      }
      return;
  }
}

/**
 * A unary kernel over f32 input. `inplace` writes into self. Non-contiguous
 * inputs are read through their strides into a contiguous output.
 */
export function unaryKernel(kind: UnaryKind, inplace: boolean, bounds?: (args: unknown[]) => [number, number] | undefined): FastKernel {
  return (args, ctx) => {
    const x = args[0];
    if (!isF32(x)) return undefined;
    let lo = -Infinity;
    let hi = Infinity;
    if (bounds) {
      const b = bounds(args);
      if (!b) return undefined;
      [lo, hi] = b;
    }
    if (inplace) {
      if (!x.isContiguous()) return undefined;
      unaryLoop(kind, f32(x), x.offset, f32(x), x.offset, x.numel, lo, hi);
      return x;
    }
    const src = x.isContiguous() ? x : x.contiguous();
    const out = ctx.allocF32(src.numel);
    unaryLoop(kind, f32(src), src.offset, out, 0, src.numel, lo, hi);
    return new NDArray(new Storage('float32', out), [...src.shape], [...src.strides]);
  };
}

/**
 * Same-shape operands, one contiguous and one strided (e.g. a residual add of a
 * transposed projection), into a contiguous output: the strided one is gathered
 * by rows (movement.ts), then the SIMD kernel. Undefined when that does not apply.
 */
function simdStrided(kind: SimdBinary, a: NDArray, b: NDArray, strides: readonly number[], ctx: KernelContext): NDArray | undefined {
  const cs = contiguousStrides(a.shape);
  if (!strides.every((s, i) => s === cs[i] || a.shape[i] === 1)) return undefined;
  const w = pointwiseWasm();
  if (!w || (!a.isContiguous() && !b.isContiguous())) return undefined;
  const ga = a.isContiguous() ? a : contiguousCopy(a, ctx);
  const gb = b.isContiguous() ? b : contiguousCopy(b, ctx);
  const out = ctx.allocF32(a.numel);
  w.binary(kind, f32(ga), ga.offset, f32(gb), gb.offset, out, 0, a.numel);
  if (ga !== a) ctx.recycleF32?.(f32(ga));
  if (gb !== b) ctx.recycleF32?.(f32(gb));
  return new NDArray(new Storage('float32', out), [...a.shape], cs);
}

/** Elements from which same-shape + − × ÷ run on the WebAssembly SIMD kernel (copies in and out included, it wins from here). */
const SIMD_MIN = 256;
const isSimdBinary = (k: BinaryKind): boolean => k === 'add' || k === 'sub' || k === 'mul' || k === 'div';

export type BinaryKind = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum';

/** out[o + i] = a[ai + i*sa] ∘ b[bi + i*sb] for i < n. */
function binaryLoop(kind: BinaryKind, a: Float32Array, ai: number, sa: number, b: Float32Array, bi: number, sb: number, out: Float32Array, oi: number, n: number): void {
  if (sa === 1 && sb === 1) {
    switch (kind) {
      case 'add':
        for (let i = 0; i < n; i++) out[oi + i] = a[ai + i]! + b[bi + i]!;
        return;
      case 'sub':
        for (let i = 0; i < n; i++) out[oi + i] = a[ai + i]! - b[bi + i]!;
        return;
      case 'mul':
        for (let i = 0; i < n; i++) out[oi + i] = a[ai + i]! * b[bi + i]!;
        return;
      case 'div':
        for (let i = 0; i < n; i++) out[oi + i] = a[ai + i]! / b[bi + i]!;
        return;
    }
  }
  if (sa === 1 && sb === 0) {
    const y = b[bi]!;
    switch (kind) {
      case 'add':
        for (let i = 0; i < n; i++) out[oi + i] = a[ai + i]! + y;
        return;
      case 'sub':
        for (let i = 0; i < n; i++) out[oi + i] = a[ai + i]! - y;
        return;
      case 'mul':
        for (let i = 0; i < n; i++) out[oi + i] = a[ai + i]! * y;
        return;
      case 'div':
        for (let i = 0; i < n; i++) out[oi + i] = a[ai + i]! / y;
        return;
    }
  }
  switch (kind) {
    case 'add':
      for (let i = 0; i < n; i++) out[oi + i] = a[ai + i * sa]! + b[bi + i * sb]!;
      return;
    case 'sub':
      for (let i = 0; i < n; i++) out[oi + i] = a[ai + i * sa]! - b[bi + i * sb]!;
      return;
    case 'mul':
      for (let i = 0; i < n; i++) out[oi + i] = a[ai + i * sa]! * b[bi + i * sb]!;
      return;
    case 'div':
      for (let i = 0; i < n; i++) out[oi + i] = a[ai + i * sa]! / b[bi + i * sb]!;
      return;
    case 'pow':
      for (let i = 0; i < n; i++) out[oi + i] = powF(a[ai + i * sa]!, b[bi + i * sb]!);
      return;
    case 'maximum':
      for (let i = 0; i < n; i++) {
        const x = a[ai + i * sa]!;
        const y = b[bi + i * sb]!;
        out[oi + i] = x !== x || y !== y ? NaN : Math.max(x, y);
      }
      return;
    case 'minimum':
      for (let i = 0; i < n; i++) {
        const x = a[ai + i * sa]!;
        const y = b[bi + i * sb]!;
        out[oi + i] = x !== x || y !== y ? NaN : Math.min(x, y);
      }
      return;
  }
}

/** pow with the exponents torch special-cases computed exactly (x², x³, √x). */
function powF(x: number, e: number): number {
  if (e === 2) return x * x;
  if (e === 3) return x * x * x;
  if (e === 0.5) return Math.sqrt(x);
  return Math.pow(x, e);
}

const SCALAR_STRIDES: readonly number[] = [];

/** A Python scalar as a 0-d f32 operand (the value rounded to f32, as torch's wrapped number is for f32 math). */
function scalarOperand(v: number): NDArray {
  return new NDArray(new Storage('float32', Float32Array.of(v)), [], SCALAR_STRIDES);
}

/**
 * Note [Output layout of pointwise ops]
 * TensorIterator gives the output the memory order of its inputs: dimensions are
 * sorted by the first operand's strides (later operands break ties; broadcast
 * dimensions never decide), and the output is dense in that order. Contiguous
 * inputs give a contiguous output; a transposed input gives a transposed output,
 * which later `view`s in exported graphs rely on.
 */
export function pointwiseOutputStrides(shape: readonly number[], operandStrides: ReadonlyArray<readonly number[]>): number[] {
  const nd = shape.length;
  const perm: number[] = [];
  for (let d = nd - 1; d >= 0; d--) perm.push(d); // perm[0] is innermost
  const cmp = (d0: number, d1: number): number => {
    for (const st of operandStrides) {
      const s0 = st[d0]!;
      const s1 = st[d1]!;
      if (s0 === 0 || s1 === 0 || shape[d0] === 1 || shape[d1] === 1) continue;
      if (s0 < s1) return -1;
      if (s0 > s1) return 1;
    }
    return 0;
  };
  sortDims(perm, cmp);
  const strides = new Array<number>(nd);
  let acc = 1;
  for (const d of perm) {
    strides[d] = acc;
    acc *= Math.max(shape[d]!, 1);
  }
  return strides;
}

/** The broadcast of two shapes (torch's rules), or undefined when they do not broadcast. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] | undefined {
  const nd = Math.max(a.length, b.length);
  const out = new Array<number>(nd);
  for (let i = 0; i < nd; i++) {
    const x = a[a.length - nd + i] ?? 1;
    const y = b[b.length - nd + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    out[i] = x === 1 ? y : x;
  }
  return out;
}

/** The broadcast shape of all `shapes` (torch's rules), or undefined when they do not broadcast. */
export function broadcastShapes(shapes: ReadonlyArray<readonly number[]>): number[] | undefined {
  let out: number[] | undefined = [];
  for (const s of shapes) if (!(out = broadcastShape(out, s))) return undefined;
  return out;
}

function expandStrides(x: NDArray, shape: readonly number[]): number[] {
  const nd = shape.length;
  const st = new Array<number>(nd);
  for (let i = 0; i < nd; i++) {
    const j = i - (nd - x.ndim);
    st[i] = j < 0 || (x.shape[j] === 1 && shape[i] !== 1) ? 0 : x.strides[j]!;
  }
  return st;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * out = a ∘ b (after `b *= alpha` for add/sub) over f32 operands with
 * broadcasting, into `into` (in-place ops) or a fresh pooled array.
 */
export function binaryF32(kind: BinaryKind, a: NDArray, b: NDArray, ctx: KernelContext, into?: NDArray): NDArray | undefined {
  const shape = broadcastShape(a.shape, b.shape);
  if (!shape) return undefined;
  const n = shape.reduce((x, y) => x * y, 1);
  const A = f32(a);
  const B = f32(b);
  // Fast paths: both contiguous with equal shapes, or one side a single element.
  if (!into && a.isContiguous() && b.isContiguous()) {
    if (sameShape(a.shape, b.shape)) {
      const out = ctx.allocF32(n);
      const w = n >= SIMD_MIN && isSimdBinary(kind) ? pointwiseWasm() : null;
      if (w) w.binary(kind as SimdBinary, A, a.offset, B, b.offset, out, 0, n);
      else binaryLoop(kind, A, a.offset, 1, B, b.offset, 1, out, 0, n);
      return new NDArray(new Storage('float32', out), shape, [...a.strides]);
    }
    if (b.numel === 1 && sameShape(a.shape, shape)) {
      const out = ctx.allocF32(n);
      binaryLoop(kind, A, a.offset, 1, B, b.offset, 0, out, 0, n);
      return new NDArray(new Storage('float32', out), shape, [...a.strides]);
    }
    if (a.numel === 1 && sameShape(b.shape, shape)) {
      const out = ctx.allocF32(n);
      binaryLoop(kind, A, a.offset, 0, B, b.offset, 1, out, 0, n);
      return new NDArray(new Storage('float32', out), shape, [...b.strides]);
    }
  }
  const sa = expandStrides(a, shape);
  const sb = expandStrides(b, shape);
  let result: NDArray;
  if (into) {
    if (!sameShape(into.shape, shape)) return undefined;
    result = into;
  } else {
    const strides = pointwiseOutputStrides(shape, [sa, sb]);
    const simd = sameShape(a.shape, b.shape) && n >= SIMD_MIN && isSimdBinary(kind) ? simdStrided(kind as SimdBinary, a, b, strides, ctx) : undefined;
    if (simd) return simd;
    result = new NDArray(new Storage('float32', ctx.allocF32(n)), shape, strides);
  }
  walk(kind, shape, A, a.offset, sa, B, b.offset, sb, f32(result), result.offset, [...result.strides]);
  return result;
}

/** The broadcast walk: coalesce dims, then an odometer over all but the innermost. */
function walk(kind: BinaryKind, shape: readonly number[], A: Float32Array, ao: number, sa: number[], B: Float32Array, bo: number, sb: number[], O: Float32Array, oo: number, so: number[]): void {
  // Drop size-1 dims and merge neighbours that stay linear for all three operands.
  const dims: Array<[number, number, number, number]> = [];
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const cur: [number, number, number, number] = [shape[d]!, sa[d]!, sb[d]!, so[d]!];
    const prev = dims.at(-1);
    if (prev && prev[1] === cur[0] * cur[1] && prev[2] === cur[0] * cur[2] && prev[3] === cur[0] * cur[3]) {
      prev[0] *= cur[0];
      prev[1] = cur[1];
      prev[2] = cur[2];
      prev[3] = cur[3];
    } else dims.push(cur);
  }
  if (dims.length === 0) {
    binaryLoop(kind, A, ao, 0, B, bo, 0, O, oo, 1);
    return;
  }
  const inner = dims.pop()!;
  const [n, ia, ib, io] = inner;
  if (io !== 1) {
    // Rare (output not unit-stride innermost): element by element through a scratch row.
    const tmp = new Float32Array(n);
    forEachOuter(dims, ao, bo, oo, (pa, pb, po) => {
      binaryLoop(kind, A, pa, ia, B, pb, ib, tmp, 0, n);
      for (let i = 0; i < n; i++) O[po + i * io] = tmp[i]!;
    });
    return;
  }
  forEachOuter(dims, ao, bo, oo, (pa, pb, po) => binaryLoop(kind, A, pa, ia, B, pb, ib, O, po, n));
}

/** Calls `row` once per index of the outer dims (not per element). */
function forEachOuter(dims: Array<[number, number, number, number]>, ao: number, bo: number, oo: number, row: (a: number, b: number, o: number) => void): void {
  const nd = dims.length;
  if (nd === 0) {
    row(ao, bo, oo);
    return;
  }
  const idx = new Array<number>(nd).fill(0);
  let total = 1;
  for (const d of dims) total *= d[0];
  let pa = ao;
  let pb = bo;
  let po = oo;
  for (let t = 0; t < total; t++) {
    row(pa, pb, po);
    for (let d = nd - 1; d >= 0; d--) {
      const dim = dims[d]!;
      idx[d]!++;
      pa += dim[1];
      pb += dim[2];
      po += dim[3];
      if (idx[d]! < dim[0]) break;
      pa -= dim[1] * dim[0];
      pb -= dim[2] * dim[0];
      po -= dim[3] * dim[0];
      idx[d] = 0;
    }
  }
}

/** Binary op kernels: Tensor⊙Tensor, Tensor⊙Scalar (`scalarOther`), add/sub alpha, in-place. */
export function binaryKernel(kind: BinaryKind, opts: { inplace?: boolean; alphaArg?: number } = {}): FastKernel {
  return (args, ctx) => {
    const self = args[0];
    let other = args[1];
    if (!isF32(self)) return undefined;
    if (!(other instanceof NDArray)) {
      const v = scalarArg(other);
      if (v === undefined) return undefined;
      other = scalarOperand(v);
    } else if (other.dtype !== 'float32') return undefined;
    let b = other as NDArray;
    if (opts.alphaArg !== undefined) {
      const alpha = scalarArg(args[opts.alphaArg]);
      if (alpha === undefined) return undefined;
      if (alpha !== 1) {
        const scaled = binaryF32('mul', b, scalarOperand(alpha), ctx);
        if (!scaled) return undefined;
        b = scaled;
      }
    }
    if (opts.inplace) return binaryF32(kind, self, b, ctx, self);
    return binaryF32(kind, self, b, ctx);
  };
}

/** dropout in eval mode is the identity (torch returns the input itself). */
export const dropoutKernel: FastKernel = (args) => (args[2] === false || args[1] === 0 ? args[0] : undefined);
