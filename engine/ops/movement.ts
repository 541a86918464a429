// Views and shape ops: view/reshape/permute/expand/slice/select/split/cat … .
//
// View ops (OpGroup.View) return tensors sharing their input's storage: their
// meta computes sizes, strides and storage offset exactly as PyTorch does (so a
// later `view` can tell whether it is stride-compatible), and their CPU kernel
// returns `x.withView(shape, strides, offset)`. Geometry is computed once, over
// IntLike, by the functions below; meta and cpu both call them (plain numbers are
// IntLike too). Comparisons on symbolic sizes go through `eqSize`/`ltSize`, which
// decide statically when the ranges allow and otherwise guard on the hint
// (guard_or_false), as PyTorch's symbolic meta functions do.
//
// Decompositions mirror what torch 2.13's run_decompositions() prints (checked
// against /tmp/ref and the 2.11 corpus): transpose/t/movedim → permute,
// reshape/flatten/unflatten/view_as → view (clone(contiguous_format) + view when
// not viewable), contiguous → clone(memory_format=torch.contiguous_format),
// narrow → slice, split/chunk → split_with_sizes, unbind → slice… + squeeze.dims…,
// stack → cat + view (or unsqueeze… + cat on the last dim), tile → repeat,
// roll → arange + add + fmod + index_select, squeeze.default/dim → squeeze.dims.

import {
  itemSize,
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
  symAdd,
  symFloorDiv,
} from '../symbolic';
import {
  meta,
  wrapDim,
} from './meta-utils';
import {
  defineOp,
} from './registry';
import {
  type DecompContext,
  type OpDef,
  OpGroup,
  type TensorMeta,
} from './types';

import {
  CONTIGUOUS_FORMAT,
  geomOfMeta,
  geomOfArray,
  viewMeta,
  viewArray,
  viewOp,
  add,
  eqSize,
  listStr,
  inferSize,
  computeStride,
  viewGeom,
  reshapeCopy,
  permuteGeom,
  transposePerm,
  expandGeom,
  unsqueezeGeom,
  squeezeGeom,
  sliceGeom,
  selectGeom,
  narrowArgs,
  splitSizesOf,
  splitWithSizesGeoms,
  multiViewOp,
  type Geometry,
} from './view-geometry';

export { CONTIGUOUS_FORMAT, PRESERVE_FORMAT, STRIDED_LAYOUT, CPU_DEVICE, INT64_MAX, eqSize, ltSize, forEachIndex, isContiguousMeta, likeStrides, physicalLayout, inferSize, exactDiv, computeStride, sliceGeom } from './view-geometry';
// ---------------------------------------------------------------- views

export const view = viewOp('view(Tensor(a) self, SymInt[] size) -> Tensor(a)', (g, a, op) => viewGeom(g, a[1] as IntLike[], op));

// Like view (same checks and geometry), but autograd does not treat the result as a view.
export const _unsafe_view = defineOp({
  schema: '_unsafe_view(Tensor self, SymInt[] size) -> Tensor',
  meta: ([x, size], ctx) => {
    const m = x as TensorMeta;
    return viewMeta(m.dtype, viewGeom(geomOfMeta(m), size as IntLike[], ctx.op));
  },
  cpu: ([x, size], ctx) => {
    const a = x as NDArray;
    return viewArray(a, viewGeom(geomOfArray(a), size as number[], ctx.op));
  },
  decomp: ([x, size], ctx) => ctx.call('aten.view.default', [x, size]),
});

/** reshape/flatten's rewrite: view when the strides allow, else clone(contiguous) + view. */
export function reshapeDecomp(ctx: DecompContext, x: unknown, size: readonly IntLike[], op: string): unknown {
  const m = ctx.meta(x);
  const shape = inferSize(size, product(m.shape), op);
  if (computeStride(m.shape, m.strides, shape)) return ctx.call('aten.view.default', [x, [...size]]);
  const c = ctx.call('aten.clone.default', [x], { memory_format: CONTIGUOUS_FORMAT });
  return ctx.call('aten.view.default', [c, shape]);
}

/** reshape's CPU semantics: a view when stride-compatible, else a contiguous copy. */
function reshapeCpu(x: NDArray, size: readonly number[], op: string): NDArray {
  const shape = inferSize(size, x.numel, op) as number[];
  const strides = computeStride(x.shape, x.strides, shape);
  if (strides) return x.withView(shape, strides as number[], x.offset);
  return reshapeCopy(x, shape);
}

