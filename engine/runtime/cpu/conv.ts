// Fast f32 2-D convolution (conv1d runs as a height-1 conv2d) and pooling.
// Dense and grouped convolutions are GEMMs per (batch, group): the weight group
// [Cout/g, Cin/g·kh·kw] is the packed A (cached across runs), the input is
// im2col'd straight into packed B panels (a 1×1 stride-1 conv packs the input
// itself), and bias (+ activation) is applied in the GEMM epilogue. Every
// other conv (depthwise, and dense or grouped k×k) runs the direct WebAssembly
// kernels of conv-direct.ts when the host has SIMD; without it, im2col + GEMM,
// and for depthwise a TypeScript kernel that accumulates whole output rows, one
// weight tap at a time, so its inner loop has no bounds checks.

import { NDArray, Storage, contiguousStrides } from '../../core/ndarray';
import { type Activation, type Mat, activate } from './gemm';
import { type FastKernel, type KernelContext, f32, isF32 } from './kernel-context';
import { type ConvGeometry, depthwiseWasm, directConvWasm, maxPoolWasm } from './conv-direct';

export interface Conv2dParams {
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly groups: number;
  /** Fused activation on the output. */
  readonly act?: Activation;
  /** Cache key of the weight when it never changes (default: the context's frozenKey). */
  readonly weightKey?: object;
  /** Per-(batch, input channel) scale [N, C, 1, 1] the input is multiplied by first (squeeze-excitation). */
  readonly inputScale?: NDArray;
  /**
   * When given, kernels that can (the WebAssembly depthwise one) also write
   * each output channel's mean (N·Cout floats) into `data` and set `filled`.
   */
  readonly channelMeans?: { readonly data: Float32Array; filled: boolean };
  /** A contiguous f32 array of the output's shape added to the output (a residual connection; after `act`). */
  readonly residual?: NDArray;
}

/** Extra options of convNd: fused activation, weight cache key, input scale (see Conv2dParams). */
export type ConvExtra = Pick<Conv2dParams, 'act' | 'weightKey' | 'inputScale' | 'channelMeans' | 'residual'>;

const pair = (v: unknown, fill: number): [number, number] | undefined => {
  if (typeof v === 'number') return [v, v];
  if (!Array.isArray(v)) return undefined;
  if (v.length === 1) return [v[0] as number, v[0] as number];
  if (v.length === 2) return [v[0] as number, v[1] as number];
  if (v.length === 0) return [fill, fill];
  return undefined;
};

