// Convolutions computed directly (no im2col) by the WebAssembly kernels of
// wasm-conv-kernels.ts: a depthwise layer in one call per batch element, and
// every other non-1×1 convolution (dense or per group): measured against
// im2col + GEMM it is 1.3–3.7× faster (3×3, 5×5, 7×7; Cin 3 to 512). Each call
// lays out weights, bias, the dense input, a zeroed padded plane and the output
// in the GEMM workspace's scratch, runs the kernel, and copies the output out
// in one block. They decline (return false) when the host has no WebAssembly
// SIMD or the geometry has no kernel (stride along W other than 1 or 2; for
// depthwise also dilation along W or a kernel wider than 7); conv.ts then uses
// its fallbacks.

import { type NDArray } from '../../core/ndarray';
import { type Activation } from './gemm';
import { type KernelContext, f32 } from './kernel-context';
import { partRange, partsFor, runParts, threadsOf } from './parallel-kernels';

/** Shape and attributes of one 2-D convolution (NCHW input, OIHW weight). */
export interface ConvGeometry {
  C: number; H: number; W: number; KH: number; KW: number;
  sh: number; sw: number; ph: number; pw: number; dh: number; dw: number;
  OH: number; OW: number;
}

const align = (n: number): number => (n + 3) & ~3;
/** Floats between the outputs of two threads' parts: the kernels write up to 8 floats past their last plane. */
const OUT_SLACK = 8;
const ACT: Record<Activation, number> = { relu: 1, hardswish: 2 };

/**
 * The padded plane: Wp-float rows, Hp rows, every valid read inside and the
 * 8-pixel blocks past OW reading only inside the row; 4 floats of right
 * padding at least (the row copy writes whole vectors, then re-pads them). Stride 2 stores rows
 * de-interleaved (even columns in the first Wp/2 floats, odd in the rest);
 * colA/colB are the byte offsets copyPlane (wasm-conv-kernels.ts) needs.
 */
function paddedPlane(g: ConvGeometry): { Wp: number; Hp: number; padRow: number; colA: number; colB: number } {
  const OW8 = Math.ceil(g.OW / 8);
  const Hp = Math.max(g.H + 2 * g.ph, (g.OH - 1) * g.sh + (g.KH - 1) * g.dh + 1);
  if (g.sw === 1) {
    const Wp = Math.max(g.W + 2 * g.pw + 4, 8 * OW8 + g.KW + 8);
    return { Wp, Hp, padRow: g.ph * Wp * 4, colA: g.pw * 4, colB: 0 };
  }
  const Wh = Math.max(Math.ceil((g.W + 2 * g.pw) / 2) + 4, 8 * OW8 + g.KW);
  const P = g.pw & 1, half = g.pw >> 1;
  return { Wp: 2 * Wh, Hp, padRow: g.ph * 2 * Wh * 4, colA: (P * Wh + half) * 4, colB: ((1 - P) * Wh + half + P) * 4 };
}

function kernelKey(g: ConvGeometry): string | undefined {
  if ((g.sw !== 1 && g.sw !== 2) || g.dw !== 1 || g.KW > 7 || g.KW < 1) return undefined;
  return `${g.KW}_${g.sw}`;
}

/** Bias (or zeros) into buf[pos .. pos+n), padded with zeros to `padded`. */
function writeBias(buf: Float32Array, pos: number, bias: NDArray | null, n: number, padded: number): void {
  if (bias) {
    const B = f32(bias), s = bias.strides[0]!;
    for (let i = 0; i < n; i++) buf[pos + i] = B[bias.offset + i * s]!;
    buf.fill(0, pos + n, pos + padded);
  } else buf.fill(0, pos, pos + padded);
}

/**
 * Depthwise conv (groups = C, Cout = C·m) into `out` (dense [N, Cout, OH, OW]).
 * `w` must be contiguous [Cout, 1, KH, KW]; `x` any f32 NCHW layout. With
 * `means`, also each output channel's mean over OH·OW (N·Cout floats).
 */