export const reshape = defineOp({
  schema: 'reshape(Tensor(a) self, SymInt[] shape) -> Tensor(a)',
  meta: ([x, size], ctx) => {
    const m = x as TensorMeta;
    const shape = inferSize(size as IntLike[], product(m.shape), ctx.op);
    const strides = computeStride(m.shape, m.strides, shape);
    return strides ? viewMeta(m.dtype, { shape, strides, offset: m.storageOffset ?? 0 }) : meta(m.dtype, shape);
  },
  cpu: ([x, size], ctx) => reshapeCpu(x as NDArray, size as number[], ctx.op),
  decomp: ([x, size], ctx) => reshapeDecomp(ctx, x, size as IntLike[], 'aten.reshape.default'),
});

export const view_as = viewOp('view_as(Tensor(a) self, Tensor other) -> Tensor(a)', (g, a, op) => viewGeom(g, (a[1] as { shape: readonly IntLike[] }).shape, op), {
  groups: [OpGroup.View],
  decomp: ([x, other], ctx) => ctx.call('aten.view.default', [x, [...ctx.meta(other).shape]]),
});

export const permute = viewOp('permute(Tensor(a) self, int[] dims) -> Tensor(a)', (g, a, op) => permuteGeom(g, a[1] as number[], op));

/** transpose/t with equal dims (or t on <2-D) decompose to alias; otherwise to permute. */
function transposeDecomp(ctx: DecompContext, x: unknown, d0: number, d1: number): unknown {
  const nd = ctx.meta(x).shape.length;
  if (nd === 0) return ctx.call('aten.alias.default', [x]);
  const a = wrapDim(d0, nd);
  const b = wrapDim(d1, nd);
  if (a === b) return ctx.call('aten.alias.default', [x]);
  return ctx.call('aten.permute.default', [x, transposePerm(nd, a, b)]);
}

export const transpose = viewOp(
  'transpose.int(Tensor(a) self, int dim0, int dim1) -> Tensor(a)',
  (g, a) => (g.shape.length === 0 ? { ...g } : permuteGeom(g, transposePerm(g.shape.length, a[1] as number, a[2] as number), 'aten.transpose.int')),
  { groups: [OpGroup.View], decomp: ([x, d0, d1], ctx) => transposeDecomp(ctx, x, d0 as number, d1 as number) },
);

function tCheck(nd: number, op: string): void {
  if (nd > 2) throw new OpArgumentError(op, `t() expects a tensor with <= 2 dimensions, but self is ${nd}D`);
}

export const t = viewOp(
  't(Tensor(a) self) -> Tensor(a)',
  (g, _a, op) => {
    tCheck(g.shape.length, op);
    return g.shape.length < 2 ? { ...g } : permuteGeom(g, [1, 0], op);
  },
  {
    groups: [OpGroup.View],
    decomp: ([x], ctx) => {
      const nd = ctx.meta(x).shape.length;
      tCheck(nd, 'aten.t.default');
      return nd < 2 ? ctx.call('aten.alias.default', [x]) : ctx.call('aten.permute.default', [x, [1, 0]]);
    },
  },
);

export const swapaxes = viewOp(
  'swapaxes(Tensor(a) self, int axis0, int axis1) -> Tensor(a)',
  (g, a) => (g.shape.length === 0 ? { ...g } : permuteGeom(g, transposePerm(g.shape.length, a[1] as number, a[2] as number), 'aten.swapaxes.default')),
  { groups: [OpGroup.View], decomp: ([x, d0, d1], ctx) => transposeDecomp(ctx, x, d0 as number, d1 as number) },
);

function movedimPerm(nd: number, src: readonly number[], dst: readonly number[], op: string): number[] {
  if (src.length !== dst.length)
    throw new OpArgumentError(op, `movedim: Invalid source or destination dims: source (${listStr(src)} dims) should contain the same number of dims as destination (${listStr(dst)} dims)`);
  const s = src.map((d) => wrapDim(d, nd));
  const d = dst.map((x) => wrapDim(x, nd));
  if (new Set(s).size !== s.length) throw new OpArgumentError(op, `movedim: repeated dim in \`source\` (${listStr(src)})`);
  if (new Set(d).size !== d.length) throw new OpArgumentError(op, `movedim: repeated dim in \`destination\` (${listStr(dst)})`);
  const perm = new Array<number>(nd).fill(-1);
  s.forEach((sd, i) => (perm[d[i]!] = sd));
  const restSrc = Array.from({ length: nd }, (_, i) => i).filter((i) => !s.includes(i));
  let k = 0;
  for (let i = 0; i < nd; i++) if (perm[i] === -1) perm[i] = restSrc[k++]!;
  return perm;
}

