// The WebAssembly SIMD kernels of the CPU runtime: a register-blocked f32 GEMM
// over packed panels (see gemm.ts for the packing) and the convolution kernels
// of wasm-conv-kernels.ts (depthwise layers, direct small-Cin convs), emitted as
// bytes by wasm-assembler.ts and compiled once per process.
//
// Note [Why the kernels are assembled at run time]
// The engine is pure TypeScript with no build step and no prebuilt binaries, so
// the .wasm is generated from TS: a few hundred bytes of straight-line SIMD code
// (MR×NR accumulators in v128 locals, f32x4 mul + add since FMA is not in the
// base SIMD proposal). V8 keeps the accumulators in xmm registers; the packed
// panels make every load unit-stride. If the host has no WebAssembly SIMD the
// runtime falls back to the TypeScript kernel over the same packed layout.

import { FunctionBuilder, ValType, assembleModule } from './wasm-assembler';
import { type KernelTeam, SHARED_MAX_PAGES } from './kernel-threads';
import { CONV_KWS, actConsts, applyAct, buildAddInto, buildDepthwiseLayer, buildCompactRows, buildDirectConv, buildMaxPool, buildScaleRows } from './wasm-conv-kernels';

/** Rows of A and columns of B one micro-kernel call computes. */
export const MR = 4;
export const NR = 8;

/**
 * gemm_panels(pa, pb, pc, mPanels, nPanels, K, ldcBytes, order, bPanel, bRow, biasMode, pBias, act):
 * C = act(A·B + bias), bias per row (mode 1) or column (mode 2) from pBias (padded to whole panels).
 * A panel p holds rows p·MR.. as K groups of MR floats. B's NR columns
 * of panel q at depth k start at pb + q·bPanel + k·bRow (bytes): packed panels
 * have bPanel = K·NR·4, bRow = NR·4; a plain row-major B (ldb floats) has
 * bPanel = NR·4, bRow = ldb·4. C is row-major with padded rows (ldcBytes
 * apart). order 0 walks B panels outermost (B panel hot in L1), order 1 walks
 * A panels outermost. act: 0 none, 1 ReLU, 2 hardswish, 3 GELU-tanh.
 *
 * Note [Specialized loop nests]: the bias mode and the activation are branched
 * on once per call, each (bias, act) pair getting its own loop nest with a
 * branch-free tile. Branches inside the tile made V8 shuffle and spill the
 * accumulators around every merge (~45 cycles a tile: 4×8 tiles with K = 64
 * ran at 28 GMAC/s, branch-free ones at 31). Wider tiles (4×12, 6×8, 5×8, 3×16,
 * B read from memory per use) were all slower: V8 has 15 allocatable xmm
 * registers and spills their accumulators in the depth loop.
 */
