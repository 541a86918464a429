// Normalization and attention: batch_norm and its aten variants
// (_native_batch_norm_legit_no_training / _functional / .no_stats), layer_norm /
// native_layer_norm, softmax / _softmax, log_softmax / _log_softmax, and
// scaled_dot_product_attention.
//
// Statistics are computed in float64 and results rounded to the input dtype.
// Decompositions mirror torch's run_decompositions():
//   batch_norm (eval)  → _native_batch_norm_legit_no_training + getitem 0
//   batch_norm (train) → _native_batch_norm_legit_functional + getitems 0, 3, 4,
//                        the new running stats written back with copy_ (which
//                        functionalization turns into buffer mutations)
//   layer_norm → native_layer_norm + getitem 0; softmax → [_to_copy] + _softmax
//   scaled_dot_product_attention → torch's math path (scaled q·kᵀ, mask, safe
//   softmax, ·v), plus the permute/clone/permute that the CPU flash decomposition
//   adds for 4-D inputs.

import { type DType, isFloating } from '../core/dtype';
import { OpArgumentError, UnsupportedOperatorError, check } from '../core/errors';
import { NDArray, Storage } from '../core/ndarray';
import { PyFloat, type PyScalar, scalarToNumber } from '../core/scalar';
import { type IntLike, guardBool, hintInt, intLikeToString, product, symEq } from '../symbolic';
import { broadcastShapes, meta, shapeStr, wrapDim } from './meta-utils';
import { defineOp } from './registry';
import { broadcastTo, matmulDecomp, reshapeDecomp } from './matmul';
import { dtypeArg, dtypeTitle, fromF64, num, toF64, viewOffsets } from './reduction';
import { CONTIGUOUS_FORMAT, CPU_DEVICE, PRESERVE_FORMAT, STRIDED_LAYOUT, likeStrides } from './movement';
import { type DecompContext, type OpDef, OpGroup, type TensorMeta } from './types';

const T = (v: unknown): TensorMeta => v as TensorMeta;
const A = (v: unknown): NDArray => v as NDArray;
const f = (v: unknown): number => scalarToNumber(v as PyScalar);
const eqSize = (a: IntLike, b: IntLike): boolean => (typeof a === 'number' && typeof b === 'number' ? a === b : guardBool(symEq(a, b)));

/** dtype of saved statistics: half types keep float32 statistics, as on CPU. */
const statDType = (d: DType): DType => (d === 'float16' || d === 'bfloat16' ? 'float32' : d);

// ---------------------------------------------------------------------------
// batch norm

function checkStat(op: string, name: string, t: TensorMeta | null, C: IntLike): void {
  if (!t) return;
  const n = product(t.shape);
  check(eqSize(n, C), op, () => `${name} should contain ${intLikeToString(C)} elements not ${intLikeToString(n)}`);
}

function bnChecks(op: string, x: TensorMeta, w: TensorMeta | null, b: TensorMeta | null, rm: TensorMeta | null, rv: TensorMeta | null): IntLike {
  check(x.shape.length >= 2, op, () => `Expected 2D or more input to batch_norm, but got input of size ${shapeStr(x.shape)}`);
  const C = x.shape[1]!;
  checkStat(op, 'weight', w, C);
  checkStat(op, 'bias', b, C);
  checkStat(op, 'running_mean', rm, C);
  checkStat(op, 'running_var', rv, C);
  return C;
}

interface BnResult {
  out: NDArray;
  mean: Float64Array;
  invstd: Float64Array;
  varUnbiased: Float64Array;
}

