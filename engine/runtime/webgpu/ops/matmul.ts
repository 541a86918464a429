// Batched GEMM for WebGPU: C[b] = alpha·A[b]·B[b] + beta·D[b], every operand
// read and written through its own strides (transposed weights, broadcast batch
// dims and the attention output's query-ordered layout cost nothing). mm, addmm,
// bmm, linear, matmul, 1×1 convolutions and attention all lower to it.
//
// Two kernels. Small products use 16×16 output tiles, one output per thread.
// Larger ones use register blocking (Note [Tiled GEMM]): a workgroup computes a
// BM×BN block, each thread TM×TN outputs held in vec4 registers, the K loop
// staged through workgroup memory BK at a time.
//
// Note [Tiled GEMM]
// Workgroup memory holds the A block transposed (As[k][m], m in vec4 groups)
// and the B block as is (Bs[k][n]), each row padded by one vec4 so that the
// global→shared stores of threads that differ in k land in different banks.
// Thread (tx, ty) owns rows (ty + i·WY)·4 + r and columns (tx + j·WX)·4 + c:
// the vec4 reads of one k step are conflict-free across a warp (consecutive tx
// read consecutive vec4s of Bs; a warp spans one or two ty, which broadcast)
// and the output stores are coalesced along n. Global loads follow whichever
// stride of an operand is 1 (a compile-time fact): consecutive threads read
// consecutive addresses for row-major and transposed operands alike. With
// `prefetch`, the next K block is loaded into registers while the current one
// is multiplied. Edges are handled by clamped, select()-guarded reads, so any
// M, N, K work; every size and stride is a uniform.

import { type ProgramInfo, type RunData, type ShaderHelper, Uniforms, memoProgram } from '../program';
import { type EpilogueAct, applyAct, epilogueFn } from './epilogue';

const T = 16;

/** A register-blocked tile shape (Note [Tiled GEMM]); TM, TN multiples of 4; (BM/TM)·(BN/TN) threads. */
export interface GemmTile {
  readonly bm: number;
  readonly bn: number;
  readonly bk: number;
  readonly tm: number;
  readonly tn: number;
  readonly prefetch: boolean;
  /** Workgroup tiles as f32 arrays (vec4 reads assembled from four loads) instead of vec4 arrays with component stores. */
  readonly scalarSmem?: boolean;
}

/** Tile shapes the benchmark sweeps; the runtime picks by problem size (chooseGemmTile). */
export const GEMM_TILES: Readonly<Record<string, GemmTile>> = {
  t128x128x8: { bm: 128, bn: 128, bk: 8, tm: 8, tn: 8, prefetch: false },
  t128x128x8p: { bm: 128, bn: 128, bk: 8, tm: 8, tn: 8, prefetch: true },
  t128x128x16: { bm: 128, bn: 128, bk: 16, tm: 8, tn: 8, prefetch: false },
  t128x128x16p: { bm: 128, bn: 128, bk: 16, tm: 8, tn: 8, prefetch: true },
  t128x64x16p: { bm: 128, bn: 64, bk: 16, tm: 8, tn: 4, prefetch: true },
  t64x128x16p: { bm: 64, bn: 128, bk: 16, tm: 4, tn: 8, prefetch: true },
  t64x64x8: { bm: 64, bn: 64, bk: 8, tm: 4, tn: 4, prefetch: false },
  t64x64x16p: { bm: 64, bn: 64, bk: 16, tm: 4, tn: 4, prefetch: true },
  t128x256x8p: { bm: 128, bn: 256, bk: 8, tm: 8, tn: 16, prefetch: true },
  t128x128x8s: { bm: 128, bn: 128, bk: 8, tm: 8, tn: 8, prefetch: false, scalarSmem: true },
  t128x128x8ps: { bm: 128, bn: 128, bk: 8, tm: 8, tn: 8, prefetch: true, scalarSmem: true },
  t64x128x16ps: { bm: 64, bn: 128, bk: 16, tm: 4, tn: 8, prefetch: true, scalarSmem: true },
  t128x128x16ps: { bm: 128, bn: 128, bk: 16, tm: 8, tn: 8, prefetch: true, scalarSmem: true },
  t128x128x8w: { bm: 128, bn: 128, bk: 8, tm: 8, tn: 16, prefetch: true }, // 128 threads, 8×16 each
  t256x128x8p: { bm: 256, bn: 128, bk: 8, tm: 16, tn: 8, prefetch: true },
};

