// WebGPU kernels: Reductions (sum/mean/max/arg*/var/std/any/all/norms), scans, log_softmax, group/batch norm forms.
//
// Every reduction here runs the general program of reduce-program.ts (one
// dispatch, or two or three for few long rows: chunk partials, their reduction
// or merge, and for batch/group norm the normalization); this file reads the op's arguments (dims, keepdim, dtype,
// correction, ord, eps), applies torch's dtype rules (sum/prod/cumsum of
// integers and bools give int64, any/all give bool, mean/var/std/norm need a
// floating input) and returns undefined where the host should decide (float64 or
// half inputs, host-side integer tensors, empty reductions that must raise, and
// arguments this path does not model) so the CPU kernel runs or raises there.
// Integer sums and products wrap at 32 bits (i32 buffers hold the int64 values).

import { type DType, isIntegral } from '../../../core/dtype';
import { NDArray, contiguousStrides } from '../../../core/ndarray';
import { isPyScalar, scalarToNumber } from '../../../core/scalar';
import { dtypeArg } from '../../../ops/reduction';
import { GpuStorage } from '../gpu-exec';
import { BASE_KERNELS, type GpuCtx, type GpuKernel, contiguousGpu } from '../gpu-kernels';
import { type ElemType } from '../program';
import { type NormOrd, type ReduceDims, type ReduceGeometry, type ReduceScalars, type ReduceSpec, reduceProgram, reduceRun, scanProgram, scanRun } from './reduce-program';

/** A tensor argument on the GPU with its buffer element type and torch dtype. */
interface GIn {
  readonly x: NDArray;
  readonly t: ElemType;
  readonly dtype: DType;
}

/** GPU tensors as they are (f32 float32, i32 int64/int32/bool); host float32 uploaded; anything else stays on the host. */
function gin(g: GpuCtx, v: unknown): GIn | undefined {
  if (!(v instanceof NDArray)) return undefined;
  if (v.storage instanceof GpuStorage) {
    const t = v.storage.elemType;
    const d = v.dtype;
    const ok = t === 'f32' ? d === 'float32' : d === 'int64' || d === 'int32' || d === 'bool';
    return ok ? { x: v, t, dtype: d } : undefined;
  }
  return v.dtype === 'float32' ? { x: g.gpu(v), t: 'f32', dtype: 'float32' } : undefined;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : isPyScalar(v) ? scalarToNumber(v) : undefined);

function dtypeOf(v: unknown): DType | null | undefined {
  try {
    return dtypeArg(v);
  } catch {
    return undefined;
  }
}

/**
 * Sorted, wrapped reduction dims; undefined for a bad dim (the host raises).
 * None means every dim; an empty list means every dim too unless `emptyIsNone`
 * (any.dims / all.dims reduce nothing over `[]`, as torch does).
 */
function dimsOf(dim: unknown, nd: number, emptyIsNone = false): number[] | undefined {
  const list = dim === null || dim === undefined ? null : Array.isArray(dim) ? (dim as unknown[]) : [dim];
  if (list && !list.every((d) => typeof d === 'number' && Number.isInteger(d))) return undefined;
  const lim = Math.max(nd, 1);
  const out: number[] = [];
  for (const d of (list ?? []) as number[]) {
    if (d < -lim || d >= lim) return undefined;
    const w = d < 0 ? d + lim : d;
    if (out.includes(w)) return undefined;
    out.push(w);
  }
  if (nd === 0) return [];
  if (!list || (list.length === 0 && !emptyIsNone)) return [...Array(nd).keys()];
  return out.sort((a, b) => a - b);
}

/** Drop size-1 dims and merge neighbours that are one block in every stride set. */
function coalesce(shape: readonly number[], strides: ReadonlyArray<readonly number[]>): { shape: number[]; strides: number[][] } {
  const s: number[] = [];
  const st: number[][] = strides.map(() => []);
  for (let i = 0; i < shape.length; i++) {
    const n = shape[i]!;
    if (n === 1) continue;
    const k = s.length - 1;
    if (k >= 0 && strides.every((x, j) => st[j]![k] === x[i]! * n)) {
      s[k] = s[k]! * n;
      strides.forEach((x, j) => (st[j]![k] = x[i]!));
    } else {
      s.push(n);
      strides.forEach((x, j) => st[j]!.push(x[i]!));
    }
  }
  return { shape: s, strides: st };
}

