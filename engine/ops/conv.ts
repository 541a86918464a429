// Convolution and pooling: convolution (1-D/2-D, groups, stride, padding,
// dilation, transposed), conv1d/conv2d (+ str padding), max_pool2d(_with_indices),
// max_pool1d, avg_pool2d, avg_pool1d, adaptive_avg_pool2d, _adaptive_avg_pool2d.
//
// The convolution kernel is im2col + gemm per (batch, group): the input patch
// matrix [C/g·KH·KW, OH·OW] times the weight [OC/g, C/g·KH·KW]. 1-D convolutions
// run as 2-D ones with height 1. Transposed convolution scatters directly.
// Output sizes follow torch's conv_output_size / pooling_output_shape and work
// on symbolic sizes.

import { UnsupportedOperatorError, check } from '../core/errors';
import { NDArray } from '../core/ndarray';
import { type IntLike, guardBool, intLikeToString, symAdd, symFloorDiv, symGe, symLt, symMul, symSub, symEq } from '../symbolic';
import { meta, shapeStr } from './meta-utils';
import { defineOp } from './registry';
import { gemm } from './matmul';
import { fromF64, num, toF64 } from './reduction';
import { type DecompContext, type OpDef, OpGroup, type TensorMeta } from './types';

const T = (v: unknown): TensorMeta => v as TensorMeta;
const A = (v: unknown): NDArray => v as NDArray;
const s = intLikeToString;
const known = (v: IntLike): v is number => typeof v === 'number';

/** Expand a `SymInt[]` conv parameter given as one value to one per spatial dim. */
function expandParam(v: unknown, n: number, name: string, op: string): IntLike[] {
  const list = (Array.isArray(v) ? v : [v]) as IntLike[];
  if (list.length === 1 && n > 1) return new Array<IntLike>(n).fill(list[0]!);
  check(list.length === n, op, () => `expected ${name} to be a single integer value or a list of ${n} values to match the convolution dimensions, but got ${name}=[${list.map(s).join(', ')}]`);
  return list;
}

interface ConvParams {
  stride: IntLike[];
  padding: IntLike[];
  dilation: IntLike[];
  outputPadding: IntLike[];
  groups: IntLike;
  transposed: boolean;
}

function convMeta(op: string, x: TensorMeta, w: TensorMeta, b: TensorMeta | null, p: ConvParams): TensorMeta {
  const k = w.shape.length - 2;
  check(x.shape.length === w.shape.length, op, () => `Expected ${w.shape.length}-dimensional input for ${w.shape.length}-dimensional weight ${shapeStr(w.shape)}, but got ${x.shape.length}-dimensional input of size ${shapeStr(x.shape)} instead`);
  const g = p.groups;
  check(known(g) ? g > 0 : true, op, () => 'non-positive groups is not supported');
  const cin = x.shape[1]!;
  if (!p.transposed) {
    const w0 = w.shape[0]!;
    check(!(known(w0) && known(g)) || w0 % g === 0, op, () => `Given groups=${s(g)}, expected weight to be divisible by ${s(g)} at dimension 0, but got weight of size [${shapeStr(w.shape)}] instead`);
    check(guardBool(symEq(symMul(w.shape[1]!, g), cin)), op, () => `Given groups=${s(g)}, weight of size ${shapeStr(w.shape)}, expected input${shapeStr(x.shape)} to have ${s(symMul(w.shape[1]!, g))} channels, but got ${s(cin)} channels instead`);
  } else {
    check(guardBool(symEq(w.shape[0]!, cin)), op, () => `Given transposed=1, weight of size ${shapeStr(w.shape)}, expected input${shapeStr(x.shape)} to have ${s(w.shape[0]!)} channels, but got ${s(cin)} channels instead`);
  }
  const outC = p.transposed ? symMul(w.shape[1]!, g) : w.shape[0]!;
  if (b) {
    check(b.shape.length === 1 && guardBool(symEq(b.shape[0]!, outC)), op, () => `Given weight of size ${shapeStr(w.shape)}, expected bias to be 1-dimensional with ${s(outC)} elements, but got bias of size ${shapeStr(b.shape)} instead`);
  }
  const out: IntLike[] = [x.shape[0]!, outC];
  if (!p.transposed) {
    const padded = x.shape.slice(2).map((v, i) => symAdd(v, symMul(2, p.padding[i]!)));
    const extent = w.shape.slice(2).map((v, i) => symAdd(symMul(p.dilation[i]!, symSub(v, 1)), 1));
    const tooSmall = padded.some((v, i) => guardBool(symLt(v, extent[i]!)));
    check(!tooSmall, op, () => `Calculated padded input size per channel: (${padded.map(s).join(' x ')}). Kernel size: (${extent.map(s).join(' x ')}). Kernel size can't be greater than actual input size`);
    for (let i = 0; i < k; i++) out.push(symAdd(symFloorDiv(symSub(padded[i]!, extent[i]!), p.stride[i]!), 1));
  } else {
    for (let i = 0; i < k; i++) {
      // (in - 1) * stride - 2 * pad + dilation * (k - 1) + output_padding + 1
      const v = symAdd(symAdd(symSub(symMul(symSub(x.shape[i + 2]!, 1), p.stride[i]!), symMul(2, p.padding[i]!)), symMul(p.dilation[i]!, symSub(w.shape[i + 2]!, 1))), symAdd(p.outputPadding[i]!, 1));
      out.push(v);
    }
  }
  return meta(x.dtype, out);
}