/** conv2d over f32 NCHW input and OIHW weight; bias may be null. Undefined when the layout is not handled. */
export function conv2dF32(x: NDArray, w: NDArray, bias: NDArray | null, p: Conv2dParams, ctx: KernelContext): NDArray | undefined {
  if (x.ndim !== 4 || w.ndim !== 4 || !w.isContiguous()) return undefined;
  if (bias && (bias.dtype !== 'float32' || bias.ndim !== 1)) return undefined;
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [Cout, Cg, KH, KW] = w.shape as [number, number, number, number];
  const g = p.groups;
  if (Cg * g !== C || Cout % g !== 0) return undefined;
  const sc = p.inputScale;
  if (sc && (sc.ndim !== 4 || sc.shape[0] !== N || sc.shape[1] !== C || sc.shape[2] !== 1 || sc.shape[3] !== 1)) return undefined;
  const [sh, sw] = p.stride;
  const [ph, pw] = p.padding;
  const [dh, dw] = p.dilation;
  const OH = Math.floor((H + 2 * ph - dh * (KH - 1) - 1) / sh) + 1;
  const OW = Math.floor((W + 2 * pw - dw * (KW - 1) - 1) / sw) + 1;
  if (OH <= 0 || OW <= 0) return undefined;
  const depthwiseConv = g === C && Cg === 1;
  const pointwise = KH === 1 && KW === 1 && sh === 1 && sw === 1 && ph === 0 && pw === 0 && x.strides[3] === 1 && x.strides[2] === W;
  // The input scale rides along into a 1×1 conv's GEMM; any other conv gets a scaled copy.
  if (sc && (!pointwise || depthwiseConv)) return conv2dF32(scaleChannels(x, sc, ctx), w, bias, { ...p, inputScale: undefined }, ctx);
  const shape = [N, Cout, OH, OW];
  const res = p.residual;
  if (res && (!res.isContiguous() || res.ndim !== 4 || shape.some((d, i) => res.shape[i] !== d))) return undefined;
  const out = ctx.allocF32(N * Cout * OH * OW);
  const result = new NDArray(new Storage('float32', out), shape, contiguousStrides(shape));
  const geo: Geometry = { C, H, W, KH, KW, sh, sw, ph, pw, dh, dw, OH, OW };
  if (depthwiseConv) {
    const means = p.channelMeans;
    if (depthwiseWasm(ctx, x, w, bias, geo, Cout, N, out, p.act, means?.data)) {
      if (means) means.filled = true;
    } else depthwise(x, w, bias, geo, Cout, N, out, p.act);
    return addResidual(result, res);
  }
  const Mg = Cout / g;
  // Direct unless the output rows are shorter than one 8-pixel block: there (the
  // last stages of ResNets: 7×7 outputs, K = Cin·9 in the thousands) the
  // kernel re-reads its taps from L2 per row and im2col + GEMM is as fast or
  // faster (measured on resnet18: 512×7×7 3×3 7.6 vs 7.4 ms, 256→512 s2 3.7 vs 2.8 ms).
  if (!pointwise && OW >= 8 && directGroups(ctx, x, w, bias, geo, g, Mg, N, out, p.act)) return addResidual(result, res);
  let resAdded = true;
  const K = Cg * KH * KW;
  const X = f32(x);
  const [xs0, xs1, xs2, xs3] = x.strides as [number, number, number, number];
  const wKey = p.weightKey ?? ctx.frozenKey(w);
  for (let n = 0; n < N; n++) {
    for (let gi = 0; gi < g; gi++) {
      const a: Mat = { data: f32(w), offset: w.offset + gi * Mg * K, rs: K, cs: 1 };
      const xo = x.offset + n * xs0 + gi * Cg * xs1;
      const b = pointwise
        ? { mat: { data: X, offset: xo, rs: xs1, cs: 1 } }
        : { rows: (buf: Float32Array, pos: number, ldb: number) => im2colRows(buf, pos, ldb, X, xo, xs1, xs2, xs3, Cg, geo) };
      const addend = bias ? { data: f32(bias), offset: bias.offset + gi * Mg * bias.strides[0]!, rs: bias.strides[0]!, cs: 0 } : undefined;
      resAdded = ctx.gemm.gemm({
        M: Mg,
        N: OH * OW,
        K,
        a: { mat: a, key: wKey },
        b,
        out,
        outOffset: (n * Cout + gi * Mg) * OH * OW,
        ldo: OH * OW,
        epilogue: { addend, act: p.act },
        bRowScale: sc && { data: f32(sc), offset: sc.offset + n * sc.strides[0]! + gi * Cg * sc.strides[1]!, stride: sc.strides[1]! },
        residual: res && !p.act ? { data: f32(res), offset: res.offset + (n * Cout + gi * Mg) * OH * OW } : undefined,
      }) && resAdded;
    }
  }
  return resAdded ? result : addResidual(result, res);
}

/** y += r in place (r contiguous with y's shape), when r is given. */
function addResidual(y: NDArray, r: NDArray | undefined): NDArray {
  if (!r) return y;
  const Y = f32(y), R = f32(r), o = r.offset, n = y.numel;
  for (let i = 0; i < n; i++) Y[i] = Y[i]! + R[o + i]!;
  return y;
}

type Geometry = ConvGeometry;

/** A dense or grouped conv through the direct kernel, one call per group; false when it declines. */
function directGroups(ctx: KernelContext, x: NDArray, w: NDArray, bias: NDArray | null, geo: Geometry, g: number, Mg: number, N: number, out: Float32Array, act: Activation | undefined): boolean {
  const Cg = geo.C / g, plane = geo.OH * geo.OW;
  for (let gi = 0; gi < g; gi++) {
    const xg = g === 1 ? x : x.withView([N, Cg, geo.H, geo.W], x.strides, x.offset + gi * Cg * x.strides[1]!);
    const wg = g === 1 ? w : w.withView([Mg, Cg, geo.KH, geo.KW], w.strides, w.offset + gi * Mg * w.strides[0]!);
    const bg = !bias || g === 1 ? bias : bias.withView([Mg], bias.strides, bias.offset + gi * Mg * bias.strides[0]!);
    if (!directConvWasm(ctx, xg, wg, bg, { ...geo, C: Cg }, Mg, N, out, act, gi * Mg * plane, g * Mg * plane)) return false;
  }
  return true;
}

