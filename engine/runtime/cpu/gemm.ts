// Blocked f32 GEMM for the CPU runtime: operands are packed into MR-row and
// NR-column panels (zero-padded to whole panels) inside one workspace, an MR×NR
// register-blocked micro-kernel (WebAssembly SIMD when the host has it, else
// TypeScript over the same layout) fills a padded C, and an epilogue copies C out
// with alpha, a broadcast bias/addend and an optional activation (ReLU,
// hardswish, GELU-tanh; inside the WebAssembly kernel when it can).
// Operands that never change between runs (weights, and a bias given with an
// `addendKey`) are packed once and cached by their storage, so a model's weights
// are packed on the first run only. An A that changes every run (activations)
// is copied into the workspace as plain rows and packed there by WebAssembly
// (pack_a), which costs far less than a strided TypeScript loop.
// Note [Kernel unrolling]: unrolling the depth loop (2 or 4 steps at static
// offsets) or reading a row-major A in place were both measured ~1.5× slower
// under V8 (its register allocator spills the accumulators); keep one step.

import { geluTanhScalar } from './fast-math';
import { type GemmKernels, MR as MR_, NR as NR_, instantiateGemm } from './wasm-kernels';
import { type CpuThreads } from './kernel-threads';
import { parallelKernels } from './parallel-kernels';

// Module-local copies: imported bindings can compile to getter calls (CJS interop), too slow for inner loops.
const MR: number = MR_;
const NR: number = NR_;

/** A strided f32 matrix: element (i, j) is data[offset + i*rs + j*cs]. */
export interface Mat {
  readonly data: Float32Array;
  readonly offset: number;
  readonly rs: number;
  readonly cs: number;
}

/**
 * An operand: a matrix (optionally cached, packed, under `key` while `key`
 * lives), or, for B only, a writer of B as K row-major rows of `ldb` floats.
 */
export type Operand = { readonly mat: Mat; readonly key?: object } | { readonly rows: (buf: Float32Array, pos: number, ldb: number) => void };

export interface Epilogue {
  /** Scales A·B (default 1). */
  readonly alpha?: number;
  /** Added as beta·addend(i, j); strides may be 0 to broadcast a row or column vector. */
  readonly addend?: Mat;
  readonly beta?: number;
  /** Activation applied last. */
  readonly act?: GemmActivation;
  /**
   * The addend never changes while this key lives (frozen bias): its staged copy
   * (a row or column vector) is cached in the workspace with the packed weights.
   */
  readonly addendKey?: object;
}

export type Activation = 'relu' | 'hardswish';
/** Activations of the GEMM epilogue (convolutions take `Activation`). */
export type GemmActivation = Activation | 'gelu_tanh';

/** Apply an activation in place to out[o..o+n). */
export function activate(act: Activation, out: Float32Array, o: number, n: number): void {
  if (act === 'relu') {
    for (let j = o; j < o + n; j++) if (out[j]! < 0) out[j] = 0;
  } else {
    for (let j = o; j < o + n; j++) {
      const v = out[j]!;
      out[j] = v <= -3 ? 0 : v >= 3 ? v : (v * (v + 3)) / 6;
    }
  }
}

export interface GemmCall {
  readonly M: number;
  readonly N: number;
  readonly K: number;
  readonly a: Operand;
  readonly b: Operand;
  /** Row-major destination: C(i, j) goes to out[outOffset + i*ldo + j]. */
  readonly out: Float32Array;
  readonly outOffset: number;
  readonly ldo: number;
  readonly epilogue?: Epilogue;
  /**
   * Scales row k of B by bRowScale.data[offset + k·stride] as B is copied in
   * (a per-input-channel scale folded into a 1×1 conv). Only for B given as a
   * matrix with unit column stride or as rows.
   */
  readonly bRowScale?: { readonly data: Float32Array; readonly offset: number; readonly stride: number };
  /**
   * Added to the result after the epilogue (M×N, rows N floats apart, from
   * `residual.offset`): a residual connection folded into a conv. Taken only
   * when the WebAssembly kernel applies the epilogue without an activation and
   * ldo = N; `gemm` returns whether it was added.
   */
  readonly residual?: { readonly data: Float32Array; readonly offset: number };
}

const ceilDiv = (a: number, b: number): number => Math.floor((a + b - 1) / b);
const align4 = (n: number): number => (n + 3) & ~3;

