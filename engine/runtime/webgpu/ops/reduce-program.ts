// One reduction program for WebGPU, specialised by kind: every output element
// (a "row") reduces the elements of the input that share its kept-dim index. The
// input is read through strides: a row's base offset decodes the row index over
// the kept dims, an element's offset decodes its index over the reduced dims
// (both coalesced on the host, so ranks stay small). A row is reduced by one
// workgroup (threads stride over the row, then a tree in workgroup memory) or,
// for many short rows, by one invocation. Few long rows are split: a first
// dispatch reduces chunks of each row into partials (see ReduceGeometry.split),
// a second reduces or merges the partials.
//
// Float sums are compensated (Neumaier), in each thread and in the tree, so long
// rows keep close to torch's double accumulation. max/min propagate NaN, arg
// reductions keep the first index on ties (the first NaN wins). var/std, batch
// and group norm take the mean first and then the squared deviations from it (two
// passes over the row, as the CPU kernels do); split, each chunk gives (count,
// mean, M2) and the chunks merge by Chan's formula. Row-writing kinds
// (log_softmax, batch/group norm) write every element back through the output's
// strides.
//
// Note [Reduce uniform layout]
// words 0 rows, 1 row length, 2 x offset, 3 zero, 4..5 f32 scalars, 6..7 u32
// scalars (a split pass: chunks per row, chunk length), 8..15 (offset, stride)
// of the per-channel parameters w, b, running mean, running var; 16..17 u32
// scalars (gn: groups, channels per group); from 18: kept sizes, kept x strides,
// kept out strides, reduced sizes, reduced x strides, reduced out strides.

import { type ElemType, type ProgramInfo, type RunData, Uniforms, gridFor } from '../program';

export type ReduceKind =
  | 'sum' | 'prod' | 'max' | 'min' | 'argmax' | 'argmin' | 'any' | 'all' | 'var' | 'std' | 'lse' | 'norm' | 'log_softmax' | 'bn' | 'gn'
  // Split statistics: per-chunk (count, mean, M2) triples, then their merge (Chan et al.) into var/std or batch-norm statistics.
  | 'moments' | 'var_merge' | 'std_merge' | 'bn_merge'
  // Split log-sum-exp: per-chunk (max, sum of exp from the chunk's shift), then their merge.
  | 'lse_part' | 'lse_merge';
export type NormOrd = 'inf' | '-inf' | '0' | '1' | '2' | 'p';

export interface ReduceSpec {
  readonly kind: ReduceKind;
  /** Element type of the input binding. */
  readonly inType: ElemType;
  /** Element type of the accumulator and the (first) output: sum/prod/cumulative kinds may differ from inType. */
  readonly accType: ElemType;
  readonly ord?: NormOrd;
  /** argmax/argmin: also write the values (max.dim / min.dim), values first. */
  readonly values?: boolean;
  /** argmax/argmin over a split pass's winners: indices read from a second (i32) input. */
  readonly gather?: boolean;
  /** lse_merge for log_softmax: a row whose maximum is infinite or NaN gives NaN, as x - max - log(sum) does. */
  readonly softmax?: boolean;
  /** bn / gn: which per-channel parameters are bound (in this order after the input). */
  readonly params?: { readonly w: boolean; readonly b: boolean; readonly rm: boolean; readonly rv: boolean };
  /** bn: 'train' (batch statistics), 'running' (also update running stats), 'eval' (use the running stats). */
  readonly bnMode?: 'train' | 'running' | 'eval';
}

export interface ReduceGeometry {
  readonly keptRank: number;
  readonly redRank: number;
  /** One invocation per row (short rows) instead of one workgroup. */
  readonly perThread: boolean;
  /**
   * First pass of a split reduction (few long rows): "row" r reduces chunk r % S
   * (U(6) = S chunks of U(7) elements) of row r / S into a partial; a second
   * dispatch reduces the partials. Only for kinds whose partials reduce by the same kind.
   */
  readonly split?: boolean;
}

