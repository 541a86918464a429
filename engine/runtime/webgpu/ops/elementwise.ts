// Pointwise ops for WebGPU as expression trees, and one program that evaluates a
// whole fused tree per output element: each tensor leaf is read through its own
// (broadcast) strides, scalars come from uniforms, the result is written through
// the output's strides. A chain like batch_norm → hardswish_, or the decomposed
// x·clamp(x+3, 0, 6)/6, becomes a single dispatch (see fuse.ts).
//
// Note [Typed pointwise]
// Values have a kind: f32, i32 (int32/int64 tensors) or bool (0/1 in an i32).
// Leaves take the kind of their tensor, scalars the kind of their Python type,
// each operation promotes its operands as torch does across categories
// (bool < int < float; within a category every int is an i32), and the result
// is converted to the output's kind. Integer arithmetic is exact while every
// value, inputs and intermediates, lies in int32 range: host int64 inputs
// outside it are refused (leafKind), int scalars outside it fail the build, and
// results that overflow wrap as i32 (not detected; torch's int64 would not).

import { type NDArray } from '../../../core/ndarray';
import { GpuStorage } from '../gpu-exec';
import { type ElemType, type ProgramInfo, type ShaderHelper, Uniforms, gridFor, memoProgram, type RunData } from '../program';

export type UnaryOp =
  | 'relu' | 'hardswish' | 'hardsigmoid' | 'sigmoid' | 'tanh' | 'silu' | 'gelu' | 'gelu_tanh'
  | 'neg' | 'exp' | 'log' | 'sqrt' | 'rsqrt' | 'abs' | 'sin' | 'cos' | 'reciprocal' | 'identity';
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'maximum' | 'minimum' | 'pow';
/** Ops whose operand and result kinds are not f32 (Note [Typed pointwise]). */
export type TypedOp =
  | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'and' | 'or' | 'xor' | 'not'
  | 'bitand' | 'bitor' | 'bitxor' | 'bitnot' | 'isnan' | 'isinf';

/** The kind of a value in a pointwise program. */
export type Kind = 'f32' | 'i32' | 'bool';
export const elemOf = (k: Kind): ElemType => (k === 'f32' ? 'f32' : 'i32');

/** A pointwise expression: tensor leaves (`in`), uniform scalars (`sc`), operations. */
export type Expr =
  | { readonly t: 'in'; readonly i: number }
  /** A scalar slot; `k` is its Python type's kind (f32 when absent). */
  | { readonly t: 'sc'; readonly i: number; readonly k?: Kind }
  /** The output element's coordinate along dim `d` (i32). */
  | { readonly t: 'coord'; readonly d: number }
  | { readonly t: 'cast'; readonly k: Kind; readonly a: Expr }
  | { readonly t: 'typed'; readonly op: TypedOp; readonly args: readonly Expr[] }
  | { readonly t: 'un'; readonly op: UnaryOp; readonly a: Expr }
  | { readonly t: 'bin'; readonly op: BinaryOp; readonly a: Expr; readonly b: Expr }
  | { readonly t: 'clamp'; readonly a: Expr; readonly lo?: Expr; readonly hi?: Expr }
  | { readonly t: 'where'; readonly c: Expr; readonly a: Expr; readonly b: Expr }
  /** A WGSL expression template over its arguments `$0`, `$1`, … (each evaluated once, into a `let`). */
  | { readonly t: 'call'; readonly f: string; readonly args: readonly Expr[] }
  | { readonly t: 'bn'; readonly x: Expr; readonly mean: Expr; readonly variance: Expr; readonly eps: Expr; readonly w?: Expr; readonly b?: Expr };