/** A cached operand: which view of the keyed storage (tag 0 A, 1 B, 2/3 row/column bias) sits at `pos`. */
interface CacheEntry {
  readonly tag: number;
  readonly offset: number;
  readonly rs: number;
  readonly cs: number;
  readonly rows: number;
  readonly cols: number;
  readonly pos: number;
}

const TAG_A = 0, TAG_B = 1, TAG_BIAS = 2;

export class GemmWorkspace {
  private readonly kernels: GemmKernels | null;
  private buf: Float32Array;
  /** Floats [0, persistentEnd) hold cached packed operands; scratch follows. */
  private persistentEnd = 0;
  private readonly cache = new WeakMap<object, CacheEntry[]>();

  /** `threads`: cut big kernel calls across these worker threads (Note [Kernel threads]). */
  constructor(opts: { wasm?: boolean; threads?: CpuThreads } = {}) {
    const shared = opts.wasm === false || !opts.threads ? null : instantiateGemm(16, opts.threads.memory);
    this.kernels = opts.wasm === false ? null : shared ? parallelKernels(shared, opts.threads!) : instantiateGemm();
    this.buf = this.kernels ? new Float32Array(this.kernels.memory.buffer) : new Float32Array(1 << 16);
  }

  /** Which micro-kernel runs: 'wasm-simd' or 'ts'. */
  get kernel(): 'wasm-simd' | 'ts' {
    return this.kernels ? 'wasm-simd' : 'ts';
  }

  /** The WebAssembly kernels, when the host has SIMD (kernels over `scratch` memory). */
  get wasm(): GemmKernels | null {
    return this.kernels;
  }

  /** `floats` floats of scratch after the persistent region: [buffer, start]; valid until the next call. */
  scratch(floats: number): { buf: Float32Array; pos: number } {
    const pos = this.persistentEnd;
    this.ensure(pos + floats);
    return { buf: this.buf, pos };
  }

  /** Bytes held by the workspace (packed weights + scratch). */
  get bytes(): number {
    return this.buf.byteLength;
  }

  private ensure(floats: number): void {
    if (floats <= this.buf.length) return;
    if (this.kernels) {
      const need = Math.ceil((floats * 4 - this.kernels.memory.buffer.byteLength) / 65536);
      this.kernels.memory.grow(Math.max(need, (this.kernels.memory.buffer.byteLength >> 16) >> 1));
      this.buf = new Float32Array(this.kernels.memory.buffer);
    } else {
      const next = new Float32Array(Math.max(floats, this.buf.length * 2));
      next.set(this.buf.subarray(0, this.persistentEnd));
      this.buf = next;
    }
  }

