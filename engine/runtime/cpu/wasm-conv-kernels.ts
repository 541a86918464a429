// WebAssembly SIMD convolution kernels of the CPU runtime (assembled with the
// GEMM in wasm-kernels.ts): a whole depthwise layer in one call, a direct
// convolution for few input channels (the 3-channel stem of image models), and
// two helpers of the GEMM (per-row scaling of B, compaction of padded C rows).
//
// Both convolutions read NCHW planes through a zero-padded copy built inside
// the kernel (the pad border is zeroed once per call, only the interior is
// rewritten), so the inner loops have no bounds checks. For stride 2 along W
// the copy de-interleaves each row (even columns, then odd ones), so every tap
// reads 8 consecutive floats. Outputs are computed 8 pixels of a row at a time
// (two f32x4 accumulators per output channel) and stored densely (row stride
// OW). Bias and the fused activation (1 = ReLU, 2 = hardswish) are applied
// before the store.
//
// Depthwise: the kernel width KW and stride along W are baked into each
// function, KH and the vertical stride/dilation are run-time values. A loop
// iteration covers two taps of a kernel row: V8 schedules every load of a
// basic block ahead of the arithmetic, so a whole unrolled row (5×5: ten input
// vectors and five weights besides the accumulators) spilled. The direct conv loops over a table of tap offsets instead, one tap
// per iteration: unrolled taps with eight accumulators made V8 hoist every
// load of the row and spill (measured: 450 → 300 µs on the 224×224 stem).

import { type FunctionBuilder as FB, FunctionBuilder, ValType } from './wasm-assembler';

/** Widths of kernel rows that have a compiled function. */
export const CONV_KWS = [1, 2, 3, 4, 5, 6, 7] as const;

const EVEN = [0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27];
const ODD = [4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31];

/** Locals holding the activation constants (set once per call). */
export interface ActConsts {
  zero: number;
  three: number;
  six: number;
  sixth: number;
  t: number;
}

export function actConsts(f: FB): ActConsts {
  const { v128 } = ValType;
  const c = { zero: f.local(v128), three: f.local(v128), six: f.local(v128), sixth: f.local(v128), t: f.local(v128) };
  f.v128Zero().set(c.zero);
  f.f32(3).f32x4Splat().set(c.three);
  f.f32(6).f32x4Splat().set(c.six);
  f.f32(1 / 6).f32x4Splat().set(c.sixth);
  return c;
}

/**
 * acc = act(acc) for act code in local `act` (0 none, 1 ReLU, 2 hardswish).
 * pmax(a, 0) / pmin(a, 6) are one maxps / minps each (f32x4.max/min are ~8
 * instructions on x64) and return `a` when it is NaN, as torch does.
 */
export function applyAct(f: FB, act: number, accs: readonly number[], c: ActConsts): void {
  f.get(act).i32(1).i32Eq().if();
  for (const a of accs) f.get(a).get(c.zero).f32x4Pmax().set(a);
  f.else().get(act).i32(2).i32Eq().if();
  for (const a of accs) {
    f.get(a).get(c.three).f32x4Add().get(c.zero).f32x4Pmax().get(c.six).f32x4Pmin().set(c.t);
    f.get(a).get(c.t).f32x4Mul().get(c.sixth).f32x4Mul().set(a);
  }
  f.end().end();
}

/** while (cond) { body } with `i` counting from 0 to the value of local `n`. */
function forRange(f: FB, i: number, n: number, body: () => void): void {
  f.i32(0).set(i);
  f.block().loop();
  f.get(i).get(n).i32GeS().brIf(1);
  body();
  f.get(i).i32(1).i32Add().set(i).br(0);
  f.end().end();
}

interface CopyLocals {
  y: number;
  s: number;
  d: number;
  end: number;
  da: number;
  db: number;
  v0: number;
  v1: number;
  padA: number;
  padB: number;
}

function copyLocals(f: FB): CopyLocals {
  const { i32 } = ValType;
  return { y: f.local(i32), s: f.local(i32), d: f.local(i32), end: f.local(i32), da: f.local(i32), db: f.local(i32), v0: f.local(ValType.v128), v1: f.local(ValType.v128), padA: f.local(i32), padB: f.local(i32) };
}

