// Matrix products: mm, addmm, bmm, baddbmm, matmul, linear, dot, mv.
//
// One kernel does the arithmetic: `gemm` multiplies contiguous row-major
// float64 copies in i-k-j order over column tiles, so the inner loop streams
// one row of B into one row of accumulators. Inputs of any strides are copied
// once into float64 (which also gives float64 accumulation); the result is
// rounded to the output dtype on write.
//
// Decompositions follow torch's run_decompositions(): linear → permute + addmm
// (2-D), view + addmm + view (contiguous N-D with bias), otherwise matmul;
// matmul → mm / fold-to-mm / expand + reshape + bmm + view (torch._decomp's
// matmul, with reshape spelled as view, or clone + view when not viewable);
// dot / mv → mul + sum; baddbmm → bmm + mul + add.

import { type DType, promoteTypes } from '../core/dtype';
import { OpArgumentError, check } from '../core/errors';
import { NDArray } from '../core/ndarray';
import { type PyScalar, scalarToNumber } from '../core/scalar';
import { type IntLike, guardBool, guardOrFalse, hintInt, intLikeToString, product, symEq, staticallyKnownTrue } from '../symbolic';
import { broadcastShapes, meta, shapeStr } from './meta-utils';
import { defineOp } from './registry';
import { computeStride } from './view-geometry';
import { dtypeTitle, fromF64, toF64 } from './reduction';
import { CONTIGUOUS_FORMAT } from './movement';
import { type DecompContext, type OpDef, OpGroup, type TensorMeta } from './types';

const T = (v: unknown): TensorMeta => v as TensorMeta;
const A = (v: unknown): NDArray => v as NDArray;

/**
 * C[M,N] (+)= A[M,K] · B[K,N] over contiguous row-major arrays. `out` is
 * accumulated into (callers zero or pre-fill it).
 */
export function gemm(a: Float64Array, aOff: number, b: Float64Array, bOff: number, out: Float64Array, outOff: number, M: number, K: number, N: number): void {
  const TILE = 512;
  for (let j0 = 0; j0 < N; j0 += TILE) {
    const j1 = Math.min(N, j0 + TILE);
    for (let i = 0; i < M; i++) {
      const cRow = outOff + i * N;
      const aRow = aOff + i * K;
      for (let k = 0; k < K; k++) {
        const av = a[aRow + k]!;
        if (av === 0) continue;
        const bRow = bOff + k * N;
        for (let j = j0; j < j1; j++) out[cRow + j] += av * b[bRow + j]!;
      }
    }
  }
}

const eqSize = (a: IntLike, b: IntLike): boolean => (typeof a === 'number' && typeof b === 'number' ? a === b : guardBool(symEq(a, b)));
const s = intLikeToString;

function checkSameDType(op: string, a: DType, b: DType): void {
  check(a === b, op, () => `expected m1 and m2 to have the same dtype, but got: ${dtypeTitle(a).toLowerCase()} != ${dtypeTitle(b).toLowerCase()}`);
}

function mmMeta(op: string, a: TensorMeta, b: TensorMeta): TensorMeta {
  check(a.shape.length === 2, op, () => 'self must be a matrix');
  check(b.shape.length === 2, op, () => 'mat2 must be a matrix');
  check(eqSize(a.shape[1]!, b.shape[0]!), op, () => `mat1 and mat2 shapes cannot be multiplied (${s(a.shape[0]!)}x${s(a.shape[1]!)} and ${s(b.shape[0]!)}x${s(b.shape[1]!)})`);
  checkSameDType(op, a.dtype, b.dtype);
  return meta(a.dtype, [a.shape[0]!, b.shape[1]!]);
}

function mmCpu(a: NDArray, b: NDArray): NDArray {
  const [M, K] = a.shape as [number, number];
  const N = b.shape[1]!;
  const out = new Float64Array(M * N);
  gemm(toF64(a), 0, toF64(b), 0, out, 0, M, K, N);
  return fromF64(a.dtype, [M, N], out);
}

