// Convolution and pooling programs for WebGPU (NCHW, f32). The direct conv
// computes one output per invocation over its group's channels and taps (dense,
// grouped, depthwise, strided, dilated, padded alike); 1×1 stride-1 convolutions
// are routed to the GEMM instead (see webgpu-runtime.ts). Pooling: mean over
// H·W (adaptive average pool to 1×1, mean.dim([-1, -2])) and max pool.

import { type ProgramInfo, type RunData, type ShaderHelper, Uniforms, gridFor, memoProgram } from '../program';
import { type EpilogueAct, applyAct, epilogueFn } from './epilogue';

/**
 * Uniforms: total, N, C, H, W, Cout, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw,
 * groups, x strides[4], x offset, w offset, bias offset, bias stride. `act` is
 * applied to each output (an epilogue).
 */
export function conv2dProgram(hasBias: boolean, act?: EpilogueAct): ProgramInfo {
  return memoProgram(`conv2d|${hasBias}|${act ?? ''}`, () => ({
    name: 'conv2d',
    cacheKey: { hint: `${hasBias ? 'bias' : 'nobias'}${act ? `|${act}` : ''}`, inputDependencies: hasBias ? ['f32r4', 'f32r4', 'f32r1'] : ['f32r4', 'f32r4'] },
    bindings: { inputs: hasBias ? ['f32', 'f32', 'f32'] : ['f32', 'f32'], outputs: ['f32'] },
    uniformWords: 26,
    getShaderSource: (h: ShaderHelper) =>
      `${h.prelude()}
${epilogueFn(act)}
${h.main(`  if (idx >= U(0u)) { return; }
  let C = U(2u); let H = U(3u); let W = U(4u); let Cout = U(5u); let OH = U(6u); let OW = U(7u);
  let KH = U(8u); let KW = U(9u); let sh = U(10u); let sw = U(11u); let ph = i32(U(12u)); let pw = i32(U(13u));
  let dh = U(14u); let dw = U(15u); let groups = U(16u);
  let ox = idx % OW; let oy = (idx / OW) % OH; let co = (idx / (OW * OH)) % Cout; let n = idx / (OW * OH * Cout);
  let Cg = C / groups; let Mg = Cout / groups; let g = co / Mg;
  var acc = 0.0;
  for (var cl = 0u; cl < Cg; cl = cl + 1u) {
    let ci = g * Cg + cl;
    let xBase = U(21u) + n * U(17u) + ci * U(18u);
    let wBase = U(22u) + (co * Cg + cl) * KH * KW;
    for (var ky = 0u; ky < KH; ky = ky + 1u) {
      let iy = i32(oy * sh + ky * dh) - ph;
      if (iy < 0 || iy >= i32(H)) { continue; }
      for (var kx = 0u; kx < KW; kx = kx + 1u) {
        let ix = i32(ox * sw + kx * dw) - pw;
        if (ix < 0 || ix >= i32(W)) { continue; }
        acc = acc + in0[xBase + u32(iy) * U(19u) + u32(ix) * U(20u)] * in1[wBase + ky * KW + kx];
      }
    }
  }
  ${hasBias ? 'acc = acc + in2[U(23u) + co * U(24u)];' : ''}
  out0[idx] = ${applyAct(act, 'acc')};`)}`,
  }));
}

export interface ConvGeometry {
  N: number; C: number; H: number; W: number; Cout: number; OH: number; OW: number; KH: number; KW: number;
  sh: number; sw: number; ph: number; pw: number; dh: number; dw: number; groups: number;
}

export function conv2dRun(g: ConvGeometry, xStrides: readonly number[], xOffset: number, wOffset: number, bias: { offset: number; stride: number } | undefined): RunData {
  const total = g.N * g.Cout * g.OH * g.OW;
  const u = new Uniforms()
    .u(total, g.N, g.C, g.H, g.W, g.Cout, g.OH, g.OW, g.KH, g.KW, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.groups)
    .u(...xStrides)
    .u(xOffset, wOffset, bias?.offset ?? 0, bias?.stride ?? 0, 0);
  return { uniforms: u.build(), workgroups: gridFor(total) };
}

