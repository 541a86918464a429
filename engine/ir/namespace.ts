// Unique, legal Python names for graph values, chosen the way torch.fx's
// _Namespace chooses them: sanitize, avoid keywords and builtins, and count up
// a per-base suffix (`add`, `add_1`, `sum_1` since `sum` is a builtin).

const PY_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(' '),
);

const PY_BUILTINS = new Set(
  ('abs aiter all anext any ascii bin bool breakpoint bytearray bytes callable chr classmethod compile complex copyright credits delattr dict dir divmod enumerate eval exec exit filter float format frozenset getattr globals hasattr hash help hex id input int isinstance issubclass iter len license list locals map max memoryview min next object oct open ord pow print property quit range repr reversed round set setattr slice sorted staticmethod str sum super tuple type vars zip ' +
    'Ellipsis NotImplemented BaseException Exception ArithmeticError AssertionError AttributeError ' +
    // fx's custom builtins (names the generated code itself uses)
    'inf nan NoneType torch device fx_pytree pytree math os').split(/\s+/),
);

export class Namespace {
  private readonly used = new Set<string>();
  private readonly baseCount = new Map<string, number>();

  createName(candidate: string): string {
    let c = candidate.replace(/[^0-9a-zA-Z_]+/g, '_');
    if (!c) c = '_unnamed';
    if (/^\d/.test(c)) c = `_${c}`;
    const m = /^(.*)_(\d+)$/.exec(c);
    let base = c;
    let num: number | undefined;
    if (m) {
      base = m[1]!;
      num = Number(m[2]);
    }
    c = num === undefined ? base : `${base}_${num}`;
    let n = num ? num : (this.baseCount.get(base) ?? 0);
    while (this.used.has(c) || PY_KEYWORDS.has(c) || PY_BUILTINS.has(c)) {
      n += 1;
      c = `${base}_${n}`;
    }
    this.used.add(c);
    this.baseCount.set(base, n);
    return c;
  }

  release(name: string): void {
    this.used.delete(name);
  }

  has(name: string): boolean {
    return this.used.has(name);
  }
}