/** Normalize per channel (dim 1); batch statistics when `stats` is null. */
function bnCompute(x: NDArray, w: NDArray | null, b: NDArray | null, stats: { mean: NDArray; var: NDArray } | null, eps: number): BnResult {
  const C = x.shape[1]!;
  const N = x.shape[0]!;
  const inner = x.shape.slice(2).reduce((a, c) => a * c, 1);
  const xs = toF64(x);
  const mean = new Float64Array(C);
  const invstd = new Float64Array(C);
  const varUnbiased = new Float64Array(C);
  const count = N * inner;
  if (stats) {
    const m = toF64(stats.mean);
    const v = toF64(stats.var);
    for (let c = 0; c < C; c++) {
      mean[c] = m[c]!;
      invstd[c] = 1 / Math.sqrt(v[c]! + eps);
    }
  } else {
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let n = 0; n < N; n++) for (let i = 0, o = (n * C + c) * inner; i < inner; i++) s += xs[o + i]!;
      const mu = s / count;
      let ss = 0;
      for (let n = 0; n < N; n++)
        for (let i = 0, o = (n * C + c) * inner; i < inner; i++) {
          const d = xs[o + i]! - mu;
          ss += d * d;
        }
      mean[c] = mu;
      invstd[c] = 1 / Math.sqrt(ss / count + eps);
      varUnbiased[c] = ss / Math.max(count - 1, 0);
    }
  }
  const wv = w ? toF64(w) : null;
  const bv = b ? toF64(b) : null;
  const vals = new Float64Array(xs.length);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++) {
      const scale = invstd[c]! * (wv ? wv[c]! : 1);
      const shift = bv ? bv[c]! : 0;
      const mu = mean[c]!;
      for (let i = 0, o = (n * C + c) * inner; i < inner; i++) vals[o + i] = (xs[o + i]! - mu) * scale + shift;
    }
  return { out: fromF64(x.dtype, x.shape, vals), mean, invstd, varUnbiased };
}

export const nativeBatchNormLegitNoTraining = defineOp({
  schema: '_native_batch_norm_legit_no_training(Tensor input, Tensor? weight, Tensor? bias, Tensor running_mean, Tensor running_var, float momentum, float eps) -> (Tensor, Tensor, Tensor)',
  groups: [OpGroup.Core],
  meta: ([input, weight, bias, rm, rv], ctx) => {
    const x = T(input);
    bnChecks(ctx.op, x, weight as TensorMeta | null, bias as TensorMeta | null, T(rm), T(rv));
    return [meta(x.dtype, x.shape), meta(statDType(x.dtype), [0]), meta(statDType(x.dtype), [0])];
  },
  cpu: ([input, weight, bias, rm, rv, , eps], ctx) => {
    const x = A(input);
    bnChecks(ctx.op, x, weight as NDArray | null, bias as NDArray | null, A(rm), A(rv));
    const r = bnCompute(x, weight as NDArray | null, bias as NDArray | null, { mean: A(rm), var: A(rv) }, f(eps));
    return [r.out, NDArray.zeros(statDType(x.dtype), [0]), NDArray.zeros(statDType(x.dtype), [0])];
  },
});

export const nativeBatchNormLegitFunctional = defineOp({
  schema:
    '_native_batch_norm_legit_functional(Tensor input, Tensor? weight, Tensor? bias, Tensor running_mean, Tensor running_var, bool training, float momentum, float eps) -> (Tensor, Tensor, Tensor, Tensor running_mean_out, Tensor running_var_out)',
  meta: ([input, weight, bias, rm, rv, training], ctx) => {
    const x = T(input);
    const C = bnChecks(ctx.op, x, weight as TensorMeta | null, bias as TensorMeta | null, T(rm), T(rv));
    const sd = statDType(x.dtype);
    const saved = training === true ? [C] : [0];
    return [meta(x.dtype, x.shape), meta(sd, saved), meta(sd, saved), meta(T(rm).dtype, T(rm).shape), meta(T(rv).dtype, T(rv).shape)];
  },
  cpu: ([input, weight, bias, rm, rv, training, momentum, eps], ctx) => {
    const x = A(input);
    const C = bnChecks(ctx.op, x, weight as NDArray | null, bias as NDArray | null, A(rm), A(rv)) as number;
    const sd = statDType(x.dtype);
    if (training !== true) {
      const r = bnCompute(x, weight as NDArray | null, bias as NDArray | null, { mean: A(rm), var: A(rv) }, f(eps));
      return [r.out, NDArray.zeros(sd, [0]), NDArray.zeros(sd, [0]), A(rm).clone(), A(rv).clone()];
    }
    const r = bnCompute(x, weight as NDArray | null, bias as NDArray | null, null, f(eps));
    const m = f(momentum);
    const rmv = toF64(A(rm));
    const rvv = toF64(A(rv));
    const newMean = new Float64Array(C);
    const newVar = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      newMean[c] = (1 - m) * rmv[c]! + m * r.mean[c]!;
      newVar[c] = (1 - m) * rvv[c]! + m * r.varUnbiased[c]!;
    }
    return [r.out, fromF64(sd, [C], r.mean), fromF64(sd, [C], r.invstd), fromF64(A(rm).dtype, A(rm).shape, newMean), fromF64(A(rv).dtype, A(rv).shape, newVar)];
  },
});

