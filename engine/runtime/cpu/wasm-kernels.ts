// The WebAssembly SIMD kernels of the CPU runtime: a register-blocked f32 GEMM
// over packed panels (see gemm.ts for the packing) and a depthwise convolution
// over padded planes (see conv.ts), emitted as bytes by wasm-assembler.ts and
// compiled once per process.
//
// Note [Why the kernels are assembled at run time]
// The engine is pure TypeScript with no build step and no prebuilt binaries, so
// the .wasm is generated from TS: a few hundred bytes of straight-line SIMD code
// (MR×NR accumulators in v128 locals, f32x4 mul + add since FMA is not in the
// base SIMD proposal). V8 keeps the accumulators in xmm registers; the packed
// panels make every load unit-stride. If the host has no WebAssembly SIMD the
// runtime falls back to the TypeScript kernel over the same packed layout.

import { FunctionBuilder, ValType, assembleModule } from './wasm-assembler';

/** Rows of A and columns of B one micro-kernel call computes. */
export const MR = 4;
export const NR = 8;

/**
 * gemm_panels(pa, pb, pc, mPanels, nPanels, K, ldcBytes, order, bPanel, bRow, biasMode, pBias, act):
 * C = act(A·B + bias), bias per row (mode 1) or column (mode 2) from pBias (padded to whole panels).
 * A panel p holds rows p·MR.. as K groups of MR floats. B's NR columns of panel
 * q at depth k start at pb + q·bPanel + k·bRow (bytes): packed panels have
 * bPanel = K·NR·4, bRow = NR·4; a plain row-major B (ldb floats) has
 * bPanel = NR·4, bRow = ldb·4. C is row-major with padded rows (ldcBytes
 * apart). order 0 walks B panels outermost (B panel hot in L1), order 1 walks
 * A panels outermost.
 */
function buildGemm(): FunctionBuilder {
  const { i32, v128 } = ValType;
  const f = new FunctionBuilder('gemm_panels', [i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32]);
  const [pa, pb, pc, mp, np, K, ldc, order, bPanel, bRow, biasMode, pBias, act] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const outer = f.local(i32);
  const inner = f.local(i32);
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
  f.v128Zero().set(zero);
  f.f32(3).f32x4Splat().set(three);
  f.f32(6).f32x4Splat().set(six);
  f.f32(1 / 6).f32x4Splat().set(sixth);

  // One MR×NR tile at panel (pi, pj).
  const tile = () => {
    // ap = pa + pi*K*MR*4 ; bp = pb + pj*bPanel
    f.get(pa).get(pi).get(K).i32Mul().i32(MR * 4).i32Mul().i32Add().set(ap);
    f.get(pb).get(pj).get(bPanel).i32Mul().i32Add().set(bp);
    // Accumulators start at the bias: per row (mode 1), per column (mode 2) or zero.
    f.get(biasMode).i32(1).i32Eq().if();
    for (let r = 0; r < MR; r++) {
      f.get(pBias).get(pi).i32(MR * 4).i32Mul().i32Add().v128Load32Splat(4 * r).set(acc[r * NV]!);
      for (let v = 1; v < NV; v++) f.get(acc[r * NV]!).set(acc[r * NV + v]!);
    }
    f.else().get(biasMode).i32(2).i32Eq().if();
    for (let v = 0; v < NV; v++) f.get(pBias).get(pj).i32(NR * 4).i32Mul().i32Add().v128Load(16 * v).set(acc[v]!);
    for (let r = 1; r < MR; r++) for (let v = 0; v < NV; v++) f.get(acc[v]!).set(acc[r * NV + v]!);
    f.else();
    for (const a of acc) f.v128Zero().set(a);
    f.end().end();
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
    // cp = pc + pi*MR*ldc + pj*NR*4
    f.get(pc).get(pi).i32(MR).i32Mul().get(ldc).i32Mul().i32Add().get(pj).i32(NR * 4).i32Mul().i32Add().set(cp);
    // Activation: 1 = ReLU (max with 0, NaN propagates), 2 = hardswish x·min(max(x+3, 0), 6)/6.
    f.get(act).i32(1).i32Eq().if();
    for (const a of acc) f.get(a).get(zero).f32x4Max().set(a);
    f.else().get(act).i32(2).i32Eq().if();
    for (const a of acc) {
      f.get(a).get(three).f32x4Add().get(zero).f32x4Max().get(six).f32x4Min().set(t);
      f.get(a).get(t).f32x4Mul().get(sixth).f32x4Mul().set(a);
    }
    f.end().end();
    for (let r = 0; r < MR; r++) {
      for (let v = 0; v < NV; v++) f.get(cp).get(acc[r * NV + v]!).v128Store(16 * v);
      if (r < MR - 1) f.get(cp).get(ldc).i32Add().set(cp);
    }
  };

  // for outer in [0, order ? mp : np): for inner in [0, order ? np : mp): tile
  const loops = (outerCount: number, innerCount: number, outerIsM: boolean) => {
    f.i32(0).set(outer);
    f.block().loop();
    f.get(outer).get(outerCount).i32GeS().brIf(1);
    f.i32(0).set(inner);
    f.block().loop();
    f.get(inner).get(innerCount).i32GeS().brIf(1);
    f.get(outerIsM ? outer : inner).set(pi);
    f.get(outerIsM ? inner : outer).set(pj);
    tile();
    f.get(inner).i32(1).i32Add().set(inner).br(0);
    f.end().end();
    f.get(outer).i32(1).i32Add().set(outer).br(0);
    f.end().end();
  };
  f.get(order).if();
  loops(mp, np, true);
  f.else();
  loops(np, mp, false);
  f.end();
  return f;
}

