// WebGPU programs for indexed reads and writes: one addressing scheme serves
// index_select, gather, index.Tensor (reads) and scatter, index_put (writes).
//
// Note [Indexed addressing]
// Every element i of an iteration shape (rank R, row-major) names one element
// of a strided "target" tensor (the data for reads, the destination for writes):
//   target offset = offset + Σ_d c_d·eff_d + Σ_k wrap(idx_k[at_k(i)])·stride_k
// where c is i's coordinate, eff the target's strides over the iteration dims
// (0 where a dim is chosen by an index tensor), and at_k(i) = off_k + Σ_d c_d·s_kd
// reads index tensor k through its own (broadcast) strides. Negative indices
// wrap by the indexed dim's size; out-of-range ones are clamped (the CPU kernel
// raises instead; a GPU cannot). Which dims are indexed, broadcast or kept is
// all in the uniforms, so the cache key holds only R, K, the element type and
// the mode.
//
// Note [Deterministic scatter]
// Several elements may name the same destination. The CPU kernels write in
// row-major order, so the last writer wins; on the GPU a 'claim' pass keeps the
// largest writer per destination (atomicMax into an i32 buffer filled with -1),
// and the 'write' pass lets only that writer store. When the indices are on
// the host and name distinct targets (checked there, cheaply), one 'store'
// pass writes without the claim. Accumulation adds
// atomically (a compare-exchange loop over the f32 bits; atomicAdd for i32):
// the sum is the same up to rounding order.

import { type ElemType, type ProgramInfo, type RunData, type ShaderHelper, Uniforms, gridFor } from '../program';

/** One index tensor of Note [Indexed addressing]. */
export interface IndexOperand {
  /** Strides over the iteration dims (0 where it broadcasts). */
  readonly strides: readonly number[];
  readonly offset: number;
  /** Size of the indexed dim (for wrapping). */
  readonly size: number;
  /** The target's stride along the indexed dim. */
  readonly stride: number;
}

/** Words of the shared layout: total, shape[R], eff[R], offset, then per index strides[R], offset, size, stride. */
const addrWords = (R: number, K: number): number => 1 + 2 * R + 1 + K * (R + 3);

/** WGSL `fn addr(i: u32) -> u32` per Note [Indexed addressing]; index tensor k is binding `idxNames[k]`. */
function addrFn(R: number, idxNames: readonly string[]): string {
  const K = idxNames.length;
  const effAt = 1 + R, offAt = 1 + 2 * R;
  const idxAt = (k: number) => offAt + 1 + k * (R + 3);
  const lines = ['fn addr(i: u32) -> u32 {', '  var rem = i;', `  var off = U(${offAt}u);`];
  for (let k = 0; k < K; k++) lines.push(`  var p${k} = U(${idxAt(k) + R}u);`);
  for (let d = R - 1; d >= 0; d--) {
    const terms = [`off = off + c * U(${effAt + d}u);`];
    for (let k = 0; k < K; k++) terms.push(`p${k} = p${k} + c * U(${idxAt(k) + d}u);`);
    lines.push(`  { let c = rem % U(${1 + d}u); rem = rem / U(${1 + d}u); ${terms.join(' ')} }`);
  }
  for (let k = 0; k < K; k++) {
    const b = idxAt(k) + R;
    lines.push(`  { let n = Ui(${b + 1}u); var v = ${idxNames[k]}[p${k}]; if (v < 0) { v = v + n; } v = clamp(v, 0, max(n - 1, 0)); off = off + u32(v) * U(${b + 2}u); }`);
  }
  lines.push('  return off;', '}');
  return lines.join('\n');
}

function addrUniforms(u: Uniforms, shape: readonly number[], eff: readonly number[], offset: number, idx: readonly IndexOperand[]): Uniforms {
  const total = shape.reduce((a, b) => a * b, 1);
  u.u(total, ...shape.map((s) => Math.max(s, 1)), ...eff, offset);
  for (const k of idx) u.u(...k.strides, k.offset).i(k.size).u(k.stride);
  return u;
}

/** out[i] = data[addr(i)] (contiguous out). Inputs: data, then the K index tensors (i32). */
export function gatherProgram(R: number, K: number, t: ElemType): ProgramInfo {
  const idxNames = Array.from({ length: K }, (_, k) => `in${k + 1}`);
  return {
    name: 'index_gather',
    cacheKey: { hint: `r${R}k${K}${t}`, inputDependencies: [t, ...idxNames.map(() => 'i32')] },
    bindings: { inputs: [t, ...idxNames.map((): ElemType => 'i32')], outputs: [t] },
    uniformWords: addrWords(R, K),
    getShaderSource: (h: ShaderHelper) => `${h.prelude()}
${addrFn(R, idxNames)}
${h.main(`  if (idx >= U(0u)) { return; }
  out0[idx] = in0[addr(idx)];`)}`,
  };
}

