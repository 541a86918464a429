// SymInt and SymBool: symbolic scalars bound to a ShapeEnv, and the IntLike /
// BoolLike helpers that meta functions use so the same code works on plain
// numbers and on symbols. Results that simplify to constants come back as plain
// numbers/booleans, so static shapes stay static.

import * as E from './expr';
import { type BoolExpr, type Poly } from './expr';
import { type ShapeEnv } from './shape-env';
import { ValueRange } from './value-ranges';

export class SymInt {
  constructor(
    readonly expr: Poly,
    readonly env: ShapeEnv,
  ) {}
  /** The example value; see Note [Hints versus constants]. */
  get hint(): number | undefined {
    return this.env.hint(this.expr);
  }
  toString(): string {
    return E.printExpr(this.env.simplify(this.expr));
  }
}

export class SymBool {
  constructor(
    readonly expr: BoolExpr,
    readonly env: ShapeEnv,
  ) {}
  get hint(): boolean | undefined {
    return this.env.hint(this.expr);
  }
  toString(): string {
    return E.printExpr(this.env.simplify(this.expr));
  }
}

export type IntLike = number | SymInt;
export type BoolLike = boolean | SymBool;

export const isSymInt = (v: unknown): v is SymInt => v instanceof SymInt;
export const isSymBool = (v: unknown): v is SymBool => v instanceof SymBool;

export function toPoly(v: IntLike): Poly {
  return typeof v === 'number' ? E.int(v) : v.expr;
}

function envOf(...vs: Array<IntLike | BoolLike>): ShapeEnv | undefined {
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

export function wrapBool(e: BoolExpr, env: ShapeEnv | undefined): BoolLike {
  const s = env ? env.simplify(e) : e;
  if (s.kind === 'bool') return s.value;
  if (!env) throw new Error('internal error: symbolic value without a ShapeEnv');
  return new SymBool(s, env);
}

const binInt = (f: (a: Poly, b: Poly) => Poly) => (a: IntLike, b: IntLike): IntLike => wrapInt(f(toPoly(a), toPoly(b)), envOf(a, b));
const binRel = (op: E.RelOp) => (a: IntLike, b: IntLike): BoolLike => wrapBool(E.rel(op, toPoly(a), toPoly(b)), envOf(a, b));

export const symAdd = binInt(E.add);
export const symSub = binInt(E.sub);
export const symMul = binInt(E.mul);
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
