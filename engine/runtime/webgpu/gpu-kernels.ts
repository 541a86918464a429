// WebGPU kernels for the non-pointwise ops: matrix products, convolution,
// pooling, normalization, softmax, attention, embedding, copies and views. Each
// takes the op's bound arguments and returns GPU tensors, or undefined to let
// the runtime run the op on the host. Views are stride arithmetic (the CPU
// movement kernels over GPU-backed NDArrays); anything that must materialize
// data runs the copy program.

import { NDArray } from '../../core/ndarray';
import { PyFloat, isPyScalar, scalarToNumber } from '../../core/scalar';
import { stridesInOrderOf } from '../cpu/attention';
import { viewStrides } from '../cpu/movement';
import { broadcastShape } from '../cpu/elementwise';
import { type GpuExecutor, GpuStorage, isGpu } from './gpu-exec';
import { type ElemType } from './program';
import { fusedElementwiseProgram, fusedElementwiseRun } from './ops/elementwise';
import { type MatOperand, gemmDispatch } from './ops/matmul';
import { type EpilogueAct } from './ops/epilogue';
import { conv2dProgram, conv2dRun, maxPoolProgram, maxPoolRun, rowMeanProgram, rowMeanRun } from './ops/conv';
import { attentionSoftmaxProgram, attentionSoftmaxRun, embeddingProgram, embeddingRun, layerNormProgram, layerNormRun, softmaxProgram, softmaxRun } from './ops/norm';

export interface GpuCtx {
  readonly exec: GpuExecutor;
  /** A tensor argument on the GPU (uploading host arrays; bool/int become f32 unless `type` is i32). */
  gpu(a: NDArray, type?: ElemType): NDArray;
}

export type GpuKernel = (args: unknown[], g: GpuCtx) => unknown;

const num = (v: unknown): number | undefined => (isPyScalar(v) ? scalarToNumber(v) : undefined);
const isArr = (v: unknown): v is NDArray => v instanceof NDArray;
const floatLike = (v: unknown): v is NDArray => isArr(v) && (v.dtype === 'float32' || isGpu(v));

/** dst (any strides, on the GPU) ← src (any strides), elementwise. */
export function copyInto(g: GpuCtx, src: NDArray, dst: NDArray): void {
  const s = g.gpu(src);
  const p = fusedElementwiseProgram({ t: 'in', i: 0 }, ['f32'], dst.ndim, 0);
  g.exec.dispatch(p, [s], [dst], fusedElementwiseRun(dst.shape, dst.strides, dst.offset, [{ strides: broadcastStrides(s, dst.shape), offset: s.offset }], []));
}

/** A contiguous GPU copy of `x`. */
export function contiguousGpu(g: GpuCtx, x: NDArray): NDArray {
  const out = g.exec.alloc(x.shape);
  copyInto(g, x, out);
  return out;
}

/** Strides of `x` broadcast to `shape` (0 on broadcast and missing leading dims). */
export function broadcastStrides(x: NDArray, shape: readonly number[]): number[] {
  const nd = shape.length;
  return shape.map((s, i) => {
    const j = i - (nd - x.ndim);
    return j < 0 || (x.shape[j] === 1 && s !== 1) ? 0 : x.strides[j]!;
  });
}

const mat = (x: NDArray, rowDim: number, colDim: number, batchStrides: number[] = []): MatOperand => ({ batchStrides, rs: x.strides[rowDim] ?? 0, cs: x.strides[colDim] ?? 0, offset: x.offset });