export const nativeBatchNormLegitNoStats = defineOp({
  schema: '_native_batch_norm_legit.no_stats(Tensor input, Tensor? weight, Tensor? bias, bool training, float momentum, float eps) -> (Tensor, Tensor, Tensor)',
  groups: [OpGroup.Core],
  meta: ([input, weight, bias], ctx) => {
    const x = T(input);
    const C = bnChecks(ctx.op, x, weight as TensorMeta | null, bias as TensorMeta | null, null, null);
    return [meta(x.dtype, x.shape), meta(statDType(x.dtype), [C]), meta(statDType(x.dtype), [C])];
  },
  cpu: ([input, weight, bias, , , eps], ctx) => {
    const x = A(input);
    const C = bnChecks(ctx.op, x, weight as NDArray | null, bias as NDArray | null, null, null) as number;
    const r = bnCompute(x, weight as NDArray | null, bias as NDArray | null, null, f(eps));
    return [r.out, fromF64(statDType(x.dtype), [C], r.mean), fromF64(statDType(x.dtype), [C], r.invstd)];
  },
});

export const batchNorm = defineOp({
  schema:
    'batch_norm(Tensor input, Tensor? weight, Tensor? bias, Tensor? running_mean, Tensor? running_var, bool training, float momentum, float eps, bool cudnn_enabled) -> Tensor',
  meta: ([input, weight, bias, rm, rv], ctx) => {
    const x = T(input);
    bnChecks(ctx.op, x, weight as TensorMeta | null, bias as TensorMeta | null, rm as TensorMeta | null, rv as TensorMeta | null);
    return meta(x.dtype, x.shape);
  },
  cpu: ([input, weight, bias, rm, rv, training, momentum, eps], ctx) => {
    const x = A(input);
    bnChecks(ctx.op, x, weight as NDArray | null, bias as NDArray | null, rm as NDArray | null, rv as NDArray | null);
    const useBatch = training === true || !rm || !rv;
    if (!useBatch) return bnCompute(x, weight as NDArray | null, bias as NDArray | null, { mean: A(rm), var: A(rv) }, f(eps)).out;
    if (training === true && rm && rv) {
      // Eager training mode updates the running statistics in place.
      const outs = nativeBatchNormLegitFunctional.cpu([input, weight, bias, rm, rv, true, momentum, eps], ctx) as NDArray[];
      A(rm).copyFrom(outs[3]!);
      A(rv).copyFrom(outs[4]!);
      return outs[0];
    }
    return bnCompute(x, weight as NDArray | null, bias as NDArray | null, null, f(eps)).out;
  },
  decomp: ([input, weight, bias, rm, rv, training, momentum, eps], ctx) => {
    if (training !== true && rm && rv) {
      return (ctx.call('aten._native_batch_norm_legit_no_training.default', [input, weight, bias, rm, rv, momentum, eps]) as unknown[])[0];
    }
    if (rm && rv) {
      const r = ctx.call('aten._native_batch_norm_legit_functional.default', [input, weight, bias, rm, rv, true, momentum, eps]) as unknown[];
      const out = r[0];
      ctx.call('aten.copy_.default', [rm, r[3]]);
      ctx.call('aten.copy_.default', [rv, r[4]]);
      return out;
    }
    return (ctx.call('aten._native_batch_norm_legit.no_stats', [input, weight, bias, training === true || !rm, momentum, eps]) as unknown[])[0];
  },
});

// ---------------------------------------------------------------------------
// layer norm

