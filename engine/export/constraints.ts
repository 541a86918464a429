// After tracing: which user-declared Dims did the program violate (specialised to
// a constant, narrowed, tied to another Dim, or guarded in a way a Dim cannot
// express), with the fixes torch suggests,
// and the range constraints an ExportedProgram reports.

import { type ConstraintViolation, ConstraintViolationError, EXPORT_ERROR_SUFFIX } from '../core/errors';
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

/**
 * How torch names a Dim's range in a violation: `n = L['x'].size()[0] in the
 * specified range`, with the bounds that differ from the default [2, int_oo]
 * (`in the specified range 3 <= n <= 10`).
 */
function renderRange(dim: string, source: string, r: ValueRange): string {
  const lo = r.lo <= 2 ? undefined : r.lo;
  const hi = r.hi === Infinity ? undefined : r.hi;
  let out = `${dim} = ${source} in the specified range`;
  if (lo !== undefined && hi !== undefined) out += ` ${lo} <= ${dim} <= ${hi}`;
  else if (hi !== undefined) out += ` ${dim} <= ${hi}`;
  else if (lo !== undefined) out += ` ${lo} <= ${dim}`;
  return out;
}

/**
 * Note [Guards that violate a Dim]
 * torch's produce_guards issues every guard tracing took, except those the
 * (refined) value ranges already decide. A guard over exactly one symbol that
 * belongs to a user Dim violates it unless DimConstraints finds it trivial —
 * and it never does for Ne/And/Or, nor for a relation that survived range
 * refinement (linear bounds become ranges and are reported by the range check;
 * equalities become replacements). So what is left here are guards a Dim's
 * range cannot express — `round(s0/2) != 1`, `Mod(s0, 2) == 0` — each its own
 * bullet, printed as Python with sources for symbols. Dim.DYNAMIC dims are
 * relaxed constraints in torch and never reported this way.
 */
function guardViolations(env: ShapeEnv): ConstraintViolation[] {
  const out: ConstraintViolation[] = [];
  const issued = new Set<string>();
  for (const g of env.guards) {
    const expr = env.simplify(g.expr);
    if (expr.kind === 'bool' || issued.has(expr.key)) continue;
    if (env.staticallyKnownAsTorch(expr) !== undefined) continue;
    issued.add(expr.key);
    const syms = [...E.freeSymbols(expr)];
    if (syms.length !== 1) continue;
    const info = env.info(syms[0]!);
    const user = info.userDim;
    if (!user || user.fromHint || info.kind !== 'backed') continue;
    const source = info.source ?? user.name;
    const guard = E.printPython(expr, (n) => env.info(n).source ?? n);
    out.push({
      dimName: user.name,
      reason: `Not all values of ${renderRange(user.name, source, user.range)} satisfy the generated guard ${guard}.`,
      suggestedFix: '',
    });
  }
  return out;
}

export function findViolations(env: ShapeEnv): ConstraintViolation[] {
  // torch's order: specialisations and equalities (checked per input source),
  // then guards (Note [Guards that violate a Dim]), then narrowed ranges.
  const specialised: ConstraintViolation[] = [];
  const narrowed: ConstraintViolation[] = [];
  for (const info of env.allSymbols()) {
    const user = info.userDim;
    if (!user || info.kind !== 'backed') continue;
    const rep = env.replacement(info.name);
    const value = rep ? env.simplify(rep) : undefined;
    const c = value?.constantValue;
    if (c !== undefined) {
      specialised.push({
        dimName: user.name,
        reason: `You marked ${user.name} as dynamic but your code specialized it to be a constant (${c}). If you're using mark_dynamic, either remove it or use maybe_mark_dynamic. If you're using Dim.DYNAMIC, replace it with either Dim.STATIC or Dim.AUTO.`,
        suggestedFix: `${user.name} = ${c}`,
      });
      continue;
    }
    if (value) {
      const other = value.asSymbol ? env.info(value.asSymbol.name) : undefined;
      if (other?.userDim && other.userDim.name !== user.name) {
        specialised.push({
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
      narrowed.push({
        dimName: user.name,
        reason: `Not all values of ${renderRange(user.name, info.source ?? user.name, user.range)} satisfy the generated guard ${rangeGuard(info.source ?? user.name, new ValueRange(Math.max(lo, r.lo), hi))}`,
        suggestedFix: `${user.name} = ${dimCall(user.name, lo, hi)}`,
      });
    }
  }
  return [...specialised, ...guardViolations(env), ...narrowed];
}

/** The message torch gives: fixes listed only for the violations that have one. */
function violationMessage(violations: readonly ConstraintViolation[]): string {
  const names = [...new Set(violations.map((v) => v.dimName))].sort().join(', ');
  const lines = [`Constraints violated (${names})! For more information, run with TORCH_LOGS="+dynamic".`];
  for (const v of violations) lines.push(`  - ${v.reason}`);
  const fixes = violations.filter((v) => v.suggestedFix);
  if (fixes.length) {
    lines.push('Suggested fixes:');
    for (const v of fixes) lines.push(`  ${v.suggestedFix}`);
  }
  return `${lines.join('\n')}\n\n${EXPORT_ERROR_SUFFIX}`;
}

export function checkConstraints(env: ShapeEnv): void {
  const v = findViolations(env);
  if (!v.length) return;
  const err = new ConstraintViolationError(v);
  (err as { message: string }).message = violationMessage(v);
  throw err;
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