const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

function outShapeOf(x: NDArray, dims: readonly number[], keepdim: boolean): number[] {
  const red = new Set(dims);
  return x.shape.flatMap((s, d) => (red.has(d) ? (keepdim ? [1] : []) : [s]));
}

/**
 * Dispatch the reduction of `x` over `dims` into `outputs` (outputs[0] indexed by
 * row unless `writeOut`, an x-shaped output read through its strides, is given).
 */
function launch(g: GpuCtx, spec: ReduceSpec, x: NDArray, dims: readonly number[], outputs: NDArray[], sc: ReduceScalars = {}, params: NDArray[] = [], writeOut?: NDArray): void {
  const { d, rows, n } = geometryOf(x, dims, writeOut);
  if (rows === 0) return;
  if (splits(rows, n) && SPLITTABLE.has(spec.kind) && !writeOut) {
    // Few long rows: partials over chunks of each row, then one more reduction of the partials.
    // Compensated float sums leave (sum, compensation) pairs.
    const partial = splitPass(g, spec, x, d, n, spec.kind === 'sum' && spec.accType === 'f32' ? 2 : 1, { ...sc, f0: 1 });
    const w = partial.strides[0]!;
    launch(g, { kind: spec.kind, inType: spec.accType, accType: spec.accType }, partial.withView([rows, w], [w, 1], 0), [1], outputs, sc);
    free(g, partial);
    return;
  }
  if (splits(rows, n) && (spec.kind === 'argmax' || spec.kind === 'argmin') && !writeOut) {
    // Few long rows: each chunk's first extreme and its row index, then the first extreme among them.
    const split = chunking(n);
    const vals = g.exec.alloc([rows, split.chunks], spec.inType), idx = g.exec.alloc([rows, split.chunks], 'i32');
    const geo: ReduceGeometry = { keptRank: d.keptShape.length, redRank: d.redShape.length, perThread: false, split: true };
    g.exec.dispatch(reduceProgram({ ...spec, values: true }, geo), [x], [vals, idx], reduceRun(geo, d, x.offset, sc, split));
    launch(g, { ...spec, gather: true }, vals, [1], outputs, sc, [idx]);
    free(g, vals, idx);
    return;
  }
  const geo: ReduceGeometry = { keptRank: d.keptShape.length, redRank: d.redShape.length, perThread: MERGES.has(spec.kind) || (n <= 32 && rows >= 128) };
  g.exec.dispatch(reduceProgram(spec, geo), [x, ...params], outputs, reduceRun(geo, d, x.offset, sc));
}

/** Coalesced kept / reduced geometry of `x` over `dims` (output strides from `writeOut`, else the contiguous result's). */
function geometryOf(x: NDArray, dims: readonly number[], writeOut?: NDArray): { d: ReduceDims; rows: number; n: number } {
  const red = new Set(dims);
  const kept = [...Array(x.ndim).keys()].filter((d) => !red.has(d));
  const pick = (ds: readonly number[], a: readonly number[]) => ds.map((d) => a[d]!);
  const keptShape = pick(kept, x.shape);
  const k = coalesce(keptShape, [pick(kept, x.strides), writeOut ? pick(kept, writeOut.strides) : contiguousStrides(keptShape)]);
  const r = coalesce(pick(dims, x.shape), [pick(dims, x.strides), writeOut ? pick(dims, writeOut.strides) : pick(dims, x.strides)]);
  const d = { keptShape: k.shape, keptX: k.strides[0]!, keptOut: k.strides[1]!, redShape: r.shape, redX: r.strides[0]!, redOut: r.strides[1]! };
  return { d, rows: prod(k.shape), n: prod(r.shape) };
}

/**
 * Give temporaries back to the pool once their last reader is recorded: dispatches
 * run in recorded order, so a later user of the buffer writes it only after.
 */
function free(g: GpuCtx, ...ts: NDArray[]): void {
  for (const t of ts) g.exec.recycle(t.storage as GpuStorage);
}

