// Shape ops that copy (contiguous, cat, stack, repeat, tile, flip, roll) and the
// symbolic-size ops (sym_size, sym_numel, sym_stride). Views live in
// movement.ts; their shared geometry in view-geometry.ts.

import {
  promoteTypes,
} from '../core/dtype';
import {
  IndexOutOfRangeError,
  OpArgumentError,
} from '../core/errors';
import {
  NDArray,
} from '../core/ndarray';
import {
  type IntLike,
  intLikeToString,
  product,
  staticallyKnownTrue,
  symEq,
  symMod,
  symSub,
} from '../symbolic';
import {
  meta,
  shapeStr,
  wrapDim,
} from './meta-utils';
import {
  defineOp,
} from './registry';
import {
  type OpDef,
  OpGroup,
  type TensorMeta,
} from './types';

import {
  CONTIGUOUS_FORMAT,
  STRIDED_LAYOUT,
  CPU_DEVICE,
  geomOfArray,
  viewArray,
  add,
  mul,
  eqSize,
  mustEq,
  isContiguousMeta,
  isContiguousGuarded,
  likeStrides,
  contiguousCopy,
  unsqueezeGeom,
  forEachIndex,
} from './view-geometry';
import {
  reshapeDecomp,
} from './movement';

// ---------------------------------------------------------------- copies

export const contiguous = defineOp({
  schema: 'contiguous(Tensor(a) self, *, MemoryFormat memory_format=0) -> Tensor(a)',
  meta: ([x]) => {
    const m = x as TensorMeta;
    // see Note [Contiguity guards of contiguous()]
    return isContiguousGuarded(m) ? m : meta(m.dtype, m.shape);
  },
  cpu: ([x]) => {
    const a = x as NDArray;
    return a.isContiguous() ? a : contiguousCopy(a);
  },
  decomp: ([x], ctx) => (isContiguousMeta(ctx.meta(x)) ? x : ctx.call('aten.clone.default', [x], { memory_format: CONTIGUOUS_FORMAT })),
});

/** cat's output metadata, with torch's checks. Legacy 1-D empty tensors are skipped. */
function catMeta(tensors: readonly TensorMeta[], dimArg: number, op: string): TensorMeta {
  if (tensors.length === 0) throw new OpArgumentError(op, 'torch.cat(): expected a non-empty list of Tensors');
  const dtype = tensors.map((t) => t.dtype).reduce((a, b) => promoteTypes(a, b));
  const isLegacy = (t: TensorMeta) => t.shape.length === 1 && eqSize(t.shape[0]!, 0);
  const live = tensors.map((t, i) => ({ t, i })).filter(({ t }) => !isLegacy(t));
  if (live.length === 0) return meta(dtype, [0]);
  const ref = live[0]!.t;
  const dim = wrapDim(dimArg, ref.shape.length);
  if (ref.shape.length === 0) throw new OpArgumentError(op, `zero-dimensional tensor (at position ${live[0]!.i}) cannot be concatenated`);
  let total: IntLike = 0;
  for (const { t, i } of live) {
    if (t.shape.length === 0) throw new OpArgumentError(op, `zero-dimensional tensor (at position ${i}) cannot be concatenated`);
    if (t.shape.length !== ref.shape.length)
      throw new OpArgumentError(op, `Tensors must have same number of dimensions: got ${ref.shape.length} and ${t.shape.length}`);
    t.shape.forEach((s, d) => {
      if (d === dim) return;
      if (!mustEq(s, ref.shape[d]!))
        throw new OpArgumentError(
          op,
          `Sizes of tensors must match except in dimension ${dim}. Expected size ${intLikeToString(ref.shape[d]!)} but got size ${intLikeToString(s)} for tensor number ${i} in the list.`,
        );
    });
    total = add(total, t.shape[dim]!);
  }
  const shape = [...ref.shape];
  shape[dim] = total;
  return meta(dtype, shape);
}

const arrayMeta = (a: NDArray): TensorMeta => ({ dtype: a.dtype, shape: a.shape, strides: a.strides });

