// torch.export.Dim: named dynamic dimensions with ranges, derived dims
// (`dimx + 1`, `2 * dimx`), `dims(...)`, and the AUTO / DYNAMIC / STATIC hints.

export class Dim {
  static readonly AUTO = Object.freeze({ hint: 'AUTO' as const });
  static readonly DYNAMIC = Object.freeze({ hint: 'DYNAMIC' as const });
  static readonly STATIC = Object.freeze({ hint: 'STATIC' as const });

  readonly min: number;
  readonly max: number;

  constructor(
    readonly name: string,
    opts: { min?: number; max?: number } = {},
  ) {
    if (!/^[A-Za-z_]\w*$/.test(name)) throw new TypeError(`Dim name must be a valid identifier, got ${name}`);
    this.min = opts.min ?? 0;
    this.max = opts.max ?? Infinity;
    if (this.min > this.max) throw new RangeError(`Cannot create Dim with inconsistent min=${this.min}, max=${this.max}`);
  }

  /** `dim + k` */
  plus(k: number): DerivedDim {
    return new DerivedDim(this, 1, k);
  }
  /** `k * dim` */
  times(k: number): DerivedDim {
    return new DerivedDim(this, k, 0);
  }
  minus(k: number): DerivedDim {
    return new DerivedDim(this, 1, -k);
  }

  toString(): string {
    if (this.max === Infinity) return `Dim('${this.name}', min=${this.min})`;
    if (this.min === 0) return `Dim('${this.name}', max=${this.max})`;
    return `Dim('${this.name}', min=${this.min}, max=${this.max})`;
  }
}

/** coeff * root + offset. */
export class DerivedDim {
  constructor(
    readonly root: Dim,
    readonly coeff: number,
    readonly offset: number,
  ) {}
  get name(): string {
    const base = this.coeff === 1 ? this.root.name : `${this.coeff}*${this.root.name}`;
    if (this.offset === 0) return base;
    return this.offset > 0 ? `${base} + ${this.offset}` : `${base} - ${-this.offset}`;
  }
  plus(k: number): DerivedDim {
    return new DerivedDim(this.root, this.coeff, this.offset + k);
  }
  times(k: number): DerivedDim {
    return new DerivedDim(this.root, this.coeff * k, this.offset * k);
  }
  toString(): string {
    return this.name;
  }
}

export type DimHint = typeof Dim.AUTO | typeof Dim.DYNAMIC | typeof Dim.STATIC;
export type DimSpec = Dim | DerivedDim | DimHint | null | undefined;

export function dims(...names: string[]): Dim[] {
  return names.map((n) => new Dim(n));
}

/** Hints compare by their name, so copies that crossed a host boundary (Pyodide) still match. */
export function isDimHint(v: unknown, which?: DimHint['hint']): v is DimHint {
  if (typeof v !== 'object' || v === null) return false;
  const h = (v as { hint?: unknown }).hint;
  return (h === 'AUTO' || h === 'DYNAMIC' || h === 'STATIC') && (which === undefined || h === which);
}

export function isDimSpec(v: unknown): v is DimSpec {
  return v === null || v === undefined || v instanceof Dim || v instanceof DerivedDim || isDimHint(v);
}