const splits = (rows: number, n: number): boolean => rows <= SPLIT_ROWS && n >= SPLIT_LEN;

/** Chunks of a split row: at most MAX_CHUNKS, about CHUNK long, none empty. */
function chunking(n: number): { chunks: number; len: number } {
  const len = Math.ceil(n / Math.min(MAX_CHUNKS, Math.ceil(n / CHUNK)));
  return { chunks: Math.ceil(n / len), len };
}

/** A split pass of `spec` over chunks of each row into a fresh [rows, chunks] view of `per`-value partials. */
function splitPass(g: GpuCtx, spec: ReduceSpec, x: NDArray, d: ReduceDims, n: number, per: number, sc: ReduceScalars = {}): NDArray {
  const split = chunking(n);
  const rows = prod(d.keptShape);
  const partial = g.exec.alloc([rows, split.chunks * per], spec.accType);
  const geo: ReduceGeometry = { keptRank: d.keptShape.length, redRank: d.redShape.length, perThread: false, split: true };
  g.exec.dispatch(reduceProgram(spec, geo), [x], [partial], reduceRun(geo, d, x.offset, sc, split));
  return partial.withView([rows, split.chunks], [split.chunks * per, per], 0);
}

/** Kinds whose partial results reduce by the same kind (the split path). */
const SPLITTABLE: ReadonlySet<string> = new Set(['sum', 'prod', 'max', 'min', 'any', 'all']);
/** Kinds that merge a row's partials in one invocation. */
const MERGES: ReadonlySet<string> = new Set(['var_merge', 'std_merge', 'bn_merge', 'lse_merge']);
const SPLIT_ROWS = 32, SPLIT_LEN = 8192, CHUNK = 2048, MAX_CHUNKS = 1024, MAX_SCAN_CHUNKS = 256;
const MOMENTS: ReduceSpec = { kind: 'moments', inType: 'f32', accType: 'f32' };

const accOf = (d: DType, from: ElemType): ElemType | undefined => (d === 'float32' ? 'f32' : d === 'int64' || (d === 'int32' && from === 'i32') ? 'i32' : undefined);

/** sum / mean / prod over `dims`, with torch's output dtype. */
function sumLike(g: GpuCtx, kind: 'sum' | 'mean' | 'prod', xv: unknown, dim: unknown, keepdim: unknown, dtype: unknown): NDArray | undefined {
  const x = gin(g, xv);
  const dt = dtypeOf(dtype);
  if (!x || dt === undefined) return undefined;
  const out = kind === 'mean' ? (dt ?? x.dtype) : (dt ?? (isIntegral(x.dtype, true) ? 'int64' : x.dtype));
  if (kind === 'mean' && out !== 'float32') return undefined;
  const acc = accOf(out, x.t);
  const dims = dimsOf(dim, x.x.ndim);
  if (!acc || !dims) return undefined;
  const res = g.exec.alloc(outShapeOf(x.x, dims, keepdim === true), acc, out);
  const n = prod(dims.map((d) => x.x.shape[d]!));
  launch(g, { kind: kind === 'mean' ? 'sum' : kind, inType: x.t, accType: acc }, x.x, dims, [res], { f0: kind === 'mean' ? n : 1 });
  return res;
}

/** amax/amin/max/min (values only) and any/all: the output keeps the input's element type, or is bool. */
function extreme(g: GpuCtx, kind: 'max' | 'min' | 'any' | 'all', xv: unknown, dim: unknown, keepdim: unknown, emptyIsNone = false): NDArray | undefined {
  const x = gin(g, xv);
  const dims = x && dimsOf(dim, x.x.ndim, emptyIsNone);
  if (!x || !dims) return undefined;
  const n = prod(dims.map((d) => x.x.shape[d]!));
  const bool = kind === 'any' || kind === 'all';
  if (!bool && n === 0) return undefined; // torch raises
  const res = bool ? g.exec.alloc(outShapeOf(x.x, dims, keepdim === true), 'i32', 'bool') : g.exec.alloc(outShapeOf(x.x, dims, keepdim === true), x.t, x.dtype);
  launch(g, { kind, inType: x.t, accType: bool ? 'i32' : x.t }, x.x, dims, [res]);
  return res;
}