  gemm(call: GemmCall): boolean {
    const { M, N, K, a, b, out, outOffset, ldo, epilogue, bRowScale, residual } = call;
    if (M === 0 || N === 0) return false;
    const kern = this.kernels;
    const mp = ceilDiv(M, MR);
    const np = ceilDiv(N, NR);
    const aMat = (a as { mat: Mat }).mat;
    const aKey = (a as { key?: object }).key;
    const bKey = 'mat' in b ? b.key : undefined;
    const aSize = mp * MR * K;
    // Cached (packed) operands live in the persistent region; the rest in scratch after it.
    let aPos = aKey ? this.lookup(aKey, TAG_A, aMat, M, K) : -2;
    let bPos = bKey ? this.lookup(bKey, TAG_B, (b as { mat: Mat }).mat, K, N) : -2;
    const aNew = aPos === -1;
    const bNew = bPos === -1;
    if (aNew) aPos = this.reserve(aKey!, TAG_A, aMat, M, K, aSize);
    if (bNew) bPos = this.reserve(bKey!, TAG_B, (b as { mat: Mat }).mat, K, N, np * NR * K);
    // B in plain row-major form (ldb = N) unless packed: rows, or a matrix with unit column stride.
    const bDirect = bPos === -2 && ('rows' in b || b.mat.cs === 1);
    if (bRowScale && !bDirect) throw new Error('gemm: bRowScale needs B as plain rows');
    // Bias and activation run inside the WebAssembly kernel when they are a row or column vector.
    const mode = kern && K > 0 ? kernelEpilogue(epilogue) : -1;
    const act = epilogue?.act;
    const actCode = mode >= 0 ? ACT_CODE[act ?? 'none']! : 0;
    // Matrix-vector products (N = 1 or M = 1) have their own kernels (no GELU there).
    const gemv = mode >= 0 && actCode !== 3 && ((N === 1 && bDirect) || M === 1);
    const biasLen = mode === 1 ? mp * MR : np * NR;
    let biasPos = -2;
    let biasNew = false;
    if (mode > 0 && epilogue!.addendKey) {
      const add = epilogue!.addend!;
      biasPos = this.lookupRaw(epilogue!.addendKey, TAG_BIAS + mode, add.offset, add.rs, add.cs, mode === 1 ? M : N, 0);
      if (biasPos === -1) {
        biasNew = true;
        biasPos = this.reserveRaw(epilogue!.addendKey, TAG_BIAS + mode, add.offset, add.rs, add.cs, mode === 1 ? M : N, 0, biasLen);
      }
    }
    let scratch = this.persistentEnd;
    if (aPos === -2) {
      aPos = scratch;
      scratch = align4(scratch + aSize);
    }
    if (bPos === -2) {
      bPos = scratch;
      scratch = align4(scratch + (bDirect ? K * N + NR : np * NR * K));
    }
    const ldc = np * NR;
    const cPos = scratch;
    scratch = align4(cPos + mp * MR * ldc);
    if (mode > 0 && biasPos === -2) {
      biasPos = scratch;
      biasNew = true;
      scratch = align4(scratch + biasLen);
    }
    const scalePos = scratch;
    const resPos = align4(scalePos + (bRowScale ? K : 0));
    const addResidual = residual !== undefined && mode >= 0 && !act && ldo === N;
    // A changing A with unit column stride is copied in row by row and packed by the kernel.
    const aRowsPos = align4(resPos + (addResidual ? M * N : 0));
    const aWasm = kern !== null && !aKey && aMat.cs === 1 && K >= 4;
    this.ensure(aRowsPos + (aWasm ? aSize : 0));
    const buf = this.buf;
    if (aWasm) {
      const d = aMat.data, o = aMat.offset;
      if (aMat.rs === K) buf.set(d.subarray(o, o + M * K), aRowsPos);
      else for (let i = 0; i < M; i++) buf.set(d.subarray(o + i * aMat.rs, o + i * aMat.rs + K), aRowsPos + i * K);
      buf.fill(0, aRowsPos + M * K, aRowsPos + aSize);
      kern.packA(aRowsPos * 4, aPos * 4, mp, K);
    } else if (aNew || !aKey) packA(buf, aPos, aMat, M, K);
    if (bDirect) {
      if ('rows' in b) b.rows(buf, bPos, N);
      else copyRows(buf, bPos, b.mat, K, N);
      if (bRowScale) this.scaleRows(bPos, K, N, bRowScale, scalePos);
      buf.fill(0, bPos + K * N, bPos + K * N + NR);
    } else if (bNew || !bKey) packB(buf, bPos, (b as { mat: Mat }).mat, K, N);
    const bPanel = bDirect ? NR : K * NR;
    const bRow = bDirect ? N : NR;
    if (biasNew) {
      const add = epilogue!.addend!;
      const n = mode === 1 ? M : N;
      const st = mode === 1 ? add.rs : add.cs;
      const d = add.data;
      for (let i = 0, src = add.offset; i < n; i++, src += st) buf[biasPos + i] = d[src]!;
      buf.fill(0, biasPos + n, biasPos + biasLen);
    }
    if (K === 0) buf.fill(0, cPos, cPos + mp * MR * ldc);
    // A matrix-vector product writes C contiguously, so C's row stride becomes N.
    let ldcOut = ldc;
    if (kern && K > 0 && gemv) {
      if (N === 1) kern.gemvA(aPos * 4, bPos * 4, cPos * 4, mp, K, mode, biasPos * 4, actCode);
      else kern.gemvB(aPos * 4, bPos * 4, cPos * 4, np, K, bPanel * 4, bRow * 4, mode, biasPos * 4, actCode);
      ldcOut = N;
    } else if (kern && K > 0) {
      kern.gemmPanels(aPos * 4, bPos * 4, cPos * 4, mp, np, K, ldc * 4, N < M ? 1 : 0, bPanel * 4, bRow * 4, Math.max(mode, 0), biasPos * 4, actCode);
    } else if (K > 0) gemmPanelsTs(buf, aPos, bPos, cPos, mp, np, K, ldc, bPanel, bRow);
    if (mode >= 0) {
      // Padded C rows are compacted in place first: one copy out instead of a view per row.
      if (ldcOut !== N && ldo === N && kern) kern.compactRows(cPos * 4, M, N, ldcOut);
      if (addResidual) {
        buf.set(residual.data.subarray(residual.offset, residual.offset + M * N), resPos);
        kern!.addInto(cPos * 4, resPos * 4, M * N);
      }
      if ((ldcOut === N || kern) && ldo === N) out.set(buf.subarray(cPos, cPos + M * N), outOffset);
      else if (N === 1) for (let i = 0; i < M; i++) out[outOffset + i * ldo] = buf[cPos + i * ldcOut]!;
      else for (let i = 0; i < M; i++) out.set(buf.subarray(cPos + i * ldcOut, cPos + i * ldcOut + N), outOffset + i * ldo);
    } else copyOut(buf, cPos, ldc, M, N, out, outOffset, ldo, epilogue);
    return addResidual;
  }

