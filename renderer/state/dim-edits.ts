// Edits of the Dim panel's DynamicShapesSpec as pure functions: choosing what a
// dimension is, declaring and renaming Dims, and applying one of export's "Suggested
// fixes" (`b = 4`, `n = Dim('n', min=6)`, `x = y`, `dy = dx + 1`). Each returns a new
// spec; the caller regenerates the code block from it.

import type { DimChoice, DimDecl, DynamicShapesSpec, InputInfo } from '../../main/common/ipc-contract';
import { usedDimNames } from '../../main/common/dynamic-shapes-code';
import { parsePyExpr, type PyExpr } from '../../main/common/py-expr';

export function setChoice(spec: DynamicShapesSpec, path: string, dim: number, choice: DimChoice): DynamicShapesSpec {
  const choices = [...(spec.inputs[path] ?? [])];
  choices[dim] = choice;
  const next = { ...spec, inputs: { ...spec.inputs, [path]: choices } };
  // Declare a Dim the first time it is used.
  const name = choice.kind === 'dim' ? choice.name : choice.kind === 'derived' ? choice.root : null;
  if (name && !next.dims.some((d) => d.name === name)) next.dims = [...next.dims, { name }];
  return pruneDims(next);
}

/** Drop declarations no choice uses any more. */
export function pruneDims(spec: DynamicShapesSpec): DynamicShapesSpec {
  const used = new Set(usedDimNames(spec));
  return { ...spec, dims: spec.dims.filter((d) => used.has(d.name)) };
}

export function updateDim(spec: DynamicShapesSpec, name: string, patch: Partial<Omit<DimDecl, 'name'>>): DynamicShapesSpec {
  return { ...spec, dims: spec.dims.map((d) => (d.name === name ? clean({ ...d, ...patch }) : d)) };
}

function clean(d: DimDecl): DimDecl {
  const out: DimDecl = { name: d.name };
  if (d.min !== undefined && Number.isFinite(d.min)) out.min = d.min;
  if (d.max !== undefined && Number.isFinite(d.max)) out.max = d.max;
  return out;
}

/** Rename a Dim everywhere it is used. */
export function renameDim(spec: DynamicShapesSpec, from: string, to: string): DynamicShapesSpec {
  return mapChoices({ ...spec, dims: spec.dims.map((d) => (d.name === from ? { ...d, name: to } : d)) }, (c) => {
    if (c.kind === 'dim' && c.name === from) return { kind: 'dim', name: to };
    if (c.kind === 'derived' && c.root === from) return { ...c, root: to };
    return c;
  });
}

function mapChoices(spec: DynamicShapesSpec, f: (c: DimChoice) => DimChoice): DynamicShapesSpec {
  const inputs: Record<string, DimChoice[]> = {};
  for (const [k, cs] of Object.entries(spec.inputs)) inputs[k] = cs.map(f);
  return { ...spec, inputs };
}