/** argmax/argmin (dim None: over everything), and max.dim/min.dim (values and indices). */
function argLike(g: GpuCtx, kind: 'argmax' | 'argmin', xv: unknown, dim: unknown, keepdim: unknown, values: boolean): NDArray | NDArray[] | undefined {
  const x = gin(g, xv);
  if (!x || (values && typeof dim !== 'number')) return undefined;
  const dims = dimsOf(dim === null || dim === undefined ? null : [dim], x.x.ndim);
  if (!dims || x.x.numel === 0) return undefined; // torch raises on empty reductions
  const shape = outShapeOf(x.x, dims, keepdim === true);
  const idx = g.exec.alloc(shape, 'i32', 'int64');
  if (!values) {
    launch(g, { kind, inType: x.t, accType: x.t }, x.x, dims, [idx]);
    return idx;
  }
  const vals = g.exec.alloc(shape, x.t, x.dtype);
  launch(g, { kind, inType: x.t, accType: x.t, values: true }, x.x, dims, [vals, idx]);
  return [vals, idx];
}

function variance(g: GpuCtx, xv: unknown, dim: unknown, correction: number | undefined, keepdim: unknown, sqrt: boolean): NDArray | undefined {
  const x = gin(g, xv);
  const dims = x && dimsOf(dim, x.x.ndim);
  if (!x || x.t !== 'f32' || !dims || correction === undefined) return undefined;
  const res = g.exec.alloc(outShapeOf(x.x, dims, keepdim === true));
  const { d, rows, n } = geometryOf(x.x, dims);
  if (rows > 0 && splits(rows, n)) {
    // Few long rows: per-chunk (count, mean, M2), merged per row.
    const partial = splitPass(g, MOMENTS, x.x, d, n, 3);
    launch(g, { kind: sqrt ? 'std_merge' : 'var_merge', inType: 'f32', accType: 'f32' }, partial, [1], [res], { f0: correction });
    free(g, partial);
  } else launch(g, { kind: sqrt ? 'std' : 'var', inType: 'f32', accType: 'f32' }, x.x, dims, [res], { f0: correction });
  return res;
}

function logsumexp(g: GpuCtx, xv: unknown, dim: unknown, keepdim: unknown): NDArray | undefined {
  const x = gin(g, xv);
  // torch rejects dim=[] (the host raises or decides).
  const dims = x && Array.isArray(dim) && dim.length > 0 ? dimsOf(dim, x.x.ndim) : undefined;
  if (!x || !dims) return undefined;
  const res = g.exec.alloc(outShapeOf(x.x, dims, keepdim === true));
  if (!splitLse(g, x, dims, res, false)) launch(g, { kind: 'lse', inType: x.t, accType: 'f32' }, x.x, dims, [res]);
  return res;
}

/** Few long rows: chunk (max, sum exp) pairs merged per row into `out` (log-sum-exp); false when not split. */
function splitLse(g: GpuCtx, x: GIn, dims: readonly number[], out: NDArray, softmax: boolean): boolean {
  const { d, rows, n } = geometryOf(x.x, dims);
  if (rows === 0 || !splits(rows, n)) return false;
  const partial = splitPass(g, { kind: 'lse_part', inType: x.t, accType: 'f32' }, x.x, d, n, 2);
  launch(g, { kind: 'lse_merge', inType: 'f32', accType: 'f32', softmax }, partial, [1], [out]);
  free(g, partial);
  return true;
}

function vectorNorm(g: GpuCtx, xv: unknown, ordV: unknown, dim: unknown, keepdim: unknown, dtype: unknown): NDArray | undefined {
  const x = gin(g, xv);
  const ord = num(ordV);
  const dt = dtypeOf(dtype);
  const dims = x && dimsOf(dim, x.x.ndim);
  if (!x || x.t !== 'f32' || ord === undefined || Number.isNaN(ord) || !dims || (dt !== null && dt !== 'float32')) return undefined;
  const kind: NormOrd = ord === Infinity ? 'inf' : ord === -Infinity ? '-inf' : ord === 0 ? '0' : ord === 1 ? '1' : ord === 2 ? '2' : 'p';
  const res = g.exec.alloc(outShapeOf(x.x, dims, keepdim === true));
  launch(g, { kind: 'norm', inType: 'f32', accType: 'f32', ord: kind }, x.x, dims, [res], { f0: ord });
  return res;
}

