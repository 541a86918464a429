// After tracing: which user-declared Dims did the program violate (specialised to
// a constant, narrowed, or tied to another Dim), with the fixes torch suggests,
// and the range constraints an ExportedProgram reports.

import { type ConstraintViolation, ConstraintViolationError } from '../core/errors';
import * as E from '../symbolic/expr';
import { type Poly, type ShapeEnv, ValueRange, SymInt, printExpr } from '../symbolic';
import { type IntLike } from '../symbolic';

function dimCall(name: string, lo: number, hi: number): string {
  const parts = [`'${name}'`];
  if (lo > 0) parts.push(`min=${lo}`);
  if (hi !== Infinity) parts.push(`max=${hi}`);
  return `Dim(${parts.join(', ')})`;
}

/** torch's rendering of a range as a guard on a source: `6 <= L['x'].size()[0] and L['x'].size()[0] <= IntInfinity()`. */
function rangeGuard(src: string, r: ValueRange): string {
  const hi = r.hi === Infinity ? 'IntInfinity()' : String(r.hi);
  return `${r.lo} <= ${src} and ${src} <= ${hi}`;
}

export function findViolations(env: ShapeEnv): ConstraintViolation[] {
  const out: ConstraintViolation[] = [];
  for (const info of env.allSymbols()) {
    const user = info.userDim;
    if (!user || info.kind !== 'backed') continue;
    const rep = env.replacement(info.name);
    const value = rep ? env.simplify(rep) : undefined;
    const c = value?.constantValue;
    if (c !== undefined) {
      out.push({
        dimName: user.name,
        reason: `You marked ${user.name} as dynamic but your code specialized it to be a constant (${c}). If you're using mark_dynamic, either remove it or use maybe_mark_dynamic. If you're using Dim.DYNAMIC, replace it with either Dim.STATIC or Dim.AUTO.`,
        suggestedFix: `${user.name} = ${c}`,
      });
      continue;
    }
    if (value) {
      const other = value.asSymbol ? env.info(value.asSymbol.name) : undefined;
      if (other?.userDim && other.userDim.name !== user.name) {
        out.push({
          dimName: user.name,
          reason: `The values of ${user.name} = ${info.source} and ${other.userDim.name} = ${other.source} must always be equal.`,
          suggestedFix: `${user.name} = ${other.userDim.name}`,
        });
      }
      continue;
    }
    // 0 and 1 are specialised implicitly (see Note [Hints versus constants]): a
    // lower bound raised to 2 from a declared 0 or 1 is not a violation.
    const r = info.range;
    const loViolated = r.lo > Math.max(user.range.lo, 2) || (user.range.lo >= 2 && r.lo > user.range.lo);
    const hiViolated = r.hi < user.range.hi;
    if (loViolated || hiViolated) {
      const lo = loViolated ? r.lo : user.range.lo;
      const hi = hiViolated ? r.hi : user.range.hi;
      out.push({
        dimName: user.name,
        reason: `Not all values of ${user.name} = ${info.source} in the specified range satisfy the generated guard ${rangeGuard(info.source ?? user.name, new ValueRange(Math.max(lo, r.lo), hi))}`,
        suggestedFix: `${user.name} = ${dimCall(user.name, lo, hi)}`,
      });
    }
  }
  return out;
}

export function checkConstraints(env: ShapeEnv): void {
  const v = findViolations(env);
  if (v.length) throw new ConstraintViolationError(v);
}

export interface RangeConstraint {
  readonly expr: Poly;
  readonly range: ValueRange;
}

/** Range constraints: input symbols (and derived input sizes), then unbacked symbols. */
export function rangeConstraints(env: ShapeEnv, inputShapes: ReadonlyArray<readonly IntLike[] | undefined>): RangeConstraint[] {
  const out: RangeConstraint[] = [];
  const seen = new Set<string>();
  const addExpr = (e: Poly) => {
    const s = env.simplify(e);
    if (s.constantValue !== undefined || seen.has(s.key)) return;
    for (const name of E.freeSymbols(s)) {
      const sym = E.symbol(name);
      if (!seen.has(sym.key)) {
        seen.add(sym.key);
        out.push({ expr: sym, range: env.info(name).range });
      }
    }
    if (!s.asSymbol) {
      seen.add(s.key);
      out.push({ expr: s, range: env.range(s) });
    }
  };
  for (const shape of inputShapes) for (const d of shape ?? []) if (d instanceof SymInt) addExpr(d.expr);
  for (const info of env.allSymbols())
    if (info.kind === 'unbacked' && !env.replacement(info.name) && !seen.has(info.name)) {
      seen.add(info.name);
      out.push({ expr: E.symbol(info.name), range: info.range });
    }
  return out;
}

export function formatRangeConstraints(rcs: readonly RangeConstraint[]): string {
  return `{${rcs.map((r) => `${printExpr(r.expr)}: ${r.range.toString()}`).join(', ')}}`;
}