export function depthwiseWasm(ctx: KernelContext, x: NDArray, w: NDArray, bias: NDArray | null, g: ConvGeometry, Cout: number, N: number, out: Float32Array, act: Activation | undefined, means?: Float32Array): boolean {
  const k = ctx.gemm.wasm;
  const key = kernelKey(g);
  const fn = k && key ? k.depthwise.get(key) : undefined;
  if (!fn) return false;
  const { C, H, W, KH, KW, sh, dh, OH, OW } = g;
  const xc = x.isContiguous() ? x : x.contiguous();
  const { Wp, Hp, padRow, colA, colB } = paddedPlane(g);
  const m = Cout / C, ohw = OH * OW;
  const nw = Cout * KH * KW, plane = C * H * W, outN = Cout * ohw, padN = align((Hp + 1) * Wp);
  // Threads take ranges of input channels, each with its own padded plane and,
  // OUT_SLACK floats apart, its own output (the kernel writes a few floats past its last plane).
  // A depthwise multiply-add costs about 3 of the GEMM's (its loads are not reused across channels).
  const parts = partsFor(C, 3 * m * ohw * KH * KW, threadsOf(k!));
  const wPos0 = 0, bPos0 = align(nw), inPos0 = bPos0 + align(Cout), padPos0 = inPos0 + align(plane), outPos0 = padPos0 + parts * padN;
  const sumPos0 = align(outPos0 + outN + OUT_SLACK * parts);
  const { buf, pos } = ctx.gemm.scratch(sumPos0 + (means ? Cout : 0));
  const wPos = pos + wPos0, bPos = pos + bPos0, inPos = pos + inPos0, padPos = pos + padPos0, outPos = pos + outPos0, sumPos = pos + sumPos0;
  buf.set(f32(w).subarray(w.offset, w.offset + nw), wPos);
  writeBias(buf, bPos, bias, Cout, Cout);
  buf.fill(0, padPos, padPos + parts * padN);
  const X = f32(xc);
  const a = act ? ACT[act] : 0;
  const chunk = (p: number) => {
    const [c0, c1] = partRange(C, parts, p);
    return { c0: c0 * m, n: (c1 - c0) * m, o: outPos + c0 * m * ohw + OUT_SLACK * p, c1 };
  };
  for (let n = 0; n < N; n++) {
    buf.set(X.subarray(xc.offset + n * plane, xc.offset + (n + 1) * plane), inPos);
    runParts(k!, `dw_k${KW}_s${g.sw}`, fn, parts, (p) => {
      const { c0, o, c1 } = chunk(p);
      const ci = c0 / m;
      return [(inPos + ci * H * W) * 4, o * 4, (wPos + c0 * KH * KW) * 4, (bPos + c0) * 4, c1 - ci, m, H, W, OH, OW, KH, sh * Wp * 4, dh * Wp * 4, (padPos + p * padN) * 4, Wp, padRow, colA, colB, a, means ? (sumPos + c0) * 4 : 0];
    });
    for (let p = 0; p < parts; p++) {
      const { c0, n: cn, o } = chunk(p);
      out.set(buf.subarray(o, o + cn * ohw), n * outN + c0 * ohw);
    }
    if (means) for (let c = 0; c < Cout; c++) means[n * Cout + c] = buf[sumPos + c]! / ohw;
  }
  return true;
}

/**
 * Dense conv computed directly (no im2col: the kernel reads its taps from the
 * padded input planes) into `out`: batch n's Cout planes OH×OW start at
 * outBase + n·outBatch. `w` must be contiguous [Cout, C, KH, KW]. Any kernel
 * size and dilation; stride 1 or 2 along W. Grouped convs call it per group.
 */
