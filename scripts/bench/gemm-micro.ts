// A/B micro-benchmark of the CPU GEMM on gpt2_tiny's shapes (and mobilenet's
// 1×1-conv shapes) through the real GemmWorkspace API: frozen weights packed
// once and cached, a column bias cached under its key, GELU and residual
// epilogues as the fused graph uses them. Prints min-of-rounds µs and GMAC/s,
// for the whole gemm() call and for the bare gemm_panels kernel.
//
//   npx tsx scripts/bench/gemm-micro.ts
//   BASE=/tmp/gemm-base npx tsx scripts/bench/gemm-micro.ts   # A/B against another checkout's engine/
//
// With BASE (a directory holding an engine/ tree, e.g. from
// `git archive HEAD engine | tar -x -C /tmp/gemm-base`) both versions run in
// this process, their rounds interleaved, so noise from other load hits both.

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type GemmActivation, type GemmCall, type GemmWorkspace } from '../../engine/runtime/cpu/gemm';
import { rng } from '../../engine/runtime/cpu/test-helpers';

interface Shape {
  readonly name: string;
  readonly M: number;
  readonly K: number;
  readonly N: number;
  /** 'rows': B given as K×N row-major (addmm's weight); 'trans': as an N×K weight read transposed (linear). */
  readonly b: 'rows' | 'trans';
  readonly bias: boolean;
  readonly act?: GemmActivation;
  readonly residual?: boolean;
  /** B not frozen (a 1×1 conv's input: plain rows), A frozen (the conv weight). */
  readonly conv?: boolean;
}

const SHAPES: Shape[] = [
  { name: 'qkv     16×64·64×192 +b', M: 16, K: 64, N: 192, b: 'rows', bias: true },
  { name: 'attn-o  16×64·64×64 +b+res', M: 16, K: 64, N: 64, b: 'rows', bias: true, residual: true },
  { name: 'fc      16×64·64×256 +b gelu', M: 16, K: 64, N: 256, b: 'rows', bias: true, act: 'gelu_tanh' },
  { name: 'proj    16×256·256×64 +b+res', M: 16, K: 256, N: 64, b: 'rows', bias: true, residual: true },
  { name: 'lm-head 16×64·(1000×64)ᵀ', M: 16, K: 64, N: 1000, b: 'trans', bias: false },
  { name: 'conv1x1 576×96·96×49 +b hs', M: 576, K: 96, N: 49, b: 'rows', bias: true, act: 'hardswish', conv: true },
  { name: 'conv1x1 72×16·16×3136 +b hs', M: 72, K: 16, N: 3136, b: 'rows', bias: true, act: 'hardswish', conv: true },
];

type WsCtor = new (opts?: { wasm?: boolean }) => GemmWorkspace;

