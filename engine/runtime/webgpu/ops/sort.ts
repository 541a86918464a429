// WebGPU sort, argsort and topk: a bitonic sorting network per row (the sorted
// dim moved last, rows padded to a power of two P) over (key, index) pairs in
// two work buffers: stages of distance below 512 in workgroup memory (one
// dispatch for rows up to 512), longer ones one dispatch per stage; then the
// first k pairs of each row are copied out as values and int64 indices.
//
// The order is total, so the result is stable: keys compare as torch's CPU
// comparator does (NaN after every number ascending, before them descending;
// -0 equals 0), equal keys by their original index, and the padding after
// everything. sort and sort.stable are therefore the same program (torch's CPU
// sort is stable either way). topk takes the first k of that order; torch's
// topk picks among equal values in an unspecified way, so only its values and
// the values at its indices are defined.

import { NDArray } from '../../../core/ndarray';
import { type GpuCtx, type GpuKernel } from '../gpu-kernels';
import { gpuStorage } from '../gpu-exec';
import { type ProgramInfo, type RunData, type ShaderHelper, Uniforms, gridFor } from '../program';
import { dataOperand } from './operands';

/** keys[r·P + p] = x[row r, p] (p < L), idx = p. Uniforms: total, L, P, shape[R], strides[R], offset (the sorted dim last). */
function sortInitProgram(R: number): ProgramInfo {
  return {
    name: 'sort_init',
    cacheKey: { hint: `r${R}`, inputDependencies: ['f32'] },
    bindings: { inputs: ['f32'], outputs: ['f32', 'i32'] },
    uniformWords: 3 + 2 * R + 1,
    getShaderSource: (h: ShaderHelper) => `${h.prelude()}
${h.offsetFn('xoff', R, 3, 3 + R, 3 + 2 * R)}
${h.main(`  if (idx >= U(0u)) { return; }
  let L = U(1u); let P = U(2u);
  let r = idx / P; let p = idx % P;
  out1[idx] = i32(p);
  out0[idx] = select(0.0, in0[xoff(r * L + min(p, L - 1u))], p < L);`)}`,
  };
}

/** WGSL `before(k1, i1, k2, i2, L)`: whether pair 1 sorts first; indices >= L are padding. */
const beforeFn = (descending: boolean): string => `fn isNan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn before(k1: f32, i1: i32, k2: f32, i2: i32, L: i32) -> bool {
  let pad1 = i1 >= L; let pad2 = i2 >= L;
  if (pad1 || pad2) { return select(pad2, i1 < i2, pad1 && pad2); }
  let n1 = isNan(k1); let n2 = isNan(k2);
  if (n1 || n2) { return select(${descending ? 'n1' : 'n2'}, i1 < i2, n1 && n2); }
  if (k1 == k2) { return i1 < i2; }
  return ${descending ? 'k1 > k2' : 'k1 < k2'};
}`;

/** One compare-exchange stage over global memory (block size k, distance j). Uniforms: total (rows·P/2), L, P, k, j. */
function sortStepProgram(descending: boolean): ProgramInfo {
  return {
    name: 'sort_step',
    cacheKey: { hint: descending ? 'desc' : 'asc', inputDependencies: [] },
    bindings: { inputs: [], outputs: ['f32', 'i32'] },
    uniformWords: 5,
    getShaderSource: (h: ShaderHelper) => `${h.prelude()}
${beforeFn(descending)}
${h.main(`  if (idx >= U(0u)) { return; }
  let L = i32(U(1u)); let P = U(2u); let k = U(3u); let j = U(4u);
  let half = P / 2u;
  let r = idx / half; let q = idx % half;
  let lo = (q / j) * 2u * j + (q % j);
  let a = r * P + lo; let b = a + j;
  let up = (lo & k) == 0u;
  let ka = out0[a]; let kb = out0[b]; let ia = out1[a]; let ib = out1[b];
  if (before(kb, ib, ka, ia, L) == up) {
    out0[a] = kb; out0[b] = ka; out1[a] = ib; out1[b] = ia;
  }`)}`,
  };
}

