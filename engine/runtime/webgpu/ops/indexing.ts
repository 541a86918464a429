// WebGPU kernels: indexing and scatter (index_select, gather, scatter,
// index.Tensor, index_put), joined here with the sort/topk, pooling and extra
// conv/matmul kernels (ops/sort.ts, ops/pool.ts) into INDEX_KERNELS.
//
// Operands: see operands.ts; addressing: Note [Indexed addressing] in
// index-programs.ts.
//
// nonzero (ops/nonzero.ts) counts on the GPU and reads back only the count.
// Left on the host: index/index_put with a boolean mask that lives on the GPU
// (its output size is the data). Masks on the host are expanded to
// coordinates there.

import { NDArray, contiguousStrides } from '../../../core/ndarray';
import { isPyScalar, scalarToNumber } from '../../../core/scalar';
import { type GpuKernel, type GpuCtx } from '../gpu-kernels';
import { gpuStorage, isGpu } from '../gpu-exec';
import { type ElemType } from '../program';
import { dataOperand, indexOperand, isI32, onGpu, operandAs } from './operands';
import { type IndexOperand, fillI32Program, fillI32Run, gatherProgram, gatherRun, scatterProgram, scatterRun } from './index-programs';
import { NONZERO_KERNELS } from './nonzero';
import { POOL_KERNELS } from './pool';
import { SORT_KERNELS } from './sort';
import { broadcastShapes } from '../../cpu/elementwise';

/** Storage-buffer bindings a stage may use (WebGPU's default limit is 8). */
const MAX_INDEX_TENSORS = 5;

const wrapDim = (d: number, n: number): number => (d < 0 ? d + Math.max(n, 1) : d);
const numel = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** out (contiguous, `shape`) ← data read per Note [Indexed addressing]. */
function gatherInto(g: GpuCtx, data: { t: NDArray; type: ElemType }, shape: readonly number[], eff: readonly number[], idx: ReadonlyArray<{ t: NDArray } & IndexOperand>): NDArray {
  const out = g.exec.alloc(shape, data.type, data.t.dtype);
  g.exec.dispatch(gatherProgram(shape.length, idx.length, data.type), [data.t, ...idx.map((k) => k.t)], [out], gatherRun(shape, eff, data.t.offset, idx));
  return out;
}

/** A contiguous copy of a GPU tensor of either element type (bit-exact for i32). */
export function cloneGpu(g: GpuCtx, data: { t: NDArray; type: ElemType }): NDArray {
  return gatherInto(g, data, data.t.shape, data.t.strides, []);
}

/** Indexed writes into `dst` (any strides), last writer wins or accumulating (Note [Deterministic scatter]). */
function scatterInto(
  g: GpuCtx,
  dst: NDArray,
  type: ElemType,
  shape: readonly number[],
  eff: readonly number[],
  idx: ReadonlyArray<{ t: NDArray } & IndexOperand>,
  value: NDArray | number,
  valueStrides: readonly number[],
  accumulate: boolean,
  distinct = false,
): void {
  if (numel(shape) === 0) return;
  const R = shape.length, K = idx.length;
  const vt = value instanceof NDArray ? value : undefined;
  const scalar = typeof value === 'number' ? value : 0;
  const vops = vt ? { strides: valueStrides, offset: vt.offset } : undefined;
  const idxT = idx.map((k) => k.t);
  const run = scatterRun(shape, eff, dst.offset, idx, vops, scalar, type);
  const inputs = vt ? [vt, ...idxT] : idxT;
  if (accumulate) {
    g.exec.dispatch(scatterProgram(R, K, type, 'add', !!vt), inputs, [dst], run);
    return;
  }
  if (distinct) {
    g.exec.dispatch(scatterProgram(R, K, type, 'store', !!vt), inputs, [dst], run);
    return;
  }
  const elems = gpuStorage(dst).elems;
  const winners = g.exec.alloc([elems], 'i32', 'int32');
  g.exec.dispatch(fillI32Program(), [], [winners], fillI32Run(elems, -1));
  g.exec.dispatch(scatterProgram(R, K, type, 'claim', !!vt), idxT, [winners], run);
  g.exec.dispatch(scatterProgram(R, K, type, 'write', !!vt), [...inputs, winners], [dst], run);
  g.exec.recycle(gpuStorage(winners));
}