/** Canonical text of an expression (the cache key of the fused program). */
export function exprKey(e: Expr): string {
  switch (e.t) {
    case 'in':
      return `i${e.i}`;
    case 'sc':
      return `s${e.i}${e.k ?? ''}`;
    case 'coord':
      return `c${e.d}`;
    case 'cast':
      return `${e.k}(${exprKey(e.a)})`;
    case 'typed':
      return `${e.op}(${e.args.map(exprKey).join(',')})`;
    case 'un':
      return `${e.op}(${exprKey(e.a)})`;
    case 'bin':
      return `${e.op}(${exprKey(e.a)},${exprKey(e.b)})`;
    case 'clamp':
      return `clamp(${exprKey(e.a)},${e.lo ? exprKey(e.lo) : '-'},${e.hi ? exprKey(e.hi) : '-'})`;
    case 'where':
      return `where(${exprKey(e.c)},${exprKey(e.a)},${exprKey(e.b)})`;
    case 'call':
      return `{${e.f}}(${e.args.map(exprKey).join(',')})`;
    case 'bn':
      return `bn(${exprKey(e.x)},${exprKey(e.mean)},${exprKey(e.variance)},${exprKey(e.eps)},${e.w ? exprKey(e.w) : '-'},${e.b ? exprKey(e.b) : '-'})`;
  }
}

function unary(op: UnaryOp, a: string): string {
  switch (op) {
    case 'relu':
      return `select(0.0, ${a}, ${a} > 0.0 || isnan_(${a}))`;
    case 'hardswish':
      return `(${a} * clamp(${a} + 3.0, 0.0, 6.0) / 6.0)`;
    case 'hardsigmoid':
      return `(clamp(${a} + 3.0, 0.0, 6.0) / 6.0)`;
    case 'sigmoid':
      return `(1.0 / (1.0 + exp_(-${a})))`;
    case 'tanh':
      return `tanh_(${a})`;
    case 'silu':
      return `(${a} / (1.0 + exp_(-${a})))`;
    case 'gelu':
      return `(0.5 * ${a} * (1.0 + erf_(${a} * 0.70710678118654752)))`;
    case 'gelu_tanh':
      return `(0.5 * ${a} * (1.0 + tanh(clamp(0.79788456080286536 * (${a} + 0.044715 * ${a} * ${a} * ${a}), -20.0, 20.0))))`;
    case 'neg':
      return `(-${a})`;
    case 'exp':
      return `exp_(${a})`;
    case 'log':
      return `log_(${a})`;
    case 'sqrt':
      return `sqrt(${a})`;
    case 'rsqrt':
      return `inverseSqrt(${a})`;
    case 'abs':
      return `abs(${a})`;
    case 'sin':
      return `sin_(${a})`;
    case 'cos':
      return `cos_(${a})`;
    case 'reciprocal':
      return `(1.0 / ${a})`;
    case 'identity':
      return a;
  }
}

function binary(op: BinaryOp, a: string, b: string): string {
  switch (op) {
    case 'add':
      return `(${a} + ${b})`;
    case 'sub':
      return `(${a} - ${b})`;
    case 'mul':
      return `(${a} * ${b})`;
    case 'div':
      return `(${a} / ${b})`;
    case 'maximum':
      return `max(${a}, ${b})`;
    case 'minimum':
      return `min(${a}, ${b})`;
    case 'pow':
      return `pow_(${a}, ${b})`;
  }
}

// pow with torch's results for negative bases and integral exponents (WGSL pow is undefined for x < 0).
const POW = `fn pow_(x: f32, e: f32) -> f32 {
  if (e == 2.0) { return x * x; }
  if (e == 3.0) { return x * x * x; }
  if (e == 1.0) { return x; }
  if (e == 0.0) { return 1.0; }
  if (e == 0.5) { return sqrt(x); }
  let r = pow(abs(x), e);
  if (x < 0.0 && floor(e) == e) { return select(r, -r, (i32(e) & 1) == 1); }
  if (x < 0.0) { return NAN(); }
  return r;
}`;

