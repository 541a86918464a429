// Turning the user's dynamic_shapes spec and example inputs into symbolic input
// sizes: one backed symbol per Dim (shared by every input that names it),
// derived dims as expressions of their root, AUTO/DYNAMIC/STATIC hints, with the
// checks torch.export makes on the spec before tracing.

import { UserError, EXPORT_ERROR_SUFFIX } from '../core/errors';
import { type KeyEntry } from '../core/pytree';
import * as E from '../symbolic/expr';
import { type IntLike, type Poly, type ShapeEnv, SymInt, ValueRange, Dim, DerivedDim, isDimHint, type DimSpec } from '../symbolic';
import { Tensor } from '../trace/tensor';

/** A per-tensor spec: {dim: DimSpec} or [DimSpec per dim] or null. */
export type TensorShapeSpec = Record<number, DimSpec> | DimSpec[] | null | undefined;

export interface InputLeaf {
  /** Placeholder name, e.g. `inputs_bc_0`. */
  readonly name: string;
  /** torch's source string for the input, e.g. `L['inputs']['bc'][0]`. */
  readonly source: string;
  readonly value: unknown;
  readonly spec: TensorShapeSpec;
}

function specError(msg: string): UserError {
  return new UserError('INVALID_INPUT', `${msg}\n\n${EXPORT_ERROR_SUFFIX}`);
}

/** Walk an input value and its spec in parallel, collecting leaves with their per-tensor spec. */
export function collectLeaves(name: string, source: string, value: unknown, spec: unknown, out: InputLeaf[], path: KeyEntry[] = []): void {
  if (value instanceof Tensor) {
    out.push({ name, source, value, spec: spec as TensorShapeSpec });
    return;
  }
  if (Array.isArray(value)) {
    if (spec !== null && spec !== undefined && !Array.isArray(spec))
      throw specError(`Expected dynamic_shapes of a ${value.length}-element sequence input ${source} to be a sequence, got ${String(spec)}`);
    value.forEach((v, i) => collectLeaves(`${name}_${i}`, `${source}[${i}]`, v, Array.isArray(spec) ? spec[i] : null, out, [...path, { kind: 'index', index: i }]));
    return;
  }
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const sub = spec && typeof spec === 'object' ? (spec as Record<string, unknown>)[k] : null;
      collectLeaves(`${name}_${k}`, `${source}['${k}']`, v, sub, out, [...path, { kind: 'key', key: k }]);
    }
    return;
  }
  out.push({ name, source, value, spec: null });
}

function dimSpecAt(spec: TensorShapeSpec, i: number): DimSpec {
  if (!spec) return null;
  if (Array.isArray(spec)) return spec[i] ?? null;
  return (spec as Record<number, DimSpec>)[i] ?? null;
}

export interface SymbolicInputs {
  /** Symbolic shape per tensor leaf (same order as leaves; undefined for non-tensors). */
  readonly shapes: Array<IntLike[] | undefined>;
  /** Root symbol per Dim name. */
  readonly dimSymbols: Map<string, { dim: Dim; sym: Poly }>;
}

/** Create symbols for every dynamic dim, validating example sizes against the spec. */
export function makeSymbolicShapes(leaves: readonly InputLeaf[], env: ShapeEnv): SymbolicInputs {
  const dimSymbols = new Map<string, { dim: Dim; sym: Poly }>();
  const shapes: Array<IntLike[] | undefined> = [];
  const wrap = (p: Poly): IntLike => {
    const c = p.constantValue;
    return c !== undefined ? c : new SymInt(p, env);
  };
  const rootFor = (dim: Dim, hint: number, source: string): Poly => {
    const have = dimSymbols.get(dim.name);
    if (have) {
      if (have.dim.min !== dim.min || have.dim.max !== dim.max)
        throw specError(`Found different definitions ${have.dim.toString()} and ${dim.toString()} for the same symbolic dimension ${dim.name}!`);
      return have.sym;
    }
    if (hint < dim.min || hint > dim.max)
      throw specError(
        `Received user-specified dim hint ${dim.toString()} but the example input ${source} has size ${hint}, which is outside the range [${dim.min}, ${dim.max === Infinity ? 'inf' : dim.max}]. Fix the Dim's min/max or the example input.`,
      );
    const sym = env.createBackedSymbol(hint, { source, range: new ValueRange(dim.min, dim.max), userDim: { name: dim.name, range: new ValueRange(dim.min, dim.max) } });
    dimSymbols.set(dim.name, { dim, sym });
    return sym;
  };
  // Roots first (so a derived dim seen before its root still shares the root's symbol).
  for (const leaf of leaves) {
    if (!(leaf.value instanceof Tensor)) continue;
    leaf.value.shape.forEach((size, i) => {
      const d = dimSpecAt(leaf.spec, i);
      if (d instanceof Dim) rootFor(d, size as number, `${leaf.source}.size()[${i}]`);
    });
  }
  for (const leaf of leaves) {
    if (!(leaf.value instanceof Tensor)) {
      shapes.push(undefined);
      continue;
    }
    const t = leaf.value;
    if (t.isFake) throw specError(`example input ${leaf.source} is a FakeTensor; pass real example tensors`);
    const shape = t.shape.map((sizeLike, i): IntLike => {
      const size = sizeLike as number;
      const d = dimSpecAt(leaf.spec, i);
      const source = `${leaf.source}.size()[${i}]`;
      if (d === null || d === undefined || isDimHint(d, 'STATIC')) return size;
      if (d instanceof Dim) {
        const sym = rootFor(d, size, source);
        const h = env.hint(sym)!;
        if (h !== size)
          throw specError(`Expected input at ${source} to be equal to ${h} (the size of Dim ${d.name} in another input), but got ${size}`);
        return wrap(sym);
      }
      if (d instanceof DerivedDim) {
        const rootHint = (size - d.offset) / d.coeff;
        if (!Number.isInteger(rootHint))
          throw specError(`Expected input at ${source} = ${size} to be of the form ${d.name}, where ${d.root.name} is an integer`);
        const root = rootFor(d.root, rootHint, `(${source} - ${d.offset}) // ${d.coeff}`);
        const expr = E.add(E.scale(root, d.coeff), E.int(d.offset));
        const v = env.hint(expr)!;
        if (v !== size) throw specError(`Expected input at ${source} to be equal to ${v} (${d.name} with ${d.root.name} = ${env.hint(root)}), but got ${size}`);
        return wrap(expr);
      }
      if (isDimHint(d)) {
        // AUTO/DYNAMIC dims get torch's default range [2, int_oo]: sizes 0 and 1
        // are specialised, so an example of size 0 or 1 stays static.
        if (size < 2) return size;
        const range = new ValueRange(2, Infinity);
        const userDim = isDimHint(d, 'DYNAMIC') ? { name: source, range, fromHint: true } : undefined;
        return wrap(env.createBackedSymbol(size, { source, range, userDim }));
      }
      throw specError(`Unexpected dynamic_shapes entry ${String(d)} for ${source}; use a Dim, a derived Dim, Dim.AUTO, Dim.DYNAMIC, Dim.STATIC or None`);
    });
    shapes.push(shape);
  }
  return { shapes, dimSymbols };
}