function indexSelect(g: GpuCtx, x: unknown, dim: unknown, index: unknown): NDArray | undefined {
  const data = dataOperand(g, x);
  const gi = indexOperand(g, index);
  if (!data || !gi || typeof dim !== 'number' || data.t.ndim === 0 || gi.ndim > 1) return undefined;
  const a = data.t;
  const d = wrapDim(dim, a.ndim);
  const shape = [...a.shape];
  shape[d] = gi.numel;
  const eff = [...a.strides];
  eff[d] = 0;
  const strides = shape.map((_, j) => (j === d && gi.ndim === 1 ? gi.strides[0]! : 0));
  return gatherInto(g, data, shape, eff, [{ t: gi, strides, offset: gi.offset, size: a.shape[d]!, stride: a.strides[d]! }]);
}

/** gather/scatter: the index may not exceed self outside `dim` (torch checks; the host raises). */
const fitsOutside = (index: NDArray, self: NDArray, d: number): boolean => index.shape.every((s, j) => j === d || s <= self.shape[j]!);

function gather(g: GpuCtx, x: unknown, dim: unknown, index: unknown): NDArray | undefined {
  const data = dataOperand(g, x);
  const gi = indexOperand(g, index);
  if (!data || !gi || typeof dim !== 'number' || data.t.ndim === 0 || gi.ndim !== data.t.ndim) return undefined;
  const a = data.t;
  const d = wrapDim(dim, a.ndim);
  if (!fitsOutside(gi, a, d)) return undefined;
  const eff = a.strides.map((s, j) => (j === d ? 0 : s));
  return gatherInto(g, data, gi.shape, eff, [{ t: gi, strides: gi.strides, offset: gi.offset, size: a.shape[d]!, stride: a.strides[d]! }]);
}

function scatter(g: GpuCtx, x: unknown, dim: unknown, index: unknown, src: unknown): NDArray | undefined {
  const data = dataOperand(g, x);
  const gi = indexOperand(g, index);
  if (!data || !gi || typeof dim !== 'number' || data.t.ndim === 0 || gi.ndim !== data.t.ndim || !fitsOutside(gi, data.t, wrapDim(dim, gi.ndim))) return undefined;
  let value: NDArray | number;
  let vs: number[] = [];
  if (isPyScalar(src)) {
    if (data.type === 'i32' && data.t.dtype === 'bool') return undefined;
    value = scalarToNumber(src);
    if (data.type === 'i32') value = Math.trunc(value);
    if (data.type === 'i32' && !isI32(value)) return undefined;
  } else {
    const s = operandAs(g, src, data.type);
    if (!s || s.ndim !== gi.ndim || !gi.shape.every((v, j) => v <= s.shape[j]!)) return undefined;
    value = s;
    vs = s.strides.slice(0, gi.ndim);
  }
  const out = cloneGpu(g, data);
  const d = wrapDim(dim, out.ndim);
  const eff = out.strides.map((s, j) => (j === d ? 0 : s));
  const distinct = index instanceof NDArray && !onGpu(index) && scatterTargetsDistinct(index, d, out.shape[d]!);
  scatterInto(g, out, data.type, gi.shape, eff, [{ t: gi, strides: gi.strides, offset: gi.offset, size: out.shape[d]!, stride: out.strides[d]! }], value, vs, false, distinct);
  return out;
}

/** Whether a host scatter index names each target once: (position outside d, wrapped value) pairs are distinct. */
function scatterTargetsDistinct(index: NDArray, d: number, size: number): boolean {
  const offs = index.offsets();
  const data = index.storage.data;
  const inner = index.shape.slice(d + 1).reduce((a, b) => a * b, 1);
  const len = index.shape[d]!;
  const seen = new Set<number>();
  for (let f = 0; f < offs.length; f++) {
    const v = Number(data[offs[f]!]);
    const w = v < 0 ? v + size : v;
    // The target's position: f with its coordinate along d replaced by w.
    const outer = Math.floor(f / (inner * len)), rest = f % inner;
    const key = (outer * size + w) * inner + rest;
    if (seen.has(key)) return false;
    seen.add(key);
  }
  return true;
}