function cumulative(g: GpuCtx, op: 'sum' | 'prod', xv: unknown, dim: unknown, dtype: unknown): NDArray | undefined {
  const x = gin(g, xv);
  const dt = dtypeOf(dtype);
  if (!x || dt === undefined || typeof dim !== 'number') return undefined;
  const out = dt ?? (isIntegral(x.dtype, true) ? 'int64' : x.dtype);
  const acc = accOf(out, x.t);
  const nd = x.x.ndim;
  const lim = Math.max(nd, 1);
  if (!acc || dim < -lim || dim >= lim) return undefined;
  const d = dim < 0 ? dim + lim : dim;
  const res = g.exec.alloc(x.x.shape, acc, out);
  if (x.x.numel === 0) return res;
  const lanes = [...Array(nd).keys()].filter((i) => i !== d);
  const c = coalesce(lanes.map((i) => x.x.shape[i]!), [lanes.map((i) => x.x.strides[i]!), lanes.map((i) => res.strides[i]!)]);
  const len = nd === 0 ? 1 : x.x.shape[d]!;
  const run = (chunks?: number, chunkLen?: number) => scanRun(c.shape, c.strides[0]!, c.strides[1]!, len, x.x.offset, nd ? x.x.strides[d]! : 0, nd ? res.strides[d]! : 0, chunks, chunkLen);
  if (!splits(prod(c.shape), len)) {
    g.exec.dispatch(scanProgram(op, x.t, acc, c.shape.length), [x.x], [res], run());
    return res;
  }
  // Few long lanes: chunk totals, then every chunk scanned from the totals before it.
  const chunkLen = Math.ceil(len / Math.min(MAX_SCAN_CHUNKS, Math.ceil(len / CHUNK)));
  const chunks = Math.ceil(len / chunkLen);
  const totals = g.exec.alloc([prod(c.shape) * chunks * (op === 'sum' && acc === 'f32' ? 2 : 1)], acc);
  g.exec.dispatch(scanProgram(op, x.t, acc, c.shape.length, 'part'), [x.x], [totals], run(chunks, chunkLen));
  g.exec.dispatch(scanProgram(op, x.t, acc, c.shape.length, 'apply'), [x.x, totals], [res], run(chunks, chunkLen));
  free(g, totals);
  return res;
}

function logSoftmax(g: GpuCtx, xv: unknown, dim: unknown): NDArray | undefined {
  const x = gin(g, xv);
  if (!x || x.t !== 'f32' || x.x.ndim === 0 || typeof dim !== 'number') return undefined;
  const dims = dimsOf([dim], x.x.ndim);
  if (!dims) return undefined;
  const res = g.exec.alloc(x.x.shape);
  const { d, rows, n } = geometryOf(x.x, dims, res);
  const lse = splits(rows, n) ? g.exec.alloc([rows]) : undefined;
  if (!lse || !splitLse(g, x, dims, lse, true)) {
    if (lse) free(g, lse);
    launch(g, { kind: 'log_softmax', inType: 'f32', accType: 'f32' }, x.x, dims, [res], {}, [], res);
    return res;
  }
  // Then a split pass writing x - lse.
  const geo: ReduceGeometry = { keptRank: d.keptShape.length, redRank: d.redShape.length, perThread: false, split: true };
  const spec: ReduceSpec = { kind: 'log_softmax', inType: 'f32', accType: 'f32', bnMode: 'eval', params: { w: false, b: false, rm: true, rv: false } };
  g.exec.dispatch(reduceProgram(spec, geo), [x.x, lse], [res], reduceRun(geo, d, x.x.offset, { params: [undefined, undefined, [0, 1]] }, chunking(n)));
  free(g, lse);
  return res;
}

/** A per-channel parameter of C elements on the GPU, with its (offset, stride); null when absent; undefined when unusable. */
function channelParam(g: GpuCtx, v: unknown, C: number): { x: NDArray; at: [number, number] } | null | undefined {
  if (v === null || v === undefined) return null;
  const p = gin(g, v);
  if (!p || p.t !== 'f32' || p.x.numel !== C) return undefined;
  const nonUnit = p.x.shape.findIndex((s) => s !== 1);
  return { x: p.x, at: [p.x.offset, nonUnit < 0 ? 0 : p.x.strides[nonUnit]!] };
}