/** The tile for an M×N×K product (per batch), or undefined for the 16×16 kernel. */
export function chooseGemmTile(M: number, N: number, K: number, batches = 1): GemmTile | undefined {
  if (K < 16) return undefined;
  const blocks = (t: GemmTile) => Math.ceil(M / t.bm) * Math.ceil(N / t.bn) * batches;
  const big = GEMM_TILES.t128x128x16!;
  if (M >= 256 && N >= 256 && blocks(big) >= 64) return big;
  const mid = GEMM_TILES.t64x64x16p!;
  if (M >= 64 && N >= 64 && blocks(mid) >= 16) return mid;
  return undefined;
}

/** Which stride of an operand is 1, as a compile-time layout fact: 'r' rows contiguous (cs = 1), 'c' columns (rs = 1), 'g' neither. */
export type OperandLayout = 'r' | 'c' | 'g';
export const layoutOf = (m: MatOperand): OperandLayout => (m.cs === 1 ? 'r' : m.rs === 1 ? 'c' : 'g');

/** A strided matrix operand: batch strides (one per batch dim), row and column strides, offset. */
export interface MatOperand {
  readonly batchStrides: readonly number[];
  readonly rs: number;
  readonly cs: number;
  readonly offset: number;
}

/**
 * Uniform words: M, N, K, batch shape[br], then for A, B, C (and D when present)
 * batch strides[br], rs, cs, offset; then alpha, beta. `act` is applied to
 * each stored alpha·AB + beta·D (an epilogue).
 */
export function gemmProgram(batchRank: number, hasAddend: boolean, tile?: GemmTile, layouts: readonly [OperandLayout, OperandLayout] = ['g', 'g'], act?: EpilogueAct): ProgramInfo {
  const t = tile ? `${tile.bm}x${tile.bn}x${tile.bk}_${tile.tm}x${tile.tn}${tile.prefetch ? 'p' : ''}${tile.scalarSmem ? 's' : ''}|${layouts.join('')}` : '';
  return memoProgram(`gemm|${batchRank}|${hasAddend}|${t}|${act ?? ''}`, () => (tile ? tiledGemmProgram(batchRank, hasAddend, tile, layouts, act) : smallGemmProgram(batchRank, hasAddend, act)));
}

