// SymInt and SymBool: symbolic scalars bound to a ShapeEnv, and the IntLike /
// BoolLike helpers that meta functions use so the same code works on plain
// numbers and on symbols. Results that simplify to constants come back as plain
// numbers/booleans, so static shapes stay static.

import * as E from './expr';
import { type BoolExpr, type Poly } from './expr';
import { type ShapeEnv } from './shape-env';
import { ValueRange } from './value-ranges';

/** What SymInt, SymFloat and SymBool share: an expression bound to its ShapeEnv. */
abstract class SymScalar<X extends Poly | BoolExpr, H extends number | boolean> {
  constructor(
    readonly expr: X,
    readonly env: ShapeEnv,
  ) {}
  /** The example value; see Note [Hints versus constants]. */
  get hint(): H | undefined {
    return this.env.hint(this.expr) as H | undefined;
  }
  toString(): string {
    return E.printExpr(this.env.simplify(this.expr));
  }
}

export class SymInt extends SymScalar<Poly, number> {}

/**
 * A float whose value is symbolic (`s0/2`): true division of SymInts and float
 * arithmetic on them. See Note [Float-valued expressions] in expr.ts.
 */
export class SymFloat extends SymScalar<Poly, number> {}

export class SymBool extends SymScalar<BoolExpr, boolean> {}

export type IntLike = number | SymInt;
/** A Python float or a SymFloat (ints and SymInts are accepted where floats are). */
export type FloatLike = number | SymFloat;
export type BoolLike = boolean | SymBool;

export const isSymInt = (v: unknown): v is SymInt => v instanceof SymInt;
export const isSymBool = (v: unknown): v is SymBool => v instanceof SymBool;
export const isSymFloat = (v: unknown): v is SymFloat => v instanceof SymFloat;

export function toPoly(v: IntLike): Poly {
  return typeof v === 'number' ? E.int(v) : v.expr;
}

function envOf(...vs: Array<IntLike | BoolLike | FloatLike>): ShapeEnv | undefined {
  for (const v of vs) if (typeof v === 'object') return v.env;
  return undefined;
}

export function wrapInt(e: Poly, env: ShapeEnv | undefined): IntLike {
  const s = env ? env.simplify(e) : e;
  const c = s.constantValue;
  if (c !== undefined) return c;
  if (!env) throw new Error('internal error: symbolic value without a ShapeEnv');
  return new SymInt(s, env);
}

/** A float expression as a Python float (constant) or a SymFloat. */
export function wrapFloat(e: Poly, env: ShapeEnv | undefined): FloatLike {
  const s = env ? env.simplify(e) : e;
  const c = s.constantValue;
  if (c !== undefined) return c;
  if (!env) throw new Error('internal error: symbolic value without a ShapeEnv');
  return new SymFloat(s, env);
}

export function wrapBool(e: BoolExpr, env: ShapeEnv | undefined): BoolLike {
  const s = env ? env.simplify(e) : e;
  if (s.kind === 'bool') return s.value;
  if (!env) throw new Error('internal error: symbolic value without a ShapeEnv');
  return new SymBool(s, env);
}

const binInt = (f: (a: Poly, b: Poly) => Poly, onNumbers?: (a: number, b: number) => number) => (a: IntLike, b: IntLike): IntLike =>
  onNumbers && typeof a === 'number' && typeof b === 'number' ? onNumbers(a, b) : wrapInt(f(toPoly(a), toPoly(b)), envOf(a, b));
const binRel = (op: E.RelOp) => (a: IntLike, b: IntLike): BoolLike => wrapBool(E.rel(op, toPoly(a), toPoly(b)), envOf(a, b));

// Plain numbers (static sizes) take the arithmetic fast path: metas and kernels call these on every size.
export const symAdd = binInt(E.add, (a, b) => a + b);
export const symSub = binInt(E.sub, (a, b) => a - b);
export const symMul = binInt(E.mul, (a, b) => a * b);
export const symFloorDiv = binInt(E.floorDiv);
export const symMod = binInt(E.mod);
export const symCeilDiv = binInt(E.ceilDiv);
export const symMax = binInt(E.max);
export const symMin = binInt(E.min);
export const symNeg = (a: IntLike): IntLike => symSub(0, a);
export const symEq = binRel('==');
export const symNe = binRel('!=');
export const symLt = binRel('<');
export const symLe = binRel('<=');
export const symGt = binRel('>');
export const symGe = binRel('>=');