function buildGemm(): FunctionBuilder {
  const { i32, v128 } = ValType;
  const f = new FunctionBuilder('gemm_panels', [i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32]);
  const [pa, pb, pc, mp, np, K, ldc, order, bPanel, bRow, biasMode, pBias, act] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const outer = f.local(i32);
  const inner = f.local(i32);
  const nOuter = f.local(i32);
  const nInner = f.local(i32);
  const k = f.local(i32);
  const ap = f.local(i32);
  const bp = f.local(i32);
  const cp = f.local(i32);
  const pi = f.local(i32);
  const pj = f.local(i32);
  const NV = NR / 4;
  const acc: number[] = [];
  for (let r = 0; r < MR * NV; r++) acc.push(f.local(v128));
  const bv: number[] = [];
  for (let v = 0; v < NV; v++) bv.push(f.local(v128));
  const av = f.local(v128);
  const zero = f.local(v128), three = f.local(v128), six = f.local(v128), sixth = f.local(v128), t = f.local(v128);
  const gelu = geluLocals(f);
  f.v128Zero().set(zero);
  f.f32(3).f32x4Splat().set(three);
  f.f32(6).f32x4Splat().set(six);
  f.f32(1 / 6).f32x4Splat().set(sixth);

  // One MR×NR tile at panel (pi, pj), bias mode and activation fixed.
  const tile = (bias: number, actCode: number) => {
    // ap = pa + pi*K*MR*4 ; bp = pb + pj*bPanel
    f.get(pa).get(pi).get(K).i32Mul().i32(MR * 4).i32Mul().i32Add().set(ap);
    f.get(pb).get(pj).get(bPanel).i32Mul().i32Add().set(bp);
    // Accumulators start at the bias: per row (mode 1), per column (mode 2) or zero.
    if (bias === 1) {
      for (let r = 0; r < MR; r++) {
        f.get(pBias).get(pi).i32(MR * 4).i32Mul().i32Add().v128Load32Splat(4 * r).set(acc[r * NV]!);
        for (let v = 1; v < NV; v++) f.get(acc[r * NV]!).set(acc[r * NV + v]!);
      }
    } else if (bias === 2) {
      for (let v = 0; v < NV; v++) f.get(pBias).get(pj).i32(NR * 4).i32Mul().i32Add().v128Load(16 * v).set(acc[v]!);
      for (let r = 1; r < MR; r++) for (let v = 0; v < NV; v++) f.get(acc[v]!).set(acc[r * NV + v]!);
    } else for (const a of acc) f.v128Zero().set(a);
    f.get(K).set(k);
    f.block().get(k).i32Eqz().brIf(0);
    f.loop();
    for (let v = 0; v < NV; v++) f.get(bp).v128Load(16 * v).set(bv[v]!);
    for (let r = 0; r < MR; r++) {
      f.get(ap).v128Load32Splat(4 * r).set(av);
      for (let v = 0; v < NV; v++) {
        const a = acc[r * NV + v]!;
        f.get(a).get(av).get(bv[v]!).f32x4Mul().f32x4Add().set(a);
      }
    }
    f.get(ap).i32(MR * 4).i32Add().set(ap);
    f.get(bp).get(bRow).i32Add().set(bp);
    f.get(k).i32(1).i32Sub().tee(k).brIf(0);
    f.end(); // loop
    f.end(); // block
    // Activation: 1 = ReLU (max with 0, NaN propagates), 2 = hardswish x·min(max(x+3, 0), 6)/6, 3 = GELU-tanh.
    // pmax/pmin (a < b ? b : a) keep a NaN in the first operand and are one maxps/minps each.
    if (actCode === 1) for (const a of acc) f.get(a).get(zero).f32x4Pmax().set(a);
    else if (actCode === 2)
      for (const a of acc) {
        f.get(a).get(three).f32x4Add().get(zero).f32x4Pmax().get(six).f32x4Pmin().set(t);
        f.get(a).get(t).f32x4Mul().get(sixth).f32x4Mul().set(a);
      }
    else if (actCode === 3) for (let i = 0; i < acc.length; i += GELU_LANES) emitGeluTanh(f, acc.slice(i, i + GELU_LANES), gelu);
    // cp = pc + pi*MR*ldc + pj*NR*4
    f.get(pc).get(pi).i32(MR).i32Mul().get(ldc).i32Mul().i32Add().get(pj).i32(NR * 4).i32Mul().i32Add().set(cp);
    for (let r = 0; r < MR; r++) {
      for (let v = 0; v < NV; v++) f.get(cp).get(acc[r * NV + v]!).v128Store(16 * v);
      if (r < MR - 1) f.get(cp).get(ldc).i32Add().set(cp);
    }
  };

  // for outer in [0, nOuter): for inner in [0, nInner): tile at (pi, pj) = order ? (outer, inner) : (inner, outer)
  const nest = (bias: number, actCode: number) => {
    f.i32(0).set(outer);
    f.block().loop();
    f.get(outer).get(nOuter).i32GeS().brIf(1);
    f.i32(0).set(inner);
    f.block().loop();
    f.get(inner).get(nInner).i32GeS().brIf(1);
    f.get(order).if();
    f.get(outer).set(pi).get(inner).set(pj);
    f.else();
    f.get(inner).set(pi).get(outer).set(pj);
    f.end();
    tile(bias, actCode);
    f.get(inner).i32(1).i32Add().set(inner).br(0);
    f.end().end();
    f.get(outer).i32(1).i32Add().set(outer).br(0);
    f.end().end();
  };
  f.get(order).if();
  f.get(mp).set(nOuter).get(np).set(nInner);
  f.else();
  f.get(np).set(nOuter).get(mp).set(nInner);
  f.end();
  // One nest per (bias mode, activation); other codes mean no bias / no activation, as before.
  const chain = (codes: readonly number[], param: number, body: (code: number) => void) => {
    codes.forEach((c, i) => {
      if (i < codes.length - 1) f.get(param).i32(c).i32Eq().if();
      body(c);
      if (i < codes.length - 1) f.else();
    });
    for (let i = 0; i < codes.length - 1; i++) f.end();
  };
  chain([1, 2, 0], biasMode, (b) => chain([1, 2, 3, 0], act, (a) => nest(b, a)));
  return f;
}

