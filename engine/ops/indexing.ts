// Indexing ops: index_select, gather, scatter, advanced indexing (index.Tensor,
// index_put), embedding, nonzero, item / _local_scalar_dense, the runtime-assert
// ops, and tril/triu.
//
// Data-dependent output sizes (nonzero, boolean-mask indexing) and `.item()` get
// fresh unbacked symbols from ctx.newUnbacked, ranged [0, numel] for sizes as
// PyTorch's FakeTensor does.

import { type DType, isFloating, roundToDType } from '../core/dtype';
import { IndexOutOfRangeError, OpArgumentError, RuntimeAssertionError } from '../core/errors';
import { NDArray } from '../core/ndarray';
import { PyFloat, type PyScalar, scalarToNumber } from '../core/scalar';
import { type IntLike, ValueRange, guardBool, intLikeToString, product, staticallyKnownTrue, symEq, symNe } from '../symbolic';
import { broadcastShapes, contiguousStridesSym, meta, shapeStr, wrapDim } from './meta-utils';
import { STRIDED_LAYOUT, CPU_DEVICE, eqSize, forEachIndex, isContiguousMeta, likeStrides } from './movement';
import { defineInplace, defineOp } from './registry';
import { type MetaContext, type OpDef, OpGroup, type TensorMeta } from './types';

const isIndexDType = (d: DType): boolean => d === 'int64' || d === 'int32';
const isMaskDType = (d: DType): boolean => d === 'bool' || d === 'uint8';

function rangeForNumel(n: IntLike): ValueRange {
  const h = typeof n === 'number' ? n : n.env.range(n.expr).hi;
  return new ValueRange(0, h);
}

/** Expand `a` (any strides) to `shape` and return the storage offset of each element in row-major order. */
function broadcastOffsets(a: NDArray, shape: readonly number[]): Int32Array | Float64Array {
  const nd = shape.length;
  const strides = new Array<number>(nd).fill(0);
  for (let i = 0; i < a.ndim; i++) {
    const d = nd - a.ndim + i;
    strides[d] = a.shape[i] === 1 && shape[d] !== 1 ? 0 : a.strides[i]!;
  }
  return a.withView(shape, strides, a.offset).offsets();
}

function wrapIndex(v: number, size: number, dim: number, kind: 'index' | 'runtime'): number {
  if (v < -size || v >= size) {
    const msg = `index ${v} is out of bounds for dimension ${dim} with size ${size}`;
    throw kind === 'index' ? new IndexOutOfRangeError(msg) : new OpArgumentError('', msg);
  }
  return v < 0 ? v + size : v;
}

// ---------------------------------------------------------------- index_select

function indexSelectCheck(self: { shape: readonly IntLike[] }, dim: number, index: { dtype: DType; shape: readonly IntLike[] }, op: string): number {
  if (!isIndexDType(index.dtype)) throw new OpArgumentError(op, 'index_select(): Expected dtype int32 or int64 for index');
  if (index.shape.length > 1) throw new IndexOutOfRangeError('index_select(): Index is supposed to be a vector');
  return wrapDim(dim, self.shape.length);
}

export const index_select = defineOp({
  schema: 'index_select(Tensor self, int dim, Tensor index) -> Tensor',
  groups: [OpGroup.Core],
  meta: ([x, dim, index], ctx) => {
    const m = x as TensorMeta;
    const i = index as TensorMeta;
    const d = indexSelectCheck(m, dim as number, i, ctx.op);
    if (m.shape.length === 0) return meta(m.dtype, []);
    const shape = [...m.shape];
    shape[d] = product(i.shape);
    return meta(m.dtype, shape);
  },
  cpu: ([x, dim, index], ctx) => {
    const a = x as NDArray;
    const idx = index as NDArray;
    const d = indexSelectCheck(a, dim as number, idx, ctx.op);
    const iv = idx.toArray();
    if (a.ndim === 0) {
      for (const v of iv) if (v !== 0) throw new IndexOutOfRangeError('index out of range in self');
      return a.clone();
    }
    const shape = [...a.shape];
    shape[d] = iv.length;
    const out = NDArray.zeros(a.dtype, shape);
    const size = a.shape[d]!;
    for (const v of iv) if (v < 0 || v >= size) throw new IndexOutOfRangeError('index out of range in self');
    const src = a.storage.data;
    const dst = out.storage.data;
    forEachIndex(shape, (ix, flat) => {
      let off = a.offset;
      for (let k = 0; k < a.ndim; k++) {
        let p = ix[k]!;
        if (k === d) p = iv[p]!;
        off += p * a.strides[k]!;
      }
      dst[flat] = src[off]!;
    });
    return out;
  },
});