function convParams(op: string, k: number, stride: unknown, padding: unknown, dilation: unknown, transposed: unknown, outputPadding: unknown, groups: unknown): ConvParams {
  return {
    stride: expandParam(stride, k, 'stride', op),
    padding: expandParam(padding, k, 'padding', op),
    dilation: expandParam(dilation, k, 'dilation', op),
    outputPadding: expandParam(outputPadding ?? [0], k, 'output_padding', op),
    groups: groups as IntLike,
    transposed: transposed === true,
  };
}

/** Forward convolution over [N, C, H, W] views (1-D passes H = 1). */
function conv2dForward(
  x: Float64Array, [N, C, H, W]: number[],
  w: Float64Array, [OC, Cg, KH, KW]: number[],
  bias: Float64Array | null,
  [sh, sw]: number[], [ph, pw]: number[], [dh, dw]: number[], groups: number,
  [OH, OW]: number[],
): Float64Array {
  const OCg = OC / groups;
  const K = Cg * KH * KW;
  const P = OH * OW;
  const col = new Float64Array(K * P);
  const out = new Float64Array(N * OC * P);
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < groups; g++) {
      // im2col for this (batch, group).
      for (let c = 0; c < Cg; c++) {
        const plane = (n * C + g * Cg + c) * H * W;
        for (let kh = 0; kh < KH; kh++) {
          for (let kw = 0; kw < KW; kw++) {
            const row = ((c * KH + kh) * KW + kw) * P;
            for (let oh = 0; oh < OH; oh++) {
              const ih = oh * sh - ph + kh * dh;
              const dst = row + oh * OW;
              if (ih < 0 || ih >= H) {
                col.fill(0, dst, dst + OW);
                continue;
              }
              const srcRow = plane + ih * W;
              for (let ow = 0; ow < OW; ow++) {
                const iw = ow * sw - pw + kw * dw;
                col[dst + ow] = iw >= 0 && iw < W ? x[srcRow + iw]! : 0;
              }
            }
          }
        }
      }
      const outOff = (n * OC + g * OCg) * P;
      if (bias) for (let oc = 0; oc < OCg; oc++) out.fill(bias[g * OCg + oc]!, outOff + oc * P, outOff + (oc + 1) * P);
      gemm(w, g * OCg * K, col, 0, out, outOff, OCg, K, P);
    }
  }
  return out;
}

function convTransposeForward(
  x: Float64Array, [N, C, H, W]: number[],
  w: Float64Array, [, OCg, KH, KW]: number[],
  bias: Float64Array | null,
  [sh, sw]: number[], [ph, pw]: number[], [dh, dw]: number[], groups: number,
  [OH, OW]: number[],
): Float64Array {
  const Cg = C / groups;
  const OC = OCg * groups;
  const out = new Float64Array(N * OC * OH * OW);
  for (let n = 0; n < N; n++) {
    if (bias) for (let oc = 0; oc < OC; oc++) out.fill(bias[oc]!, (n * OC + oc) * OH * OW, (n * OC + oc + 1) * OH * OW);
    for (let g = 0; g < groups; g++) {
      for (let c = 0; c < Cg; c++) {
        const ci = g * Cg + c;
        for (let ih = 0; ih < H; ih++) {
          for (let iw = 0; iw < W; iw++) {
            const xv = x[((n * C + ci) * H + ih) * W + iw]!;
            if (xv === 0) continue;
            for (let oc = 0; oc < OCg; oc++) {
              const oBase = (n * OC + g * OCg + oc) * OH * OW;
              const wBase = (ci * OCg + oc) * KH * KW;
              for (let kh = 0; kh < KH; kh++) {
                const oh = ih * sh - ph + kh * dh;
                if (oh < 0 || oh >= OH) continue;
                for (let kw = 0; kw < KW; kw++) {
                  const ow = iw * sw - pw + kw * dw;
                  if (ow < 0 || ow >= OW) continue;
                  out[oBase + oh * OW + ow] += xv * w[wBase + kh * KW + kw]!;
                }
              }
            }
          }
        }
      }
    }
  }
  return out;
}