/**
 * Copy an H×W plane at `src` into a padded plane whose first interior row
 * starts at `dst` (rows WpBytes apart). Stride 1: column i goes to byte colA +
 * 4i of the row. Stride 2: the row is stored de-interleaved, so a stride-2 tap
 * reads consecutive floats: even source columns go to colA + 2i, odd ones to
 * colB + 2(i − 1) (colA/colB fold in the left padding and its parity).
 * Rows go in whole vectors (4 floats; stride 2: 8, split 4 even + 4 odd), so
 * up to 3 (stride 2: 4) floats past a row's end land in its right padding,
 * read from the next row (or past the plane: the caller keeps that memory
 * inside the scratch); one store of `padV` (the pad value, in every lane)
 * right after the row's last column puts the padding back. The padded rows
 * have room for it (see paddedPlane in conv-direct.ts).
 */
function copyPlane(f: FB, stride: 1 | 2, src: number, dst: number, H: number, W: number, WpBytes: number, colA: number, colB: number, l: CopyLocals, padV: number): void {
  const { y, s, d, end, da, db } = l;
  f.get(src).set(s);
  f.get(dst).set(d);
  // Where each row's padding resumes: after W columns (stride 2: ⌈W/2⌉ even ones, ⌊W/2⌋ odd ones).
  if (stride === 1) f.get(colA).get(W).i32(4).i32Mul().i32Add().set(l.padA);
  else {
    f.get(colA).get(W).i32(1).i32Add().i32(2).i32DivS().i32(4).i32Mul().i32Add().set(l.padA);
    f.get(colB).get(W).i32(2).i32DivS().i32(4).i32Mul().i32Add().set(l.padB);
  }
  forRange(f, y, H, () => {
    f.get(d).get(colA).i32Add().set(da);
    // end: one past the row's source floats; s walks whole vectors up to or past it.
    f.get(s).get(W).i32(4).i32Mul().i32Add().set(end);
    if (stride === 1) {
      f.block().loop();
      f.get(s).get(end).i32GeU().brIf(1);
      f.get(da).get(s).v128Load().v128Store();
      f.get(s).i32(16).i32Add().set(s);
      f.get(da).i32(16).i32Add().set(da);
      f.br(0);
      f.end().end();
      f.get(d).get(l.padA).i32Add().get(padV).v128Store();
    } else {
      f.get(d).get(colB).i32Add().set(db);
      f.block().loop();
      f.get(s).get(end).i32GeU().brIf(1);
      f.get(s).v128Load(0).set(l.v0);
      f.get(s).v128Load(16).set(l.v1);
      f.get(da).get(l.v0).get(l.v1).shuffle(EVEN).v128Store();
      f.get(db).get(l.v0).get(l.v1).shuffle(ODD).v128Store();
      f.get(s).i32(32).i32Add().set(s);
      f.get(da).i32(16).i32Add().set(da);
      f.get(db).i32(16).i32Add().set(db);
      f.br(0);
      f.end().end();
      f.get(d).get(l.padA).i32Add().get(padV).v128Store();
      f.get(d).get(l.padB).i32Add().get(padV).v128Store();
    }
    f.get(end).set(s);
    f.get(d).get(WpBytes).i32Add().set(d);
  });
}

/**
 * Σ of the floats from `end` − bytes to `end` (the plane just written: `end`
 * is one past it), stored as f32 at pSum + 4·idx.
 */
function planeSum(f: FB, end: number, bytes: number, pSum: number, idx: number, l: { p: number; end: number; v: number; s: number }): void {
  f.get(end).get(bytes).i32Sub().set(l.p);
  f.get(l.p).get(bytes).i32(-16).i32And().i32Add().set(l.end);
  f.v128Zero().set(l.v);
  f.block().loop();
  f.get(l.p).get(l.end).i32GeU().brIf(1);
  f.get(l.v).get(l.p).v128Load().f32x4Add().set(l.v);
  f.get(l.p).i32(16).i32Add().set(l.p);
  f.br(0);
  f.end().end();
  f.f32(0).set(l.s);
  f.block().loop();
  f.get(l.p).get(end).i32GeU().brIf(1);
  f.get(l.s).get(l.p).f32Load().f32Add().set(l.s);
  f.get(l.p).i32(4).i32Add().set(l.p);
  f.br(0);
  f.end().end();
  f.get(pSum).get(idx).i32(4).i32Mul().i32Add();
  f.get(l.v).f32x4ExtractLane(0).get(l.v).f32x4ExtractLane(1).f32Add();
  f.get(l.v).f32x4ExtractLane(2).get(l.v).f32x4ExtractLane(3).f32Add().f32Add();
  f.get(l.s).f32Add().f32Store();
}