export const REDUCE_WG = 64;
const HEADER = 18;

const WGSL_HELPERS = `fn isnan_(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn fin_(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }
fn nz_(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) != 0u; }
fn POS_INF() -> f32 { return bitcast<f32>(0x7f800000u | (U(0u) & 0u)); }
fn maxn_(a: f32, b: f32) -> f32 { if (isnan_(a)) { return a; } if (isnan_(b) || b > a) { return b; } return a; }
fn minn_(a: f32, b: f32) -> f32 { if (isnan_(a)) { return a; } if (isnan_(b) || b < a) { return b; } return a; }
fn powp_(a: f32, p: f32) -> f32 { if (isnan_(a)) { return a; } if (a == 0.0) { return select(0.0, POS_INF(), p < 0.0); } return pow(a, p); }
fn nerr_(s: f32, v: f32, t: f32) -> f32 { if (!fin_(t)) { return 0.0; } return select((v - t) + s, (s - t) + v, abs(s) >= abs(v)); }
fn sqrt_(x: f32) -> f32 { if (isnan_(x)) { return x; } return sqrt(x); }
fn exp_(x: f32) -> f32 { if (isnan_(x)) { return x; } if (x < -104.0) { return 0.0; } return exp(x); }
fn log_(x: f32) -> f32 { if (isnan_(x)) { return x; } if (x == 0.0) { return -POS_INF(); } return log(x); }
fn div_(a: f32, d: f32) -> f32 { if (d > 0.0) { return a / d; } if (a > 0.0) { return POS_INF(); } return a * NAN(); }`;

/** (kind-independent) row-major offset of flat index `i` over `rank` sizes at `shapeAt` with strides at `stridesAt`, plus the word at `offsetAt`. */
function offsetFn(name: string, rank: number, shapeAt: number, stridesAt: number, offsetAt: number): string {
  const lines = [`fn ${name}(i: u32) -> u32 {`, '  var rem = i;', `  var off = U(${offsetAt}u);`];
  for (let d = rank - 1; d >= 0; d--) lines.push(`  { let s = U(${shapeAt + d}u); off = off + (rem % s) * U(${stridesAt + d}u); rem = rem / s; }`);
  lines.push('  return off;', '}');
  return lines.join('\n');
}

/** Builds the WGSL of one program: phases that reduce a row into a variable. */
class Gen {
  constructor(
    readonly par: boolean,
    readonly inType: ElemType,
  ) {}

  /** Tree over the workgroup: `arr[lid]` already written; leaves the result in `arr[0]`. */
  private tree(body: string): string {
    if (!this.par) return '';
    return `  workgroupBarrier();
  for (var st = ${REDUCE_WG / 2}u; st > 0u; st = st >> 1u) {
    if (lid < st) { let j = lid + st; ${body} }
    workgroupBarrier();
  }`;
  }

  /** `acc` ← fold of `step(acc, value)` over the row (value: WGSL of the element `v`), trees combined by `combine`. */
  fold(acc: string, t: ElemType, init: string, value: string, step: (a: string, v: string) => string): string {
    const arr = t === 'f32' ? 'shf' : 'shi';
    let s = `  var ${acc}: ${t} = ${init};
  for (var i = i0 + lid; i < i1; i = i + WGS) { let v = ld(base, i); ${acc} = ${step(acc, value)}; }\n`;
    if (this.par) s += `  ${arr}[lid] = ${acc};\n${this.tree(`${arr}[lid] = ${step(`${arr}[lid]`, `${arr}[j]`)};`)}\n  ${acc} = ${arr}[0];\n  workgroupBarrier();\n`;
    return s;
  }