// ---------------------------------------------------------------- gather / scatter

function gatherCheck(self: { shape: readonly IntLike[] }, dimArg: number, index: { dtype: DType; shape: readonly IntLike[] }, op: string, name: 'gather' | 'scatter'): number {
  const dim = wrapDim(dimArg, self.shape.length);
  if (index.dtype !== 'int64') throw new OpArgumentError(op, `${name}(): Expected dtype int64 for index`);
  const nd = Math.max(self.shape.length, 1);
  const ind = Math.max(index.shape.length, 1);
  if (ind !== nd && product(index.shape) !== 0)
    throw new OpArgumentError(op, 'Index tensor must have the same number of dimensions as input tensor');
  if (name === 'gather')
    index.shape.forEach((s, d) => {
      if (d === dim) return;
      const bound = self.shape[d] ?? 1;
      if (typeof s === 'number' && typeof bound === 'number' && s > bound)
        throw new OpArgumentError(
          op,
          `Size does not match at dimension ${d} expected index ${shapeStr(index.shape)} to be no larger than self ${shapeStr(self.shape)} apart from dimension ${dim}`,
        );
    });
  return dim;
}

export const gather = defineOp({
  schema: 'gather(Tensor self, int dim, Tensor index, *, bool sparse_grad=False) -> Tensor',
  groups: [OpGroup.Core],
  meta: ([x, dim, index], ctx) => {
    const m = x as TensorMeta;
    const i = index as TensorMeta;
    gatherCheck(m, dim as number, i, ctx.op, 'gather');
    return meta(m.dtype, i.shape);
  },
  cpu: ([x, dim, index], ctx) => {
    const a = x as NDArray;
    const idx = index as NDArray;
    const d = gatherCheck(a, dim as number, idx, ctx.op, 'gather');
    const out = NDArray.zeros(a.dtype, idx.shape);
    const iOff = idx.offsets();
    const iData = idx.storage.data;
    const src = a.storage.data;
    const dst = out.storage.data;
    const size = a.ndim === 0 ? 1 : a.shape[d]!;
    forEachIndex(idx.shape, (ix, flat) => {
      const p = wrapIndex(iData[iOff[flat]!]!, size, d, 'runtime');
      let off = a.offset;
      for (let k = 0; k < a.ndim; k++) off += (k === d ? p : ix[k]!) * a.strides[k]!;
      dst[flat] = src[off]!;
    });
    return out;
  },
});

function scatterCpu(self: NDArray, dimArg: number, index: NDArray, value: (flat: number) => number, op: string): NDArray {
  const d = gatherCheck(self, dimArg, index, op, 'scatter');
  const out = self.clone();
  const iOff = index.offsets();
  const iData = index.storage.data;
  const dst = out.storage.data;
  const size = self.ndim === 0 ? 1 : self.shape[d]!;
  forEachIndex(index.shape, (ix, flat) => {
    const p = wrapIndex(iData[iOff[flat]!]!, size, d, 'runtime');
    let off = 0;
    for (let k = 0; k < out.ndim; k++) off += (k === d ? p : ix[k]!) * out.strides[k]!;
    dst[off] = roundToDType(out.dtype, value(flat));
  });
  return out;
}