type Param = ReturnType<typeof channelParam>;

function paramsOf(list: Param[]): { present: boolean[]; inputs: NDArray[]; at: Array<[number, number] | undefined> } {
  return { present: list.map((p) => !!p), inputs: list.filter((p) => !!p).map((p) => p!.x), at: list.map((p) => p?.at) };
}

function batchNorm(g: GpuCtx, xv: unknown, w: unknown, b: unknown, rmv: unknown, rvv: unknown, mode: 'train' | 'running' | 'eval', momentum: unknown, epsV: unknown): NDArray[] | undefined {
  const x = gin(g, xv);
  const eps = num(epsV), mom = mode === 'running' ? num(momentum) : 0;
  if (!x || x.t !== 'f32' || x.x.ndim < 2 || eps === undefined || mom === undefined) return undefined;
  const C = x.x.shape[1]!;
  const list = [channelParam(g, w, C), channelParam(g, b, C), mode === 'train' ? null : channelParam(g, rmv, C), mode === 'train' ? null : channelParam(g, rvv, C)];
  if (list.some((p) => p === undefined) || (mode !== 'train' && (!list[2] || !list[3]))) return undefined;
  if (mode !== 'eval' && x.x.numel === 0) return undefined;
  const p = paramsOf(list);
  const y = g.exec.alloc(x.x.shape);
  const dims = [...Array(x.x.ndim).keys()].filter((d) => d !== 1);
  const spec: ReduceSpec = { kind: 'bn', inType: 'f32', accType: 'f32', bnMode: mode, params: { w: p.present[0]!, b: p.present[1]!, rm: p.present[2]!, rv: p.present[3]! } };
  const sc: ReduceScalars = { f0: eps, f1: mom, params: p.at };
  if (mode === 'eval') {
    launch(g, spec, x.x, dims, [y], sc, p.inputs, y);
    return [y, g.exec.alloc([0]), g.exec.alloc([0]), contiguousGpu(g, list[2]!.x), contiguousGpu(g, list[3]!.x)];
  }
  const outs = [y, g.exec.alloc([C]), g.exec.alloc([C])];
  if (mode === 'running') outs.push(g.exec.alloc([...(rmv as NDArray).shape]), g.exec.alloc([...(rvv as NDArray).shape]));
  const { d, rows, n } = geometryOf(x.x, dims, y);
  if (!splits(rows, n)) {
    launch(g, spec, x.x, dims, outs, sc, p.inputs, y);
    return outs;
  }
  // Few channels, many elements each: chunk moments, merged per channel into the statistics
  // (and running updates), then a split pass normalizing with them as given mean / biased variance.
  const partial = splitPass(g, MOMENTS, x.x, d, n, 3);
  const biased = g.exec.alloc([C]);
  const running = mode === 'running';
  const stats = running ? [outs[1]!, outs[2]!, biased, outs[3]!, outs[4]!] : [outs[1]!, outs[2]!, biased];
  const mergeSpec: ReduceSpec = { kind: 'bn_merge', inType: 'f32', accType: 'f32', params: { w: false, b: false, rm: running, rv: running } };
  launch(g, mergeSpec, partial, [1], stats, { f0: eps, f1: mom, params: [undefined, undefined, p.at[2], p.at[3]] }, running ? [list[2]!.x, list[3]!.x] : []);
  free(g, partial);
  const apply: ReduceSpec = { ...spec, bnMode: 'eval', params: { w: p.present[0]!, b: p.present[1]!, rm: true, rv: true } };
  const geo: ReduceGeometry = { keptRank: d.keptShape.length, redRank: d.redShape.length, perThread: false, split: true };
  const inputs = [x.x, ...list.slice(0, 2).flatMap((q) => (q ? [q.x] : [])), outs[1]!, biased];
  g.exec.dispatch(reduceProgram(apply, geo), inputs, [y], reduceRun(geo, d, x.x.offset, { f0: eps, params: [p.at[0], p.at[1], [0, 1], [0, 1]] }, chunking(n)));
  free(g, biased);
  return outs;
}