/** A run of taps for one output row: weights read through `w`, sums into acc[0..1] (pixels 0–3, 4–7). */
interface TapOut {
  w: number;
  acc: readonly [number, number];
}

/**
 * Two taps A, B of one kernel row (B absent when `single`) for every output in
 * `outs`: acc[v] += wA·xA[v] + wB·xB[v], the two products summed off the
 * accumulator's chain. xA is read at pa, pa + 16; xB at pb + offB, pb + offB + 16;
 * weights at o.w, o.w + 4. Loads come first in a basic block (V8 schedules the
 * arithmetic after them), so a loop body holds few: 4 + 2·outputs vectors.
 */
function tapPair(f: FB, pa: number, pb: number, offB: number, outs: readonly TapOut[], x: readonly number[], ws: readonly number[], t: number, single: boolean): void {
  f.get(pa).v128Load(0).set(x[0]!);
  f.get(pa).v128Load(16).set(x[1]!);
  if (!single) {
    f.get(pb).v128Load(offB).set(x[2]!);
    f.get(pb).v128Load(offB + 16).set(x[3]!);
  }
  outs.forEach((o, i) => {
    f.get(o.w).v128Load32Splat(0).set(ws[2 * i]!);
    if (!single) f.get(o.w).v128Load32Splat(4).set(ws[2 * i + 1]!);
  });
  outs.forEach((o, i) => {
    for (let v = 0; v < 2; v++) {
      const a = o.acc[v]!;
      if (single) f.get(a).get(ws[2 * i]!).get(x[v]!).f32x4Mul().f32x4Add().set(a);
      else {
        f.get(ws[2 * i]!).get(x[v]!).f32x4Mul().get(ws[2 * i + 1]!).get(x[2 + v]!).f32x4Mul().f32x4Add().set(t);
        f.get(a).get(t).f32x4Add().set(a);
      }
    }
  });
}

/**
 * dw_k{KW}_s{S}(pIn, pOut, pW, pBias, C, m, H, W, OH, OW, KH, rowStep, dhStep, pPad, Wp, padRow, colA, colB, act, pSum):
 * a depthwise conv (groups = C, C·m output channels) of one batch element.
 * pIn: C planes H×W; pOut: C·m planes OH×OW; pW: [C·m, KH, KW] weights;
 * pBias: C·m floats; pPad: a zeroed padded plane of Wp-float rows (big enough
 * for every read, see conv-direct.ts); padRow: byte offset of its first
 * interior row; colA/colB: see copyPlane; rowStep / dhStep: bytes between the
 * first rows of consecutive output rows (sh·Wp·4) / kernel rows (dh·Wp·4).
 * pSum: when nonzero, each output channel's sum (after the activation) is
 * stored there (one float per channel), for a global average pool that reads
 * the output (squeeze-excitation).
 *
 * A kernel row is walked two taps per loop iteration (kx = 2j, 2j + 1; an odd
 * KW's last tap alone): stride 1 reads them at p + 8j and p + 8j + 4, stride 2
 * at p + 4j in the even and odd halves of the de-interleaved row. Square
 * kernels (KH = KW) with the baked stride vertically too and no vertical
 * dilation compute two output rows per 8-pixel block: of the S + KW input rows
 * the pair reads, the middle KW − S serve both rows from one load. Blocks of a
 * pair go right to left, so the first row's last block may spill into the
 * second row before that row's first block is stored. Other geometries (and
 * the last row of an odd OH) go one row at a time.
 */