/** Elements one workgroup sorts in workgroup memory (two per thread). */
const CHUNK = 512;

/**
 * The stages whose distance is below the chunk size C (≤ CHUNK), in workgroup
 * memory: one workgroup per chunk of C pairs, block sizes blkLo..blkHi, each
 * from distance min(blk, C)/2 down to 1; the direction comes from the
 * row-relative position, so chunks of one row alternate as the network needs.
 * Uniforms: chunks, L, P, C, blkLo, blkHi.
 */
function sortLocalProgram(descending: boolean): ProgramInfo {
  const T = CHUNK / 2;
  return {
    name: 'sort_local',
    cacheKey: { hint: descending ? 'desc' : 'asc', inputDependencies: [] },
    bindings: { inputs: [], outputs: ['f32', 'i32'] },
    uniformWords: 6,
    getShaderSource: (h: ShaderHelper) => `${h.prelude()}
${beforeFn(descending)}
var<workgroup> sk: array<f32, ${CHUNK}>;
var<workgroup> si: array<i32, ${CHUNK}>;
@compute @workgroup_size(${T})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let chunk = wg.x + wg.y * nwg.x;
  if (chunk >= U(0u)) { return; }
  let L = i32(U(1u)); let P = U(2u); let C = U(3u);
  let perRow = P / C;
  let start = (chunk % perRow) * C;
  let base = (chunk / perRow) * P + start;
  let t = lid.x;
  for (var e = t; e < C; e = e + ${T}u) { sk[e] = out0[base + e]; si[e] = out1[base + e]; }
  workgroupBarrier();
  for (var blk = U(4u); blk <= U(5u); blk = blk * 2u) {
    for (var j = min(blk, C) / 2u; j >= 1u; j = j / 2u) {
      if (t < C / 2u) {
        let lo = (t / j) * 2u * j + (t % j);
        let hi = lo + j;
        let up = ((start + lo) & blk) == 0u;
        let ka = sk[lo]; let kb = sk[hi]; let ia = si[lo]; let ib = si[hi];
        if (before(kb, ib, ka, ia, L) == up) { sk[lo] = kb; sk[hi] = ka; si[lo] = ib; si[hi] = ia; }
      }
      workgroupBarrier();
    }
  }
  for (var e = t; e < C; e = e + ${T}u) { out0[base + e] = sk[e]; out1[base + e] = si[e]; }
}`,
  };
}

/**
 * Row r's first k pairs into contiguous outputs in x's dim order (i32 results
 * stay contiguous: the readback copies only f32 views). Uniforms: total
 * (rows·k), k, P, then the dim-last output shape[R], its strides in the
 * outputs[R] and 0 (offset).
 */
function sortOutProgram(R: number): ProgramInfo {
  return {
    name: 'sort_out',
    cacheKey: { hint: `r${R}`, inputDependencies: ['f32', 'i32'] },
    bindings: { inputs: ['f32', 'i32'], outputs: ['f32', 'i32'] },
    uniformWords: 4 + 2 * R,
    getShaderSource: (h: ShaderHelper) => `${h.prelude()}
${h.offsetFn('ooff', R, 3, 3 + R, 3 + 2 * R)}
${h.main(`  if (idx >= U(0u)) { return; }
  let k = U(1u);
  let src = (idx / k) * U(2u) + idx % k;
  let o = ooff(idx);
  out0[o] = in0[src];
  out1[o] = in1[src];`)}`,
  };
}

const run = (total: number, u: Uniforms): RunData => ({ uniforms: u.build(), workgroups: gridFor(total) });

