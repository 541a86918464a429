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
import { CONV_KWS, buildDepthwiseLayer, buildDirectConv, buildScaleRows } from './wasm-conv-kernels';

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

export interface GemmKernels {
  readonly memory: WebAssembly.Memory;
  gemmPanels(pa: number, pb: number, pc: number, mPanels: number, nPanels: number, K: number, ldcBytes: number, order: number, bPanel: number, bRow: number, biasMode: number, pBias: number, act: number): void;
  /** Whole-layer depthwise kernels by `${KW}_${strideW}` (see buildDepthwiseLayer). */
  readonly depthwise: ReadonlyMap<string, DepthwiseFn>;
  /** Direct small-Cin convolution kernels by `${KW}_${strideW}` (see buildDirectConv). */
  readonly directConv: ReadonlyMap<string, DirectConvFn>;
  /** Rows of a row-major block times per-row scales, in place (see buildScaleRows). */
  scaleRows(p: number, rows: number, n: number, pScale: number): void;
}

export type DepthwiseFn = (pIn: number, pOut: number, pW: number, pBias: number, C: number, m: number, H: number, W: number, OH: number, OW: number, KH: number, rowStep: number, dhStep: number, pPad: number, Wp: number, padOff: number, act: number) => void;
export type DirectConvFn = (pIn: number, pOut: number, pW: number, pBias: number, Cin: number, Cout: number, H: number, W: number, OH: number, OW: number, KH: number, rowStep: number, dhStep: number, pPad: number, Wp: number, Hp: number, padOff: number, act: number) => void;

const CONV_VARIANTS = CONV_KWS.flatMap((kw) => [1, 2].map((s) => [kw, s] as [number, 1 | 2]));

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null when the host lacks WebAssembly SIMD. */
export function gemmModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    const conv = CONV_VARIANTS.flatMap(([kw, s]) => [buildDepthwiseLayer(kw, s), buildDirectConv(kw, s)]);
    const bytes = assembleModule([buildGemm(), buildScaleRows(), ...conv]);
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
    depthwise: new Map(CONV_VARIANTS.map(([kw, s]) => [`${kw}_${s}`, ex[`dw_k${kw}_s${s}`] as DepthwiseFn])),
    scaleRows: ex.scale_rows as GemmKernels['scaleRows'],
    directConv: new Map(CONV_VARIANTS.map(([kw, s]) => [`${kw}_${s}`, ex[`conv_k${kw}_s${s}`] as DirectConvFn])),
  };
}