export const convolution = defineOp({
  schema:
    'convolution(Tensor input, Tensor weight, Tensor? bias, SymInt[] stride, SymInt[] padding, SymInt[] dilation, bool transposed, SymInt[] output_padding, SymInt groups) -> Tensor',
  groups: [OpGroup.Core],
  meta: ([input, weight, bias, stride, padding, dilation, transposed, outputPadding, groups], ctx) => {
    const w = T(weight);
    const p = convParams(ctx.op, Math.max(w.shape.length - 2, 0), stride, padding, dilation, transposed, outputPadding, groups);
    return convMeta(ctx.op, T(input), w, bias as TensorMeta | null, p);
  },
  cpu: ([input, weight, bias, stride, padding, dilation, transposed, outputPadding, groups], ctx) => {
    const x = A(input);
    const w = A(weight);
    const k = w.ndim - 2;
    if (k !== 1 && k !== 2) throw new UnsupportedOperatorError(ctx.op, `${ctx.op}: only 1-D and 2-D convolutions are supported on CPU (got ${k}-D)`);
    const p = convParams(ctx.op, k, stride, padding, dilation, transposed, outputPadding, groups);
    const m = convMeta(ctx.op, x, w, bias as NDArray | null, p);
    const two = (v: IntLike[], fill: number): number[] => (k === 1 ? [fill, v[0] as number] : (v as number[]));
    const xs = k === 1 ? [x.shape[0]!, x.shape[1]!, 1, x.shape[2]!] : [...x.shape];
    const ws = k === 1 ? [w.shape[0]!, w.shape[1]!, 1, w.shape[2]!] : [...w.shape];
    const outShape = m.shape as number[];
    const os = k === 1 ? [1, outShape[2]!] : [outShape[2]!, outShape[3]!];
    const fwd = p.transposed ? convTransposeForward : conv2dForward;
    const vals = fwd(toF64(x), xs, toF64(w), ws, bias ? toF64(A(bias)) : null, two(p.stride, 1), two(p.padding, 0), two(p.dilation, 1), num(p.groups), os);
    return fromF64(x.dtype, outShape, vals);
  },
});

/** conv1d/conv2d → convolution, batching unbatched input as aten does. */
function convNdDecomp(ctx: DecompContext, k: number, input: unknown, weight: unknown, bias: unknown, stride: unknown, padding: IntLike[], dilation: unknown, groups: unknown, outputPadding: number[]): unknown {
  const op = `aten.conv${k}d`;
  const unbatched = ctx.meta(input).shape.length === k + 1;
  const x = unbatched ? ctx.call('aten.unsqueeze.default', [input, 0]) : input;
  const out = ctx.call('aten.convolution.default', [
    x, weight, bias, expandParam(stride, k, 'stride', op), padding, expandParam(dilation, k, 'dilation', op), false, outputPadding, groups,
  ]);
  return unbatched ? ctx.call('aten.squeeze.dims', [out, [0]]) : out;
}

function convNdMeta(op: string, k: number, input: TensorMeta, weight: TensorMeta, bias: TensorMeta | null, p: ConvParams): TensorMeta {
  const unbatched = input.shape.length === k + 1;
  const x = unbatched ? meta(input.dtype, [1, ...input.shape]) : input;
  const out = convMeta(op, x, weight, bias, p);
  return unbatched ? meta(out.dtype, out.shape.slice(1)) : out;
}

function convNdCpu(k: number, input: NDArray, rest: unknown[]): NDArray {
  const unbatched = input.ndim === k + 1;
  const x = unbatched ? input.withView([1, ...input.shape], [0, ...input.strides], input.offset) : input;
  const out = convolution.cpu([x, ...rest], { op: 'aten.convolution.default' }) as NDArray;
  return unbatched ? out.withView(out.shape.slice(1), out.strides.slice(1), out.offset) : out;
}

function defineConvNd(k: 1 | 2): OpDef {
  const l = (v: number): string => `[${new Array<number>(k).fill(v).join(', ')}]`;
  return defineOp({
    schema: `conv${k}d(Tensor input, Tensor weight, Tensor? bias=None, SymInt[${k}] stride=${l(1)}, SymInt[${k}] padding=${l(0)}, SymInt[${k}] dilation=${l(1)}, SymInt groups=1) -> Tensor`,
    meta: ([input, weight, bias, stride, padding, dilation, groups], ctx) =>
      convNdMeta(ctx.op, k, T(input), T(weight), bias as TensorMeta | null, convParams(ctx.op, k, stride, padding, dilation, false, [0], groups)),
    cpu: ([input, weight, bias, stride, padding, dilation, groups], ctx) => {
      const p = convParams(ctx.op, k, stride, padding, dilation, false, [0], groups);
      return convNdCpu(k, A(input), [weight, bias, p.stride, p.padding, p.dilation, false, p.outputPadding, p.groups]);
    },
    decomp: ([input, weight, bias, stride, padding, dilation, groups], ctx) =>
      convNdDecomp(ctx, k, input, weight, bias, stride, expandParam(padding, k, 'padding', `aten.conv${k}d`), dilation, groups, new Array<number>(k).fill(0)),
  });
}