  /** `acc` ← compensated float sum of `value` over the row (`acc_c` the compensation, folded in unless `keep`). */
  sum(acc: string, value: string, keep = false): string {
    let s = `  var ${acc} = 0.0; var ${acc}_c = 0.0;
  for (var i = i0 + lid; i < i1; i = i + WGS) { let v = ld(base, i); let x = ${value}; let t = ${acc} + x; ${acc}_c = ${acc}_c + nerr_(${acc}, x, t); ${acc} = t; }\n`;
    if (this.par)
      s += `  shf[lid] = ${acc}; shc[lid] = ${acc}_c;
${this.tree('let a = shf[lid]; let b = shf[j]; let t = a + b; shc[lid] = shc[lid] + shc[j] + nerr_(a, b, t); shf[lid] = t;')}
  ${acc} = shf[0]; ${acc}_c = shc[0];
  workgroupBarrier();\n`;
    return keep ? s : `${s}  ${acc} = ${acc} + ${acc}_c;\n`;
  }

  /** `bv`/`bi` ← the first extreme element of the row and its index (NaN counts as the extreme). */
  arg(isMax: boolean): string {
    const f = this.inType === 'f32';
    const better = (v: string, b: string) => (f ? `(!isnan_(${b}) && (isnan_(${v}) || ${v} ${isMax ? '>' : '<'} ${b}))` : `(${v} ${isMax ? '>' : '<'} ${b})`);
    const same = (v: string, b: string) => (f ? `(${v} == ${b} || (isnan_(${v}) && isnan_(${b})))` : `(${v} == ${b})`);
    const va = this.inType === 'f32' ? 'shf' : 'shi';
    let s = `  var bv = ld(base, 0u); var bi = 0xffffffffu;
  for (var i = i0 + lid; i < i1; i = i + WGS) { let v = ld(base, i); if (bi == 0xffffffffu || ${better('v', 'bv')}) { bv = v; bi = i; } }\n`;
    if (this.par)
      s += `  ${va}[lid] = bv; shu[lid] = bi;
${this.tree(`let a = ${va}[lid]; let ia = shu[lid]; let b = ${va}[j]; let ib = shu[j];
      if (ib != 0xffffffffu && (ia == 0xffffffffu || ${better('b', 'a')} || (${same('b', 'a')} && ib < ia))) { ${va}[lid] = b; shu[lid] = ib; }`)}
  bv = ${va}[0]; bi = shu[0];\n`;
    return s;
  }
}

const conv = (from: ElemType, to: ElemType, v: string): string => (from === to ? v : to === 'f32' ? `f32(${v})` : `i32(${v})`);

