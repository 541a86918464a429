// CPU loops shared by the elementwise op families: unary, binary and ternary
// maps over strided NDArrays with broadcasting, plus the value conversions
// PyTorch applies when it casts between dtypes (C casts: truncation toward zero,
// modular wrap for narrow integers, `!= 0` for bool).
//
// Note [Compute dtype and output dtype]
// An elementwise kernel reads each operand, converts it to the op's compute dtype
// (torch's common dtype: float32 for `int + 1.5`, int64 for `int + 2`), applies the
// scalar function in JS doubles, and stores the result in the output dtype (bool
// for comparisons, otherwise usually the compute dtype). Converting operands first
// matters: `x_f32 + 0.1` adds float32(0.1), exactly as torch does.

import { type DType, type StorageArray, isFloating, roundToDType } from '../core/dtype';
import { NDArray, Storage, contiguousStrides, numelOf } from '../core/ndarray';
import { OpArgumentError } from '../core/errors';

/** A kernel operand: a tensor or a Python scalar already reduced to a number. */
export type KernelOperand = NDArray | number;

/** `Float`, `Long` … — how PyTorch's C++ messages name a dtype. */
export function dtypeTitle(d: DType): string {
  return DTYPE_TITLES[d];
}

const DTYPE_TITLES: Record<DType, string> = {
  float32: 'Float',
  float64: 'Double',
  float16: 'Half',
  bfloat16: 'BFloat16',
  int64: 'Long',
  int32: 'Int',
  int16: 'Short',
  int8: 'Char',
  uint8: 'Byte',
  bool: 'Bool',
};

/**
 * How to turn a JS number into what a dtype's storage must hold, or null when the
 * typed array's own assignment already does it (Float32Array rounds, Int32Array
 * truncates and wraps …). Bool treats NaN as true, as a C `!= 0` does.
 */
export function storeFn(d: DType): ((v: number) => number) | null {
  switch (d) {
    case 'float16':
    case 'bfloat16':
      return (v) => roundToDType(d, v);
    case 'int64':
      // `+ 0` turns -0 into 0: integers have no negative zero.
      return (v) => (Number.isFinite(v) ? Math.trunc(v) + 0 : 0);
    case 'bool':
      return (v) => (v !== 0 ? 1 : 0);
    default:
      return null;
  }
}

/** Convert one value to dtype `d` (for scalars: the same as a store would do). */
export function castValue(d: DType, v: number): number {
  switch (d) {
    case 'float32':
      return Math.fround(v);
    case 'float64':
      return v;
    case 'float16':
    case 'bfloat16':
      return roundToDType(d, v);
    case 'bool':
      return v !== 0 ? 1 : 0;
    case 'int64':
      return Number.isFinite(v) ? Math.trunc(v) + 0 : 0;
    case 'int32':
      return v | 0;
    case 'int16':
      return (v << 16) >> 16;
    case 'int8':
      return (v << 24) >> 24;
    case 'uint8':
      return v & 0xff;
  }
}

/** Conversion applied to an operand read as `from` before computing in `to`; null when exact. */
function readCast(from: DType, to: DType): ((v: number) => number) | null {
  if (from === to || to === 'float64') return null;
  if (to === 'float32' && (from === 'bool' || from === 'uint8' || from === 'int8' || from === 'int16' || from === 'float16' || from === 'bfloat16')) return null;
  if (!isFloating(to) && !isFloating(from) && to !== 'bool') {
    // Integer widening is exact; narrowing wraps.
    const order: DType[] = ['bool', 'uint8', 'int8', 'int16', 'int32', 'int64'];
    if (to === 'int64') return null;
    if (order.indexOf(from) <= order.indexOf(to) && !(from === 'uint8' && to === 'int8')) return null;
  }
  return (v) => castValue(to, v);
}

/** Sizes of a broadcast over concrete shapes (torch's infer_size). */
export function broadcastConcrete(shapes: ReadonlyArray<readonly number[]>, op = 'broadcast'): number[] {
  const nd = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(nd).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const j = nd - s.length + i;
      const a = out[j]!;
      const b = s[i]!;
      if (a === b || b === 1) continue;
      if (a === 1) out[j] = b;
      else throw new OpArgumentError(op, `The size of tensor a (${a}) must match the size of tensor b (${b}) at non-singleton dimension ${j}`);
    }
  }
  return out;
}

/** Strides of `x` read as if expanded to `shape` (0 along broadcast dims). */
export function expandedStrides(x: NDArray, shape: readonly number[]): number[] {
  const nd = shape.length;
  const out = new Array<number>(nd).fill(0);
  for (let i = 0; i < x.ndim; i++) {
    const j = nd - x.ndim + i;
    out[j] = x.shape[i] === 1 && shape[j] !== 1 ? 0 : x.strides[i]!;
  }
  return out;
}

interface Reader {
  data: StorageArray | Float64Array;
  offset: number;
  strides: number[];
  /** Same shape as the output and row-major dense: read data[offset + k]. */
  flat: boolean;
}

