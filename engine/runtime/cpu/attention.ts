// Fast f32 scaled_dot_product_attention: per batch·head, scores = q·kᵀ·scale
// (GEMM with kᵀ read through strides), + mask (bool masks give -inf, causal is
// the lower triangle), row softmax (fully masked rows give zeros, as torch's safe
// softmax does), out = P·v (GEMM writing straight into the output layout).
//
// Note [Layout of attention outputs]
// torch's CPU attention allocates its output in the query's memory order (a
// query that is a transposed view gives an output with the same transposed
// strides). Exported graphs rely on it: nn.MultiheadAttention follows SDPA with
// permute + view, which only works on that layout. So the output strides here
// follow the query's stride order whenever the query is dense.

import { NDArray, Storage, contiguousStrides } from '../../core/ndarray';
import { type FastKernel, f32, isF32, scalarArg } from './kernel-context';
import { fexp } from './fast-math';
import { type PointwiseWasm, pointwiseWasm } from './wasm-pointwise';

/**
 * Strides of a dense tensor of `shape` laid out in the stride order of `like`
 * (same rank). A `like` that is not dense itself (q, k, v as strided views of
 * one fused QKV projection) still gives its order, as torch's CPU flash
 * attention lays its output out as [B, L, H, E] for such a query; broadcast
 * (zero-stride) or overlapping layouts give contiguous strides.
 */
export function stridesInOrderOf(like: NDArray, shape: readonly number[]): number[] {
  const nd = shape.length;
  for (let d = 0; d < nd; d++) if (like.shape[d] !== 1 && like.strides[d]! <= 0) return contiguousStrides(shape);
  const order = [...Array(nd).keys()].sort((a, b) => like.strides[b]! - like.strides[a]! || a - b);
  // Overlap check: each dim's stride must cover the span of the dims inside it.
  let span = 1;
  for (let i = nd - 1; i >= 0; i--) {
    const d = order[i]!;
    if (like.shape[d] === 1) continue;
    if (like.strides[d]! < span) return contiguousStrides(shape);
    span = like.strides[d]! * like.shape[d]!;
  }
  const strides = new Array<number>(nd);
  let acc = 1;
  for (let i = nd - 1; i >= 0; i--) {
    const d = order[i]!;
    strides[d] = acc;
    acc *= Math.max(shape[d]!, 1);
  }
  return strides;
}