// Transcendentals to ~1 ulp in f32 (WGSL's built-ins are far less accurate on
// some implementations, e.g. SwiftShader's sin/cos lose 1e-2 relative near their
// zeros). Range reduction is Cody–Waite: the constant is split into pieces whose
// products with the (small integer) multiple k are exact in f32, so only the last
// piece rounds. The polynomials are the Taylor series truncated where the
// remainder is below 1e-10 relative on the reduced interval (far under f32's
// 6e-8), evaluated by Horner; rounding in the evaluation dominates the error.
//   π/2 = 1.5703125 + 4.837512969970703e-4 + 7.549790126404332e-8 (11 + 11 + 24 bits; k·piece exact for |k| < 2^13)
//   ln2 = 0.693115234375 + 3.194618329871446e-5                   (12 + 24 bits)
const TRANSCENDENTALS = `fn exp_(x: f32) -> f32 {
  if (x != x) { return x; }
  let xc = clamp(x, -104.0, 89.0);
  let k = round(xc * 1.4426950408889634);
  let r = (xc - k * 0.693115234375) - k * 3.194618329871446e-5;
  // e^r, |r| <= 0.347: Taylor to r^8 (remainder < 1e-10 relative).
  let p = 1.0 + r * (1.0 + r * (0.5 + r * (0.16666666666666666 + r * (0.041666666666666664 + r * (0.008333333333333333 + r * (0.001388888888888889 + r * (1.984126984126984e-4 + r * 2.48015873015873e-5)))))));
  let ki = i32(k);
  // two steps so that 2^k never overflows on its own
  let h = ki / 2;
  return ldexp(ldexp(p, h), ki - h);
}
fn expm1_small(y: f32) -> f32 {
  // e^y - 1 for |y| <= 1.25: Taylor to y^14 (remainder < 3e-10 relative).
  return y * (1.0 + y * (0.5 + y * (0.16666666666666666 + y * (0.041666666666666664 + y * (0.008333333333333333 + y * (0.001388888888888889 + y * (1.984126984126984e-4 + y * (2.48015873015873e-5 + y * (2.7557319223985893e-6 + y * (2.755731922398589e-7 + y * (2.505210838544172e-8 + y * (2.08767569878681e-9 + y * (1.6059043836821613e-10 + y * 1.1470745597729725e-11)))))))))))));
}
fn tanh_(x: f32) -> f32 {
  let a = abs(x);
  if (a < 0.625) {
    let e = expm1_small(2.0 * a);
    return sign(x) * (e / (e + 2.0));
  }
  if (a > 20.0) { return sign(x); }
  if (x != x) { return x; }
  return sign(x) * (1.0 - 2.0 / (exp_(2.0 * a) + 1.0));
}
fn log_(x: f32) -> f32 {
  if (x != x || x < 0.0) { return NAN(); }
  if (x == 0.0) { return NEG_INF(); }
  if (x > 3.4028234663852886e38) { return x; }
  let fr = frexp(x);
  var m = fr.fract;
  var e = f32(fr.exp);
  if (m < 0.70710678118654752) { m = m * 2.0; e = e - 1.0; }
  let f = m - 1.0;
  // log(1+f) = 2 atanh(s), s = f/(2+f), |s| <= 0.1716: series to s^13 (remainder < 1e-12 relative).
  let s = f / (2.0 + f);
  let z = s * s;
  let t = z * (0.3333333333333333 + z * (0.2 + z * (0.14285714285714285 + z * (0.1111111111111111 + z * (0.09090909090909091 + z * 0.07692307692307693)))));
  let hi = e * 0.693115234375;
  return hi + (e * 3.194618329871446e-5 + (f - s * (f - 2.0 * t) ));
}
fn sincos_k(x: f32) -> vec3<f32> {
  // (sin r, cos r, quadrant) with x = r + k·π/2, |r| <= π/4
  let k = round(x * 0.6366197723675814);
  let r = ((x - k * 1.5703125) - k * 4.837512969970703e-4) - k * 7.549790126404332e-8;
  let z = r * r;
  let s = r + r * z * (-0.16666666666666666 + z * (0.008333333333333333 + z * (-1.984126984126984e-4 + z * (2.7557319223985893e-6 + z * (-2.505210838544172e-8 + z * 1.6059043836821613e-10)))));
  let c = 1.0 - 0.5 * z + z * z * (0.041666666666666664 + z * (-0.001388888888888889 + z * (2.48015873015873e-5 + z * (-2.755731922398589e-7 + z * (2.08767569878681e-9 + z * -1.1470745597729725e-11)))));
  return vec3<f32>(s, c, f32(i32(k - 4.0 * floor(k * 0.25))));
}
fn expm1_(x: f32) -> f32 {
  if (abs(x) < 1.25) { return expm1_small(x); }
  return exp_(x) - 1.0;
}
fn log1p_(x: f32) -> f32 {
  // log(u) corrected by the rounding of u = 1 + x
  let u = 1.0 + x;
  if (u == 1.0) { return x; }
  if (u > 3.4028234663852886e38 || u <= 0.0) { return log_(u); }
  return log_(u) - ((u - 1.0) - x) / u;
}
fn tan_(x: f32) -> f32 {
  if (abs(x) > 12000.0) { return tan(x); }
  let v = sincos_k(x);
  let q = i32(v.z);
  if (q == 0 || q == 2) { return v.x / v.y; }
  return -v.y / v.x;
}
fn sin_(x: f32) -> f32 {
  if (abs(x) > 12000.0) { return sin(x); }
  let v = sincos_k(x);
  let q = i32(v.z);
  if (q == 0) { return v.x; }
  if (q == 1) { return v.y; }
  if (q == 2) { return -v.x; }
  return -v.y;
}
fn cos_(x: f32) -> f32 {
  if (abs(x) > 12000.0) { return cos(x); }
  let v = sincos_k(x);
  let q = i32(v.z);
  if (q == 0) { return v.y; }
  if (q == 1) { return -v.x; }
  if (q == 2) { return -v.y; }
  return v.x;
}`;

