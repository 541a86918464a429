// Padding: constant_pad_nd (core ATen; negative pads crop) and pad.default with
// its four modes. Decompositions mirror torch 2.13's run_decompositions():
//   pad(mode='constant')  → constant_pad_nd(x, pad, value ?? 0.0)
//   pad(mode='reflect')   → per padded dim, from the outermost padded one:
//                           arange.start_step(-l, n + r) → abs → sub(n-1, ·) → abs →
//                           sub(n-1, ·) → index.Tensor(x, [None…, idx, None…])
//   pad(mode='replicate') → arange.start_step(-l, n + r) → clamp(·, 0, n-1) → index.Tensor
//   pad(mode='circular')  → empty + slice/copy/slice_scatter; not decomposed here
//                           (aten.slice_scatter is not registered yet), see circularDecomp.
// `pad` lists (left, right) pairs starting from the LAST dim, as torch's does.

import { OpArgumentError, UnsupportedOperatorError } from '../core/errors';
import { NDArray } from '../core/ndarray';
import { PyFloat, type PyScalar, scalarToNumber } from '../core/scalar';
import { type IntLike, hintInt, isSymInt } from '../symbolic';
import { castValue, filled } from './cpu-elementwise';
import { meta } from './meta-utils';
import { defineOp } from './registry';
import { type DecompContext, type OpDef, OpGroup, type TensorMeta } from './types';
import { CPU_DEVICE, STRIDED_LAYOUT, add, geSize, listStr, ltSize, subI } from './view-geometry';

const T = (v: unknown): TensorMeta => v as TensorMeta;
const A = (v: unknown): NDArray => v as NDArray;
const conc = (v: IntLike): number => (typeof v === 'number' ? v : (hintInt(v) ?? NaN));

/** The padded size of one dim; torch's check that it stays non-negative (meta: guards). */
function paddedSize(op: string, size: IntLike, lo: IntLike, hi: IntLike): IntLike {
  const out = add(add(size, lo), hi);
  if (ltSize(out, 0)) throw new OpArgumentError(op, 'narrow(): length must be non-negative.');
  return out;
}

function checkPadLength(op: string, pad: readonly IntLike[], ndim: number): void {
  if (pad.length % 2 !== 0) throw new OpArgumentError(op, `Length of pad must be even but instead it equals ${pad.length}`);
  if (pad.length / 2 > ndim)
    throw new OpArgumentError(
      op,
      // sic: torch's message has no spaces before "while" and "dimensions".
      `Length of pad should be no more than twice the number of dimensions of the input. Pad length is ${pad.length}while the input has ${ndim}dimensions.`,
    );
}

/** Output shape of padding `shape` by `pad` (pairs from the last dim). */
function paddedShape(op: string, shape: readonly IntLike[], pad: readonly IntLike[]): IntLike[] {
  const out = [...shape];
  for (let i = 0; i < pad.length / 2; i++) {
    const d = shape.length - 1 - i;
    out[d] = paddedSize(op, shape[d]!, pad[2 * i]!, pad[2 * i + 1]!);
  }
  return out;
}

/** Fill value of constant_pad_nd, as a number in the tensor's dtype. */
const fillValue = (v: unknown): number => (isSymInt(v) ? (hintInt(v) ?? NaN) : scalarToNumber(v as PyScalar));

function constantPadCpu(op: string, x: NDArray, pad: readonly number[], value: number): NDArray {
  checkPadLength(op, pad, x.ndim);
  const outShape = paddedShape(op, x.shape, pad) as number[];
  const out = filled(x.dtype, outShape, castValue(x.dtype, value));
  // The overlap of input and output per dim: negative pads crop the input.
  const srcStart = [...x.shape].fill(0);
  const dstStart = [...x.shape].fill(0);
  const len = [...x.shape];
  for (let i = 0; i < pad.length / 2; i++) {
    const d = x.ndim - 1 - i;
    const lo = pad[2 * i]!;
    const hi = pad[2 * i + 1]!;
    srcStart[d] = Math.max(0, -lo);
    dstStart[d] = Math.max(0, lo);
    len[d] = Math.max(0, x.shape[d]! - Math.max(0, -lo) - Math.max(0, -hi));
  }
  if (len.some((l) => l === 0)) return out;
  const srcOff = x.offset + srcStart.reduce((a, s, d) => a + s * x.strides[d]!, 0);
  const dstOff = dstStart.reduce((a, s, d) => a + s * out.strides[d]!, 0);
  out.withView(len, out.strides, dstOff).copyFrom(x.withView(len, x.strides, srcOff));
  return out;
}

