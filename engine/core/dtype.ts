// Tensor element types: names as PyTorch spells them, the printer's short names,
// storage layouts, and PyTorch's type-promotion rules (torch.result_type).
//
// Note [Storage of 64-bit and half types]
// Element data lives in JS typed arrays. int64 is held in a Float64Array (exact up
// to 2^53, which covers every index, size and count we meet; values beyond that
// lose precision and the serializer says so); float16 and bfloat16 are held in a
// Float32Array and rounded to their precision on every kernel write (see
// `roundToDType`), so arithmetic matches PyTorch's half types element by element.

export type DType =
  | 'float32'
  | 'float64'
  | 'float16'
  | 'bfloat16'
  | 'int64'
  | 'int32'
  | 'int16'
  | 'int8'
  | 'uint8'
  | 'bool';

export type StorageArray = Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

type Category = 0 | 1 | 2 | 3; // bool < integer < floating point (< complex, unsupported)

interface DTypeInfo {
  readonly short: string; // printer's short name: f32, i64, b8 ...
  readonly itemsize: number; // bytes per element in PyTorch's own layout
  readonly category: Category;
  readonly rank: number; // order within a category for promotion
  readonly make: (n: number) => StorageArray;
}

const INFO: Record<DType, DTypeInfo> = {
  bool: { short: 'b8', itemsize: 1, category: 0, rank: 0, make: (n) => new Uint8Array(n) },
  uint8: { short: 'u8', itemsize: 1, category: 1, rank: 1, make: (n) => new Uint8Array(n) },
  int8: { short: 'i8', itemsize: 1, category: 1, rank: 1, make: (n) => new Int8Array(n) },
  int16: { short: 'i16', itemsize: 2, category: 1, rank: 2, make: (n) => new Int16Array(n) },
  int32: { short: 'i32', itemsize: 4, category: 1, rank: 3, make: (n) => new Int32Array(n) },
  int64: { short: 'i64', itemsize: 8, category: 1, rank: 4, make: (n) => new Float64Array(n) },
  float16: { short: 'f16', itemsize: 2, category: 2, rank: 1, make: (n) => new Float32Array(n) },
  bfloat16: { short: 'bf16', itemsize: 2, category: 2, rank: 1, make: (n) => new Float32Array(n) },
  float32: { short: 'f32', itemsize: 4, category: 2, rank: 2, make: (n) => new Float32Array(n) },
  float64: { short: 'f64', itemsize: 8, category: 2, rank: 3, make: (n) => new Float64Array(n) },
};

export const ALL_DTYPES = Object.keys(INFO) as DType[];

export function isDType(s: string): s is DType {
  return Object.prototype.hasOwnProperty.call(INFO, s);
}

export const shortName = (d: DType): string => INFO[d].short;
export const itemSize = (d: DType): number => INFO[d].itemsize;
export const isFloating = (d: DType): boolean => INFO[d].category === 2;
export const isIntegral = (d: DType, includeBool = false): boolean =>
  INFO[d].category === 1 || (includeBool && d === 'bool');
export const makeStorage = (d: DType, n: number): StorageArray => INFO[d].make(n);

/** `torch.float32` — how Python prints a dtype. */
export const torchName = (d: DType): string => `torch.${d}`;

/** PyTorch's default dtype for floating results of integer inputs and for Python floats. */
export const DEFAULT_FLOAT: DType = 'float32';

/** torch.promote_types for two tensor dtypes. */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  const ia = INFO[a];
  const ib = INFO[b];
  if (ia.category !== ib.category) return ia.category > ib.category ? a : b;
  if (ia.category === 1) {
    // uint8 with a signed type widens to at least int16.
    if ((a === 'uint8' && b === 'int8') || (a === 'int8' && b === 'uint8')) return 'int16';
    return ia.rank >= ib.rank ? a : b;
  }
  if (ia.category === 2) {
    if ((a === 'float16' && b === 'bfloat16') || (a === 'bfloat16' && b === 'float16')) return 'float32';
    return ia.rank >= ib.rank ? a : b;
  }
  return a;
}

/** A Python scalar operand in type promotion: its category only. */
export type ScalarKind = 'bool' | 'int' | 'float';

const SCALAR_CATEGORY: Record<ScalarKind, Category> = { bool: 0, int: 1, float: 2 };
const SCALAR_DEFAULT: Record<ScalarKind, DType> = { bool: 'bool', int: 'int64', float: DEFAULT_FLOAT };

/**
 * torch.result_type over tensor operands (split into dimensioned and zero-dim) and
 * Python scalars: the highest category wins; within a category dimensioned tensors
 * outrank zero-dim tensors, which outrank scalars.
 */
export function resultType(dimensioned: DType[], zeroDim: DType[], scalars: ScalarKind[]): DType {
  const fold = (ds: DType[]): DType | undefined => ds.reduce<DType | undefined>((acc, d) => (acc ? promoteTypes(acc, d) : d), undefined);
  const dimT = fold(dimensioned);
  const zeroT = fold(zeroDim);
  let scalarT: DType | undefined;
  for (const s of scalars) {
    const d = SCALAR_DEFAULT[s];
    scalarT = scalarT ? (SCALAR_CATEGORY[s] > INFO[scalarT].category ? d : scalarT) : d;
  }
  let result = dimT;
  for (const cand of [zeroT, scalarT]) {
    if (!cand) continue;
    if (!result) result = cand;
    else if (INFO[cand].category > INFO[result].category) {
      // A higher-category operand of lower priority contributes its category's default.
      result = cand === scalarT ? (INFO[cand].category === 2 ? DEFAULT_FLOAT : cand) : cand;
    }
  }
  return result ?? DEFAULT_FLOAT;
}

export function scalarKind(v: number | boolean, isFloat?: boolean): ScalarKind {
  if (typeof v === 'boolean') return 'bool';
  if (isFloat !== undefined) return isFloat ? 'float' : 'int';
  return Number.isInteger(v) ? 'int' : 'float';
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

function roundBFloat16(v: number): number {
  f32Scratch[0] = v;
  const bits = u32Scratch[0]!;
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0) return v; // NaN
  const rounded = (bits + 0x7fff + ((bits >>> 16) & 1)) & 0xffff0000;
  u32Scratch[0] = rounded >>> 0;
  return f32Scratch[0]!;
}

function roundFloat16(v: number): number {
  if (!Number.isFinite(v) || v === 0) return v;
  const a = Math.abs(v);
  if (a >= 65520) return v > 0 ? Infinity : -Infinity;
  // Spacing of float16 values around a: 2^(e-10), floored at the subnormal step 2^-24.
  const e = Math.max(Math.floor(Math.log2(a)), -14);
  const step = Math.pow(2, e - 10);
  const q = a / step;
  let r = Math.round(q);
  if (Math.abs(q - Math.trunc(q) - 0.5) < 1e-12) r = Math.trunc(q) % 2 === 0 ? Math.trunc(q) : Math.trunc(q) + 1;
  return Math.sign(v) * r * step;
}

/** Round a JS number to what the dtype can hold (see Note [Storage of 64-bit and half types]). */
export function roundToDType(d: DType, v: number): number {
  switch (d) {
    case 'float16':
      return roundFloat16(v);
    case 'bfloat16':
      return roundBFloat16(v);
    case 'float32':
      return Math.fround(v);
    case 'int64':
      return Math.trunc(v) + 0; // + 0 turns -0 into 0
    case 'bool':
      return v !== 0 ? 1 : 0; // NaN is truthy in torch
    default:
      return v;
  }
}