/** The 16×16 kernel: one output per thread. */
function smallGemmProgram(batchRank: number, hasAddend: boolean, act?: EpilogueAct): ProgramInfo {
  const per = batchRank + 3;
  const ops = hasAddend ? 4 : 3;
  const words = 3 + batchRank + ops * per + 2;
  return {
    name: 'gemm',
    cacheKey: { hint: `b${batchRank}${hasAddend ? '+d' : ''}${act ? `|${act}` : ''}`, inputDependencies: hasAddend ? ['f32', 'f32', 'f32'] : ['f32', 'f32'] },
    bindings: { inputs: hasAddend ? ['f32', 'f32', 'f32'] : ['f32', 'f32'], outputs: ['f32'] },
    uniformWords: words,
    getShaderSource: (h: ShaderHelper) => {
      const base = (k: number) => 3 + batchRank + k * per; // operand k: A=0, B=1, C=2, D=3
      const batchOffsets = [];
      for (let k = 0; k < ops; k++) batchOffsets.push(`  var off${k} = U(${base(k) + batchRank + 2}u);`);
      const decompose = [];
      for (let d = batchRank - 1; d >= 0; d--) {
        decompose.push(`  { let s = U(${3 + d}u); let c = rem % s; rem = rem / s;`);
        for (let k = 0; k < ops; k++) decompose.push(`    off${k} = off${k} + c * U(${base(k) + d}u);`);
        decompose.push('  }');
      }
      const rs = (k: number) => `U(${base(k) + batchRank}u)`;
      const cs = (k: number) => `U(${base(k) + batchRank + 1}u)`;
      const alphaAt = 3 + batchRank + ops * per;
      const dIn = hasAddend ? 'in2' : '';
      return `${h.prelude()}
${epilogueFn(act)}
var<workgroup> As: array<array<f32, ${T}>, ${T}>;
var<workgroup> Bs: array<array<f32, ${T}>, ${T}>;
@compute @workgroup_size(${T}, ${T})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let M = U(0u); let N = U(1u); let K = U(2u);
  var rem = wg.z;
${batchOffsets.join('\n')}
${decompose.join('\n')}
  let row = wg.y * ${T}u + lid.y;
  let col = wg.x * ${T}u + lid.x;
  var acc = 0.0;
  for (var k0 = 0u; k0 < K; k0 = k0 + ${T}u) {
    let ka = k0 + lid.x;
    let kb = k0 + lid.y;
    As[lid.y][lid.x] = select(0.0, in0[off0 + row * ${rs(0)} + ka * ${cs(0)}], row < M && ka < K);
    Bs[lid.y][lid.x] = select(0.0, in1[off1 + kb * ${rs(1)} + col * ${cs(1)}], kb < K && col < N);
    workgroupBarrier();
    for (var k = 0u; k < ${T}u; k = k + 1u) { acc = acc + As[lid.y][k] * Bs[k][lid.x]; }
    workgroupBarrier();
  }
  if (row < M && col < N) {
    var v = Uf(${alphaAt}u) * acc;
    ${hasAddend ? `v = v + Uf(${alphaAt + 1}u) * ${dIn}[off3 + row * ${rs(3)} + col * ${cs(3)}];` : ''}
    out0[off2 + row * ${rs(2)} + col * ${cs(2)}] = ${applyAct(act, 'v')};
  }
}`;
    },
  };
}

/** Out-of-range reads are guarded by select(); clamp the index so no read leaves the buffer. */
export function gemmRun(M: number, N: number, K: number, batch: readonly number[], a: MatOperand, b: MatOperand, c: MatOperand, d: MatOperand | undefined, alpha: number, beta: number, tile?: GemmTile): RunData {
  const u = new Uniforms().u(M, N, K).u(...batch);
  for (const m of d ? [a, b, c, d] : [a, b, c]) u.u(...m.batchStrides).u(m.rs, m.cs, m.offset);
  u.f(alpha, beta);
  const nb = batch.reduce((x, y) => x * y, 1);
  const bm = tile?.bm ?? T, bn = tile?.bn ?? T;
  return { uniforms: u.build(), workgroups: [Math.ceil(N / bn), Math.ceil(M / bm), nb] };
}

/** A GEMM dispatch: the program (tiled when the size pays) and its run data. */
export function gemmDispatch(M: number, N: number, K: number, batch: readonly number[], a: MatOperand, b: MatOperand, c: MatOperand, d: MatOperand | undefined, alpha: number, beta: number, tile: GemmTile | undefined = chooseGemmTile(M, N, K, batch.reduce((x, y) => x * y, 1)), act?: EpilogueAct): { program: ProgramInfo; run: RunData } {
  return { program: gemmProgram(batch.length, !!d, tile, [layoutOf(a), layoutOf(b)], act), run: gemmRun(M, N, K, batch, a, b, c, d, alpha, beta, tile) };
}

