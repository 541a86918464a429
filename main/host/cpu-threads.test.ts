// CPU kernel threads (Note [Kernel threads]): real worker threads over a shared
// memory. Calls big enough are cut across them (checked by the parts posted),
// the results are bit-identical to one thread and match a float64 product, a
// whole model gives the same output, and a dead worker is an error, not a hang.

import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NDArray, Storage, contiguousStrides } from '../../engine/core/ndarray';
import { CpuRuntime } from '../../engine/runtime/cpu/cpu-runtime';
import { type Epilogue, type Mat, GemmWorkspace } from '../../engine/runtime/cpu/gemm';
import { BACKOFF_CALLS, type KernelTeam, nextBackoff } from '../../engine/runtime/cpu/kernel-threads';
import { partsFor } from '../../engine/runtime/cpu/parallel-kernels';
import { convNd } from '../../engine/runtime/cpu/conv';
import { kernelContext, randArray, rng } from '../../engine/runtime/cpu/test-helpers';
import { frozenInputIndices, programInputs } from '../../engine/runtime/program';
import { loadPt2 } from '../../engine/serialize/read';
import { type HostCpuThreads, defaultCpuThreads, openCpuThreads, threadCountFromEnv } from './cpu-threads';

const r = rng(11);
const rand = (n: number) => Float32Array.from({ length: n }, () => r() * 2 - 1);
const teamOf = (ws: GemmWorkspace) => (ws.wasm as unknown as { team: KernelTeam }).team;

describe('partsFor', () => {
  it('cuts only when each part has enough work, and never into more parts than items or threads', () => {
    expect(partsFor(100, 1000, 4)).toBe(1); // 100k multiply-adds: one part
    expect(partsFor(100, 1 << 18, 4)).toBe(4);
    expect(partsFor(3, 1 << 20, 8)).toBe(3);
    expect(partsFor(2, 1 << 18, 1)).toBe(1);
  });
});

describe('backing off when the workers are late (Note [Busy cores])', () => {
  it('three late calls net of good ones make the caller run the next calls alone', () => {
    let b = { strikes: 0, calls: 0 };
    b = nextBackoff(b, 1, 2); // late
    b = nextBackoff(b, 1, 0.5); // on time: forgives one
    expect(b).toEqual({ strikes: 0, calls: 0 });
    b = nextBackoff(nextBackoff(b, 1, 3), 1, 3);
    expect(b).toEqual({ strikes: 2, calls: 0 });
    expect(nextBackoff(b, 1, 3)).toEqual({ strikes: 0, calls: BACKOFF_CALLS });
  });
  it('waits under 50 µs never count as late', () => {
    expect(nextBackoff({ strikes: 2, calls: 0 }, 0.001, 0.04)).toEqual({ strikes: 1, calls: 0 });
  });
});

describe('thread counts', () => {
  it('PT2_CPU_THREADS takes a whole number ≥ 1; anything else means the default', () => {
    expect(threadCountFromEnv('3')).toBe(3);
    expect(threadCountFromEnv('1')).toBe(1);
    for (const v of [undefined, '', '0', '-2', '1.5', 'many']) expect(threadCountFromEnv(v)).toBe(defaultCpuThreads());
    expect(defaultCpuThreads()).toBeGreaterThanOrEqual(1);
    expect(defaultCpuThreads()).toBeLessThanOrEqual(8);
  });
});