export const mm = defineOp({
  schema: 'mm(Tensor self, Tensor mat2) -> Tensor',
  groups: [OpGroup.Core],
  meta: ([self, mat2], ctx) => mmMeta(ctx.op, T(self), T(mat2)),
  cpu: ([self, mat2], ctx) => {
    mmMeta(ctx.op, A(self), A(mat2));
    return mmCpu(A(self), A(mat2));
  },
});

/** torch's expand check (`self` of addmm broadcasts to the product's shape). */
function checkExpandable(op: string, from: readonly IntLike[], to: readonly IntLike[]): void {
  check(from.length <= to.length, op, () => `expand: the number of sizes provided (${to.length}) must be greater or equal to the number of dimensions in the tensor (${from.length})`);
  for (let i = 0; i < from.length; i++) {
    const f = from[from.length - 1 - i]!;
    const t = to[to.length - 1 - i]!;
    if (f === 1 || eqSize(f, t)) continue;
    throw new OpArgumentError(
      op,
      `The expanded size of the tensor (${s(t)}) must match the existing size (${s(f)}) at non-singleton dimension ${to.length - 1 - i}.  Target sizes: ${shapeStr(to)}.  Tensor sizes: ${shapeStr(from)}`,
    );
  }
}

const sc = (v: unknown): number => scalarToNumber(v as PyScalar);

/** out = beta * self (broadcast) + alpha * prod, with beta == 0 ignoring self (NaN included). */
function addScaled(self: NDArray, prod: Float64Array, shape: readonly number[], beta: number, alpha: number, dtype: DType): NDArray {
  const n = prod.length;
  if (alpha !== 1) for (let i = 0; i < n; i++) prod[i] *= alpha;
  if (beta !== 0) {
    const bcast = broadcastTo(self, shape);
    const offs = bcast.offsets();
    const src = self.storage.data;
    for (let i = 0; i < n; i++) prod[i] += beta * src[offs[i]!]!;
  }
  return fromF64(dtype, shape, prod);
}

/** A stride-0 broadcast view of `x` to `shape`. */
export function broadcastTo(x: NDArray, shape: readonly number[]): NDArray {
  const nd = shape.length;
  const strides = shape.map((sz, i) => {
    const j = i - (nd - x.ndim);
    if (j < 0) return 0;
    return x.shape[j] === 1 && sz !== 1 ? 0 : x.strides[j]!;
  });
  return x.withView(shape, strides, x.offset);
}

export const addmm = defineOp({
  schema: 'addmm(Tensor self, Tensor mat1, Tensor mat2, *, Scalar beta=1, Scalar alpha=1) -> Tensor',
  groups: [OpGroup.Core],
  meta: ([self, mat1, mat2], ctx) => {
    const out = mmMeta(ctx.op, T(mat1), T(mat2));
    checkExpandable(ctx.op, T(self).shape, out.shape);
    return out;
  },
  cpu: ([self, mat1, mat2, beta, alpha], ctx) => {
    const a = A(mat1);
    const b = A(mat2);
    const outMeta = mmMeta(ctx.op, a, b);
    checkExpandable(ctx.op, A(self).shape, outMeta.shape);
    const [M, K] = a.shape as [number, number];
    const N = b.shape[1]!;
    const prod = new Float64Array(M * N);
    gemm(toF64(a), 0, toF64(b), 0, prod, 0, M, K, N);
    return addScaled(A(self), prod, [M, N], sc(beta), sc(alpha), a.dtype);
  },
});

