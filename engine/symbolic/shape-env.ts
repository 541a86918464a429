// The ShapeEnv owns the symbols of one trace: backed symbols (s0, s1, …) made
// from example sizes, which carry a hint (the example value), and unbacked
// symbols (u0, …) made from data (`.item()`), which do not. It records the guards
// that tracing took on them, turns guards into replacements (s1 := s0, s0 := 4)
// and range refinements, keeps runtime asserts (torch._check on unbacked values),
// and at the end reports which user-declared Dims the program violated.
//
// Note [Hints versus constants]
// A backed symbol's hint is the size it had in the example input; tracing uses it
// to decide branches, recording the decision as a guard. A constant is a size
// the program does not vary over. Deciding with a hint makes the program valid
// only where the guard holds; a decision that follows from value ranges alone
// (`staticallyKnownTrue`) needs no guard.

import {
  type BoolExpr,
  type Poly,
  evaluate,
  freeSymbols,
  int,
  not,
  printExpr,
  rel,
  scale,
  sub,
  substitute,
  symbol,
} from './expr';
import { ValueRange, decideStatically, polyRange } from './value-ranges';
import { GuardOnDataDependentError, RuntimeAssertionError } from '../core/errors';

export interface SymbolInfo {
  readonly name: string;
  readonly kind: 'backed' | 'unbacked';
  /** Example value (backed symbols only); see Note [Hints versus constants]. */
  readonly hint?: number;
  range: ValueRange;
  /** Where the size came from, as torch prints it: `L['x'].size()[0]`. */
  readonly source?: string;
  /**
   * The user's Dim for this symbol, when the user declared one (`fromHint`: it
   * came from Dim.DYNAMIC, whose name is the source).
   */
  readonly userDim?: { readonly name: string; readonly range: ValueRange; readonly fromHint?: boolean };
}

export interface Guard {
  readonly expr: BoolExpr;
  /** The user's frame that caused it, for messages. */
  readonly userFrame?: string;
}

export class ShapeEnv {
  private readonly symbols = new Map<string, SymbolInfo>();
  private readonly replacements = new Map<string, Poly>();
  readonly guards: Guard[] = [];
  readonly runtimeAsserts: BoolExpr[] = [];
  private backedCount = 0;
  private unbackedCount = 0;
  /** While frozen (re-checking metadata), decisions use hints but record nothing. */
  private frozen = false;

  /** Run `fn` without recording guards or learning facts (for verification passes). */
  withFrozenGuards<T>(fn: () => T): T {
    const saved = this.frozen;
    this.frozen = true;
    try {
      return fn();
    } finally {
      this.frozen = saved;
    }
  }

  /** Supplies the user's current source frame for error messages (set by the tracer). */
  userFrame: () => string | undefined = () => undefined;

  createBackedSymbol(hint: number, opts: { source?: string; range?: ValueRange; userDim?: SymbolInfo['userDim']; name?: string } = {}): Poly {
    const name = this.freshName('s', opts.name);
    this.symbols.set(name, { name, kind: 'backed', hint, range: opts.range ?? new ValueRange(0, Infinity), source: opts.source, userDim: opts.userDim });
    return symbol(name);
  }

  createUnbackedSymbol(range: ValueRange = ValueRange.unknown, name?: string): Poly {
    name = this.freshName('u', name);
    this.symbols.set(name, { name, kind: 'unbacked', range });
    return symbol(name);
  }

  /** `s0`, `s1` … in creation order; a given name (loaded programs keep torch's `s27`) must be unused. */
  private freshName(prefix: 's' | 'u', given?: string): string {
    if (given !== undefined) {
      if (!/^[su]\d+$/.test(given) || given[0] !== prefix || this.symbols.has(given)) throw new Error(`internal error: bad or duplicate symbol name ${given}`);
      return given;
    }
    let name: string;
    do name = `${prefix}${prefix === 's' ? this.backedCount++ : this.unbackedCount++}`;
    while (this.symbols.has(name));
    return name;
  }

  info(name: string): SymbolInfo {
    const i = this.symbols.get(name);
    if (!i) throw new Error(`internal error: unknown symbol ${name}`);
    return i;
  }

  allSymbols(): SymbolInfo[] {
    return [...this.symbols.values()];
  }

  replacement(name: string): Poly | undefined {
    return this.replacements.get(name);
  }

  /** Apply replacements until fixed point. */
  simplify(e: Poly): Poly;
  simplify(e: BoolExpr): BoolExpr;
  simplify(e: Poly | BoolExpr): Poly | BoolExpr;
  simplify(e: Poly | BoolExpr): Poly | BoolExpr {
    let cur = e;
    for (let i = 0; i < 8; i++) {
      const next = substitute(cur, (n) => this.replacements.get(n));
      if (next.key === cur.key) return next;
      cur = next;
    }
    return cur;
  }

