// Symbolic scalars in user code: `x.shape[1] + 1`, `n >= 0`, `int(s)`, `bool(b)`,
// torch._check. While tracing, arithmetic on symbolic values records
// operator.* nodes (printed `sym_size_int + 1`); branching guards; checks on
// data-dependent values become _assert_scalar nodes.

import { RuntimeAssertionError } from '../core/errors';
import * as S from '../symbolic';
import { type BoolLike, type IntLike, SymBool, SymInt } from '../symbolic';
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