function lnChecks(op: string, x: TensorMeta, normalized: readonly IntLike[], w: TensorMeta | null, b: TensorMeta | null): number {
  const k = normalized.length;
  check(k >= 1, op, () => `Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, but got normalized_shape = ${shapeStr(normalized)}`);
  const ns = shapeStr(normalized);
  check(!w || (w.shape.length === k && w.shape.every((v, i) => eqSize(v, normalized[i]!))), op, () => `Expected weight to be of same shape as normalized_shape, but got weight of shape ${shapeStr(w!.shape)} and normalized_shape = ${ns}`);
  check(!b || (b.shape.length === k && b.shape.every((v, i) => eqSize(v, normalized[i]!))), op, () => `Expected bias to be of same shape as normalized_shape, but got bias of shape ${shapeStr(b!.shape)} and normalized_shape = ${ns}`);
  const nd = x.shape.length;
  const ok = nd >= k && normalized.every((v, i) => eqSize(x.shape[nd - k + i]!, v));
  check(ok, op, () => `Given normalized_shape=${ns}, expected input with shape [*, ${normalized.map(intLikeToString).join(', ')}], but got input of size${shapeStr(x.shape)}`);
  return nd - k;
}

export const nativeLayerNorm = defineOp({
  schema: 'native_layer_norm(Tensor input, SymInt[] normalized_shape, Tensor? weight, Tensor? bias, float eps) -> (Tensor, Tensor, Tensor)',
  groups: [OpGroup.Core],
  meta: ([input, normalized, weight, bias], ctx) => {
    const x = T(input);
    const axis = lnChecks(ctx.op, x, normalized as IntLike[], weight as TensorMeta | null, bias as TensorMeta | null);
    const statShape = [...x.shape.slice(0, axis), ...x.shape.slice(axis).map(() => 1)];
    return [meta(x.dtype, x.shape), meta(statDType(x.dtype), statShape), meta(statDType(x.dtype), statShape)];
  },
  cpu: ([input, normalized, weight, bias, eps], ctx) => {
    const x = A(input);
    const axis = lnChecks(ctx.op, x, normalized as number[], weight as NDArray | null, bias as NDArray | null);
    const M = x.shape.slice(0, axis).reduce((a, c) => a * c, 1);
    const N = x.shape.slice(axis).reduce((a, c) => a * c, 1);
    const xs = toF64(x);
    const wv = weight ? toF64(A(weight)) : null;
    const bv = bias ? toF64(A(bias)) : null;
    const vals = new Float64Array(xs.length);
    const means = new Float64Array(M);
    const rstds = new Float64Array(M);
    const e = f(eps);
    for (let m = 0; m < M; m++) {
      const o = m * N;
      let s = 0;
      for (let i = 0; i < N; i++) s += xs[o + i]!;
      const mu = s / N;
      let ss = 0;
      for (let i = 0; i < N; i++) {
        const d = xs[o + i]! - mu;
        ss += d * d;
      }
      const rstd = 1 / Math.sqrt(ss / N + e);
      means[m] = mu;
      rstds[m] = rstd;
      for (let i = 0; i < N; i++) vals[o + i] = (xs[o + i]! - mu) * rstd * (wv ? wv[i]! : 1) + (bv ? bv[i]! : 0);
    }
    const statShape = [...x.shape.slice(0, axis), ...x.shape.slice(axis).map(() => 1)];
    return [fromF64(x.dtype, x.shape, vals), fromF64(statDType(x.dtype), statShape, means), fromF64(statDType(x.dtype), statShape, rstds)];
  },
});

export const layerNorm = defineOp({
  schema: 'layer_norm(Tensor input, SymInt[] normalized_shape, Tensor? weight=None, Tensor? bias=None, float eps=1.0000000000000001e-05, bool cudnn_enable=True) -> Tensor',
  meta: ([input, normalized, weight, bias], ctx) => {
    const x = T(input);
    lnChecks(ctx.op, x, normalized as IntLike[], weight as TensorMeta | null, bias as TensorMeta | null);
    return meta(x.dtype, x.shape);
  },
  cpu: ([input, normalized, weight, bias, eps], ctx) => (nativeLayerNorm.cpu([input, normalized, weight, bias, eps], ctx) as NDArray[])[0],
  decomp: ([input, normalized, weight, bias, eps], ctx) => (ctx.call('aten.native_layer_norm.default', [input, normalized, weight, bias, eps]) as unknown[])[0],
});

// ---------------------------------------------------------------------------
// softmax / log_softmax