/**
 * tanh(u) = u·P(u²)/Q(u²) on u clamped to ±7.905 (Eigen's float tanh: a 13/6
 * rational fit, within a few f32 ulps; tanh(±7.905) rounds to ±1 in f32).
 */
const TANH_CLAMP = 7.90531110763549805;
const TANH_P = [4.89352455891786e-3, 6.37261928875436e-4, 1.48572235717979e-5, 5.12229709037114e-8, -8.60467152213735e-11, 2.00018790482477e-13, -2.76076847742355e-16];
const TANH_Q = [4.89352518554385e-3, 2.26843463243900e-3, 1.18534705686654e-4, 1.19825839466702e-6];
const GELU_K = Math.sqrt(2 / Math.PI);
/** The constants of emitGeluTanh, splatted into v128 locals once per function. */
const GELU_CONSTS = [GELU_K * 0.044715, GELU_K, TANH_CLAMP, -TANH_CLAMP, 0.5, ...TANH_P, ...TANH_Q] as const;

export interface GeluLocals {
  /** Scratch v128 locals: [u, u², Q, P] for each of up to GELU_LANES vectors. */
  readonly tmp: ReadonlyArray<readonly [number, number, number, number]>;
  /** GELU_CONSTS[i] in every lane of local c[i]. */
  readonly c: readonly number[];
}

/** Vectors whose GELU is computed interleaved (independent chains side by side for the out-of-order core). */
export const GELU_LANES = 4;

export function geluLocals(f: FunctionBuilder): GeluLocals {
  const { v128 } = ValType;
  const tmp = Array.from({ length: GELU_LANES }, () => [f.local(v128), f.local(v128), f.local(v128), f.local(v128)] as const);
  const c = GELU_CONSTS.map((x) => {
    const l = f.local(v128);
    f.f32(x).f32x4Splat().set(l);
    return l;
  });
  return { tmp, c };
}

/**
 * vs[i] = gelu_tanh(vs[i]) = ½v·(1 + tanh(√(2/π)·(v + 0.044715·v³))) in place on
 * up to GELU_LANES v128 locals, tanh as above (Horner in u² for P and Q, one
 * division), the vectors' instructions interleaved step by step.
 */
export function emitGeluTanh(f: FunctionBuilder, vs: readonly number[], l: GeluLocals): void {
  const [cCube, cLin, hi, lo, half] = l.c as [number, number, number, number, number];
  const pc = l.c.slice(5, 5 + TANH_P.length), qc = l.c.slice(5 + TANH_P.length);
  const each = (fn: (v: number, u: number, u2: number, q: number, p: number) => void) => vs.forEach((v, i) => fn(v, ...l.tmp[i]!));
  // u = clamp(v·(k + k·0.044715·v²)), u²
  each((v, u) => f.get(v).get(v).f32x4Mul().get(cCube).f32x4Mul().get(cLin).f32x4Add().get(v).f32x4Mul().get(hi).f32x4Pmin().get(lo).f32x4Pmax().set(u));
  each((_v, u, u2) => f.get(u).get(u).f32x4Mul().set(u2));
  // Q(u²) and P(u²) by Horner, one step for every vector at a time.
  each((_v, _u, _u2, q, p) => {
    f.get(qc[qc.length - 1]!).set(q);
    f.get(pc[pc.length - 1]!).set(p);
  });
  for (let i = pc.length - 2; i >= 0; i--)
    each((_v, _u, u2, q, p) => {
      if (i < qc.length - 1) f.get(q).get(u2).f32x4Mul().get(qc[i]!).f32x4Add().set(q);
      f.get(p).get(u2).f32x4Mul().get(pc[i]!).f32x4Add().set(p);
    });
  // t = u·P/Q; ½v·(1 + t) = ½v + ½v·t
  each((_v, u, _u2, q, p) => f.get(p).get(u).f32x4Mul().get(q).f32x4Div().set(p));
  each((v, u, _u2, _q, p) => f.get(v).get(half).f32x4Mul().tee(u).get(p).f32x4Mul().get(u).f32x4Add().set(v));
}