/** Whether host index tensors (broadcast to `b`) name distinct index tuples. */
function tuplesDistinct(hosts: ReadonlyArray<{ t: NDArray; size: number }>, b: readonly number[]): boolean {
  const n = b.reduce((x, y) => x * y, 1);
  const cols = hosts.map(({ t, size }) => {
    const st = b.map((s, j) => {
      const k = j - (b.length - t.ndim);
      return k < 0 || (t.shape[k] === 1 && s !== 1) ? 0 : t.strides[k]!;
    });
    const offs = t.withView(b, st, t.offset).offsets();
    const data = t.storage.data;
    return { size, at: (i: number) => Number(data[offs[i]!]) };
  });
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) {
    let key = 0;
    for (const c of cols) {
      const v = c.at(i);
      key = key * c.size + (v < 0 ? v + c.size : v);
    }
    if (seen.has(key)) return false;
    seen.add(key);
  }
  return true;
}

/** Row-major coordinates of the non-zero elements of a host mask, one column per mask dim. */
function maskCoords(mask: NDArray): NDArray[] {
  const offs = mask.offsets();
  const data = mask.storage.data;
  const cols: number[][] = mask.shape.map(() => []);
  const ix = new Array<number>(mask.ndim).fill(0);
  for (let f = 0; f < offs.length; f++) {
    if (data[offs[f]!]) ix.forEach((c, j) => cols[j]!.push(c));
    for (let j = mask.ndim - 1; j >= 0; j--) {
      if (++ix[j]! < mask.shape[j]!) break;
      ix[j] = 0;
    }
  }
  return cols.map((c) => NDArray.fromValues('int64', [c.length], c));
}

/**
 * Advanced indexing of `target` (on the GPU) by `indices`: the result shape
 * (torch's placement: adjacent indexed dims stay in place, else they lead), the
 * target's strides over it and the index operands.
 */
function indexPlan(
  g: GpuCtx,
  target: NDArray,
  indices: unknown,
): { shape: number[]; eff: number[]; idx: Array<{ t: NDArray } & IndexOperand>; distinct: () => boolean } | undefined {
  if (!Array.isArray(indices)) return undefined;
  const perDim: Array<NDArray | null> = [];
  /** The host form of each dim's index (for the distinct-targets check). */
  const host = new Map<number, NDArray>();
  for (const t of indices as unknown[]) {
    if (t == null) perDim.push(null);
    else if (t instanceof NDArray && (t.dtype === 'bool' || t.dtype === 'uint8')) {
      // A mask's result size is its count of true values: known here only for a host mask.
      if (onGpu(t) || t.ndim === 0) return undefined;
      const at = perDim.length;
      if (t.shape.some((s, j) => s !== target.shape[at + j])) return undefined;
      for (const c of maskCoords(t)) {
        host.set(perDim.length, c);
        perDim.push(g.gpu(c, 'i32'));
      }
    } else {
      const gi = indexOperand(g, t);
      if (!gi) return undefined;
      if (!onGpu(t as NDArray)) host.set(perDim.length, t as NDArray);
      perDim.push(gi);
    }
  }
  if (perDim.length > target.ndim) return undefined;
  while (perDim.length < target.ndim) perDim.push(null);
  const dims = perDim.map((t, i) => (t ? i : -1)).filter((i) => i >= 0);
  if (dims.length === 0 || dims.length > MAX_INDEX_TENSORS) return undefined;
  const b = broadcastShapes(dims.map((d) => perDim[d]!.shape));
  if (!b) return undefined;
  const first = dims[0]!, last = dims[dims.length - 1]!;
  const adjacent = last - first + 1 === dims.length;
  const bStart = adjacent ? first : 0;
  const shape: number[] = [];
  const eff: number[] = [];
  const keep = (d: number) => {
    shape.push(target.shape[d]!);
    eff.push(target.strides[d]!);
  };
  if (adjacent) for (let d = 0; d < first; d++) keep(d);
  for (const s of b) {
    shape.push(s);
    eff.push(0);
  }
  for (let d = adjacent ? last + 1 : 0; d < target.ndim; d++) if (!perDim[d]) keep(d);
  const idx = dims.map((d) => {
    const t = perDim[d]!;
    const bs = b.map((s, j) => {
      const k = j - (b.length - t.ndim);
      return k < 0 || (t.shape[k] === 1 && s !== 1) ? 0 : t.strides[k]!;
    });
    const strides = shape.map((_, j) => (j >= bStart && j < bStart + b.length ? bs[j - bStart]! : 0));
    return { t, strides, offset: t.offset, size: target.shape[d]!, stride: target.strides[d]! };
  });
  // Distinct index tuples name distinct targets (the kept dims add distinct offsets).
  const distinct = () => dims.every((d) => host.has(d)) && tuplesDistinct(dims.map((d) => ({ t: host.get(d)!, size: target.shape[d]! })), b);
  return { shape, eff, idx, distinct };
}