export function directConvWasm(ctx: KernelContext, x: NDArray, w: NDArray, bias: NDArray | null, g: ConvGeometry, Cout: number, N: number, out: Float32Array, act: Activation | undefined, outBase = 0, outBatch = Cout * g.OH * g.OW): boolean {
  const k = ctx.gemm.wasm;
  if (!k || (g.sw !== 1 && g.sw !== 2)) return false;
  const fn = k.directConv[g.sw as 1 | 2];
  const { C, H, W, KH, KW, sh, dh, dw, OH, OW } = g;
  const xc = x.isContiguous() ? x : x.contiguous();
  const { Wp, Hp, padRow, colA, colB } = paddedPlane({ ...g, KW: (KW - 1) * dw + 1 });
  const Cout4 = align(Cout), K = C * KH * KW, ohw = OH * OW;
  const plane = C * H * W, padN = align(C * Hp * Wp + Wp);
  // Threads take ranges of 4-channel weight groups, each with, OUT_SLACK floats
  // apart, its own output. They share one padded input: a call with Cout = 0
  // only pads, a call with Cin = 0 only computes (the kernel's copy loop runs Cin times).
  const groups = Cout4 / 4;
  const parts = partsFor(groups, 4 * ohw * K, threadsOf(k));
  const wPos0 = 0, bPos0 = Cout4 * K, tPos0 = bPos0 + Cout4, inPos0 = align(tPos0 + K), padPos0 = inPos0 + align(plane), outPos0 = padPos0 + padN;
  const { buf, pos } = ctx.gemm.scratch(outPos0 + Cout4 * ohw + OUT_SLACK * parts);
  const wPos = pos + wPos0, bPos = pos + bPos0, tPos = pos + tPos0, inPos = pos + inPos0, padPos = pos + padPos0, outPos = pos + outPos0;
  // Weights as [Cout4/4, K, 4]: a tap's four output channels side by side.
  const Wt = f32(w);
  buf.fill(0, wPos, bPos);
  for (let co = 0; co < Cout; co++) {
    const d = wPos + (co >> 2) * K * 4 + (co & 3), o = w.offset + co * K;
    for (let t = 0; t < K; t++) buf[d + 4 * t] = Wt[o + t]!;
  }
  writeBias(buf, bPos, bias, Cout, Cout4);
  // Tap byte offsets from a block's origin: input plane, kernel row, column (stride 2: in its de-interleaved half).
  const taps = new Int32Array(buf.buffer, buf.byteOffset + tPos * 4, K);
  for (let c = 0, t = 0; c < C; c++)
    for (let ky = 0; ky < KH; ky++)
      for (let kx = 0; kx < KW; kx++, t++) {
        const col = kx * dw;
        const colBytes = g.sw === 1 ? col * 4 : (col & 1) * Wp * 2 + (col >> 1) * 4;
        taps[t] = (c * Hp * Wp + ky * dh * Wp) * 4 + colBytes;
      }
  buf.fill(0, padPos, padPos + padN);
  const X = f32(xc);
  const a = act ? ACT[act] : 0;
  const chunk = (p: number) => {
    const [g0, g1] = partRange(groups, parts, p);
    return { c0: g0 * 4, n: Math.min(Cout, g1 * 4) - g0 * 4, o: outPos + g0 * 4 * ohw + OUT_SLACK * p };
  };
  const call = (cin: number, p: number): number[] => {
    const { c0, n: cn, o } = chunk(p);
    return [inPos * 4, o * 4, (wPos + c0 * K) * 4, (bPos + c0) * 4, cin, cn, H, W, OH, OW, K, tPos * 4, sh * Wp * 4, padPos * 4, Wp, Hp, padRow, colA, colB, a];
  };
  for (let n = 0; n < N; n++) {
    buf.set(X.subarray(xc.offset + n * plane, xc.offset + (n + 1) * plane), inPos);
    if (parts === 1) fn(...(call(C, 0) as Parameters<typeof fn>));
    else {
      const pad = call(C, 0);
      pad[5] = 0; // Cout = 0: pad only
      fn(...(pad as Parameters<typeof fn>));
      runParts(k, `conv_s${g.sw}`, fn, parts, (p) => call(0, p));
    }
    for (let p = 0; p < parts; p++) {
      const { c0, n: cn, o } = chunk(p);
      out.set(buf.subarray(o, o + cn * ohw), outBase + n * outBatch + c0 * ohw);
    }
  }
  return true;
}

/**
 * 2-D max pooling (no ceil_mode) of all N·C planes into `out` (dense
 * [N, C, OH, OW]); the geometry's KW/strides/dilations have the depthwise
 * kernel's limits. The pad border is −∞, as in torch.
 */
export function maxPoolWasm(ctx: KernelContext, x: NDArray, g: ConvGeometry, N: number, out: Float32Array): boolean {
  const k = ctx.gemm.wasm;
  const key = kernelKey(g);
  const fn = k && key ? k.maxPool.get(key) : undefined;
  if (!fn) return false;
  const { C, H, W, KH, sh, dh, OH, OW } = g;
  const xc = x.isContiguous() ? x : x.contiguous();
  const { Wp, Hp, padRow, colA, colB } = paddedPlane(g);
  const planes = N * C, n = planes * H * W, outN = planes * OH * OW;
  const inPos0 = 0, padPos0 = align(n), outPos0 = padPos0 + align((Hp + 1) * Wp);
  const { buf, pos } = ctx.gemm.scratch(outPos0 + outN + 8);
  const inPos = pos + inPos0, padPos = pos + padPos0, outPos = pos + outPos0;
  buf.fill(-Infinity, padPos, padPos + (Hp + 1) * Wp);
  buf.set(f32(xc).subarray(xc.offset, xc.offset + n), inPos);
  fn(inPos * 4, outPos * 4, planes, H, W, OH, OW, KH, sh * Wp * 4, dh * Wp * 4, padPos * 4, Wp, padRow, colA, colB);
  out.set(buf.subarray(outPos, outPos + outN));
  return true;
}
