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
      return `(1.0 / (1.0 + exp(-${a})))`;
    case 'tanh':
      return `tanh(clamp(${a}, -20.0, 20.0))`;
    case 'silu':
      return `(${a} / (1.0 + exp(-${a})))`;
    case 'gelu':
      return `(0.5 * ${a} * (1.0 + erf_(${a} * 0.70710678118654752)))`;
    case 'gelu_tanh':
      return `(0.5 * ${a} * (1.0 + tanh(clamp(0.79788456080286536 * (${a} + 0.044715 * ${a} * ${a} * ${a}), -20.0, 20.0))))`;
    case 'neg':
      return `(-${a})`;
    case 'exp':
      return `exp(${a})`;
    case 'log':
      return `log(${a})`;
    case 'sqrt':
      return `sqrt(${a})`;
    case 'rsqrt':
      return `inverseSqrt(${a})`;
    case 'abs':
      return `abs(${a})`;
    case 'sin':
      return `sin(${a})`;
    case 'cos':
      return `cos(${a})`;
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
      return [h.prelude(), POW, ...fns, h.main(body.join('\n'))].join('\n');
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