export const scatterSrc = defineOp({
  schema: 'scatter.src(Tensor self, int dim, Tensor index, Tensor src) -> Tensor',
  groups: [OpGroup.Core],
  meta: ([x, dim, index], ctx) => {
    const m = x as TensorMeta;
    gatherCheck(m, dim as number, index as TensorMeta, ctx.op, 'scatter');
    return { dtype: m.dtype, shape: [...m.shape], strides: likeStrides(m) };
  },
  cpu: ([x, dim, index, src], ctx) => {
    const s = src as NDArray;
    const idx = index as NDArray;
    // src is read at the index's positions (src may be larger than index).
    const sv = s.withView(idx.shape, s.strides.slice(0, idx.ndim), s.offset).toArray();
    return scatterCpu(x as NDArray, dim as number, idx, (i) => sv[i]!, ctx.op);
  },
});

export const scatterValue = defineOp({
  schema: 'scatter.value(Tensor self, int dim, Tensor index, Scalar value) -> Tensor',
  groups: [OpGroup.Core],
  meta: ([x, dim, index], ctx) => {
    const m = x as TensorMeta;
    gatherCheck(m, dim as number, index as TensorMeta, ctx.op, 'scatter');
    return { dtype: m.dtype, shape: [...m.shape], strides: likeStrides(m) };
  },
  cpu: ([x, dim, index, value], ctx) => {
    const v = scalarToNumber(value as PyScalar);
    return scatterCpu(x as NDArray, dim as number, index as NDArray, () => v, ctx.op);
  },
});

// ---------------------------------------------------------------- advanced indexing

interface IndexEntry<T> {
  /** Per-dimension index tensors after masks are expanded; null where the dim is taken whole. */
  perDim: Array<T | null>;
}

function checkIndexDTypes(indices: ReadonlyArray<{ dtype: DType } | null>, op: string): void {
  for (const t of indices)
    if (t && !isIndexDType(t.dtype) && !isMaskDType(t.dtype) && t.dtype !== 'int16' && t.dtype !== 'int8')
      throw new IndexOutOfRangeError('tensors used as indices must be long, int, byte or bool tensors');
  void op;
}

function countIndexedDims(indices: ReadonlyArray<{ dtype: DType; shape: readonly unknown[] } | null>, ndim: number): void {
  let used = 0;
  for (const t of indices) used += t && isMaskDType(t.dtype) ? Math.max(t.shape.length, 1) : 1;
  if (used > ndim) throw new IndexOutOfRangeError(`too many indices for tensor of dimension ${ndim} (got ${used})`);
}

function maskShapeError(mask: readonly IntLike[], self: readonly IntLike[], j: number, at: number): IndexOutOfRangeError {
  return new IndexOutOfRangeError(
    `The shape of the mask ${shapeStr(mask)} at index ${j} does not match the shape of the indexed tensor ${shapeStr(self)} at index ${at}`,
  );
}

function indexBroadcast(shapes: ReadonlyArray<readonly IntLike[]>): IntLike[] {
  try {
    return shapes.reduce<IntLike[]>((acc, s) => broadcastShapes(acc, s, 'index'), []);
  } catch (err) {
    if (!(err instanceof OpArgumentError)) throw err;
    throw new IndexOutOfRangeError(`shape mismatch: indexing tensors could not be broadcast together with shapes ${shapes.map(shapeStr).join(', ')}`);
  }
}

/** Where the broadcast index shape goes in the result: adjacent indexed dims keep their place. */
function indexResultShape(selfShape: readonly IntLike[], perDim: ReadonlyArray<unknown>, bshape: readonly IntLike[]): { shape: IntLike[]; adjacent: boolean; first: number } {
  const idxDims = perDim.map((t, i) => (t ? i : -1)).filter((i) => i >= 0);
  const first = idxDims[0]!;
  const last = idxDims[idxDims.length - 1]!;
  const adjacent = last - first + 1 === idxDims.length;
  const rest = selfShape.filter((_, i) => !perDim[i]);
  if (adjacent) return { shape: [...selfShape.slice(0, first), ...bshape, ...selfShape.slice(last + 1)], adjacent, first };
  return { shape: [...bshape, ...rest], adjacent, first };
}

