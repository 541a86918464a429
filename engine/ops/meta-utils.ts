// Shared rules for meta functions: broadcasting, dim wrapping, contiguous
// metadata, elementwise result dtypes. Each mirrors the PyTorch helper of the
// same purpose (infer_size, maybe_wrap_dim, elementwise_dtypes).

import { type DType, isFloating, resultType, scalarKind, DEFAULT_FLOAT } from '../core/dtype';
import { OpArgumentError, IndexOutOfRangeError } from '../core/errors';
import { type PyScalar, scalarIsFloat, PyFloat } from '../core/scalar';
import {
  type IntLike,
  guardBool,
  guardOrFalse,
  intLikeToString,
  isSymInt,
  product,
  staticallyKnownTrue,
  symEq,
  symMul,
} from '../symbolic';
import { type TensorMeta, isTensorMeta } from './types';

export function contiguousStridesSym(shape: readonly IntLike[]): IntLike[] {
  const strides = new Array<IntLike>(shape.length);
  let acc: IntLike = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = acc;
    const s = shape[i]!;
    // max(size, 1): sizes of 0 or 1 do not change strides' meaning.
    acc = typeof s === "number" && typeof acc === "number" ? acc * Math.max(s, 1) : symMul(acc, typeof s === "number" ? Math.max(s, 1) : s);
  }
  return strides;
}

export function meta(dtype: DType, shape: readonly IntLike[]): TensorMeta {
  return { dtype, shape: [...shape], strides: contiguousStridesSym(shape) };
}

export function numel(m: TensorMeta): IntLike {
  return product(m.shape);
}

export function shapeStr(shape: readonly IntLike[]): string {
  return `[${shape.map(intLikeToString).join(', ')}]`;
}

/** Python-style dim wrapping with torch's IndexError text. */
export function wrapDim(dim: number, ndim: number, op = ''): number {
  const n = Math.max(ndim, 1);
  if (dim < -n || dim >= n)
    throw new IndexOutOfRangeError(`Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})${op ? '' : ''}`);
  return dim < 0 ? dim + n : dim;
}

/** torch's infer_size for broadcasting two shapes. */
export function broadcastShapes(a: readonly IntLike[], b: readonly IntLike[], op = 'broadcast'): IntLike[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<IntLike>(n);
  for (let i = 0; i < n; i++) {
    const da = i - (n - a.length) >= 0 ? a[i - (n - a.length)]! : 1;
    const db = i - (n - b.length) >= 0 ? b[i - (n - b.length)]! : 1;
    out[i] = broadcastDim(da, db, i, op, a, b);
  }
  return out;
}

function broadcastDim(a: IntLike, b: IntLike, i: number, op: string, sa: readonly IntLike[], sb: readonly IntLike[]): IntLike {
  if (a === b) return a;
  if (typeof a === 'number' && typeof b === 'number') {
    if (a === 1) return b;
    if (b === 1) return a;
    throw sizeMismatch(a, b, i, op, sa, sb);
  }
  if (staticallyKnownTrue(symEq(a, b))) return a;
  if (a === 1) return b;
  if (b === 1) return a;
  // One side symbolic: PyTorch asks "is it 1?" (guarding) and then requires equality.
  if (!(typeof a === 'number') && guardOrFalse(symEq(a, 1))) return b;
  if (!(typeof b === 'number') && guardOrFalse(symEq(b, 1))) return a;
  if (!guardBool(symEq(a, b))) throw sizeMismatch(a, b, i, op, sa, sb);
  return isSymInt(a) ? a : b;
}

function sizeMismatch(a: IntLike, b: IntLike, i: number, _op: string, sa: readonly IntLike[], sb: readonly IntLike[]): OpArgumentError {
  const n = Math.max(sa.length, sb.length);
  return new OpArgumentError(
    _op,
    `The size of tensor a (${intLikeToString(a)}) must match the size of tensor b (${intLikeToString(b)}) at non-singleton dimension ${i - n + n}`,
  );
}

export function broadcastAll(shapes: ReadonlyArray<readonly IntLike[]>, op?: string): IntLike[] {
  return shapes.reduce<IntLike[]>((acc, s) => broadcastShapes(acc, s, op), []);
}

/** Operand of an elementwise op: a tensor's metadata or a Python scalar. */
export type Operand = TensorMeta | PyScalar | IntLike;

/** torch.result_type over mixed tensor and scalar operands. */
export function resultDType(operands: readonly Operand[]): DType {
  const dims: DType[] = [];
  const zero: DType[] = [];
  const scalars: Array<'bool' | 'int' | 'float'> = [];
  for (const o of operands) {
    if (isTensorMeta(o)) (o.shape.length === 0 ? zero : dims).push(o.dtype);
    else if (o instanceof PyFloat) scalars.push('float');
    else if (isSymInt(o)) scalars.push('int');
    else scalars.push(scalarKind(o as number | boolean, typeof o === 'number' ? scalarIsFloat(o) : undefined));
  }
  return resultType(dims, zero, scalars);
}

/** Result dtype of ops that always produce floats (sin, div, mean …): ints promote to float32. */
export function floatResult(d: DType): DType {
  return isFloating(d) ? d : DEFAULT_FLOAT;
}

/** Broadcast meta for an elementwise op over its tensor operands. */
export function elementwiseMeta(operands: readonly Operand[], dtype: DType, op?: string): TensorMeta {
  const shapes = operands.filter(isTensorMeta).map((m) => m.shape);
  return meta(dtype, broadcastAll(shapes, op));
}

export function sameShape(a: readonly IntLike[], b: readonly IntLike[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i] || staticallyKnownTrue(symEq(x, b[i]!)));
}

/** Normalize a list of dims (reduction dims), rejecting repeats as torch does. */
export function wrapDims(dims: readonly number[], ndim: number): number[] {
  const out = dims.map((d) => wrapDim(d, ndim));
  const seen = new Set<number>();
  for (const d of out) {
    if (seen.has(d)) throw new OpArgumentError('', `dim ${d} appears multiple times in the list of dims`);
    seen.add(d);
  }
  return out;
}
