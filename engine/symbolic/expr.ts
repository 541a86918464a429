// Symbolic integer and boolean expressions over size symbols (s0, u0), kept in a
// canonical form so that equal expressions are structurally equal: integer
// expressions are polynomials with integer coefficients over atoms (symbols and
// opaque functions such as FloorDiv), booleans are relations and connectives.
// Printing follows sympy's str() as PyTorch shows it (`s0 + 1`, `2*s0`,
// `Eq(u0, 1)`, `u0 >= 0`).

export type Expr = Poly | BoolExpr;

/** A product of atoms with positive integer powers, in canonical order. */
interface Monomial {
  readonly key: string; // '' for the constant term
  readonly factors: ReadonlyArray<readonly [Atom, number]>;
}

export type Atom = SymbolAtom | FnAtom;

export interface SymbolAtom {
  readonly kind: 'symbol';
  readonly name: string;
  readonly key: string;
}

/**
 * Opaque functions. The first group is integer-valued on integers; `IntTrueDiv`
 * (`a / b` of two ints) and `FloatTrueDiv` (`/` involving a float) are
 * float-valued, and `RoundToInt`, `FloorToInt`, `CeilToInt`, `TruncToInt` turn a
 * float back into an int (Python's round(), math.floor, math.ceil, int()).
 * See Note [Float-valued expressions].
 */
export type FnName = 'FloorDiv' | 'Mod' | 'Max' | 'Min' | 'CeilDiv' | 'TruncToInt' | 'IntTrueDiv' | 'FloatTrueDiv' | 'RoundToInt' | 'FloorToInt' | 'CeilToInt';

// Note [Float-valued expressions]
// SymFloats (`s0 / 2`) reuse Poly: a float expression is a polynomial whose
// atoms may be float-valued functions and whose constant may be fractional.
// Only the functions above produce fractional values, so an expression free of
// them is still an integer polynomial. True division is never folded into a
// coefficient (`s0 / 2` stays IntTrueDiv(s0, 2), printed `s0/2`, as sympy keeps
// torch's IntTrueDiv), so printing and guards read like torch's.

export interface FnAtom {
  readonly kind: 'fn';
  readonly fn: FnName;
  readonly args: readonly Poly[];
  readonly key: string;
}

/** Σ coeff·monomial. Constants are polys with only the '' monomial. */
export class Poly {
  readonly kind = 'poly' as const;
  readonly key: string;
  constructor(readonly terms: ReadonlyMap<string, { readonly coeff: number; readonly mono: Monomial }>) {
    this.key = [...terms.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, t]) => `${t.coeff}*${k}`)
      .join('+');
  }
  get isConstant(): boolean {
    return this.terms.size === 0 || (this.terms.size === 1 && this.terms.has(''));
  }
  get constantValue(): number | undefined {
    if (this.terms.size === 0) return 0;
    if (this.terms.size === 1 && this.terms.has('')) return this.terms.get('')!.coeff;
    return undefined;
  }
  /** The single symbol this poly is exactly equal to, if any. */
  get asSymbol(): SymbolAtom | undefined {
    if (this.terms.size !== 1) return undefined;
    const [t] = this.terms.values();
    if (t!.coeff !== 1 || t!.mono.factors.length !== 1) return undefined;
    const [atom, pow] = t!.mono.factors[0]!;
    return pow === 1 && atom.kind === 'symbol' ? atom : undefined;
  }
  toString(): string {
    return printExpr(this);
  }
}

export type RelOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export type BoolExpr =
  | { readonly kind: 'bool'; readonly value: boolean; readonly key: string }
  | { readonly kind: 'rel'; readonly op: RelOp; readonly lhs: Poly; readonly rhs: Poly; readonly key: string }
  | { readonly kind: 'and' | 'or'; readonly args: readonly BoolExpr[]; readonly key: string }
  | { readonly kind: 'not'; readonly arg: BoolExpr; readonly key: string };

// ---------------------------------------------------------------- construction