/** x · s for x [N, C, H, W] and s [N, C, 1, 1], as a contiguous array. */
function scaleChannels(x: NDArray, s: NDArray, ctx: KernelContext): NDArray {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const xc = x.isContiguous() ? x : x.contiguous();
  const X = f32(xc), S = f32(s);
  const out = ctx.allocF32(N * C * H * W);
  const hw = H * W;
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++) {
      const v = S[s.offset + n * s.strides[0]! + c * s.strides[1]!]!;
      const o = (n * C + c) * hw, i = xc.offset + o;
      for (let j = 0; j < hw; j++) out[o + j] = X[i + j]! * v;
    }
  return new NDArray(new Storage('float32', out), [N, C, H, W], contiguousStrides([N, C, H, W]));
}

/** Output columns [lo, hi) whose input column ox*s - p + t stays inside [0, size). */
function validRange(t: number, s: number, p: number, size: number, outSize: number): [number, number] {
  const lo = Math.max(0, Math.ceil((p - t) / s));
  const hi = Math.min(outSize, Math.floor((size - 1 + p - t) / s) + 1);
  return [lo, Math.max(lo, hi)];
}

/** im2col of one (batch, group) input slice as plain rows: row k = (c, ky, kx) holds that tap for every output pixel. */
function im2colRows(buf: Float32Array, pos: number, ldb: number, X: Float32Array, xo: number, xs1: number, xs2: number, xs3: number, Cg: number, g: Geometry): void {
  const { H, W, KH, KW, sh, sw, ph, pw, dh, dw, OH, OW } = g;
  let row = pos;
  for (let c = 0; c < Cg; c++) {
    for (let ky = 0; ky < KH; ky++) {
      for (let kx = 0; kx < KW; kx++, row += ldb) {
        const [lo, hi] = validRange(kx * dw, sw, pw, W, OW);
        const step = sw * xs3;
        for (let oy = 0; oy < OH; oy++) {
          const dst = row + oy * OW;
          const iy = oy * sh - ph + ky * dh;
          if (iy < 0 || iy >= H || lo >= hi) {
            buf.fill(0, dst, dst + OW);
            continue;
          }
          if (lo > 0) buf.fill(0, dst, dst + lo);
          const src = xo + c * xs1 + iy * xs2 + (kx * dw - pw) * xs3;
          if (step === 1 && hi - lo >= 64) buf.set(X.subarray(src + lo, src + hi), dst + lo);
          else if (step === 1) for (let ox = lo; ox < hi; ox++) buf[dst + ox] = X[src + ox]!;
          else for (let ox = lo; ox < hi; ox++) buf[dst + ox] = X[src + ox * step]!;
          if (hi < OW) buf.fill(0, dst + hi, dst + OW);
        }
      }
    }
  }
}

/** Depthwise (groups = C, Cout = C·m): each output row accumulates KH·KW shifted input rows. */
function depthwise(x: NDArray, w: NDArray, bias: NDArray | null, g: Geometry, Cout: number, N: number, out: Float32Array, act: Activation | undefined): void {
  const { C, H, W, KH, KW, sh, sw, ph, pw, dh, dw, OH, OW } = g;
  const m = Cout / C;
  const X = f32(x);
  const Wt = f32(w);
  const [xs0, xs1, xs2, xs3] = x.strides as [number, number, number, number];
  const B = bias ? f32(bias) : null;
  const bs = bias ? bias.strides[0]! : 0;
  const ranges: Array<[number, number]> = [];
  for (let kx = 0; kx < KW; kx++) ranges.push(validRange(kx * dw, sw, pw, W, OW));
  for (let n = 0; n < N; n++) {
    for (let co = 0; co < Cout; co++) {
      const ci = Math.floor(co / m);
      const xBase = x.offset + n * xs0 + ci * xs1;
      const wBase = w.offset + co * KH * KW;
      const bv = B ? B[bias!.offset + co * bs]! : 0;
      const oBase = (n * Cout + co) * OH * OW;
      for (let oy = 0; oy < OH; oy++) {
        const o = oBase + oy * OW;
        for (let ox = 0; ox < OW; ox++) out[o + ox] = bv;
        for (let ky = 0; ky < KH; ky++) {
          const iy = oy * sh - ph + ky * dh;
          if (iy < 0 || iy >= H) continue;
          const rowBase = xBase + iy * xs2;
          for (let kx = 0; kx < KW; kx++) {
            const wv = Wt[wBase + ky * KW + kx]!;
            const [lo, hi] = ranges[kx]!;
            const start = rowBase + (kx * dw - pw) * xs3;
            const step = sw * xs3;
            if (step === 1) for (let ox = lo; ox < hi; ox++) out[o + ox] += wv * X[start + ox]!;
            else if (step === 2) for (let ox = lo; ox < hi; ox++) out[o + ox] += wv * X[start + 2 * ox]!;
            else for (let ox = lo; ox < hi; ox++) out[o + ox] += wv * X[start + ox * step]!;
          }
        }
        if (act) activate(act, out, o, OW);
      }
    }
  }
}

