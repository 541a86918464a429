// Fast f32 normalization kernels: batch norm in inference mode (a per-channel
// scale and shift), layer norm (one-pass statistics in float64 per row) and
// softmax along any dimension of a contiguous tensor.

import { NDArray, Storage, contiguousStrides } from '../../core/ndarray';
import { type FastKernel, type KernelContext, f32, isF32, scalarArg } from './kernel-context';
import { pointwiseWasm } from './wasm-pointwise';

/** Per-channel (scale, shift) of inference batch norm: y = x·scale + shift. */
export function bnScaleShift(C: number, weight: NDArray | null, bias: NDArray | null, mean: NDArray, variance: NDArray, eps: number): { scale: Float64Array; shift: Float64Array } {
  const scale = new Float64Array(C);
  const shift = new Float64Array(C);
  const M = f32(mean), V = f32(variance);
  const W = weight ? f32(weight) : null, B = bias ? f32(bias) : null;
  for (let c = 0; c < C; c++) {
    const inv = 1 / Math.sqrt(V[variance.offset + c * variance.strides[0]!]! + eps);
    const w = W ? W[weight!.offset + c * weight!.strides[0]!]! : 1;
    const b = B ? B[bias!.offset + c * bias!.strides[0]!]! : 0;
    scale[c] = w * inv;
    shift[c] = b - M[mean.offset + c * mean.strides[0]!]! * w * inv;
  }
  return { scale, shift };
}

function batchNorm(x: NDArray, weight: unknown, bias: unknown, mean: unknown, variance: unknown, eps: unknown, ctx: KernelContext): NDArray | undefined {
  const e = scalarArg(eps);
  if (!isF32(x) || x.ndim < 2 || !x.isContiguous() || !isF32(mean) || !isF32(variance) || e === undefined) return undefined;
  if ((weight != null && !isF32(weight)) || (bias != null && !isF32(bias))) return undefined;
  const C = x.shape[1]!;
  const { scale, shift } = bnScaleShift(C, (weight ?? null) as NDArray | null, (bias ?? null) as NDArray | null, mean, variance, e);
  const inner = x.numel / (x.shape[0]! * C || 1);
  const out = ctx.allocF32(x.numel);
  const X = f32(x);
  let i = 0;
  let src = x.offset;
  for (let n = 0; n < x.shape[0]!; n++)
    for (let c = 0; c < C; c++) {
      const s = scale[c]!, t = shift[c]!;
      for (let j = 0; j < inner; j++) out[i++] = X[src++]! * s + t;
    }
  return new NDArray(new Storage('float32', out), [...x.shape], contiguousStrides(x.shape));
}

/** batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled), eval mode. */
export const batchNormKernel: FastKernel = ([x, w, b, rm, rv, training, , eps], ctx) => (training ? undefined : batchNorm(x as NDArray, w, b, rm, rv, eps, ctx));

/** _native_batch_norm_legit_no_training(input, weight, bias, running_mean, running_var, momentum, eps) → (out, empty, empty). */
export const nativeBatchNormKernel: FastKernel = ([x, w, b, rm, rv, , eps], ctx) => {
  const out = batchNorm(x as NDArray, w, b, rm, rv, eps, ctx);
  return out && [out, NDArray.zeros('float32', [0]), NDArray.zeros('float32', [0])];
};

function layerNorm(x: NDArray, normalized: unknown, weight: unknown, bias: unknown, eps: unknown, ctx: KernelContext, stats: boolean): unknown {
  const e = scalarArg(eps);
  if (!isF32(x) || !Array.isArray(normalized) || e === undefined) return undefined;
  if ((weight != null && !isF32(weight)) || (bias != null && !isF32(bias))) return undefined;
  const D = normalized.length;
  if (D === 0 || D > x.ndim) return undefined;
  for (let i = 0; i < D; i++) if (x.shape[x.ndim - D + i] !== normalized[i]) return undefined;
  const src = x.isContiguous() ? x : x.contiguous();
  const N = (normalized as number[]).reduce((a, c) => a * c, 1);
  const M = N === 0 ? 0 : src.numel / N;
  const wc = weight ? (weight as NDArray).contiguous() : null;
  const bc = bias ? (bias as NDArray).contiguous() : null;
  const W = wc ? f32(wc) : null, B = bc ? f32(bc) : null;
  const wo = wc ? wc.offset : 0, bo = bc ? bc.offset : 0;
  const X = f32(src);
  const out = ctx.allocF32(src.numel);
  if (!stats && N % 4 === 0 && M * N >= 256 && layerNormWasm(X, src.offset, out, W, wo, B, bo, M, N, e)) {
    return new NDArray(new Storage('float32', out), [...x.shape], contiguousStrides(x.shape));
  }
  const means = stats ? new Float32Array(M) : null;
  const rstds = stats ? new Float32Array(M) : null;
  for (let m = 0; m < M; m++) {
    const base = src.offset + m * N;
    // One pass for both moments, in f64, shifted by the row's first element so
    // that var = E[d²] − E[d]² does not cancel when |mean| ≫ std.
    const k = X[base]!;
    let s = 0, s2 = 0;
    for (let i = 0; i < N; i++) {
      const d = X[base + i]! - k;
      s += d;
      s2 += d * d;
    }
    const md = s / N;
    const mean = k + md;
    const rstd = 1 / Math.sqrt(Math.max(s2 / N - md * md, 0) + e);
    const shift = -mean * rstd;
    const o = m * N;
    if (W && B) for (let i = 0; i < N; i++) out[o + i] = (X[base + i]! * rstd + shift) * W[wo + i]! + B[bo + i]!;
    else if (W) for (let i = 0; i < N; i++) out[o + i] = (X[base + i]! * rstd + shift) * W[wo + i]!;
    else if (B) for (let i = 0; i < N; i++) out[o + i] = X[base + i]! * rstd + shift + B[bo + i]!;
    else for (let i = 0; i < N; i++) out[o + i] = X[base + i]! * rstd + shift;
    if (means) {
      means[m] = mean;
      rstds![m] = rstd;
    }
  }
  const y = new NDArray(new Storage('float32', out), [...x.shape], contiguousStrides(x.shape));
  if (!stats) return y;
  const statShape = [...x.shape.slice(0, x.ndim - D), ...new Array<number>(D).fill(1)];
  const st = contiguousStrides(statShape);
  return [y, new NDArray(new Storage('float32', means!), statShape, st), new NDArray(new Storage('float32', rstds!), statShape, [...st])];
}