export function buildDepthwiseLayer(KW: number, stride: 1 | 2): FunctionBuilder {
  const { i32, v128 } = ValType;
  const f = new FunctionBuilder(`dw_k${KW}_s${stride}`, new Array<ValType>(20).fill(i32));
  const [pIn, pOut, pW, pBias, C, m, H, W, OH, OW, KH, rowStep, dhStep, pPad, Wp, padRow, colA, colB, act, pSum] = Array.from({ length: 20 }, (_, i) => i) as number[];
  const sl = { p: f.local(i32), end: f.local(i32), v: f.local(v128), s: f.local(ValType.f32) };
  const [c, j, co, oy, q, ky, n, p, po, op, rowBase, OW8, src, pairs, wp, wa, wb, prow, wra, wrb, st] = Array.from({ length: 21 }, () => f.local(i32));
  const cl = copyLocals(f);
  const WpBytes = f.local(i32), halfBytes = f.local(i32), planeBytes = f.local(i32), outPlane = f.local(i32), wStep = f.local(i32), dst = f.local(i32);
  const acc = Array.from({ length: 4 }, () => f.local(v128));
  const x = Array.from({ length: 4 }, () => f.local(v128)), ws = Array.from({ length: 4 }, () => f.local(v128));
  const t = f.local(v128), bv = f.local(v128);
  const ac = actConsts(f);
  const paired = KW > stride;
  const half = KW >> 1;
  f.get(Wp).i32(4).i32Mul().set(WpBytes);
  f.get(Wp).i32(2).i32Mul().set(halfBytes);
  f.get(H).get(W).i32Mul().i32(4).i32Mul().set(planeBytes);
  f.get(OH).get(OW).i32Mul().i32(4).i32Mul().set(outPlane);
  f.get(KH).i32(KW * 4).i32Mul().set(wStep);
  f.get(OW).i32(7).i32Add().i32(8).i32DivS().set(OW8);
  f.get(pPad).get(padRow).i32Add().set(dst);
  // Row pairs per plane: OH/2 when the geometry allows, else none.
  f.i32(0).set(pairs);
  if (paired) {
    f.get(KH).i32(KW).i32Eq().get(dhStep).get(WpBytes).i32Eq().i32And().get(rowStep).get(WpBytes).i32(stride).i32Mul().i32Eq().i32And().if();
    f.get(OH).i32(2).i32DivS().set(pairs);
    f.end();
  }
  const storeAcc = (a: readonly number[], at: number) => {
    applyAct(f, act, a, ac);
    f.get(at).get(a[0]!).v128Store(0);
    f.get(at).get(a[1]!).v128Store(16);
  };
  /**
   * `rows` input rows (a local counter or a constant count) starting at prow,
   * each through every output of `outs` (weights from wrows, advanced a row of
   * KW each); prow steps by `step` bytes.
   */
  const kernelRows = (count: number | { local: number }, outs: ReadonlyArray<{ wr: number; w: number; acc: readonly [number, number] }>, step: number) => {
    if (typeof count === 'number' && count <= 0) return;
    if (typeof count === 'number') f.i32(count).set(ky);
    else f.get(count.local).set(ky);
    f.block().get(ky).i32Eqz().brIf(0);
    f.loop();
    f.get(prow).set(p);
    if (stride === 2) f.get(prow).get(halfBytes).i32Add().set(po);
    for (const o of outs) f.get(o.wr).set(o.w);
    const tapOuts: TapOut[] = outs.map((o) => ({ w: o.w, acc: o.acc }));
    if (half > 0) {
      f.i32(half).set(n);
      f.loop();
      tapPair(f, p, stride === 1 ? p : po, stride === 1 ? 4 : 0, tapOuts, x, ws, t, false);
      f.get(p).i32(stride === 1 ? 8 : 4).i32Add().set(p);
      if (stride === 2) f.get(po).i32(4).i32Add().set(po);
      for (const o of outs) f.get(o.w).i32(8).i32Add().set(o.w);
      f.get(n).i32(1).i32Sub().tee(n).brIf(0);
      f.end();
    }
    if (KW & 1) tapPair(f, p, p, 0, tapOuts, x, ws, t, true);
    f.get(prow).get(step).i32Add().set(prow);
    for (const o of outs) f.get(o.wr).i32(KW * 4).i32Add().set(o.wr);
    f.get(ky).i32(1).i32Sub().tee(ky).brIf(0);
    f.end().end();
  };
  const r0 = [acc[0]!, acc[1]!] as const, r1 = [acc[2]!, acc[3]!] as const;
  f.i32(0).set(co);
  f.get(pIn).set(src);
  forRange(f, c, C, () => {
    copyPlane(f, stride, src, dst, H, W, WpBytes, colA, colB, cl, ac.zero);
    f.get(src).get(planeBytes).i32Add().set(src);
    forRange(f, j, m, () => {
      f.get(pBias).get(co).i32(4).i32Mul().i32Add().v128Load32Splat().set(bv);
      f.get(pOut).get(co).get(outPlane).i32Mul().i32Add().set(op);
      f.get(pW).get(co).get(wStep).i32Mul().i32Add().set(wp);
      if (paired) {
        // Row pairs: input rows 0..S−1 feed row 0 only, S..KW−1 both, KW..KW+S−1 row 1 only.
        forRange(f, oy, pairs, () => {
          f.get(pPad).get(oy).get(rowStep).i32(2).i32Mul().i32Mul().i32Add().set(rowBase);
          f.get(OW8).set(q);
          f.block().loop();
          f.get(q).i32Eqz().brIf(1);
          f.get(q).i32(1).i32Sub().set(q);
          for (const a of acc) f.get(bv).set(a);
          f.get(rowBase).get(q).i32(32).i32Mul().i32Add().set(prow);
          f.get(wp).set(wra);
          kernelRows(stride, [{ wr: wra, w: wa, acc: r0 }], WpBytes);
          f.get(wp).set(wrb);
          kernelRows(KW - stride, [{ wr: wra, w: wa, acc: r0 }, { wr: wrb, w: wb, acc: r1 }], WpBytes);
          kernelRows(stride, [{ wr: wrb, w: wb, acc: r1 }], WpBytes);
          f.get(op).get(q).i32(32).i32Mul().i32Add().set(st);
          storeAcc(r0, st);
          f.get(st).get(OW).i32(4).i32Mul().i32Add().set(st);
          storeAcc(r1, st);
          f.br(0);
          f.end().end();
          f.get(op).get(OW).i32(8).i32Mul().i32Add().set(op);
        });
      }
      // Rows left: one at a time (blocks left to right, a block may spill into the next row).
      f.get(pairs).i32(2).i32Mul().set(oy);
      f.block().loop();
      f.get(oy).get(OH).i32GeS().brIf(1);
      f.get(pPad).get(oy).get(rowStep).i32Mul().i32Add().set(rowBase);
      forRange(f, q, OW8, () => {
        f.get(bv).set(acc[0]!);
        f.get(bv).set(acc[1]!);
        f.get(rowBase).get(q).i32(32).i32Mul().i32Add().set(prow);
        f.get(wp).set(wra);
        kernelRows({ local: KH }, [{ wr: wra, w: wa, acc: r0 }], dhStep);
        storeAcc(r0, op);
        f.get(op).i32(32).i32Add().set(op);
      });
      // Blocks of 8 overshoot the row by 8·OW8 − OW floats: step back.
      f.get(op).get(OW8).i32(32).i32Mul().i32Sub().get(OW).i32(4).i32Mul().i32Add().set(op);
      f.get(oy).i32(1).i32Add().set(oy).br(0);
      f.end().end();
      f.get(pSum).if();
      planeSum(f, op, outPlane, pSum, co, sl);
      f.end();
      f.get(co).i32(1).i32Add().set(co);
    });
  });
  return f;
}