function body(spec: ReduceSpec, gen: Gen, split: boolean): string {
  const it = spec.inType;
  const fv = conv(it, 'f32', 'v');
  const once = (s: string) => `  if (lid == 0u) { ${s} }`;
  switch (spec.kind) {
    case 'sum':
      // A split pass keeps both parts of its compensated partial (the second pass sums both).
      if (spec.accType === 'f32' && split) return `${gen.sum('s', fv, true)}${once('out0[2u * row] = s; out0[2u * row + 1u] = s_c;')}`;
      if (spec.accType === 'f32') return `${gen.sum('s', fv)}${once('out0[row] = s / Uf(4u);')}`;
      return `${gen.fold('s', 'i32', '0', conv(it, 'i32', 'v'), (a, v) => `${a} + ${v}`)}${once('out0[row] = s;')}`;
    case 'prod': {
      const t = spec.accType;
      return `${gen.fold('s', t, t === 'f32' ? '1.0' : '1', conv(it, t, 'v'), (a, v) => `${a} * ${v}`)}${once('out0[row] = s;')}`;
    }
    case 'max':
    case 'min': {
      const isMax = spec.kind === 'max';
      const step = it === 'f32' ? (a: string, v: string) => `${isMax ? 'maxn_' : 'minn_'}(${a}, ${v})` : (a: string, v: string) => `${spec.kind}(${a}, ${v})`;
      const init = it === 'f32' ? (isMax ? '-POS_INF()' : 'POS_INF()') : isMax ? 'bitcast<i32>(0x80000000u)' : '2147483647';
      return `${gen.fold('m', it, init, 'v', step)}${once('out0[row] = m;')}`;
    }
    case 'argmax':
    case 'argmin':
    {
      // gather: the row holds chunk winners; their row indices come from in1, laid out as in0.
      const index = spec.gather ? 'in1[base + xin(bi)]' : 'i32(bi)';
      return `${gen.arg(spec.kind === 'argmax')}${once(spec.values ? `out0[row] = bv; out1[row] = ${index};` : `out0[row] = ${index};`)}`;
    }
    case 'any':
    case 'all': {
      const test = it === 'f32' ? 'select(0, 1, nz_(v))' : 'select(0, 1, v != 0)';
      return `${gen.fold('m', 'i32', spec.kind === 'any' ? '0' : '1', test, (a, v) => `${spec.kind === 'any' ? 'max' : 'min'}(${a}, ${v})`)}${once('out0[row] = m;')}`;
    }
    case 'var':
    case 'std':
      return `${gen.sum('s', fv)}  let mean = s / f32(n);
${gen.sum('q', `(${fv} - mean) * (${fv} - mean)`)}  let r = div_(q, f32(n) - Uf(4u));
${once(`out0[row] = ${spec.kind === 'std' ? 'sqrt_(r)' : 'r'};`)}`;
    case 'lse':
      return `${gen.fold('m', 'f32', '-POS_INF()', fv, (a, v) => `maxn_(${a}, ${v})`)}  let m0 = select(m, 0.0, !fin_(m) && !isnan_(m));
${gen.sum('s', `exp_(${fv} - m0)`)}${once('out0[row] = log_(s) + m0;')}`;
    case 'norm': {
      const a = `abs(${fv})`;
      switch (spec.ord!) {
        case 'inf':
          return `${gen.fold('m', 'f32', '0.0', a, (x, v) => `maxn_(${x}, ${v})`)}${once('out0[row] = m;')}`;
        case '-inf':
          return `${gen.fold('m', 'f32', 'POS_INF()', a, (x, v) => `minn_(${x}, ${v})`)}${once('out0[row] = m;')}`;
        case '0':
          return `${gen.sum('s', `select(0.0, 1.0, nz_(${fv}))`)}${once('out0[row] = s;')}`;
        case '1':
          return `${gen.sum('s', a)}${once('out0[row] = s;')}`;
        case '2':
          return `${gen.sum('s', `${fv} * ${fv}`)}${once('out0[row] = sqrt_(s);')}`;
        case 'p':
          return `${gen.sum('s', `powp_(${a}, Uf(4u))`)}${once('out0[row] = powp_(s, 1.0 / Uf(4u));')}`;
      }
      break;
    }
    case 'log_softmax':
      // bnMode 'eval': the row's log-sum-exp is given (as RM), as in the split path's last pass.
      if (spec.bnMode === 'eval')
        return `  let lse = RM(crow); let ob = orow(crow);
  for (var i = i0 + lid; i < i1; i = i + WGS) { let v = ld(base, i); out0[ob + oin(i)] = ${fv} - lse; }`;
      return `${gen.fold('m', 'f32', '-POS_INF()', fv, (a, v) => `maxn_(${a}, ${v})`)}${gen.sum('s', `exp_(${fv} - m)`)}  let ls = log_(s);
  let ob = orow(row);
  for (var i = lid; i < n; i = i + WGS) { let v = ld(base, i); out0[ob + oin(i)] = ${fv} - m - ls; }`;
    case 'bn':
      return bnBody(spec, gen, fv);
    case 'lse_part':
      return `${gen.fold('m', 'f32', '-POS_INF()', fv, (a, v) => `maxn_(${a}, ${v})`)}  let m0 = select(m, 0.0, !fin_(m) && !isnan_(m));
${gen.sum('s', `exp_(${fv} - m0)`)}${once('out0[2u * row] = m; out0[2u * row + 1u] = s;')}`;
    case 'lse_merge':
      // Shift by the largest (finite-made) chunk maximum among the chunks that contribute.
      return `  var M = -POS_INF(); var R = -POS_INF();
  for (var j = 0u; j < n; j = j + 1u) {
    let at = base + xin(j); let m = in0[at]; let s = in0[at + 1u];
    R = maxn_(R, m);
    if (nz_(s)) { M = maxn_(M, select(m, 0.0, !fin_(m) && !isnan_(m))); }
  }
  if (M == -POS_INF()) { M = 0.0; }
  var S = 0.0;
  for (var j = 0u; j < n; j = j + 1u) {
    let at = base + xin(j); let m = in0[at]; let s = in0[at + 1u];
    if (nz_(s)) { S = S + s * exp_(select(m, 0.0, !fin_(m) && !isnan_(m)) - M); }
  }
  var r = log_(S) + M;
  ${spec.softmax ? 'if (!fin_(R)) { r = NAN(); }' : ''}
  out0[row] = r;`;
    case 'moments':
      return `${gen.sum('s', fv)}  let cnt = f32(i1 - i0); let mean = s / cnt;
${gen.sum('q', `(${fv} - mean) * (${fv} - mean)`)}${once('out0[3u * row] = cnt; out0[3u * row + 1u] = mean; out0[3u * row + 2u] = q;')}`;
    case 'var_merge':
    case 'std_merge':
    case 'bn_merge':
      return mergeBody(spec.kind, !!spec.params?.rm);
    case 'gn': {
      // bnMode 'eval': the statistics are given (mean as RM, rstd as RV), as in the split path's last pass.
      const given = spec.bnMode === 'eval';
      const stats = given
        ? '  let mean = RM(crow); let rstd = RV(crow);\n'
        : `${gen.sum('s', fv)}  let mean = select(s / f32(n), 0.0, n == 0u);
${gen.sum('q', `(${fv} - mean) * (${fv} - mean)`)}  let rstd = 1.0 / sqrt_(select(q / f32(n), 0.0, n == 0u) + Uf(4u));\n`;
      return `${stats}  let ob = orow(crow);
  let cpg = U(17u); let hw = max(n / max(cpg, 1u), 1u);
  let c0 = (crow % U(16u)) * cpg;
  for (var i = i0 + lid; i < i1; i = i + WGS) { let v = ld(base, i); let c = c0 + i / hw; out0[ob + oin(i)] = (${fv} - mean) * rstd * W(c) + B(c); }
${given ? '' : once('out1[row] = mean; out2[row] = rstd;')}`;
    }
  }
  throw new Error(`internal error: reduce kind ${spec.kind}`);
}

