// Intervals [lo, hi] with ±int_oo (integer-valued, or float-valued for SymFloat
// expressions), and interval evaluation of
// expressions: the basis for deciding guards statically and for the range
// constraints an ExportedProgram reports (`VR[0, int_oo]`).

import { type Poly, type BoolExpr, type Atom, pyRound } from './expr';

export class ValueRange {
  constructor(
    readonly lo: number,
    readonly hi: number,
  ) {}
  static readonly unknown = new ValueRange(-Infinity, Infinity);
  static exact(v: number): ValueRange {
    return new ValueRange(v, v);
  }
  get isSingleton(): boolean {
    return this.lo === this.hi;
  }
  contains(v: number): boolean {
    return v >= this.lo && v <= this.hi;
  }
  intersect(o: ValueRange): ValueRange {
    return new ValueRange(Math.max(this.lo, o.lo), Math.min(this.hi, o.hi));
  }
  equals(o: ValueRange): boolean {
    return this.lo === o.lo && this.hi === o.hi;
  }
  get isEmpty(): boolean {
    return this.lo > this.hi;
  }
  /** `VR[0, int_oo]` as torch prints range constraints. */
  toString(): string {
    return `VR[${boundStr(this.lo)}, ${boundStr(this.hi)}]`;
  }
}

export function boundStr(v: number): string {
  if (v === Infinity) return 'int_oo';
  if (v === -Infinity) return '-int_oo';
  return String(v);
}

const mulBound = (a: number, b: number): number => (a === 0 || b === 0 ? 0 : a * b);

function rangeMul(a: ValueRange, b: ValueRange): ValueRange {
  const c = [mulBound(a.lo, b.lo), mulBound(a.lo, b.hi), mulBound(a.hi, b.lo), mulBound(a.hi, b.hi)];
  return new ValueRange(Math.min(...c), Math.max(...c));
}

function rangeAdd(a: ValueRange, b: ValueRange): ValueRange {
  return new ValueRange(a.lo + b.lo, a.hi + b.hi);
}

function rangePow(a: ValueRange, p: number): ValueRange {
  let r = ValueRange.exact(1);
  for (let i = 0; i < p; i++) r = rangeMul(r, a);
  if (p % 2 === 0) r = new ValueRange(Math.max(0, r.lo), r.hi);
  return r;
}

function atomRange(a: Atom, symRange: (name: string) => ValueRange): ValueRange {
  if (a.kind === 'symbol') return symRange(a.name);
  const [x, y] = a.args.map((p) => polyRange(p, symRange)) as [ValueRange, ValueRange];
  switch (a.fn) {
    case 'Max':
      return new ValueRange(Math.max(x.lo, y.lo), Math.max(x.hi, y.hi));
    case 'Min':
      return new ValueRange(Math.min(x.lo, y.lo), Math.min(x.hi, y.hi));
    case 'FloorDiv':
    case 'CeilDiv':
      if (y.lo > 0) {
        const f = a.fn === 'FloorDiv' ? Math.floor : Math.ceil;
        const c = [x.lo / y.lo, x.lo / y.hi, x.hi / y.lo, x.hi / y.hi].filter((v) => !Number.isNaN(v));
        return new ValueRange(f(Math.min(...c)), f(Math.max(...c)));
      }
      return ValueRange.unknown;
    case 'Mod':
      if (y.lo > 0) return new ValueRange(0, y.hi - 1);
      return ValueRange.unknown;
    case 'TruncToInt':
      return new ValueRange(Math.trunc(x.lo), Math.trunc(x.hi));
    case 'FloorToInt':
      return new ValueRange(Math.floor(x.lo), Math.floor(x.hi));
    case 'CeilToInt':
      return new ValueRange(Math.ceil(x.lo), Math.ceil(x.hi));
    case 'RoundToInt':
      return new ValueRange(pyRound(x.lo), pyRound(x.hi));
    case 'IntTrueDiv':
    case 'FloatTrueDiv': {
      // Monotone in x for a divisor of one sign; unknown when it may be 0.
      if (!(y.lo > 0 || y.hi < 0)) return ValueRange.unknown;
      const c = [x.lo / y.lo, x.lo / y.hi, x.hi / y.lo, x.hi / y.hi].map((v) => (Number.isNaN(v) ? 0 : v));
      return new ValueRange(Math.min(...c), Math.max(...c));
    }
  }
}

/** Bound a polynomial given the ranges of its symbols. */
export function polyRange(p: Poly, symRange: (name: string) => ValueRange): ValueRange {
  let acc = ValueRange.exact(0);
  for (const t of p.terms.values()) {
    let r = ValueRange.exact(t.coeff);
    for (const [atom, pow] of t.mono.factors) r = rangeMul(r, rangePow(atomRange(atom, symRange), pow));
    acc = rangeAdd(acc, r);
  }
  return acc;
}

/** true/false when the ranges decide the expression, undefined otherwise. */
export function decideStatically(e: BoolExpr, symRange: (name: string) => ValueRange, sub: (a: Poly, b: Poly) => Poly): boolean | undefined {
  switch (e.kind) {
    case 'bool':
      return e.value;
    case 'not': {
      const v = decideStatically(e.arg, symRange, sub);
      return v === undefined ? undefined : !v;
    }
    case 'and': {
      let all = true;
      for (const a of e.args) {
        const v = decideStatically(a, symRange, sub);
        if (v === false) return false;
        if (v === undefined) all = false;
      }
      return all ? true : undefined;
    }
    case 'or': {
      let none = true;
      for (const a of e.args) {
        const v = decideStatically(a, symRange, sub);
        if (v === true) return true;
        if (v === undefined) none = false;
      }
      return none ? false : undefined;
    }
    case 'rel': {
      const d = polyRange(sub(e.lhs, e.rhs), symRange);
      switch (e.op) {
        case '==':
          if (d.lo === 0 && d.hi === 0) return true;
          return d.lo > 0 || d.hi < 0 ? false : undefined;
        case '!=':
          if (d.lo === 0 && d.hi === 0) return false;
          return d.lo > 0 || d.hi < 0 ? true : undefined;
        case '<':
          return d.hi < 0 ? true : d.lo >= 0 ? false : undefined;
        case '<=':
          return d.hi <= 0 ? true : d.lo > 0 ? false : undefined;
        case '>':
          return d.lo > 0 ? true : d.hi <= 0 ? false : undefined;
        case '>=':
          return d.lo >= 0 ? true : d.hi < 0 ? false : undefined;
      }
    }
  }
}