/** Layer norm on the WebAssembly SIMD kernel: rows copied in, normalized, copied out. False without SIMD. */
function layerNormWasm(X: Float32Array, xo: number, out: Float32Array, W: Float32Array | null, wo: number, B: Float32Array | null, bo: number, M: number, N: number, eps: number): boolean {
  const w = pointwiseWasm();
  if (!w) return false;
  const n = M * N;
  const buf = w.memory(2 * n + 2 * N);
  const wPos = 2 * n, bPos = 2 * n + N;
  buf.set(X.subarray(xo, xo + n), 0);
  if (W) buf.set(W.subarray(wo, wo + N), wPos);
  else buf.fill(1, wPos, wPos + N);
  if (B) buf.set(B.subarray(bo, bo + N), bPos);
  else buf.fill(0, bPos, bPos + N);
  w.layerNorm(0, n, wPos, bPos, M, N, eps);
  out.set(buf.subarray(n, 2 * n));
  return true;
}

/** layer_norm(input, normalized_shape, weight, bias, eps, cudnn_enable). */
export const layerNormKernel: FastKernel = ([x, ns, w, b, eps], ctx) => layerNorm(x as NDArray, ns, w, b, eps, ctx, false);

/** native_layer_norm(input, normalized_shape, weight, bias, eps) → (out, mean, rstd). */
export const nativeLayerNormKernel: FastKernel = ([x, ns, w, b, eps], ctx) => layerNorm(x as NDArray, ns, w, b, eps, ctx, true);

/** Softmax of a contiguous f32 tensor along `dim`, into `out` (contiguous). */
export function softmaxInto(X: Float32Array, xo: number, shape: readonly number[], dim: number, out: Float32Array): void {
  let outer = 1, inner = 1;
  for (let d = 0; d < dim; d++) outer *= shape[d]!;
  for (let d = dim + 1; d < shape.length; d++) inner *= shape[d]!;
  const L = shape.length === 0 ? 1 : shape[dim]!;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * L * inner + i;
      let mx = -Infinity;
      for (let l = 0; l < L; l++) {
        const v = X[xo + base + l * inner]!;
        if (v > mx || v !== v) mx = v;
      }
      let s = 0;
      for (let l = 0; l < L; l++) {
        const e = Math.exp(X[xo + base + l * inner]! - mx);
        out[base + l * inner] = e;
        s += e;
      }
      const inv = 1 / s;
      for (let l = 0; l < L; l++) out[base + l * inner] *= inv;
    }
  }
}

function softmax(x: unknown, dim: unknown, ctx: KernelContext): NDArray | undefined {
  if (!isF32(x) || typeof dim !== 'number') return undefined;
  const nd = x.ndim;
  const d = dim < 0 ? dim + Math.max(nd, 1) : dim;
  if (d < 0 || d >= Math.max(nd, 1)) return undefined;
  const src = x.isContiguous() ? x : x.contiguous();
  const out = ctx.allocF32(src.numel);
  softmaxInto(f32(src), src.offset, src.shape, nd === 0 ? 0 : d, out);
  return new NDArray(new Storage('float32', out), [...x.shape], contiguousStrides(x.shape));
}

/** _softmax(self, dim, half_to_float) */
export const softmaxCoreKernel: FastKernel = ([x, dim, halfToFloat], ctx) => (halfToFloat ? undefined : softmax(x, dim, ctx));

/** softmax.int(self, dim, dtype) */
export const softmaxKernel: FastKernel = ([x, dim, dtype], ctx) => (dtype != null && dtype !== 'float32' ? undefined : softmax(x, dim, ctx));