/** out = alpha·a·b + beta·d over 2-D operands. */
function gemm2d(g: GpuCtx, a: NDArray, b: NDArray, d?: { x: NDArray; beta: number }, alpha = 1): NDArray {
  const [M, K] = a.shape as [number, number];
  const N = b.shape[1]!;
  const out = g.exec.alloc([M, N]);
  let dm: MatOperand | undefined;
  const inputs = [g.gpu(a), g.gpu(b)];
  if (d && d.beta !== 0) {
    const dx = g.gpu(d.x);
    const st = broadcastStrides(dx, [M, N]);
    dm = { batchStrides: [], rs: st[0]!, cs: st[1]!, offset: dx.offset };
    inputs.push(dx);
  }
  const { program, run } = gemmDispatch(M, N, K, [], mat(inputs[0]!, 0, 1), mat(inputs[1]!, 0, 1), { batchStrides: [], rs: N, cs: 1, offset: 0 }, dm, alpha, d?.beta ?? 0);
  g.exec.dispatch(program, inputs, [out], run);
  return out;
}

/** Batched product over broadcast batch dims, writing into `out` (any strides) or a fresh contiguous tensor. */
export function batchedMatmul(g: GpuCtx, a: NDArray, b: NDArray, alpha = 1, outInto?: NDArray): NDArray | undefined {
  const ba = a.shape.slice(0, -2), bb = b.shape.slice(0, -2);
  const batch = broadcastShape(ba, bb);
  if (!batch) return undefined;
  const nb = batch.length;
  const M = a.shape[a.ndim - 2]!, K = a.shape[a.ndim - 1]!, N = b.shape[b.ndim - 1]!;
  if (b.shape[b.ndim - 2] !== K) return undefined;
  const ga = g.gpu(a), gb = g.gpu(b);
  const bs = (t: NDArray) => broadcastStrides(t.withView(t.shape.slice(0, -2), t.strides.slice(0, -2), t.offset), batch);
  const out = outInto ?? g.exec.alloc([...batch, M, N]);
  const os = out.strides;
  const { program, run } = gemmDispatch(M, N, K, batch, mat(ga, ga.ndim - 2, ga.ndim - 1, bs(ga)), mat(gb, gb.ndim - 2, gb.ndim - 1, bs(gb)), { batchStrides: os.slice(0, nb), rs: os[nb]!, cs: os[nb + 1]!, offset: out.offset }, undefined, alpha, 0);
  g.exec.dispatch(program, [ga, gb], [out], run);
  return out;
}

function linear(g: GpuCtx, x: NDArray, w: NDArray, bias: NDArray | null): NDArray | undefined {
  const K = x.shape[x.ndim - 1]!;
  const N = w.shape[0]!;
  if (w.ndim !== 2 || w.shape[1] !== K) return undefined;
  const M = x.numel / (K || 1);
  let x2 = x.ndim === 2 ? x : undefined;
  if (!x2) {
    const st = viewStrides(x.shape, x.strides, [M, K]);
    x2 = st ? x.withView([M, K], st, x.offset) : undefined;
  }
  if (!x2) x2 = contiguousGpu(g, x).withView([M, K], [K, 1], 0);
  const wt = w.withView([K, N], [w.strides[1]!, w.strides[0]!], w.offset);
  const out = gemm2d(g, x2, wt, bias ? { x: bias, beta: 1 } : undefined);
  return out.withView([...x.shape.slice(0, -1), N], [...viewStrides([M, N], [N, 1], [...x.shape.slice(0, -1), N])!], 0);
}

const pair = (v: unknown, fill: number): number[] | undefined => {
  if (typeof v === 'number') return [v, v];
  if (!Array.isArray(v)) return undefined;
  if (v.length === 0) return [fill, fill];
  return v.length === 1 ? [v[0], v[0]] : v.length === 2 ? [v[0], v[1]] : undefined;
};