export function catArrays(tensors: readonly NDArray[], dimArg: number, op: string): NDArray {
  const m = catMeta(tensors.map(arrayMeta), dimArg, op);
  const out = NDArray.zeros(m.dtype, m.shape as number[]);
  if (out.numel === 0 && m.shape.length === 1) return out;
  const dim = wrapDim(dimArg, m.shape.length);
  let start = 0;
  for (const t of tensors) {
    if (t.ndim === 1 && t.shape[0] === 0) continue;
    const dst = out.withView(t.shape, out.strides, start * out.strides[dim]!);
    dst.copyFrom(t);
    start += t.shape[dim]!;
  }
  return out;
}

export const cat = defineOp({
  schema: 'cat(Tensor[] tensors, int dim=0) -> Tensor',
  groups: [OpGroup.Core],
  meta: ([ts, dim], ctx) => catMeta(ts as TensorMeta[], dim as number, ctx.op),
  cpu: ([ts, dim], ctx) => catArrays(ts as NDArray[], dim as number, ctx.op),
});

function checkStack(shapes: ReadonlyArray<readonly IntLike[]>, op: string): void {
  if (shapes.length === 0) throw new OpArgumentError(op, 'stack expects a non-empty TensorList');
  const ref = shapes[0]!;
  shapes.forEach((s, i) => {
    if (s.length !== ref.length || !s.every((x, d) => mustEq(x, ref[d]!)))
      throw new OpArgumentError(op, `stack expects each tensor to be equal size, but got ${shapeStr(ref)} at entry 0 and ${shapeStr(s)} at entry ${i}`);
  });
}

export const stack = defineOp({
  schema: 'stack(Tensor[] tensors, int dim=0) -> Tensor',
  meta: ([ts, dimArg], ctx) => {
    const tensors = ts as TensorMeta[];
    checkStack(
      tensors.map((x) => x.shape),
      ctx.op,
    );
    const dim = wrapDim(dimArg as number, tensors[0]!.shape.length + 1);
    const shape = [...tensors[0]!.shape];
    shape.splice(dim, 0, tensors.length);
    return meta(tensors.map((x) => x.dtype).reduce((a, b) => promoteTypes(a, b)), shape);
  },
  cpu: ([ts, dimArg], ctx) => {
    const tensors = ts as NDArray[];
    checkStack(
      tensors.map((x) => x.shape),
      ctx.op,
    );
    const dim = wrapDim(dimArg as number, tensors[0]!.ndim + 1);
    return catArrays(
      tensors.map((x) => viewArray(x, unsqueezeGeom(geomOfArray(x), dim))),
      dim,
      ctx.op,
    );
  },
  decomp: ([ts, dimArg], ctx) => {
    const tensors = ts as unknown[];
    if (tensors.length === 0) throw new OpArgumentError('aten.stack.default', 'stack expects a non-empty TensorList');
    const first = ctx.meta(tensors[0]);
    const dim = wrapDim(dimArg as number, first.shape.length + 1);
    if (dim < first.shape.length) {
      checkStack(
        tensors.map((x) => ctx.meta(x).shape),
        'aten.stack.default',
      );
      const sizes = [...first.shape];
      sizes.splice(dim, 0, tensors.length);
      const out = ctx.call('aten.cat.default', [[...tensors], dim]);
      return ctx.call('aten.view.default', [out, sizes]);
    }
    const us = tensors.map((x) => ctx.call('aten.unsqueeze.default', [x, dim]));
    return ctx.call('aten.cat.default', [us, dimArg]);
  },
});

function repeatShape(shape: readonly IntLike[], repeats: readonly IntLike[], op: string): IntLike[] {
  if (repeats.length < shape.length)
    throw new OpArgumentError(op, 'Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor');
  const pad = repeats.length - shape.length;
  return repeats.map((r, i) => (i < pad ? r : mul(shape[i - pad]!, r)));
}