/** Mean over the last `inner` elements of each of `rows` rows of a contiguous input. Uniforms: rows, inner, offset. */
/**
 * Mean of each contiguous row (global average pooling): one workgroup of 64
 * threads a row, each summing a strided share, then a tree in workgroup memory.
 * Uniforms: rows, row length, offset, workgroups along x.
 */
export function rowMeanProgram(): ProgramInfo {
  return memoProgram('row_mean', () => ({
    name: 'row_mean',
    cacheKey: { hint: 'wg64', inputDependencies: ['f32'] },
    bindings: { inputs: ['f32'], outputs: ['f32'] },
    uniformWords: 4,
    getShaderSource: (h) =>
      `${h.prelude()}
var<workgroup> part: array<f32, 64>;
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let row = wg.x + wg.y * U(3u);
  let L = U(1u);
  var s = 0.0;
  if (row < U(0u)) {
    let base = U(2u) + row * L;
    for (var i = li; i < L; i = i + 64u) { s = s + in0[base + i]; }
  }
  part[li] = s;
  workgroupBarrier();
  for (var w = 32u; w > 0u; w = w / 2u) {
    if (li < w) { part[li] = part[li] + part[li + w]; }
    workgroupBarrier();
  }
  if (li == 0u && row < U(0u)) { out0[row] = part[0] / f32(L); }
}`,
  }));
}

export function rowMeanRun(rows: number, inner: number, offset: number): RunData {
  const [x, y] = gridFor(rows, 1);
  return { uniforms: new Uniforms().u(rows, inner, offset, x).build(), workgroups: [x, y, 1] };
}

/** max_pool2d: uniforms total, C, H, W, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw, x strides[4], x offset. */
export function maxPoolProgram(): ProgramInfo {
  return memoProgram('max_pool2d', () => ({
    name: 'max_pool2d',
    cacheKey: { hint: '', inputDependencies: ['f32r4'] },
    bindings: { inputs: ['f32'], outputs: ['f32'] },
    uniformWords: 19,
    getShaderSource: (h) =>
      `${h.prelude()}
${h.main(`  if (idx >= U(0u)) { return; }
  let C = U(1u); let H = U(2u); let W = U(3u); let OH = U(4u); let OW = U(5u);
  let ox = idx % OW; let oy = (idx / OW) % OH; let c = (idx / (OW * OH)) % C; let n = idx / (OW * OH * C);
  let base = U(18u) + n * U(14u) + c * U(15u);
  var m = NEG_INF();
  for (var ky = 0u; ky < U(6u); ky = ky + 1u) {
    let iy = i32(oy * U(8u) + ky * U(12u)) - i32(U(10u));
    if (iy < 0 || iy >= i32(H)) { continue; }
    for (var kx = 0u; kx < U(7u); kx = kx + 1u) {
      let ix = i32(ox * U(9u) + kx * U(13u)) - i32(U(11u));
      if (ix < 0 || ix >= i32(W)) { continue; }
      let v = in0[base + u32(iy) * U(16u) + u32(ix) * U(17u)];
      if (v > m || v != v) { m = v; }
    }
  }
  out0[idx] = m;`)}`,
  }));
}

export function maxPoolRun(N: number, C: number, H: number, W: number, OH: number, OW: number, k: readonly number[], s: readonly number[], p: readonly number[], d: readonly number[], xs: readonly number[], xo: number): RunData {
  const total = N * C * OH * OW;
  return { uniforms: new Uniforms().u(total, C, H, W, OH, OW, k[0]!, k[1]!, s[0]!, s[1]!, p[0]!, p[1]!, d[0]!, d[1]!).u(...xs).u(xo).build(), workgroups: gridFor(total) };
}