  /** Rows [pos + k·N, +N) of the buffer times scale k, in place (scales staged at scalePos for the kernel). */
  private scaleRows(pos: number, K: number, N: number, sc: NonNullable<GemmCall['bRowScale']>, scalePos: number): void {
    const buf = this.buf, S = sc.data;
    if (this.kernels) {
      for (let k = 0; k < K; k++) buf[scalePos + k] = S[sc.offset + k * sc.stride]!;
      this.kernels.scaleRows(pos * 4, K, N, scalePos * 4);
      return;
    }
    for (let k = 0; k < K; k++) {
      const s = S[sc.offset + k * sc.stride]!;
      for (let j = pos + k * N, end = j + N; j < end; j++) buf[j] = buf[j]! * s;
    }
  }

  /** Position of a cached packed operand, or -1 when it must be packed now (then `reserve`). */
  private lookup(key: object, tag: number, m: Mat, rows: number, cols: number): number {
    return this.lookupRaw(key, tag, m.offset, m.rs, m.cs, rows, cols);
  }

  private lookupRaw(key: object, tag: number, offset: number, rs: number, cs: number, rows: number, cols: number): number {
    const list = this.cache.get(key);
    if (list === undefined) return -1;
    for (let i = 0; i < list.length; i++) {
      const e = list[i]!;
      if (e.tag === tag && e.offset === offset && e.rs === rs && e.cs === cs && e.rows === rows && e.cols === cols) return e.pos;
    }
    return -1;
  }

  private reserve(key: object, tag: number, m: Mat, rows: number, cols: number, size: number): number {
    return this.reserveRaw(key, tag, m.offset, m.rs, m.cs, rows, cols, size);
  }

  private reserveRaw(key: object, tag: number, offset: number, rs: number, cs: number, rows: number, cols: number, size: number): number {
    const pos = this.persistentEnd;
    this.persistentEnd = align4(pos + size);
    let list = this.cache.get(key);
    if (!list) this.cache.set(key, (list = []));
    list.push({ tag, offset, rs, cs, rows, cols, pos });
    return pos;
  }
}

const ACT_CODE: Record<string, number> = { none: 0, relu: 1, hardswish: 2, gelu_tanh: 3 };

/** 0: no bias, 1: bias per row, 2: bias per column — when the kernel can apply the epilogue; -1 otherwise. */
function kernelEpilogue(ep: Epilogue | undefined): number {
  if (!ep) return 0;
  if ((ep.alpha ?? 1) !== 1) return -1;
  const add = ep.addend;
  if (!add || ep.beta === 0) return add ? -1 : 0;
  if ((ep.beta ?? 1) !== 1) return -1;
  if (add.cs === 0) return 1;
  if (add.rs === 0) return 2;
  return -1;
}

/** B (K×N, unit column stride) as plain rows of N floats. */
function copyRows(buf: Float32Array, pos: number, m: Mat, K: number, N: number): void {
  if (m.rs === N) {
    buf.set(m.data.subarray(m.offset, m.offset + K * N), pos);
    return;
  }
  for (let k = 0; k < K; k++) buf.set(m.data.subarray(m.offset + k * m.rs, m.offset + k * m.rs + N), pos + k * N);
}