export const conv1d = defineConvNd(1);
export const conv2d = defineConvNd(2);

/** padding='same' / 'valid' resolved as aten's _convolution_mode does. */
function resolveStrPadding(op: string, k: number, weight: TensorMeta, stride: IntLike[], padding: string, dilation: IntLike[]): { padL: IntLike[]; padNd: IntLike[] | null } {
  if (padding === 'valid') return { padL: [0], padNd: null };
  check(padding === 'same', op, () => `Invalid padding string: '${padding}'`);
  check(stride.every((v) => v === 1), op, () => "padding='same' is not supported for strided convolutions");
  const padL: IntLike[] = [];
  const padR: IntLike[] = [];
  let symmetric = true;
  for (let i = 0; i < k; i++) {
    const total = symMul(dilation[i]!, symSub(weight.shape[i + 2]!, 1));
    const left = symFloorDiv(total, 2);
    const right = symSub(total, left);
    padL.push(left);
    padR.push(right);
    if (!guardBool(symEq(left, right))) symmetric = false;
  }
  if (symmetric) return { padL, padNd: null };
  const padNd = new Array<IntLike>(2 * k).fill(0);
  for (let i = 0; i < k; i++) {
    const delta = symSub(padR[i]!, padL[i]!);
    const idx = 2 * (k - 1 - i);
    if (guardBool(symGe(delta, 1))) padNd[idx + 1] = delta;
    else {
      padNd[idx] = delta;
      padL[i] = padR[i]!;
    }
  }
  return { padL, padNd };
}

function defineConvNdPadding(k: 1 | 2): OpDef {
  const l = (v: number): string => `[${new Array<number>(k).fill(v).join(', ')}]`;
  const resolve = (op: string, input: TensorMeta, weight: TensorMeta, stride: unknown, padding: unknown, dilation: unknown) => {
    const st = expandParam(stride, k, 'stride', op);
    const dl = expandParam(dilation, k, 'dilation', op);
    return { st, dl, ...resolveStrPadding(op, k, weight, st, padding as string, dl), input };
  };
  return defineOp({
    schema: `conv${k}d.padding(Tensor input, Tensor weight, Tensor? bias=None, SymInt[${k}] stride=${l(1)}, str padding="valid", SymInt[${k}] dilation=${l(1)}, SymInt groups=1) -> Tensor`,
    meta: ([input, weight, bias, stride, padding, dilation, groups], ctx) => {
      const r = resolve(ctx.op, T(input), T(weight), stride, padding, dilation);
      const x = T(input);
      let xm = x;
      if (r.padNd) {
        const sh = [...x.shape];
        for (let i = 0; i < k; i++) sh[sh.length - 1 - i] = symAdd(sh[sh.length - 1 - i]!, symAdd(r.padNd[2 * i]!, r.padNd[2 * i + 1]!));
        xm = meta(x.dtype, sh);
      }
      return convNdMeta(ctx.op, k, xm, T(weight), bias as TensorMeta | null, convParams(ctx.op, k, r.st, r.padL, r.dl, false, [0], groups));
    },
    cpu: ([input, weight, bias, stride, padding, dilation, groups], ctx) => {
      const x = A(input);
      const r = resolve(ctx.op, x, A(weight), stride, padding, dilation);
      let xp = x;
      if (r.padNd) xp = padRightOnly(x, r.padNd as number[]);
      const p = convParams(ctx.op, k, r.st, r.padL, r.dl, false, [0], groups);
      return convNdCpu(k, xp, [weight, bias, p.stride, p.padding, p.dilation, false, p.outputPadding, p.groups]);
    },
    decomp: ([input, weight, bias, stride, padding, dilation, groups], ctx) => {
      const r = resolve('aten.conv' + k + 'd', ctx.meta(input), ctx.meta(weight), stride, padding, dilation);
      const x = r.padNd ? ctx.call('aten.constant_pad_nd.default', [input, r.padNd, 0]) : input;
      // 'valid' is spelled padding=[0], output_padding=[0] (aten's _convolution_mode).
      return convNdDecomp(ctx, k, x, weight, bias, r.st, r.padL, r.dl, groups, padding === 'valid' ? [0] : new Array<number>(k).fill(0));
    },
  });
}