  private symRange = (name: string): ValueRange => this.symbols.get(name)?.range ?? ValueRange.unknown;

  range(e: Poly): ValueRange {
    return polyRange(this.simplify(e), this.symRange);
  }

  /** Value under the example hints, or undefined when an unbacked symbol is involved. */
  hint(e: Poly): number | undefined;
  hint(e: BoolExpr): boolean | undefined;
  hint(e: Poly | BoolExpr): number | boolean | undefined;
  hint(e: Poly | BoolExpr): number | boolean | undefined {
    const s = this.simplify(e as Poly);
    for (const n of freeSymbols(s)) if (this.symbols.get(n)?.hint === undefined) return undefined;
    return evaluate(s, (n) => this.symbols.get(n)!.hint!);
  }

  staticallyKnown(e: BoolExpr): boolean | undefined {
    const s = this.simplify(e);
    return decideStatically(s, this.symRange, sub);
  }

  /**
   * Decide with the ranges torch's ShapeEnv has for backed sizes: 0 and 1 are
   * specialised, so a backed symbol is at least 2 (a Dim's declared min of 0 or
   * 1 is the user's range, not the symbol's). produce_guards skips a guard that
   * this decides.
   */
  staticallyKnownAsTorch(e: BoolExpr): boolean | undefined {
    const s = this.simplify(e);
    return decideStatically(s, (n) => {
      const info = this.symbols.get(n);
      const r = info?.range ?? ValueRange.unknown;
      return info?.kind === 'backed' && r.lo < 2 && r.hi >= 2 ? new ValueRange(2, r.hi) : r;
    }, sub);
  }

  /**
   * torch's size-oblivious reasoning: decide as if every size symbol were at
   * least 2 (0 and 1 are the special cases code handles separately), without a
   * guard. undefined when even that does not decide it.
   */
  knownSizeOblivious(e: BoolExpr): boolean | undefined {
    const s = this.simplify(e);
    return decideStatically(s, (n) => {
      const r = this.symRange(n);
      return new ValueRange(Math.max(r.lo, 2), Math.max(r.hi, 2));
    }, sub);
  }

  /**
   * Decide a branch on a symbolic boolean (Python's `bool(sym)`), guarding on the
   * hint. Throws GuardOnDataDependentError when it depends on unbacked symbols.
   */
  evaluateGuard(e: BoolExpr): boolean {
    const s = this.simplify(e);
    const known = decideStatically(s, this.symRange, sub);
    if (known !== undefined) return known;
    const hinted = this.hint(s);
    if (hinted === undefined) throw this.dataDependentError(s);
    if (this.frozen) return hinted;
    const taken = hinted ? s : not(s);
    this.guards.push({ expr: taken, userFrame: this.userFrame() });
    this.learn(taken);
    return hinted;
  }

  /** Specialise an expression to its hint (guarding equality); SymFloats too (`float(x)`). */
  guardInt(e: Poly): number {
    const s = this.simplify(e);
    const c = s.constantValue;
    if (c !== undefined) return c;
    const r = this.range(s);
    if (r.isSingleton) return r.lo;
    const h = this.hint(s);
    if (h === undefined) throw this.dataDependentError(s);
    this.evaluateGuard(rel('==', s, int(h)));
    return h;
  }

  /** torch._check(cond): refine what is known; assert at run time if it is about data. */
  check(e: BoolExpr, message?: string): void {
    const s = this.simplify(e);
    const known = decideStatically(s, this.symRange, sub);
    if (known === true) return;
    if (known === false) throw new RuntimeAssertionError(message ?? `Runtime assertion failed for expression ${printExpr(s)}`);
    const hinted = this.hint(s);
    if (hinted === false) throw new RuntimeAssertionError(message ?? `Runtime assertion failed for expression ${printExpr(s)}`);
    if (this.frozen) return;
    if (hinted === undefined) this.runtimeAsserts.push(s);
    else this.guards.push({ expr: s, userFrame: this.userFrame() });
    this.learn(s);
  }

  dataDependentError(s: BoolExpr | Poly): GuardOnDataDependentError {
    const text = printExpr(s);
    const unbacked = [...freeSymbols(s)].filter((n) => this.symbols.get(n)?.kind === 'unbacked');
    const frame = this.userFrame();
    const lines = [
      `Could not guard on data-dependent expression ${text} (unhinted: ${text}).  (Size-like symbols: none)`,
      '',
      'consider using data-dependent friendly APIs such as guard_or_false, guard_or_true and statically_known_true.',
    ];
    if (unbacked.length) lines.push(`For extended logs when we create symbols, also add TORCHDYNAMO_EXTENDED_DEBUG_CREATE_SYMBOL="${unbacked.join(',')}"`);
    if (frame) lines.push('', 'The following call raised this error:', frame);
    return new GuardOnDataDependentError(text, lines.join('\n'));
  }