function makeReader(x: KernelOperand, shape: readonly number[], compute: DType): Reader {
  if (typeof x === 'number') return { data: Float64Array.of(castValue(compute, x)), offset: 0, strides: new Array<number>(shape.length).fill(0), flat: false };
  const cast = readCast(x.dtype, compute);
  if (cast) {
    // Convert once into a dense array of the compute values.
    const src = x.storage.data;
    const offs = x.offsets();
    const vals = new Float64Array(offs.length);
    for (let i = 0; i < offs.length; i++) vals[i] = cast(src[offs[i]!]!);
    const dense = new NDArray(new Storage(compute, vals), x.shape, contiguousStrides(x.shape));
    return makeReaderRaw(dense, shape);
  }
  return makeReaderRaw(x, shape);
}

function makeReaderRaw(x: NDArray, shape: readonly number[]): Reader {
  const sameShape = x.ndim === shape.length && x.shape.every((s, i) => s === shape[i]);
  return { data: x.storage.data, offset: x.offset, strides: expandedStrides(x, shape), flat: sameShape && x.isContiguous() };
}

/** Visit every output position in row-major order with per-operand storage offsets. */
function forEachIndex(shape: readonly number[], readers: readonly Reader[], body: (k: number, offs: Int32Array | Float64Array) => void): void {
  const n = numelOf(shape);
  if (n === 0) return;
  const m = readers.length;
  const offs = new Float64Array(m);
  for (let r = 0; r < m; r++) offs[r] = readers[r]!.offset;
  const nd = shape.length;
  if (nd === 0) {
    body(0, offs);
    return;
  }
  const idx = new Array<number>(nd).fill(0);
  for (let k = 0; k < n; k++) {
    body(k, offs);
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      for (let r = 0; r < m; r++) offs[r]! += readers[r]!.strides[d]!;
      if (idx[d]! < shape[d]!) break;
      for (let r = 0; r < m; r++) offs[r]! -= readers[r]!.strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

function outputShape(operands: readonly KernelOperand[], op: string): number[] {
  return broadcastConcrete(
    operands.filter((o): o is NDArray => typeof o !== 'number').map((o) => o.shape),
    op,
  );
}

/**
 * out[i] = f(x[i]) over a strided input. The input is read in `compute` (default:
 * its own dtype), the result stored as `outDtype`.
 */
export function unaryKernel(x: NDArray, f: (v: number) => number, outDtype: DType = x.dtype, compute: DType = x.dtype): NDArray {
  const out = NDArray.zeros(outDtype, x.shape);
  const o = out.storage.data;
  const st = storeFn(outDtype);
  const rd = makeReader(x, x.shape, compute);
  const src = rd.data;
  const n = out.numel;
  if (rd.flat) {
    const base = rd.offset;
    if (st === null) for (let k = 0; k < n; k++) o[k] = f(src[base + k]!);
    else for (let k = 0; k < n; k++) o[k] = st(f(src[base + k]!));
    return out;
  }
  forEachIndex(x.shape, [rd], (k, offs) => {
    const v = f(src[offs[0]!]!);
    o[k] = st === null ? v : st(v);
  });
  return out;
}

/** out = f(a, b) with broadcasting; scalars are numbers. */
export function binaryKernel(a: KernelOperand, b: KernelOperand, f: (x: number, y: number) => number, outDtype: DType, compute: DType, op = 'broadcast'): NDArray {
  const shape = outputShape([a, b], op);
  const out = NDArray.zeros(outDtype, shape);
  const o = out.storage.data;
  const st = storeFn(outDtype);
  const ra = makeReader(a, shape, compute);
  const rb = makeReader(b, shape, compute);
  const da = ra.data;
  const db = rb.data;
  const n = out.numel;
  const aScalar = typeof a === 'number';
  const bScalar = typeof b === 'number';
  if ((ra.flat || aScalar) && (rb.flat || bScalar)) {
    // Fast path: dense same-shape operands (or a scalar).
    const oa = ra.offset;
    const ob = rb.offset;
    const sa = aScalar ? 0 : 1;
    const sb = bScalar ? 0 : 1;
    for (let k = 0; k < n; k++) {
      const v = f(da[oa + k * sa]!, db[ob + k * sb]!);
      o[k] = st === null ? v : st(v);
    }
    return out;
  }
  forEachIndex(shape, [ra, rb], (k, offs) => {
    const v = f(da[offs[0]!]!, db[offs[1]!]!);
    o[k] = st === null ? v : st(v);
  });
  return out;
}

/**
 * out = f(a, b, c) with broadcasting. `computes` gives each operand's read dtype
 * (where reads its condition as bool and its values in the result dtype).
 */
export function ternaryKernel(
  a: KernelOperand,
  b: KernelOperand,
  c: KernelOperand,
  f: (x: number, y: number, z: number) => number,
  outDtype: DType,
  computes: readonly [DType, DType, DType],
  op = 'broadcast',
): NDArray {
  const shape = outputShape([a, b, c], op);
  const out = NDArray.zeros(outDtype, shape);
  const o = out.storage.data;
  const st = storeFn(outDtype);
  const rs = [makeReader(a, shape, computes[0]), makeReader(b, shape, computes[1]), makeReader(c, shape, computes[2])];
  const [d0, d1, d2] = [rs[0]!.data, rs[1]!.data, rs[2]!.data];
  forEachIndex(shape, rs, (k, offs) => {
    const v = f(d0[offs[0]!]!, d1[offs[1]!]!, d2[offs[2]!]!);
    o[k] = st === null ? v : st(v);
  });
  return out;
}

/** `x` converted to dtype `d` as a new contiguous array (broadcast to `shape` if given). */
export function castArray(x: NDArray, d: DType, shape: readonly number[] = x.shape): NDArray {
  const out = NDArray.zeros(d, shape);
  const o = out.storage.data;
  const st = storeFn(d);
  const rd = makeReaderRaw(x, shape);
  const src = rd.data;
  if (rd.flat) {
    const n = out.numel;
    for (let k = 0; k < n; k++) {
      const v = src[rd.offset + k]!;
      o[k] = st === null ? v : st(v);
    }
    return out;
  }
  forEachIndex(shape, [rd], (k, offs) => {
    const v = src[offs[0]!]!;
    o[k] = st === null ? v : st(v);
  });
  return out;
}

/** A tensor of `shape` filled with `v` (converted to `d`). */
export function filled(d: DType, shape: readonly number[], v: number): NDArray {
  const out = NDArray.zeros(d, shape);
  out.storage.data.fill(castValue(d, v));
  return out;
}

// ---- scalar functions with PyTorch's exact semantics ----

/** Round half to even (std::nearbyint in the default rounding mode). */
export function roundHalfEven(v: number): number {
  if (!Number.isFinite(v)) return v;
  const r = Math.round(v);
  if (Math.abs(v - Math.trunc(v)) === 0.5 && r % 2 !== 0) return r - 1;
  return r === 0 ? (v < 0 || Object.is(v, -0) ? -0 : 0) : r;
}

/** erf to double precision: erf(x) = 2/√π · e^{-x²} · Σ 2ⁿx^{2n+1}/(2n+1)!! (all terms positive). */
export function erf(x: number): number {
  if (Number.isNaN(x)) return x;
  const ax = Math.abs(x);
  if (ax >= 6) return x > 0 ? 1 : -1;
  const x2 = ax * ax;
  let term = ax;
  let sum = ax;
  for (let n = 1; n < 500; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  const r = (2 / Math.sqrt(Math.PI)) * Math.exp(-x2) * sum;
  return x < 0 ? -r : r;
}

/** Python/torch floor division of floats (c10::div_floor_floating). */
export function divFloorFloat(a: number, b: number): number {
  if (b === 0) return a / b;
  const mod = a % b;
  let div = (a - mod) / b;
  if (mod !== 0 && b < 0 !== mod < 0) div -= 1;
  let floordiv: number;
  if (div !== 0) {
    floordiv = Math.floor(div);
    if (div - floordiv > 0.5) floordiv += 1;
  } else floordiv = Math.sign(a / b) < 0 || Object.is(a / b, -0) ? -0 : 0;
  return floordiv;
}

/** torch.remainder for floats: the result has the sign of the divisor. */
export function remainderFloat(a: number, b: number): number {
  let mod = a % b;
  if (mod !== 0 && b < 0 !== mod < 0) mod += b;
  return mod;
}

/** Integer floor division; throws torch's ZeroDivisionError on b == 0. */
export function divFloorInt(op: string): (a: number, b: number) => number {
  return (a, b) => {
    if (b === 0) throw new OpArgumentError(op, 'ZeroDivisionError');
    return Math.floor(a / b);
  };
}

/** Bitwise and/or/xor of integers held in doubles (int64 beyond 32 bits via BigInt). */
export function bitwise(kind: 'and' | 'or' | 'xor'): (a: number, b: number) => number {
  return (a, b) => {
    if (a >= -0x80000000 && a <= 0x7fffffff && b >= -0x80000000 && b <= 0x7fffffff)
      return kind === 'and' ? a & b : kind === 'or' ? a | b : a ^ b;
    const x = BigInt(a);
    const y = BigInt(b);
    return Number(kind === 'and' ? x & y : kind === 'or' ? x | y : x ^ y);
  };
}

/** Wrap an exact integer result to an integer dtype's range. */
export function wrapInt(d: DType, v: number): number {
  switch (d) {
    case 'int32':
    case 'int16':
    case 'int8':
    case 'uint8':
      return castValue(d, v);
    default:
      return v;
  }
}

/** Integer power as torch's powi: negative exponents give 0 except for bases ±1. */
export function intPow(d: DType): (base: number, exp: number) => number {
  const mul = d === 'int32' ? Math.imul : (x: number, y: number) => wrapInt(d, x * y);
  return (base, exp) => {
    if (exp < 0) {
      if (base === 1) return 1;
      if (base === -1) return exp % 2 === 0 ? 1 : -1;
      return 0;
    }
    let result = 1;
    let b = base;
    let e = exp;
    while (e > 0) {
      if (e & 1) result = mul(result, b);
      b = mul(b, b);
      e = Math.floor(e / 2);
    }
    return result;
  };
}
