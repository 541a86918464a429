// NDArray: a concrete strided view over typed-array storage. CPU kernels work on
// these. Views (view/permute/slice/expand …) share `storage` and differ in
// shape/strides/offset exactly as PyTorch tensors do; `contiguous()` copies.

import { type DType, type StorageArray, makeStorage, roundToDType } from './dtype';

export class Storage {
  constructor(
    readonly dtype: DType,
    public data: StorageArray,
  ) {}
  static alloc(dtype: DType, n: number): Storage {
    return new Storage(dtype, makeStorage(dtype, n));
  }
}

export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= Math.max(shape[i]!, 1);
  }
  return strides;
}

export const numelOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export class NDArray {
  constructor(
    readonly storage: Storage,
    readonly shape: readonly number[],
    readonly strides: readonly number[],
    readonly offset = 0,
  ) {}

  static zeros(dtype: DType, shape: readonly number[]): NDArray {
    return new NDArray(Storage.alloc(dtype, numelOf(shape)), [...shape], contiguousStrides(shape));
  }

  /** Build from flat row-major values (rounded to the dtype). */
  static fromValues(dtype: DType, shape: readonly number[], values: ArrayLike<number | boolean>): NDArray {
    const n = numelOf(shape);
    if (values.length !== n) throw new Error(`fromValues: ${values.length} values for shape [${shape.join(', ')}]`);
    const out = NDArray.zeros(dtype, shape);
    const d = out.storage.data;
    for (let i = 0; i < n; i++) d[i] = roundToDType(dtype, Number(values[i]));
    return out;
  }

  static scalar(dtype: DType, v: number | boolean): NDArray {
    return NDArray.fromValues(dtype, [], [Number(v)]);
  }

  get dtype(): DType {
    return this.storage.dtype;
  }
  get ndim(): number {
    return this.shape.length;
  }
  get numel(): number {
    return numelOf(this.shape);
  }

  isContiguous(): boolean {
    let expected = 1;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      if (this.shape[i] === 1) continue;
      if (this.strides[i] !== expected) return false;
      expected *= this.shape[i]!;
    }
    return true;
  }

  /** Storage offsets of every element in row-major order. */
  offsets(): Int32Array | Float64Array {
    const n = this.numel;
    const out = n < 2 ** 31 ? new Int32Array(n) : new Float64Array(n);
    const nd = this.shape.length;
    if (nd === 0) {
      if (n) out[0] = this.offset;
      return out;
    }
    const idx = new Array<number>(nd).fill(0);
    let off = this.offset;
    for (let i = 0; i < n; i++) {
      out[i] = off;
      for (let d = nd - 1; d >= 0; d--) {
        idx[d]!++;
        off += this.strides[d]!;
        if (idx[d]! < this.shape[d]!) break;
        off -= this.strides[d]! * this.shape[d]!;
        idx[d] = 0;
      }
    }
    return out;
  }

  /** Elements in row-major order as a fresh array of the storage's kind. */
  toFlat(): StorageArray {
    const n = this.numel;
    const src = this.storage.data;
    if (this.isContiguous()) return src.slice(this.offset, this.offset + n) as StorageArray;
    const out = makeStorage(this.dtype, n);
    const offs = this.offsets();
    for (let i = 0; i < n; i++) out[i] = src[offs[i]!]!;
    return out;
  }

  toArray(): number[] {
    return Array.from(this.toFlat() as ArrayLike<number>);
  }

  contiguous(): NDArray {
    if (this.isContiguous() && this.offset === 0 && this.storage.data.length === this.numel) return this;
    return new NDArray(new Storage(this.dtype, this.toFlat()), [...this.shape], contiguousStrides(this.shape));
  }

  /** A copy with its own storage (torch.clone). */
  clone(): NDArray {
    return new NDArray(new Storage(this.dtype, this.toFlat()), [...this.shape], contiguousStrides(this.shape));
  }

  withView(shape: readonly number[], strides: readonly number[], offset: number): NDArray {
    return new NDArray(this.storage, shape, strides, offset);
  }

  item(): number {
    if (this.numel !== 1) throw new Error(`a Tensor with ${this.numel} elements cannot be converted to Scalar`);
    return this.storage.data[this.offset]!;
  }

  /** Write `src` (same shape) into this view, converting dtype. */
  copyFrom(src: NDArray): void {
    const n = this.numel;
    const dst = this.storage.data;
    const dOff = this.offsets();
    const sData = src.storage.data;
    const sOff = src.offsets();
    const dt = this.dtype;
    for (let i = 0; i < n; i++) dst[dOff[i]!] = roundToDType(dt, sData[sOff[i]!]!);
  }
}
