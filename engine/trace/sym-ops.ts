// Symbolic scalars in user code: `x.shape[1] + 1`, `n >= 0`, `int(s)`, `bool(b)`,
// torch._check, and SymFloats (`x.shape[0] / 2`, `round(...)`, `math.floor(...)`). While tracing, arithmetic on symbolic values records
// operator.* nodes (printed `sym_size_int + 1`); branching guards; checks on
// data-dependent values become _assert_scalar nodes.

import { EngineError, RuntimeAssertionError } from '../core/errors';
import * as S from '../symbolic';
import { type BoolLike, type FloatLike, type IntLike, SymBool, SymFloat, SymInt } from '../symbolic';
import { currentTracer } from './tracer';
import { type Node } from '../ir/graph';
import { callOp } from './dispatch';

export type SymBinaryOp = 'add' | 'sub' | 'mul' | 'floordiv' | 'mod' | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

const IMPL: Record<SymBinaryOp, (a: IntLike, b: IntLike) => IntLike | BoolLike> = {
  add: S.symAdd,
  sub: S.symSub,
  mul: S.symMul,
  floordiv: S.symFloorDiv,
  mod: S.symMod,
  eq: S.symEq,
  ne: S.symNe,
  lt: S.symLt,
  le: S.symLe,
  gt: S.symGt,
  ge: S.symGe,
};

const isSym = (v: unknown): v is SymInt | SymBool => v instanceof SymInt || v instanceof SymBool;

/** `a <op> b` on Python ints / SymInts, recording an operator node while tracing. */
export function symBinary(op: SymBinaryOp, a: IntLike, b: IntLike): IntLike | BoolLike {
  const result = IMPL[op](a, b);
  const tracer = currentTracer();
  if (tracer && (isSym(a) || isSym(b)) && isSym(result)) {
    // Like torch's tracer, an expression computed before is read from its node again.
    const exprKey = result instanceof SymInt ? tracer.env.simplify(result.expr).key : tracer.env.simplify(result.expr).key;
    const key = `${op}:${exprKey}`;
    const seen = tracer.symExprNodes.get(key);
    if (seen) tracer.setProxy(result, seen);
    else {
      const node = tracer.createCall(`operator.${op}`, [tracer.toNodeArg(a), tracer.toNodeArg(b)], {}, op, result);
      tracer.symExprNodes.set(key, node);
      tracer.setProxy(result, node);
    }
  }
  return result;
}

/** Python's bool(): guards on symbolic values. */
export function symBool(v: BoolLike): boolean {
  return S.guardBool(v);
}

/** Python's int(): specialises symbolic values. */
export function symInt(v: IntLike): number {
  return S.guardInt(v);
}

/** torch._check(cond, message). */
export function torchCheck(cond: BoolLike, message?: string): void {
  if (typeof cond === 'boolean') {
    if (!cond) throw new RuntimeAssertionError(message ?? 'Expected cond to be True, but got False. (Could this error message be improved? If so, please report an enhancement request to PyTorch.)');
    return;
  }
  const env = cond.env;
  const isDataDependent = cond.hint === undefined;
  env.check(cond.expr, message);
  const tracer = currentTracer();
  if (tracer && isDataDependent) {
    // torch re-creates the condition as a fresh node for the runtime assert (the
    // user's own comparison node is left unused and dropped), hence `ge_1`.
    const userNode = tracer.toNodeArg(cond) as Node;
    const fresh = tracer.createCall(userNode.target, [...userNode.args], { ...userNode.kwargs }, userNode.name.replace(/_\d+$/, ''), cond);
    tracer.setProxy(cond, fresh);
    callOp('aten._assert_scalar.default', [cond, `Runtime assertion failed for expression ${cond.toString()} on node '${fresh.name}'`]);
  }
}

// ---------------------------------------------------------------- SymFloat

/** Python's ZeroDivisionError (`x.shape[0] / 0`). */
export class ZeroDivisionError extends EngineError {
  readonly pythonType = 'ZeroDivisionError';
}

/** Nodes computing SymFloats (the tracer's proxies cover SymInt/SymBool only). */
const floatNodes = new WeakMap<SymFloat, Node>();

type Num = IntLike | FloatLike;
const isSymNum = (v: unknown): v is SymInt | SymFloat | SymBool => isSym(v) || v instanceof SymFloat;

function nodeArg(v: unknown): unknown {
  const tracer = currentTracer()!;
  if (v instanceof SymFloat) {
    const n = floatNodes.get(v);
    if (n) return n;
    const c = tracer.env.simplify(v.expr).constantValue;
    if (c !== undefined) return c;
    throw new Error(`internal error: no graph value computes the symbolic float ${v.toString()}`);
  }
  return tracer.toNodeArg(v);
}

/** Record `target(args)` computing a symbolic result, sharing nodes of expressions computed before. */
function recordSym(target: string, nameHint: string, args: readonly unknown[], result: unknown): void {
  const tracer = currentTracer();
  if (!tracer || !args.some(isSymNum) || !isSymNum(result)) return;
  const key = `${nameHint}:${tracer.env.simplify(result.expr as S.Poly).key}`;
  let node = tracer.symExprNodes.get(key);
  if (!node) {
    node = tracer.createCall(target, args.map(nodeArg), {}, nameHint, result);
    tracer.symExprNodes.set(key, node);
  }
  if (result instanceof SymFloat) floatNodes.set(result, node);
  else tracer.setProxy(result, node);
}

export type SymFloatOp = 'add' | 'sub' | 'mul' | 'truediv' | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
const FLOAT_REL: Partial<Record<SymFloatOp, S.RelOp>> = { eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' };

/**
 * `a <op> b` where the result is a float or one operand is (Python's `/` on
 * ints, arithmetic and comparisons with floats or SymFloats). `aIsFloat` /
 * `bIsFloat` say that a plain number is a Python float (`2.0`), which matters
 * for `/` (IntTrueDiv versus FloatTrueDiv).
 */
export function symFloatBinary(op: SymFloatOp, a: Num, b: Num, aIsFloat = false, bIsFloat = false): FloatLike | BoolLike {
  let result: FloatLike | BoolLike;
  const rel = FLOAT_REL[op];
  if (rel) result = S.symFloatRel(rel, a, b);
  else if (op === 'truediv') {
    if (typeof b === 'number' && b === 0) throw new ZeroDivisionError(aIsFloat || bIsFloat || a instanceof SymFloat ? 'float division by zero' : 'division by zero');
    result = S.symTrueDiv(a, b, aIsFloat, bIsFloat);
  } else result = op === 'add' ? S.symFloatAdd(a, b) : op === 'sub' ? S.symFloatSub(a, b) : S.symFloatMul(a, b);
  recordSym(`operator.${op}`, op, [a, b], result);
  return result;
}

export type SymToIntFn = 'round' | 'floor' | 'ceil' | 'trunc';
const TO_INT = { round: S.symRound, floor: S.symFloorToInt, ceil: S.symCeilToInt, trunc: S.symTruncToInt } as const;
const TO_INT_TARGET: Record<SymToIntFn, string> = { round: 'round', floor: 'math.floor', ceil: 'math.ceil', trunc: 'math.trunc' };

/** Python's round(x), math.floor/ceil/trunc(x) of a (symbolic) float: a SymInt, no guard. */
export function symToInt(fn: SymToIntFn, x: Num): IntLike {
  const result = TO_INT[fn](x);
  recordSym(TO_INT_TARGET[fn], fn, [x], result);
  return result;
}

/** Python's float(x) on a symbolic value: specialises it to its hint. */
export function symFloat(v: Num): number {
  return S.guardFloat(v);
}