function bmmMeta(op: string, a: TensorMeta, b: TensorMeta): TensorMeta {
  check(a.shape.length === 3, op, () => 'batch1 must be a 3D tensor');
  check(b.shape.length === 3, op, () => 'batch2 must be a 3D tensor');
  const [B, , K] = a.shape as [IntLike, IntLike, IntLike];
  check(eqSize(b.shape[0]!, B) && eqSize(b.shape[1]!, K), op, () => `Expected size for first two dimensions of batch2 tensor to be: [${s(B)}, ${s(K)}] but got: [${s(b.shape[0]!)}, ${s(b.shape[1]!)}].`);
  checkSameDType(op, a.dtype, b.dtype);
  return meta(a.dtype, [B, a.shape[1]!, b.shape[2]!]);
}

function bmmProduct(a: NDArray, b: NDArray): Float64Array {
  const [B, M, K] = a.shape as [number, number, number];
  const N = b.shape[2]!;
  const out = new Float64Array(B * M * N);
  const af = toF64(a);
  const bf = toF64(b);
  for (let i = 0; i < B; i++) gemm(af, i * M * K, bf, i * K * N, out, i * M * N, M, K, N);
  return out;
}

export const bmm = defineOp({
  schema: 'bmm(Tensor self, Tensor mat2) -> Tensor',
  groups: [OpGroup.Core],
  meta: ([self, mat2], ctx) => bmmMeta(ctx.op, T(self), T(mat2)),
  cpu: ([self, mat2], ctx) => {
    const m = bmmMeta(ctx.op, A(self), A(mat2));
    return fromF64(m.dtype, m.shape as number[], bmmProduct(A(self), A(mat2)));
  },
});

export const baddbmm = defineOp({
  schema: 'baddbmm(Tensor self, Tensor batch1, Tensor batch2, *, Scalar beta=1, Scalar alpha=1) -> Tensor',
  meta: ([self, b1, b2], ctx) => {
    const out = bmmMeta(ctx.op, T(b1), T(b2));
    checkExpandable(ctx.op, T(self).shape, out.shape);
    return out;
  },
  cpu: ([self, b1, b2, beta, alpha], ctx) => {
    const m = bmmMeta(ctx.op, A(b1), A(b2));
    checkExpandable(ctx.op, A(self).shape, m.shape);
    return addScaled(A(self), bmmProduct(A(b1), A(b2)), m.shape as number[], sc(beta), sc(alpha), m.dtype);
  },
  decomp: ([self, b1, b2, beta, alpha], ctx) => {
    let result = ctx.call('aten.bmm.default', [b1, b2]);
    if (sc(alpha) !== 1) result = ctx.call('aten.mul.Tensor', [result, alpha]);
    if (sc(beta) === 0) return result;
    const scaled = sc(beta) !== 1 ? ctx.call('aten.mul.Tensor', [self, beta]) : self;
    return ctx.call('aten.add.Tensor', [scaled, result]);
  },
});

// ---------------------------------------------------------------------------
// dot / mv

export const dot = defineOp({
  schema: 'dot(Tensor self, Tensor tensor) -> Tensor',
  meta: ([self, tensor], ctx) => dotMeta(ctx.op, T(self), T(tensor)),
  cpu: ([self, tensor], ctx) => {
    const m = dotMeta(ctx.op, A(self), A(tensor));
    const a = toF64(A(self));
    const b = toF64(A(tensor));
    let acc = 0;
    for (let i = 0; i < a.length; i++) acc += a[i]! * b[i]!;
    return fromF64(m.dtype, [], [acc]);
  },
  decomp: ([self, tensor], ctx) => ctx.call('aten.sum.dim_IntList', [ctx.call('aten.mul.Tensor', [self, tensor]), []]),
});

function dotMeta(op: string, a: TensorMeta, b: TensorMeta): TensorMeta {
  check(a.shape.length === 1 && b.shape.length === 1, op, () => `1D tensors expected, but got ${a.shape.length}D and ${b.shape.length}D tensors`);
  check(a.dtype === b.dtype, op, () => `dot : expected both vectors to have same dtype, but found ${dtypeTitle(a.dtype)} and ${dtypeTitle(b.dtype)}`);
  check(eqSize(a.shape[0]!, b.shape[0]!), op, () => `inconsistent tensor size, expected tensor [${s(a.shape[0]!)}] and src [${s(b.shape[0]!)}] to have the same number of elements, but got ${s(a.shape[0]!)} and ${s(b.shape[0]!)} elements respectively`);
  return meta(a.dtype, []);
}

