// Row-wise programs for WebGPU: layer norm (mean, rstd and output per row),
// softmax along any dim of a contiguous tensor, and the attention softmax (rows of
// scores with an optional bool/additive mask read through broadcast strides, and
// the causal triangle). One invocation per row; two passes for statistics.

import { type ProgramInfo, type RunData, Uniforms, gridFor, memoProgram } from '../program';

/** Uniforms: rows, N, x offset, w offset, b offset, eps. Outputs: y, mean, rstd. */
export function layerNormProgram(hasWeight: boolean, hasBias: boolean): ProgramInfo {
  const inputs: Array<'f32'> = ['f32'];
  if (hasWeight) inputs.push('f32');
  if (hasBias) inputs.push('f32');
  const wIn = 'in1';
  const bIn = hasWeight ? 'in2' : 'in1';
  return memoProgram(`layer_norm|${hasWeight}|${hasBias}`, () => ({
    name: 'layer_norm',
    cacheKey: { hint: `${hasWeight ? 'w' : ''}${hasBias ? 'b' : ''}`, inputDependencies: inputs },
    bindings: { inputs, outputs: ['f32', 'f32', 'f32'] },
    uniformWords: 6,
    getShaderSource: (h) =>
      `${h.prelude()}
${h.main(`  if (idx >= U(0u)) { return; }
  let N = U(1u);
  let base = U(2u) + idx * N;
  var s = 0.0;
  for (var i = 0u; i < N; i = i + 1u) { s = s + in0[base + i]; }
  let mean = s / f32(N);
  var v = 0.0;
  for (var i = 0u; i < N; i = i + 1u) { let d = in0[base + i] - mean; v = v + d * d; }
  let rstd = inverseSqrt(v / f32(N) + Uf(5u));
  for (var i = 0u; i < N; i = i + 1u) {
    var y = (in0[base + i] - mean) * rstd;
    ${hasWeight ? `y = y * ${wIn}[U(3u) + i];` : ''}
    ${hasBias ? `y = y + ${bIn}[U(4u) + i];` : ''}
    out0[idx * N + i] = y;
  }
  out1[idx] = mean;
  out2[idx] = rstd;`)}`,
  }));
}

export function layerNormRun(rows: number, N: number, xOffset: number, wOffset: number, bOffset: number, eps: number): RunData {
  return { uniforms: new Uniforms().u(rows, N, xOffset, wOffset, bOffset).f(eps).build(), workgroups: gridFor(rows) };
}

/** Softmax along a dim of a contiguous input: uniforms outer·inner, L, inner, offset. */
export function softmaxProgram(): ProgramInfo {
  return memoProgram('softmax', () => ({
    name: 'softmax',
    cacheKey: { hint: '', inputDependencies: ['f32'] },
    bindings: { inputs: ['f32'], outputs: ['f32'] },
    uniformWords: 4,
    getShaderSource: (h) =>
      `${h.prelude()}
${h.main(`  if (idx >= U(0u)) { return; }
  let L = U(1u); let inner = U(2u);
  let o = idx / inner; let i = idx % inner;
  let base = o * L * inner + i;
  var m = NEG_INF();
  for (var l = 0u; l < L; l = l + 1u) { m = max(m, in0[U(3u) + base + l * inner]); }
  var s = 0.0;
  for (var l = 0u; l < L; l = l + 1u) { let e = exp(in0[U(3u) + base + l * inner] - m); out0[base + l * inner] = e; s = s + e; }
  for (var l = 0u; l < L; l = l + 1u) { out0[base + l * inner] = out0[base + l * inner] / s; }`)}`,
  }));
}

export function softmaxRun(outer: number, L: number, inner: number, offset: number): RunData {
  return { uniforms: new Uniforms().u(outer * inner, L, inner, offset).build(), workgroups: gridFor(outer * inner) };
}

/**
 * In-place softmax over rows of attention scores [batch..., L, S] (contiguous),
 * after masking. mask: 'none' | 'bool' (0 → -inf) | 'add'. Uniforms: rows, L, S,
 * causal, batch shape[br], mask batch strides[br], mask row stride, col stride, offset.
 */