/** aten.convolution.default(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups). */
export const convolutionKernel: FastKernel = (args, ctx) => {
  const [input, weight, bias, stride, padding, dilation, transposed, , groups] = args;
  if (transposed) return undefined;
  return convNd(input, weight, bias, stride, padding, dilation, groups, ctx);
};

/** aten.conv1d/conv2d.default(input, weight, bias, stride, padding, dilation, groups). */
export const convKernel: FastKernel = (args, ctx) => {
  const [input, weight, bias, stride, padding, dilation, groups] = args;
  return convNd(input, weight, bias, stride, padding, dilation, groups, ctx);
};

/** The (input, weight, bias, stride, padding, dilation, groups) of a conv call, by op name. */
export function convCallArgs(target: string, args: readonly unknown[]): unknown[] | undefined {
  if (target === 'aten.convolution.default') return args[6] ? undefined : [args[0], args[1], args[2], args[3], args[4], args[5], args[8]];
  if (target === 'aten.conv2d.default' || target === 'aten.conv1d.default') return args.slice(0, 7);
  return undefined;
}

export function convNd(input: unknown, weight: unknown, bias: unknown, stride: unknown, padding: unknown, dilation: unknown, groups: unknown, ctx: KernelContext, extra: ConvExtra = {}): NDArray | undefined {
  if (!isF32(input) || !isF32(weight) || (bias !== null && bias !== undefined && !isF32(bias))) return undefined;
  if (typeof groups !== 'number' || typeof padding === 'string') return undefined;
  const b = (bias ?? null) as NDArray | null;
  if (input.ndim === 3 && weight.ndim === 3) {
    // conv1d: [N, C, L] → [N, C, 1, L].
    const s = pair(stride, 1), p = pair(padding, 0), d = pair(dilation, 1);
    if (!s || !p || !d) return undefined;
    const x4 = input.withView([input.shape[0]!, input.shape[1]!, 1, input.shape[2]!], [input.strides[0]!, input.strides[1]!, 0, input.strides[2]!], input.offset);
    const w4 = weight.withView([weight.shape[0]!, weight.shape[1]!, 1, weight.shape[2]!], [weight.strides[0]!, weight.strides[1]!, weight.strides[2]!, weight.strides[2]!], weight.offset);
    const y = conv2dF32(x4, w4.isContiguous() ? w4 : w4.contiguous(), b, { stride: [1, s[0]], padding: [0, p[0]], dilation: [1, d[0]], groups, ...extra }, ctx);
    return y && y.withView([y.shape[0]!, y.shape[1]!, y.shape[3]!], [y.strides[0]!, y.strides[1]!, y.strides[3]!], 0);
  }
  if (input.ndim !== 4) return undefined;
  const s = pair(stride, 1), p = pair(padding, 0), d = pair(dilation, 1);
  if (!s || !p || !d) return undefined;
  return conv2dF32(input, weight, b, { stride: s, padding: p, dilation: d, groups, ...extra }, ctx);
}