export const constantPadNd = defineOp({
  schema: 'constant_pad_nd(Tensor self, SymInt[] pad, Scalar value=0) -> Tensor',
  groups: [OpGroup.Core],
  meta: ([self, pad], ctx) => {
    const s = T(self);
    const p = pad as IntLike[];
    checkPadLength(ctx.op, p, s.shape.length);
    return meta(s.dtype, paddedShape(ctx.op, s.shape, p));
  },
  cpu: ([self, pad, value], ctx) => constantPadCpu(ctx.op, A(self), (pad as IntLike[]).map(conc), fillValue(value)),
});

// ---- pad.default ----

type Mode = 'constant' | 'reflect' | 'replicate' | 'circular';

function checkMode(op: string, mode: unknown, value: unknown, ndim: number, padLen: number): Mode {
  if (mode !== 'constant' && mode !== 'reflect' && mode !== 'replicate' && mode !== 'circular')
    throw new UnsupportedOperatorError(op, `Unrecognised padding mode ${String(mode)}`);
  if (mode === 'constant') return mode;
  if (value !== null && value !== undefined) throw new OpArgumentError(op, `Padding mode "${mode}" doesn't take in value argument`);
  // reflection/replication/circular pad k dims of a (k+1)- or (k+2)-dim input, k ≤ 3.
  if (!(padLen % 2 === 0 && padLen >= 2 && padLen <= 6 && (ndim === padLen / 2 + 1 || ndim === padLen / 2 + 2)))
    throw new UnsupportedOperatorError(op, `Padding size ${padLen} is not supported for ${ndim}D input tensor.`);
  return mode;
}

/** Per-mode size checks (reflect: pad < size; circular: pad ≤ size), over the padded dims. */
function checkModeSizes(op: string, mode: Mode, shape: readonly IntLike[], pad: readonly IntLike[]): void {
  for (let i = 0; i < pad.length / 2; i++) {
    const d = shape.length - 1 - i;
    const size = shape[d]!;
    const lo = pad[2 * i]!;
    const hi = pad[2 * i + 1]!;
    if (mode === 'reflect' && (geSize(lo, size) || geSize(hi, size)))
      throw new OpArgumentError(
        op,
        `Argument #4: Padding size should be less than the corresponding input dimension, but got: padding (${String(lo)}, ${String(hi)}) at dimension ${d} of input ${listStr(shape)}`,
      );
    if (mode === 'circular' && (ltSize(size, lo) || ltSize(size, hi))) throw new OpArgumentError(op, 'Padding value causes wrapping around more than once.');
  }
}

/** Source index along one dim of a reflect/replicate/circular pad. */
function sourceIndex(mode: Mode, j: number, lo: number, n: number): number {
  const k = j - lo;
  if (mode === 'replicate') return Math.min(Math.max(k, 0), n - 1);
  if (mode === 'circular') return ((k % n) + n) % n;
  return n - 1 - Math.abs(n - 1 - Math.abs(k)); // reflect, as torch's decomposition computes it
}