/** A fresh Dim name for a dimension (`x1_dim0`, then `x1_dim0_2`, …). */
export function freshDimName(spec: DynamicShapesSpec, input: InputInfo, dim: number): string {
  const base = `${input.path.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '') || 'd'}_dim${dim}`;
  const taken = new Set([...spec.dims.map((d) => d.name), ...usedDimNames(spec)]);
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}_${i}`)) return `${base}_${i}`;
}

export const IDENTIFIER = /^[A-Za-z_]\w*$/;

/** Apply one "Suggested fixes" line; throws with a reason when it cannot be applied. */
export function applySuggestedFix(spec: DynamicShapesSpec, fix: string): DynamicShapesSpec {
  const m = /^\s*([A-Za-z_]\w*)\s*=\s*(.+?)\s*$/.exec(fix);
  if (!m) throw new Error(`cannot read the suggested fix '${fix}'`);
  const name = m[1]!;
  const rhs = parsePyExpr(m[2]!);
  const intOf = (e: PyExpr): number | undefined => (e.t === 'num' && !e.float ? e.value : e.t === 'neg' && e.operand.t === 'num' ? -e.operand.value : undefined);

  // `b = 4`: the dim is static; every use of b (and of dims derived from it) becomes static.
  const constant = intOf(rhs);
  if (constant !== undefined) {
    const next = mapChoices(spec, (c) => ((c.kind === 'dim' && c.name === name) || (c.kind === 'derived' && c.root === name) ? { kind: 'none' } : c));
    return pruneDims(next);
  }
  // `n = Dim('n', min=6, max=10)`: new range.
  if (rhs.t === 'call' && /(^|\.)Dim$/.test(calleeName(rhs.func))) {
    const patch: Partial<DimDecl> = { min: undefined, max: undefined };
    for (const [k, v] of rhs.kwargs) if (k === 'min' || k === 'max') patch[k] = intOf(v);
    if (!spec.dims.some((d) => d.name === name)) throw new Error(`the fix names Dim ${name}, which the panel does not have`);
    return updateDim(spec, name, patch);
  }
  // `x = y`: x is the same as y.
  if (rhs.t === 'name') {
    const target = rhs.id;
    const next = mapChoices(spec, (c) => {
      if (c.kind === 'dim' && c.name === name) return { kind: 'dim', name: target };
      if (c.kind === 'derived' && c.root === name) return { ...c, root: target };
      return c;
    });
    if (!next.dims.some((d) => d.name === target)) next.dims = [...next.dims, spec.dims.find((d) => d.name === name) ? { ...spec.dims.find((d) => d.name === name)!, name: target } : { name: target }];
    return pruneDims(next);
  }
  // `dy = dx + 1` / `dy = 2*dx`: dy is derived from dx.
  const lin = linearOf(rhs, intOf);
  if (lin) {
    const next = mapChoices(spec, (c) => {
      if (c.kind === 'dim' && c.name === name) return { kind: 'derived', root: lin.root, coeff: lin.coeff, offset: lin.offset };
      return c;
    });
    if (!next.dims.some((d) => d.name === lin.root)) next.dims = [...next.dims, { name: lin.root }];
    return pruneDims(next);
  }
  throw new Error(`the panel cannot apply '${fix}'; edit dynamic_shapes in the code instead`);
}

function calleeName(e: PyExpr): string {
  if (e.t === 'name') return e.id;
  if (e.t === 'attr') return `${calleeName(e.obj)}.${e.attr}`;
  return '';
}

function linearOf(e: PyExpr, intOf: (e: PyExpr) => number | undefined): { root: string; coeff: number; offset: number } | null {
  if (e.t === 'name') return { root: e.id, coeff: 1, offset: 0 };
  if (e.t !== 'bin') return null;
  const l = linearOf(e.left, intOf);
  const r = linearOf(e.right, intOf);
  const li = intOf(e.left);
  const ri = intOf(e.right);
  if (e.op === '+' && l && ri !== undefined) return { ...l, offset: l.offset + ri };
  if (e.op === '+' && r && li !== undefined) return { ...r, offset: r.offset + li };
  if (e.op === '-' && l && ri !== undefined) return { ...l, offset: l.offset - ri };
  if (e.op === '*' && l && ri !== undefined) return { root: l.root, coeff: l.coeff * ri, offset: l.offset * ri };
  if (e.op === '*' && r && li !== undefined) return { root: r.root, coeff: r.coeff * li, offset: r.offset * li };
  return null;
}

/** Human text for a choice (`batch`, `batch + 1`, `AUTO`, `static`). */
export function choiceLabel(c: DimChoice): string {
  switch (c.kind) {
    case 'none':
      return 'static';
    case 'dim':
      return c.name;
    case 'derived':
      return `${c.coeff === 1 ? '' : `${c.coeff}·`}${c.root}${c.offset > 0 ? ` + ${c.offset}` : c.offset < 0 ? ` − ${-c.offset}` : ''}`;
    case 'auto':
      return 'Dim.AUTO';
    case 'dynamic':
      return 'Dim.DYNAMIC';
    case 'static':
      return 'Dim.STATIC';
  }
}