function softmaxDType(op: string, kernel: string, d: DType, halfToFloat: boolean): DType {
  if (!isFloating(d)) throw new UnsupportedOperatorError(op, `"${kernel}" not implemented for '${dtypeTitle(d)}'`);
  if (halfToFloat) {
    check(d === 'float16' || d === 'bfloat16', op, () => 'conversion is supported for Half type only');
    return 'float32';
  }
  return d;
}

function softmaxCpu(x: NDArray, dim: number, outDType: DType, log: boolean): NDArray {
  const out = NDArray.zeros(outDType, x.shape);
  if (x.ndim === 0) {
    wrapDim(dim, 0);
    out.storage.data[0] = log ? 0 : 1;
    return out;
  }
  const d = wrapDim(dim, x.ndim);
  const len = x.shape[d]!;
  const kept = x.shape.filter((_, i) => i !== d);
  const inOuter = viewOffsets(x, kept, x.strides.filter((_, i) => i !== d), x.offset);
  const outOuter = viewOffsets(out, kept, out.strides.filter((_, i) => i !== d), 0);
  const sIn = x.strides[d]!;
  const sOut = out.strides[d]!;
  const src = x.storage.data;
  const buf = new Float64Array(len);
  const vals = new Float64Array(out.numel);
  for (let o = 0; o < inOuter.length; o++) {
    let m = -Infinity;
    for (let k = 0; k < len; k++) {
      buf[k] = src[inOuter[o]! + k * sIn]!;
      if (buf[k]! > m || Number.isNaN(buf[k]!)) m = buf[k]!;
    }
    let s = 0;
    for (let k = 0; k < len; k++) s += Math.exp(buf[k]! - m);
    const ls = Math.log(s);
    for (let k = 0; k < len; k++) vals[outOuter[o]! + k * sOut] = log ? buf[k]! - m - ls : Math.exp(buf[k]! - m) / s;
  }
  return fromF64(outDType, x.shape, vals);
}

function defineSoftmaxCore(name: '_softmax' | '_log_softmax'): OpDef {
  const log = name === '_log_softmax';
  const kernel = log ? 'log_softmax_lastdim_kernel_impl' : 'softmax_lastdim_kernel_impl';
  return defineOp({
    schema: `${name}(Tensor self, int dim, bool half_to_float) -> Tensor`,
    groups: [OpGroup.Core],
    meta: ([self, dim, h2f], ctx) => {
      const x = T(self);
      wrapDim(num(dim), x.shape.length);
      return meta(softmaxDType(ctx.op, kernel, x.dtype, h2f === true), x.shape);
    },
    cpu: ([self, dim, h2f], ctx) => {
      const x = A(self);
      return softmaxCpu(x, num(dim), softmaxDType(ctx.op, kernel, x.dtype, h2f === true), log);
    },
  });
}

export const softmaxCore = defineSoftmaxCore('_softmax');
export const logSoftmaxCore = defineSoftmaxCore('_log_softmax');

function defineSoftmax(name: 'softmax' | 'log_softmax', core: OpDef): OpDef {
  const log = name === 'log_softmax';
  const kernel = log ? 'log_softmax_lastdim_kernel_impl' : 'softmax_lastdim_kernel_impl';
  return defineOp({
    schema: `${name}.int(Tensor self, int dim, ScalarType? dtype=None) -> Tensor`,
    meta: ([self, dim, dtype], ctx) => {
      const x = T(self);
      wrapDim(num(dim), x.shape.length);
      return meta(softmaxDType(ctx.op, kernel, dtypeArg(dtype) ?? x.dtype, false), x.shape);
    },
    cpu: ([self, dim, dtype], ctx) => {
      const x = A(self);
      const d = dtypeArg(dtype) ?? x.dtype;
      return softmaxCpu(x, num(dim), softmaxDType(ctx.op, kernel, d, false), log);
    },
    decomp: ([self, dim, dtype], ctx) => {
      const d = dtypeArg(dtype);
      const x = d ? ctx.call('aten._to_copy.default', [self], { dtype: d, layout: STRIDED_LAYOUT, device: CPU_DEVICE }) : self;
      return ctx.call(core.name, [x, dim, false]);
    },
  });
}

export const softmaxInt = defineSoftmax('softmax', softmaxCore);
export const logSoftmaxInt = defineSoftmax('log_softmax', logSoftmaxCore);