const EVEN_LANES = [0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27];

/**
 * dw_s{1,2}(pIn, rowStep, pTaps, pW, ntaps, pOut, OH, OW8, bias): one channel of a
 * depthwise conv with horizontal stride 1 or 2 over a zero-padded input plane.
 * Output row oy, pixels 8·q..8·q+7 (written densely, OW8·8 floats per row) are
 * bias + Σ_t w[t]·in[pIn + oy·rowStep + tap[t] + (8·q + lane)·stride·4]; taps are
 * byte offsets of each (ky, kx) relative to the window's top-left. Stride 2
 * loads 16 consecutive floats and keeps the even lanes.
 */
function buildDepthwise(stride: 1 | 2): FunctionBuilder {
  const { i32, f32, v128 } = ValType;
  const f = new FunctionBuilder(`dw_s${stride}`, [i32, i32, i32, i32, i32, i32, i32, i32, f32]);
  const [pIn, rowStep, pTaps, pW, ntaps, pOut, OH, OW8, bias] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const oy = f.local(i32), q = f.local(i32), t = f.local(i32), tp = f.local(i32), wp = f.local(i32);
  const base = f.local(i32), p = f.local(i32), op = f.local(i32);
  const acc0 = f.local(v128), acc1 = f.local(v128), w = f.local(v128), bv = f.local(v128);
  f.get(bias).f32x4Splat().set(bv);
  f.get(pOut).set(op);
  f.i32(0).set(oy);
  f.block().loop();
  f.get(oy).get(OH).i32GeS().brIf(1);
  f.i32(0).set(q);
  f.block().loop();
  f.get(q).get(OW8).i32GeS().brIf(1);
  // base = pIn + oy*rowStep + q*32*stride
  f.get(pIn).get(oy).get(rowStep).i32Mul().i32Add().get(q).i32(32 * stride).i32Mul().i32Add().set(base);
  f.get(bv).set(acc0);
  f.get(bv).set(acc1);
  f.get(pTaps).set(tp);
  f.get(pW).set(wp);
  f.get(ntaps).set(t);
  f.block().get(t).i32Eqz().brIf(0);
  f.loop();
  f.get(base).get(tp).i32Load().i32Add().set(p);
  f.get(wp).v128Load32Splat().set(w);
  if (stride === 1) {
    f.get(acc0).get(w).get(p).v128Load(0).f32x4Mul().f32x4Add().set(acc0);
    f.get(acc1).get(w).get(p).v128Load(16).f32x4Mul().f32x4Add().set(acc1);
  } else {
    f.get(acc0).get(w).get(p).v128Load(0).get(p).v128Load(16).shuffle(EVEN_LANES).f32x4Mul().f32x4Add().set(acc0);
    f.get(acc1).get(w).get(p).v128Load(32).get(p).v128Load(48).shuffle(EVEN_LANES).f32x4Mul().f32x4Add().set(acc1);
  }
  f.get(tp).i32(4).i32Add().set(tp);
  f.get(wp).i32(4).i32Add().set(wp);
  f.get(t).i32(1).i32Sub().tee(t).brIf(0);
  f.end().end();
  f.get(op).get(acc0).v128Store(0);
  f.get(op).get(acc1).v128Store(16);
  f.get(op).i32(32).i32Add().set(op);
  f.get(q).i32(1).i32Add().set(q).br(0);
  f.end().end();
  f.get(oy).i32(1).i32Add().set(oy).br(0);
  f.end().end();
  return f;
}

export interface GemmKernels {
  readonly memory: WebAssembly.Memory;
  gemmPanels(pa: number, pb: number, pc: number, mPanels: number, nPanels: number, K: number, ldcBytes: number, order: number, bPanel: number, bRow: number, biasMode: number, pBias: number, act: number): void;
  /** Depthwise channel kernels by horizontal stride (see buildDepthwise). */
  depthwise: Record<1 | 2, (pIn: number, rowStep: number, pTaps: number, pW: number, ntaps: number, pOut: number, OH: number, OW8: number, bias: number) => void>;
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null when the host lacks WebAssembly SIMD. */
export function gemmModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    const bytes = assembleModule([buildGemm(), buildDepthwise(1), buildDepthwise(2)]);
    compiled = typeof WebAssembly !== 'undefined' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    compiled = null;
  }
  return compiled;
}

/** A fresh instance over its own memory (each workspace owns one). */
export function instantiateGemm(initialPages = 16): GemmKernels | null {
  const mod = gemmModule();
  if (!mod) return null;
  const memory = new WebAssembly.Memory({ initial: initialPages });
  const inst = new WebAssembly.Instance(mod, { env: { memory } });
  const ex = inst.exports as Record<string, unknown>;
  return {
    memory,
    gemmPanels: ex.gemm_panels as GemmKernels['gemmPanels'],
    depthwise: { 1: ex.dw_s1 as GemmKernels['depthwise'][1], 2: ex.dw_s2 as GemmKernels['depthwise'][2] },
  };
}
