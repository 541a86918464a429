// Pointwise ops for WebGPU as expression trees, and one program that evaluates a
// whole fused tree per output element: each tensor leaf is read through its own
// (broadcast) strides, scalars come from uniforms, the result is written through
// the output's strides. A chain like batch_norm → hardswish_, or the decomposed
// x·clamp(x+3, 0, 6)/6, becomes a single dispatch (see fuse.ts).

import { type ElemType, type ProgramInfo, type ShaderHelper, Uniforms, gridFor, type RunData } from '../program';

export type UnaryOp =
  | 'relu' | 'hardswish' | 'hardsigmoid' | 'sigmoid' | 'tanh' | 'silu' | 'gelu' | 'gelu_tanh'
  | 'neg' | 'exp' | 'log' | 'sqrt' | 'rsqrt' | 'abs' | 'sin' | 'cos' | 'reciprocal' | 'identity';
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'maximum' | 'minimum' | 'pow';

/** A pointwise expression: tensor leaves (`in`), uniform scalars (`sc`), operations. */
export type Expr =
  | { readonly t: 'in'; readonly i: number }
  | { readonly t: 'sc'; readonly i: number }
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
      return `s${e.i}`;
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
      return `select(0.0, ${a}, ${a} > 0.0 || ${a} != ${a})`;
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

/** WGSL statements computing `e`, one `let` per node; returns the final variable. */
function emit(e: Expr, out: string[], leaf: (i: number) => string, scalar: (i: number) => string): string {
  const v = (s: string) => {
    const name = `t${out.length}`;
    out.push(`  let ${name} = ${s};`);
    return name;
  };
  switch (e.t) {
    case 'in':
      return v(leaf(e.i));
    case 'sc':
      return v(scalar(e.i));
    case 'un':
      return v(unary(e.op, emit(e.a, out, leaf, scalar)));
    case 'bin':
      return v(binary(e.op, emit(e.a, out, leaf, scalar), emit(e.b, out, leaf, scalar)));
    case 'clamp': {
      // torch.clamp: min first, then max; NaN propagates.
      const a = emit(e.a, out, leaf, scalar);
      let r = a;
      if (e.lo) r = v(`select(max(${r}, ${emit(e.lo, out, leaf, scalar)}), ${a}, ${a} != ${a})`);
      if (e.hi) r = v(`select(min(${r}, ${emit(e.hi, out, leaf, scalar)}), ${a}, ${a} != ${a})`);
      return r;
    }
    case 'where':
      return v(`select(${emit(e.b, out, leaf, scalar)}, ${emit(e.a, out, leaf, scalar)}, ${emit(e.c, out, leaf, scalar)} != 0.0)`);
    case 'call': {
      const names = e.args.map((a) => emit(a, out, leaf, scalar));
      return v(e.f.replace(/\$(\d+)/g, (_, k: string) => names[Number(k)]!));
    }
    case 'bn': {
      const x = emit(e.x, out, leaf, scalar);
      const m = emit(e.mean, out, leaf, scalar);
      const va = emit(e.variance, out, leaf, scalar);
      const eps = emit(e.eps, out, leaf, scalar);
      let r = v(`(${x} - ${m}) * inverseSqrt(${va} + ${eps})`);
      if (e.w) r = v(`${r} * ${emit(e.w, out, leaf, scalar)}`);
      if (e.b) r = v(`${r} + ${emit(e.b, out, leaf, scalar)}`);
      return r;
    }
  }
}

/**
 * The fused program: out[i] = expr(in0[off0(i)], …, scalars) over `rank`-D
 * outputs. Uniforms: total, shape[rank], out strides[rank], out offset, per input
 * strides[rank] + offset, then the scalars.
 */
export function fusedElementwiseProgram(expr: Expr, inputTypes: readonly ElemType[], rank: number, scalars: number): ProgramInfo {
  const per = rank + 1;
  const words = 1 + rank + per + inputTypes.length * per + scalars;
  return {
    name: 'pointwise',
    cacheKey: { hint: `${exprKey(expr)}|s${scalars}`, inputDependencies: inputTypes.map((t) => `${t}r${rank}`) },
    bindings: { inputs: inputTypes, outputs: ['f32'] },
    uniformWords: words,
    getShaderSource: (h: ShaderHelper) => {
      const fns = [h.offsetFn('outOff', rank, 1, 1 + rank, 1 + 2 * rank)];
      inputTypes.forEach((_, k) => {
        const base = 1 + rank + per + k * per;
        fns.push(h.offsetFn(`inOff${k}`, rank, 1, base, base + rank));
      });
      const body: string[] = ['  if (idx >= U(0u)) { return; }'];
      const scalarBase = 1 + rank + per + inputTypes.length * per;
      const res = emit(
        expr,
        body,
        (i) => (inputTypes[i] === 'f32' ? `in${i}[inOff${i}(idx)]` : `f32(in${i}[inOff${i}(idx)])`),
        (i) => `Uf(${scalarBase + i}u)`,
      );
      body.push(`  out0[outOff(idx)] = ${res};`);
      return [h.prelude(), POW, TRANSCENDENTALS, ...fns, h.main(body.join('\n'))].join('\n');
    },
  };
}

/** Uniforms and grid for the fused program. */
export function fusedElementwiseRun(shape: readonly number[], outStrides: readonly number[], outOffset: number, inputs: ReadonlyArray<{ strides: readonly number[]; offset: number }>, scalars: readonly number[]): RunData {
  const n = shape.reduce((a, b) => a * b, 1);
  const u = new Uniforms().u(n).u(...shape).u(...outStrides).u(outOffset);
  for (const x of inputs) u.u(...x.strides).u(x.offset);
  u.f(...scalars);
  return { uniforms: u.build(), workgroups: gridFor(n) };
}