const monoOf = (factors: Array<readonly [Atom, number]>): Monomial => {
  factors.sort(([a], [b]) => compareAtoms(a, b));
  return { key: factors.map(([a, p]) => (p === 1 ? a.key : `${a.key}^${p}`)).join('·'), factors };
};

const CONST_MONO: Monomial = { key: '', factors: [] };

export function int(n: number): Poly {
  if (!Number.isFinite(n) && !Number.isNaN(n)) {
    // ±int_oo is represented as a constant with an infinite coefficient.
    return new Poly(new Map([['', { coeff: n, mono: CONST_MONO }]]));
  }
  if (n === 0) return new Poly(new Map());
  return new Poly(new Map([['', { coeff: n, mono: CONST_MONO }]]));
}

export function atomPoly(a: Atom): Poly {
  const mono = monoOf([[a, 1]]);
  return new Poly(new Map([[mono.key, { coeff: 1, mono }]]));
}

export function symbol(name: string): Poly {
  return atomPoly({ kind: 'symbol', name, key: name });
}

function fromTerms(terms: Map<string, { coeff: number; mono: Monomial }>): Poly {
  for (const [k, t] of terms) if (t.coeff === 0) terms.delete(k);
  return new Poly(terms);
}

export function add(...xs: Poly[]): Poly {
  const terms = new Map<string, { coeff: number; mono: Monomial }>();
  for (const x of xs)
    for (const [k, t] of x.terms) {
      const prev = terms.get(k);
      terms.set(k, { coeff: (prev?.coeff ?? 0) + t.coeff, mono: t.mono });
    }
  return fromTerms(terms);
}

export const neg = (x: Poly): Poly => scale(x, -1);
export const sub = (a: Poly, b: Poly): Poly => add(a, neg(b));

export function scale(x: Poly, c: number): Poly {
  const terms = new Map<string, { coeff: number; mono: Monomial }>();
  for (const [k, t] of x.terms) terms.set(k, { coeff: t.coeff * c, mono: t.mono });
  return fromTerms(terms);
}

export function mul(a: Poly, b: Poly): Poly {
  const terms = new Map<string, { coeff: number; mono: Monomial }>();
  for (const ta of a.terms.values())
    for (const tb of b.terms.values()) {
      const pows = new Map<string, [Atom, number]>();
      for (const [atom, p] of [...ta.mono.factors, ...tb.mono.factors]) {
        const prev = pows.get(atom.key);
        pows.set(atom.key, [atom, (prev?.[1] ?? 0) + p]);
      }
      const mono = monoOf([...pows.values()]);
      const prev = terms.get(mono.key);
      terms.set(mono.key, { coeff: (prev?.coeff ?? 0) + ta.coeff * tb.coeff, mono });
    }
  return fromTerms(terms);
}

const pyFloorDiv = (a: number, b: number): number => Math.floor(a / b);
const pyMod = (a: number, b: number): number => a - Math.floor(a / b) * b;

function fnAtom(fn: FnName, args: Poly[]): Poly {
  return atomPoly({ kind: 'fn', fn, args, key: `${fn}(${args.map((a) => a.key).join(',')})` });
}

/** Python `a // b` on sizes. Exact when b divides every coefficient of a. */
export function floorDiv(a: Poly, b: Poly): Poly {
  const av = a.constantValue;
  const bv = b.constantValue;
  if (av !== undefined && bv !== undefined) return int(pyFloorDiv(av, bv));
  if (bv === 1) return a;
  if (bv !== undefined && bv !== 0 && [...a.terms.values()].every((t) => t.coeff % bv === 0)) return scale(a, 1 / bv);
  if (a.key === b.key) return int(1);
  return fnAtom('FloorDiv', [a, b]);
}

export function mod(a: Poly, b: Poly): Poly {
  const av = a.constantValue;
  const bv = b.constantValue;
  if (av !== undefined && bv !== undefined) return int(pyMod(av, bv));
  if (bv === 1) return int(0);
  if (bv !== undefined && bv !== 0 && [...a.terms.values()].every((t) => t.coeff % bv === 0)) return int(0);
  return fnAtom('Mod', [a, b]);
}