/**
 * conv_s{S}(pIn, pOut, pW, pBias, Cin, Cout, H, W, OH, OW, K, pTaps, rowStep, pPad, Wp, Hp, padRow, colA, colB, act):
 * a dense (groups = 1) conv of one batch element computed directly, for few
 * input channels: a GEMM whose B is read straight from the padded planes. All
 * Cin input planes are padded first (planes Hp·Wp floats apart at pPad, zeroed
 * by the caller); then for each output row, four output channels at a time
 * (Cout padded to a multiple of 4 in pW/pBias; the extra channels are computed
 * and dropped) accumulate 8-pixel blocks over the K = Cin·KH·KW taps, tap k
 * reading 8 consecutive floats at the block's origin + pTaps[k] (an i32 byte
 * offset: plane, kernel row, and column — in the de-interleaved half for
 * stride 2). One tap per loop iteration, as the GEMM micro-kernel does, keeps
 * the 8 accumulators in registers.
 * pW: [Cout4/4, K, 4] weights (the four channels of a tap adjacent),
 * pOut: Cout4 planes OH×OW then 8 floats of scratch (rows are stored exactly:
 * output rows are visited in order across all planes, so a block may not spill
 * into the next plane).
 */
export function buildDirectConv(stride: 1 | 2): FunctionBuilder {
  const { i32, v128 } = ValType;
  const f = new FunctionBuilder(`conv_s${stride}`, new Array<ValType>(20).fill(i32));
  const [pIn, pOut, pW, pBias, Cin, Cout, H, W, OH, OW, K, pTaps, rowStep, pPad, Wp, Hp, padRow, colA, colB, act] = Array.from({ length: 20 }, (_, i) => i) as number[];
  const [c, co, oy, q, k, tp, pc, wp, rowBase, OW8, src, dst, op, nco, i] = Array.from({ length: 15 }, () => f.local(i32));
  const cl = copyLocals(f);
  const WpBytes = f.local(i32), planeBytes = f.local(i32), padPlaneBytes = f.local(i32), outPlane = f.local(i32), wCo = f.local(i32);
  const rem = f.local(i32), tmp = f.local(i32), p = f.local(i32);
  const acc = Array.from({ length: 8 }, () => f.local(v128));
  const w = f.local(v128), x0 = f.local(v128), x1 = f.local(v128);
  const ac = actConsts(f);
  f.get(Wp).i32(4).i32Mul().set(WpBytes);
  f.get(H).get(W).i32Mul().i32(4).i32Mul().set(planeBytes);
  f.get(Hp).get(Wp).i32Mul().i32(4).i32Mul().set(padPlaneBytes);
  f.get(OH).get(OW).i32Mul().i32(4).i32Mul().set(outPlane);
  // Bytes between consecutive groups of four output channels' weights.
  f.get(K).i32(16).i32Mul().set(wCo);
  f.get(OW).i32(7).i32Add().i32(8).i32DivS().set(OW8);
  f.get(Cout).i32(3).i32Add().i32(4).i32DivS().set(nco);
  // Scratch for partial blocks: right after the Cout4 output planes.
  f.get(pOut).get(nco).i32(4).i32Mul().get(outPlane).i32Mul().i32Add().set(tmp);
  f.get(pIn).set(src);
  f.get(pPad).get(padRow).i32Add().set(dst);
  forRange(f, c, Cin, () => {
    copyPlane(f, stride, src, dst, H, W, WpBytes, colA, colB, cl, ac.zero);
    f.get(src).get(planeBytes).i32Add().set(src);
    f.get(dst).get(padPlaneBytes).i32Add().set(dst);
  });
  forRange(f, oy, OH, () => {
    f.get(pPad).get(oy).get(rowStep).i32Mul().i32Add().set(rowBase);
    forRange(f, co, nco, () => {
      // op = pOut + (4·co)·outPlane + oy·OW·4
      f.get(pOut).get(co).i32(4).i32Mul().get(outPlane).i32Mul().i32Add().get(oy).get(OW).i32Mul().i32(4).i32Mul().i32Add().set(op);
      forRange(f, q, OW8, () => {
        f.get(pBias).get(co).i32(16).i32Mul().i32Add().set(wp);
        for (let r = 0; r < 4; r++) {
          f.get(wp).v128Load32Splat(4 * r).set(acc[2 * r]!);
          f.get(acc[2 * r]!).set(acc[2 * r + 1]!);
        }
        f.get(rowBase).get(q).i32(32).i32Mul().i32Add().set(pc);
        f.get(pW).get(co).get(wCo).i32Mul().i32Add().set(wp);
        f.get(pTaps).set(tp);
        f.get(K).set(k);
        f.block().get(k).i32Eqz().brIf(0);
        f.loop();
        f.get(pc).get(tp).i32Load().i32Add().set(p);
        f.get(p).v128Load(0).set(x0);
        f.get(p).v128Load(16).set(x1);
        for (let r = 0; r < 4; r++) {
          f.get(wp).v128Load32Splat(4 * r).set(w);
          f.get(acc[2 * r]!).get(w).get(x0).f32x4Mul().f32x4Add().set(acc[2 * r]!);
          f.get(acc[2 * r + 1]!).get(w).get(x1).f32x4Mul().f32x4Add().set(acc[2 * r + 1]!);
        }
        f.get(tp).i32(4).i32Add().set(tp);
        f.get(wp).i32(16).i32Add().set(wp);
        f.get(k).i32(1).i32Sub().tee(k).brIf(0);
        f.end().end();
        applyAct(f, act, acc, ac);
        // A whole block is stored as is; a row's last partial block goes through
        // tmp and only its OW − 8·q pixels are copied (rows of earlier planes are done).
        f.get(OW).get(q).i32(8).i32Mul().i32Sub().set(rem);
        f.get(rem).i32(8).i32GeS().if();
        for (let r = 0; r < 4; r++) {
          f.get(op).get(outPlane).i32(r).i32Mul().i32Add().get(acc[2 * r]!).v128Store(0);
          f.get(op).get(outPlane).i32(r).i32Mul().i32Add().get(acc[2 * r + 1]!).v128Store(16);
        }
        f.else();
        for (let r = 0; r < 4; r++) {
          f.get(tmp).get(acc[2 * r]!).v128Store(0);
          f.get(tmp).get(acc[2 * r + 1]!).v128Store(16);
          f.get(op).get(outPlane).i32(r).i32Mul().i32Add().set(dst);
          forRange(f, i, rem, () => {
            f.get(dst).get(i).i32(4).i32Mul().i32Add();
            f.get(tmp).get(i).i32(4).i32Mul().i32Add().f32Load();
            f.f32Store();
          });
        }
        f.end();
        f.get(op).i32(32).i32Add().set(op);
      });
    });
  });
  return f;
}

