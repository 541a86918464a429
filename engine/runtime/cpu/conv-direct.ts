// Convolutions computed directly (no im2col) by the WebAssembly kernels of
// wasm-conv-kernels.ts: a depthwise layer in one call per batch element, and
// dense convolutions with few input channels (image stems: Cin = 3). Each call
// lays out weights, bias, the dense input, a zeroed padded plane and the output
// in the GEMM workspace's scratch, runs the kernel, and copies the output out
// in one block. They decline (return false) when the host has no WebAssembly
// SIMD or the geometry has no compiled kernel (stride along W other than 1 or
// 2, dilation along W, kernel wider than 7); conv.ts then uses its fallbacks.

import { type NDArray } from '../../core/ndarray';
import { type Activation } from './gemm';
import { type KernelContext, f32 } from './kernel-context';

/** Shape and attributes of one 2-D convolution (NCHW input, OIHW weight). */
export interface ConvGeometry {
  C: number; H: number; W: number; KH: number; KW: number;
  sh: number; sw: number; ph: number; pw: number; dh: number; dw: number;
  OH: number; OW: number;
}

const align = (n: number): number => (n + 3) & ~3;
const ACT: Record<Activation, number> = { relu: 1, hardswish: 2 };

/** Padded plane width/height: every valid read is inside, and 8-pixel blocks past OW read only inside the row. */
function paddedPlane(g: ConvGeometry): { Wp: number; Hp: number } {
  const OW8 = Math.ceil(g.OW / 8);
  const Wp = Math.max(g.W + 2 * g.pw, g.sw * 8 * OW8 + g.KW + 8);
  const Hp = Math.max(g.H + 2 * g.ph, (g.OH - 1) * g.sh + (g.KH - 1) * g.dh + 1);
  return { Wp, Hp };
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
 * `w` must be contiguous [Cout, 1, KH, KW]; `x` any f32 NCHW layout.
 */
export function depthwiseWasm(ctx: KernelContext, x: NDArray, w: NDArray, bias: NDArray | null, g: ConvGeometry, Cout: number, N: number, out: Float32Array, act: Activation | undefined): boolean {
  const k = ctx.gemm.wasm;
  const key = kernelKey(g);
  const fn = k && key ? k.depthwise.get(key) : undefined;
  if (!fn) return false;
  const { C, H, W, KH, KW, sh, ph, pw, dh, OH, OW } = g;
  const xc = x.isContiguous() ? x : x.contiguous();
  const { Wp, Hp } = paddedPlane(g);
  const nw = Cout * KH * KW, plane = C * H * W, outN = Cout * OH * OW;
  const wPos0 = 0, bPos0 = align(nw), inPos0 = bPos0 + align(Cout), padPos0 = inPos0 + align(plane), outPos0 = padPos0 + align((Hp + 1) * Wp);
  const { buf, pos } = ctx.gemm.scratch(outPos0 + outN + 8);
  const wPos = pos + wPos0, bPos = pos + bPos0, inPos = pos + inPos0, padPos = pos + padPos0, outPos = pos + outPos0;
  buf.set(f32(w).subarray(w.offset, w.offset + nw), wPos);
  writeBias(buf, bPos, bias, Cout, Cout);
  buf.fill(0, padPos, padPos + (Hp + 1) * Wp);
  const X = f32(xc);
  const a = act ? ACT[act] : 0;
  for (let n = 0; n < N; n++) {
    buf.set(X.subarray(xc.offset + n * plane, xc.offset + (n + 1) * plane), inPos);
    fn(inPos * 4, outPos * 4, wPos * 4, bPos * 4, C, Cout / C, H, W, OH, OW, KH, sh * Wp * 4, dh * Wp * 4, padPos * 4, Wp, (ph * Wp + pw) * 4, a);
    out.set(buf.subarray(outPos, outPos + outN), n * outN);
  }
  return true;
}

/** Largest input channel count the direct dense kernel takes (beyond it im2col + GEMM wins). */
export const DIRECT_MAX_CIN = 4;

/**
 * Dense conv (groups = 1) with few input channels, computed directly into
 * `out` (dense [N, Cout, OH, OW]). `w` must be contiguous [Cout, C, KH, KW].
 */
export function directConvWasm(ctx: KernelContext, x: NDArray, w: NDArray, bias: NDArray | null, g: ConvGeometry, Cout: number, N: number, out: Float32Array, act: Activation | undefined): boolean {
  const k = ctx.gemm.wasm;
  const key = kernelKey(g);
  const fn = k && key && g.C <= DIRECT_MAX_CIN ? k.directConv.get(key) : undefined;
  if (!fn) return false;
  const { C, H, W, KH, KW, sh, ph, pw, dh, OH, OW } = g;
  const xc = x.isContiguous() ? x : x.contiguous();
  const { Wp, Hp } = paddedPlane(g);
  const Cout4 = align(Cout);
  const nw = Cout * C * KH * KW, plane = C * H * W, outN = Cout * OH * OW, padN = C * Hp * Wp + Wp;
  const wPos0 = 0, bPos0 = align(Cout4 * C * KH * KW), inPos0 = bPos0 + Cout4, padPos0 = inPos0 + align(plane), outPos0 = padPos0 + align(padN);
  const { buf, pos } = ctx.gemm.scratch(outPos0 + Cout4 * OH * OW + 8);
  const wPos = pos + wPos0, bPos = pos + bPos0, inPos = pos + inPos0, padPos = pos + padPos0, outPos = pos + outPos0;
  buf.set(f32(w).subarray(w.offset, w.offset + nw), wPos);
  buf.fill(0, wPos + nw, bPos);
  writeBias(buf, bPos, bias, Cout, Cout4);
  buf.fill(0, padPos, padPos + padN);
  const X = f32(xc);
  const a = act ? ACT[act] : 0;
  for (let n = 0; n < N; n++) {
    buf.set(X.subarray(xc.offset + n * plane, xc.offset + (n + 1) * plane), inPos);
    fn(inPos * 4, outPos * 4, wPos * 4, bPos * 4, C, Cout, H, W, OH, OW, KH, sh * Wp * 4, dh * Wp * 4, padPos * 4, Wp, Hp, (ph * Wp + pw) * 4, a);
    out.set(buf.subarray(outPos, outPos + outN), n * outN);
  }
  return true;
}