/** scaled_dot_product_attention(query, key, value, attn_mask, dropout_p, is_causal, *, scale, enable_gqa) */
export const sdpaKernel: FastKernel = (args, ctx) => {
  const [q, k, v, mask, dropoutP, isCausal, scaleArg, enableGqa] = args;
  if (!isF32(q) || !isF32(k) || !isF32(v) || q.ndim < 2 || k.ndim !== q.ndim || v.ndim !== q.ndim) return undefined;
  if (scalarArg(dropoutP) !== 0) return undefined;
  if (mask != null && !(mask instanceof NDArray && (mask.dtype === 'float32' || mask.dtype === 'bool'))) return undefined;
  const nd = q.ndim;
  const L = q.shape[nd - 2]!, E = q.shape[nd - 1]!;
  const S = k.shape[nd - 2]!, Ev = v.shape[nd - 1]!;
  if (k.shape[nd - 1] !== E || v.shape[nd - 2] !== S) return undefined;
  const scale = scaleArg == null ? 1 / Math.sqrt(E) : scalarArg(scaleArg);
  if (scale === undefined) return undefined;
  const batch = q.shape.slice(0, -2);
  const nb = batch.length;
  // Batch strides of k/v (broadcast, or grouped-query heads on dim -3).
  const kvStrides = (t: NDArray) => {
    const st: number[] = [];
    for (let i = 0; i < nb; i++) {
      const s = t.shape[i]!;
      if (s === batch[i]) st.push(t.strides[i]!);
      else if (s === 1) st.push(0);
      else if (enableGqa && i === nb - 1 && batch[i]! % s === 0) st.push(NaN); // handled below
      else return undefined;
    }
    return st;
  };
  const ks = kvStrides(k), vs = kvStrides(v);
  if (!ks || !vs) return undefined;
  const outShape = [...batch, L, Ev];
  const outStrides = stridesInOrderOf(q, outShape);
  if (outStrides[nd - 1] !== 1) return undefined;
  const total = batch.reduce((a, c) => a * c, 1);
  const outData = ctx.allocF32(total * L * Ev);
  const Q = f32(q), K = f32(k), V = f32(v);
  const M = mask instanceof NDArray ? mask : null;
  const mStr = M ? maskStrides(M, nd, [...batch, L, S]) : null;
  if (M && !mStr) return undefined;
  const idx = new Array<number>(nb).fill(0);
  const w = L * S * (E + Ev) <= SMALL_HEAD ? pointwiseWasm() : null;
  const small = w ? SmallHeads.create(w, q, k, v, total * L * Ev, M, mStr ?? null, Boolean(isCausal)) : undefined;
  if (scratch.length < L * S) scratch = new Float32Array(L * S);
  const scores = scratch;
  for (let t = 0; t < total; t++) {
    let qo = q.offset, ko = k.offset, vo = v.offset, oo = 0, mo = M ? M.offset : 0;
    for (let i = 0; i < nb; i++) {
      qo += idx[i]! * q.strides[i]!;
      oo += idx[i]! * outStrides[i]!;
      ko += headOffset(ks[i]!, k, idx[i]!, batch[i]!, i);
      vo += headOffset(vs[i]!, v, idx[i]!, batch[i]!, i);
      if (mStr) mo += idx[i]! * mStr[i]!;
    }
    if (small) {
      small.head(q, qo, k, ko, v, vo, mo, scale, oo, outStrides[nd - 2]!);
      for (let d = nb - 1; d >= 0; d--) {
        if (++idx[d]! < batch[d]!) break;
        idx[d] = 0;
      }
      continue;
    }
    ctx.gemm.gemm({
      M: L, N: S, K: E,
      a: { mat: { data: Q, offset: qo, rs: q.strides[nd - 2]!, cs: q.strides[nd - 1]! } },
      b: { mat: { data: K, offset: ko, rs: k.strides[nd - 1]!, cs: k.strides[nd - 2]! } },
      out: scores, outOffset: 0, ldo: S,
      epilogue: { alpha: scale },
    });
    for (let i = 0; i < L; i++) {
      const row = i * S;
      if (M) {
        const md = M.storage.data;
        const base = mo + i * mStr![nb]!;
        const sc = mStr![nb + 1]!;
        if (M.dtype === 'bool') for (let j = 0; j < S; j++) { if (!md[base + j * sc]) scores[row + j] = -Infinity; }
        else for (let j = 0; j < S; j++) scores[row + j] += md[base + j * sc]!;
      }
      if (isCausal) for (let j = i + 1; j < S; j++) scores[row + j] = -Infinity;
      let mx = -Infinity;
      for (let j = 0; j < S; j++) if (scores[row + j]! > mx) mx = scores[row + j]!;
      if (mx === -Infinity) {
        scores.fill(0, row, row + S);
        continue;
      }
      let s = 0;
      for (let j = 0; j < S; j++) {
        const e = fexp(scores[row + j]! - mx);
        scores[row + j] = e;
        s += e;
      }
      const inv = 1 / s;
      for (let j = 0; j < S; j++) scores[row + j] *= inv;
    }
    ctx.gemm.gemm({
      M: L, N: Ev, K: S,
      a: { mat: { data: scores, offset: 0, rs: S, cs: 1 } },
      b: { mat: { data: V, offset: vo, rs: v.strides[nd - 2]!, cs: v.strides[nd - 1]! } },
      out: outData, outOffset: oo, ldo: outStrides[nd - 2]!,
    });
    for (let d = nb - 1; d >= 0; d--) {
      if (++idx[d]! < batch[d]!) break;
      idx[d] = 0;
    }
  }
  small?.finish(outData);
  return new NDArray(new Storage('float32', outData), outShape, outStrides);
};

/** Score rows, reused across calls (grown as needed). */
let scratch = new Float32Array(256);

/** Offset of batch index `ix` (of `size`) along dim `d` of k/v: its stride, or the shared head of a grouped-query group (NaN stride). */
function headOffset(st: number, t: NDArray, ix: number, size: number, d: number): number {
  return Number.isNaN(st) ? Math.floor(ix / (size / t.shape[d]!)) * t.strides[d]! : ix * st;
}

/** Strides of a mask broadcast to `shape` (0 on broadcast dims), or undefined when it does not broadcast. */
function maskStrides(m: NDArray, nd: number, shape: readonly number[]): number[] | undefined {
  if (m.ndim > nd) return undefined;
  const st: number[] = [];
  for (let i = 0; i < nd; i++) {
    const j = i - (nd - m.ndim);
    if (j < 0) st.push(0);
    else if (m.shape[j] === shape[i]) st.push(m.strides[j]!);
    else if (m.shape[j] === 1) st.push(0);
    else return undefined;
  }
  return st;
}

/** Work per batch·head (L·S·(E+Ev) multiply-adds) up to which heads run on the SIMD attention kernel. */
const SMALL_HEAD = 1 << 16;

const ceil4 = (n: number): number => (n + 3) & ~3;

/** [first, last] element index a view reaches in its storage, or undefined with a negative stride. */
function extent(t: NDArray): [number, number] | undefined {
  let hi = t.offset;
  for (let d = 0; d < t.ndim; d++) {
    if (t.strides[d]! < 0) return undefined;
    hi += (t.shape[d]! - 1) * t.strides[d]!;
  }
  return [t.offset, hi];
}

/**
 * Heads on the WebAssembly attention kernel (wasm-pointwise.ts), which reads
 * q, k, v rows in place: the storage ranges they view are copied into the
 * module's memory once per call (one copy when they share a buffer, as a split
 * QKV projection does), the kernel writes each head's rows in the output's
 * layout, and the output is copied back in one piece. Declines (undefined from
 * create) unless every row is contiguous and E, Ev are multiples of 4.
 */