/**
 * scale_rows(p, rows, n, pScale): row r of the rows×n row-major block at p
 * (bytes) times the float at pScale + 4r, in place (a squeeze-excitation scale
 * applied to a GEMM operand).
 */
export function buildScaleRows(): FunctionBuilder {
  const { i32, v128 } = ValType;
  const f = new FunctionBuilder('scale_rows', [i32, i32, i32, i32]);
  const [p, rows, n, pScale] = [0, 1, 2, 3];
  const r = f.local(i32), i = f.local(i32), row = f.local(i32), s = f.local(v128);
  f.get(p).set(row);
  forRange(f, r, rows, () => {
    f.get(pScale).get(r).i32(4).i32Mul().i32Add().v128Load32Splat().set(s);
    f.i32(0).set(i);
    f.block().loop();
    f.get(i).i32(4).i32Add().get(n).i32GtS().brIf(1);
    f.get(row).get(i).i32(4).i32Mul().i32Add().tee(p);
    f.get(p).v128Load().get(s).f32x4Mul().v128Store();
    f.get(i).i32(4).i32Add().set(i).br(0);
    f.end().end();
    f.block().loop();
    f.get(i).get(n).i32GeS().brIf(1);
    f.get(row).get(i).i32(4).i32Mul().i32Add().tee(p);
    f.get(p).f32Load().get(pScale).get(r).i32(4).i32Mul().i32Add().f32Load().f32Mul().f32Store();
    f.get(i).i32(1).i32Add().set(i).br(0);
    f.end().end();
    f.get(row).get(n).i32(4).i32Mul().i32Add().set(row);
  });
  return f;
}