function indexMeta(self: TensorMeta, indices: ReadonlyArray<TensorMeta | null>, ctx: MetaContext): TensorMeta {
  checkIndexDTypes(indices, ctx.op);
  countIndexedDims(indices, self.shape.length);
  const perDim: Array<readonly IntLike[] | null> = [];
  for (const t of indices) {
    if (!t) {
      perDim.push(null);
      continue;
    }
    if (isMaskDType(t.dtype)) {
      const at = perDim.length;
      t.shape.forEach((s, j) => {
        const target = self.shape[at + j]!;
        if (!eqSize(s, target)) throw maskShapeError(t.shape, self.shape, j, at + j);
      });
      const n = t.shape.length === 0 ? ctx.newUnbacked(new ValueRange(0, 1)) : ctx.newUnbacked(rangeForNumel(product(t.shape)));
      if (t.shape.length === 0) perDim.push(null);
      for (let j = 0; j < t.shape.length; j++) perDim.push([n]);
      continue;
    }
    perDim.push(t.shape);
  }
  while (perDim.length < self.shape.length) perDim.push(null);
  const shapes = perDim.filter((x): x is readonly IntLike[] => x !== null);
  if (shapes.length === 0) return { dtype: self.dtype, shape: [...self.shape], strides: likeStrides(self) };
  const b = indexBroadcast(shapes);
  const { shape, adjacent, first } = indexResultShape(self.shape, perDim, b);
  return { dtype: self.dtype, shape, strides: indexOutStrides(self, perDim, b.length, shape, adjacent, first) };
}

/**
 * Output strides of advanced indexing: TensorIterator orders the result like the
 * input's layout, with the broadcast index dims (stride 0 in the restrided input)
 * kept where row-major order puts them.
 */
function indexOutStrides(self: TensorMeta, perDim: ReadonlyArray<unknown>, nb: number, shape: readonly IntLike[], adjacent: boolean, first: number): IntLike[] {
  if (isContiguousMeta(self)) return contiguousStridesSym(shape);
  const kept = self.strides.filter((_, i) => !perDim[i]);
  const zeros = new Array<IntLike>(nb).fill(0);
  const pseudo = adjacent ? [...kept.slice(0, first), ...zeros, ...kept.slice(first)] : [...zeros, ...kept];
  return likeStrides({ dtype: self.dtype, shape, strides: pseudo });
}