function mvMeta(op: string, a: TensorMeta, v: TensorMeta): TensorMeta {
  check(a.shape.length === 2 && v.shape.length === 1, op, () => `vector + matrix @ vector expected, got 1, ${a.shape.length}, ${v.shape.length}`);
  check(eqSize(a.shape[1]!, v.shape[0]!), op, () => `size mismatch, got input (${s(a.shape[0]!)}), mat (${s(a.shape[0]!)}x${s(a.shape[1]!)}), vec (${s(v.shape[0]!)})`);
  return meta(a.dtype, [a.shape[0]!]);
}

export const mv = defineOp({
  schema: 'mv(Tensor self, Tensor vec) -> Tensor',
  meta: ([self, vec], ctx) => mvMeta(ctx.op, T(self), T(vec)),
  cpu: ([self, vec], ctx) => {
    mvMeta(ctx.op, A(self), A(vec));
    const a = A(self);
    const [M, K] = a.shape as [number, number];
    const out = new Float64Array(M);
    gemm(toF64(a), 0, toF64(A(vec)), 0, out, 0, M, K, 1);
    return fromF64(a.dtype, [M], out);
  },
  decomp: ([self, vec], ctx) => ctx.call('aten.sum.dim_IntList', [ctx.call('aten.mul.Tensor', [self, vec]), [1]]),
});

// ---------------------------------------------------------------------------
// matmul

/** Result shape of torch.matmul (meta), with torch's error texts. */
function matmulMeta(op: string, a: TensorMeta, b: TensorMeta): TensorMeta {
  const da = a.shape.length;
  const db = b.shape.length;
  check(da > 0 && db > 0, op, () => `both arguments to matmul need to be at least 1D, but they are ${da}D and ${db}D`);
  const dtype = a.dtype;
  if (da === 1 && db === 1) return dotMeta(op, a, b);
  if (da === 2 && db === 1) return mvMeta(op, a, b);
  const n = da > 1 ? a.shape[da - 2]! : 1;
  const m1 = a.shape[da - 1]!;
  const m2 = db > 1 ? b.shape[db - 2]! : b.shape[0]!;
  const p = db > 1 ? b.shape[db - 1]! : 1;
  const batchA = a.shape.slice(0, Math.max(da - 2, 0));
  const batchB = b.shape.slice(0, Math.max(db - 2, 0));
  const batch = broadcastShapes(batchA, batchB, op);
  const rows = product([...batch, n]);
  check(eqSize(m1, m2), op, () => `mat1 and mat2 shapes cannot be multiplied (${s(da >= 3 && db <= 2 ? product(a.shape.slice(0, -1)) : rows)}x${s(m1)} and ${s(m2)}x${s(p)})`);
  checkSameDType(op, a.dtype, b.dtype);
  const out = [...batch];
  if (da > 1) out.push(n);
  if (db > 1) out.push(p);
  return meta(dtype, out);
}

function matmulCpu(a: NDArray, b: NDArray, op: string): NDArray {
  const m = matmulMeta(op, a, b);
  const da = a.ndim;
  const db = b.ndim;
  const n = da > 1 ? a.shape[da - 2]! : 1;
  const k = a.shape[da - 1]!;
  const p = db > 1 ? b.shape[db - 1]! : 1;
  const batch = broadcastShapes(a.shape.slice(0, Math.max(da - 2, 0)), b.shape.slice(0, Math.max(db - 2, 0))) as number[];
  const aMat = da === 1 ? a.withView([1, k], [0, a.strides[0]!], a.offset) : a;
  const bMat = db === 1 ? b.withView([k, 1], [b.strides[0]!, 0], b.offset) : b;
  const af = toF64(broadcastTo(aMat, [...batch, n, k]));
  const bf = toF64(broadcastTo(bMat, [...batch, k, p]));
  const B = batch.reduce((x, y) => x * y, 1);
  const out = new Float64Array(B * n * p);
  for (let i = 0; i < B; i++) gemm(af, i * n * k, bf, i * k * p, out, i * n * p, n, k, p);
  return fromF64(m.dtype, m.shape as number[], out);
}