/** Mean over the trailing H·W of a contiguous f32 NCHW tensor (adaptive_avg_pool2d to 1×1, mean.dim([-1,-2])). */
export function meanHW(x: NDArray, keepdim: boolean, ctx: KernelContext): NDArray | undefined {
  if (!isF32(x) || x.ndim < 2 || !x.isContiguous()) return undefined;
  const shape = x.shape;
  const hw = shape[shape.length - 1]! * shape[shape.length - 2]!;
  const rows = x.numel / (hw || 1);
  const out = ctx.allocF32(rows);
  const X = f32(x);
  // Four partial sums: one running sum is bound by the add latency.
  const hw4 = hw & ~3;
  for (let r = 0; r < rows; r++) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    const base = x.offset + r * hw;
    let i = base;
    for (const end = base + hw4; i < end; i += 4) {
      s0 += X[i]!;
      s1 += X[i + 1]!;
      s2 += X[i + 2]!;
      s3 += X[i + 3]!;
    }
    for (const end = base + hw; i < end; i++) s0 += X[i]!;
    out[r] = (s0 + s1 + (s2 + s3)) / hw;
  }
  const outShape = keepdim ? [...shape.slice(0, -2), 1, 1] : shape.slice(0, -2);
  return new NDArray(new Storage('float32', out), outShape, contiguousStrides(outShape));
}

/** aten.adaptive_avg_pool2d / _adaptive_avg_pool2d(self, output_size): the 1×1 case. */
export const adaptiveAvgPoolKernel: FastKernel = (args, ctx) => {
  const [x, size] = args as [NDArray, number[]];
  if (!isF32(x) || !Array.isArray(size) || size[0] !== 1 || size[1] !== 1 || x.ndim < 3) return undefined;
  return meanHW(x, true, ctx);
};

/** aten.mean.dim(self, dim, keepdim, dtype) over the last two dims. */
export const meanDimKernel: FastKernel = (args, ctx) => {
  const [x, dims, keepdim, dtype] = args as [NDArray, number[] | null, boolean, unknown];
  if (!isF32(x) || dtype != null || !Array.isArray(dims) || dims.length !== 2) return undefined;
  const nd = x.ndim;
  const norm = dims.map((d) => (d < 0 ? d + nd : d)).sort((a, b) => a - b);
  if (norm[0] !== nd - 2 || norm[1] !== nd - 1) return undefined;
  return meanHW(x, keepdim, ctx);
};

/** aten.max_pool2d(self, kernel_size, stride, padding, dilation, ceil_mode) for f32 NCHW without ceil_mode. */
export const maxPool2dKernel: FastKernel = (args, ctx) => {
  const [x, ks, st, pd, dl, ceil] = args;
  if (!isF32(x) || x.ndim !== 4 || ceil) return undefined;
  const k = pair(ks, 1), p = pair(pd, 0), d = pair(dl, 1);
  const s = Array.isArray(st) && st.length === 0 ? k : pair(st, 1);
  if (!k || !s || !p || !d) return undefined;
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const OH = Math.floor((H + 2 * p[0] - d[0] * (k[0] - 1) - 1) / s[0]) + 1;
  const OW = Math.floor((W + 2 * p[1] - d[1] * (k[1] - 1) - 1) / s[1]) + 1;
  if (OH <= 0 || OW <= 0) return undefined;
  const out = ctx.allocF32(N * C * OH * OW);
  const shape = [N, C, OH, OW];
  const geo: Geometry = { C, H, W, KH: k[0], KW: k[1], sh: s[0], sw: s[1], ph: p[0], pw: p[1], dh: d[0], dw: d[1], OH, OW };
  if (maxPoolWasm(ctx, x, geo, N, out)) return new NDArray(new Storage('float32', out), shape, contiguousStrides(shape));
  const X = f32(x);
  const [xs0, xs1, xs2, xs3] = x.strides as [number, number, number, number];
  let o = 0;
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++) {
      const base = x.offset + n * xs0 + c * xs1;
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++, o++) {
          let m = -Infinity;
          for (let ky = 0; ky < k[0]; ky++) {
            const iy = oy * s[0] - p[0] + ky * d[0];
            if (iy < 0 || iy >= H) continue;
            for (let kx = 0; kx < k[1]; kx++) {
              const ix = ox * s[1] - p[1] + kx * d[1];
              if (ix < 0 || ix >= W) continue;
              const v = X[base + iy * xs2 + ix * xs3]!;
              if (v > m || v !== v) m = v;
            }
          }
          out[o] = m;
        }
    }
  return new NDArray(new Storage('float32', out), shape, contiguousStrides(shape));
};
