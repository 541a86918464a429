// WebGPU pooling with torch's full argument set: max pooling with int64
// indices (flat positions within each input plane), average pooling with
// ceil_mode, count_include_pad and divisor_override; 1-D forms run as 2-D over
// a [.., 1, L] view, unbatched inputs as a batch of one. One invocation per
// output element, the input read through its strides.

import { type NDArray } from '../../../core/ndarray';
import { isPyScalar, scalarToNumber } from '../../../core/scalar';
import { type GpuCtx, type GpuKernel } from '../gpu-kernels';
import { gpuStorage } from '../gpu-exec';
import { type ProgramInfo, type RunData, type ShaderHelper, Uniforms, gridFor } from '../program';
import { NN_EXTRA_KERNELS } from './nn-extra';
import { floatOperand } from './operands';

type PoolKind = 'max' | 'avg';

/**
 * Uniforms: total, C, H, W, OH, OW, kh, kw, sh, sw, ph, pw, dh, dw, x strides[4],
 * x offset, count_include_pad, divisor (f32, 0 = none). Max pooling writes the
 * values and the indices (i32, read back as int64).
 */
function pool2dProgram(kind: PoolKind): ProgramInfo {
  const body =
    kind === 'max'
      ? `  var m = 0.0; var mi = -1;
  for (var ky = 0; ky < kh; ky = ky + 1) {
    let iy = i32(oy) * sh + ky * dh - ph;
    if (iy < 0 || iy >= H) { continue; }
    for (var kx = 0; kx < kw; kx = kx + 1) {
      let ix = i32(ox) * sw + kx * dw - pw;
      if (ix < 0 || ix >= W) { continue; }
      let v = in0[base + u32(iy) * U(16u) + u32(ix) * U(17u)];
      // As aten: \`val > maxval || isnan(val)\` replaces the running max.
      if (mi < 0 || v > m || (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u) { m = v; mi = iy * W + ix; }
    }
  }
  out0[idx] = m;
  out1[idx] = mi;`
      : `  let hs = i32(oy) * sh - ph; let ws = i32(ox) * sw - pw;
  let he = min(hs + kh, H + ph); let we = min(ws + kw, W + pw);
  let poolSize = (he - hs) * (we - ws);
  let h0 = max(hs, 0); let w0 = max(ws, 0); let h1 = min(he, H); let w1 = min(we, W);
  var acc = 0.0;
  for (var iy = h0; iy < h1; iy = iy + 1) {
    for (var ix = w0; ix < w1; ix = ix + 1) { acc = acc + in0[base + u32(iy) * U(16u) + u32(ix) * U(17u)]; }
  }
  var div = f32((h1 - h0) * (w1 - w0));
  if (U(19u) != 0u) { div = f32(poolSize); }
  if (Uf(20u) != 0.0) { div = Uf(20u); }
  out0[idx] = acc / div;`;
  return {
    name: 'pool2d',
    cacheKey: { hint: kind, inputDependencies: ['f32r4'] },
    bindings: { inputs: ['f32'], outputs: kind === 'max' ? ['f32', 'i32'] : ['f32'] },
    uniformWords: 21,
    getShaderSource: (h: ShaderHelper) => `${h.prelude()}
${h.main(`  if (idx >= U(0u)) { return; }
  let C = U(1u); let H = Ui(2u); let W = Ui(3u); let OH = U(4u); let OW = U(5u);
  let kh = Ui(6u); let kw = Ui(7u); let sh = Ui(8u); let sw = Ui(9u); let ph = Ui(10u); let pw = Ui(11u); let dh = Ui(12u); let dw = Ui(13u);
  let ox = idx % OW; let oy = (idx / OW) % OH; let c = (idx / (OW * OH)) % C; let n = idx / (OW * OH * C);
  let base = U(18u) + n * U(14u) + c * U(15u);
${body}`)}`,
  };
}

interface Window {
  k: number[];
  s: number[];
  p: number[];
  d: number[];
  ceil: boolean;
}

/** torch's pooling_output_shape. */
function outSize(size: number, k: number, p: number, s: number, d: number, ceil: boolean): number {
  let o = Math.floor((size + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0)) / s) + 1;
  if (ceil && (o - 1) * s >= size + p) o--;
  return o;
}

/**
 * Pool a [N, C, H, W] view (any strides). Returns the values (and the max
 * indices) shaped [N, C, OH, OW], or undefined for arguments the host should judge.
 */
function pool2d(g: GpuCtx, x4: NDArray, w: Window, kind: PoolKind, countIncludePad = true, divisor = 0): [NDArray, NDArray | undefined] | undefined {
  const [N, C, H, W] = x4.shape as [number, number, number, number];
  const { k, s, p, d, ceil } = w;
  if ([...k, ...s, ...d].some((v) => !(v > 0)) || p.some((v, i) => v < 0 || v > Math.floor(((k[i]! - 1) * d[i]! + 1) / 2))) return undefined;
  const OH = outSize(H, k[0]!, p[0]!, s[0]!, d[0]!, ceil), OW = outSize(W, k[1]!, p[1]!, s[1]!, d[1]!, ceil);
  if (OH < 1 || OW < 1 || H < 1 || W < 1) return undefined;
  const total = N * C * OH * OW;
  const values = g.exec.alloc([N, C, OH, OW]);
  const indices = kind === 'max' ? g.exec.alloc([N, C, OH, OW], 'i32', 'int64') : undefined;
  const u = new Uniforms().u(total, C).i(H, W).u(OH, OW).i(k[0]!, k[1]!, s[0]!, s[1]!, p[0]!, p[1]!, d[0]!, d[1]!).u(...x4.strides, x4.offset, countIncludePad ? 1 : 0).f(divisor);
  const run: RunData = { uniforms: u.build(), workgroups: gridFor(total) };
  g.exec.dispatch(pool2dProgram(kind), [x4], indices ? [values, indices] : [values], run);
  return [values, indices];
}