/** torch's computeStride: can `m` be viewed as `shape` without a copy? (decided on hints) */
export function isViewable(m: TensorMeta, shape: readonly IntLike[]): boolean {
  const oldShape = m.shape.map(hintInt);
  const oldStride = m.strides.map(hintInt);
  const newShape = shape.map(hintInt);
  if ([...oldShape, ...oldStride, ...newShape].some((v) => v === undefined)) return true;
  return computeStride(oldShape as number[], oldStride as number[], newShape as number[]) !== undefined;
}

/** `t.reshape(shape)` as it decomposes: view when viewable, else clone(contiguous) + view. */
export function reshapeDecomp(ctx: DecompContext, t: unknown, shape: readonly IntLike[]): unknown {
  if (isViewable(ctx.meta(t), shape)) return ctx.call('aten.view.default', [t, [...shape]]);
  const c = ctx.call('aten.clone.default', [t], { memory_format: CONTIGUOUS_FORMAT });
  return ctx.call('aten.view.default', [c, [...shape]]);
}

const permuteLastTwo = (ctx: DecompContext, t: unknown): unknown => {
  const nd = ctx.meta(t).shape.length;
  const perm = [...Array(nd).keys()];
  [perm[nd - 2], perm[nd - 1]] = [perm[nd - 1]!, perm[nd - 2]!];
  return ctx.call('aten.permute.default', [t, perm]);
};

const isOne = (v: IntLike): boolean => (typeof v === 'number' ? v === 1 : guardOrFalse(symEq(v, 1)));
const sameInt = (a: IntLike, b: IntLike): boolean => (typeof a === 'number' && typeof b === 'number' ? a === b : staticallyKnownTrue(symEq(a, b)) || guardOrFalse(symEq(a, b)));

/**
 * Whether a traced value requires grad. Decomposition values are opaque; the
 * tracer's Tensor carries `requiresGrad` (parameters while exporting). torch's
 * matmul decomposition folds differently for tensors that require grad.
 */
const requiresGrad = (v: unknown): boolean => typeof v === 'object' && v !== null && (v as { requiresGrad?: unknown }).requiresGrad === true;

/** torch._decomp's should_fold. */
function shouldFold(ta: TensorMeta, tb: TensorMeta, t2RequiresGrad: boolean): boolean {
  const [t1, t2] = ta.shape.length >= tb.shape.length ? [ta, tb] : [tb, ta];
  if (!(t1.shape.length >= 3 && t2.shape.length <= 2)) return false;
  if (t2RequiresGrad) return true;
  if (ta.shape.length === 2) return false;
  const n1 = product(t1.shape);
  if (typeof n1 === 'number' ? n1 === 0 : guardOrFalse(symEq(n1, 0))) return true;
  const expected: IntLike[] = [1];
  for (let i = t1.shape.length - 1; i >= 1; i--) expected.push(product([t1.shape[i]!, expected[expected.length - 1]!]));
  expected.reverse();
  return t1.shape.every((size, i) => isOne(size) || sameInt(t1.strides[i]!, expected[i]!));
}