/**
 * compact_rows(p, rows, n, ld): move row i of a block with rows ld floats apart
 * (at p, bytes) to p + i·n·4, so the rows become contiguous (n ≤ ld). Rows move
 * front to back, four floats at a time, each chunk read before it is written.
 */
export function buildCompactRows(): FunctionBuilder {
  const { i32 } = ValType;
  const f = new FunctionBuilder('compact_rows', [i32, i32, i32, i32]);
  const [p, rows, n, ld] = [0, 1, 2, 3];
  const r = f.local(i32), i = f.local(i32), src = f.local(i32), dst = f.local(i32);
  f.get(p).set(src);
  f.get(p).set(dst);
  forRange(f, r, rows, () => {
    f.i32(0).set(i);
    f.block().loop();
    f.get(i).i32(16).i32Add().get(n).i32(4).i32Mul().i32GtS().brIf(1);
    f.get(dst).get(i).i32Add().get(src).get(i).i32Add().v128Load().v128Store();
    f.get(i).i32(16).i32Add().set(i).br(0);
    f.end().end();
    f.block().loop();
    f.get(i).get(n).i32(4).i32Mul().i32GeS().brIf(1);
    f.get(dst).get(i).i32Add().get(src).get(i).i32Add().f32Load().f32Store();
    f.get(i).i32(4).i32Add().set(i).br(0);
    f.end().end();
    f.get(src).get(ld).i32(4).i32Mul().i32Add().set(src);
    f.get(dst).get(n).i32(4).i32Mul().i32Add().set(dst);
  });
  return f;
}