/**
 * gemv_a(pa, px, pc, mPanels, K, biasMode, pBias, act): the N = 1 product
 * C[i] = act(Σ_k A[i, k]·x[k] + bias) over packed A panels (MR = 4 rows per
 * panel, K groups of 4 floats), x contiguous; C is written contiguously
 * (mPanels·4 floats). Two accumulators (even/odd k) halve the add chain.
 */
function buildGemvA(): FunctionBuilder {
  const { i32, v128 } = ValType;
  const f = new FunctionBuilder('gemv_a', [i32, i32, i32, i32, i32, i32, i32, i32]);
  const [pa, px, pc, mp, K, biasMode, pBias, act] = [0, 1, 2, 3, 4, 5, 6, 7];
  const pi = f.local(i32), k = f.local(i32), ap = f.local(i32), xp = f.local(i32);
  const acc0 = f.local(v128), acc1 = f.local(v128);
  const c = actConsts(f);
  f.get(pa).set(ap);
  f.i32(0).set(pi);
  f.block().loop();
  f.get(pi).get(mp).i32GeS().brIf(1);
  // Bias per row (mode 1: this panel's 4), per column (mode 2: the one column's), or none.
  f.get(biasMode).i32(1).i32Eq().if();
  f.get(pBias).get(pi).i32(16).i32Mul().i32Add().v128Load().set(acc0);
  f.else().get(biasMode).i32(2).i32Eq().if();
  f.get(pBias).v128Load32Splat().set(acc0);
  f.else();
  f.v128Zero().set(acc0);
  f.end().end();
  f.v128Zero().set(acc1);
  f.get(px).set(xp);
  f.i32(0).set(k);
  // Pairs of k, then the odd one out.
  f.block().loop();
  f.get(k).i32(2).i32Add().get(K).i32GtS().brIf(1);
  f.get(acc0).get(ap).v128Load(0).get(xp).v128Load32Splat(0).f32x4Mul().f32x4Add().set(acc0);
  f.get(acc1).get(ap).v128Load(16).get(xp).v128Load32Splat(4).f32x4Mul().f32x4Add().set(acc1);
  f.get(ap).i32(32).i32Add().set(ap);
  f.get(xp).i32(8).i32Add().set(xp);
  f.get(k).i32(2).i32Add().set(k).br(0);
  f.end().end();
  f.get(k).get(K).i32LtS().if();
  f.get(acc0).get(ap).v128Load(0).get(xp).v128Load32Splat(0).f32x4Mul().f32x4Add().set(acc0);
  f.get(ap).i32(16).i32Add().set(ap);
  f.end();
  f.get(acc0).get(acc1).f32x4Add().set(acc0);
  applyAct(f, act, [acc0], c);
  f.get(pc).get(pi).i32(16).i32Mul().i32Add().get(acc0).v128Store();
  f.get(pi).i32(1).i32Add().set(pi).br(0);
  f.end().end();
  return f;
}

/**
 * gemv_b(pa, pb, pc, nPanels, K, bPanel, bRow, biasMode, pBias, act): the M = 1
 * product C[j] = act(Σ_k a[k]·B[k, j] + bias), a being row 0 of a packed A panel
 * (a[k] at pa + 16·k), B panels as for gemm_panels; C written contiguously
 * (nPanels·8 floats). Even and odd k accumulate separately.
 */