/** torch.matmul as run_decompositions() spells it. */
export function matmulDecomp(ctx: DecompContext, a: unknown, b: unknown): unknown {
  const ma = ctx.meta(a);
  const mb = ctx.meta(b);
  matmulMeta('aten.matmul.default', ma, mb);
  const da = ma.shape.length;
  const db = mb.shape.length;
  if (da === 1 && db === 1) return ctx.call('aten.sum.dim_IntList', [ctx.call('aten.mul.Tensor', [a, b]), []]);
  if (da === 2 && db === 1) return ctx.call('aten.sum.dim_IntList', [ctx.call('aten.mul.Tensor', [a, b]), [1]]);
  if (da === 1 && db === 2) {
    const u = ctx.call('aten.unsqueeze.default', [a, 0]);
    return ctx.call('aten.squeeze.dims', [ctx.call('aten.mm.default', [u, b]), [0]]);
  }
  if (da === 2 && db === 2) return ctx.call('aten.mm.default', [a, b]);
  if (shouldFold(ma, mb, da >= db ? requiresGrad(b) : requiresGrad(a))) {
    const transpose = db > da;
    const t1 = transpose ? permuteLastTwo(ctx, b) : a;
    const t2 = !transpose ? b : da === 2 ? ctx.call('aten.permute.default', [a, [1, 0]]) : a;
    const sizes1 = ctx.meta(t1).shape;
    const outShape: IntLike[] = sizes1.slice(0, -1);
    const folded = product(outShape);
    const t2m = ctx.meta(t2);
    const t2IsMatrix = t2m.shape.length === 2;
    if (t2IsMatrix) outShape.push(t2m.shape[1]!);
    const t1f = reshapeDecomp(ctx, t1, [folded, sizes1[sizes1.length - 1]!]);
    if (t2IsMatrix) {
      const out = ctx.call('aten.view.default', [ctx.call('aten.mm.default', [t1f, t2]), outShape]);
      return transpose ? ctx.call('aten.clone.default', [permuteLastTwo(ctx, out)], { memory_format: CONTIGUOUS_FORMAT }) : out;
    }
    const mvOut = ctx.call('aten.sum.dim_IntList', [ctx.call('aten.mul.Tensor', [t1f, t2]), [1]]);
    return ctx.call('aten.view.default', [mvOut, outShape]);
  }
  if (da === 3 && db === 3 && !sameInt(ma.shape[0]!, mb.shape[0]!)) {
    // Same gradient-friendly shortcut as should_fold: drop a broadcast batch of 1.
    if (isOne(ma.shape[0]!) && requiresGrad(a)) return matmulDecomp(ctx, ctx.call('aten.squeeze.dims', [a, [0]]), b);
    if (isOne(mb.shape[0]!) && requiresGrad(b)) return matmulDecomp(ctx, a, ctx.call('aten.squeeze.dims', [b, [0]]));
  }
  const n = da > 1 ? ma.shape[da - 2]! : 1;
  const m1 = ma.shape[da - 1]!;
  const m2 = db > 1 ? mb.shape[db - 2]! : mb.shape[db - 1]!;
  const p = db > 1 ? mb.shape[db - 1]! : 1;
  const batch = broadcastShapes(ma.shape.slice(0, Math.max(da - 2, 0)), mb.shape.slice(0, Math.max(db - 2, 0)));
  const bprod = product(batch);
  const e1 = ctx.call('aten.expand.default', [a, [...batch, n, m1]]);
  const a3 = reshapeDecomp(ctx, e1, [bprod, n, m1]);
  const vectorRhs = db === 1;
  let b3: unknown;
  if (vectorRhs) {
    const e2 = ctx.call('aten.expand.default', [b, [...batch, m2]]);
    b3 = ctx.call('aten.unsqueeze.default', [reshapeDecomp(ctx, e2, [bprod, m2]), 2]);
  } else {
    const e2 = ctx.call('aten.expand.default', [b, [...batch, m2, p]]);
    b3 = reshapeDecomp(ctx, e2, [bprod, m2, p]);
  }
  const outShape: IntLike[] = [...batch];
  if (da > 1) outShape.push(n);
  if (db > 1) outShape.push(p);
  let r = ctx.call('aten.bmm.default', [a3, b3]);
  if (vectorRhs) r = ctx.call('aten.squeeze.dims', [r, [-1]]);
  return ctx.call('aten.view.default', [r, outShape]);
}

