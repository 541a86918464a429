// Symbolic expressions as .pt2 files spell them: sympy `srepr` strings
// (`Add(Symbol('s27', positive=True, integer=True), Integer(1))`), which torch
// writes for sizes and sym values, and sympy `str` text (`s27 + 1`, `u0 >= 0`),
// which range-constraint keys and older files use. One small recursive-descent
// parser reads both into our Poly / BoolExpr; `srepr` writes the first form.

import * as E from '../symbolic/expr';
import { type BoolExpr, type Poly } from '../symbolic/expr';

export class ExprParseError extends Error {}

type Value = Poly | BoolExpr | string | boolean | { kw: string; value: Value };

const isPoly = (v: Value): v is Poly => v instanceof E.Poly;
const isBoolExpr = (v: Value): v is BoolExpr => typeof v === 'object' && v !== null && !(v instanceof E.Poly) && 'kind' in v;

/** How a symbol name in the text becomes a Poly (renaming, creating it in a ShapeEnv). */
export type SymbolResolver = (name: string) => Poly;

interface Token {
  readonly t: 'num' | 'name' | 'str' | 'op' | 'end';
  readonly v: string;
}

const OPS = ['**', '//', '>=', '<=', '==', '!=', '(', ')', ',', '+', '-', '*', '/', '%', '<', '>', '=', '&', '|', '~'];

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t' || c === '\n') {
      i++;
      continue;
    }
    if (/[0-9]/.test(c)) {
      let j = i;
      while (j < s.length && /[0-9]/.test(s[j]!)) j++;
      if (s[j] === '.' || s[j] === 'e' || s[j] === 'E') throw new ExprParseError(`non-integer number in '${s}'`);
      out.push({ t: 'num', v: s.slice(i, j) });
      i = j;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i;
      while (j < s.length && /[A-Za-z0-9_]/.test(s[j]!)) j++;
      out.push({ t: 'name', v: s.slice(i, j) });
      i = j;
      continue;
    }
    if (c === "'" || c === '"') {
      const j = s.indexOf(c, i + 1);
      if (j < 0) throw new ExprParseError(`unterminated string in '${s}'`);
      out.push({ t: 'str', v: s.slice(i + 1, j) });
      i = j + 1;
      continue;
    }
    const op = OPS.find((o) => s.startsWith(o, i));
    if (!op) throw new ExprParseError(`unexpected character '${c}' in '${s}'`);
    out.push({ t: 'op', v: op });
    i += op.length;
  }
  out.push({ t: 'end', v: '' });
  return out;
}

const REL_FNS: Record<string, E.RelOp> = {
  Eq: '==',
  Equality: '==',
  Ne: '!=',
  Unequality: '!=',
  Ge: '>=',
  GreaterThan: '>=',
  Le: '<=',
  LessThan: '<=',
  Gt: '>',
  StrictGreaterThan: '>',
  Lt: '<',
  StrictLessThan: '<',
};

const MAX_DEPTH = 200;

class Parser {
  private i = 0;
  private depth = 0;
  constructor(
    private readonly toks: Token[],
    private readonly text: string,
    private readonly resolve: SymbolResolver,
  ) {}

  private peek(): Token {
    return this.toks[this.i]!;
  }
  private next(): Token {
    return this.toks[this.i++]!;
  }
  private accept(op: string): boolean {
    const t = this.peek();
    if (t.t === 'op' && t.v === op) {
      this.i++;
      return true;
    }
    return false;
  }
  private expect(op: string): void {
    if (!this.accept(op)) throw new ExprParseError(`expected '${op}' in '${this.text}'`);
  }
  private fail(what: string): never {
    throw new ExprParseError(`${what} in '${this.text}'`);
  }

  parseAll(): Poly | BoolExpr {
    const v = this.expr();
    if (this.peek().t !== 'end') this.fail('unexpected trailing text');
    if (isPoly(v) || isBoolExpr(v)) return v;
    if (typeof v === 'boolean') return E.boolConst(v);
    return this.fail('not an expression');
  }

  private poly(v: Value): Poly {
    if (isPoly(v)) return v;
    return this.fail('expected an integer expression');
  }
  private bool(v: Value): BoolExpr {
    if (isBoolExpr(v)) return v;
    if (typeof v === 'boolean') return E.boolConst(v);
    return this.fail('expected a boolean expression');
  }