// ---------------------------------------------------------------------------
// scaled_dot_product_attention

function sdpaMeta(op: string, q: TensorMeta, k: TensorMeta, v: TensorMeta, mask: TensorMeta | null, gqa: boolean): TensorMeta {
  const nq = q.shape.length;
  check(nq >= 2 && k.shape.length >= 2 && v.shape.length >= 2, op, () => 'scaled_dot_product_attention: query, key and value must be at least 2-D');
  check(q.dtype === k.dtype && q.dtype === v.dtype, op, () => `Expected query, key, and value to have the same dtype, but got query.dtype: ${dtypeTitle(q.dtype)} key.dtype: ${dtypeTitle(k.dtype)} and value.dtype: ${dtypeTitle(v.dtype)} instead.`);
  check(isFloating(q.dtype), op, () => `query must be FP32, FP64, BF16, FP16 but got ${q.dtype}`);
  const E = q.shape[nq - 1]!;
  const L = q.shape[nq - 2]!;
  const S = k.shape[k.shape.length - 2]!;
  // torch reports the head-size mismatch from the bmm inside its math path.
  check(eqSize(k.shape[k.shape.length - 1]!, E), op, () => `Expected size for first two dimensions of batch2 tensor to be: [${intLikeToString(product(q.shape.slice(0, -2)))}, ${intLikeToString(E)}] but got: [${intLikeToString(product(k.shape.slice(0, -2)))}, ${intLikeToString(k.shape[k.shape.length - 1]!)}].`);
  if (!gqa) broadcastShapes(q.shape.slice(0, -2), k.shape.slice(0, -2), op);
  if (mask) broadcastShapes(mask.shape, [...q.shape.slice(0, -2), L, S], op);
  // torch lays the output out like the query (e.g. [B, H, L, E] with L outermost
  // when q came from a transpose), and later views depend on it.
  const shape = [...q.shape.slice(0, -1), v.shape[v.shape.length - 1]!];
  return { dtype: q.dtype, shape, strides: likeStrides({ dtype: q.dtype, shape, strides: q.strides }) };
}

/** k/v as [B..., S, E] row-major float64 aligned with q's batch (GQA heads repeated). */
function alignKV(t: NDArray, qBatch: number[], gqa: boolean): Float64Array {
  const nd = t.ndim;
  const [S, E] = [t.shape[nd - 2]!, t.shape[nd - 1]!];
  if (gqa && nd >= 3 && qBatch.length >= 1 && t.shape[nd - 3] !== qBatch[qBatch.length - 1]) {
    const Hk = t.shape[nd - 3]!;
    const rep = qBatch[qBatch.length - 1]! / Hk;
    const v5 = t.withView([...t.shape.slice(0, nd - 2), rep, S, E], [...t.strides.slice(0, nd - 2), 0, t.strides[nd - 2]!, t.strides[nd - 1]!], t.offset);
    const flat = toF64(v5);
    const asQ = NDArray.fromValues('float64', [...t.shape.slice(0, nd - 3), Hk * rep, S, E], flat);
    return toF64(broadcastTo(asQ, [...qBatch, S, E]));
  }
  return toF64(broadcastTo(t, [...qBatch, S, E]));
}