export const movedimInt = viewOp(
  'movedim.int(Tensor(a) self, int source, int destination) -> Tensor(a)',
  (g, a, op) => permuteGeom(g, movedimPerm(g.shape.length, [a[1] as number], [a[2] as number], op), op),
  { groups: [OpGroup.View], decomp: ([x, s, d], ctx) => ctx.call('aten.permute.default', [x, movedimPerm(ctx.meta(x).shape.length, [s as number], [d as number], 'aten.movedim.int')]) },
);

export const movedimIntlist = viewOp(
  'movedim.intlist(Tensor(a) self, int[] source, int[] destination) -> Tensor(a)',
  (g, a, op) => permuteGeom(g, movedimPerm(g.shape.length, a[1] as number[], a[2] as number[], op), op),
  {
    groups: [OpGroup.View],
    decomp: ([x, s, d], ctx) => ctx.call('aten.permute.default', [x, movedimPerm(ctx.meta(x).shape.length, s as number[], d as number[], 'aten.movedim.intlist')]),
  },
);

export const expand = viewOp('expand(Tensor(a) self, SymInt[] size, *, bool implicit=False) -> Tensor(a)', (g, a, op) => expandGeom(g, a[1] as IntLike[], op));

export const expand_as = viewOp('expand_as(Tensor(a) self, Tensor other) -> Tensor(a)', (g, a, op) => expandGeom(g, (a[1] as { shape: readonly IntLike[] }).shape, op), {
  groups: [OpGroup.View],
  decomp: ([x, other], ctx) => ctx.call('aten.expand.default', [x, [...ctx.meta(other).shape]]),
});

export const unsqueeze = viewOp('unsqueeze(Tensor(a) self, int dim) -> Tensor(a)', (g, a) => unsqueezeGeom(g, a[1] as number));

export const squeezeDim = viewOp('squeeze.dim(Tensor(a) self, int dim) -> Tensor(a)', (g, a) => squeezeGeom(g, [a[1] as number]), {
  decomp: ([x, dim], ctx) => ctx.call('aten.squeeze.dims', [x, [dim]]),
});

export const squeezeDims = viewOp('squeeze.dims(Tensor(a) self, int[] dim) -> Tensor(a)', (g, a) => squeezeGeom(g, a[1] as number[]));

export const squeeze = viewOp('squeeze(Tensor(a) self) -> Tensor(a)', (g) => squeezeGeom(g, undefined), {
  groups: [OpGroup.View],
  decomp: ([x], ctx) => ctx.call('aten.squeeze.dims', [x, ctx.meta(x).shape.map((_, i) => i)]),
});

export const alias = viewOp('alias(Tensor(a) self) -> Tensor(a)', (g) => ({ ...g }));

function flattenShape(shape: readonly IntLike[], start: number, end: number, op: string): { shape: IntLike[]; noop: boolean } {
  if (shape.length === 0) return { shape: [1], noop: false };
  const s = wrapDim(start, shape.length);
  const e = wrapDim(end, shape.length);
  if (s > e) throw new OpArgumentError(op, 'flatten() has invalid args: start_dim cannot come after end_dim');
  if (s === e) return { shape: [...shape], noop: true };
  const merged = product(shape.slice(s, e + 1));
  return { shape: [...shape.slice(0, s), merged, ...shape.slice(e + 1)], noop: false };
}

export const flatten = defineOp({
  schema: 'flatten.using_ints(Tensor(a) self, int start_dim=0, int end_dim=-1) -> Tensor(a)',
  meta: ([x, s, e], ctx) => {
    const m = x as TensorMeta;
    const f = flattenShape(m.shape, s as number, e as number, ctx.op);
    if (f.noop) return m;
    const strides = computeStride(m.shape, m.strides, f.shape);
    return strides ? viewMeta(m.dtype, { shape: f.shape, strides, offset: m.storageOffset ?? 0 }) : meta(m.dtype, f.shape);
  },
  cpu: ([x, s, e], ctx) => {
    const a = x as NDArray;
    const f = flattenShape(a.shape, s as number, e as number, ctx.op);
    return f.noop ? a : reshapeCpu(a, f.shape as number[], ctx.op);
  },
  decomp: ([x, s, e], ctx) => {
    const m = ctx.meta(x);
    const f = flattenShape(m.shape, s as number, e as number, 'aten.flatten.using_ints');
    if (f.noop) return x;
    return reshapeDecomp(ctx, x, f.shape, 'aten.flatten.using_ints');
  },
});