/** constant_pad_nd with non-negative pads (F.pad order: last dim first), zeros. */
function padRightOnly(x: NDArray, pad: readonly number[]): NDArray {
  const nd = x.ndim;
  const shape = [...x.shape];
  const before = new Array<number>(nd).fill(0);
  for (let i = 0; i < pad.length / 2; i++) {
    const d = nd - 1 - i;
    before[d] = pad[2 * i]!;
    shape[d] = shape[d]! + pad[2 * i]! + pad[2 * i + 1]!;
  }
  const out = NDArray.zeros(x.dtype, shape);
  const inner = out.withView([...x.shape], out.strides, before.reduce((acc, b, d) => acc + b * out.strides[d]!, 0));
  inner.copyFrom(x);
  return out;
}

export const conv1dPadding = defineConvNdPadding(1);
export const conv2dPadding = defineConvNdPadding(2);

// ---------------------------------------------------------------------------
// Pooling

interface PoolParams {
  kernel: number[];
  stride: number[];
  padding: number[];
  dilation: number[];
  ceil: boolean;
}

function pair(v: unknown, fallback?: number[]): number[] {
  const list = (Array.isArray(v) ? v : [v]).map(num);
  if (list.length === 0 && fallback) return fallback;
  return list.length === 1 ? [list[0]!, list[0]!] : list;
}

function poolParams(op: string, kernel: unknown, stride: unknown, padding: unknown, dilation: unknown, ceil: unknown): PoolParams {
  const k = pair(kernel);
  check(k.length === 2, op, () => 'max_pool2d: kernel_size must either be a single int, or a tuple of two ints');
  const st = pair(stride, k);
  check(st.length === 2, op, () => 'max_pool2d: stride must either be omitted, a single int, or a tuple of two ints');
  return { kernel: k, stride: st, padding: pair(padding), dilation: pair(dilation), ceil: ceil === true };
}

/** torch's pooling_output_shape. */
function poolOut(inSize: IntLike, k: number, pad: number, stride: number, dil: number, ceil: boolean): IntLike {
  const num0 = symAdd(symSub(symAdd(inSize, 2 * pad), dil * (k - 1) + 1), ceil ? stride - 1 : 0);
  let out = symAdd(symFloorDiv(num0, stride), 1);
  if (ceil && guardBool(symGe(symMul(symSub(out, 1), stride), symAdd(inSize, pad)))) out = symSub(out, 1);
  return out;
}

function poolMeta(op: string, x: TensorMeta, p: PoolParams, checkDilation: boolean): IntLike[] {
  const nd = x.shape.length;
  check((nd === 3 || nd === 4) && x.shape.slice(1).every((v) => !known(v) || v !== 0), op, () => 'non-empty 3D or 4D (batch mode) tensor expected for input');
  for (let i = 0; i < 2; i++) {
    check(p.kernel[i]! > 0, op, () => `kernel size should be greater than zero, but got kH: ${p.kernel[0]} kW: ${p.kernel[1]}`);
    check(p.stride[i]! > 0, op, () => `stride should be greater than zero, but got dH: ${p.stride[0]} dW: ${p.stride[1]}`);
    if (checkDilation) check(p.dilation[i]! > 0, op, () => `dilation should be greater than zero, but got dilationH: ${p.dilation[0]} dilationW: ${p.dilation[1]}`);
  }
  for (let i = 0; i < 2; i++)
    check(p.padding[i]! <= Math.floor(((p.kernel[i]! - 1) * p.dilation[i]! + 1) / 2), op, () => `pad should be at most half of effective kernel size, but got pad=${p.padding[i]}, kernel_size=${p.kernel[i]} and dilation=${p.dilation[i]}`);
  const H = x.shape[nd - 2]!;
  const W = x.shape[nd - 1]!;
  const oh = poolOut(H, p.kernel[0]!, p.padding[0]!, p.stride[0]!, p.dilation[0]!, p.ceil);
  const ow = poolOut(W, p.kernel[1]!, p.padding[1]!, p.stride[1]!, p.dilation[1]!, p.ceil);
  const C = x.shape[nd - 3]!;
  const bad = (v: IntLike): boolean => (known(v) ? v < 1 : guardBool(symLt(v, 1)));
  check(!(bad(oh) || bad(ow)), op, () => `Given input size: (${s(C)}x${s(H)}x${s(W)}). Calculated output size: (${s(C)}x${s(oh)}x${s(ow)}). Output size is too small`);
  return [...x.shape.slice(0, nd - 2), oh, ow];
}

/** What both pooling kernels loop over: plane sizes, the input as float64, an output buffer, window geometry. */
function poolLayout(x: NDArray, p: PoolParams, outShape: number[]) {
  const nd = x.ndim;
  const H = x.shape[nd - 2]!;
  const W = x.shape[nd - 1]!;
  const OH = outShape[nd - 2]!;
  const OW = outShape[nd - 1]!;
  const planes = x.numel / (H * W);
  const [kh, kw] = p.kernel as [number, number];
  const [sh, sw] = p.stride as [number, number];
  const [ph, pw] = p.padding as [number, number];
  return { H, W, OH, OW, planes, src: toF64(x), vals: new Float64Array(planes * OH * OW), kh, kw, sh, sw, ph, pw };
}