function conv2d(g: GpuCtx, x: NDArray, w: NDArray, bias: NDArray | null, stride: unknown, padding: unknown, dilation: unknown, groups: unknown, act?: EpilogueAct): NDArray | undefined {
  if (x.ndim !== 4 || w.ndim !== 4 || typeof groups !== 'number' || typeof padding === 'string') return undefined;
  const s = pair(stride, 1), p = pair(padding, 0), d = pair(dilation, 1);
  if (!s || !p || !d) return undefined;
  const [N, C, H, W] = x.shape as number[] as [number, number, number, number];
  const [Cout, Cg, KH, KW] = w.shape as number[] as [number, number, number, number];
  if (Cg * groups !== C) return undefined;
  const OH = Math.floor((H + 2 * p[0]! - d[0]! * (KH - 1) - 1) / s[0]!) + 1;
  const OW = Math.floor((W + 2 * p[1]! - d[1]! * (KW - 1) - 1) / s[1]!) + 1;
  const gx = g.gpu(x);
  const gw = g.gpu(w.isContiguous() ? w : w.contiguous());
  const out = g.exec.alloc([N, Cout, OH, OW]);
  const pointwise = KH === 1 && KW === 1 && s[0] === 1 && s[1] === 1 && p[0] === 0 && p[1] === 0 && groups === 1 && gx.strides[3] === 1 && gx.strides[2] === W;
  if (pointwise) {
    // out[n] (Cout × HW) = W (Cout × C) · x[n] (C × HW), bias per row.
    const inputs = [gw, gx];
    let dm: MatOperand | undefined;
    if (bias) {
      const gb = g.gpu(bias);
      inputs.push(gb);
      dm = { batchStrides: [0], rs: gb.strides[0]!, cs: 0, offset: gb.offset };
    }
    const { program, run } = gemmDispatch(Cout, H * W, C, [N], { batchStrides: [0], rs: C, cs: 1, offset: gw.offset }, { batchStrides: [gx.strides[0]!], rs: gx.strides[1]!, cs: 1, offset: gx.offset }, { batchStrides: [Cout * H * W], rs: H * W, cs: 1, offset: 0 }, dm, 1, 1, undefined, act);
    g.exec.dispatch(program, inputs, [out], run);
    return out;
  }
  const inputs = [gx, gw];
  let bm: { offset: number; stride: number } | undefined;
  if (bias) {
    const gb = g.gpu(bias);
    inputs.push(gb);
    bm = { offset: gb.offset, stride: gb.strides[0]! };
  }
  g.exec.dispatch(conv2dProgram(!!bias, act), inputs, [out], conv2dRun({ N, C, H, W, Cout, OH, OW, KH, KW, sh: s[0]!, sw: s[1]!, ph: p[0]!, pw: p[1]!, dh: d[0]!, dw: d[1]!, groups }, gx.strides, gx.offset, gw.offset, bm));
  return out;
}

/** conv1d/conv2d (not transposed); `act` is applied as the outputs are stored (conv-bn-fold.ts). */
export function convNd(g: GpuCtx, x: unknown, w: unknown, b: unknown, stride: unknown, padding: unknown, dilation: unknown, groups: unknown, act?: EpilogueAct): NDArray | undefined {
  if (!floatLike(x) || !floatLike(w) || (b != null && !floatLike(b))) return undefined;
  if (x.ndim === 3 && w.ndim === 3) {
    const s = pair(stride, 1), p = pair(padding, 0), d = pair(dilation, 1);
    if (!s || !p || !d) return undefined;
    const x4 = x.withView([x.shape[0]!, x.shape[1]!, 1, x.shape[2]!], [x.strides[0]!, x.strides[1]!, 0, x.strides[2]!], x.offset);
    const w4 = w.withView([w.shape[0]!, w.shape[1]!, 1, w.shape[2]!], [w.strides[0]!, w.strides[1]!, 0, w.strides[2]!], w.offset);
    const y = conv2d(g, x4, w4, (b ?? null) as NDArray | null, [1, s[0]], [0, p[0]], [1, d[0]], groups, act);
    return y?.withView([y.shape[0]!, y.shape[1]!, y.shape[3]!], [y.strides[0]!, y.strides[1]!, y.strides[3]!], 0);
  }
  return conv2d(g, x, w, (b ?? null) as NDArray | null, stride, padding, dilation, groups, act);
}

