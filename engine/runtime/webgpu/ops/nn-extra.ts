// WebGPU forms of ops that lower onto existing programs: baddbmm, dot and mv on
// the batched GEMM (every operand through its strides, so vectors are matrices
// with a zero stride), and conv1d/conv2d with string padding on the direct
// convolution program ('same' pads total = dilation·(k-1), the odd one on the
// right as torch does: the program takes the left padding and the output size
// separately).

import { type NDArray } from '../../../core/ndarray';
import { isPyScalar, scalarToNumber } from '../../../core/scalar';
import { type GpuCtx, type GpuKernel, broadcastStrides, contiguousGpu } from '../gpu-kernels';
import { conv2dProgram, conv2dRun } from './conv';
import { type MatOperand, gemmProgram, gemmRun } from './matmul';
import { floatOperand } from './operands';

const scalar = (v: unknown, dflt: number): number | undefined => (v == null ? dflt : isPyScalar(v) ? scalarToNumber(v) : undefined);
const op = (batchStrides: number[], rs: number, cs: number, offset: number): MatOperand => ({ batchStrides, rs, cs, offset });

function baddbmm(g: GpuCtx, self: unknown, b1: unknown, b2: unknown, betaArg: unknown, alphaArg: unknown): NDArray | undefined {
  const a = floatOperand(g, b1), b = floatOperand(g, b2);
  const beta = scalar(betaArg, 1), alpha = scalar(alphaArg, 1);
  if (!a || !b || beta === undefined || alpha === undefined || a.ndim !== 3 || b.ndim !== 3) return undefined;
  const [B, M, K] = a.shape as [number, number, number];
  const N = b.shape[2]!;
  if (b.shape[0] !== B || b.shape[1] !== K) return undefined;
  const shape = [B, M, N];
  const inputs = [a, b];
  let dm: MatOperand | undefined;
  if (beta !== 0) {
    // beta = 0 ignores self (NaN included), as torch does.
    const s = floatOperand(g, self);
    if (!s || s.ndim > 3 || s.shape.some((v, i) => v !== 1 && v !== shape[3 - s.ndim + i])) return undefined;
    const st = broadcastStrides(s, shape);
    dm = op([st[0]!], st[1]!, st[2]!, s.offset);
    inputs.push(s);
  }
  const out = g.exec.alloc(shape);
  const run = gemmRun(M, N, K, [B], op([a.strides[0]!], a.strides[1]!, a.strides[2]!, a.offset), op([b.strides[0]!], b.strides[1]!, b.strides[2]!, b.offset), op([M * N], N, 1, 0), dm, alpha, beta);
  g.exec.dispatch(gemmProgram(1, !!dm), inputs, [out], run);
  return out;
}

function dot(g: GpuCtx, x: unknown, y: unknown): NDArray | undefined {
  const a = floatOperand(g, x), b = floatOperand(g, y);
  if (!a || !b || a.ndim !== 1 || b.ndim !== 1 || a.shape[0] !== b.shape[0]) return undefined;
  const out = g.exec.alloc([]);
  g.exec.dispatch(gemmProgram(0, false), [a, b], [out], gemmRun(1, 1, a.shape[0]!, [], op([], 0, a.strides[0]!, a.offset), op([], b.strides[0]!, 0, b.offset), op([], 0, 0, 0), undefined, 1, 0));
  return out;
}

function mv(g: GpuCtx, x: unknown, y: unknown): NDArray | undefined {
  const a = floatOperand(g, x), v = floatOperand(g, y);
  if (!a || !v || a.ndim !== 2 || v.ndim !== 1 || a.shape[1] !== v.shape[0]) return undefined;
  const [M, K] = a.shape as [number, number];
  const out = g.exec.alloc([M]);
  g.exec.dispatch(gemmProgram(0, false), [a, v], [out], gemmRun(M, 1, K, [], op([], a.strides[0]!, a.strides[1]!, a.offset), op([], v.strides[0]!, 0, v.offset), op([], 1, 0, 0), undefined, 1, 0));
  return out;
}

