// The register-blocked GEMM (ops/matmul.ts, Note [Tiled GEMM]) in every tile
// shape, against a float64 product on the host: sizes that are not multiples of
// any tile, row-major / transposed / generally strided operands, broadcast batch
// strides, an addend with alpha and beta, and a strided output.

import { describe, expect, it } from 'vitest';
import { NDArray, Storage } from '../../core/ndarray';
import { rng } from '../cpu/test-helpers';
import { useTestDevice } from '../../../testing/webgpu';
import { GpuExecutor } from './gpu-exec';
import { GEMM_TILES, type MatOperand, chooseGemmTile, gemmDispatch } from './ops/matmul';

const testGpu = useTestDevice();
const { gpuIt } = testGpu;



/** A flat host buffer of `n` random values in [-1, 1). */
function randomFlat(n: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
}

const flatArray = (data: Float32Array): NDArray => new NDArray(new Storage('float32', data), [data.length], [1], 0);

interface Case {
  M: number;
  N: number;
  K: number;
  batch: number[];
  a: MatOperand;
  b: MatOperand;
  d?: MatOperand;
  alpha: number;
  beta: number;
}

/** An operand layout over a buffer: 'r' row-major, 'c' transposed, 'g' both strides > 1 (padded rows, every other column). */
function operand(kind: 'r' | 'c' | 'g', rows: number, cols: number, batchStride: number, offset: number): { m: MatOperand } {
  const m =
    kind === 'r' ? { rs: cols, cs: 1 } : kind === 'c' ? { rs: 1, cs: rows } : { rs: 2 * cols + 3, cs: 2 };
  const one = (rows - 1) * m.rs + (cols - 1) * m.cs + 1;
  return { m: { batchStrides: batchStride < 0 ? [0] : [Math.max(one, batchStride)], rs: m.rs, cs: m.cs, offset } };
}

/** C = alpha·A·B + beta·D in float64, read through the same strides. */
function reference(c: Case, A: Float32Array, B: Float32Array, D: Float32Array | undefined, out: MatOperand): Map<number, number> {
  const got = new Map<number, number>();
  const nb = c.batch.reduce((x, y) => x * y, 1);
  for (let z = 0; z < nb; z++) {
    const oa = c.a.offset + z * (c.a.batchStrides[0] ?? 0), ob = c.b.offset + z * (c.b.batchStrides[0] ?? 0);
    for (let i = 0; i < c.M; i++)
      for (let j = 0; j < c.N; j++) {
        let s = 0;
        for (let k = 0; k < c.K; k++) s += A[oa + i * c.a.rs + k * c.a.cs]! * B[ob + k * c.b.rs + j * c.b.cs]!;
        let v = c.alpha * s;
        if (c.d && D) v += c.beta * D[c.d.offset + z * (c.d.batchStrides[0] ?? 0) + i * c.d.rs + j * c.d.cs]!;
        got.set(out.offset + z * (out.batchStrides[0] ?? 0) + i * out.rs + j * out.cs, v);
      }
  }
  return got;
}