/**
 * Merge a row's (count, mean, M2) triples (the partials of 'moments', read at
 * xin(j), +1, +2) one after another, then finish: var/std with the correction in
 * U(4), or batch-norm statistics (mean, invstd with eps U(4), biased variance, and
 * with running stats bound, the momentum-U(5) updates with the unbiased variance).
 */
function mergeBody(kind: 'var_merge' | 'std_merge' | 'bn_merge', running: boolean): string {
  const merge = `  var cnt = 0.0; var mean = 0.0; var m2 = 0.0;
  for (var j = 0u; j < n; j = j + 1u) {
    let at = base + xin(j);
    let nb = in0[at]; let mb = in0[at + 1u]; let qb = in0[at + 2u];
    if (nb > 0.0) {
      let nab = cnt + nb; let d = mb - mean;
      mean = mean + d * (nb / nab); m2 = m2 + qb + d * d * (cnt * nb / nab); cnt = nab;
    }
  }\n`;
  if (kind !== 'bn_merge') return `${merge}  let r = div_(m2, cnt - Uf(4u));\n  out0[row] = ${kind === 'std_merge' ? 'sqrt_(r)' : 'r'};`;
  return `${merge}  out0[row] = mean; out1[row] = 1.0 / sqrt_(m2 / cnt + Uf(4u)); out2[row] = m2 / cnt;
  ${running ? 'let mom = Uf(5u); out3[row] = (1.0 - mom) * RM(row) + mom * mean; out4[row] = (1.0 - mom) * RV(row) + mom * div_(m2, cnt - 1.0);' : ''}`;
}