/** Row-major source positions (flat index into self's row-major order) of every result element. */
function indexPlan(self: NDArray, indices: ReadonlyArray<NDArray | null>, op: string): { shape: number[]; src: Float64Array } {
  checkIndexDTypes(indices, op);
  countIndexedDims(indices, self.ndim);
  const entry: IndexEntry<NDArray> = { perDim: [] };
  for (const t of indices) {
    if (!t) {
      entry.perDim.push(null);
      continue;
    }
    if (isMaskDType(t.dtype)) {
      const at = entry.perDim.length;
      t.shape.forEach((s, j) => {
        if (s !== self.shape[at + j]) throw maskShapeError(t.shape, self.shape, j, at + j);
      });
      const nz = nonzeroValues(t);
      const k = t.ndim;
      const count = nz.length / Math.max(k, 1);
      if (k === 0) {
        // A 0-d mask adds a dim of size 1 (true) or 0 (false): handled as unsqueeze + index.
        throw new OpArgumentError(op, 'indexing with a 0-dim boolean mask is not supported');
      }
      for (let j = 0; j < k; j++) {
        const col = new Float64Array(count);
        for (let r = 0; r < count; r++) col[r] = nz[r * k + j]!;
        entry.perDim.push(NDArray.fromValues('int64', [count], col));
      }
      continue;
    }
    entry.perDim.push(t);
  }
  while (entry.perDim.length < self.ndim) entry.perDim.push(null);
  const idxTensors = entry.perDim.filter((x): x is NDArray => x !== null);
  const selfStrides = contiguousRowMajor(self.shape);
  if (idxTensors.length === 0) {
    const n = self.numel;
    const src = new Float64Array(n);
    for (let i = 0; i < n; i++) src[i] = i;
    return { shape: [...self.shape], src };
  }
  const bshape = indexBroadcast(idxTensors.map((t) => t.shape)) as number[];
  const { shape, adjacent, first } = indexResultShape(self.shape, entry.perDim, bshape) as { shape: number[]; adjacent: boolean; first: number };
  const idxVals = entry.perDim.map((t) => {
    if (!t) return null;
    const offs = broadcastOffsets(t, bshape);
    const d = t.storage.data;
    return Array.from(offs, (o) => d[o]!);
  });
  const bStrides = contiguousRowMajor(bshape);
  const src = new Float64Array(shape.reduce((a, b) => a * b, 1));
  const nb = bshape.length;
  forEachIndex(shape, (ix, flat) => {
    // Split the result index into the broadcast part and the remaining dims.
    let bPos = 0;
    const restIdx: number[] = [];
    if (adjacent) {
      for (let k = 0; k < nb; k++) bPos += ix[first + k]! * bStrides[k]!;
      for (let k = 0; k < first; k++) restIdx.push(ix[k]!);
      for (let k = first + nb; k < ix.length; k++) restIdx.push(ix[k]!);
    } else {
      for (let k = 0; k < nb; k++) bPos += ix[k]! * bStrides[k]!;
      for (let k = nb; k < ix.length; k++) restIdx.push(ix[k]!);
    }
    let pos = 0;
    let r = 0;
    for (let d = 0; d < self.ndim; d++) {
      const iv = idxVals[d];
      let p: number;
      if (iv) p = wrapIndex(iv[bPos]!, self.shape[d]!, d, 'index');
      else p = restIdx[r++]!;
      pos += p * selfStrides[d]!;
    }
    src[flat] = pos;
  });
  return { shape, src };
}