/** Max pooling over planes; `indices` are flat positions within each input plane. */
function maxPoolCpu(x: NDArray, p: PoolParams, outShape: number[]): [NDArray, NDArray] {
  const { H, W, OH, OW, planes, src, vals, kh, kw, sh, sw, ph, pw } = poolLayout(x, p, outShape);
  const idx = NDArray.zeros('int64', outShape);
  const id = idx.storage.data;
  const [dh, dw] = p.dilation as [number, number];
  for (let pl = 0; pl < planes; pl++) {
    const base = pl * H * W;
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        let best = -Infinity;
        let bi = -1;
        for (let i = 0; i < kh; i++) {
          const ih = oh * sh - ph + i * dh;
          if (ih < 0 || ih >= H) continue;
          for (let j = 0; j < kw; j++) {
            const iw = ow * sw - pw + j * dw;
            if (iw < 0 || iw >= W) continue;
            const v = src[base + ih * W + iw]!;
            // As aten: `val > maxval || isnan(val)` replaces the running max.
            if (bi < 0 || v > best || Number.isNaN(v)) {
              best = v;
              bi = ih * W + iw;
            }
          }
        }
        const o = (pl * OH + oh) * OW + ow;
        vals[o] = best;
        id[o] = bi;
      }
    }
  }
  return [fromF64(x.dtype, outShape, vals), idx];
}

export const maxPool2dWithIndices = defineOp({
  schema: 'max_pool2d_with_indices(Tensor self, int[2] kernel_size, int[2] stride=[], int[2] padding=0, int[2] dilation=1, bool ceil_mode=False) -> (Tensor, Tensor)',
  groups: [OpGroup.Core],
  meta: ([self, kernel, stride, padding, dilation, ceil], ctx) => {
    const x = T(self);
    const shape = poolMeta(ctx.op, x, poolParams(ctx.op, kernel, stride, padding, dilation, ceil), true);
    return [meta(x.dtype, shape), meta('int64', shape)];
  },
  cpu: ([self, kernel, stride, padding, dilation, ceil], ctx) => {
    const x = A(self);
    const p = poolParams(ctx.op, kernel, stride, padding, dilation, ceil);
    return maxPoolCpu(x, p, poolMeta(ctx.op, x, p, true) as number[]);
  },
});

export const maxPool2d = defineOp({
  schema: 'max_pool2d(Tensor self, int[2] kernel_size, int[2] stride=[], int[2] padding=0, int[2] dilation=1, bool ceil_mode=False) -> Tensor',
  meta: ([self, kernel, stride, padding, dilation, ceil], ctx) => {
    const x = T(self);
    return meta(x.dtype, poolMeta(ctx.op, x, poolParams(ctx.op, kernel, stride, padding, dilation, ceil), true));
  },
  cpu: ([self, kernel, stride, padding, dilation, ceil], ctx) => {
    const x = A(self);
    const p = poolParams(ctx.op, kernel, stride, padding, dilation, ceil);
    return maxPoolCpu(x, p, poolMeta(ctx.op, x, p, true) as number[])[0];
  },
  decomp: (args, ctx) => (ctx.call('aten.max_pool2d_with_indices.default', args) as unknown[])[0],
});

/** 1-D pool parameters lifted to 2-D: [1, k], stride defaulting to the kernel. */
function lift1d(kernel: unknown, stride: unknown, padding: unknown, dilation?: unknown): number[][] {
  const k = pair(kernel).slice(0, 1);
  const st = (Array.isArray(stride) ? stride : [stride]).map(num);
  return [[1, k[0]!], [1, st.length ? st[0]! : k[0]!], [0, pair(padding)[0]!], [1, dilation === undefined ? 1 : pair(dilation)[0]!]];
}

function pool1dMeta(x: TensorMeta, shape2d: IntLike[]): TensorMeta {
  return meta(x.dtype, [...shape2d.slice(0, -2), shape2d[shape2d.length - 1]!]);
}