async function runCase(exec: GpuExecutor, c: Case, tileName: string | undefined, seed: number): Promise<number> {
  const A = randomFlat(c.a.offset + (c.a.batchStrides[0] ?? 0) * (c.batch[0]! - 1) + (c.M - 1) * c.a.rs + (c.K - 1) * c.a.cs + 1, seed);
  const B = randomFlat(c.b.offset + (c.b.batchStrides[0] ?? 0) * (c.batch[0]! - 1) + (c.K - 1) * c.b.rs + (c.N - 1) * c.b.cs + 1, seed + 1);
  const D = c.d ? randomFlat(c.d.offset + (c.d.batchStrides[0] ?? 0) * (c.batch[0]! - 1) + (c.M - 1) * c.d.rs + (c.N - 1) * c.d.cs + 1, seed + 2) : undefined;
  // Output: column-major inside each batch, with a gap between batches.
  const out: MatOperand = { batchStrides: [c.M * c.N + 5], rs: 1, cs: c.M, offset: 3 };
  const outLen = out.offset + out.batchStrides[0]! * c.batch[0]!;
  const ga = exec.upload(flatArray(A), 'f32', false);
  const gb = exec.upload(flatArray(B), 'f32', false);
  const inputs = [ga, gb];
  if (D) inputs.push(exec.upload(flatArray(D), 'f32', false));
  const go = exec.alloc([outLen]);
  const tile = tileName ? GEMM_TILES[tileName] : undefined;
  const { program, run } = gemmDispatch(c.M, c.N, c.K, c.batch, c.a, c.b, out, c.d, c.alpha, c.beta, tile);
  expect(program.name).toBe(tile ? 'gemm_tiled' : 'gemm');
  exec.dispatch(program, inputs, [go], run);
  const [res] = await exec.finish([go]);
  let worst = 0;
  for (const [at, v] of reference(c, A, B, D, out)) worst = Math.max(worst, Math.abs(res![at]! - v) / Math.max(1, Math.abs(v)));
  exec.recycle(go.storage as never);
  return worst;
}

describe('tiled WebGPU GEMM', () => {
  const layouts = [
    ['r', 'r'],
    ['r', 'c'],
    ['c', 'r'],
    ['g', 'c'],
  ] as const;
  // Each layout pair is a pipeline of its own, and SwiftShader compiles the
  // unrolled large tiles slowly: every tile shape gets one pair in rotation, the
  // tile the runtime picks for mid-sized products gets all of them.
  Object.keys(GEMM_TILES).forEach((tileName, t) => {
    const pairs = tileName === 't64x64x16p' ? layouts : [layouts[t % layouts.length]!];
    gpuIt(`${tileName}: odd sizes, ${pairs.map((p) => p.join('')).join('/')} operands, batch, addend`, async () => {
      const exec = new GpuExecutor(testGpu.dev!.device);
      let seed = 10 + t;
      for (const [la, lb] of pairs) {
        const M = 133, N = 71, K = 45;
        const a = operand(la, M, K, M * K + 7, 2);
        const b = operand(lb, K, N, -1, 1); // B broadcast over the batch
        const d: MatOperand = { batchStrides: [0], rs: N + 2, cs: 1, offset: 1 }; // padded rows, shared by the batch
        const c: Case = { M, N, K, batch: [2], a: a.m, b: b.m, d, alpha: 0.5, beta: 2 };
        expect(await runCase(exec, c, tileName, seed++)).toBeLessThan(1e-5);
      }
      exec.destroy();
    });
  });

  gpuIt('the small kernel and the tile the runtime picks agree with the reference', async () => {
    const exec = new GpuExecutor(testGpu.dev!.device);
    for (const [M, N, K] of [
      [7, 5, 3],
      [300, 260, 40],
      [96, 80, 33],
    ] as const) {
      const a = operand('r', M, K, 0, 0), b = operand('c', K, N, 0, 0);
      const c: Case = { M, N, K, batch: [1], a: a.m, b: b.m, alpha: 1, beta: 0 };
      const tile = chooseGemmTile(M, N, K);
      const name = tile ? Object.keys(GEMM_TILES).find((k) => GEMM_TILES[k] === tile) : undefined;
      expect(await runCase(exec, c, name, M)).toBeLessThan(1e-5);
    }
    exec.destroy();
  });
});

describe('chooseGemmTile', () => {
  it('keeps small products on the 16×16 kernel and large ones on 128×128 blocks', () => {
    expect(chooseGemmTile(16, 64, 64)).toBeUndefined();
    expect(chooseGemmTile(4096, 4096, 4096)).toBe(GEMM_TILES.t128x128x16);
    expect(chooseGemmTile(256, 256, 64)).toBe(GEMM_TILES.t64x64x16p);
  });
});