  private expr(): Value {
    if (++this.depth > MAX_DEPTH) this.fail('expression nested too deeply');
    try {
      return this.orExpr();
    } finally {
      this.depth--;
    }
  }

  private orExpr(): Value {
    let v = this.andExpr();
    while (this.accept('|')) v = E.or(this.bool(v), this.bool(this.andExpr()));
    return v;
  }
  private andExpr(): Value {
    let v = this.notExpr();
    while (this.accept('&')) v = E.and(this.bool(v), this.bool(this.notExpr()));
    return v;
  }
  private notExpr(): Value {
    if (this.accept('~')) return E.not(this.bool(this.notExpr()));
    return this.comparison();
  }
  private comparison(): Value {
    const lhs = this.sum();
    const t = this.peek();
    if (t.t === 'op' && ['>=', '<=', '==', '!=', '<', '>'].includes(t.v)) {
      this.i++;
      return E.rel(t.v as E.RelOp, this.poly(lhs), this.poly(this.sum()));
    }
    return lhs;
  }
  private sum(): Value {
    let v = this.term();
    for (;;) {
      if (this.accept('+')) v = E.add(this.poly(v), this.poly(this.term()));
      else if (this.accept('-')) v = E.sub(this.poly(v), this.poly(this.term()));
      else return v;
    }
  }
  private term(): Value {
    let v = this.unary();
    for (;;) {
      if (this.accept('*')) v = E.mul(this.poly(v), this.poly(this.unary()));
      else if (this.accept('//')) v = E.floorDiv(this.poly(v), this.poly(this.unary()));
      else if (this.accept('%')) v = E.mod(this.poly(v), this.poly(this.unary()));
      else if (this.accept('/')) this.fail('true division is not an integer expression');
      else return v;
    }
  }
  private unary(): Value {
    if (this.accept('-')) return E.neg(this.poly(this.unary()));
    if (this.accept('+')) return this.poly(this.unary());
    return this.power();
  }
  private power(): Value {
    const base = this.atom();
    if (this.accept('**')) return this.pow(this.poly(base), this.poly(this.unary()));
    return base;
  }
  private pow(base: Poly, exp: Poly): Poly {
    const n = exp.constantValue;
    if (n === undefined || !Number.isInteger(n) || n < 0 || n > 64) this.fail('only small non-negative integer powers are supported');
    let r = E.int(1);
    for (let k = 0; k < n; k++) r = E.mul(r, base);
    return r;
  }

  private atom(): Value {
    const t = this.next();
    if (t.t === 'num') {
      const n = Number(t.v);
      if (!Number.isSafeInteger(n)) this.fail(`integer ${t.v} is too large`);
      return E.int(n);
    }
    if (t.t === 'str') return t.v;
    if (t.t === 'op' && t.v === '(') {
      const v = this.expr();
      this.expect(')');
      return v;
    }
    if (t.t !== 'name') this.fail(`unexpected '${t.v}'`);
    const name = t.v;
    if (this.accept('(')) return this.call(name, this.args());
    switch (name) {
      case 'True':
      case 'true':
        return true;
      case 'False':
      case 'false':
        return false;
      case 'oo':
      case 'int_oo':
        return E.int(Infinity);
    }
    return this.resolve(name);
  }

  private args(): Value[] {
    const out: Value[] = [];
    if (this.accept(')')) return out;
    for (;;) {
      const t = this.peek();
      const t2 = this.toks[this.i + 1]!;
      if (t.t === 'name' && t2.t === 'op' && t2.v === '=') {
        this.i += 2;
        out.push({ kw: t.v, value: this.expr() });
      } else out.push(this.expr());
      if (this.accept(')')) return out;
      this.expect(',');
    }
  }