function unflattenShape(shape: readonly IntLike[], dimArg: number, sizes: readonly IntLike[], op: string): IntLike[] {
  const dim = wrapDim(dimArg, shape.length);
  if (sizes.length === 0) throw new OpArgumentError(op, 'unflatten: sizes must be non-empty');
  const dimSize = shape[dim]!;
  let inferred: IntLike[];
  try {
    inferred = inferSize(sizes, dimSize, op);
  } catch (err) {
    if (!(err instanceof OpArgumentError)) throw err;
    if (sizes.some((s) => s === -1)) throw err;
    throw new OpArgumentError(op, `unflatten: Provided sizes ${listStr(sizes)} don't multiply up to the size of dim ${dimArg} (${intLikeToString(dimSize)}) in the input tensor`);
  }
  return [...shape.slice(0, dim), ...inferred, ...shape.slice(dim + 1)];
}

export const unflatten = viewOp(
  'unflatten.int(Tensor(a) self, int dim, SymInt[] sizes) -> Tensor(a)',
  (g, a, op) => viewGeom(g, unflattenShape(g.shape, a[1] as number, a[2] as IntLike[], op), op),
  {
    groups: [OpGroup.View],
    decomp: ([x, dim, sizes], ctx) => ctx.call('aten.view.default', [x, unflattenShape(ctx.meta(x).shape, dim as number, sizes as IntLike[], 'aten.unflatten.int')]),
  },
);

// Not viewOp: the meta function needs ctx.newUnbacked (Note [Unbacked slice bounds]).
export const slice = defineOp({
  schema: 'slice.Tensor(Tensor(a) self, int dim=0, SymInt? start=None, SymInt? end=None, SymInt step=1) -> Tensor(a)',
  groups: [OpGroup.View, OpGroup.Core],
  meta: (a, ctx) => {
    const x = a[0] as TensorMeta;
    return viewMeta(x.dtype, sliceGeom(geomOfMeta(x), a[1] as number, a[2] as IntLike | null, a[3] as IntLike | null, a[4] as IntLike, ctx.op, (r) => ctx.newUnbacked(r)));
  },
  cpu: (a, ctx) => {
    const x = a[0] as NDArray;
    return viewArray(x, sliceGeom(geomOfArray(x), a[1] as number, a[2] as IntLike | null, a[3] as IntLike | null, a[4] as IntLike, ctx.op));
  },
});

export const select = viewOp('select.int(Tensor(a) self, int dim, SymInt index) -> Tensor(a)', (g, a) => selectGeom(g, a[1] as number, a[2] as IntLike));

export const narrow = viewOp(
  'narrow(Tensor(a) self, int dim, SymInt start, SymInt length) -> Tensor(a)',
  (g, a, op) => {
    const { dim, start } = narrowArgs(g, a[1] as number, a[2] as IntLike, a[3] as IntLike, op);
    return sliceGeom(g, dim, start, add(start, a[3] as IntLike), 1, op);
  },
  {
    groups: [OpGroup.View],
    decomp: ([x, dim, start, length], ctx) => {
      const { start: s } = narrowArgs(geomOfMeta(ctx.meta(x)), dim as number, start as IntLike, length as IntLike, 'aten.narrow.default');
      return ctx.call('aten.slice.Tensor', [x, dim, s, add(s, length as IntLike)]);
    },
  },
);

export const splitWithSizes = multiViewOp(
  'split_with_sizes(Tensor(a -> *) self, SymInt[] split_sizes, int dim=0) -> Tensor(a)[]',
  (g, a, op) => splitWithSizesGeoms(g, a[1] as IntLike[], a[2] as number, op),
  undefined,
  true,
);

function splitTensorSizes(shape: readonly IntLike[], splitSize: IntLike, dimArg: number, op: string): IntLike[] {
  if (shape.length === 0) throw new OpArgumentError(op, 'split expects at least a 1-dimensional tensor');
  return splitSizesOf(shape[wrapDim(dimArg, shape.length)]!, splitSize, op);
}

export const split = multiViewOp(
  'split.Tensor(Tensor(a -> *) self, SymInt split_size, int dim=0) -> Tensor(a)[]',
  (g, a, op) => splitWithSizesGeoms(g, splitTensorSizes(g.shape, a[1] as IntLike, a[2] as number, op), a[2] as number, op),
  ([x, ss, dim], ctx) => ctx.call('aten.split_with_sizes.default', [x, splitTensorSizes(ctx.meta(x).shape, ss as IntLike, dim as number, 'aten.split.Tensor'), dim]),
);