/** A as mp panels of K×MR floats (rows padded with zeros). */
export function packA(buf: Float32Array, pos: number, m: Mat, M: number, K: number): void {
  const { data, offset, rs, cs } = m;
  for (let i0 = 0; i0 < M; i0 += MR) {
    const rows = Math.min(MR, M - i0);
    for (let r = 0; r < MR; r++) {
      let dst = pos + r;
      if (r >= rows) {
        for (let k = 0; k < K; k++, dst += MR) buf[dst] = 0;
        continue;
      }
      let src = offset + (i0 + r) * rs;
      for (let k = 0; k < K; k++, dst += MR, src += cs) buf[dst] = data[src]!;
    }
    pos += MR * K;
  }
}

/** B as np panels of K×NR floats (columns padded with zeros). */
export function packB(buf: Float32Array, pos: number, m: Mat, K: number, N: number): void {
  const { data, offset, rs, cs } = m;
  for (let j0 = 0; j0 < N; j0 += NR) {
    const cols = Math.min(NR, N - j0);
    let dst = pos;
    for (let k = 0; k < K; k++) {
      let src = offset + k * rs + j0 * cs;
      let c = 0;
      if (cs === 1) for (; c < cols; c++) buf[dst + c] = data[src + c]!;
      else for (; c < cols; c++, src += cs) buf[dst + c] = data[src]!;
      for (; c < NR; c++) buf[dst + c] = 0;
      dst += NR;
    }
    pos += NR * K;
  }
}

/** The TypeScript micro-kernel: same layouts (bPanel/bRow in floats) and C as the WebAssembly one, 4×4 halves of each tile. */
export function gemmPanelsTs(buf: Float32Array, aPos: number, bPos: number, cPos: number, mp: number, np: number, K: number, ldc: number, bPanel: number, bRow: number): void {
  for (let pi = 0; pi < mp; pi++) {
    const aBase = aPos + pi * K * MR;
    for (let pj = 0; pj < np; pj++) {
      for (let h = 0; h < NR; h += 4) {
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        let ap = aBase;
        let bp = bPos + pj * bPanel + h;
        for (let k = 0; k < K; k++, ap += MR, bp += bRow) {
          const b0 = buf[bp]!, b1 = buf[bp + 1]!, b2 = buf[bp + 2]!, b3 = buf[bp + 3]!;
          const a0 = buf[ap]!, a1 = buf[ap + 1]!, a2 = buf[ap + 2]!, a3 = buf[ap + 3]!;
          c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
          c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
          c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
          c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
        }
        let c = cPos + pi * MR * ldc + pj * NR + h;
        buf[c] = c00; buf[c + 1] = c01; buf[c + 2] = c02; buf[c + 3] = c03;
        c += ldc;
        buf[c] = c10; buf[c + 1] = c11; buf[c + 2] = c12; buf[c + 3] = c13;
        c += ldc;
        buf[c] = c20; buf[c + 1] = c21; buf[c + 2] = c22; buf[c + 3] = c23;
        c += ldc;
        buf[c] = c30; buf[c + 1] = c31; buf[c + 2] = c32; buf[c + 3] = c33;
      }
    }
  }
}

function copyOut(buf: Float32Array, cPos: number, ldc: number, M: number, N: number, out: Float32Array, outOffset: number, ldo: number, ep: Epilogue | undefined): void {
  const alpha = ep?.alpha ?? 1;
  const add = ep?.addend;
  const beta = add ? (ep?.beta ?? 1) : 0;
  const act = ep?.act;
  for (let i = 0; i < M; i++) {
    const src = cPos + i * ldc;
    const dst = outOffset + i * ldo;
    if (!add || beta === 0) {
      if (alpha === 1) for (let j = 0; j < N; j++) out[dst + j] = buf[src + j]!;
      else for (let j = 0; j < N; j++) out[dst + j] = alpha * buf[src + j]!;
    } else {
      const d = add.data;
      const ab = add.offset + i * add.rs;
      const acs = add.cs;
      if (acs === 0) {
        const v = beta * d[ab]!;
        for (let j = 0; j < N; j++) out[dst + j] = alpha * buf[src + j]! + v;
      } else if (alpha === 1 && beta === 1 && acs === 1) {
        for (let j = 0; j < N; j++) out[dst + j] = buf[src + j]! + d[ab + j]!;
      } else {
        for (let j = 0; j < N; j++) out[dst + j] = alpha * buf[src + j]! + beta * d[ab + j * acs]!;
      }
    }
    if (act === 'gelu_tanh') geluTanhScalar(out, dst, out, dst, N);
    else if (act) activate(act, out, dst, N);
  }
}