/** The first `take` of each lane along `dim` in sorted order: [values, int64 indices], shaped like x with `take` along dim. */
export function sortRows(g: GpuCtx, x: unknown, dim: unknown, descending: boolean, take?: number): [NDArray, NDArray] | undefined {
  const data = dataOperand(g, x);
  if (!data || data.type !== 'f32' || typeof dim !== 'number' || data.t.ndim === 0 || data.t.numel === 0) return undefined;
  const t = data.t;
  const R = t.ndim;
  const d = dim < 0 ? dim + R : dim;
  const L = t.shape[d]!;
  const k = take ?? L;
  if (d < 0 || d >= R || k < 0 || k > L) return undefined;
  const perm = [...t.shape.keys()].filter((j) => j !== d).concat(d);
  const pShape = perm.map((j) => t.shape[j]!);
  const rows = t.numel / L;
  let P = 1;
  while (P < L) P *= 2;
  const exec = g.exec;
  const keys = exec.alloc([rows * P], 'f32');
  const order = exec.alloc([rows * P], 'i32', 'int64');
  exec.dispatch(sortInitProgram(R), [t], [keys, order], run(rows * P, new Uniforms().u(rows * P, L, P, ...pShape, ...perm.map((j) => t.strides[j]!), t.offset)));
  if (P > 1) {
    // Blocks up to the chunk size entirely in workgroup memory; larger ones take global
    // stages down to the chunk size, then finish in workgroup memory.
    const C = Math.min(P, CHUNK);
    const chunks = (rows * P) / C;
    const local = sortLocalProgram(descending);
    const localRun = (lo: number, hi: number): RunData => ({ uniforms: new Uniforms().u(chunks, L, P, C, lo, hi).build(), workgroups: gridFor(chunks, 1) });
    exec.dispatch(local, [], [keys, order], localRun(2, C));
    const step = sortStepProgram(descending);
    for (let blk = 2 * C; blk <= P; blk *= 2) {
      for (let j = blk / 2; j >= C; j /= 2) exec.dispatch(step, [], [keys, order], run((rows * P) / 2, new Uniforms().u((rows * P) / 2, L, P, blk, j)));
      exec.dispatch(local, [], [keys, order], localRun(blk, blk));
    }
  }
  const shape = [...t.shape];
  shape[d] = k;
  const values = exec.alloc(shape, 'f32');
  const indices = exec.alloc(shape, 'i32', 'int64');
  const oShape = [...pShape.slice(0, -1), k];
  const total = rows * k;
  exec.dispatch(sortOutProgram(R), [keys, order], [values, indices], run(total, new Uniforms().u(total, Math.max(k, 1), P, ...oShape, ...perm.map((j) => values.strides[j]!), 0)));
  exec.recycle(gpuStorage(keys));
  exec.recycle(gpuStorage(order));
  return [values, indices];
}

const flag = (v: unknown, dflt: boolean): boolean => (v == null ? dflt : Boolean(v));

/** argsort: the indices; the values' buffer goes back to the pool. */
function indicesOnly(g: GpuCtx, r: [NDArray, NDArray] | undefined): NDArray | undefined {
  if (r) g.exec.recycle(gpuStorage(r[0]));
  return r?.[1];
}

export const SORT_KERNELS: ReadonlyArray<readonly [string, GpuKernel]> = [
  ['aten.sort.default', ([x, dim, desc], g) => sortRows(g, x, dim ?? -1, flag(desc, false))],
  ['aten.sort.stable', ([x, , dim, desc], g) => sortRows(g, x, dim ?? -1, flag(desc, false))],
  ['aten.argsort.default', ([x, dim, desc], g) => indicesOnly(g, sortRows(g, x, dim ?? -1, flag(desc, false)))],
  ['aten.argsort.stable', ([x, , dim, desc], g) => indicesOnly(g, sortRows(g, x, dim ?? -1, flag(desc, false)))],
  ['aten.topk.default', ([x, k, dim, largest], g) => (typeof k === 'number' ? sortRows(g, x, dim ?? -1, flag(largest, true), k) : undefined)],
];