function gatherPadCpu(mode: Mode, x: NDArray, pad: readonly number[], op: string): NDArray {
  const outShape = paddedShape(op, x.shape, pad) as number[];
  const out = NDArray.zeros(x.dtype, outShape);
  const nd = x.ndim;
  // Per dim: output position → input storage offset contribution.
  const maps = outShape.map((n, d) => {
    const i = nd - 1 - d;
    const m = new Array<number>(n);
    for (let j = 0; j < n; j++) m[j] = (i < pad.length / 2 ? sourceIndex(mode, j, pad[2 * i]!, x.shape[d]!) : j) * x.strides[d]!;
    return m;
  });
  const src = x.storage.data;
  const dst = out.storage.data;
  const idx = new Array<number>(nd).fill(0);
  const total = out.numel;
  for (let f = 0; f < total; f++) {
    let off = x.offset;
    for (let d = 0; d < nd; d++) off += maps[d]![idx[d]!]!;
    dst[f] = src[off]!;
    for (let d = nd - 1; d >= 0; d--) {
      if (++idx[d]! < outShape[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

const floatOf = (v: unknown): PyScalar => (typeof v === 'number' && Number.isInteger(v) ? new PyFloat(v) : (v as PyScalar));

/** torch's _reflection_or_replication_pad: one index.Tensor per padded dim, outermost first. */
function indexPadDecomp(ctx: DecompContext, mode: 'reflect' | 'replicate', x: unknown, pad: readonly IntLike[]): unknown {
  const k = pad.length / 2;
  const shape = ctx.meta(x).shape;
  const nc = shape.length - k;
  let result = x;
  for (let i = 0; i < k; i++) {
    const lo = pad[2 * (k - 1 - i)]!;
    const hi = pad[2 * (k - 1 - i) + 1]!;
    const n = shape[nc + i]!;
    const range = ctx.call('aten.arange.start_step', [negate(lo), add(n, hi)], { layout: STRIDED_LAYOUT, device: CPU_DEVICE, pin_memory: false });
    const last = subI(n, 1);
    let idx: unknown;
    if (mode === 'reflect') {
      const a1 = ctx.call('aten.abs.default', [range]);
      const s1 = ctx.call('aten.sub.Tensor', [last, a1]);
      const a2 = ctx.call('aten.abs.default', [s1]);
      idx = ctx.call('aten.sub.Tensor', [last, a2]);
    } else idx = ctx.call('aten.clamp.default', [range, 0, last]);
    const indices: unknown[] = new Array<unknown>(shape.length).fill(null);
    indices[nc + i] = idx;
    result = ctx.call('aten.index.Tensor', [result, indices]);
  }
  return result;
}

const negate = (v: IntLike): IntLike => subI(0, v);

export const pad = defineOp({
  schema: 'pad(Tensor self, SymInt[] pad, str mode="constant", float? value=None) -> Tensor',
  meta: ([self, padArg, mode, value], ctx) => {
    const s = T(self);
    const p = padArg as IntLike[];
    const m = checkMode(ctx.op, mode, value, s.shape.length, p.length);
    if (m === 'constant') checkPadLength(ctx.op, p, s.shape.length);
    else checkModeSizes(ctx.op, m, s.shape, p);
    return meta(s.dtype, paddedShape(ctx.op, s.shape, p));
  },
  cpu: ([self, padArg, mode, value], ctx) => {
    const x = A(self);
    const p = (padArg as IntLike[]).map(conc);
    const m = checkMode(ctx.op, mode, value, x.ndim, p.length);
    if (m === 'constant') return constantPadCpu(ctx.op, x, p, value === null || value === undefined ? 0 : fillValue(value));
    checkModeSizes(ctx.op, m, x.shape, p);
    return gatherPadCpu(m, x, p, ctx.op);
  },
  decomp: ([self, padArg, mode, value], ctx) => {
    const p = padArg as IntLike[];
    const m = checkMode('aten.pad.default', mode, value, ctx.meta(self).shape.length, p.length);
    if (m === 'constant') return ctx.call('aten.constant_pad_nd.default', [self, p, value === null || value === undefined ? new PyFloat(0) : floatOf(value)]);
    if (m === 'circular')
      throw new UnsupportedOperatorError('aten.pad.default', "run_decompositions() of pad(mode='circular') needs aten.slice_scatter, which is not supported yet");
    return indexPadDecomp(ctx, m, self, p);
  },
});

export const paddingOps: OpDef[] = [constantPadNd, pad];