/** add_into(p, q, n): n floats at p (bytes) += the n floats at q, four at a time then the tail. */
export function buildAddInto(): FunctionBuilder {
  const { i32 } = ValType;
  const f = new FunctionBuilder('add_into', [i32, i32, i32]);
  const [p, q, n] = [0, 1, 2];
  const end = f.local(i32);
  f.get(p).get(n).i32(-4).i32And().i32(4).i32Mul().i32Add().set(end);
  f.block().loop();
  f.get(p).get(end).i32GeU().brIf(1);
  f.get(p).get(p).v128Load().get(q).v128Load().f32x4Add().v128Store();
  f.get(p).i32(16).i32Add().set(p);
  f.get(q).i32(16).i32Add().set(q);
  f.br(0);
  f.end().end();
  f.get(end).get(n).i32(3).i32And().i32(4).i32Mul().i32Add().set(end);
  f.block().loop();
  f.get(p).get(end).i32GeU().brIf(1);
  f.get(p).get(p).f32Load().get(q).f32Load().f32Add().f32Store();
  f.get(p).i32(4).i32Add().set(p);
  f.get(q).i32(4).i32Add().set(q);
  f.br(0);
  f.end().end();
  return f;
}

/**
 * maxpool_k{KW}_s{S}(pIn, pOut, C, H, W, OH, OW, KH, rowStep, dhStep, pPad, Wp, padRow, colA, colB):
 * 2-D max pooling over C planes, laid out as dw_k{KW}_s{S} (same padded plane
 * and row copy; the caller fills the pad border with −∞). f32x4.max propagates
 * NaN, as torch's max pooling does. Blocks spill into the next row like the
 * depthwise kernel (8 floats of slack after the output).
 */
export function buildMaxPool(KW: number, stride: 1 | 2): FunctionBuilder {
  const { i32, v128 } = ValType;
  const f = new FunctionBuilder(`maxpool_k${KW}_s${stride}`, new Array<ValType>(15).fill(i32));
  const [pIn, pOut, C, H, W, OH, OW, KH, rowStep, dhStep, pPad, Wp, padRow, colA, colB] = Array.from({ length: 15 }, (_, i) => i) as number[];
  const [c, oy, q, ky, p, po, op, rowBase, OW8, src, dst] = Array.from({ length: 11 }, () => f.local(i32));
  const cl = copyLocals(f);
  const WpBytes = f.local(i32), halfBytes = f.local(i32), planeBytes = f.local(i32);
  const m0 = f.local(v128), m1 = f.local(v128), ninf = f.local(v128);
  f.f32(-Infinity).f32x4Splat().set(ninf);
  f.get(Wp).i32(4).i32Mul().set(WpBytes);
  f.get(Wp).i32(2).i32Mul().set(halfBytes);
  f.get(H).get(W).i32Mul().i32(4).i32Mul().set(planeBytes);
  f.get(OW).i32(7).i32Add().i32(8).i32DivS().set(OW8);
  f.get(pPad).get(padRow).i32Add().set(dst);
  f.get(pIn).set(src);
  f.get(pOut).set(op);
  forRange(f, c, C, () => {
    copyPlane(f, stride, src, dst, H, W, WpBytes, colA, colB, cl, ninf);
    f.get(src).get(planeBytes).i32Add().set(src);
    forRange(f, oy, OH, () => {
      f.get(pPad).get(oy).get(rowStep).i32Mul().i32Add().set(rowBase);
      forRange(f, q, OW8, () => {
        f.get(ninf).set(m0);
        f.get(ninf).set(m1);
        f.get(rowBase).get(q).i32(32).i32Mul().i32Add().set(p);
        f.get(KH).set(ky);
        f.block().get(ky).i32Eqz().brIf(0);
        f.loop();
        if (stride === 2) f.get(p).get(halfBytes).i32Add().set(po);
        for (let kx = 0; kx < KW; kx++) {
          const [base, off] = stride === 1 ? [p, 4 * kx] : kx & 1 ? [po, 2 * (kx - 1)] : [p, 2 * kx];
          f.get(m0).get(base).v128Load(off).f32x4Max().set(m0);
          f.get(m1).get(base).v128Load(off + 16).f32x4Max().set(m1);
        }
        f.get(p).get(dhStep).i32Add().set(p);
        f.get(ky).i32(1).i32Sub().tee(ky).brIf(0);
        f.end().end();
        f.get(op).get(m0).v128Store(0);
        f.get(op).get(m1).v128Store(16);
        f.get(op).i32(32).i32Add().set(op);
      });
      // Blocks of 8 overshoot the row by 8·OW8 − OW floats: step back.
      f.get(op).get(OW8).i32(32).i32Mul().i32Sub().get(OW).i32(4).i32Mul().i32Add().set(op);
    });
  });
  return f;
}