describe('CPU kernel threads', () => {
  let threads: HostCpuThreads;
  beforeAll(async () => {
    threads = (await openCpuThreads(3))!;
  }, 60_000);
  afterAll(async () => threads?.close());

  it('opens workers and refuses nonsense counts', async () => {
    expect(threads.workers).toBe(2);
    expect(threads.total).toBe(3);
    expect(await openCpuThreads(1)).toBeUndefined();
    await expect(openCpuThreads(0)).rejects.toThrow('threads must be a whole number ≥ 1, not 0');
  });

  // [M, N, K]: cut along N (B panels), along M (A panels), and the two GEMV kernels.
  const shapes: Array<[number, number, number, string]> = [
    [64, 200, 96, 'along N'],
    [301, 20, 130, 'along M'],
    [2051, 1, 257, 'gemv_a (N = 1)'],
    [1, 4099, 129, 'gemv_b (M = 1)'],
  ];
  const epilogues: Array<[string, ((add: Mat, M: number, N: number) => Epilogue) | undefined]> = [
    ['no epilogue', undefined],
    ['row bias + ReLU', (_a, M) => ({ addend: { data: rand(M), offset: 0, rs: 1, cs: 0 }, addendKey: {}, act: 'relu' })],
    ['column bias + GELU', (_a, _M, N) => ({ addend: { data: rand(N), offset: 0, rs: 0, cs: 1 }, addendKey: {}, act: 'gelu_tanh' })],
  ];
  for (const [M, N, K, how] of shapes)
    for (const [epName, ep] of epilogues)
      it(`${M}×${N}×${K} (${how}, ${epName}): same bits as one thread, and the float64 product`, () => {
        const one = new GemmWorkspace();
        const many = new GemmWorkspace({ threads });
        const a: Mat = { data: rand(M * K), offset: 0, rs: K, cs: 1 };
        const b: Mat = { data: rand(K * N), offset: 0, rs: N, cs: 1 };
        const epi = ep?.(a, M, N);
        const outs = [one, many].map((ws) => {
          const out = new Float32Array(M * N);
          ws.gemm({ M, N, K, a: { mat: a }, b: { mat: b, key: {} }, out, outOffset: 0, ldo: N, epilogue: epi });
          return out;
        });
        expect(teamOf(many).cuts).toBeGreaterThan(0);
        expect(Buffer.from(outs[1]!.buffer).equals(Buffer.from(outs[0]!.buffer))).toBe(true);
        for (let i = 0; i < M; i += 7)
          for (let j = 0; j < N; j += 5) {
            let s = 0;
            for (let k = 0; k < K; k++) s += a.data[i * K + k]! * b.data[k * N + j]!;
            if (epi?.addend) s += epi.addend.data[i * epi.addend.rs + j * epi.addend.cs]!;
            if (epi?.act === 'relu') s = Math.max(s, 0);
            if (epi?.act === 'gelu_tanh') s = 0.5 * s * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (s + 0.044715 * s ** 3)));
            const got = outs[1]![i * N + j]!;
            if (!(Math.abs(got - s) <= 1e-5 * (1 + K))) expect.fail(`(${i}, ${j}): ${got} != ${s}`);
          }
      });

  // [input, weight, stride, padding]: depthwise (groups = C, with a channel multiplier) and dense direct convs.
  const convs: Array<[number[], number[], number, number]> = [
    [[2, 72, 56, 56], [72, 1, 3, 3], 2, 1],
    [[1, 240, 14, 14], [240, 1, 5, 5], 1, 2],
    [[1, 30, 41, 37], [60, 1, 3, 3], 1, 1],
    [[2, 3, 64, 64], [22, 3, 3, 3], 2, 1],
    [[1, 16, 20, 20], [32, 16, 3, 3], 1, 1],
  ];
  for (const [xs, ws, s, p] of convs)
    it(`conv ${JSON.stringify(xs)} * ${JSON.stringify(ws)} stride ${s}: cut across threads, same bits as one thread`, () => {
      const x = randArray(xs, r), w = randArray(ws, r), b = randArray([ws[0]!], r);
      const groups = ws[1] === 1 && xs[1] !== 1 ? xs[1]! : 1;
      const one = kernelContext(), many = kernelContext({ threads });
      const run = (ctx: typeof one) => convNd(x, w, b, [s, s], [p, p], [1, 1], groups, ctx, { act: 'hardswish' })!.toFlat();
      const want = run(one), got = run(many);
      expect(teamOf(many.gemm).cuts).toBeGreaterThan(0);
      expect(got.length).toBe(want.length);
      expect(got.every((v, i) => Object.is(v, want[i]))).toBe(true);
    });

  it('workers run parts of a long call', () => {
    const ws = new GemmWorkspace({ threads });
    const n = 512;
    const out = new Float32Array(n * n);
    for (let i = 0; i < 3; i++) ws.gemm({ M: n, N: n, K: n, a: { mat: { data: rand(n * n), offset: 0, rs: n, cs: 1 } }, b: { mat: { data: rand(n * n), offset: 0, rs: n, cs: 1 } }, out, outOffset: 0, ldo: n });
    expect(teamOf(ws).byWorkers).toBeGreaterThan(0);
  });

  it('small calls stay on the calling thread', () => {
    const ws = new GemmWorkspace({ threads });
    const out = new Float32Array(16 * 16);
    ws.gemm({ M: 16, N: 16, K: 16, a: { mat: { data: rand(256), offset: 0, rs: 16, cs: 1 } }, b: { mat: { data: rand(256), offset: 0, rs: 16, cs: 1 } }, out, outOffset: 0, ldo: 16 });
    expect(teamOf(ws).cuts).toBe(0);
  });

  const MODELS = resolve(import.meta.dirname, '../../../shared/corpus/torch-2.11/models');
  it.skipIf(!existsSync(join(MODELS, 'mobilenet_v3_small.pt2')))('mobilenet_v3_small: the same output on 3 threads as on one, and torch\'s', () => {
    const ep = [...loadPt2(new Uint8Array(readFileSync(join(MODELS, 'mobilenet_v3_small.pt2')))).programs.values()][0]!;
    const raw = readFileSync(join(MODELS, 'mobilenet_v3_small.in0.float32.bin'));
    const x = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
    const inputs = programInputs(ep, [new NDArray(new Storage('float32', x), [1, 3, 224, 224], contiguousStrides([1, 3, 224, 224]))]);
    const run = (rt: CpuRuntime) => (((rt.run(inputs) as unknown[])[0] as NDArray).storage.data as Float32Array).slice();
    const many = new CpuRuntime(ep.graph, { frozenInputs: frozenInputIndices(ep), threads });
    const got = run(many);
    const want = run(new CpuRuntime(ep.graph, { frozenInputs: frozenInputIndices(ep) }));
    expect(Buffer.from(got.buffer).equals(Buffer.from(want.buffer))).toBe(true);
    const ref = readFileSync(join(MODELS, 'mobilenet_v3_small.out.float32.bin'));
    const torchOut = new Float32Array(ref.buffer.slice(ref.byteOffset, ref.byteOffset + ref.length));
    const scale = Math.max(...torchOut.map(Math.abs));
    expect(Math.max(...got.map((v, i) => Math.abs(v - torchOut[i]!))) / scale).toBeLessThan(1e-4);
  });
});

describe('CPU kernel threads that died', () => {
  it('a call that needs a dead worker fails with the reason instead of waiting', async () => {
    const threads = (await openCpuThreads(2))!;
    const ws = new GemmWorkspace({ threads });
    await threads.close();
    const [M, N, K] = [64, 512, 64];
    const call = () => ws.gemm({ M, N, K, a: { mat: { data: rand(M * K), offset: 0, rs: K, cs: 1 } }, b: { mat: { data: rand(K * N), offset: 0, rs: N, cs: 1 } }, out: new Float32Array(M * N), outOffset: 0, ldo: N });
    expect(call).toThrow('a CPU kernel thread has exited; rerun with --threads 1 to run without threads');
  }, 60_000);
});