type NumLike = IntLike | FloatLike;
const numPoly = (v: NumLike): Poly => (typeof v === 'number' ? E.int(v) : v.expr);
/** Python's `a / b`: IntTrueDiv for two ints, FloatTrueDiv once a float is involved. */
export function symTrueDiv(a: NumLike, b: NumLike, aIsFloat = false, bIsFloat = false): FloatLike {
  const floaty = aIsFloat || bIsFloat || a instanceof SymFloat || b instanceof SymFloat;
  const pa = numPoly(a);
  const pb = numPoly(b);
  return wrapFloat(floaty ? E.floatTrueDiv(pa, pb) : E.intTrueDiv(pa, pb), envOf(a, b));
}
const binFloat = (f: (a: Poly, b: Poly) => Poly) => (a: NumLike, b: NumLike): FloatLike => wrapFloat(f(numPoly(a), numPoly(b)), envOf(a, b));
/** Float `+`, `-`, `*` with at least one float operand. */
export const symFloatAdd = binFloat(E.add);
export const symFloatSub = binFloat(E.sub);
export const symFloatMul = binFloat(E.mul);
/** Comparisons with a float operand. */
export const symFloatRel = (op: E.RelOp, a: NumLike, b: NumLike): BoolLike => wrapBool(E.rel(op, numPoly(a), numPoly(b)), envOf(a, b));
const toInt = (f: (x: Poly) => Poly) => (x: NumLike): IntLike => (typeof x === 'number' ? f(E.int(x)).constantValue! : wrapInt(f(x.expr), x.env));
/** Python's round(x) (no ndigits): torch's sym_round, RoundToInt. */
export const symRound = toInt(E.roundToInt);
/** math.floor / math.ceil / math.trunc of a float: FloorToInt, CeilToInt, TruncToInt. */
export const symFloorToInt = toInt(E.floorToInt);
export const symCeilToInt = toInt(E.ceilToInt);
export const symTruncToInt = toInt(E.truncToInt);

/** Python's float(x) on a SymFloat/SymInt: specialises to the hint, guarding equality. */
export function guardFloat(v: NumLike): number {
  if (typeof v === 'number') return v;
  return v.env.guardInt(v.expr);
}

export function symAnd(a: BoolLike, b: BoolLike): BoolLike {
  const pa = typeof a === 'boolean' ? E.boolConst(a) : a.expr;
  const pb = typeof b === 'boolean' ? E.boolConst(b) : b.expr;
  return wrapBool(E.and(pa, pb), envOf(a, b));
}
export function symOr(a: BoolLike, b: BoolLike): BoolLike {
  const pa = typeof a === 'boolean' ? E.boolConst(a) : a.expr;
  const pb = typeof b === 'boolean' ? E.boolConst(b) : b.expr;
  return wrapBool(E.or(pa, pb), envOf(a, b));
}
export function symNot(a: BoolLike): BoolLike {
  return typeof a === 'boolean' ? !a : wrapBool(E.not(a.expr), a.env);
}

export function product(xs: readonly IntLike[]): IntLike {
  return xs.reduce<IntLike>((acc, x) => symMul(acc, x), 1);
}

/** Python's bool(x): guards on the hint when symbolic. */
export function guardBool(b: BoolLike): boolean {
  return typeof b === 'boolean' ? b : b.env.evaluateGuard(b.expr);
}

/** Python's int(x): specialises a symbol to its hint. */
export function guardInt(v: IntLike): number {
  return typeof v === 'number' ? v : v.env.guardInt(v.expr);
}

/** True only when provably true from ranges; never adds a guard. */
export function staticallyKnownTrue(b: BoolLike): boolean {
  return typeof b === 'boolean' ? b : b.env.staticallyKnown(b.expr) === true;
}

/** Size-oblivious decision (sizes treated as ≥ 2), guarding only when that does not decide. */
export function guardSizeOblivious(b: BoolLike): boolean {
  if (typeof b === 'boolean') return b;
  const k = b.env.knownSizeOblivious(b.expr);
  if (k !== undefined) return k;
  return guardOrFalse(b);
}

/** Decide without guarding when possible; unprovable data-dependent → false. */
export function guardOrFalse(b: BoolLike): boolean {
  if (typeof b === 'boolean') return b;
  const k = b.env.staticallyKnown(b.expr);
  if (k !== undefined) return k;
  if (b.hint === undefined) return false;
  return b.env.evaluateGuard(b.expr);
}

export function guardOrTrue(b: BoolLike): boolean {
  if (typeof b === 'boolean') return b;
  const k = b.env.staticallyKnown(b.expr);
  if (k !== undefined) return k;
  if (b.hint === undefined) return true;
  return b.env.evaluateGuard(b.expr);
}

/** The example value of an IntLike (hint), or undefined for unbacked values. */
export function hintInt(v: IntLike): number | undefined {
  return typeof v === 'number' ? v : v.hint;
}

export function rangeOf(v: IntLike): ValueRange {
  return typeof v === 'number' ? ValueRange.exact(v) : v.env.range(v.expr);
}

export function intLikeToString(v: IntLike): string {
  return typeof v === 'number' ? String(v) : v.toString();
}

export function intLikeEqualsStatically(a: IntLike, b: IntLike): boolean {
  return staticallyKnownTrue(symEq(a, b));
}