function chunkSizes(shape: readonly IntLike[], chunks: number, dimArg: number, op: string): IntLike[] {
  if (shape.length === 0) throw new OpArgumentError(op, 'chunk expects at least a 1-dimensional tensor');
  if (chunks <= 0) throw new OpArgumentError(op, `chunk expects \`chunks\` to be greater than 0, got: ${chunks}`);
  const size = shape[wrapDim(dimArg, shape.length)]!;
  const splitSize = typeof size === 'number' ? Math.floor((size + chunks - 1) / chunks) : symFloorDiv(symAdd(size, chunks - 1), chunks);
  if (eqSize(splitSize, 0) && eqSize(size, 0)) {
    const out = new Array<IntLike>(chunks).fill(0);
    return out;
  }
  return splitSizesOf(size, splitSize, op);
}

export const chunk = multiViewOp(
  'chunk(Tensor(a -> *) self, int chunks, int dim=0) -> Tensor(a)[]',
  (g, a, op) => splitWithSizesGeoms(g, chunkSizes(g.shape, a[1] as number, a[2] as number, op), a[2] as number, op),
  ([x, chunks, dim], ctx) => ctx.call('aten.split_with_sizes.default', [x, chunkSizes(ctx.meta(x).shape, chunks as number, dim as number, 'aten.chunk.default'), dim]),
);

export const unbind = multiViewOp(
  'unbind.int(Tensor(a -> *) self, int dim=0) -> Tensor(a)[]',
  (g, a) => {
    if (g.shape.length === 0) throw new IndexOutOfRangeError('Dimension specified as 0 but tensor has no dimensions');
    const dim = wrapDim(a[1] as number, g.shape.length);
    const n = g.shape[dim]!;
    if (typeof n !== 'number') throw new OpArgumentError('aten.unbind.int', 'unbind over a symbolic dimension is not supported');
    return Array.from({ length: n }, (_, i) => selectGeom(g, dim, i));
  },
  ([x, dimArg], ctx) => {
    const m = ctx.meta(x);
    if (m.shape.length === 0) throw new IndexOutOfRangeError('Dimension specified as 0 but tensor has no dimensions');
    const dim = wrapDim(dimArg as number, m.shape.length);
    const n = m.shape[dim]!;
    if (typeof n !== 'number') throw new OpArgumentError('aten.unbind.int', 'unbind over a symbolic dimension is not supported');
    const slices = Array.from({ length: n }, (_, i) => ctx.call('aten.slice.Tensor', [x, dim, i, i + 1]));
    return slices.map((s) => ctx.call('aten.squeeze.dims', [s, [dim]]));
  },
);

function asStridedGeom(g: Geometry, a: unknown[], op: string): Geometry {
  const size = a[1] as IntLike[];
  const stride = a[2] as IntLike[];
  if (size.length !== stride.length) throw new OpArgumentError(op, 'mismatch in length of strides and shape');
  return { shape: [...size], strides: [...stride], offset: (a[3] as IntLike | null) ?? g.offset };
}

export const as_strided = defineOp({
  schema: 'as_strided(Tensor(a) self, SymInt[] size, SymInt[] stride, SymInt? storage_offset=None) -> Tensor(a)',
  groups: [OpGroup.View, OpGroup.Core],
  meta: (args, ctx) => {
    const x = args[0] as TensorMeta;
    return viewMeta(x.dtype, asStridedGeom(geomOfMeta(x), args, ctx.op));
  },
  cpu: (args, ctx) => {
    const x = args[0] as NDArray;
    const g = asStridedGeom(geomOfArray(x), args, ctx.op);
    const shape = g.shape as number[];
    const strides = g.strides as number[];
    const offset = g.offset as number;
    // Bounds check against the storage, as torch's setStorage does (sizes in bytes).
    if (!shape.includes(0)) {
      let maxOff = offset;
      shape.forEach((s, i) => (maxOff += (s - 1) * strides[i]!));
      const item = itemSize(x.dtype);
      const need = (maxOff + 1) * item;
      const have = x.storage.data.length * item;
      if (need > have)
        throw new OpArgumentError(
          ctx.op,
          `setStorage: sizes ${listStr(shape)}, strides ${listStr(strides)}, storage offset ${offset}, and itemsize ${item} requiring a storage size of ${need} are out of bounds for storage of size ${have}`,
        );
    }
    return x.withView(shape, strides, offset);
  },
});


export const movementOps: OpDef[] = [
  view,
  _unsafe_view,
  reshape,
  view_as,
  permute,
  transpose,
  t,
  swapaxes,
  movedimInt,
  movedimIntlist,
  expand,
  expand_as,
  unsqueeze,
  squeezeDim,
  squeezeDims,
  squeeze,
  alias,
  flatten,
  unflatten,
  slice,
  select,
  narrow,
  split,
  splitWithSizes,
  chunk,
  unbind,
  as_strided,
];