export const repeat = defineOp({
  schema: 'repeat(Tensor self, SymInt[] repeats) -> Tensor',
  groups: [OpGroup.Core],
  meta: ([x, reps], ctx) => {
    const m = x as TensorMeta;
    return meta(m.dtype, repeatShape(m.shape, reps as IntLike[], ctx.op));
  },
  cpu: ([x, reps], ctx) => {
    const a = x as NDArray;
    const shape = repeatShape(a.shape, reps as number[], ctx.op) as number[];
    const out = NDArray.zeros(a.dtype, shape);
    const pad = shape.length - a.ndim;
    const src = a.storage.data;
    const dst = out.storage.data;
    forEachIndex(shape, (idx, flat) => {
      let off = a.offset;
      for (let d = 0; d < a.ndim; d++) off += (idx[d + pad]! % a.shape[d]!) * a.strides[d]!;
      dst[flat] = src[off]!;
    });
    return out;
  },
});

export const tile = defineOp({
  schema: 'tile(Tensor self, SymInt[] dims) -> Tensor',
  meta: ([x, dims], ctx) => repeat.meta([x, tileReps((x as TensorMeta).shape.length, dims as IntLike[])], ctx),
  cpu: ([x, dims], ctx) => repeat.cpu([x, tileReps((x as NDArray).ndim, dims as number[])], ctx),
  decomp: ([x, dims], ctx) => ctx.call('aten.repeat.default', [x, tileReps(ctx.meta(x).shape.length, dims as IntLike[])]),
});

function tileReps(ndim: number, dims: readonly IntLike[]): IntLike[] {
  return dims.length < ndim ? [...new Array<IntLike>(ndim - dims.length).fill(1), ...dims] : [...dims];
}

function wrapUniqueDims(dims: readonly number[], ndim: number, op: string): number[] {
  const w = dims.map((d) => wrapDim(d, ndim));
  const seen = new Set<number>();
  for (const d of w) {
    if (seen.has(d)) throw new OpArgumentError(op, `dim ${d} appears multiple times in the list of dims`);
    seen.add(d);
  }
  return w;
}

export const flip = defineOp({
  schema: 'flip(Tensor self, int[] dims) -> Tensor',
  groups: [OpGroup.Core],
  meta: ([x, dims], ctx) => {
    const m = x as TensorMeta;
    wrapUniqueDims(dims as number[], m.shape.length, ctx.op);
    // The result is empty_like(self): preserve_format strides.
    return { dtype: m.dtype, shape: [...m.shape], strides: likeStrides(m) };
  },
  cpu: ([x, dims], ctx) => {
    const a = x as NDArray;
    const w = new Set(wrapUniqueDims(dims as number[], a.ndim, ctx.op));
    let offset = a.offset;
    const strides = a.strides.map((s, d) => {
      if (!w.has(d) || a.shape[d] === 0) return s;
      offset += (a.shape[d]! - 1) * s;
      return -s;
    });
    return a.withView(a.shape, strides, offset).clone();
  },
});

function rollArgs(nd: number, shifts: readonly IntLike[], dims: readonly number[], op: string): { shifts: IntLike[]; dims: number[] } {
  if (shifts.length === 0) throw new OpArgumentError(op, '`shifts` required');
  if (dims.length === 0 && shifts.length === 1) return { shifts: [...shifts], dims: [] };
  if (shifts.length !== dims.length) throw new OpArgumentError(op, `shifts and dimensions must align. shifts: ${shifts.length}, dims:${dims.length}`);
  if (nd === 0) throw new IndexOutOfRangeError(`Dimension specified as ${dims[0]} but tensor has no dimensions`);
  return { shifts: [...shifts], dims: dims.map((d) => wrapDim(d, nd)) };
}

const pyMod = (a: number, b: number): number => a - Math.floor(a / b) * b;