export const scaledDotProductAttention = defineOp({
  schema:
    'scaled_dot_product_attention(Tensor query, Tensor key, Tensor value, Tensor? attn_mask=None, float dropout_p=0., bool is_causal=False, *, float? scale=None, bool enable_gqa=False) -> Tensor',
  meta: ([query, key, value, mask, , causal, , gqa], ctx) => {
    check(!(causal === true && mask), ctx.op, () => '_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True');
    return sdpaMeta(ctx.op, T(query), T(key), T(value), mask as TensorMeta | null, gqa === true);
  },
  cpu: ([query, key, value, mask, dropout, causal, scale, gqa], ctx) => {
    const q = A(query);
    const k = A(key);
    const v = A(value);
    check(!(causal === true && mask), ctx.op, () => '_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True');
    const m = sdpaMeta(ctx.op, q, k, v, mask as NDArray | null, gqa === true);
    if (dropout !== null && f(dropout) > 0) throw new UnsupportedOperatorError(ctx.op, 'scaled_dot_product_attention with dropout_p > 0 is not supported on CPU (random)');
    const nq = q.ndim;
    const [L, E] = [q.shape[nq - 2]!, q.shape[nq - 1]!];
    const S = k.shape[k.ndim - 2]!;
    const Ev = v.shape[v.ndim - 1]!;
    const batch = q.shape.slice(0, -2);
    const B = batch.reduce((a, c) => a * c, 1);
    const qs = toF64(q);
    const ks = alignKV(k, batch, gqa === true);
    const vs = alignKV(v, batch, gqa === true);
    const sc = scale === null || scale === undefined ? 1 / Math.sqrt(E) : f(scale);
    let maskVals: Float64Array | null = null;
    let maskBool = false;
    if (mask) {
      const mk = A(mask);
      maskBool = mk.dtype === 'bool';
      maskVals = toF64(broadcastTo(mk, [...batch, L, S]));
    }
    const out = new Float64Array(B * L * Ev);
    const row = new Float64Array(S);
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < L; i++) {
        let mx = -Infinity;
        for (let j = 0; j < S; j++) {
          let acc = 0;
          const qo = (b * L + i) * E;
          const ko = (b * S + j) * E;
          for (let e = 0; e < E; e++) acc += qs[qo + e]! * ks[ko + e]!;
          acc *= sc;
          if (causal === true && j > i) acc = -Infinity;
          if (maskVals) {
            const mv = maskVals[(b * L + i) * S + j]!;
            if (maskBool) {
              if (!mv) acc = -Infinity;
            } else acc += mv;
          }
          row[j] = acc;
          if (acc > mx) mx = acc;
        }
        const oo = (b * L + i) * Ev;
        if (mx === -Infinity) continue; // fully masked row: zeros, as torch's _safe_softmax
        let sum = 0;
        for (let j = 0; j < S; j++) {
          row[j] = Math.exp(row[j]! - mx);
          sum += row[j]!;
        }
        for (let j = 0; j < S; j++) {
          const p = row[j]! / sum;
          if (p === 0) continue;
          const vo = (b * S + j) * Ev;
          for (let e = 0; e < Ev; e++) out[oo + e] += p * vs[vo + e]!;
        }
      }
    }
    const dense = fromF64(q.dtype, m.shape as number[], out);
    const strided = new NDArray(Storage.alloc(q.dtype, dense.numel), dense.shape, m.strides as number[]);
    strided.copyFrom(dense);
    return strided;
  },
  decomp: (args, ctx) => sdpaDecomp(ctx, args),
});

const asFloat = (v: number): number | PyFloat => (Number.isInteger(v) ? new PyFloat(v) : v);