export function attentionSoftmaxProgram(batchRank: number, mask: 'none' | 'bool' | 'add'): ProgramInfo {
  const words = 4 + 2 * batchRank + 3;
  return {
    name: 'attention_softmax',
    cacheKey: { hint: `b${batchRank}${mask}`, inputDependencies: mask === 'none' ? [] : ['f32'] },
    bindings: { inputs: mask === 'none' ? [] : ['f32'], outputs: ['f32'] },
    uniformWords: words,
    getShaderSource: (h) => {
      const dec: string[] = [];
      for (let d = batchRank - 1; d >= 0; d--) dec.push(`  { let s = U(${4 + d}u); let c = rem % s; rem = rem / s; moff = moff + c * U(${4 + batchRank + d}u); }`);
      const mrs = 4 + 2 * batchRank;
      const apply =
        mask === 'bool'
          ? `if (in0[moff + i * U(${mrs}u) + j * U(${mrs + 1}u)] == 0.0) { x = NEG_INF(); }`
          : mask === 'add'
            ? `x = x + in0[moff + i * U(${mrs}u) + j * U(${mrs + 1}u)];`
            : '';
      return `${h.prelude()}
${h.main(`  if (idx >= U(0u)) { return; }
  let L = U(1u); let S = U(2u); let causal = U(3u) != 0u;
  let i = idx % L;
  var rem = idx / L;
  var moff = U(${mrs + 2}u);
${dec.join('\n')}
  let base = idx * S;
  let NEG = NEG_INF();
  var m = NEG;
  for (var j = 0u; j < S; j = j + 1u) {
    var x = out0[base + j];
    ${apply}
    if (causal && j > i) { x = NEG; }
    out0[base + j] = x;
    m = max(m, x);
  }
  if (m == NEG) { for (var j = 0u; j < S; j = j + 1u) { out0[base + j] = 0.0; } return; }
  var s = 0.0;
  for (var j = 0u; j < S; j = j + 1u) { let e = exp(out0[base + j] - m); out0[base + j] = e; s = s + e; }
  for (var j = 0u; j < S; j = j + 1u) { out0[base + j] = out0[base + j] / s; }`)}`;
    },
  };
}

export function attentionSoftmaxRun(rows: number, L: number, S: number, causal: boolean, batch: readonly number[], maskStrides: readonly number[] | undefined, maskOffset: number): RunData {
  const nb = batch.length;
  const u = new Uniforms().u(rows, L, S, causal ? 1 : 0).u(...batch);
  if (maskStrides) u.u(...maskStrides.slice(0, nb)).u(maskStrides[nb]!, maskStrides[nb + 1]!, maskOffset);
  else u.u(...new Array<number>(nb + 2).fill(0), 0);
  return { uniforms: u.build(), workgroups: gridFor(rows) };
}

/** embedding: out[r, d] = weight[idx[r]·ws0 + d·ws1]; uniforms total, D, ws0, ws1, w offset, idx offset. */
export function embeddingProgram(): ProgramInfo {
  return memoProgram('embedding', () => ({
    name: 'embedding',
    cacheKey: { hint: '', inputDependencies: ['f32r2', 'i32'] },
    bindings: { inputs: ['f32', 'i32'], outputs: ['f32'] },
    uniformWords: 6,
    getShaderSource: (h) =>
      `${h.prelude()}
${h.main(`  if (idx >= U(0u)) { return; }
  let D = U(1u);
  let r = idx / D; let d = idx % D;
  let row = u32(in1[U(5u) + r]);
  out0[idx] = in0[U(4u) + row * U(2u) + d * U(3u)];`)}`,
  }));
}

export function embeddingRun(rows: number, D: number, ws: readonly number[], wOffset: number, iOffset: number): RunData {
  return { uniforms: new Uniforms().u(rows * D, D, ws[0]!, ws[1]!, wOffset, iOffset).build(), workgroups: gridFor(rows * D) };
}