export const maxPool1d = defineOp({
  schema: 'max_pool1d(Tensor self, int[1] kernel_size, int[1] stride=[], int[1] padding=[0], int[1] dilation=[1], bool ceil_mode=False) -> Tensor',
  meta: ([self, kernel, stride, padding, dilation, ceil], ctx) => {
    const x = T(self);
    check(x.shape.length === 2 || x.shape.length === 3, ctx.op, () => `max_pool1d() Expected 2D or 3D input tensor, but got ${shapeStr(x.shape)}`);
    const [k, st, pd, dl] = lift1d(kernel, stride, padding, dilation);
    const x4 = meta(x.dtype, [...x.shape.slice(0, -1), 1, x.shape[x.shape.length - 1]!]);
    return pool1dMeta(x, poolMeta(ctx.op, x4, poolParams(ctx.op, k, st, pd, dl, ceil), true));
  },
  cpu: ([self, kernel, stride, padding, dilation, ceil], ctx) => {
    const x = A(self);
    const [k, st, pd, dl] = lift1d(kernel, stride, padding, dilation);
    const nd = x.ndim;
    const x4 = x.withView([...x.shape.slice(0, -1), 1, x.shape[nd - 1]!], [...x.strides.slice(0, -1), 0, x.strides[nd - 1]!], x.offset);
    const p = poolParams(ctx.op, k, st, pd, dl, ceil);
    const out = maxPoolCpu(x4, p, poolMeta(ctx.op, x4, p, true) as number[])[0];
    return out.withView([...out.shape.slice(0, -2), out.shape[nd]!], [...out.strides.slice(0, -2), 1], 0);
  },
  decomp: ([self, kernel, stride, padding, dilation, ceil], ctx) => {
    const [k, st, pd, dl] = lift1d(kernel, stride, padding, dilation);
    const u = ctx.call('aten.unsqueeze.default', [self, -2]);
    const r = (ctx.call('aten.max_pool2d_with_indices.default', [u, k, st, pd, dl, ceil]) as unknown[])[0];
    return ctx.call('aten.squeeze.dims', [r, [-2]]);
  },
});

function avgPoolCpu(x: NDArray, p: PoolParams, outShape: number[], countIncludePad: boolean, divisor: number | null): NDArray {
  const { H, W, OH, OW, planes, src, vals, kh, kw, sh, sw, ph, pw } = poolLayout(x, p, outShape);
  for (let pl = 0; pl < planes; pl++) {
    const base = pl * H * W;
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        let h0 = oh * sh - ph;
        let w0 = ow * sw - pw;
        let h1 = Math.min(h0 + kh, H + ph);
        let w1 = Math.min(w0 + kw, W + pw);
        const poolSize = (h1 - h0) * (w1 - w0);
        h0 = Math.max(h0, 0);
        w0 = Math.max(w0, 0);
        h1 = Math.min(h1, H);
        w1 = Math.min(w1, W);
        let acc = 0;
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) acc += src[base + ih * W + iw]!;
        const div = divisor ?? (countIncludePad ? poolSize : (h1 - h0) * (w1 - w0));
        vals[(pl * OH + oh) * OW + ow] = acc / div;
      }
    }
  }
  return fromF64(x.dtype, outShape, vals);
}

export const avgPool2d = defineOp({
  schema: 'avg_pool2d(Tensor self, int[2] kernel_size, int[2] stride=[], int[2] padding=0, bool ceil_mode=False, bool count_include_pad=True, int? divisor_override=None) -> Tensor',
  groups: [OpGroup.Core],
  meta: ([self, kernel, stride, padding, ceil, , divisor], ctx) => {
    const x = T(self);
    check(divisor === null || num(divisor) !== 0, ctx.op, () => 'divisor must be not zero');
    return meta(x.dtype, poolMeta(ctx.op, x, poolParams(ctx.op, kernel, stride, padding, 1, ceil), false));
  },
  cpu: ([self, kernel, stride, padding, ceil, countIncludePad, divisor], ctx) => {
    const x = A(self);
    check(divisor === null || num(divisor) !== 0, ctx.op, () => 'divisor must be not zero');
    const p = poolParams(ctx.op, kernel, stride, padding, 1, ceil);
    return avgPoolCpu(x, p, poolMeta(ctx.op, x, p, false) as number[], countIncludePad !== false, divisor === null ? null : num(divisor));
  },
});

export const avgPool1d = defineOp({
  schema: 'avg_pool1d(Tensor self, int[1] kernel_size, int[1] stride=[], int[1] padding=[0], bool ceil_mode=False, bool count_include_pad=True) -> Tensor',
  groups: [OpGroup.Core],
  meta: ([self, kernel, stride, padding, ceil], ctx) => {
    const x = T(self);
    check(x.shape.length === 2 || x.shape.length === 3, ctx.op, () => `avg_pool1d() Expected 2D or 3D input tensor, but got ${shapeStr(x.shape)}`);
    const [k, st, pd] = lift1d(kernel, stride, padding);
    const x4 = meta(x.dtype, [...x.shape.slice(0, -1), 1, x.shape[x.shape.length - 1]!]);
    return pool1dMeta(x, poolMeta(ctx.op, x4, poolParams(ctx.op, k, st, pd, 1, ceil), false));
  },
  cpu: ([self, kernel, stride, padding, ceil, countIncludePad], ctx) => {
    const x = A(self);
    const [k, st, pd] = lift1d(kernel, stride, padding);
    const nd = x.ndim;
    const x4 = x.withView([...x.shape.slice(0, -1), 1, x.shape[nd - 1]!], [...x.strides.slice(0, -1), 0, x.strides[nd - 1]!], x.offset);
    const p = poolParams(ctx.op, k, st, pd, 1, ceil);
    const out = avgPoolCpu(x4, p, poolMeta(ctx.op, x4, p, false) as number[], countIncludePad !== false, null);
    return out.withView([...out.shape.slice(0, -2), out.shape[nd]!], [...out.strides.slice(0, -2), 1], 0);
  },
  decomp: ([self, kernel, stride, padding, ceil, countIncludePad], ctx) => {
    const [k, st, pd] = lift1d(kernel, stride, padding);
    const u = ctx.call('aten.unsqueeze.default', [self, -2]);
    const r = ctx.call('aten.avg_pool2d.default', [u, k, st, pd, ceil, countIncludePad]);
    return ctx.call('aten.squeeze.dims', [r, [-2]]);
  },
});