function contiguousRowMajor(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

export const index = defineOp({
  schema: 'index.Tensor(Tensor self, Tensor?[] indices) -> Tensor',
  groups: [OpGroup.Core],
  meta: ([x, indices], ctx) => {
    return indexMeta(x as TensorMeta, indices as Array<TensorMeta | null>, ctx);
  },
  cpu: ([x, indices], ctx) => {
    const a = x as NDArray;
    const { shape, src } = indexPlan(a, indices as Array<NDArray | null>, ctx.op);
    const out = NDArray.zeros(a.dtype, shape);
    const offs = a.offsets();
    const s = a.storage.data;
    const d = out.storage.data;
    for (let i = 0; i < src.length; i++) d[i] = s[offs[src[i]!]!]!;
    return out;
  },
});

export const index_put = defineOp({
  schema: 'index_put(Tensor self, Tensor?[] indices, Tensor values, bool accumulate=False) -> Tensor',
  groups: [OpGroup.Core],
  meta: ([x, indices, values], ctx) => {
    const m = x as TensorMeta;
    const v = values as TensorMeta;
    if (v.dtype !== m.dtype)
      throw new OpArgumentError(ctx.op, `Index put requires the source and destination dtypes match, got ${dtypeTitle(m.dtype)} for the destination and ${dtypeTitle(v.dtype)} for the source.`);
    indexMeta(m, indices as Array<TensorMeta | null>, ctx);
    // The result is a clone of self: preserve_format strides.
    return { dtype: m.dtype, shape: [...m.shape], strides: likeStrides(m) };
  },
  cpu: ([x, indices, values, accumulate], ctx) => {
    const a = x as NDArray;
    const v = values as NDArray;
    if (v.dtype !== a.dtype)
      throw new OpArgumentError(ctx.op, `Index put requires the source and destination dtypes match, got ${dtypeTitle(a.dtype)} for the destination and ${dtypeTitle(v.dtype)} for the source.`);
    const { shape, src } = indexPlan(a, indices as Array<NDArray | null>, ctx.op);
    let vOffs: Int32Array | Float64Array;
    try {
      broadcastShapes(shape, v.shape);
      if (v.ndim > shape.length || v.shape.some((s, i) => s !== 1 && s !== shape[shape.length - v.ndim + i])) throw new Error();
      vOffs = broadcastOffsets(v, shape);
    } catch (_err) {
      throw new OpArgumentError(ctx.op, `shape mismatch: value tensor of shape ${shapeStr(v.shape)} cannot be broadcast to indexing result of shape ${shapeStr(shape)}`);
    }
    const out = a.clone();
    const d = out.storage.data;
    const vd = v.storage.data;
    for (let i = 0; i < src.length; i++) {
      const val = vd[vOffs[i]!]!;
      d[src[i]!] = roundToDType(out.dtype, accumulate ? d[src[i]!]! + val : val);
    }
    return out;
  },
});

export const index_put_ = defineInplace('index_put_(Tensor(a!) self, Tensor?[] indices, Tensor values, bool accumulate=False) -> Tensor(a!)', index_put);

const dtypeTitle = (d: DType): string =>
  ({ float32: 'Float', float64: 'Double', float16: 'Half', bfloat16: 'BFloat16', int64: 'Long', int32: 'Int', int16: 'Short', int8: 'Char', uint8: 'Byte', bool: 'Bool' })[d];

// ---------------------------------------------------------------- embedding

function embeddingCheck(weight: { shape: readonly unknown[] }, indices: { dtype: DType }, op: string): void {
  if (!isIndexDType(indices.dtype))
    throw new OpArgumentError(
      op,
      `Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got torch.${dtypeTitle(indices.dtype)}Tensor instead (while checking arguments for embedding)`,
    );
  if (weight.shape.length !== 2) throw new OpArgumentError(op, "'weight' must be 2-D");
}

export const embedding = defineOp({
  schema: 'embedding(Tensor weight, Tensor indices, SymInt padding_idx=-1, bool scale_grad_by_freq=False, bool sparse=False) -> Tensor',
  groups: [OpGroup.Core],
  meta: ([w, i], ctx) => {
    const wm = w as TensorMeta;
    const im = i as TensorMeta;
    embeddingCheck(wm, im, ctx.op);
    return meta(wm.dtype, [...im.shape, wm.shape[1]!]);
  },
  cpu: ([w, i], ctx) => {
    const wa = w as NDArray;
    const ia = i as NDArray;
    embeddingCheck(wa, ia, ctx.op);
    const [rows, cols] = wa.shape as [number, number];
    const iv = ia.toArray();
    const out = NDArray.zeros(wa.dtype, [...ia.shape, cols]);
    const src = wa.storage.data;
    const dst = out.storage.data;
    iv.forEach((r, k) => {
      if (r < 0 || r >= rows) throw new IndexOutOfRangeError('index out of range in self');
      for (let c = 0; c < cols; c++) dst[k * cols + c] = src[wa.offset + r * wa.strides[0]! + c * wa.strides[1]!]!;
    });
    return out;
  },
});

// ---------------------------------------------------------------- nonzero / item

/** Coordinates of the non-zero elements, row-major, flattened [count * ndim]. */
function nonzeroValues(a: NDArray): number[] {
  const out: number[] = [];
  const offs = a.offsets();
  const d = a.storage.data;
  // Non-zero as torch counts it: NaN is non-zero (it is falsy in JS).
  forEachIndex(a.shape, (ix, flat) => {
    if (d[offs[flat]!] !== 0) out.push(...ix);
  });
  if (a.ndim === 0 && a.numel === 1 && d[a.offset] !== 0) return [];
  return out;
}

export const nonzero = defineOp({
  schema: 'nonzero(Tensor self) -> Tensor',
  groups: [OpGroup.Core],
  meta: ([x], ctx) => {
    const m = x as TensorMeta;
    const n = ctx.newUnbacked(rangeForNumel(product(m.shape)));
    return meta('int64', [n, m.shape.length]);
  },
  cpu: ([x]) => {
    const a = x as NDArray;
    if (a.ndim === 0) return NDArray.zeros('int64', [Number(a.item()) !== 0 ? 1 : 0, 0]); // NaN counts
    const v = nonzeroValues(a);
    return NDArray.fromValues('int64', [v.length / a.ndim, a.ndim], v);
  },
});

function scalarMeta(x: TensorMeta, ctx: MetaContext): IntLike {
  const n = product(x.shape);
  if (typeof n === 'number' ? n !== 1 : staticallyKnownTrue(symNe(n, 1)))
    throw new OpArgumentError(ctx.op, `a Tensor with ${intLikeToString(n)} elements cannot be converted to Scalar`);
  if (typeof n !== 'number') guardBool(symEq(n, 1));
  return ctx.newUnbacked(x.dtype === 'bool' ? new ValueRange(0, 1) : undefined);
}

function scalarCpu(a: NDArray): PyScalar {
  if (a.numel !== 1) throw new OpArgumentError('aten._local_scalar_dense.default', `a Tensor with ${a.numel} elements cannot be converted to Scalar`);
  const v = a.storage.data[a.offsets()[0]!]!;
  if (a.dtype === 'bool') return v !== 0;
  if (isFloating(a.dtype)) return Number.isInteger(v) ? new PyFloat(v) : v;
  return v;
}

export const _local_scalar_dense = defineOp({
  schema: '_local_scalar_dense(Tensor self) -> Scalar',
  groups: [OpGroup.Core],
  meta: ([x], ctx) => scalarMeta(x as TensorMeta, ctx),
  cpu: ([x]) => scalarCpu(x as NDArray),
});

export const item = defineOp({
  schema: 'item(Tensor self) -> Scalar',
  meta: ([x], ctx) => scalarMeta(x as TensorMeta, ctx),
  cpu: ([x]) => scalarCpu(x as NDArray),
  decomp: ([x], ctx) => ctx.call('aten._local_scalar_dense.default', [x]),
});

// ---------------------------------------------------------------- runtime asserts

export const _assert_scalar = defineOp({
  schema: '_assert_scalar(Scalar self, str assert_msg) -> ()',
  groups: [OpGroup.SideEffect],
  meta: () => undefined,
  cpu: ([cond, msg]) => {
    const v = cond instanceof PyFloat ? cond.value : cond;
    if (!v) throw new RuntimeAssertionError(msg as string);
    return undefined;
  },
});

/** caffe2 TypeMeta names, as `_assert_tensor_metadata` prints the actual dtype. */
const TYPEMETA_NAME: Record<DType, string> = {
  float32: 'float',
  float64: 'double',
  float16: 'c10::Half',
  bfloat16: 'c10::BFloat16',
  int64: 'long int',
  int32: 'int',
  int16: 'short int',
  int8: 'signed char',
  uint8: 'unsigned char',
  bool: 'bool',
};

function assertMetadata(shape: readonly IntLike[], strides: readonly IntLike[], dtype: DType, size: IntLike[] | null, stride: IntLike[] | null, want: DType | null): void {
  const same = (a: readonly IntLike[], b: readonly IntLike[]) => a.length === b.length && a.every((x, i) => typeof x !== 'number' || typeof b[i] !== 'number' || x === b[i]);
  if (size && !same(size, shape)) throw new RuntimeAssertionError(`Tensor sizes mismatch! Expected: ${shapeStr(size)}, Got: ${shapeStr(shape)}`);
  if (stride && !same(stride, strides)) throw new RuntimeAssertionError(`Tensor strides mismatch! Expected: ${shapeStr(stride)}, Got: ${shapeStr(strides)}`);
  if (want && want !== dtype) throw new RuntimeAssertionError(`Tensor dtype mismatch! Expected: ${dtypeTitle(want)}, Got: ${TYPEMETA_NAME[dtype]}`);
}

export const _assert_tensor_metadata = defineOp({
  schema: '_assert_tensor_metadata(Tensor a, SymInt[]? size=None, SymInt[]? stride=None, ScalarType? dtype=None, *, Device? device=None, Layout? layout=None) -> ()',
  groups: [OpGroup.SideEffect],
  meta: ([a, size, stride, dtype]) => {
    const m = a as TensorMeta;
    assertMetadata(m.shape, m.strides, m.dtype, size as IntLike[] | null, stride as IntLike[] | null, dtype as DType | null);
    return undefined;
  },
  cpu: ([a, size, stride, dtype]) => {
    const x = a as NDArray;
    assertMetadata(x.shape, x.strides, x.dtype, size as number[] | null, stride as number[] | null, dtype as DType | null);
    return undefined;
  },
});

// ---------------------------------------------------------------- tril / triu

function trilMeta(x: TensorMeta, op: string, name: string): TensorMeta {
  if (x.shape.length < 2) throw new OpArgumentError(op, `${name}: input tensor must have at least 2 dimensions`);
  return meta(x.dtype, x.shape);
}

function trilCpu(a: NDArray, diagonal: number, lower: boolean, op: string): NDArray {
  if (a.ndim < 2) throw new OpArgumentError(op, `${lower ? 'tril' : 'triu'}: input tensor must have at least 2 dimensions`);
  const out = a.clone();
  const d = out.storage.data;
  const nd = a.ndim;
  forEachIndex(a.shape, (ix, flat) => {
    const diff = ix[nd - 1]! - ix[nd - 2]!;
    const keep = lower ? diff <= diagonal : diff >= diagonal;
    if (!keep) d[flat] = 0;
  });
  return out;
}

function trilDecomp(x: unknown, diagonal: unknown, lower: boolean, ctx: Parameters<NonNullable<OpDef['decomp']>>[1]): unknown {
  const m = ctx.meta(x);
  if (m.shape.length < 2) throw new OpArgumentError(lower ? 'aten.tril.default' : 'aten.triu.default', `${lower ? 'tril' : 'triu'}: input tensor must have at least 2 dimensions`);
  const rows = m.shape[m.shape.length - 2]!;
  const cols = m.shape[m.shape.length - 1]!;
  const fkw = { layout: STRIDED_LAYOUT, device: CPU_DEVICE, pin_memory: false };
  const c = ctx.call('aten.unsqueeze.default', [ctx.call('aten.arange.start_step', [0, cols], fkw), -2]);
  const r = ctx.call('aten.unsqueeze.default', [ctx.call('aten.arange.start_step', [0, rows], fkw), -1]);
  const diff = ctx.call('aten.sub.Tensor', [c, r]);
  const mask = ctx.call(lower ? 'aten.le.Scalar' : 'aten.ge.Scalar', [diff, diagonal]);
  const zero = ctx.call('aten.scalar_tensor.default', [0], { dtype: m.dtype, layout: STRIDED_LAYOUT, device: CPU_DEVICE });
  return ctx.call('aten.where.self', [mask, x, zero]);
}

export const tril = defineOp({
  schema: 'tril(Tensor self, SymInt diagonal=0) -> Tensor',
  meta: ([x], ctx) => trilMeta(x as TensorMeta, ctx.op, 'tril'),
  cpu: ([x, diag], ctx) => trilCpu(x as NDArray, diag as number, true, ctx.op),
  decomp: ([x, diag], ctx) => trilDecomp(x, diag, true, ctx),
});

export const triu = defineOp({
  schema: 'triu(Tensor self, SymInt diagonal=0) -> Tensor',
  meta: ([x], ctx) => trilMeta(x as TensorMeta, ctx.op, 'triu'),
  cpu: ([x, diag], ctx) => trilCpu(x as NDArray, diag as number, false, ctx.op),
  decomp: ([x, diag], ctx) => trilDecomp(x, diag, false, ctx),
});

export const indexingOps: OpDef[] = [
  index_select,
  gather,
  scatterSrc,
  scatterValue,
  index,
  index_put,
  index_put_,
  embedding,
  nonzero,
  _local_scalar_dense,
  item,
  _assert_scalar,
  _assert_tensor_metadata,
  tril,
  triu,
];
