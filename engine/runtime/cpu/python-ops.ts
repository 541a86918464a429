// Python-level functions that exported graphs call on symbolic ints and floats
// (operator.*, math.*, torch.sym_*): evaluated on the concrete values at run time.

type PyFn = (args: unknown[]) => unknown;

const n = (v: unknown): number => Number(v);
const floorDiv = (a: number, b: number): number => Math.floor(a / b);
const pyMod = (a: number, b: number): number => a - Math.floor(a / b) * b;

export const PY_FUNCTIONS: Readonly<Record<string, PyFn>> = {
  'operator.add': ([a, b]) => n(a) + n(b),
  'operator.sub': ([a, b]) => n(a) - n(b),
  'operator.mul': ([a, b]) => n(a) * n(b),
  'operator.floordiv': ([a, b]) => floorDiv(n(a), n(b)),
  'operator.truediv': ([a, b]) => n(a) / n(b),
  'operator.mod': ([a, b]) => pyMod(n(a), n(b)),
  'operator.pow': ([a, b]) => n(a) ** n(b),
  'operator.neg': ([a]) => -n(a),
  'operator.pos': ([a]) => n(a),
  'operator.abs': ([a]) => Math.abs(n(a)),
  'operator.eq': ([a, b]) => n(a) === n(b),
  'operator.ne': ([a, b]) => n(a) !== n(b),
  'operator.lt': ([a, b]) => n(a) < n(b),
  'operator.le': ([a, b]) => n(a) <= n(b),
  'operator.gt': ([a, b]) => n(a) > n(b),
  'operator.ge': ([a, b]) => n(a) >= n(b),
  'operator.and_': ([a, b]) => (typeof a === 'boolean' ? a && Boolean(b) : n(a) & n(b)),
  'operator.or_': ([a, b]) => (typeof a === 'boolean' ? a || Boolean(b) : n(a) | n(b)),
  'operator.xor': ([a, b]) => (typeof a === 'boolean' ? a !== Boolean(b) : n(a) ^ n(b)),
  'operator.lshift': ([a, b]) => n(a) * 2 ** n(b),
  'operator.rshift': ([a, b]) => Math.floor(n(a) / 2 ** n(b)),
  'operator.not_': ([a]) => !a,
  'operator.invert': ([a]) => ~n(a),
  'math.trunc': ([a]) => Math.trunc(n(a)),
  'math.floor': ([a]) => Math.floor(n(a)),
  'math.ceil': ([a]) => Math.ceil(n(a)),
  'torch.sym_not': ([a]) => !a,
  'torch.sym_int': ([a]) => Math.trunc(n(a)),
  'torch.sym_float': ([a]) => n(a),
  'torch.sym_ite': ([c, a, b]) => (c ? a : b),
  'torch.sym_max': ([a, b]) => Math.max(n(a), n(b)),
  'torch.sym_min': ([a, b]) => Math.min(n(a), n(b)),
  'torch.sym_sqrt': ([a]) => Math.sqrt(n(a)),
  'torch.sym_sum': ([xs]) => (xs as unknown[]).reduce((s: number, x) => s + n(x), 0),
};
