// Fast f32 matrix products over the blocked GEMM (gemm.ts): mm, addmm, bmm,
// linear and the common matmul shapes. Operands are read through their strides
// (a transposed weight is just cs/rs swapped), weights are packed once per run
// series (see frozenKey), and bias / `self` of addmm is the GEMM epilogue's
// broadcast addend. Outputs are contiguous, as torch's are.

import { NDArray, Storage, contiguousStrides } from '../../core/ndarray';
import { type GemmActivation, type Mat } from './gemm';
import { contiguousCopy } from './movement';
import { type FastKernel, type KernelContext, f32, isF32, scalarArg } from './kernel-context';
import { broadcastShape } from './elementwise';

const mat2d = (a: NDArray, offset = a.offset): Mat => ({ data: f32(a), offset, rs: a.strides[0]!, cs: a.strides[1]! });

/** A [M, N] broadcast view of `self` (addmm's addend) as strides, or undefined. */
function addendMat(self: NDArray, M: number, N: number): Mat | undefined {
  // No inner closures: this runs on every addmm, and tsx's keepNames makes each closure a defineProperty.
  const nd = self.ndim;
  if (nd > 2) return undefined;
  const rSize = nd === 2 ? self.shape[0]! : 1, cSize = nd >= 1 ? self.shape[nd - 1]! : 1;
  if ((rSize !== 1 && rSize !== M) || (cSize !== 1 && cSize !== N)) return undefined;
  return { data: f32(self), offset: self.offset, rs: rSize === 1 ? 0 : self.strides[0]!, cs: cSize === 1 ? 0 : self.strides[nd - 1]! };
}

function alloc(ctx: KernelContext, shape: number[]): NDArray {
  const n = shape.reduce((x, y) => x * y, 1);
  return new NDArray(new Storage('float32', ctx.allocF32(n)), shape, contiguousStrides(shape));
}

/**
 * A residual connection folded into a GEMM (pointwise-fusion.ts): the tensor at
 * args[index], when it is a contiguous f32 of the output's size, is added to the
 * result, and the output's buffer is put in `done`.
 */
export interface ResidualSink {
  readonly index: number;
  readonly done: WeakSet<object>;
}

function residualOf(args: unknown[], res: ResidualSink | undefined, n: number): NDArray | undefined {
  const r = res ? args[res.index] : undefined;
  return isF32(r) && r.isContiguous() && r.numel === n ? r : undefined;
}

/** out += r (contiguous, out's size) unless the GEMM already added it. */
function addResidual(out: NDArray, r: NDArray, added: boolean): void {
  const o = f32(out), d = f32(r), n = out.numel;
  if (!added) for (let i = 0, j = r.offset; i < n; i++, j++) o[i] = o[i]! + d[j]!;
}

/** C = alpha·A·B + beta·addend (+ a residual) for 2-D f32 operands. */
function mm2d(a: NDArray, b: NDArray, ctx: KernelContext, addend?: Mat, beta = 1, alpha = 1, act?: GemmActivation, addendKey?: object, residual?: NDArray): NDArray {
  const [M, K] = a.shape as [number, number];
  const N = b.shape[1]!;
  const out = alloc(ctx, [M, N]);
  const added = ctx.gemm.gemm({
    M, N, K,
    a: { mat: mat2d(a), key: ctx.frozenKey(a) },
    b: { mat: mat2d(b), key: ctx.frozenKey(b) },
    out: f32(out), outOffset: 0, ldo: N,
    epilogue: { addend, beta, alpha, act, addendKey },
    residual: residual && { data: f32(residual), offset: residual.offset },
  });
  if (residual) addResidual(out, residual, added);
  return out;
}

export const mmKernel: FastKernel = ([a, b], ctx) => {
  if (!isF32(a) || !isF32(b) || a.ndim !== 2 || b.ndim !== 2 || a.shape[1] !== b.shape[0]) return undefined;
  return mm2d(a, b, ctx);
};

/** addmm with an activation applied to the result (fusion.ts / pointwise-fusion.ts). */
export const addmmWith = (act?: GemmActivation, res?: ResidualSink): FastKernel => (args, ctx) => {
  const [self, a, b, beta, alpha] = args;
  if (!isF32(self) || !isF32(a) || !isF32(b) || a.ndim !== 2 || b.ndim !== 2 || a.shape[1] !== b.shape[0]) return undefined;
  const be = scalarArg(beta), al = scalarArg(alpha);
  if (be === undefined || al === undefined) return undefined;
  const add = addendMat(self, a.shape[0]!, b.shape[1]!);
  if (!add) return undefined;
  const r = residualOf(args, res, a.shape[0]! * b.shape[1]!);
  const out = mm2d(a, b, ctx, be === 0 ? undefined : add, be, al, act, ctx.frozenKey(self), r);
  if (r) res!.done.add(f32(out));
  return out;
};

export const addmmKernel: FastKernel = addmmWith();