function buildGemvB(): FunctionBuilder {
  const { i32, v128 } = ValType;
  const f = new FunctionBuilder('gemv_b', [i32, i32, i32, i32, i32, i32, i32, i32, i32, i32]);
  const [pa, pb, pc, np, K, bPanel, bRow, biasMode, pBias, act] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const pj = f.local(i32), k = f.local(i32), ap = f.local(i32), bp = f.local(i32);
  const a0 = f.local(v128), a1 = f.local(v128), b0 = f.local(v128), b1 = f.local(v128), av = f.local(v128), bv = f.local(v128);
  const c = actConsts(f);
  f.i32(0).set(pj);
  f.block().loop();
  f.get(pj).get(np).i32GeS().brIf(1);
  f.get(biasMode).i32(2).i32Eq().if();
  f.get(pBias).get(pj).i32(32).i32Mul().i32Add().tee(bp).v128Load(0).set(a0);
  f.get(bp).v128Load(16).set(a1);
  f.else().get(biasMode).i32(1).i32Eq().if();
  f.get(pBias).v128Load32Splat().tee(a0).set(a1);
  f.else();
  f.v128Zero().tee(a0).set(a1);
  f.end().end();
  f.v128Zero().tee(b0).set(b1);
  f.get(pa).set(ap);
  f.get(pb).get(pj).get(bPanel).i32Mul().i32Add().set(bp);
  f.i32(0).set(k);
  f.block().loop();
  f.get(k).i32(2).i32Add().get(K).i32GtS().brIf(1);
  f.get(ap).v128Load32Splat(0).set(av);
  f.get(a0).get(av).get(bp).v128Load(0).f32x4Mul().f32x4Add().set(a0);
  f.get(a1).get(av).get(bp).v128Load(16).f32x4Mul().f32x4Add().set(a1);
  f.get(ap).v128Load32Splat(16).set(bv);
  f.get(bp).get(bRow).i32Add().set(bp);
  f.get(b0).get(bv).get(bp).v128Load(0).f32x4Mul().f32x4Add().set(b0);
  f.get(b1).get(bv).get(bp).v128Load(16).f32x4Mul().f32x4Add().set(b1);
  f.get(bp).get(bRow).i32Add().set(bp);
  f.get(ap).i32(32).i32Add().set(ap);
  f.get(k).i32(2).i32Add().set(k).br(0);
  f.end().end();
  f.get(k).get(K).i32LtS().if();
  f.get(ap).v128Load32Splat(0).set(av);
  f.get(a0).get(av).get(bp).v128Load(0).f32x4Mul().f32x4Add().set(a0);
  f.get(a1).get(av).get(bp).v128Load(16).f32x4Mul().f32x4Add().set(a1);
  f.end();
  f.get(a0).get(b0).f32x4Add().set(a0);
  f.get(a1).get(b1).f32x4Add().set(a1);
  applyAct(f, act, [a0, a1], c);
  f.get(pc).get(pj).i32(32).i32Mul().i32Add().tee(bp).get(a0).v128Store(0);
  f.get(bp).get(a1).v128Store(16);
  f.get(pj).i32(1).i32Add().set(pj).br(0);
  f.end().end();
  return f;
}

/**
 * pack_a(src, dst, mPanels, K): row-major A (rows K floats apart, mPanels·4 rows
 * from src, rows past M already zero) into gemm_panels' packed layout at dst:
 * per panel, K groups of the 4 rows' values. Four depth steps at a time by a
 * 4×4 transpose in registers, then one at a time.
 */