function groupNorm(g: GpuCtx, xv: unknown, w: unknown, b: unknown, N: unknown, C: unknown, group: unknown, epsV: unknown): NDArray[] | undefined {
  const x = gin(g, xv);
  const eps = num(epsV);
  if (!x || x.t !== 'f32' || x.x.ndim < 2 || eps === undefined || typeof N !== 'number' || typeof C !== 'number' || typeof group !== 'number') return undefined;
  if (x.x.shape[0] !== N || x.x.shape[1] !== C || group <= 0 || C % group !== 0 || N * group === 0) return undefined;
  const list = [channelParam(g, w, C), channelParam(g, b, C), null, null];
  if (list.some((p) => p === undefined)) return undefined;
  const p = paramsOf(list);
  const xc = x.x.isContiguous() ? x.x : contiguousGpu(g, x.x);
  const rows = N * group, len = x.x.numel / rows;
  const y = g.exec.alloc(x.x.shape);
  const mean = g.exec.alloc([N, group]), rstd = g.exec.alloc([N, group]);
  const spec: ReduceSpec = { kind: 'gn', inType: 'f32', accType: 'f32', params: { w: p.present[0]!, b: p.present[1]!, rm: false, rv: false } };
  const x2 = xc.withView([rows, len], [len, 1], xc.offset), y2 = y.withView([rows, len], [len, 1], 0);
  const sc: ReduceScalars = { f0: eps, u2: group, u3: C / group, params: p.at };
  const { d, n } = geometryOf(x2, [1], y2);
  const copied = xc === x.x ? [] : [xc];
  if (!splits(rows, n)) {
    launch(g, spec, x2, [1], [y, mean, rstd], sc, p.inputs, y2);
    free(g, ...copied);
    return [y, mean, rstd];
  }
  // Few long groups: chunk moments merged per group (mean, rstd), then a split pass normalizing with them.
  const partial = splitPass(g, MOMENTS, x2, d, n, 3);
  const biased = g.exec.alloc([rows]);
  launch(g, { kind: 'bn_merge', inType: 'f32', accType: 'f32' }, partial, [1], [mean, rstd, biased], { f0: eps });
  free(g, partial, biased);
  const apply: ReduceSpec = { ...spec, bnMode: 'eval', params: { w: p.present[0]!, b: p.present[1]!, rm: true, rv: true } };
  const geo: ReduceGeometry = { keptRank: d.keptShape.length, redRank: d.redShape.length, perThread: false, split: true };
  g.exec.dispatch(reduceProgram(apply, geo), [x2, ...p.inputs, mean, rstd], [y], reduceRun(geo, d, x2.offset, { ...sc, params: [p.at[0], p.at[1], [0, 1], [0, 1]] }, chunking(n)));
  free(g, ...copied);
  return [y, mean, rstd];
}

const BASE_MEAN_DIM = new Map(BASE_KERNELS).get('aten.mean.dim');
const isF32 = (v: unknown): boolean => v instanceof NDArray && v.dtype === 'float32';

function meanDim(args: unknown[], g: GpuCtx): unknown {
  // The H·W fast path of the base table first (global average pooling).
  const fast = isF32(args[0]) && args[3] == null ? BASE_MEAN_DIM?.(args, g) : undefined;
  return fast === undefined || fast === false ? sumLike(g, 'mean', args[0], args[1], args[2], args[3]) : fast;
}

const correctionOf = (c: unknown): number | undefined => (c === null || c === undefined ? 1 : num(c));