class SmallHeads {
  private readonly base = new Map<unknown, number>();
  private maskAt = NaN;
  private mOff = 0;
  private mrs = 0;
  private readonly dead: Uint8Array;
  private buf: Float32Array;
  private readonly srow: number;
  private readonly outBase: number;

  static create(w: PointwiseWasm, q: NDArray, k: NDArray, v: NDArray, outLen: number, M: NDArray | null, mStr: number[] | null, causal: boolean): SmallHeads | undefined {
    const nd = q.ndim;
    const E = q.shape[nd - 1]!, Ev = v.shape[nd - 1]!;
    if (!q.shape[nd - 2] || !k.shape[nd - 2] || E % 4 || Ev % 4 || q.strides[nd - 1] !== 1 || k.strides[nd - 1] !== 1 || v.strides[nd - 1] !== 1) return undefined;
    const ranges = new Map<Float32Array, [number, number]>();
    let need = 0;
    for (const t of [q, k, v]) {
      const ext = extent(t);
      if (!ext) return undefined;
      const d = f32(t);
      const r = ranges.get(d);
      ranges.set(d, r ? [Math.min(r[0], ext[0]), Math.max(r[1], ext[1])] : ext);
    }
    for (const [lo, hi] of ranges.values()) need += ceil4(hi - lo + 1);
    if (need > 4 * (q.numel + k.numel + v.numel)) return undefined; // sparse views into a big buffer
    return new SmallHeads(w, ranges, need, outLen, q, k, M, mStr, causal);
  }

  private constructor(
    private readonly w: PointwiseWasm,
    ranges: Map<Float32Array, [number, number]>, inputs: number, private readonly outLen: number,
    q: NDArray, k: NDArray,
    private readonly M: NDArray | null, private readonly mStr: number[] | null, private readonly causal: boolean,
  ) {
    const nd = q.ndim;
    this.L = q.shape[nd - 2]!;
    this.S = k.shape[nd - 2]!;
    const Sp = ceil4(this.S);
    this.srow = inputs;
    this.mOff = this.srow + Sp;
    const maskLen = (M || causal ? this.L : 1) * Sp;
    this.outBase = ceil4(this.mOff + maskLen);
    this.buf = w.memory(this.outBase + outLen);
    let pos = 0;
    for (const [d, [lo, hi]] of ranges) {
      this.buf.set(d.subarray(lo, hi + 1), pos);
      this.base.set(d, pos - lo);
      pos += ceil4(hi - lo + 1);
    }
    this.dead = new Uint8Array(this.L);
    if (!M && !causal) {
      // One row for every query: keys pass, padding up to Sp is masked.
      this.buf.fill(0, this.mOff, this.mOff + this.S);
      this.buf.fill(-Infinity, this.mOff + this.S, this.mOff + Sp);
    }
  }

  private readonly L: number;
  private readonly S: number;

  /** The additive mask (−inf where masked) for the mask at offset mo; rows with nothing left are marked dead. */
  private buildMask(mo: number): void {
    const { L, S, M, mStr, causal, dead, buf } = this;
    const nb = mStr ? mStr.length - 2 : 0;
    const md = M ? M.storage.data : null;
    const isBool = M?.dtype === 'bool';
    const mrs = mStr ? mStr[nb]! : 0, mcs = mStr ? mStr[nb + 1]! : 0;
    const Sp = ceil4(S);
    for (let i = 0; i < L; i++) {
      const row = this.mOff + i * Sp;
      let live = false;
      for (let j = 0; j < S; j++) {
        let x = causal && j > i ? -Infinity : 0;
        if (md && x === 0) x = isBool ? (md[mo + i * mrs + j * mcs] ? 0 : -Infinity) : md[mo + i * mrs + j * mcs]!;
        buf[row + j] = x;
        if (x !== -Infinity) live = true;
      }
      for (let j = S; j < Sp; j++) buf[row + j] = -Infinity;
      dead[i] = live ? 0 : 1;
    }
    this.mrs = Sp;
    this.maskAt = mo;
  }

  head(q: NDArray, qo: number, k: NDArray, ko: number, v: NDArray, vo: number, mo: number, scale: number, oo: number, ors: number): void {
    const { L, S, w } = this;
    if ((this.M || this.causal) && mo !== this.maskAt) this.buildMask(mo);
    const nd = q.ndim;
    const bq = this.base.get(f32(q))!, bk = this.base.get(f32(k))!, bv = this.base.get(f32(v))!;
    w.attn(
      bq + qo, q.strides[nd - 2]!, bk + ko, k.strides[nd - 2]!, bv + vo, v.strides[nd - 2]!,
      this.mOff, this.mrs, this.outBase + oo, ors, L, S, q.shape[nd - 1]!, v.shape[nd - 1]!, this.srow, ceil4(S), scale,
    );
    const Ev = v.shape[nd - 1]!;
    for (let i = 0; i < L; i++) if (this.dead[i]) this.buf.fill(0, this.outBase + oo + i * ors, this.outBase + oo + i * ors + Ev);
  }

  /** Copy the finished output out of the module's memory. */
  finish(out: Float32Array): void {
    out.set(this.buf.subarray(this.outBase, this.outBase + this.outLen));
  }
}