function index(g: GpuCtx, x: unknown, indices: unknown): NDArray | undefined {
  const data = dataOperand(g, x);
  if (!data) return undefined;
  const plan = indexPlan(g, data.t, indices);
  return plan && gatherInto(g, data, plan.shape, plan.eff, plan.idx);
}

function indexPut(g: GpuCtx, x: unknown, indices: unknown, values: unknown, accumulate: unknown, inPlace: boolean): NDArray | undefined {
  if (inPlace && !isGpu(x)) return undefined; // a host self must be mutated where it lives
  const data = dataOperand(g, x);
  if (!data || (data.type === 'i32' && data.t.dtype === 'bool' && accumulate)) return undefined;
  let v = operandAs(g, values, data.type);
  if (!v || (values as NDArray).dtype !== data.t.dtype) return undefined;
  // The plan addresses the destination: self in place, else its contiguous clone (made once the plan holds).
  const a = data.t;
  const plan = indexPlan(g, inPlace ? a : a.withView(a.shape, contiguousStrides(a.shape), 0), indices);
  if (!plan) return undefined;
  const { shape } = plan;
  if (v.ndim > shape.length || v.shape.some((s, i) => s !== 1 && s !== shape[shape.length - v!.ndim + i])) return undefined;
  // A writable binding may not alias a read one: values sharing self's buffer are copied; such indices stay on the host.
  const buf = gpuStorage(a).buffer;
  if (inPlace && plan.idx.some((k) => gpuStorage(k.t).buffer === buf)) return undefined;
  if (inPlace && gpuStorage(v).buffer === buf) v = cloneGpu(g, { t: v, type: data.type });
  const dst = inPlace ? a : cloneGpu(g, data);
  const vs = shape.map((s, j) => {
    const k = j - (shape.length - v!.ndim);
    return k < 0 || (v!.shape[k] === 1 && s !== 1) ? 0 : v!.strides[k]!;
  });
  scatterInto(g, dst, data.type, shape, plan.eff, plan.idx, v, vs, Boolean(accumulate), !accumulate && plan.distinct());
  return dst;
}

export const INDEX_KERNELS: ReadonlyArray<readonly [string, GpuKernel]> = [
  ['aten.index_select.default', ([x, dim, idx], g) => indexSelect(g, x, dim, idx)],
  ['aten.gather.default', ([x, dim, idx], g) => gather(g, x, dim, idx)],
  ['aten.scatter.src', ([x, dim, idx, src], g) => scatter(g, x, dim, idx, src)],
  ['aten.scatter.value', ([x, dim, idx, value], g) => scatter(g, x, dim, idx, value)],
  ['aten.index.Tensor', ([x, indices], g) => index(g, x, indices)],
  ['aten.index_put.default', ([x, indices, values, acc], g) => indexPut(g, x, indices, values, acc, false)],
  ['aten.index_put_.default', ([x, indices, values, acc], g) => indexPut(g, x, indices, values, acc, true)],
  ...SORT_KERNELS,
  ...POOL_KERNELS,
  ...NONZERO_KERNELS,
];