function sdpaDecomp(ctx: DecompContext, [query, key, value, mask, dropout, causal, scale, gqa]: unknown[]): unknown {
  const qm = ctx.meta(query);
  const km = ctx.meta(key);
  const vm = ctx.meta(value);
  if (dropout !== null && f(dropout) > 0) throw new UnsupportedOperatorError('aten.scaled_dot_product_attention.default', 'decomposing scaled_dot_product_attention with dropout_p > 0 is not supported');
  const dtype = qm.dtype;
  const flash = qm.shape.length === 4 && km.shape.length === 4 && vm.shape.length === 4;
  const boolToFloatMask = (m: unknown): unknown => {
    const ninf = ctx.call('aten.scalar_tensor.default', [-Infinity], { dtype, device: CPU_DEVICE });
    const zero = ctx.call('aten.scalar_tensor.default', [new PyFloat(0)], { dtype, layout: STRIDED_LAYOUT, device: CPU_DEVICE });
    return ctx.call('aten.where.self', [m, zero, ninf]);
  };
  let attnMask: unknown = mask ?? null;
  if (attnMask && ctx.meta(attnMask).dtype === 'bool') attnMask = boolToFloatMask(attnMask);
  // _scaled_dot_product_attention_math: scale q and k by sqrt(scale) each.
  const E = hintInt(qm.shape[qm.shape.length - 1]!);
  if (E === undefined) throw new UnsupportedOperatorError('aten.scaled_dot_product_attention.default', 'scaled_dot_product_attention needs a known head size to decompose');
  const rawScale = scale === null || scale === undefined ? 1 / Math.sqrt(E) : f(scale);
  const sf = Math.sqrt(Math.abs(rawScale));
  const q = ctx.call('aten.mul.Scalar', [query, asFloat(rawScale < 0 ? 0 - sf : sf)]);
  if (causal === true) {
    if (attnMask) throw new OpArgumentError('aten.scaled_dot_product_attention.default', '_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True');
    const L = qm.shape[qm.shape.length - 2]!;
    const S = km.shape[km.shape.length - 2]!;
    const factory = { layout: STRIDED_LAYOUT, device: CPU_DEVICE, pin_memory: false };
    const ones = ctx.call('aten.full.default', [[L, S], true], { dtype: 'bool', ...factory });
    const cols = ctx.call('aten.unsqueeze.default', [ctx.call('aten.arange.start_step', [0, S], factory), -2]);
    const rows = ctx.call('aten.unsqueeze.default', [ctx.call('aten.arange.start_step', [0, L], factory), -1]);
    const le = ctx.call('aten.le.Scalar', [ctx.call('aten.sub.Tensor', [cols, rows]), 0]);
    attnMask = boolToFloatMask(ctx.call('aten.logical_and.default', [le, ones]));
  }
  let k = key;
  let v = value;
  const nd = qm.shape.length;
  if (gqa === true && nd >= 3 && !eqSize(qm.shape[nd - 3]!, km.shape[nd - 3]!)) {
    // repeat_interleave(k, Hq / Hk, dim=-3): unsqueeze, expand, reshape.
    const repeat = (t: unknown): unknown => {
      const tm = ctx.meta(t);
      const Hk = tm.shape[nd - 3]!;
      const rep = (hintInt(qm.shape[nd - 3]!) ?? 1) / (hintInt(Hk) ?? 1);
      const u = ctx.call('aten.unsqueeze.default', [t, nd - 2]);
      const e = ctx.call('aten.expand.default', [u, [...tm.shape.slice(0, nd - 2), rep, ...tm.shape.slice(nd - 2)]]);
      return reshapeDecomp(ctx, e, [...tm.shape.slice(0, nd - 3), qm.shape[nd - 3]!, ...tm.shape.slice(nd - 2)]);
    };
    k = repeat(key);
    v = repeat(value);
  }
  const knd = ctx.meta(k).shape.length;
  const perm = [...Array(knd).keys()];
  [perm[knd - 2], perm[knd - 1]] = [perm[knd - 1]!, perm[knd - 2]!];
  const kt = ctx.call('aten.mul.Scalar', [ctx.call('aten.permute.default', [k, perm]), asFloat(sf)]);
  let attn = matmulDecomp(ctx, q, kt);
  if (attnMask) attn = ctx.call('aten.add.Tensor', [attn, attnMask]);
  // _safe_softmax: rows that are all -inf give zeros instead of NaN.
  const sm = ctx.call('aten._softmax.default', [attn, -1, false]);
  const isNinf = ctx.call('aten.eq.Scalar', [attn, -Infinity]);
  const anyFinite = ctx.call('aten.any.dim', [ctx.call('aten.logical_not.default', [isNinf]), -1, true]);
  const allMasked = ctx.call('aten.logical_not.default', [anyFinite]);
  const zeros = ctx.call('aten.full_like.default', [sm, 0], { pin_memory: false, memory_format: PRESERVE_FORMAT });
  const probs = ctx.call('aten.where.self', [allMasked, zeros, sm]);
  let out = matmulDecomp(ctx, probs, v);
  if (flash) {
    const p = ctx.call('aten.permute.default', [out, [2, 0, 1, 3]]);
    const c = ctx.call('aten.clone.default', [p], { memory_format: CONTIGUOUS_FORMAT });
    out = ctx.call('aten.permute.default', [c, [1, 2, 0, 3]]);
  }
  return out;
}

export const normOps: OpDef[] = [
  batchNorm,
  nativeBatchNormLegitNoTraining,
  nativeBatchNormLegitFunctional,
  nativeBatchNormLegitNoStats,
  layerNorm,
  nativeLayerNorm,
  softmaxInt,
  softmaxCore,
  logSoftmaxInt,
  logSoftmaxCore,
  scaledDotProductAttention,
];