function bnBody(spec: ReduceSpec, gen: Gen, fv: string): string {
  const mode = spec.bnMode ?? 'train';
  const stats =
    mode === 'eval'
      ? '  let mean = RM(crow); let invstd = 1.0 / sqrt_(RV(crow) + Uf(4u));\n'
      : `${gen.sum('s', fv)}  let mean = s / f32(n);
${gen.sum('q', `(${fv} - mean) * (${fv} - mean)`)}  let invstd = 1.0 / sqrt_(q / f32(n) + Uf(4u));\n`;
  const save =
    mode === 'eval'
      ? ''
      : `  if (lid == 0u) {
    out1[row] = mean; out2[row] = invstd;
    ${mode === 'running' ? 'let mom = Uf(5u); out3[row] = (1.0 - mom) * RM(row) + mom * mean; out4[row] = (1.0 - mom) * RV(row) + mom * div_(q, f32(n) - 1.0);' : ''}
  }`;
  return `${stats}  let scale = invstd * W(crow); let shift = B(crow);
  let ob = orow(crow);
  for (var i = i0 + lid; i < i1; i = i + WGS) { let v = ld(base, i); out0[ob + oin(i)] = (${fv} - mean) * scale + shift; }
${save}`;
}

function outputsOf(spec: ReduceSpec): ElemType[] {
  switch (spec.kind) {
    case 'sum':
    case 'prod':
      return [spec.accType];
    case 'max':
    case 'min':
      return [spec.inType];
    case 'argmax':
    case 'argmin':
      return spec.values ? [spec.inType, 'i32'] : ['i32'];
    case 'any':
    case 'all':
      return ['i32'];
    case 'gn':
      return spec.bnMode === 'eval' ? ['f32'] : ['f32', 'f32', 'f32'];
    case 'bn_merge':
      return spec.params?.rm ? ['f32', 'f32', 'f32', 'f32', 'f32'] : ['f32', 'f32', 'f32'];
    case 'bn':
      return spec.bnMode === 'eval' ? ['f32'] : spec.bnMode === 'running' ? ['f32', 'f32', 'f32', 'f32', 'f32'] : ['f32', 'f32', 'f32'];
    default:
      return ['f32'];
  }
}

const PARAMS = ['w', 'b', 'rm', 'rv'] as const;
const PARAM_FN = { w: ['W', '1.0'], b: ['B', '0.0'], rm: ['RM', '0.0'], rv: ['RV', '1.0'] } as const;