function adaptiveMeta(op: string, x: TensorMeta, outputSize: unknown): TensorMeta {
  const nd = x.shape.length;
  check(nd === 3 || nd === 4, op, () => `adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got ${shapeStr(x.shape)}`);
  for (let i = 1; i < nd; i++) {
    const v = x.shape[i]!;
    check(!(known(v) && v === 0), op, () => `adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch dimensions, but input has sizes ${shapeStr(x.shape)} with dimension ${i} being empty`);
  }
  const os = (Array.isArray(outputSize) ? outputSize : [outputSize]) as IntLike[];
  const o2 = os.length === 1 ? [os[0]!, os[0]!] : os;
  check(o2.length === 2, op, () => 'adaptive_avg_pool2d: output_size must be 2');
  return meta(x.dtype, [...x.shape.slice(0, nd - 2), ...o2]);
}

function adaptiveCpu(x: NDArray, outShape: number[]): NDArray {
  const nd = x.ndim;
  const H = x.shape[nd - 2]!;
  const W = x.shape[nd - 1]!;
  const OH = outShape[nd - 2]!;
  const OW = outShape[nd - 1]!;
  const planes = x.numel / (H * W);
  const src = toF64(x);
  const vals = new Float64Array(planes * OH * OW);
  for (let pl = 0; pl < planes; pl++) {
    const base = pl * H * W;
    for (let oh = 0; oh < OH; oh++) {
      const h0 = Math.floor((oh * H) / OH);
      const h1 = Math.ceil(((oh + 1) * H) / OH);
      for (let ow = 0; ow < OW; ow++) {
        const w0 = Math.floor((ow * W) / OW);
        const w1 = Math.ceil(((ow + 1) * W) / OW);
        let acc = 0;
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) acc += src[base + ih * W + iw]!;
        vals[(pl * OH + oh) * OW + ow] = acc / ((h1 - h0) * (w1 - w0));
      }
    }
  }
  return fromF64(x.dtype, outShape, vals);
}

export const adaptiveAvgPool2dCore = defineOp({
  schema: '_adaptive_avg_pool2d(Tensor self, SymInt[2] output_size) -> Tensor',
  groups: [OpGroup.Core],
  meta: ([self, outputSize], ctx) => adaptiveMeta(ctx.op, T(self), outputSize),
  cpu: ([self, outputSize], ctx) => adaptiveCpu(A(self), adaptiveMeta(ctx.op, A(self), outputSize).shape as number[]),
});

export const adaptiveAvgPool2d = defineOp({
  schema: 'adaptive_avg_pool2d(Tensor self, SymInt[2] output_size) -> Tensor',
  meta: ([self, outputSize], ctx) => adaptiveMeta(ctx.op, T(self), outputSize),
  cpu: ([self, outputSize], ctx) => adaptiveCpu(A(self), adaptiveMeta(ctx.op, A(self), outputSize).shape as number[]),
  decomp: ([self, outputSize], ctx) => {
    const os = (Array.isArray(outputSize) ? outputSize : [outputSize]) as IntLike[];
    const o2 = os.length === 1 ? [os[0]!, os[0]!] : os;
    const one = (v: IntLike): boolean => (known(v) ? v === 1 : guardBool(symEq(v, 1)));
    if (one(o2[0]!) && one(o2[1]!)) return ctx.call('aten.mean.dim', [self, [-1, -2], true]);
    return ctx.call('aten._adaptive_avg_pool2d.default', [self, o2]);
  },
});

export const convOps: OpDef[] = [
  convolution,
  conv1d,
  conv2d,
  conv1dPadding,
  conv2dPadding,
  maxPool2dWithIndices,
  maxPool2d,
  maxPool1d,
  avgPool2d,
  avgPool1d,
  adaptiveAvgPool2dCore,
  adaptiveAvgPool2d,
];
