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

/** Strides of a dense tensor of `shape` laid out in the stride order of `like` (same rank), or contiguous. */
export function stridesInOrderOf(like: NDArray, shape: readonly number[]): number[] {
  const nd = shape.length;
  // Dense (non-overlapping, no gaps) check of `like`.
  const order = [...Array(nd).keys()].sort((a, b) => like.strides[b]! - like.strides[a]! || a - b);
  let expect = 1;
  let dense = true;
  for (let i = nd - 1; i >= 0; i--) {
    const d = order[i]!;
    if (like.shape[d] === 1) continue;
    if (like.strides[d] !== expect) dense = false;
    expect *= like.shape[d]!;
  }
  if (!dense) return contiguousStrides(shape);
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
  const small = w && new SmallHeads(w, L, E, S, Ev, M, mStr ?? null, nb, Boolean(isCausal));
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
      small.head(q, qo, k, ko, v, vo, mo, scale, outData, oo, outStrides[nd - 2]!);
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

/**
 * Heads on the WebAssembly attention kernel (wasm-pointwise.ts): each head's
 * Q, Kᵀ, V and additive mask are copied into the module's memory in the
 * kernel's padded layout, and its output rows copied back.
 */
class SmallHeads {
  private readonly Sp: number;
  private readonly Evp: number;
  private readonly off: { q: number; kt: number; v: number; m: number; srow: number; out: number };
  private maskAt = NaN;
  private readonly dead: Uint8Array;

  constructor(
    private readonly w: PointwiseWasm,
    private readonly L: number, private readonly E: number, private readonly S: number, private readonly Ev: number,
    private readonly M: NDArray | null, private readonly mStr: number[] | null, private readonly nb: number, private readonly causal: boolean,
  ) {
    this.Sp = ceil4(S);
    this.Evp = ceil4(Ev);
    const q = 0, kt = ceil4(L * E), v = kt + E * this.Sp, m = v + S * this.Evp, srow = m + L * this.Sp, out = srow + this.Sp;
    this.off = { q, kt, v, m, srow, out };
    this.dead = new Uint8Array(L);
    w.memory(out + L * this.Evp);
  }

  /** The additive mask rows (−inf where masked or padding) for the mask at offset mo; rows with nothing left are marked dead. */
  private buildMask(buf: Float32Array, mo: number): void {
    const { L, S, Sp, M, mStr, nb, causal, dead } = this;
    const base = this.off.m;
    const md = M ? M.storage.data : null;
    const isBool = M?.dtype === 'bool';
    const mrs = mStr ? mStr[nb]! : 0, mcs = mStr ? mStr[nb + 1]! : 0;
    for (let i = 0; i < L; i++) {
      const row = base + i * Sp;
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
    this.maskAt = mo;
  }

  head(q: NDArray, qo: number, k: NDArray, ko: number, v: NDArray, vo: number, mo: number, scale: number, out: Float32Array, oo: number, ors: number): void {
    const { L, E, S, Ev, Sp, Evp, off, w } = this;
    const buf = w.memory(off.out + L * Evp);
    if (mo !== this.maskAt) this.buildMask(buf, mo);
    const nd = q.ndim;
    const Q = f32(q), K = f32(k), V = f32(v);
    const qrs = q.strides[nd - 2]!, qcs = q.strides[nd - 1]!;
    for (let i = 0; i < L; i++) for (let e = 0; e < E; e++) buf[off.q + i * E + e] = Q[qo + i * qrs + e * qcs]!;
    const krs = k.strides[nd - 2]!, kcs = k.strides[nd - 1]!;
    for (let e = 0; e < E; e++) {
      const row = off.kt + e * Sp;
      for (let j = 0; j < S; j++) buf[row + j] = K[ko + j * krs + e * kcs]!;
      for (let j = S; j < Sp; j++) buf[row + j] = 0;
    }
    const vrs = v.strides[nd - 2]!, vcs = v.strides[nd - 1]!;
    for (let j = 0; j < S; j++) {
      const row = off.v + j * Evp;
      for (let e = 0; e < Ev; e++) buf[row + e] = V[vo + j * vrs + e * vcs]!;
      for (let e = Ev; e < Evp; e++) buf[row + e] = 0;
    }
    w.attn(off.q, off.kt, off.v, off.m, off.out, L, E, Sp, Evp, S, off.srow, scale);
    const dead = this.dead;
    for (let i = 0; i < L; i++) {
      const src = off.out + i * Evp, dst = oo + i * ors;
      if (dead[i]) for (let e = 0; e < Ev; e++) out[dst + e] = 0;
      else for (let e = 0; e < Ev; e++) out[dst + e] = buf[src + e]!;
    }
  }
}
