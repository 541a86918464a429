// Raw tensor storage bytes (little-endian, PyTorch's layout) to and from the
// engine's typed-array storage, and the dtype codes of the serde schema. Float32,
// float64 and the small integer types are viewed in place when the bytes are
// aligned; int64 and the half types are converted (see Note [Storage of 64-bit
// and half types] in core/dtype.ts).

import { type DType, type StorageArray, itemSize, makeStorage } from '../core/dtype';
import { Storage } from '../core/ndarray';
import { SCALAR_TYPE } from './schema';
import { ArchiveError } from './zip';

const CODE_TO_DTYPE: Record<number, DType> = {
  [SCALAR_TYPE.BYTE]: 'uint8',
  [SCALAR_TYPE.CHAR]: 'int8',
  [SCALAR_TYPE.SHORT]: 'int16',
  [SCALAR_TYPE.INT]: 'int32',
  [SCALAR_TYPE.LONG]: 'int64',
  [SCALAR_TYPE.HALF]: 'float16',
  [SCALAR_TYPE.FLOAT]: 'float32',
  [SCALAR_TYPE.DOUBLE]: 'float64',
  [SCALAR_TYPE.BOOL]: 'bool',
  [SCALAR_TYPE.BFLOAT16]: 'bfloat16',
};

const DTYPE_TO_CODE = Object.fromEntries(Object.entries(CODE_TO_DTYPE).map(([k, v]) => [v, Number(k)])) as Record<DType, number>;

/** Names torch gives the dtypes the engine cannot hold (for messages and TorchDType args). */
const OTHER_DTYPE_NAMES: Record<number, string> = {
  [SCALAR_TYPE.COMPLEXHALF]: 'complex32',
  [SCALAR_TYPE.COMPLEXFLOAT]: 'complex64',
  [SCALAR_TYPE.COMPLEXDOUBLE]: 'complex128',
  [SCALAR_TYPE.UINT16]: 'uint16',
  [SCALAR_TYPE.UINT32]: 'uint32',
  [SCALAR_TYPE.UINT64]: 'uint64',
  [SCALAR_TYPE.FLOAT8E4M3FN]: 'float8_e4m3fn',
  [SCALAR_TYPE.FLOAT8E5M2]: 'float8_e5m2',
  [SCALAR_TYPE.FLOAT8E4M3FNUZ]: 'float8_e4m3fnuz',
  [SCALAR_TYPE.FLOAT8E5M2FNUZ]: 'float8_e5m2fnuz',
  [SCALAR_TYPE.FLOAT8E8M0FNU]: 'float8_e8m0fnu',
};

export function dtypeFromCode(code: number): DType | undefined {
  return CODE_TO_DTYPE[code];
}

/** torch's name for any schema dtype code (`float32`, `complex64`), or undefined. */
export function dtypeNameFromCode(code: number): string | undefined {
  return CODE_TO_DTYPE[code] ?? OTHER_DTYPE_NAMES[code];
}

export function codeFromDTypeName(name: string): number | undefined {
  if (name in DTYPE_TO_CODE) return DTYPE_TO_CODE[name as DType];
  const e = Object.entries(OTHER_DTYPE_NAMES).find(([, v]) => v === name);
  return e ? Number(e[0]) : undefined;
}

export function codeFromDType(d: DType): number {
  return DTYPE_TO_CODE[d];
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function floatToHalf(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++;
  return sign | h;
}

/** A Storage over `bytes` (shared when the dtype and alignment allow it). */
export function storageFromBytes(dtype: DType, bytes: Uint8Array, copy = false): Storage {
  const size = itemSize(dtype);
  const n = bytes.length / size;
  const aligned = bytes.byteOffset % size === 0;
  const src = copy || !aligned ? bytes.slice() : bytes;
  const off = src.byteOffset;
  switch (dtype) {
    case 'float32':
      return new Storage(dtype, new Float32Array(src.buffer, off, n));
    case 'float64':
      return new Storage(dtype, new Float64Array(src.buffer, off, n));
    case 'int32':
      return new Storage(dtype, new Int32Array(src.buffer, off, n));
    case 'int16':
      return new Storage(dtype, new Int16Array(src.buffer, off, n));
    case 'int8':
      return new Storage(dtype, new Int8Array(src.buffer, off, n));
    case 'uint8':
    case 'bool':
      return new Storage(dtype, new Uint8Array(src.buffer, off, n));
    case 'int64': {
      const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = Number(v.getBigInt64(i * 8, true));
      return new Storage(dtype, out);
    }
    case 'float16':
    case 'bfloat16': {
      const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const h = v.getUint16(i * 2, true);
        if (dtype === 'float16') out[i] = halfToFloat(h);
        else {
          u32[0] = h << 16;
          out[i] = f32[0]!;
        }
      }
      return new Storage(dtype, out);
    }
  }
}

const lazyPending = new WeakSet<Storage>();

/**
 * A Storage of `numel` elements whose data is produced by `load()` (raw bytes
 * in PyTorch's layout) the first time `.data` is read; reading may throw
 * whatever `load` throws (an ArchiveError for a damaged record). Assigning
 * `.data` before that replaces it without loading.
 */
export function lazyStorage(dtype: DType, numel: number, load: () => Uint8Array, copy = false): Storage {
  const st = new Storage(dtype, makeStorage(dtype, 0));
  let data: StorageArray | undefined;
  lazyPending.add(st);
  Object.defineProperty(st, 'data', {
    configurable: true,
    enumerable: true,
    get(): StorageArray {
      if (!data) {
        const bytes = load();
        if (bytes.length !== numel * itemSize(dtype)) throw new ArchiveError(undefined, `lazy storage: record has ${bytes.length} bytes, expected ${numel * itemSize(dtype)}`);
        data = storageFromBytes(dtype, bytes, copy).data;
        lazyPending.delete(st);
      }
      return data;
    },
    set(v: StorageArray) {
      data = v;
      lazyPending.delete(st);
    },
  });
  return st;
}

/** Whether a storage from `lazyStorage` has not been loaded yet. */
export function isLazyPending(st: Storage): boolean {
  return lazyPending.has(st);
}

/** The storage's bytes in PyTorch's layout: a view of its memory where the layouts agree (do not modify), else a new buffer. */
export function storageToBytes(s: Storage): Uint8Array {
  const d = s.data;
  const n = d.length;
  switch (s.dtype) {
    case 'float32':
    case 'float64':
    case 'int32':
    case 'int16':
    case 'int8':
    case 'uint8':
      return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
    case 'bool': {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = d[i] ? 1 : 0;
      return out;
    }
    case 'int64': {
      const out = new Uint8Array(n * 8);
      const v = new DataView(out.buffer);
      for (let i = 0; i < n; i++) v.setBigInt64(i * 8, BigInt(Math.trunc(d[i]!)), true);
      return out;
    }
    case 'float16':
    case 'bfloat16': {
      const out = new Uint8Array(n * 2);
      const v = new DataView(out.buffer);
      for (let i = 0; i < n; i++) {
        let h: number;
        if (s.dtype === 'float16') h = floatToHalf(d[i]!);
        else {
          f32[0] = d[i]!;
          const x = u32[0]!;
          h = Number.isNaN(d[i]!) ? 0x7fc0 : ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
        }
        v.setUint16(i * 2, h, true);
      }
      return out;
    }
  }
}