const ints = (v: unknown, n: number, dflt?: number[]): number[] | undefined => {
  const l = typeof v === 'number' ? [v] : Array.isArray(v) && v.every((e) => typeof e === 'number') ? (v as number[]) : undefined;
  if (!l) return undefined;
  if (l.length === 0) return dflt;
  if (l.length === 1) return new Array<number>(n).fill(l[0]!);
  return l.length === n ? l : undefined;
};

/** 2-D windows from the op's arguments (stride [] means the kernel size). */
function window2d(k: unknown, s: unknown, p: unknown, d: unknown, ceil: unknown): Window | undefined {
  const kk = ints(k, 2), pp = ints(p, 2, [0, 0]), dd = ints(d, 2, [1, 1]);
  const ss = kk && ints(s, 2, kk);
  return kk && ss && pp && dd ? { k: kk, s: ss, p: pp, d: dd, ceil: ceil === true } : undefined;
}

/** 1-D windows lifted to 2-D: [1, k], stride [1, s], padding [0, p], dilation [1, d]. */
function window1d(k: unknown, s: unknown, p: unknown, d: unknown, ceil: unknown): Window | undefined {
  const kk = ints(k, 1), pp = ints(p, 1, [0]), dd = ints(d, 1, [1]);
  const ss = kk && ints(s, 1, kk);
  return kk && ss && pp && dd ? { k: [1, kk[0]!], s: [1, ss[0]!], p: [0, pp[0]!], d: [1, dd[0]!], ceil: ceil === true } : undefined;
}

/** x as [N, C, H, W] (3-D: a batch of one), and the view back to x's rank. */
function as4d(x: NDArray, spatial: 1 | 2): { x4: NDArray; back: (y: NDArray) => NDArray } | undefined {
  const nd = x.ndim;
  if (nd !== spatial + 1 && nd !== spatial + 2) return undefined;
  const batched = nd === spatial + 2;
  let shape = [...x.shape], strides = [...x.strides];
  if (!batched) {
    shape = [1, ...shape];
    strides = [0, ...strides];
  }
  if (spatial === 1) {
    shape.splice(2, 0, 1);
    strides.splice(2, 0, 0);
  }
  const x4 = x.withView(shape, strides, x.offset);
  const back = (y: NDArray): NDArray => {
    const keep = [0, 1, 2, 3].filter((i) => (batched || i !== 0) && (spatial === 2 || i !== 2));
    return y.withView(
      keep.map((i) => y.shape[i]!),
      keep.map((i) => y.strides[i]!),
      y.offset,
    );
  };
  return { x4, back };
}

function maxPool(g: GpuCtx, x: unknown, w: Window | undefined, spatial: 1 | 2, withIndices: boolean): NDArray | NDArray[] | undefined {
  const t = floatOperand(g, x);
  const v = t && as4d(t, spatial);
  const r = v && w && pool2d(g, v.x4, w, 'max');
  if (!r) return undefined;
  if (withIndices) return [v.back(r[0]), v.back(r[1]!)];
  g.exec.recycle(gpuStorage(r[1]!));
  return v.back(r[0]);
}

function avgPool(g: GpuCtx, x: unknown, w: Window | undefined, spatial: 1 | 2, cip: unknown, divisor: unknown): NDArray | undefined {
  const t = floatOperand(g, x);
  const div = divisor == null ? 0 : isPyScalar(divisor) ? scalarToNumber(divisor) : NaN;
  if (!t || !w || !(div === div) || (divisor != null && div === 0)) return undefined;
  const v = as4d(t, spatial);
  const r = v && pool2d(g, v.x4, w, 'avg', cip !== false, div);
  return r && v.back(r[0]);
}

export const POOL_KERNELS: ReadonlyArray<readonly [string, GpuKernel]> = [
  ['aten.max_pool2d_with_indices.default', ([x, k, s, p, d, c], g) => maxPool(g, x, window2d(k, s, p, d, c), 2, true)],
  ['aten.max_pool1d.default', ([x, k, s, p, d, c], g) => maxPool(g, x, window1d(k, s, p, d, c), 1, false)],
  ['aten.avg_pool2d.default', ([x, k, s, p, c, cip, div], g) => avgPool(g, x, window2d(k, s, p, 1, c), 2, cip, div)],
  ['aten.avg_pool1d.default', ([x, k, s, p, c, cip], g) => avgPool(g, x, window1d(k, s, p, 1, c), 1, cip, null)],
  ...NN_EXTRA_KERNELS,
];