interface Val {
  readonly v: string;
  readonly k: Kind;
}

const RANK: Record<Kind, number> = { bool: 0, i32: 1, f32: 2 };
/** torch's promotion across categories: the highest of bool < int < float. */
export const promote = (...ks: Kind[]): Kind => ks.reduce((a, b) => (RANK[b] > RANK[a] ? b : a), 'bool' as Kind);

/** WGSL converting `x` of kind `from` to kind `to` (bool is 0/1 in an i32; float→int truncates). */
export function convert(x: string, from: Kind, to: Kind): string {
  if (from === to) return x;
  if (to === 'f32') return `f32(${x})`;
  if (to === 'i32') return from === 'f32' ? `i32(${x})` : x;
  // WGSL may assume no NaNs in comparisons: NaN is tested on its bits (and is true, as in torch).
  return from === 'f32' ? `select(0, 1, ${x} != 0.0 || isnan_(${x}))` : `select(0, 1, ${x} != 0)`;
}

const NAN_TEST = 'fn isnan_(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }';

const CMP: Partial<Record<TypedOp, string>> = { eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' };
const BIT: Partial<Record<TypedOp, string>> = { and: '&', or: '|', xor: '^', bitand: '&', bitor: '|', bitxor: '^' };

/** WGSL statements computing `e`, one `let` per node; returns the final value and its kind. */
function emit(e: Expr, out: string[], leaf: (i: number) => Val, scalar: (i: number, k: Kind) => string): Val {
  const v = (s: string, k: Kind): Val => {
    const name = `t${out.length}`;
    out.push(`  let ${name} = ${s};`);
    return { v: name, k };
  };
  const sub = (x: Expr) => emit(x, out, leaf, scalar);
  const as = (x: Val, k: Kind) => convert(x.v, x.k, k);
  const f = (x: Expr) => as(sub(x), 'f32');
  switch (e.t) {
    case 'in':
      return v(leaf(e.i).v, leaf(e.i).k);
    case 'sc':
      return v(scalar(e.i, e.k ?? 'f32'), e.k ?? 'f32');
    case 'coord':
      return v(`coord_(idx, ${e.d}u)`, 'i32');
    case 'cast':
      return v(as(sub(e.a), e.k), e.k);
    case 'un': {
      const a = sub(e.a);
      if (e.op === 'identity') return a;
      if (a.k !== 'f32' && (e.op === 'neg' || e.op === 'abs')) return v(unary(e.op, a.v), 'i32');
      return v(unary(e.op, as(a, 'f32')), 'f32');
    }
    case 'bin': {
      const a = sub(e.a), b = sub(e.b);
      const k = e.op === 'div' || e.op === 'pow' ? 'f32' : promote(a.k, b.k);
      if (k === 'bool') return v(convert(binary(e.op, a.v, b.v), 'i32', 'bool'), 'bool');
      return v(binary(e.op, as(a, k), as(b, k)), k);
    }
    case 'clamp': {
      // torch.clamp: min first, then max; NaN propagates.
      const a = sub(e.a);
      const lo = e.lo && sub(e.lo), hi = e.hi && sub(e.hi);
      const k = promote(a.k, ...(lo ? [lo.k] : []), ...(hi ? [hi.k] : []));
      const x = v(as(a, k), k).v;
      const keepNan = (r: string) => (k === 'f32' ? `select(${r}, ${x}, isnan_(${x}))` : r);
      let r = x;
      if (lo) r = v(keepNan(`max(${r}, ${as(lo, k)})`), k).v;
      if (hi) r = v(keepNan(`min(${r}, ${as(hi, k)})`), k).v;
      return { v: r, k };
    }
    case 'where': {
      const c = sub(e.c), a = sub(e.a), b = sub(e.b);
      const k = promote(a.k, b.k);
      return v(`select(${as(b, k)}, ${as(a, k)}, ${as(c, 'bool')} != 0)`, k);
    }
    case 'typed':
      return typed(e.op, e.args.map(sub), v);
    case 'call': {
      const names = e.args.map(f);
      return v(e.f.replace(/\$(\d+)/g, (_, k: string) => names[Number(k)]!), 'f32');
    }
    case 'bn': {
      const x = f(e.x), m = f(e.mean), va = f(e.variance), eps = f(e.eps);
      let r = v(`(${x} - ${m}) * inverseSqrt(${va} + ${eps})`, 'f32');
      if (e.w) r = v(`${r.v} * ${f(e.w)}`, 'f32');
      if (e.b) r = v(`${r.v} + ${f(e.b)}`, 'f32');
      return r;
    }
  }
}

function typed(op: TypedOp, args: readonly Val[], v: (s: string, k: Kind) => Val): Val {
  const [a, b] = args as [Val, Val];
  const cmp = CMP[op];
  if (cmp) {
    const k = promote(a.k, b.k);
    const x = convert(a.v, a.k, k), y = convert(b.v, b.k, k);
    if (k !== 'f32') return v(`select(0, 1, ${x} ${cmp} ${y})`, 'bool');
    // NaN compares unequal to everything, on its bits (WGSL may assume no NaNs).
    const nan = `(isnan_(${x}) || isnan_(${y}))`;
    return v(op === 'ne' ? `select(0, 1, ${nan} || ${x} != ${y})` : `select(0, 1, !${nan} && ${x} ${cmp} ${y})`, 'bool');
  }
  switch (op) {
    case 'and':
    case 'or':
    case 'xor':
      return v(`(${convert(a.v, a.k, 'bool')} ${BIT[op]} ${convert(b.v, b.k, 'bool')})`, 'bool');
    case 'not':
      return v(`(${convert(a.v, a.k, 'bool')} ^ 1)`, 'bool');
    case 'bitand':
    case 'bitor':
    case 'bitxor': {
      const k = promote(a.k, b.k);
      if (k === 'f32') throw new Error(`bitwise ${op.slice(3)} is not defined for float32`);
      return v(`(${a.v} ${BIT[op]} ${b.v})`, k);
    }
    case 'bitnot':
      if (a.k === 'f32') throw new Error('bitwise not is not defined for float32');
      return v(a.k === 'bool' ? `(${a.v} ^ 1)` : `(~${a.v})`, a.k);
    case 'isnan':
      return v(a.k === 'f32' ? `select(0, 1, isnan_(${a.v}))` : '0', 'bool');
    case 'isinf':
      return v(a.k === 'f32' ? `select(0, 1, (bitcast<u32>(${a.v}) & 0x7fffffffu) == 0x7f800000u)` : '0', 'bool');
    default:
      throw new Error(`internal error: ${op} is not a typed pointwise op`);
  }
}

const usesCoord = (e: Expr): boolean => {
  switch (e.t) {
    case 'coord':
      return true;
    case 'in':
    case 'sc':
      return false;
    case 'un':
    case 'cast':
      return usesCoord(e.a);
    case 'bin':
      return usesCoord(e.a) || usesCoord(e.b);
    case 'clamp':
      return usesCoord(e.a) || (!!e.lo && usesCoord(e.lo)) || (!!e.hi && usesCoord(e.hi));
    case 'where':
      return usesCoord(e.c) || usesCoord(e.a) || usesCoord(e.b);
    case 'typed':
    case 'call':
      return e.args.some(usesCoord);
    case 'bn':
      return [e.x, e.mean, e.variance, e.eps, e.w, e.b].some((x) => !!x && usesCoord(x));
  }
};

/** `coord_(i, d)`: the coordinate of flat output index `i` along dim `d` (shape at uniform words 1…rank). */
function coordFn(rank: number): string {
  return `fn coord_(i: u32, d: u32) -> i32 {
  var rem = i;
  var j = ${rank - 1}u;
  loop {
    if (j <= d) { break; }
    rem = rem / U(1u + j);
    j = j - 1u;
  }
  return i32(rem % U(1u + d));
}`;
}

/**
 * The fused program: out[i] = expr(in0[off0(i)], …, scalars) over `rank`-D
 * outputs. Inputs are given by kind (bool and i32 read i32 buffers); the result
 * is converted to `outKind`. Uniforms: total, shape[rank], out strides[rank], out
 * offset, per input strides[rank] + offset, then each scalar as an f32 word and
 * an i32 word.
 */
export function fusedElementwiseProgram(expr: Expr, inputKinds: readonly Kind[], rank: number, scalars: number, outKind: Kind = 'f32'): ProgramInfo {
  const hint = `${exprKey(expr)}|s${scalars}|${outKind}`;
  return memoProgram(`pointwise|${hint}|${inputKinds.join(',')}|${rank}`, () => pointwiseProgram(expr, inputKinds, rank, scalars, outKind, hint));
}

function pointwiseProgram(expr: Expr, inputKinds: readonly Kind[], rank: number, scalars: number, outKind: Kind, hint: string): ProgramInfo {
  const per = rank + 1;
  const words = 1 + rank + per + inputKinds.length * per + 2 * scalars;
  return {
    name: 'pointwise',
    cacheKey: { hint, inputDependencies: inputKinds.map((t) => `${t}r${rank}`) },
    bindings: { inputs: inputKinds.map(elemOf), outputs: [elemOf(outKind)] },
    uniformWords: words,
    getShaderSource: (h: ShaderHelper) => {
      const fns = [h.offsetFn('outOff', rank, 1, 1 + rank, 1 + 2 * rank)];
      if (rank > 0 && usesCoord(expr)) fns.push(coordFn(rank));
      inputKinds.forEach((_, k) => {
        const base = 1 + rank + per + k * per;
        fns.push(h.offsetFn(`inOff${k}`, rank, 1, base, base + rank));
      });
      const body: string[] = ['  if (idx >= U(0u)) { return; }'];
      const scalarBase = 1 + rank + per + inputKinds.length * per;
      const res = emit(
        expr,
        body,
        (i) => ({ v: `in${i}[inOff${i}(idx)]`, k: inputKinds[i]! }),
        (i, k) => (k === 'f32' ? `Uf(${scalarBase + 2 * i}u)` : `Ui(${scalarBase + 2 * i + 1}u)`),
      );
      body.push(`  out0[outOff(idx)] = ${convert(res.v, res.k, outKind)};`);
      return [h.prelude(), POW, TRANSCENDENTALS, NAN_TEST, ...fns, h.main(body.join('\n'))].join('\n');
    },
  };
}

/** Uniforms and grid for the fused program (each scalar as f32 and as i32). */
export function fusedElementwiseRun(shape: readonly number[], outStrides: readonly number[], outOffset: number, inputs: ReadonlyArray<{ strides: readonly number[]; offset: number }>, scalars: readonly number[]): RunData {
  const n = shape.reduce((a, b) => a * b, 1);
  const u = new Uniforms().u(n).u(...shape).u(...outStrides).u(outOffset);
  for (const x of inputs) u.u(...x.strides).u(x.offset);
  for (const s of scalars) u.f(s).i(Number.isFinite(s) ? Math.trunc(s) : 0);
  return { uniforms: u.build(), workgroups: gridFor(n) };
}

const I32_MAX = 2 ** 31 - 1;

/**
 * The kind a tensor leaf is read as, or undefined when it cannot be: float64 /
 * half types, and host int64 data outside int32 range (Note [Typed pointwise]).
 */
export function leafKind(a: NDArray): Kind | undefined {
  if (a.storage instanceof GpuStorage) return a.storage.elemType === 'f32' ? 'f32' : a.dtype === 'bool' ? 'bool' : 'i32';
  switch (a.dtype) {
    case 'float32':
      return 'f32';
    case 'bool':
      return 'bool';
    case 'int32':
    case 'int16':
    case 'int8':
    case 'uint8':
      return 'i32';
    case 'int64': {
      const d = a.storage.data as Float64Array;
      for (let i = 0; i < d.length; i++) if (d[i]! > I32_MAX || d[i]! < -I32_MAX - 1) return undefined;
      return 'i32';
    }
    default:
      return undefined;
  }
}

/** The kind of a tensor of torch dtype `d` on the GPU (undefined: not held on the GPU). */
export function dtypeKind(d: string | undefined): Kind | undefined {
  return d === 'float32' ? 'f32' : d === 'bool' ? 'bool' : d === 'int64' || d === 'int32' ? 'i32' : undefined;
}

/**
 * Where bool/int work runs when none of its inputs is on the GPU yet. Off:
 * on the host, as the consumers of such bookkeeping (embedding positions,
 * index, cumsum) read host values and a GPU result would cost a readback.
 * On: on the GPU (tests, and graphs whose consumers all run on the GPU).
 */
export const placement = { intOnGpu: false };

/** Leaf kinds and output kind of one pointwise dispatch; undefined when it runs on the host. */
export function pointwisePlan(leaves: readonly NDArray[], outDtype: string | undefined): { kinds: Kind[]; out: Kind } | undefined {
  const out = dtypeKind(outDtype ?? 'float32');
  const kinds = leaves.map(leafKind);
  if (!out || kinds.some((k) => k === undefined)) return undefined;
  if (out !== 'f32' && !placement.intOnGpu && !leaves.some((l) => l.storage instanceof GpuStorage)) return undefined;
  return { kinds: kinds as Kind[], out };
}