export const matmul = defineOp({
  schema: 'matmul(Tensor self, Tensor other) -> Tensor',
  meta: ([self, other], ctx) => matmulMeta(ctx.op, T(self), T(other)),
  cpu: ([self, other], ctx) => matmulCpu(A(self), A(other), ctx.op),
  decomp: ([self, other], ctx) => matmulDecomp(ctx, self, other),
});

// ---------------------------------------------------------------------------
// linear

function linearMeta(op: string, x: TensorMeta, w: TensorMeta, b: TensorMeta | null): TensorMeta {
  check(w.shape.length === 2 || w.shape.length === 1, op, () => `linear(): weight must be 1D or 2D, but got ${w.shape.length}D`);
  const wt: TensorMeta = w.shape.length === 2 ? { dtype: w.dtype, shape: [w.shape[1]!, w.shape[0]!], strides: [w.strides[1]!, w.strides[0]!] } : w;
  let out: TensorMeta;
  if (x.shape.length === 2 && w.shape.length === 2) out = mmMeta(op, x, wt);
  else out = matmulMeta(op, x, wt);
  if (b) {
    checkExpandable(op, b.shape, out.shape);
    out = meta(promoteTypes(out.dtype, b.dtype), out.shape);
  }
  return out;
}

export const linear = defineOp({
  schema: 'linear(Tensor input, Tensor weight, Tensor? bias=None) -> Tensor',
  meta: ([input, weight, bias], ctx) => linearMeta(ctx.op, T(input), T(weight), bias as TensorMeta | null),
  cpu: ([input, weight, bias], ctx) => {
    const x = A(input);
    const w = A(weight);
    const m = linearMeta(ctx.op, x, w, bias as NDArray | null);
    const wt = w.ndim === 2 ? w.withView([w.shape[1]!, w.shape[0]!], [w.strides[1]!, w.strides[0]!], w.offset) : w;
    const prod = matmulCpu(x, wt, ctx.op);
    if (!bias) return prod;
    return addScaled(A(bias), toF64(prod), m.shape as number[], 1, 1, m.dtype);
  },
  decomp: ([input, weight, bias], ctx) => {
    const x = ctx.meta(input);
    const nd = x.shape.length;
    if (nd === 2 && bias) return ctx.call('aten.addmm.default', [bias, input, ctx.call('aten.permute.default', [weight, [1, 0]])]);
    if (bias && isContiguousMeta(x) && nd !== 2 && ctx.meta(weight).shape.length === 2) {
      // aten's _flatten_nd_linear: fold leading dims into one, addmm, unfold.
      const lead = x.shape.slice(0, -1);
      const flat = ctx.call('aten.view.default', [input, [product(lead), x.shape[nd - 1]!]]);
      const r = ctx.call('aten.addmm.default', [bias, flat, ctx.call('aten.permute.default', [weight, [1, 0]])]);
      return ctx.call('aten.view.default', [r, [...lead, ctx.meta(r).shape[1]!]]);
    }
    const wt = ctx.meta(weight).shape.length === 2 ? ctx.call('aten.permute.default', [weight, [1, 0]]) : weight;
    const out = matmulDecomp(ctx, input, wt);
    return bias ? ctx.call('aten.add.Tensor', [out, bias]) : out;
  },
});

function isContiguousMeta(m: TensorMeta): boolean {
  let expected: IntLike = 1;
  for (let i = m.shape.length - 1; i >= 0; i--) {
    const sz = m.shape[i]!;
    if (isOne(sz)) continue;
    if (!sameInt(m.strides[i]!, expected)) return false;
    expected = product([expected, sz]);
  }
  return true;
}

export const matmulOps: OpDef[] = [mm, addmm, bmm, baddbmm, dot, mv, matmul, linear];
