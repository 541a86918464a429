// Batched GEMM for WebGPU: C[b] = alpha·A[b]·B[b] + beta·D[b], every operand
// read and written through its own strides (transposed weights, broadcast batch
// dims and the attention output's query-ordered layout cost nothing), 16×16
// output tiles with the K loop staged through workgroup memory. mm, addmm, bmm,
// linear, matmul, 1×1 convolutions and attention all lower to it.

import { type ProgramInfo, type RunData, type ShaderHelper, Uniforms } from '../program';

const T = 16;

/** A strided matrix operand: batch strides (one per batch dim), row and column strides, offset. */
export interface MatOperand {
  readonly batchStrides: readonly number[];
  readonly rs: number;
  readonly cs: number;
  readonly offset: number;
}

/**
 * Uniform words: M, N, K, batch shape[br], then for A, B, C (and D when present)
 * batch strides[br], rs, cs, offset; then alpha, beta.
 */
export function gemmProgram(batchRank: number, hasAddend: boolean): ProgramInfo {
  const per = batchRank + 3;
  const ops = hasAddend ? 4 : 3;
  const words = 3 + batchRank + ops * per + 2;
  return {
    name: 'gemm',
    cacheKey: { hint: `b${batchRank}${hasAddend ? '+d' : ''}`, inputDependencies: hasAddend ? ['f32', 'f32', 'f32'] : ['f32', 'f32'] },
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
    out0[off2 + row * ${rs(2)} + col * ${cs(2)}] = v;
  }
}`;
    },
  };
}

/** Out-of-range reads are guarded by select(); clamp the index so no read leaves the buffer. */
export function gemmRun(M: number, N: number, K: number, batch: readonly number[], a: MatOperand, b: MatOperand, c: MatOperand, d: MatOperand | undefined, alpha: number, beta: number): RunData {
  const u = new Uniforms().u(M, N, K).u(...batch);
  for (const m of d ? [a, b, c, d] : [a, b, c]) u.u(...m.batchStrides).u(m.rs, m.cs, m.offset);
  u.f(alpha, beta);
  const nb = batch.reduce((x, y) => x * y, 1);
  return { uniforms: u.build(), workgroups: [Math.ceil(N / T), Math.ceil(M / T), nb] };
}