/** Leading dims of x ([..., K]) folded into rows without a copy, or undefined when they do not fold. */
function rowsView(x: NDArray): { M: number; rs: number } | undefined {
  const nd = x.ndim;
  if (nd === 1) return { M: 1, rs: 0 };
  let M = 1;
  for (let d = 0; d < nd - 1; d++) M *= x.shape[d]!;
  // Dims 0..nd-2 must be mergeable: stride[d] = stride[d+1]·size[d+1] (size-1 dims are free).
  let rs = 0;
  let expected: number | undefined;
  for (let d = nd - 2; d >= 0; d--) {
    if (x.shape[d] === 1) continue;
    if (expected !== undefined && x.strides[d] !== expected) return undefined;
    if (expected === undefined) rs = x.strides[d]!;
    expected = x.strides[d]! * x.shape[d]!;
  }
  return { M, rs };
}

/** linear with an activation applied to the result. */
export const linearWith = (act?: GemmActivation, res?: ResidualSink): FastKernel => (args, ctx) => {
  const [x, w, bias] = args;
  if (!isF32(x) || !isF32(w) || w.ndim !== 2 || (bias != null && !isF32(bias))) return undefined;
  const K = x.shape[x.ndim - 1]!;
  if (w.shape[1] !== K) return undefined;
  const N = w.shape[0]!;
  let src = x;
  let rows = rowsView(x);
  if (!rows) {
    src = contiguousCopy(x, ctx);
    rows = rowsView(src)!;
  }
  const outShape = [...x.shape.slice(0, -1), N];
  const out = alloc(ctx, outShape);
  const b = bias as NDArray | null | undefined;
  const addend = b ? (b.ndim === 1 ? { data: f32(b), offset: b.offset, rs: 0, cs: b.strides[0]! } : addendMat(b, rows.M, N)) : undefined;
  if (b && !addend) return undefined;
  const r = residualOf(args, res, rows.M * N);
  const added = ctx.gemm.gemm({
    M: rows.M, N, K,
    a: { mat: { data: f32(src), offset: src.offset, rs: rows.rs, cs: src.strides[src.ndim - 1]! } },
    b: { mat: { data: f32(w), offset: w.offset, rs: w.strides[1]!, cs: w.strides[0]! }, key: ctx.frozenKey(w) },
    out: f32(out), outOffset: 0, ldo: N,
    epilogue: { addend, act, addendKey: b ? ctx.frozenKey(b) : undefined },
    residual: r && { data: f32(r), offset: r.offset },
  });
  if (r) {
    addResidual(out, r, added);
    res!.done.add(f32(out));
  }
  if (src !== x) ctx.recycleF32?.(f32(src));
  return out;
};

export const linearKernel: FastKernel = linearWith();

/** Batched product over broadcast batch dims: a [..., M, K] · b [..., K, N]. */
function batched(a: NDArray, b: NDArray, ctx: KernelContext): NDArray | undefined {
  const ba = a.shape.slice(0, -2), bb = b.shape.slice(0, -2);
  const batch = broadcastShape(ba, bb);
  if (!batch) return undefined;
  const nb = batch.length;
  const bStr = (t: NDArray, tb: readonly number[]) =>
    batch.map((s, i) => {
      const j = i - (nb - tb.length);
      return j < 0 || (tb[j] === 1 && s !== 1) ? 0 : t.strides[j]!;
    });
  const sa = bStr(a, ba), sb = bStr(b, bb);
  const M = a.shape[a.ndim - 2]!, K = a.shape[a.ndim - 1]!, N = b.shape[b.ndim - 1]!;
  if (b.shape[b.ndim - 2] !== K) return undefined;
  const out = alloc(ctx, [...batch, M, N]);
  const total = batch.reduce((x, y) => x * y, 1);
  const idx = new Array<number>(nb).fill(0);
  let oa = a.offset, ob = b.offset;
  const keyA = ctx.frozenKey(a), keyB = ctx.frozenKey(b);
  for (let t = 0; t < total; t++) {
    ctx.gemm.gemm({
      M, N, K,
      a: { mat: { data: f32(a), offset: oa, rs: a.strides[a.ndim - 2]!, cs: a.strides[a.ndim - 1]! }, key: keyA },
      b: { mat: { data: f32(b), offset: ob, rs: b.strides[b.ndim - 2]!, cs: b.strides[b.ndim - 1]! }, key: keyB },
      out: f32(out), outOffset: t * M * N, ldo: N,
    });
    for (let d = nb - 1; d >= 0; d--) {
      idx[d]!++;
      oa += sa[d]!;
      ob += sb[d]!;
      if (idx[d]! < batch[d]!) break;
      oa -= sa[d]! * batch[d]!;
      ob -= sb[d]! * batch[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

export const bmmKernel: FastKernel = ([a, b], ctx) => {
  if (!isF32(a) || !isF32(b) || a.ndim !== 3 || b.ndim !== 3 || a.shape[0] !== b.shape[0]) return undefined;
  return batched(a, b, ctx);
};

export const matmulKernel: FastKernel = ([a, b], ctx) => {
  if (!isF32(a) || !isF32(b) || a.ndim < 2 || b.ndim < 2) return undefined;
  if (a.ndim === 2 && b.ndim === 2) return mmKernel([a, b], ctx);
  if (b.ndim === 2) return linearKernel([a, b.withView([b.shape[1]!, b.shape[0]!], [b.strides[1]!, b.strides[0]!], b.offset), null], ctx);
  return batched(a, b, ctx);
};