export function reduceProgram(spec: ReduceSpec, geo: ReduceGeometry): ProgramInfo {
  const { keptRank: ko, redRank: ki, perThread } = geo;
  const p = spec.params ?? { w: false, b: false, rm: false, rv: false };
  const inputs: ElemType[] = spec.gather ? [spec.inType, 'i32'] : [spec.inType];
  const paramFns: string[] = [];
  PARAMS.forEach((k, j) => {
    const [fn, dflt] = PARAM_FN[k];
    if (p[k]) {
      paramFns.push(`fn ${fn}(c: u32) -> f32 { return in${inputs.length}[U(${8 + 2 * j}u) + c * U(${9 + 2 * j}u)]; }`);
      inputs.push('f32');
    } else if (spec.kind === 'bn' || spec.kind === 'gn' || spec.kind === 'bn_merge') paramFns.push(`fn ${fn}(c: u32) -> f32 { return ${dflt}; }`);
  });
  const outputs = outputsOf(spec);
  const KS = HEADER, KX = KS + ko, KO = KX + ko, RS = KO + ko, RX = RS + ki, RO = RX + ki;
  const hint = [spec.kind, spec.inType, spec.accType, spec.ord ?? '', spec.values ? 'v' : '', spec.gather ? 'g' : '', spec.softmax ? 'sm' : '', PARAMS.filter((k) => p[k]).join(''), spec.bnMode ?? '', `k${ko}r${ki}`, perThread ? 't' : 'w', geo.split ? 's' : ''].join('|');
  return {
    name: 'reduce',
    cacheKey: { hint, inputDependencies: inputs },
    bindings: { inputs, outputs },
    uniformWords: HEADER + 3 * (ko + ki),
    getShaderSource: (h) => {
      const gen = new Gen(!perThread, spec.inType);
      const shared = perThread
        ? ''
        : `var<workgroup> shf: array<f32, ${REDUCE_WG}>;
var<workgroup> shc: array<f32, ${REDUCE_WG}>;
var<workgroup> shi: array<i32, ${REDUCE_WG}>;
var<workgroup> shu: array<u32, ${REDUCE_WG}>;`;
      const head = perThread
        ? `@compute @workgroup_size(${REDUCE_WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = gid.x + gid.y * nwg.x * ${REDUCE_WG}u;
  let lid = 0u;
  const WGS = 1u;`
        : `@compute @workgroup_size(${REDUCE_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lv: vec3<u32>) {
  let row = wid.x + wid.y * nwg.x;
  let lid = lv.x;
  const WGS = ${REDUCE_WG}u;`;
      return `${h.prelude()}
${WGSL_HELPERS}
${shared}
${offsetFn('xrow', ko, KS, KX, 2)}
${offsetFn('xin', ki, RS, RX, 3)}
${offsetFn('orow', ko, KS, KO, 3)}
${offsetFn('oin', ki, RS, RO, 3)}
fn ld(base: u32, i: u32) -> ${spec.inType} { return in0[base + xin(i)]; }
${paramFns.join('\n')}
${head}
  if (row >= U(0u)) { return; }
  let n = U(1u);
${geo.split ? '  let L = U(7u); let crow = row / U(6u); let base = xrow(crow); let i0 = (row % U(6u)) * L; let i1 = min(n, i0 + L);' : '  let crow = row; let base = xrow(row); let i0 = 0u; let i1 = n;'}
${body(spec, gen, !!geo.split)}
}`;
    },
  };
}

export interface ReduceDims {
  readonly keptShape: readonly number[];
  readonly keptX: readonly number[];
  readonly keptOut: readonly number[];
  readonly redShape: readonly number[];
  readonly redX: readonly number[];
  readonly redOut: readonly number[];
}

export interface ReduceScalars {
  readonly f0?: number;
  readonly f1?: number;
  readonly u0?: number;
  readonly u1?: number;
  /** Words 16, 17 (gn: groups, channels per group). */
  readonly u2?: number;
  readonly u3?: number;
  /** (offset, stride) of w, b, rm, rv; absent ones as zeros. */
  readonly params?: ReadonlyArray<readonly [number, number] | undefined>;
}

/** `split`: a split pass, `chunks` chunks of `len` elements per row (U(6), U(7)), none of them empty. */
export function reduceRun(geo: ReduceGeometry, d: ReduceDims, xOffset: number, sc: ReduceScalars, split?: { readonly chunks: number; readonly len: number }): RunData {
  const rows = d.keptShape.reduce((a, b) => a * b, 1) * (split?.chunks ?? 1);
  const n = d.redShape.reduce((a, b) => a * b, 1);
  const u = new Uniforms().u(rows, n, xOffset, 0).f(sc.f0 ?? 1, sc.f1 ?? 0);
  if (split) u.u(split.chunks, split.len);
  else u.u(sc.u0 ?? 0, sc.u1 ?? 0);
  for (let j = 0; j < 4; j++) u.u(...(sc.params?.[j] ?? [0, 0]));
  u.u(sc.u2 ?? 0, sc.u3 ?? 0);
  u.u(...d.keptShape, ...d.keptX, ...d.keptOut, ...d.redShape, ...d.redX, ...d.redOut);
  return { uniforms: u.build(), workgroups: geo.perThread ? gridFor(rows, REDUCE_WG) : groupsFor(rows) };
}