export function gatherRun(shape: readonly number[], eff: readonly number[], offset: number, idx: readonly IndexOperand[]): RunData {
  const u = addrUniforms(new Uniforms(), shape, eff, offset, idx);
  return { uniforms: u.build(), workgroups: gridFor(shape.reduce((a, b) => a * b, 1)) };
}

/** 'store': every element writes (targets known distinct); 'write': only the claimed winner. */
export type ScatterMode = 'claim' | 'write' | 'store' | 'add';

/**
 * Indexed writes (Note [Deterministic scatter]). The value is a tensor read at
 * val offset + Σ c_d·vs_d, or a scalar word. Inputs: [value tensor], the K
 * index tensors, [winners for 'write']. Output: the destination ('claim': the
 * winners). Extra words after the address: value strides[R], value offset, scalar.
 */
export function scatterProgram(R: number, K: number, t: ElemType, mode: ScatterMode, valueTensor: boolean): ProgramInfo {
  const hasVal = valueTensor && mode !== 'claim';
  const inputs: ElemType[] = [];
  if (hasVal) inputs.push(t);
  const idxNames = Array.from({ length: K }, (_, k) => `in${inputs.length + k}`);
  for (let k = 0; k < K; k++) inputs.push('i32');
  const winner = `in${inputs.length}`;
  if (mode === 'write') inputs.push('i32');
  const outType: ElemType = mode === 'claim' ? 'i32' : t;
  const base = addrWords(R, K);
  const valueExpr = hasVal ? 'in0[vo]' : t === 'f32' ? `Uf(${base + R + 1}u)` : `Ui(${base + R + 1}u)`;
  const voLines = [`var vo = U(${base + R}u);`, '{ var rem = idx;'];
  for (let d = R - 1; d >= 0; d--) voLines.push(`  { let c = rem % U(${1 + d}u); rem = rem / U(${1 + d}u); vo = vo + c * U(${base + d}u); }`);
  voLines.push('}');
  let body: string;
  if (mode === 'claim') body = 'atomicMax(&out0[a], i32(idx));';
  else if (mode === 'write') body = `${voLines.join('\n  ')}\n  if (${winner}[a] == i32(idx)) { out0[a] = ${valueExpr}; }`;
  else if (mode === 'store') body = `${voLines.join('\n  ')}\n  out0[a] = ${valueExpr};`;
  else if (t === 'i32') body = `${voLines.join('\n  ')}\n  atomicAdd(&out0[a], ${valueExpr});`;
  else
    body = `${voLines.join('\n  ')}
  let v = ${valueExpr};
  var old = atomicLoad(&out0[a]);
  loop {
    let r = atomicCompareExchangeWeak(&out0[a], old, bitcast<u32>(bitcast<f32>(old) + v));
    if (r.exchanged) { break; }
    old = r.old_value;
  }`;
  const atomic = mode === 'claim' || mode === 'add';
  const atomicType = mode === 'add' && t === 'f32' ? 'atomic<u32>' : 'atomic<i32>';
  return {
    name: 'index_scatter',
    cacheKey: { hint: `r${R}k${K}${t}${mode}${hasVal ? 'v' : 's'}`, inputDependencies: inputs },
    bindings: { inputs, outputs: [outType] },
    uniformWords: base + R + 2,
    getShaderSource: (h: ShaderHelper) => {
      let pre = h.prelude();
      // Atomic destinations: the same buffer, declared with an atomic element type.
      if (atomic) pre = pre.replace(/(var<storage, read_write> out0: )array<\w+>;/, `$1array<${atomicType}>;`);
      return `${pre}
${addrFn(R, idxNames)}
${h.main(`  if (idx >= U(0u)) { return; }
  let a = addr(idx);
  ${body}`)}`;
    },
  };
}

export function scatterRun(
  shape: readonly number[],
  eff: readonly number[],
  offset: number,
  idx: readonly IndexOperand[],
  value: { strides: readonly number[]; offset: number } | undefined,
  scalar: number,
  t: ElemType,
): RunData {
  const u = addrUniforms(new Uniforms(), shape, eff, offset, idx);
  u.u(...(value?.strides ?? shape.map(() => 0)), value?.offset ?? 0);
  if (t === 'f32') u.f(scalar);
  else u.i(scalar);
  return { uniforms: u.build(), workgroups: gridFor(shape.reduce((a, b) => a * b, 1)) };
}

/** out0[i] = the i32 word 1, for i < total. */
export function fillI32Program(): ProgramInfo {
  return {
    name: 'fill_i32',
    cacheKey: { hint: '', inputDependencies: [] },
    bindings: { inputs: [], outputs: ['i32'] },
    uniformWords: 2,
    getShaderSource: (h) => `${h.prelude()}
${h.main(`  if (idx >= U(0u)) { return; }
  out0[idx] = Ui(1u);`)}`,
  };
}

export function fillI32Run(total: number, value: number): RunData {
  return { uniforms: new Uniforms().u(total).i(value).build(), workgroups: gridFor(total) };
}