const ints = (v: unknown, n: number): number[] | undefined => {
  const l = typeof v === 'number' ? [v] : Array.isArray(v) && v.every((e) => typeof e === 'number') ? (v as number[]) : undefined;
  if (!l || l.length === 0) return undefined;
  return l.length === 1 ? new Array<number>(n).fill(l[0]!) : l.length === n ? l : undefined;
};

/** conv{k}d.padding: 'valid' or 'same' on the direct convolution program (1-D as H = 1). */
function convPadding(g: GpuCtx, k: 1 | 2, xa: unknown, wa: unknown, ba: unknown, stride: unknown, padding: unknown, dilation: unknown, groups: unknown): NDArray | undefined {
  const x = floatOperand(g, xa), w0 = floatOperand(g, wa);
  const bias = ba == null ? undefined : floatOperand(g, ba);
  const st = ints(stride ?? 1, k), dl = ints(dilation ?? 1, k);
  const groupsN = groups ?? 1;
  if (!x || !w0 || (ba != null && !bias) || !st || !dl || typeof groupsN !== 'number' || (padding !== 'same' && padding !== 'valid')) return undefined;
  if (w0.ndim !== k + 2 || (x.ndim !== k + 2 && x.ndim !== k + 1)) return undefined;
  if (padding === 'same' && st.some((v) => v !== 1)) return undefined; // torch rejects it: let the host say so
  const batched = x.ndim === k + 2;
  // The program reads the weight as contiguous [Cout, Cg, KH, KW] from its offset.
  const w = w0.isContiguous() ? w0 : contiguousGpu(g, w0);
  const xs = batched ? [...x.strides] : [0, ...x.strides];
  const xsh = batched ? [...x.shape] : [1, ...x.shape];
  const wsh = [...w.shape];
  if (k === 1) {
    xs.splice(2, 0, 0);
    xsh.splice(2, 0, 1);
    wsh.splice(2, 0, 1);
  }
  const s2 = k === 1 ? [1, st[0]!] : st, d2 = k === 1 ? [1, dl[0]!] : dl;
  const [N, C, H, W] = xsh as [number, number, number, number];
  const [Cout, Cg, KH, KW] = wsh as [number, number, number, number];
  if (Cg * groupsN !== C || Cout % groupsN !== 0) return undefined;
  const same = padding === 'same';
  const ph = same ? Math.floor((d2[0]! * (KH - 1)) / 2) : 0, pw = same ? Math.floor((d2[1]! * (KW - 1)) / 2) : 0;
  const OH = same ? H : Math.floor((H - d2[0]! * (KH - 1) - 1) / s2[0]!) + 1;
  const OW = same ? W : Math.floor((W - d2[1]! * (KW - 1) - 1) / s2[1]!) + 1;
  if (OH < 1 || OW < 1) return undefined;
  const out = g.exec.alloc([N, Cout, OH, OW]);
  const inputs = bias ? [x, w, bias] : [x, w];
  const geometry = { N, C, H, W, Cout, OH, OW, KH, KW, sh: s2[0]!, sw: s2[1]!, ph, pw, dh: d2[0]!, dw: d2[1]!, groups: groupsN };
  g.exec.dispatch(conv2dProgram(!!bias), inputs, [out], conv2dRun(geometry, xs, x.offset, w.offset, bias && { offset: bias.offset, stride: bias.strides[0]! }));
  const keep = [0, 1, 2, 3].filter((i) => (batched || i !== 0) && (k === 2 || i !== 2));
  return out.withView(
    keep.map((i) => out.shape[i]!),
    keep.map((i) => out.strides[i]!),
    0,
  );
}

export const NN_EXTRA_KERNELS: ReadonlyArray<readonly [string, GpuKernel]> = [
  ['aten.baddbmm.default', ([s, b1, b2, beta, alpha], g) => baddbmm(g, s, b1, b2, beta, alpha)],
  ['aten.dot.default', ([a, b], g) => dot(g, a, b)],
  ['aten.mv.default', ([a, v], g) => mv(g, a, v)],
  ['aten.conv1d.padding', ([x, w, b, s, p, d, gr], g) => convPadding(g, 1, x, w, b, s, p, d, gr)],
  ['aten.conv2d.padding', ([x, w, b, s, p, d, gr], g) => convPadding(g, 2, x, w, b, s, p, d, gr)],
];