export const REDUCE_KERNELS: ReadonlyArray<readonly [string, GpuKernel]> = [
  ['aten.sum.default', ([x, dt], g) => sumLike(g, 'sum', x, null, false, dt)],
  ['aten.sum.dim_IntList', ([x, dim, keep, dt], g) => sumLike(g, 'sum', x, dim, keep, dt)],
  ['aten.mean.default', ([x, dt], g) => sumLike(g, 'mean', x, null, false, dt)],
  ['aten.mean.dim', meanDim],
  ['aten.prod.default', ([x, dt], g) => sumLike(g, 'prod', x, null, false, dt)],
  ['aten.prod.dim_int', ([x, dim, keep, dt], g) => (typeof dim === 'number' ? sumLike(g, 'prod', x, [dim], keep, dt) : undefined)],
  ['aten.amax.default', ([x, dim, keep], g) => extreme(g, 'max', x, dim, keep)],
  ['aten.amin.default', ([x, dim, keep], g) => extreme(g, 'min', x, dim, keep)],
  ['aten.max.default', ([x], g) => extreme(g, 'max', x, null, false)],
  ['aten.min.default', ([x], g) => extreme(g, 'min', x, null, false)],
  ['aten.max.dim', ([x, dim, keep], g) => argLike(g, 'argmax', x, dim, keep, true)],
  ['aten.min.dim', ([x, dim, keep], g) => argLike(g, 'argmin', x, dim, keep, true)],
  ['aten.argmax.default', ([x, dim, keep], g) => argLike(g, 'argmax', x, dim, keep, false)],
  ['aten.argmin.default', ([x, dim, keep], g) => argLike(g, 'argmin', x, dim, keep, false)],
  ['aten.var.correction', ([x, dim, c, keep], g) => variance(g, x, dim, correctionOf(c), keep, false)],
  ['aten.var.dim', ([x, dim, unbiased, keep], g) => variance(g, x, dim, unbiased === false ? 0 : 1, keep, false)],
  ['aten.std.correction', ([x, dim, c, keep], g) => variance(g, x, dim, correctionOf(c), keep, true)],
  ['aten.std.dim', ([x, dim, unbiased, keep], g) => variance(g, x, dim, unbiased === false ? 0 : 1, keep, true)],
  ['aten.any.default', ([x], g) => extreme(g, 'any', x, null, false)],
  ['aten.any.dim', ([x, dim, keep], g) => (typeof dim === 'number' ? extreme(g, 'any', x, [dim], keep) : undefined)],
  ['aten.any.dims', ([x, dim, keep], g) => extreme(g, 'any', x, dim, keep, true)],
  ['aten.all.default', ([x], g) => extreme(g, 'all', x, null, false)],
  ['aten.all.dim', ([x, dim, keep], g) => (typeof dim === 'number' ? extreme(g, 'all', x, [dim], keep) : undefined)],
  ['aten.all.dims', ([x, dim, keep], g) => extreme(g, 'all', x, dim, keep, true)],
  ['aten.cumsum.default', ([x, dim, dt], g) => cumulative(g, 'sum', x, dim, dt)],
  ['aten.cumprod.default', ([x, dim, dt], g) => cumulative(g, 'prod', x, dim, dt)],
  ['aten.logsumexp.default', ([x, dim, keep], g) => logsumexp(g, x, dim, keep)],
  ['aten.linalg_vector_norm.default', ([x, ord, dim, keep, dt], g) => vectorNorm(g, x, ord ?? 2, dim, keep, dt)],
  ['aten.norm.ScalarOpt_dim', ([x, p, dim, keep], g) => vectorNorm(g, x, p ?? 2, dim, keep, null)],
  ['aten.log_softmax.int', ([x, dim, dt], g) => (dt == null || dtypeOf(dt) === 'float32' ? logSoftmax(g, x, dim) : undefined)],
  ['aten._log_softmax.default', ([x, dim, h2f], g) => (h2f ? undefined : logSoftmax(g, x, dim))],
  ['aten.native_group_norm.default', ([x, w, b, N, C, , group, eps], g) => groupNorm(g, x, w, b, N, C, group, eps)],
  [
    'aten.group_norm.default',
    ([x, group, w, b, eps], g) => (x instanceof NDArray && x.ndim >= 2 ? groupNorm(g, x, w, b, x.shape[0], x.shape[1], group, eps ?? 1e-5)?.[0] : undefined),
  ],
  ['aten._native_batch_norm_legit_functional.default', ([x, w, b, rm, rv, training, mom, eps], g) => batchNorm(g, x, w, b, rm, rv, training === true ? 'running' : 'eval', mom, eps)],
  ['aten._native_batch_norm_legit.no_stats', ([x, w, b, , mom, eps], g) => batchNorm(g, x, w, b, null, null, 'train', mom, eps)],
];