function meanHW(g: GpuCtx, x: NDArray, keepdim: boolean): NDArray {
  const src = x.isContiguous() && isGpu(x) ? x : contiguousGpu(g, x);
  const gx = g.gpu(src);
  const hw = x.shape[x.ndim - 1]! * x.shape[x.ndim - 2]!;
  const rows = x.numel / (hw || 1);
  const shape = keepdim ? [...x.shape.slice(0, -2), 1, 1] : x.shape.slice(0, -2);
  const out = g.exec.alloc(shape);
  g.exec.dispatch(rowMeanProgram(), [gx], [out], rowMeanRun(rows, hw, gx.offset));
  return out;
}

function layerNorm(g: GpuCtx, x: NDArray, ns: unknown, w: unknown, b: unknown, eps: unknown): NDArray[] | undefined {
  const e = num(eps);
  if (!Array.isArray(ns) || e === undefined || (w != null && !floatLike(w)) || (b != null && !floatLike(b))) return undefined;
  const D = ns.length;
  const N = (ns as number[]).reduce((a, c) => a * c, 1);
  const rows = x.numel / (N || 1);
  const gx = g.gpu(x.isContiguous() ? x : contiguousGpu(g, x));
  const inputs = [gx];
  const gw = w ? g.gpu((w as NDArray).isContiguous() ? (w as NDArray) : contiguousGpu(g, w as NDArray)) : undefined;
  const gb = b ? g.gpu((b as NDArray).isContiguous() ? (b as NDArray) : contiguousGpu(g, b as NDArray)) : undefined;
  if (gw) inputs.push(gw);
  if (gb) inputs.push(gb);
  const y = g.exec.alloc(x.shape);
  const statShape = [...x.shape.slice(0, x.ndim - D), ...new Array<number>(D).fill(1)];
  const mean = g.exec.alloc(statShape), rstd = g.exec.alloc(statShape);
  g.exec.dispatch(layerNormProgram(!!gw, !!gb), inputs, [y, mean, rstd], layerNormRun(rows, N, gx.offset, gw?.offset ?? 0, gb?.offset ?? 0, e));
  return [y, mean, rstd];
}

function softmax(g: GpuCtx, x: NDArray, dim: unknown): NDArray | undefined {
  if (typeof dim !== 'number') return undefined;
  const nd = Math.max(x.ndim, 1);
  const d = dim < 0 ? dim + nd : dim;
  const gx = g.gpu(x.isContiguous() ? x : contiguousGpu(g, x));
  const shape = x.ndim ? x.shape : [1];
  let outer = 1, inner = 1;
  for (let i = 0; i < d; i++) outer *= shape[i]!;
  for (let i = d + 1; i < shape.length; i++) inner *= shape[i]!;
  const out = g.exec.alloc(x.shape);
  g.exec.dispatch(softmaxProgram(), [gx], [out], softmaxRun(outer, shape[d]!, inner, gx.offset));
  return out;
}