export function ceilDiv(a: Poly, b: Poly): Poly {
  return neg(floorDiv(neg(a), b));
}

/** Python's round(x) (ties to even), as sympy's RoundToInt evaluates it. */
export function pyRound(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** `a / b` of two integer expressions (torch's IntTrueDiv); a float expression. */
export function intTrueDiv(a: Poly, b: Poly): Poly {
  const av = a.constantValue;
  const bv = b.constantValue;
  if (av !== undefined && bv !== undefined && bv !== 0) return int(av / bv);
  if (bv === 1) return a;
  return fnAtom('IntTrueDiv', [a, b]);
}

/** `a / b` where either side is a float expression (torch's FloatTrueDiv). */
export function floatTrueDiv(a: Poly, b: Poly): Poly {
  const av = a.constantValue;
  const bv = b.constantValue;
  if (av !== undefined && bv !== undefined && bv !== 0) return int(av / bv);
  if (bv === 1) return a;
  return fnAtom('FloatTrueDiv', [a, b]);
}

function toIntFn(fn: 'RoundToInt' | 'FloorToInt' | 'CeilToInt' | 'TruncToInt', f: (x: number) => number) {
  return (x: Poly): Poly => {
    const v = x.constantValue;
    if (v !== undefined) return int(f(v));
    if (!isFloatValued(x)) return x;
    return fnAtom(fn, [x]);
  };
}

/** Python's round(x) of a float expression. */
export const roundToInt = toIntFn('RoundToInt', pyRound);
/** math.floor(x) */
export const floorToInt = toIntFn('FloorToInt', Math.floor);
/** math.ceil(x) */
export const ceilToInt = toIntFn('CeilToInt', Math.ceil);
/** int(x) / math.trunc(x) */
export const truncToInt = toIntFn('TruncToInt', Math.trunc);

const FLOAT_FNS: ReadonlySet<FnName> = new Set(['IntTrueDiv', 'FloatTrueDiv']);

/** Whether an expression may take non-integer values (see Note [Float-valued expressions]). */
export function isFloatValued(p: Poly): boolean {
  for (const t of p.terms.values()) {
    if (!Number.isInteger(t.coeff) && Number.isFinite(t.coeff)) return true;
    for (const [atom] of t.mono.factors) if (atom.kind === 'fn' && FLOAT_FNS.has(atom.fn)) return true;
  }
  return false;
}

export function max(a: Poly, b: Poly): Poly {
  const av = a.constantValue;
  const bv = b.constantValue;
  if (av !== undefined && bv !== undefined) return int(Math.max(av, bv));
  if (a.key === b.key) return a;
  return fnAtom('Max', [a, b].sort((x, y) => (x.key < y.key ? -1 : 1)));
}

export function min(a: Poly, b: Poly): Poly {
  const av = a.constantValue;
  const bv = b.constantValue;
  if (av !== undefined && bv !== undefined) return int(Math.min(av, bv));
  if (a.key === b.key) return a;
  return fnAtom('Min', [a, b].sort((x, y) => (x.key < y.key ? -1 : 1)));
}

export const TRUE: BoolExpr = { kind: 'bool', value: true, key: 'True' };
export const FALSE: BoolExpr = { kind: 'bool', value: false, key: 'False' };
export const boolConst = (b: boolean): BoolExpr => (b ? TRUE : FALSE);

const REL_EVAL: Record<RelOp, (a: number, b: number) => boolean> = {
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

export function rel(op: RelOp, lhs: Poly, rhs: Poly): BoolExpr {
  const d = sub(lhs, rhs).constantValue;
  if (d !== undefined) return boolConst(REL_EVAL[op](d, 0));
  // Symmetric relations keep a constant on the right (Eq(1, s0) is Eq(s0, 1)).
  if ((op === '==' || op === '!=') && lhs.isConstant && !rhs.isConstant) [lhs, rhs] = [rhs, lhs];
  return { kind: 'rel', op, lhs, rhs, key: `${lhs.key}${op}${rhs.key}` };
}

function dedupe(args: BoolExpr[]): BoolExpr[] {
  const seen = new Set<string>();
  return args.filter((a) => (seen.has(a.key) ? false : (seen.add(a.key), true)));
}

export function and(...args: BoolExpr[]): BoolExpr {
  const flat: BoolExpr[] = [];
  for (const a of args) {
    if (a.kind === 'bool') {
      if (!a.value) return FALSE;
      continue;
    }
    if (a.kind === 'and') flat.push(...a.args);
    else flat.push(a);
  }
  const args1 = dedupe(flat);
  if (args1.length === 0) return TRUE;
  if (args1.length === 1) return args1[0]!;
  return { kind: 'and', args: args1, key: `And(${args1.map((x) => x.key).join(',')})` };
}

export function or(...args: BoolExpr[]): BoolExpr {
  const flat: BoolExpr[] = [];
  for (const a of args) {
    if (a.kind === 'bool') {
      if (a.value) return TRUE;
      continue;
    }
    if (a.kind === 'or') flat.push(...a.args);
    else flat.push(a);
  }
  const args1 = dedupe(flat);
  if (args1.length === 0) return FALSE;
  if (args1.length === 1) return args1[0]!;
  return { kind: 'or', args: args1, key: `Or(${args1.map((x) => x.key).join(',')})` };
}

const NEGATED: Record<RelOp, RelOp> = { '==': '!=', '!=': '==', '<': '>=', '<=': '>', '>': '<=', '>=': '<' };

export function not(a: BoolExpr): BoolExpr {
  switch (a.kind) {
    case 'bool':
      return boolConst(!a.value);
    case 'rel':
      return rel(NEGATED[a.op], a.lhs, a.rhs);
    case 'not':
      return a.arg;
    case 'and':
      return or(...a.args.map(not));
    case 'or':
      return and(...a.args.map(not));
  }
}

// ---------------------------------------------------------------- traversal

export function freeSymbols(e: Expr, out = new Set<string>()): Set<string> {
  if (e.kind === 'poly') {
    for (const t of e.terms.values())
      for (const [atom] of t.mono.factors) {
        if (atom.kind === 'symbol') out.add(atom.name);
        else for (const a of atom.args) freeSymbols(a, out);
      }
  } else if (e.kind === 'rel') {
    freeSymbols(e.lhs, out);
    freeSymbols(e.rhs, out);
  } else if (e.kind === 'and' || e.kind === 'or') for (const a of e.args) freeSymbols(a, out);
  else if (e.kind === 'not') freeSymbols(e.arg, out);
  return out;
}

function applyFn(fn: FnName, args: Poly[]): Poly {
  const [a, b] = args as [Poly, Poly];
  switch (fn) {
    case 'FloorDiv':
      return floorDiv(a, b);
    case 'Mod':
      return mod(a, b);
    case 'Max':
      return max(a, b);
    case 'Min':
      return min(a, b);
    case 'CeilDiv':
      return ceilDiv(a, b);
    case 'TruncToInt':
      return truncToInt(a);
    case 'IntTrueDiv':
      return intTrueDiv(a, b);
    case 'FloatTrueDiv':
      return floatTrueDiv(a, b);
    case 'RoundToInt':
      return roundToInt(a);
    case 'FloorToInt':
      return floorToInt(a);
    case 'CeilToInt':
      return ceilToInt(a);
  }
}

/** Replace symbols by expressions and re-canonicalise. */
export function substitute(e: Poly, sub: (name: string) => Poly | undefined): Poly;
export function substitute(e: BoolExpr, sub: (name: string) => Poly | undefined): BoolExpr;
export function substitute(e: Expr, sub: (name: string) => Poly | undefined): Expr;
export function substitute(e: Expr, s: (name: string) => Poly | undefined): Expr {
  switch (e.kind) {
    case 'poly': {
      let acc = int(0);
      for (const t of e.terms.values()) {
        let term = int(t.coeff);
        for (const [atom, p] of t.mono.factors) {
          const base = atom.kind === 'symbol' ? (s(atom.name) ?? atomPoly(atom)) : applyFn(atom.fn, atom.args.map((a) => substitute(a, s)));
          for (let i = 0; i < p; i++) term = mul(term, base);
        }
        acc = add(acc, term);
      }
      return acc;
    }
    case 'bool':
      return e;
    case 'rel':
      return rel(e.op, substitute(e.lhs, s), substitute(e.rhs, s));
    case 'and':
      return and(...e.args.map((a) => substitute(a, s)));
    case 'or':
      return or(...e.args.map((a) => substitute(a, s)));
    case 'not':
      return not(substitute(e.arg, s));
  }
}

/** Evaluate with every free symbol given a value. */
export function evaluate(e: Poly, env: (name: string) => number): number;
export function evaluate(e: BoolExpr, env: (name: string) => number): boolean;
export function evaluate(e: Expr, env: (name: string) => number): number | boolean;
export function evaluate(e: Expr, env: (name: string) => number): number | boolean {
  const r = substitute(e, (n) => int(env(n)));
  if (r.kind === 'poly') {
    const v = r.constantValue;
    if (v === undefined) throw new Error(`cannot evaluate ${printExpr(e)}`);
    return v;
  }
  if (r.kind !== 'bool') throw new Error(`cannot evaluate ${printExpr(e)}`);
  return r.value;
}

// ---------------------------------------------------------------- printing

function compareAtoms(a: Atom, b: Atom): number {
  if (a.kind !== b.kind) return a.kind === 'symbol' ? -1 : 1;
  return naturalCompare(a.key, b.key);
}

function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

function degree(m: Monomial): number {
  return m.factors.reduce((d, [, p]) => d + p, 0);
}

function printAtom(a: Atom): string {
  if (a.kind === 'symbol') return a.name;
  const args = a.args.map((x) => printExpr(x));
  const wrap = (x: string) => (/^[\w.]+$/.test(x) ? x : `(${x})`);
  if (a.fn === 'FloorDiv') return `(${wrap(args[0]!)}//${wrap(args[1]!)})`;
  // torch's IntTrueDiv/FloatTrueDiv print as `s0/2`, RoundToInt as `round(s0/2)`.
  if (a.fn === 'IntTrueDiv' || a.fn === 'FloatTrueDiv') return `${wrap(args[0]!)}/${wrap(args[1]!)}`;
  if (a.fn === 'RoundToInt') return `round(${args[0]})`;
  return `${a.fn}(${args.join(', ')})`;
}

function printMonomial(m: Monomial): string {
  return m.factors.map(([a, p]) => {
    const s = printAtom(a);
    return p === 1 ? s : `${s}**${p}`;
  }).join('*');
}

/** sympy-style ordering: higher degree first, then by symbol name; constants last. */
function orderedTerms(p: Poly) {
  return [...p.terms.values()].sort((x, y) => {
    const dx = degree(x.mono);
    const dy = degree(y.mono);
    if (dx !== dy) return dy - dx;
    return naturalCompare(x.mono.key, y.mono.key);
  });
}

function printPoly(p: Poly): string {
  if (p.terms.size === 0) return '0';
  let out = '';
  orderedTerms(p).forEach((t, i) => {
    const isConst = t.mono.key === '';
    const mag = Math.abs(t.coeff);
    let body: string;
    if (isConst) body = mag === Infinity ? 'int_oo' : String(mag);
    else body = mag === 1 ? printMonomial(t.mono) : `${mag}*${printMonomial(t.mono)}`;
    if (i === 0) out = t.coeff < 0 ? `-${body}` : body;
    else out += t.coeff < 0 ? ` - ${body}` : ` + ${body}`;
  });
  return out;
}

const REL_PRINT: Partial<Record<RelOp, string>> = { '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

export function printExpr(e: Expr): string {
  switch (e.kind) {
    case 'poly':
      return printPoly(e);
    case 'bool':
      return e.value ? 'True' : 'False';
    case 'rel': {
      const l = printPoly(e.lhs);
      const r = printPoly(e.rhs);
      if (e.op === '==') return `Eq(${l}, ${r})`;
      if (e.op === '!=') return `Ne(${l}, ${r})`;
      return `${l} ${REL_PRINT[e.op]} ${r}`;
    }
    case 'and':
      return e.args.map((a) => `(${printExpr(a)})`).join(' & ');
    case 'or':
      return e.args.map((a) => `(${printExpr(a)})`).join(' | ');
    case 'not':
      return `~(${printExpr(e.arg)})`;
  }
}

// ---------------------------------------------------------------- Python printing

const PY_REL: Record<RelOp, string> = { '==': '==', '!=': '!=', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

/**
 * Print as Python source, the way torch's guard printer writes guards in
 * constraint-violation messages: symbols replaced by their sources
 * (`L['x'].size()[0]`), `/` and `//` spaced, relations with Python operators and
 * connectives as `and` / `or` (`round(L['x'].size()[0] / 2) >= 0 and …`).
 */
export function printPython(e: Expr, name: (symbol: string) => string): string {
  const wrap = (x: string) => (/^[\w.]+$|^L\[[^\s]*\]$/.test(x) || /^[\w.]+\(.*\)$/.test(x) ? x : `(${x})`);
  const atom = (a: Atom): string => {
    if (a.kind === 'symbol') return name(a.name);
    const args = a.args.map((x) => printPython(x, name));
    switch (a.fn) {
      case 'FloorDiv':
        return `(${wrap(args[0]!)} // ${wrap(args[1]!)})`;
      case 'Mod':
        return `${wrap(args[0]!)} % ${wrap(args[1]!)}`;
      case 'IntTrueDiv':
      case 'FloatTrueDiv':
        return `${wrap(args[0]!)} / ${wrap(args[1]!)}`;
      case 'RoundToInt':
        return `round(${args[0]})`;
      case 'FloorToInt':
        return `math.floor(${args[0]})`;
      case 'CeilToInt':
        return `math.ceil(${args[0]})`;
      case 'TruncToInt':
        return `int(${args[0]})`;
      case 'Max':
        return `max(${args.join(', ')})`;
      case 'Min':
        return `min(${args.join(', ')})`;
      case 'CeilDiv':
        return `-(${wrap(printPython(neg(a.args[0]!), name))} // ${wrap(args[1]!)})`;
    }
  };
  switch (e.kind) {
    case 'poly': {
      if (e.terms.size === 0) return '0';
      let out = '';
      orderedTerms(e).forEach((t, i) => {
        const mag = Math.abs(t.coeff);
        let body: string;
        if (t.mono.key === '') body = mag === Infinity ? 'int_oo' : String(mag);
        else {
          const m = t.mono.factors.map(([a, p]) => (p === 1 ? atom(a) : `${wrap(atom(a))}**${p}`));
          const many = t.mono.factors.length > 1 || mag !== 1;
          body = (mag === 1 ? [] : [String(mag)]).concat(many ? m.map((x) => (/ [-+/] /.test(x) ? `(${x})` : x)) : m).join('*');
        }
        if (i === 0) out = t.coeff < 0 ? `-${body}` : body;
        else out += t.coeff < 0 ? ` - ${body}` : ` + ${body}`;
      });
      return out;
    }
    case 'bool':
      return e.value ? 'True' : 'False';
    case 'rel':
      return `${printPython(e.lhs, name)} ${PY_REL[e.op]} ${printPython(e.rhs, name)}`;
    case 'and':
      return e.args.map((a) => (a.kind === 'or' ? `(${printPython(a, name)})` : printPython(a, name))).join(' and ');
    case 'or':
      return e.args.map((a) => (a.kind === 'and' ? `(${printPython(a, name)})` : printPython(a, name))).join(' or ');
    case 'not':
      return `not (${printPython(e.arg, name)})`;
  }
}