function buildPackA(): FunctionBuilder {
  const { i32, v128 } = ValType;
  const f = new FunctionBuilder('pack_a', [i32, i32, i32, i32]);
  const [src, dst, mp, K] = [0, 1, 2, 3];
  const p = f.local(i32), k = f.local(i32), ld = f.local(i32);
  const row = [f.local(i32), f.local(i32), f.local(i32), f.local(i32)];
  const v = [f.local(v128), f.local(v128), f.local(v128), f.local(v128)];
  const t = [f.local(v128), f.local(v128), f.local(v128), f.local(v128)];
  // Byte lanes of float lanes (first operand 0–3, second 4–7).
  const lanes = (...fl: number[]) => fl.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]);
  f.get(K).i32(4).i32Mul().set(ld);
  f.get(src).set(row[0]!);
  f.i32(0).set(p);
  f.block().loop();
  f.get(p).get(mp).i32GeS().brIf(1);
  for (let r = 1; r < 4; r++) f.get(row[r - 1]!).get(ld).i32Add().set(row[r]!);
  f.get(K).set(k);
  f.block().loop();
  f.get(k).i32(4).i32LtS().brIf(1);
  for (let r = 0; r < 4; r++) f.get(row[r]!).v128Load().set(v[r]!);
  f.get(v[0]!).get(v[1]!).shuffle(lanes(0, 4, 1, 5)).set(t[0]!);
  f.get(v[2]!).get(v[3]!).shuffle(lanes(0, 4, 1, 5)).set(t[1]!);
  f.get(v[0]!).get(v[1]!).shuffle(lanes(2, 6, 3, 7)).set(t[2]!);
  f.get(v[2]!).get(v[3]!).shuffle(lanes(2, 6, 3, 7)).set(t[3]!);
  f.get(dst).get(t[0]!).get(t[1]!).shuffle(lanes(0, 1, 4, 5)).v128Store(0);
  f.get(dst).get(t[0]!).get(t[1]!).shuffle(lanes(2, 3, 6, 7)).v128Store(16);
  f.get(dst).get(t[2]!).get(t[3]!).shuffle(lanes(0, 1, 4, 5)).v128Store(32);
  f.get(dst).get(t[2]!).get(t[3]!).shuffle(lanes(2, 3, 6, 7)).v128Store(48);
  f.get(dst).i32(64).i32Add().set(dst);
  for (const r of row) f.get(r).i32(16).i32Add().set(r);
  f.get(k).i32(4).i32Sub().set(k).br(0);
  f.end().end();
  f.block().loop();
  f.get(k).i32Eqz().brIf(1);
  for (let r = 0; r < 4; r++) f.get(dst).get(row[r]!).f32Load().f32Store(4 * r);
  f.get(dst).i32(16).i32Add().set(dst);
  for (const r of row) f.get(r).i32(4).i32Add().set(r);
  f.get(k).i32(1).i32Sub().set(k).br(0);
  f.end().end();
  // Row 3 now ends where the next panel's row 0 starts.
  f.get(row[3]!).set(row[0]!);
  f.get(p).i32(1).i32Add().set(p).br(0);
  f.end().end();
  return f;
}

export interface GemmKernels {
  readonly memory: WebAssembly.Memory;
  /** Worker threads that run parts of a call (parallel-kernels.ts); absent on one thread. */
  readonly team?: KernelTeam;
  gemmPanels(pa: number, pb: number, pc: number, mPanels: number, nPanels: number, K: number, ldcBytes: number, order: number, bPanel: number, bRow: number, biasMode: number, pBias: number, act: number): void;
  /** Whole-layer depthwise kernels by `${KW}_${strideW}` (see buildDepthwiseLayer). */
  readonly depthwise: ReadonlyMap<string, DepthwiseFn>;
  /** Max pooling kernels by `${KW}_${strideW}` (see buildMaxPool). */
  readonly maxPool: ReadonlyMap<string, MaxPoolFn>;
  /** Direct convolution kernels by stride along W (see buildDirectConv). */
  readonly directConv: Readonly<Record<1 | 2, DirectConvFn>>;
  /** Rows of a row-major block times per-row scales, in place (see buildScaleRows). */
  scaleRows(p: number, rows: number, n: number, pScale: number): void;
  /** N = 1 and M = 1 products over the same packed layouts (see buildGemvA / buildGemvB). */
  gemvA(pa: number, px: number, pc: number, mPanels: number, K: number, biasMode: number, pBias: number, act: number): void;
  gemvB(pa: number, pb: number, pc: number, nPanels: number, K: number, bPanel: number, bRow: number, biasMode: number, pBias: number, act: number): void;
  /** n floats at p += n floats at q (see buildAddInto). */
  addInto(p: number, q: number, n: number): void;
  /** Row-major A (rows K floats apart) into packed panels (see buildPackA). */
  packA(src: number, dst: number, mPanels: number, K: number): void;
  /** Rows `ld` floats apart made contiguous, in place (see buildCompactRows). */
  compactRows(p: number, rows: number, n: number, ld: number): void;
}