  private call(fn: string, rawArgs: Value[]): Value {
    const args = rawArgs.filter((a) => !(typeof a === 'object' && a !== null && 'kw' in a));
    const polys = () => args.map((a) => this.poly(a));
    const arity = (n: number) => {
      if (args.length !== n) this.fail(`${fn} takes ${n} arguments`);
    };
    switch (fn) {
      case 'Symbol': {
        arity(1);
        const n = args[0];
        if (typeof n !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) this.fail('Symbol needs a name');
        return this.resolve(n);
      }
      case 'Integer': {
        arity(1);
        return this.poly(args[0]!);
      }
      case 'Add':
        return E.add(...polys());
      case 'Mul':
        return polys().reduce((a, b) => E.mul(a, b), E.int(1));
      case 'Pow':
        arity(2);
        return this.pow(this.poly(args[0]!), this.poly(args[1]!));
      case 'FloorDiv':
      case 'CleanDiv':
        arity(2);
        return E.floorDiv(...(polys() as [Poly, Poly]));
      case 'Mod':
      case 'PythonMod':
        arity(2);
        return E.mod(...(polys() as [Poly, Poly]));
      case 'CeilDiv':
        arity(2);
        return E.ceilDiv(...(polys() as [Poly, Poly]));
      case 'Max':
      case 'Min': {
        const ps = polys();
        if (ps.length === 0) this.fail(`${fn} needs arguments`);
        return ps.reduce((a, b) => (fn === 'Max' ? E.max(a, b) : E.min(a, b)));
      }
      case 'And':
        return E.and(...args.map((a) => this.bool(a)));
      case 'Or':
        return E.or(...args.map((a) => this.bool(a)));
      case 'Not':
        arity(1);
        return E.not(this.bool(args[0]!));
      case 'BooleanTrue':
        return true;
      case 'BooleanFalse':
        return false;
    }
    const rel = REL_FNS[fn];
    if (rel) {
      arity(2);
      return E.rel(rel, this.poly(args[0]!), this.poly(args[1]!));
    }
    return this.fail(`unsupported function ${fn}`);
  }
}

/** Parse srepr or str text into a Poly or BoolExpr. */
export function parseSymExpr(text: string, resolve: SymbolResolver): Poly | BoolExpr {
  if (text.length > 100_000) throw new ExprParseError('expression text is too long');
  return new Parser(tokenize(text), text, resolve).parseAll();
}

/** Symbol names an expression text mentions, in order of appearance. */
export function symbolNamesIn(text: string): string[] {
  const names: string[] = [];
  parseSymExpr(text, (n) => {
    if (!names.includes(n)) names.push(n);
    return E.symbol(n);
  });
  return names;
}

// ---------------------------------------------------------------- srepr

function sreprSymbol(name: string): string {
  return name.startsWith('u') ? `Symbol('${name}', integer=True)` : `Symbol('${name}', positive=True, integer=True)`;
}

function sreprInt(n: number): string {
  if (n === Infinity) return 'oo';
  if (n === -Infinity) return '-oo';
  return `Integer(${n})`;
}

/** sympy.srepr of a Poly as torch writes sizes: `Add(Symbol('s0', positive=True, integer=True), Integer(1))`. */
export function sreprPoly(p: Poly): string {
  const c = p.constantValue;
  if (c !== undefined) return sreprInt(c);
  const terms = [...p.terms.values()].sort((x, y) => {
    const dx = x.mono.factors.reduce((d, [, k]) => d + k, 0);
    const dy = y.mono.factors.reduce((d, [, k]) => d + k, 0);
    if (dx !== dy) return dy - dx;
    return x.mono.key.localeCompare(y.mono.key, 'en', { numeric: true });
  });
  const termStr = terms.map((t) => {
    const factors = t.mono.factors.map(([atom, pow]) => {
      const a = atom.kind === 'symbol' ? sreprSymbol(atom.name) : `${atom.fn}(${atom.args.map(sreprPoly).join(', ')})`;
      return pow === 1 ? a : `Pow(${a}, Integer(${pow}))`;
    });
    if (factors.length === 0) return sreprInt(t.coeff);
    if (t.coeff === 1 && factors.length === 1) return factors[0]!;
    return `Mul(${[...(t.coeff === 1 ? [] : [sreprInt(t.coeff)]), ...factors].join(', ')})`;
  });
  return termStr.length === 1 ? termStr[0]! : `Add(${termStr.join(', ')})`;
}

const REL_SREPR: Record<E.RelOp, string> = {
  '==': 'Equality',
  '!=': 'Unequality',
  '>=': 'GreaterThan',
  '<=': 'LessThan',
  '>': 'StrictGreaterThan',
  '<': 'StrictLessThan',
};

export function sreprBool(b: BoolExpr): string {
  switch (b.kind) {
    case 'bool':
      return b.value ? 'True' : 'False';
    case 'rel':
      return `${REL_SREPR[b.op]}(${sreprPoly(b.lhs)}, ${sreprPoly(b.rhs)})`;
    case 'and':
      return `And(${b.args.map(sreprBool).join(', ')})`;
    case 'or':
      return `Or(${b.args.map(sreprBool).join(', ')})`;
    case 'not':
      return `Not(${sreprBool(b.arg)})`;
  }
}
