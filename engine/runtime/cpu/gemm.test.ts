// The blocked GEMM (WebAssembly SIMD and TypeScript kernels) against a float64
// triple loop: odd sizes, strided and transposed operands, packed-and-cached
// operands, row-major and im2col-style B, every epilogue (GELU-tanh included),
// biases cached under a key.

import { describe, expect, it } from 'vitest';
import { type Epilogue, type Mat, GemmWorkspace } from './gemm';
import { MR, NR } from './wasm-kernels';
import { rng } from './test-helpers';

const r = rng(7);
const rand = (n: number) => Float32Array.from({ length: n }, () => r());

/** A as strided matrix: 'n' row-major, 't' stored transposed, 's' every other column at an offset. */
function layout(M: number, N: number, kind: 'n' | 't' | 's'): { mat: Mat; at: (i: number, j: number) => number } {
  if (kind === 'n') {
    const d = rand(M * N);
    return { mat: { data: d, offset: 0, rs: N, cs: 1 }, at: (i, j) => d[i * N + j]! };
  }
  if (kind === 't') {
    const d = rand(M * N);
    return { mat: { data: d, offset: 0, rs: 1, cs: M }, at: (i, j) => d[j * M + i]! };
  }
  const d = rand(M * (2 * N + 1) + 3);
  return { mat: { data: d, offset: 3, rs: 2 * N + 1, cs: 2 }, at: (i, j) => d[3 + i * (2 * N + 1) + 2 * j]! };
}

function check(ws: GemmWorkspace, M: number, N: number, K: number, ka: 'n' | 't' | 's', kb: 'n' | 't' | 's', ep?: (add: Mat) => Epilogue, cache = false) {
  const A = layout(M, K, ka);
  const B = layout(K, N, kb);
  const addData = rand(M * N);
  const add: Mat = { data: addData, offset: 0, rs: N, cs: 1 };
  const epi = ep?.(add);
  const out = new Float32Array(M * N + 5).fill(NaN);
  const key = cache ? {} : undefined;
  for (let rep = 0; rep < (cache ? 2 : 1); rep++)
    ws.gemm({ M, N, K, a: { mat: A.mat, key }, b: { mat: B.mat, key: cache ? {} : undefined }, out, outOffset: 2, ldo: N, epilogue: epi });
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += A.at(i, k) * B.at(k, j);
      s *= epi?.alpha ?? 1;
      if (epi?.addend && (epi.beta ?? 1) !== 0) {
        const m = epi.addend;
        s += (epi.beta ?? 1) * m.data[m.offset + i * m.rs + j * m.cs]!;
      }
      if (epi?.act === 'relu') s = Math.max(s, 0);
      if (epi?.act === 'hardswish') s = (s * Math.min(Math.max(s + 3, 0), 6)) / 6;
      if (epi?.act === 'gelu_tanh') s = 0.5 * s * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (s + 0.044715 * s * s * s)));
      const got = out[2 + i * N + j]!;
      if (!(Math.abs(got - s) <= 1e-5 * (1 + K))) expect.fail(`${M}x${N}x${K} ${ka}${kb} (${i}, ${j}): ${got} != ${s}`);
    }
  expect(out[0]).toBeNaN();
  expect(out[M * N + 2]).toBeNaN();
}