/** One workgroup per row, split over x/y under the 65535 limit. */
function groupsFor(rows: number): [number, number, number] {
  const n = Math.max(1, rows);
  if (n <= 65535) return [n, 1, 1];
  const y = Math.ceil(n / 65535);
  return [Math.ceil(n / y), y, 1];
}

/**
 * cumsum / cumprod along one dim, one invocation per lane, or for few long lanes
 * per (lane, chunk): mode 'part' writes each chunk's total, 'apply' starts each
 * chunk from the combined totals of the chunks before it. Float sums run
 * compensated (a chunk total is its (sum, compensation) pair). Uniforms: invocations,
 * length, x offset, zero, x stride and out stride along the dim, chunks per lane,
 * chunk length, then lane sizes, lane x strides, lane out strides.
 */
export function scanProgram(op: 'sum' | 'prod', inType: ElemType, accType: ElemType, laneRank: number, mode: 'plain' | 'part' | 'apply' = 'plain'): ProgramInfo {
  const r = laneRank;
  const H = 8;
  const kahan = op === 'sum' && accType === 'f32';
  const fv = conv(inType, accType, 'in0[xb + j * U(4u)]');
  const add = (x: string) => (kahan ? `{ let x = ${x}; let t = s + x; c = c + nerr_(s, x, t); s = t; }` : `s = s ${op === 'sum' ? '+' : '*'} ${x};`);
  const value = kahan ? 's + c' : 's';
  const init = kahan ? 'var s = 0.0; var c = 0.0;' : `var s: ${accType} = ${op === 'sum' ? '0' : '1'};`;
  let body: string;
  if (mode === 'part') body = `${init}
  for (var j = lo; j < hi; j = j + 1u) { ${add(fv)} }
  ${kahan ? 'out0[2u * idx] = s; out0[2u * idx + 1u] = c;' : 'out0[idx] = s;'}`;
  else {
    const before = mode === 'apply' ? `
  for (var q = lane * C; q < idx; q = q + 1u) { ${kahan ? `${add('in1[2u * q]')} ${add('in1[2u * q + 1u]')}` : add('in1[q]')} }` : '';
    body = `${init}${before}
  for (var j = lo; j < hi; j = j + 1u) { ${add(fv)} out0[ob + j * U(5u)] = ${value}; }`;
  }
  const inputs: ElemType[] = mode === 'apply' ? [inType, accType] : [inType];
  return {
    name: 'scan',
    cacheKey: { hint: `${op}|${inType}|${accType}|l${r}|${mode}`, inputDependencies: inputs },
    bindings: { inputs, outputs: [accType] },
    uniformWords: H + 3 * r,
    getShaderSource: (h) => `${h.prelude()}
${WGSL_HELPERS}
${offsetFn('xlane', r, H, H + r, 2)}
${offsetFn('olane', r, H, H + 2 * r, 3)}
${h.main(`  if (idx >= U(0u)) { return; }
  let len = U(1u); let C = U(6u); let L = U(7u);
  let lane = idx / C; let lo = (idx % C) * L; let hi = min(len, lo + L);
  let xb = xlane(lane); let ob = olane(lane);
  ${body}`)}`,
  };
}

/** `chunks` per lane of `chunkLen` elements (1 and len: the whole lane). */
export function scanRun(laneShape: readonly number[], laneX: readonly number[], laneOut: readonly number[], len: number, xOffset: number, xStride: number, outStride: number, chunks = 1, chunkLen = len): RunData {
  const n = laneShape.reduce((a, b) => a * b, 1) * chunks;
  return { uniforms: new Uniforms().u(n, len, xOffset, 0, xStride, outStride, chunks, chunkLen, ...laneShape, ...laneX, ...laneOut).build(), workgroups: gridFor(n) };
}
