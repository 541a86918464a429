// Tensor: the user-facing value of the engine. An eager tensor holds an NDArray;
// a fake (traced) tensor holds only metadata with symbolic sizes, and the active
// tracer maps it to the graph node that produces it. Parameters and buffers are
// eager tensors that a tracer maps to placeholders while tracing.

import { type DType, shortName } from '../core/dtype';
import { NDArray } from '../core/ndarray';
import { type IntLike, intLikeToString } from '../symbolic';
import { contiguousStridesSym } from '../ops/meta-utils';
import { type TensorMeta } from '../ops/types';

let nextTensorId = 0;

export class Tensor {
  readonly id = nextTensorId++;
  requiresGrad = false;

  constructor(
    /** Shape/dtype/strides; symbolic for fake tensors. */
    public meta: TensorMeta,
    /** Concrete data for eager tensors; undefined for fake tensors. */
    public data?: NDArray,
  ) {}

  static fromNDArray(a: NDArray): Tensor {
    return new Tensor({ dtype: a.dtype, shape: [...a.shape], strides: [...a.strides], storageOffset: a.offset }, a);
  }

  static fake(dtype: DType, shape: readonly IntLike[]): Tensor {
    return new Tensor({ dtype, shape: [...shape], strides: contiguousStridesSym(shape) });
  }

  get dtype(): DType {
    return this.meta.dtype;
  }
  get shape(): readonly IntLike[] {
    return this.meta.shape;
  }
  get ndim(): number {
    return this.meta.shape.length;
  }
  get isFake(): boolean {
    return this.data === undefined;
  }

  /** The concrete data, or a clear error for fake tensors. */
  get nd(): NDArray {
    if (!this.data) throw new Error('this tensor is a FakeTensor (being traced) and has no data');
    return this.data;
  }

  /** Replace data and metadata at once (in-place ops on eager tensors keep both in step). */
  setData(a: NDArray): void {
    this.data = a;
    this.meta = { dtype: a.dtype, shape: [...a.shape], strides: [...a.strides], storageOffset: a.offset };
  }

  /** `f32[s0, 64]`, as graph printouts annotate tensors. */
  typeString(): string {
    return `${shortName(this.dtype)}[${this.shape.map(intLikeToString).join(', ')}]`;
  }

  toArray(): number[] {
    return this.nd.toArray();
  }

  toString(): string {
    return this.data ? `tensor(${this.typeString()})` : `FakeTensor(${this.typeString()})`;
  }
}

export function isTensor(v: unknown): v is Tensor {
  return v instanceof Tensor;
}

export function metaTypeString(m: TensorMeta): string {
  return `${shortName(m.dtype)}[${m.shape.map(intLikeToString).join(', ')}]`;
}