for (const wasm of [true, false])
  describe(`GEMM (${wasm ? 'WebAssembly SIMD when available' : 'TypeScript kernel'})`, () => {
    const ws = new GemmWorkspace({ wasm });
    // Includes matrix-vector shapes (M = 1, N = 1: the GEMV kernels) with odd K.
    const sizes: Array<[number, number, number]> = [[1, 1, 1], [4, 8, 1], [5, 9, 3], [13, 17, 29], [33, 7, 64], [7, 70, 5], [64, 64, 64], [1, 37, 19], [1, 8, 2], [29, 1, 33], [6, 1, 2]];
    it('matches float64 on odd sizes and every operand layout', () => {
      for (const [M, N, K] of sizes) for (const ka of ['n', 't', 's'] as const) for (const kb of ['n', 't', 's'] as const) check(ws, M, N, K, ka, kb);
    });
    it('cached (packed once) operands give the same result on reuse', () => {
      for (const [M, N, K] of sizes) check(ws, M, N, K, 'n', 't', undefined, true);
    });
    it('epilogues: row/column bias, full addend with alpha/beta, ReLU, hardswish', () => {
      for (const [M, N, K] of sizes) {
        check(ws, M, N, K, 'n', 'n', (a) => ({ addend: { ...a, cs: 0 } }));
        check(ws, M, N, K, 'n', 'n', (a) => ({ addend: { ...a, rs: 0 }, act: 'relu' }));
        check(ws, M, N, K, 't', 'n', (a) => ({ addend: { ...a, cs: 0 }, act: 'hardswish' }));
        check(ws, M, N, K, 'n', 's', (a) => ({ addend: a, alpha: 0.5, beta: 2 }));
        check(ws, M, N, K, 'n', 'n', () => ({ act: 'relu' }));
      }
    });
    it('every bias mode (none, per row, per column) with every activation, both panel orders', () => {
      const acts = [undefined, 'relu', 'hardswish', 'gelu_tanh'] as const;
      // N < M walks A panels outermost (order 1), else B panels (order 0); K = 1 and odd K too.
      for (const [M, N, K] of [[13, 17, 29], [33, 7, 64], [9, 40, 1], [16, 24, 64]] as const)
        for (const act of acts) {
          check(ws, M, N, K, 'n', 'n', () => ({ act }));
          check(ws, M, N, K, 'n', 't', (a) => ({ addend: { ...a, cs: 0 }, act, addendKey: {} }));
          check(ws, M, N, K, 't', 'n', (a) => ({ addend: { ...a, rs: 0 }, act }), true);
        }
    });
    if (wasm)
      it('gemm_panels over a sub-range of B or A panels writes exactly that part of C (the split of a parallel run)', () => {
        const kern = ws.wasm;
        if (!kern) return;
        const mp = 3, np = 5, K = 37, ldc = np * NR;
        const { buf, pos } = ws.scratch(mp * MR * K + np * NR * K + 2 * mp * MR * ldc + mp * MR + np * NR);
        const pa = pos, pb = pa + mp * MR * K, pc = pb + np * NR * K, pBias = pc + mp * MR * ldc, pGuard = pBias + Math.max(mp * MR, np * NR);
        for (let i = pa; i < pc; i++) buf[i] = r() - 0.5;
        for (const biasMode of [0, 1, 2])
          for (const act of [0, 1, 3]) {
            for (let i = 0; i < Math.max(mp * MR, np * NR); i++) buf[pBias + i] = r() - 0.5;
            // float64 reference from the packed layouts
            const want = new Float64Array(mp * MR * ldc);
            for (let i = 0; i < mp * MR; i++)
              for (let j = 0; j < ldc; j++) {
                let x = biasMode === 1 ? buf[pBias + i]! : biasMode === 2 ? buf[pBias + j]! : 0;
                for (let k = 0; k < K; k++) x += buf[pa + ((i / MR) | 0) * MR * K + k * MR + (i % MR)]! * buf[pb + ((j / NR) | 0) * NR * K + k * NR + (j % NR)]!;
                if (act === 1) x = Math.max(x, 0);
                if (act === 3) x = 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
                want[i * ldc + j] = x;
              }
            const splits: Array<[number, number, boolean]> = [[0, 2, false], [2, 5, false], [1, 3, false], [0, 1, true], [1, 3, true]];
            for (const order of [0, 1])
              for (const [lo, hi, overA] of splits) {
                if (overA && hi > mp) continue;
                buf.fill(NaN, pc, pc + mp * MR * ldc);
                buf.fill(-7, pGuard, pGuard + mp * MR); // past C: must stay untouched
                const ja = overA ? 0 : lo, ia = overA ? lo : 0;
                kern.gemmPanels(
                  (pa + ia * MR * K) * 4, (pb + ja * NR * K) * 4, (pc + ia * MR * ldc + ja * NR) * 4,
                  overA ? hi - lo : mp, overA ? np : hi - lo, K, ldc * 4, order, NR * K * 4, NR * 4, biasMode,
                  (pBias + (biasMode === 1 ? ia * MR : biasMode === 2 ? ja * NR : 0)) * 4, act,
                );
                for (let i = 0; i < mp * MR; i++)
                  for (let j = 0; j < ldc; j++) {
                    const inside = overA ? i >= lo * MR && i < hi * MR : j >= lo * NR && j < hi * NR;
                    const got = buf[pc + i * ldc + j]!;
                    if (!inside) {
                      if (!Number.isNaN(got)) expect.fail(`bias ${biasMode} act ${act} [${lo}, ${hi}) ${overA ? 'A' : 'B'}: wrote (${i}, ${j})`);
                    } else if (!(Math.abs(got - want[i * ldc + j]!) <= 1e-5 * (1 + K))) expect.fail(`bias ${biasMode} act ${act} (${i}, ${j}): ${got} != ${want[i * ldc + j]}`);
                  }
                for (let i = 0; i < mp * MR; i++) expect(buf[pGuard + i]).toBe(-7);
              }
          }
      });
    it('activations propagate NaN from the product (GEMM and both matrix-vector kernels)', () => {
      // Row `bad` of C is NaN; [1, N] and [M, 1] run the gemv kernels.
      for (const [M, N, K, bad] of [[6, 10, 3, 2], [1, 10, 3, 0], [6, 1, 3, 4]] as const) {
        const A = rand(M * K), B = rand(K * N);
        A[bad * K + 1] = NaN;
        for (const act of ['relu', 'hardswish', 'gelu_tanh'] as const) {
          const out = new Float32Array(M * N);
          ws.gemm({ M, N, K, a: { mat: { data: A, offset: 0, rs: K, cs: 1 } }, b: { mat: { data: B, offset: 0, rs: N, cs: 1 } }, out, outOffset: 0, ldo: N, epilogue: { act } });
          for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) expect(Number.isNaN(out[i * N + j]!), `${M}x${N} ${act} (${i}, ${j})`).toBe(i === bad);
        }
      }
    });
    it('GELU-tanh epilogue (with and without bias, over the tanh range and its saturation)', () => {
      for (const [M, N, K] of sizes) {
        check(ws, M, N, K, 'n', 't', (a) => ({ addend: { ...a, rs: 0 }, act: 'gelu_tanh' }), true);
        check(ws, M, N, K, 's', 'n', () => ({ act: 'gelu_tanh' }));
      }
      // Large products: x³ dominates, e^z saturates to 0 or clamps.
      const M = 9, N = 17, K = 3;
      const A = Float32Array.from({ length: M * K }, (_, i) => (i % 7) * 4 - 12);
      const B = Float32Array.from({ length: K * N }, (_, i) => ((i % 5) - 2) * 1.5);
      const out = new Float32Array(M * N);
      ws.gemm({ M, N, K, a: { mat: { data: A, offset: 0, rs: K, cs: 1 } }, b: { mat: { data: B, offset: 0, rs: N, cs: 1 } }, out, outOffset: 0, ldo: N, epilogue: { act: 'gelu_tanh' } });
      for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
        let x = 0;
        for (let k = 0; k < K; k++) x += A[i * K + k]! * B[k * N + j]!;
        const want = 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
        expect(Math.abs(out[i * N + j]! - want)).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(x)));
      }
    });
    it('GELU-tanh epilogue over a dense sweep of x (tails, tanh clamp, tiny values) stays within a few f32 ulps', () => {
      const xs = [0, 1e-30, -1e-30, 1e-6, -1e-6];
      for (let x = -20; x <= 20; x += 0.003) xs.push(Math.fround(x));
      const M = xs.length, N = 8, K = 1;
      const out = new Float32Array(M * N);
      // C = x·1: one depth step, so C is x exactly.
      ws.gemm({ M, N, K, a: { mat: { data: Float32Array.from(xs), offset: 0, rs: 1, cs: 1 } }, b: { mat: { data: new Float32Array(N).fill(1), offset: 0, rs: N, cs: 1 } }, out, outOffset: 0, ldo: N, epilogue: { act: 'gelu_tanh' } });
      let worst = 0;
      xs.forEach((x, i) => {
        const want = 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
        for (let j = 0; j < N; j++) worst = Math.max(worst, Math.abs(out[i * N + j]! - want) / Math.max(1, Math.abs(x)));
      });
      expect(worst).toBeLessThan(4e-7);
    });
    it('a bias cached under addendKey is staged once per view and reused', () => {
      const M = 7, N = 13, K = 10;
      const A = rand(M * K), B = rand(K * N), bias = rand(2 * N + 3);
      const key = {};
      const ref = (off: number, st: number) => {
        const o = new Float32Array(M * N);
        for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
          let x = bias[off + j * st]!;
          for (let k = 0; k < K; k++) x += A[i * K + k]! * B[k * N + j]!;
          o[i * N + j] = x;
        }
        return o;
      };
      // Two views of the same keyed storage (different offset / stride) must not share a staged copy.
      for (const [off, st] of [[0, 1], [3, 2], [0, 1], [3, 2]] as const) {
        const out = new Float32Array(M * N);
        ws.gemm({ M, N, K, a: { mat: { data: A, offset: 0, rs: K, cs: 1 } }, b: { mat: { data: B, offset: 0, rs: N, cs: 1 } }, out, outOffset: 0, ldo: N, epilogue: { addend: { data: bias, offset: off, rs: 0, cs: st }, addendKey: key } });
        const want = ref(off, st);
        for (let i = 0; i < M * N; i++) expect(out[i]).toBeCloseTo(want[i]!, 4);
      }
    });
    it('K = 0 gives the epilogue of zeros', () => {
      check(ws, 3, 5, 0, 'n', 'n', (a) => ({ addend: { ...a, rs: 0 }, act: 'relu' }));
    });
    it('B written by a row writer (im2col style)', () => {
      const M = 6, N = 11, K = 4;
      const A = rand(M * K);
      const out = new Float32Array(M * N);
      ws.gemm({ M, N, K, a: { mat: { data: A, offset: 0, rs: K, cs: 1 } }, b: { rows: (buf, pos, ldb) => { for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) buf[pos + k * ldb + j] = k + j; } }, out, outOffset: 0, ldo: N });
      for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += A[i * K + k]! * (k + j);
        expect(out[i * N + j]).toBeCloseTo(s, 4);
      }
    });
      it('B rows scaled per row (bRowScale), copied or written by a row writer', () => {
      for (const [M, N, K] of [[5, 9, 3], [13, 1, 29], [1, 20, 7], [8, 49, 40]] as const) {
        const A = rand(M * K), B = rand(K * N), sc = rand(2 * K);
        const want = new Float64Array(M * N);
        for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) for (let k = 0; k < K; k++) want[i * N + j] += A[i * K + k]! * B[k * N + j]! * sc[2 * k + 1]!;
        const a = { mat: { data: A, offset: 0, rs: K, cs: 1 } };
        const bRowScale = { data: sc, offset: 1, stride: 2 };
        const outs = [new Float32Array(M * N), new Float32Array(M * N)];
        ws.gemm({ M, N, K, a, b: { mat: { data: B, offset: 0, rs: N, cs: 1 } }, out: outs[0]!, outOffset: 0, ldo: N, bRowScale });
        ws.gemm({ M, N, K, a, b: { rows: (buf, pos, ldb) => { for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) buf[pos + k * ldb + j] = B[k * N + j]!; } }, out: outs[1]!, outOffset: 0, ldo: N, bRowScale });
        for (const out of outs) for (let i = 0; i < M * N; i++) expect(out[i]).toBeCloseTo(want[i]!, 4);
      }
    });
  });