export type DepthwiseFn = (pIn: number, pOut: number, pW: number, pBias: number, C: number, m: number, H: number, W: number, OH: number, OW: number, KH: number, rowStep: number, dhStep: number, pPad: number, Wp: number, padRow: number, colA: number, colB: number, act: number, pSum: number) => void;
export type MaxPoolFn = (pIn: number, pOut: number, C: number, H: number, W: number, OH: number, OW: number, KH: number, rowStep: number, dhStep: number, pPad: number, Wp: number, padRow: number, colA: number, colB: number) => void;
export type DirectConvFn = (pIn: number, pOut: number, pW: number, pBias: number, Cin: number, Cout: number, H: number, W: number, OH: number, OW: number, K: number, pTaps: number, rowStep: number, pPad: number, Wp: number, Hp: number, padRow: number, colA: number, colB: number, act: number) => void;

const CONV_VARIANTS = CONV_KWS.flatMap((kw) => [1, 2].map((s) => [kw, s] as [number, 1 | 2]));

const compiled = new Map<boolean, WebAssembly.Module | null>();

/**
 * The compiled module, or null when the host lacks WebAssembly SIMD (or, for
 * `shared`, shared memory). The shared variant imports a shared memory of at
 * most SHARED_MAX_PAGES pages, for worker threads (Note [Kernel threads]).
 */
export function gemmModule(shared = false): WebAssembly.Module | null {
  const hit = compiled.get(shared);
  if (hit !== undefined) return hit;
  let mod: WebAssembly.Module | null;
  try {
    const conv = [...CONV_VARIANTS.flatMap(([kw, s]) => [buildDepthwiseLayer(kw, s), buildMaxPool(kw, s)]), buildDirectConv(1), buildDirectConv(2)];
    const fns = [buildGemm(), buildGemvA(), buildGemvB(), buildPackA(), buildScaleRows(), buildCompactRows(), buildAddInto(), ...conv];
    const bytes = assembleModule(fns, 1, shared ? SHARED_MAX_PAGES : undefined);
    mod = typeof WebAssembly !== 'undefined' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    mod = null;
  }
  compiled.set(shared, mod);
  return mod;
}

/**
 * A fresh instance over its own memory (each workspace owns one), or over
 * `shared`, a shared memory from sharedKernelMemory.
 */
export function instantiateGemm(initialPages = 16, shared?: WebAssembly.Memory): GemmKernels | null {
  const mod = gemmModule(shared !== undefined);
  if (!mod) return null;
  const memory = shared ?? new WebAssembly.Memory({ initial: initialPages });
  const inst = new WebAssembly.Instance(mod, { env: { memory } });
  const ex = inst.exports as Record<string, unknown>;
  return {
    memory,
    gemmPanels: ex.gemm_panels as GemmKernels['gemmPanels'],
    depthwise: new Map(CONV_VARIANTS.map(([kw, s]) => [`${kw}_${s}`, ex[`dw_k${kw}_s${s}`] as DepthwiseFn])),
    gemvA: ex.gemv_a as GemmKernels['gemvA'],
    gemvB: ex.gemv_b as GemmKernels['gemvB'],
    packA: ex.pack_a as GemmKernels['packA'],
    scaleRows: ex.scale_rows as GemmKernels['scaleRows'],
    compactRows: ex.compact_rows as GemmKernels['compactRows'],
    addInto: ex.add_into as GemmKernels['addInto'],
    maxPool: new Map(CONV_VARIANTS.map(([kw, s]) => [`${kw}_${s}`, ex[`maxpool_k${kw}_s${s}`] as MaxPoolFn])),
    directConv: { 1: ex.conv_s1 as DirectConvFn, 2: ex.conv_s2 as DirectConvFn },
  };
}