  /** Turn a fact that now holds into replacements and range refinements. */
  private learn(fact: BoolExpr): void {
    if (fact.kind === 'and') {
      for (const a of fact.args) this.learn(a);
      return;
    }
    if (fact.kind !== 'rel') return;
    const diff = this.simplify(sub(fact.lhs, fact.rhs)); // fact: diff <op> 0
    const linear = asLinearInOneSymbol(diff);
    if (fact.op === '==') {
      if (linear) {
        const { name, a, b } = linear; // a*name + b == 0
        if (b % a === 0) this.replace(name, int(-b / a));
        return;
      }
      // s_j == expr: replace the newest symbol that appears with coefficient ±1.
      const syms = [...freeSymbols(diff)].sort((x, y) => symbolOrder(y) - symbolOrder(x));
      for (const n of syms) {
        const t = [...diff.terms.values()].find((t) => t.mono.factors.length === 1 && t.mono.factors[0]![0].key === n && t.mono.factors[0]![1] === 1);
        if (t && Math.abs(t.coeff) === 1) {
          const rest = sub(diff, scale(symbol(n), t.coeff));
          const value = scale(rest, -t.coeff); // name = -(rest)/coeff
          if (freeSymbols(value).has(n)) continue;
          this.replace(n, value);
          return;
        }
      }
      return;
    }
    if (!linear) return;
    const { name, a, b } = linear;
    const info = this.symbols.get(name);
    if (!info) return;
    // a*x + b <op> 0  →  bound on x.
    const bound = -b / a;
    let r = info.range;
    const flip = a < 0;
    const op = flip ? ({ '<': '>', '<=': '>=', '>': '<', '>=': '<=', '!=': '!=', '==': '==' } as const)[fact.op] : fact.op;
    switch (op) {
      case '<':
        r = r.intersect(new ValueRange(-Infinity, Math.ceil(bound) - 1));
        break;
      case '<=':
        r = r.intersect(new ValueRange(-Infinity, Math.floor(bound)));
        break;
      case '>':
        r = r.intersect(new ValueRange(Math.floor(bound) + 1, Infinity));
        break;
      case '>=':
        r = r.intersect(new ValueRange(Math.ceil(bound), Infinity));
        break;
      case '!=':
        if (Number.isInteger(bound)) {
          if (bound === r.lo) r = new ValueRange(r.lo + 1, r.hi);
          else if (bound === r.hi) r = new ValueRange(r.lo, r.hi - 1);
        }
        break;
    }
    info.range = r;
    if (r.isSingleton) this.replace(name, int(r.lo));
  }

  /**
   * Declare that a fresh unbacked symbol is the same value as an existing
   * expression (re-tracing a program re-creates `u0` for the same `.item()`).
   */
  aliasUnbacked(name: string, value: Poly): void {
    if (this.symbols.get(name)?.kind !== 'unbacked') throw new Error(`internal error: ${name} is not an unbacked symbol`);
    if (this.simplify(value).key !== symbol(name).key) this.replace(name, this.simplify(value));
  }

  private replace(name: string, value: Poly): void {
    const info = this.symbols.get(name);
    if (info) {
      const vr = polyRange(value, this.symRange);
      const c = value.constantValue;
      if (c !== undefined) info.range = ValueRange.exact(c);
      else {
        // The replacing expression inherits the replaced symbol's bounds.
        const target = value.asSymbol;
        if (target) {
          const ti = this.symbols.get(target.name);
          if (ti) ti.range = ti.range.intersect(info.range);
        }
        info.range = info.range.intersect(vr);
      }
    }
    this.replacements.set(name, value);
  }

  /** Runtime check of the runtime asserts against concrete symbol values. */
  checkRuntimeAsserts(values: Map<string, number>): void {
    for (const a of this.runtimeAsserts) {
      const ok = evaluate(a, (n) => {
        const v = values.get(n);
        if (v === undefined) throw new Error(`no value for ${n}`);
        return v;
      });
      if (!ok) throw new RuntimeAssertionError(`Runtime assertion failed for expression ${printExpr(a)}`);
    }
  }
}

function symbolOrder(name: string): number {
  const n = Number(name.slice(1));
  return (name[0] === 'u' ? 1e6 : 0) + n;
}

/** diff == a*sym + b with a single symbol of degree 1, else undefined. */
function asLinearInOneSymbol(diff: Poly): { name: string; a: number; b: number } | undefined {
  let name: string | undefined;
  let a = 0;
  let b = 0;
  for (const t of diff.terms.values()) {
    if (t.mono.key === '') {
      b = t.coeff;
      continue;
    }
    if (t.mono.factors.length !== 1) return undefined;
    const [atom, p] = t.mono.factors[0]!;
    if (p !== 1 || atom.kind !== 'symbol' || name !== undefined) return undefined;
    name = atom.name;
    a = t.coeff;
  }
  return name === undefined ? undefined : { name, a, b };
}