export const roll = defineOp({
  schema: 'roll(Tensor self, SymInt[1] shifts, int[1] dims=[]) -> Tensor',
  meta: ([x, shifts, dims], ctx) => {
    const m = x as TensorMeta;
    rollArgs(m.shape.length, shifts as IntLike[], dims as number[], ctx.op);
    return meta(m.dtype, m.shape);
  },
  cpu: ([x, shiftsArg, dimsArg], ctx) => {
    const a = x as NDArray;
    const { shifts, dims } = rollArgs(a.ndim, shiftsArg as number[], dimsArg as number[], ctx.op);
    if (a.numel === 0) return a.clone();
    if (dims.length === 0) {
      const flat = a.clone();
      const n = flat.numel;
      const out = NDArray.zeros(a.dtype, a.shape);
      const s = pyMod(shifts[0] as number, n);
      for (let i = 0; i < n; i++) out.storage.data[(i + s) % n] = flat.storage.data[i]!;
      return out;
    }
    const out = NDArray.zeros(a.dtype, a.shape);
    const src = a.storage.data;
    const dst = out.storage.data;
    const shiftOf = new Array<number>(a.ndim).fill(0);
    dims.forEach((d, i) => (shiftOf[d] = pyMod(shiftOf[d]! + (shifts[i] as number), a.shape[d]!)));
    forEachIndex(a.shape, (idx, flat) => {
      let off = a.offset;
      for (let d = 0; d < a.ndim; d++) off += pyMod(idx[d]! - shiftOf[d]!, a.shape[d]!) * a.strides[d]!;
      dst[flat] = src[off]!;
    });
    return out;
  },
  decomp: ([x, shiftsArg, dimsArg], ctx) => {
    const m = ctx.meta(x);
    const { shifts, dims } = rollArgs(m.shape.length, shiftsArg as IntLike[], dimsArg as number[], 'aten.roll.default');
    if (staticallyKnownTrue(symEq(product(m.shape), 0))) return ctx.call('aten.clone.default', [x]);
    const rollOne = (t: unknown, shift: IntLike, dim: number): unknown => {
      const size = ctx.meta(t).shape[dim]!;
      const start = typeof size === 'number' && typeof shift === 'number' ? pyMod(size - shift, size) : symMod(symSub(size, shift), size);
      const idx = ctx.call('aten.arange.start_step', [0, size], { layout: STRIDED_LAYOUT, device: CPU_DEVICE, pin_memory: false });
      const sum = ctx.call('aten.add.Tensor', [idx, start]);
      const fm = ctx.call('aten.fmod.Scalar', [sum, size]);
      return ctx.call('aten.index_select.default', [t, dim, fm]);
    };
    if (dims.length === 0) {
      const flat = reshapeDecomp(ctx, x, [product(m.shape)], 'aten.roll.default');
      const r = rollOne(flat, shifts[0]!, 0);
      return ctx.call('aten.view.default', [r, [...m.shape]]);
    }
    let cur: unknown = x;
    dims.forEach((d, i) => (cur = rollOne(cur, shifts[i]!, d)));
    return cur;
  },
});

// ---------------------------------------------------------------- symbolic sizes

export const sym_size = defineOp({
  schema: 'sym_size.int(Tensor self, int dim) -> SymInt',
  groups: [OpGroup.Core, OpGroup.SymScalar],
  meta: ([x, dim]) => {
    const m = x as TensorMeta;
    return m.shape[wrapDim(dim as number, m.shape.length)]!;
  },
  cpu: ([x, dim]) => {
    const a = x as NDArray;
    return a.shape[wrapDim(dim as number, a.ndim)]!;
  },
});

export const sym_numel = defineOp({
  schema: 'sym_numel(Tensor self) -> SymInt',
  groups: [OpGroup.Core, OpGroup.SymScalar],
  meta: ([x]) => product((x as TensorMeta).shape),
  cpu: ([x]) => (x as NDArray).numel,
});

export const sym_stride = defineOp({
  schema: 'sym_stride.int(Tensor self, int dim) -> SymInt',
  groups: [OpGroup.Core, OpGroup.SymScalar],
  meta: ([x, dim]) => {
    const m = x as TensorMeta;
    return m.strides[wrapDim(dim as number, m.shape.length)]!;
  },
  cpu: ([x, dim]) => {
    const a = x as NDArray;
    return a.strides[wrapDim(dim as number, a.ndim)]!;
  },
});

export const shapeOps: OpDef[] = [contiguous, cat, stack, repeat, tile, flip, roll, sym_size, sym_numel, sym_stride];