/** scaled_dot_product_attention: scores GEMM (scale as alpha), masked softmax, P·v into the query-ordered layout. */
function attention(g: GpuCtx, args: unknown[]): NDArray | undefined {
  const [q, k, v, mask, dropoutP, isCausal, scaleArg, enableGqa] = args;
  if (!floatLike(q) || !floatLike(k) || !floatLike(v) || (num(dropoutP) ?? 0) !== 0 || enableGqa) return undefined;
  if (q.ndim < 2 || k.ndim !== q.ndim || v.ndim !== q.ndim) return undefined;
  const nd = q.ndim;
  const L = q.shape[nd - 2]!, E = q.shape[nd - 1]!, S = k.shape[nd - 2]!, Ev = v.shape[nd - 1]!;
  const scale = scaleArg == null ? 1 / Math.sqrt(E) : num(scaleArg instanceof PyFloat ? scaleArg.value : scaleArg);
  if (scale === undefined) return undefined;
  const batch = q.shape.slice(0, -2);
  const kt = k.withView([...k.shape.slice(0, -2), E, S], [...k.strides.slice(0, -2), k.strides[nd - 1]!, k.strides[nd - 2]!], k.offset);
  const scores = batchedMatmul(g, q, kt, scale);
  if (!scores) return undefined;
  const rows = scores.numel / (S || 1);
  let maskKind: 'none' | 'bool' | 'add' = 'none';
  let inputs: NDArray[] = [];
  let mStrides: number[] | undefined;
  let mOffset = 0;
  if (mask instanceof NDArray) {
    maskKind = mask.dtype === 'bool' ? 'bool' : 'add';
    const gm = g.gpu(mask);
    mStrides = broadcastStrides(gm, [...batch, L, S]);
    mOffset = gm.offset;
    inputs = [gm];
  }
  g.exec.dispatch(attentionSoftmaxProgram(batch.length, maskKind), inputs, [scores], attentionSoftmaxRun(rows, L, S, Boolean(isCausal), batch, mStrides, mOffset));
  const outShape = [...batch, L, Ev];
  const out = g.exec.alloc(outShape);
  const view = out.withView(outShape, stridesInOrderOf(q, outShape), 0);
  return batchedMatmul(g, scores, v, 1, view);
}

function embedding(g: GpuCtx, w: NDArray, idx: NDArray): NDArray | undefined {
  if (w.ndim !== 2) return undefined;
  // Indices made on the GPU (e.g. position ids from arange) are read where they are: i32, contiguous.
  const onGpu = idx.storage instanceof GpuStorage;
  if (onGpu && ((idx.storage as GpuStorage).elemType !== 'i32' || !idx.isContiguous())) return undefined;
  const gw = g.gpu(w);
  const gi = onGpu ? idx : g.gpu(idx.isContiguous() ? idx : idx.contiguous(), 'i32');
  const D = w.shape[1]!;
  const out = g.exec.alloc([...idx.shape, D]);
  g.exec.dispatch(embeddingProgram(), [gw, gi], [out], embeddingRun(idx.numel, D, gw.strides, gw.offset, gi.offset));
  return out;
}

function maxPool(g: GpuCtx, x: NDArray, ks: unknown, st: unknown, pd: unknown, dl: unknown, ceil: unknown): NDArray | undefined {
  if (x.ndim !== 4 || ceil) return undefined;
  const k = pair(ks, 1), p = pair(pd, 0), d = pair(dl, 1);
  const s = Array.isArray(st) && st.length === 0 ? k : pair(st, 1);
  if (!k || !s || !p || !d) return undefined;
  const [N, C, H, W] = x.shape as number[] as [number, number, number, number];
  const OH = Math.floor((H + 2 * p[0]! - d[0]! * (k[0]! - 1) - 1) / s[0]!) + 1;
  const OW = Math.floor((W + 2 * p[1]! - d[1]! * (k[1]! - 1) - 1) / s[1]!) + 1;
  const gx = g.gpu(x);
  const out = g.exec.alloc([N, C, OH, OW]);
  g.exec.dispatch(maxPoolProgram(), [gx], [out], maxPoolRun(N, C, H, W, OH, OW, k, s, p, d, gx.strides, gx.offset));
  return out;
}

function cat(g: GpuCtx, xs: unknown, dim: unknown): NDArray | undefined {
  if (!Array.isArray(xs) || typeof dim !== 'number' || !xs.every(floatLike)) return undefined;
  const parts = (xs as NDArray[]).filter((x) => !(x.ndim === 1 && x.shape[0] === 0));
  if (!parts.length) return undefined;
  const nd = parts[0]!.ndim;
  const d = dim < 0 ? dim + nd : dim;
  const shape = [...parts[0]!.shape];
  shape[d] = parts.reduce((a, x) => a + x.shape[d]!, 0);
  const out = g.exec.alloc(shape);
  let at = 0;
  for (const x of parts) {
    const sub = [...shape];
    sub[d] = x.shape[d]!;
    copyInto(g, x, out.withView(sub, out.strides, at * out.strides[d]!));
    at += x.shape[d]!;
  }
  return out;
}