/** The register-blocked kernel (Note [Tiled GEMM]); same uniform layout as the 16×16 one. */
function tiledGemmProgram(batchRank: number, hasAddend: boolean, t: GemmTile, layouts: readonly [OperandLayout, OperandLayout], act?: EpilogueAct): ProgramInfo {
  const per = batchRank + 3;
  const ops = hasAddend ? 4 : 3;
  const words = 3 + batchRank + ops * per + 2;
  const { bm, bn, bk, tm, tn, prefetch } = t;
  const sc = !!t.scalarSmem;
  const WX = bn / tn, WY = bm / tm, NT = WX * WY;
  const SA = bm / 4 + 1, SB = bn / 4 + 1; // padded row lengths in vec4s
  const LA = (bm * bk) / NT, LB = (bk * bn) / NT; // elements each thread loads per K block
  const inputs: ('f32')[] = hasAddend ? ['f32', 'f32', 'f32'] : ['f32', 'f32'];
  return {
    name: 'gemm_tiled',
    cacheKey: { hint: `b${batchRank}${hasAddend ? '+d' : ''}|${bm}x${bn}x${bk}_${tm}x${tn}${prefetch ? 'p' : ''}${sc ? 's' : ''}|${layouts.join('')}${act ? `|${act}` : ''}`, inputDependencies: inputs },
    bindings: { inputs, outputs: ['f32'] },
    uniformWords: words,
    getShaderSource: (h: ShaderHelper) => {
      const base = (k: number) => 3 + batchRank + k * per;
      const rs = (k: number) => `U(${base(k) + batchRank}u)`;
      const cs = (k: number) => `U(${base(k) + batchRank + 1}u)`;
      const alphaAt = 3 + batchRank + ops * per;
      const L: string[] = [];
      for (let k = 0; k < ops; k++) L.push(`  var off${k} = U(${base(k) + batchRank + 2}u);`);
      L.push('  var rem = wg.z;');
      for (let d = batchRank - 1; d >= 0; d--) {
        L.push(`  { let s = U(${3 + d}u); let c = rem % s; rem = rem / s;`);
        for (let k = 0; k < ops; k++) L.push(`    off${k} = off${k} + c * U(${base(k) + d}u);`);
        L.push('  }');
      }
      // Load element l of this thread's share of the A block (bm×bk) / B block (bk×bn): (row-in-block, k-in-block).
      // Threads run along the operand's contiguous dimension.
      const aCoord = (l: number): [string, string] =>
        layouts[0] === 'c' ? [`((li + ${l * NT}u) % ${bm}u)`, `((li + ${l * NT}u) / ${bm}u)`] : [`((li + ${l * NT}u) / ${bk}u)`, `((li + ${l * NT}u) % ${bk}u)`];
      const bCoord = (l: number): [string, string] =>
        layouts[1] === 'c' ? [`((li + ${l * NT}u) % ${bk}u)`, `((li + ${l * NT}u) / ${bk}u)`] : [`((li + ${l * NT}u) / ${bn}u)`, `((li + ${l * NT}u) % ${bn}u)`];
      const loadA = (l: number, k0: string) => {
        const [m, k] = aCoord(l);
        return `{ let m = ${m}; let k = ${k0} + ${k}; let gm = row0 + m; ra${l} = select(0.0, in0[off0 + min(gm, M - 1u) * rsA + min(k, K - 1u) * csA], gm < M && k < K); }`;
      };
      const loadB = (l: number, k0: string) => {
        const [k, n] = bCoord(l);
        return `{ let k = ${k0} + ${k}; let n = ${n}; let gn = col0 + n; rb${l} = select(0.0, in1[off1 + min(k, K - 1u) * rsB + min(gn, N - 1u) * csB], k < K && gn < N); }`;
      };
      const storeA = (l: number) => {
        const [m, k] = aCoord(l);
        return sc ? `As[${k} * ${SA * 4}u + ${m}] = ra${l};` : `{ let m = ${m}; As[${k} * ${SA}u + m / 4u][m % 4u] = ra${l}; }`;
      };
      const storeB = (l: number) => {
        const [k, n] = bCoord(l);
        return sc ? `Bs[${k} * ${SB * 4}u + ${n}] = rb${l};` : `{ let n = ${n}; Bs[${k} * ${SB}u + n / 4u][n % 4u] = rb${l}; }`;
      };
      const rangeN = (n: number) => Array.from({ length: n }, (_, i) => i);
      const TM4 = tm / 4, TN4 = tn / 4;
      const decl: string[] = [];
      for (let i = 0; i < tm; i++) for (let j = 0; j < TN4; j++) decl.push(`  var c${i}_${j} = vec4<f32>(0.0);`);
      const step: string[] = [];
      for (let k = 0; k < bk; k++) {
        step.push('    {');
        const vec = (arr: string, at: string) => (sc ? `vec4<f32>(${arr}[${at}], ${arr}[${at} + 1u], ${arr}[${at} + 2u], ${arr}[${at} + 3u])` : `${arr}[${at}]`);
        for (let i = 0; i < TM4; i++) step.push(`      let a${i} = ${vec('As', sc ? `(${k * SA}u + ty + ${i * WY}u) * 4u` : `${k * SA}u + ty + ${i * WY}u`)};`);
        for (let j = 0; j < TN4; j++) step.push(`      let b${j} = ${vec('Bs', sc ? `(${k * SB}u + tx + ${j * WX}u) * 4u` : `${k * SB}u + tx + ${j * WX}u`)};`);
        for (let i = 0; i < tm; i++) {
          const a = `a${Math.floor(i / 4)}.${'xyzw'[i % 4]}`;
          for (let j = 0; j < TN4; j++) step.push(`      c${i}_${j} = fma(vec4<f32>(${a}), b${j}, c${i}_${j});`);
        }
        step.push('    }');
      }
      const store: string[] = [];
      for (let i = 0; i < tm; i++) {
        const row = `row0 + (ty + ${Math.floor(i / 4) * WY}u) * 4u + ${i % 4}u`;
        store.push(`  { let r = ${row}; if (r < M) {`);
        for (let j = 0; j < TN4; j++) {
          for (let c = 0; c < 4; c++) {
            const col = `col0 + (tx + ${j * WX}u) * 4u + ${c}u`;
            const add = hasAddend ? ` + Uf(${alphaAt + 1}u) * in2[off3 + r * ${rs(3)} + n * ${cs(3)}]` : '';
            store.push(`    { let n = ${col}; if (n < N) { out0[off2 + r * ${rs(2)} + n * ${cs(2)}] = ${applyAct(act, `Uf(${alphaAt}u) * c${i}_${j}.${'xyzw'[c]}${add}`)}; } }`);
          }
        }
        store.push('  } }');
      }
      return `${h.prelude()}
${epilogueFn(act)}
var<workgroup> As: ${sc ? `array<f32, ${bk * SA * 4}>` : `array<vec4<f32>, ${bk * SA}>`};
var<workgroup> Bs: ${sc ? `array<f32, ${bk * SB * 4}>` : `array<vec4<f32>, ${bk * SB}>`};
@compute @workgroup_size(${NT})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let M = U(0u); let N = U(1u); let K = U(2u);
${L.join('\n')}
  let rsA = ${rs(0)}; let csA = ${cs(0)}; let rsB = ${rs(1)}; let csB = ${cs(1)};
  let tx = li % ${WX}u; let ty = li / ${WX}u;
  let row0 = wg.y * ${bm}u; let col0 = wg.x * ${bn}u;
${rangeN(LA).map((l) => `  var ra${l} = 0.0;`).join('\n')}\n${rangeN(LB).map((l) => `  var rb${l} = 0.0;`).join('\n')}
${decl.join('\n')}
${prefetch ? `${rangeN(LA).map((l) => `  ${loadA(l, '0u')}`).join('\n')}\n${rangeN(LB).map((l) => `  ${loadB(l, '0u')}`).join('\n')}` : ''}
  for (var k0 = 0u; k0 < K; k0 = k0 + ${bk}u) {
${prefetch ? '' : `${rangeN(LA).map((l) => `    ${loadA(l, 'k0')}`).join('\n')}\n${rangeN(LB).map((l) => `    ${loadB(l, 'k0')}`).join('\n')}`}
${rangeN(LA).map((l) => `    ${storeA(l)}`).join('\n')}
${rangeN(LB).map((l) => `    ${storeB(l)}`).join('\n')}
    workgroupBarrier();
${prefetch ? `    if (k0 + ${bk}u < K) {\n${rangeN(LA).map((l) => `      ${loadA(l, `k0 + ${bk}u`)}`).join('\n')}\n${rangeN(LB).map((l) => `      ${loadB(l, `k0 + ${bk}u`)}`).join('\n')}\n    }` : ''}
${step.join('\n')}
    workgroupBarrier();
  }
${store.join('\n')}
}`;
    },
  };
}