/** One runnable case per version: the whole gemm() call and the bare kernel over the same panel counts. */
function makeCase(Ws: WsCtor, s: Shape, MR: number, NR: number) {
  const r = rng(3);
  const rand = (n: number) => Float32Array.from({ length: n }, () => r() - 0.5);
  const { M, K, N } = s;
  const ws = new Ws();
  const aData = rand(M * K), bData = rand(K * N), biasData = rand(s.conv ? M : N), res = rand(M * N);
  const out = new Float32Array(M * N);
  const aKey = s.conv ? aData : undefined;
  const bKey = s.conv ? undefined : bData;
  const call: GemmCall = {
    M, N, K,
    a: { mat: { data: aData, offset: 0, rs: K, cs: 1 }, key: aKey },
    b: { mat: s.b === 'rows' ? { data: bData, offset: 0, rs: N, cs: 1 } : { data: bData, offset: 0, rs: 1, cs: K }, key: bKey },
    out, outOffset: 0, ldo: N,
    epilogue: s.bias
      ? { addend: s.conv ? { data: biasData, offset: 0, rs: 1, cs: 0 } : { data: biasData, offset: 0, rs: 0, cs: 1 }, act: s.act, addendKey: biasData }
      : { act: s.act },
    residual: s.residual ? { data: res, offset: 0 } : undefined,
  };
  const whole = () => ws.gemm(call);
  // The bare kernel: packed A and B panels and C in scratch (values irrelevant), column bias, same act.
  const mp = Math.ceil(M / MR), np = Math.ceil(N / NR);
  const { buf, pos } = ws.scratch(mp * MR * K + np * NR * K + mp * MR * np * NR + np * NR + 64);
  const pa = pos, pb = pa + mp * MR * K, pc = pb + np * NR * K, pBias = pc + mp * MR * np * NR;
  buf.fill(0.25, pa, pBias + np * NR);
  const actCode = { none: 0, relu: 1, hardswish: 2, gelu_tanh: 3 }[s.act ?? 'none'];
  const kern = ws.wasm!;
  const kernel = () => kern.gemmPanels(pa * 4, pb * 4, pc * 4, mp, np, K, np * NR * 4, N < M ? 1 : 0, K * NR * 4, NR * 4, s.bias ? 2 : 0, pBias * 4, actCode);
  return { whole, kernel, out };
}

async function load(root: string) {
  const g = (await import(pathToFileURL(resolve(root, 'engine/runtime/cpu/gemm.ts')).href)) as { GemmWorkspace: WsCtor };
  const k = (await import(pathToFileURL(resolve(root, 'engine/runtime/cpu/wasm-kernels.ts')).href)) as { MR: number; NR: number };
  return { Ws: g.GemmWorkspace, MR: k.MR, NR: k.NR };
}

const ROUNDS = Number(process.env.ROUNDS ?? 40);
const only = process.env.ONLY;
const versions: Array<[string, Awaited<ReturnType<typeof load>>]> = [['new', await load(resolve(import.meta.dirname, '../..'))]];
if (process.env.BASE) versions.unshift(['base', await load(process.env.BASE)]);

for (const s of SHAPES) {
  if (only && !s.name.includes(only)) continue;
  const cases = versions.map(([label, v]) => ({ label, ...makeCase(v.Ws, s, v.MR, v.NR) }));
  // Results must agree between versions (same inputs): a cheap sanity check of the A/B.
  for (const c of cases) c.whole();
  const ref = cases[0]!.out;
  for (const c of cases.slice(1)) {
    let maxd = 0;
    for (let i = 0; i < ref.length; i++) maxd = Math.max(maxd, Math.abs(ref[i]! - c.out[i]!));
    if (!(maxd < 1e-4)) console.log(`  !! ${c.label} differs from ${cases[0]!.label} by ${maxd}`);
  }
  const reps = Math.max(1, Math.round(2e5 / (s.M * s.N * s.K / 1000)));
  for (const c of cases)
    for (let i = 0; i < 20 * reps; i++) {
      c.whole();
      c.kernel();
    }
  const best = cases.map(() => ({ whole: Infinity, kernel: Infinity }));
  for (let round = 0; round < ROUNDS; round++)
    cases.forEach((c, ci) => {
      for (const which of ['whole', 'kernel'] as const) {
        const fn = c[which];
        const t0 = performance.now();
        for (let i = 0; i < reps; i++) fn();
        best[ci]![which] = Math.min(best[ci]![which], (performance.now() - t0) / reps);
      }
    });
  const macs = s.M * s.N * s.K;
  const line = cases.map((c, ci) => {
    const b = best[ci]!;
    return `${c.label}: ${(b.whole * 1000).toFixed(2).padStart(6)} µs ${(macs / b.whole / 1e6).toFixed(1).padStart(5)} GMAC/s (kernel ${(b.kernel * 1000).toFixed(2).padStart(6)} µs ${(macs / b.kernel / 1e6).toFixed(1).padStart(5)})`;
  });
  console.log(`${s.name.padEnd(30)} ${line.join('  |  ')}`);
}