function reshapeGpu(g: GpuCtx, x: NDArray, size: unknown): NDArray | undefined {
  if (!Array.isArray(size)) return undefined;
  const known = (size as number[]).filter((s) => s !== -1).reduce((a, b) => a * b, 1);
  const shape = (size as number[]).map((s) => (s === -1 ? x.numel / (known || 1) : s));
  const st = viewStrides(x.shape, x.strides, shape);
  if (st) return x.withView(shape, st, x.offset);
  const c = contiguousGpu(g, x);
  return c.withView(shape, viewStrides(c.shape, c.strides, shape)!, 0);
}

const F = (v: unknown): NDArray | undefined => (floatLike(v) ? v : undefined);

/** The kernels defined here; kernel-table.ts joins them with those of ops/*.ts. */
export const BASE_KERNELS: ReadonlyArray<readonly [string, GpuKernel]> = [
  ['aten.mm.default', ([a, b], g) => F(a) && F(b) && gemm2d(g, a as NDArray, b as NDArray)],
  ['aten.addmm.default', ([s, a, b, beta, alpha], g) => F(s) && F(a) && F(b) && gemm2d(g, a as NDArray, b as NDArray, { x: s as NDArray, beta: num(beta) ?? 1 }, num(alpha) ?? 1)],
  ['aten.bmm.default', ([a, b], g) => F(a) && F(b) && batchedMatmul(g, a as NDArray, b as NDArray)],
  ['aten.matmul.default', ([a, b], g) => (F(a) && F(b) && (a as NDArray).ndim >= 2 && (b as NDArray).ndim >= 2 ? batchedMatmul(g, a as NDArray, b as NDArray) : undefined)],
  ['aten.linear.default', ([x, w, b], g) => (F(x) && F(w) && (b == null || F(b)) ? linear(g, x as NDArray, w as NDArray, (b ?? null) as NDArray | null) : undefined)],
  ['aten.conv2d.default', ([x, w, b, s, p, d, gr], g) => convNd(g, x, w, b, s, p, d, gr)],
  ['aten.conv1d.default', ([x, w, b, s, p, d, gr], g) => convNd(g, x, w, b, s, p, d, gr)],
  ['aten.convolution.default', ([x, w, b, s, p, d, tr, , gr], g) => (tr ? undefined : convNd(g, x, w, b, s, p, d, gr))],
  ['aten.adaptive_avg_pool2d.default', ([x, size], g) => (F(x) && Array.isArray(size) && size[0] === 1 && size[1] === 1 ? meanHW(g, x as NDArray, true) : undefined)],
  ['aten._adaptive_avg_pool2d.default', ([x, size], g) => (F(x) && Array.isArray(size) && size[0] === 1 && size[1] === 1 ? meanHW(g, x as NDArray, true) : undefined)],
  [
    'aten.mean.dim',
    ([x, dims, keep, dtype], g) => {
      if (!F(x) || dtype != null || !Array.isArray(dims) || dims.length !== 2) return undefined;
      const nd = (x as NDArray).ndim;
      const n = (dims as number[]).map((v) => (v < 0 ? v + nd : v)).sort((a, b) => a - b);
      return n[0] === nd - 2 && n[1] === nd - 1 ? meanHW(g, x as NDArray, Boolean(keep)) : undefined;
    },
  ],
  ['aten.max_pool2d.default', ([x, k, s, p, d, c], g) => F(x) && maxPool(g, x as NDArray, k, s, p, d, c)],
  ['aten.layer_norm.default', ([x, ns, w, b, eps], g) => F(x) && layerNorm(g, x as NDArray, ns, w, b, eps)?.[0]],
  ['aten.native_layer_norm.default', ([x, ns, w, b, eps], g) => F(x) && layerNorm(g, x as NDArray, ns, w, b, eps)],
  ['aten._softmax.default', ([x, dim, half], g) => (F(x) && !half ? softmax(g, x as NDArray, dim) : undefined)],
  ['aten.softmax.int', ([x, dim, dt], g) => (F(x) && (dt == null || dt === 'float32') ? softmax(g, x as NDArray, dim) : undefined)],
  ['aten.scaled_dot_product_attention.default', (args, g) => attention(g, args)],
  ['aten.embedding.default', ([w, idx], g) => (F(w) && idx instanceof NDArray ? embedding(g, w as NDArray, idx) : undefined)],
  ['aten.cat.default', ([xs, dim], g) => cat(g, xs, dim)],
  ['aten.contiguous.default', ([x], g) => (isGpu(x) ? ((x as NDArray).isContiguous() ? x : contiguousGpu(g, x as NDArray)) : undefined)],
  ['aten.clone.default', ([x], g) => (isGpu(x) ? contiguousGpu(g, x as NDArray) : undefined)],
  ['aten.reshape.default', ([x, size], g) => (isGpu(x) ? reshapeGpu(g, x as NDArray, size) : undefined)],
  ['aten._unsafe_view.default', ([x, size], g) => (isGpu(x) ? reshapeGpu(g, x as NDArray, size) : undefined)],
  [
    'aten.flatten.using_ints',
    ([x, s, e], g) => {
      if (!isGpu(x) || typeof s !== 'number' || typeof e !== 'number') return undefined;
      const t = x as NDArray;
      if (t.ndim === 0) return reshapeGpu(g, t, [1]);
      const a = s < 0 ? s + t.ndim : s, b = e < 0 ? e + t.ndim : e;
      const mid = t.shape.slice(a, b + 1).reduce((p, q) => p * q, 1);
      return reshapeGpu(g, t, [...t.shape.slice(0, a), mid, ...t.shape.slice(b + 1)]);
    },
  ],
  ['aten.dropout.default', ([x, p, train]) => (train === false || p === 0 ? x : undefined)],
  ['aten.dropout_.default', ([x, p, train]) => (train === false || p === 0 ? x : undefined)],
  ['aten.to.dtype_layout', ([x, dtype, , , , , copy]) => (isGpu(x) && (dtype == null || dtype === 'float32') && !copy ? x : undefined)],
  ['aten.to.dtype', ([x, dtype, , copy]) => (isGpu(x) && dtype === 'float32' && !copy ? x : undefined)],
  ['aten.alias.default', ([x]) => (isGpu(x) ? (x as NDArray).withView((x as NDArray).shape, (x as NDArray).strides, (x as NDArray).offset) : undefined)],
];

/** Ops that only read metadata: they may take GPU tensors on the host. */
export const METADATA_OPS: ReadonlySet<string> = new Set(['aten.sym_size.int', 'aten.sym_numel.default', 'aten.sym_stride.int', 'aten._assert_tensor_metadata.default', 'aten._assert_scalar.default']);

/** Pure views (stride arithmetic) handled by the CPU movement kernels on GPU-backed arrays. */
export const VIEW_OPS: ReadonlySet<string> = new Set([
  'aten.view.default', 'aten.permute.default', 'aten.transpose.int', 'aten.t.default', 'aten.unsqueeze.default', 'aten.squeeze.dim', 'aten.squeeze.dims',
  'aten.squeeze.default', 'aten.expand.default', 'aten.slice.Tensor', 'aten.select.int', 'aten.split.Tensor', 'aten.split_with_sizes.default', 'aten.unflatten.int',
  'aten.view_as.default', 'aten.swapaxes.default', 'aten.movedim.int', 'aten.movedim.intlist', 'aten.expand_as.default', 'aten.narrow.default', 'aten.chunk.default', 'aten.unbind.int',
]);
