// `dynamic_shapes` as Python text and as the Dim panel's DynamicShapesSpec, both ways:
// the panel regenerates a marked block in the model file, and a hand-edited block (or
// any top-level `dynamic_shapes = ...`) is read back into the panel. Pure functions,
// shared by the renderer and the host (which converts the spec into engine Dims).

import type { ArgInfo, ArgStructure, DimChoice, DimDecl, DynamicShapesSpec, InputInfo, KeyStep } from './ipc-contract';
import { PyExprError, dottedName, parsePyExpr, topLevelAssignments, type PyExpr } from './py-expr';

export const BLOCK_START = '# -- dynamic shapes (kept in sync with the Dim panel) --';
export const BLOCK_END = '# -- end dynamic shapes --';

/** Where the marked block sits (0-based line indices, end inclusive), or null. */
export function findBlock(source: string): { start: number; end: number } | null {
  const lines = source.split('\n');
  const start = lines.findIndex((l) => l.trim() === BLOCK_START);
  if (start < 0) return null;
  const end = lines.findIndex((l, i) => i > start && l.trim() === BLOCK_END);
  return end < 0 ? null : { start, end };
}

/** The source without the marked block (for matching a document against a seed). */
export function stripBlock(source: string): string {
  const b = findBlock(source);
  if (!b) return source;
  const lines = source.split('\n');
  lines.splice(b.start, b.end - b.start + 1);
  return lines.join('\n');
}

/** Replace the marked block with `block`, or append it (after a blank line) when absent. */
export function replaceBlock(source: string, block: string): string {
  const b = findBlock(source);
  const lines = source.split('\n');
  if (b) {
    lines.splice(b.start, b.end - b.start + 1, ...block.split('\n'));
    return lines.join('\n');
  }
  // Drop a bare top-level `dynamic_shapes = ...` the block supersedes.
  const old = topLevelAssignments(source).find((a) => a.name === 'dynamic_shapes');
  if (old) {
    lines.splice(old.line - 1, old.endLine - old.line + 1, ...block.split('\n'));
    return lines.join('\n');
  }
  const body = source.replace(/\s+$/, '');
  return `${body}\n\n${block}\n`;
}

/** Every tensor input gets all-'none' choices; dims empty. */
export function emptySpec(inputs: readonly InputInfo[]): DynamicShapesSpec {
  const spec: DynamicShapesSpec = { dims: [], inputs: {} };
  for (const inp of inputs) if (inp.kind === 'tensor') spec.inputs[inp.path] = (inp.shape ?? []).map(() => ({ kind: 'none' }));
  return spec;
}

/** Dim names the choices use (roots of derived dims included), in first-use order. */
export function usedDimNames(spec: DynamicShapesSpec): string[] {
  const out: string[] = [];
  for (const choices of Object.values(spec.inputs))
    for (const c of choices) {
      const n = c.kind === 'dim' ? c.name : c.kind === 'derived' ? c.root : null;
      if (n !== null && !out.includes(n)) out.push(n);
    }
  return out;
}

export function dimDeclText(d: DimDecl): string {
  const parts = [JSON.stringify(d.name)];
  if (d.min !== undefined) parts.push(`min=${d.min}`);
  if (d.max !== undefined) parts.push(`max=${d.max}`);
  return `Dim(${parts.join(', ')})`;
}

export function derivedText(root: string, coeff: number, offset: number): string {
  let s = coeff === 1 ? root : `${coeff} * ${root}`;
  if (offset > 0) s += ` + ${offset}`;
  else if (offset < 0) s += ` - ${-offset}`;
  return s;
}

function choiceText(c: DimChoice): string | null {
  switch (c.kind) {
    case 'none':
      return null;
    case 'dim':
      return c.name;
    case 'derived':
      return derivedText(c.root, c.coeff, c.offset);
    case 'auto':
      return 'Dim.AUTO';
    case 'dynamic':
      return 'Dim.DYNAMIC';
    case 'static':
      return 'Dim.STATIC';
  }
}

/** The per-tensor entry: `{0: batch, 1: Dim.AUTO}` or `None`. */
function tensorText(choices: readonly DimChoice[] | undefined): string {
  const parts: string[] = [];
  (choices ?? []).forEach((c, i) => {
    const t = choiceText(c);
    if (t !== null) parts.push(`${i}: ${t}`);
  });
  return parts.length ? `{${parts.join(', ')}}` : 'None';
}

function stepsKey(steps: readonly KeyStep[]): string {
  return steps.map((s) => (s.kind === 'key' ? `[${JSON.stringify(s.key)}]` : `[${s.index}]`)).join('');
}

/** Mirror an argument's structure, with each tensor leaf's entry. */
function structureText(structure: ArgStructure, leafText: (steps: KeyStep[]) => string, steps: KeyStep[] = []): string {
  switch (structure.kind) {
    case 'leaf':
      return leafText(steps);
    case 'tuple': {
      const items = structure.items.map((s, i) => structureText(s, leafText, [...steps, { kind: 'index', index: i }]));
      return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
    }
    case 'list':
      return `[${structure.items.map((s, i) => structureText(s, leafText, [...steps, { kind: 'index', index: i }])).join(', ')}]`;
    case 'dict':
      return `{${structure.entries.map(([k, s]) => `${JSON.stringify(k)}: ${structureText(s, leafText, [...steps, { kind: 'key', key: k }])}`).join(', ')}}`;
  }
}

/** The `dynamic_shapes` value's text for this spec (`None` when nothing is dynamic). */
export function dynamicShapesValueText(spec: DynamicShapesSpec, args: readonly ArgInfo[], inputs: readonly InputInfo[]): string {
  const anyChoice = Object.values(spec.inputs).some((cs) => cs.some((c) => c.kind !== 'none'));
  if (!anyChoice || args.length === 0) return 'None';
  const byArgSteps = new Map(inputs.map((i) => [`${i.argName}${stepsKey(i.steps)}`, i]));
  const entries = args.map((a) => {
    const text = structureText(a.structure, (steps) => {
      const inp = byArgSteps.get(`${a.name}${stepsKey(steps)}`);
      return inp && inp.kind === 'tensor' ? tensorText(spec.inputs[inp.path]) : 'None';
    });
    return `${JSON.stringify(a.name)}: ${text}`;
  });
  return `{${entries.join(', ')}}`;
}

/** The marked block: Dim declarations and the `dynamic_shapes` assignment. */
export function generateBlock(spec: DynamicShapesSpec, args: readonly ArgInfo[], inputs: readonly InputInfo[], opts: { importDim?: boolean } = {}): string {
  const value = dynamicShapesValueText(spec, args, inputs);
  const lines = [BLOCK_START];
  const used = usedDimNames(spec);
  const usesDimClass = used.length > 0 || /Dim\./.test(value);
  if (usesDimClass && opts.importDim) lines.push('from torch.export import Dim');
  for (const name of used) {
    const d = spec.dims.find((x) => x.name === name) ?? { name };
    lines.push(`${name} = ${dimDeclText(d)}`);
  }
  lines.push(`dynamic_shapes = ${value}`);
  lines.push(BLOCK_END);
  return lines.join('\n');
}

/** Whether the source (outside the block) already imports Dim. */
export function importsDim(source: string): boolean {
  return /^\s*from\s+torch\.export\s+import\s+[^\n]*\bDim\b/m.test(stripBlock(source));
}

/** Apply the spec to the document: regenerate the block in place. */
export function applySpecToSource(source: string, spec: DynamicShapesSpec, args: readonly ArgInfo[], inputs: readonly InputInfo[]): string {
  return replaceBlock(source, generateBlock(spec, args, inputs, { importDim: !importsDim(source) }));
}

//#region reading code back

export interface ParsedSpec {
  spec: DynamicShapesSpec | null;
  /** 1-based line of the `dynamic_shapes` assignment. */
  line?: number;
  error?: string;
}

const HINTS: Record<string, DimChoice> = {
  'Dim.AUTO': { kind: 'auto' },
  'Dim.DYNAMIC': { kind: 'dynamic' },
  'Dim.STATIC': { kind: 'static' },
  'torch.export.Dim.AUTO': { kind: 'auto' },
  'torch.export.Dim.DYNAMIC': { kind: 'dynamic' },
  'torch.export.Dim.STATIC': { kind: 'static' },
};

class SpecReadError extends Error {}

function intOf(e: PyExpr): number | undefined {
  if (e.t === 'num' && !e.float) return e.value;
  if (e.t === 'neg') {
    const v = intOf(e.operand);
    return v === undefined ? undefined : -v;
  }
  return undefined;
}

function isDimCall(e: PyExpr): e is Extract<PyExpr, { t: 'call' }> {
  return e.t === 'call' && ['Dim', 'torch.export.Dim', 'export.Dim'].includes(dottedName(e.func) ?? '');
}

function declFromCall(e: Extract<PyExpr, { t: 'call' }>): DimDecl {
  const nameArg = e.args[0];
  if (!nameArg || nameArg.t !== 'str') throw new SpecReadError('Dim() needs a name string as its first argument');
  const d: DimDecl = { name: nameArg.value };
  for (const [k, v] of e.kwargs) {
    const n = intOf(v);
    if (k === 'min' || k === 'max') {
      if (n === undefined) throw new SpecReadError(`Dim ${nameArg.value}: ${k} must be an integer`);
      d[k] = n;
    }
  }
  return d;
}

/**
 * Read `dynamic_shapes` (and the Dims it names) from the source, shaped by the
 * analysed inputs. Returns spec null with no error when the file has none.
 */
export function parseSpecFromSource(source: string, args: readonly ArgInfo[], inputs: readonly InputInfo[]): ParsedSpec {
  const assigns = topLevelAssignments(source);
  const target = [...assigns].reverse().find((a) => a.name === 'dynamic_shapes');
  if (!target) return { spec: null };
  const dimsByVar = new Map<string, DimDecl>();
  const decls: DimDecl[] = [];
  const declare = (d: DimDecl): DimDecl => {
    const have = decls.find((x) => x.name === d.name);
    if (have) return have;
    decls.push(d);
    return d;
  };
  try {
    for (const a of assigns) {
      if (a.line >= target.line) break;
      let e: PyExpr;
      try {
        e = parsePyExpr(a.text);
      } catch {
        continue; // not an expression we read (comprehension, lambda …): not a Dim declaration
      }
      if (isDimCall(e)) dimsByVar.set(a.name, declare(declFromCall(e)));
    }
    // `a, b = dims("a", "b")`
    for (const m of source.matchAll(/^([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)+)\s*=\s*(?:torch\.export\.)?dims\(([^)]*)\)/gm)) {
      const vars = m[1]!.split(',').map((s) => s.trim());
      const names = parsePyExpr(`(${m[2]},)`);
      if (names.t === 'tuple')
        names.items.forEach((n, i) => {
          if (n.t === 'str' && vars[i]) dimsByVar.set(vars[i]!, declare({ name: n.value }));
        });
    }
    const value = parsePyExpr(target.text);
    const spec: DynamicShapesSpec = { dims: decls, inputs: {} };
    for (const inp of inputs) if (inp.kind === 'tensor') spec.inputs[inp.path] = (inp.shape ?? []).map(() => ({ kind: 'none' }));
    if (value.t === 'const' && value.value === null) return { spec, line: target.line };

    const dimChoice = (e: PyExpr): DimChoice => {
      if (e.t === 'const' && e.value === null) return { kind: 'none' };
      const dn = dottedName(e);
      if (dn !== null && HINTS[dn]) return HINTS[dn]!;
      if (e.t === 'name') {
        const d = dimsByVar.get(e.id);
        if (!d) throw new SpecReadError(`${e.id} is not a Dim declared above dynamic_shapes`);
        return { kind: 'dim', name: d.name };
      }
      if (isDimCall(e)) return { kind: 'dim', name: declare(declFromCall(e)).name };
      // Derived: coeff * root + offset in any of the usual spellings.
      const lin = linear(e);
      if (lin) return { kind: 'derived', root: lin.root, coeff: lin.coeff, offset: lin.offset };
      throw new SpecReadError('a dimension must be a Dim, a derived Dim (dim + k, k * dim), Dim.AUTO/DYNAMIC/STATIC or None');
    };
    const linear = (e: PyExpr): { root: string; coeff: number; offset: number } | null => {
      if (e.t === 'name') {
        const d = dimsByVar.get(e.id);
        return d ? { root: d.name, coeff: 1, offset: 0 } : null;
      }
      if (e.t === 'bin') {
        const l = linear(e.left);
        const r = linear(e.right);
        const li = intOf(e.left);
        const ri = intOf(e.right);
        if (e.op === '+' && l && ri !== undefined) return { ...l, offset: l.offset + ri };
        if (e.op === '+' && r && li !== undefined) return { ...r, offset: r.offset + li };
        if (e.op === '-' && l && ri !== undefined) return { ...l, offset: l.offset - ri };
        if (e.op === '*' && l && ri !== undefined) return { root: l.root, coeff: l.coeff * ri, offset: l.offset * ri };
        if (e.op === '*' && r && li !== undefined) return { root: r.root, coeff: r.coeff * li, offset: r.offset * li };
      }
      return null;
    };
    const readTensor = (inp: InputInfo, e: PyExpr): void => {
      const choices = spec.inputs[inp.path]!;
      if (e.t === 'const' && e.value === null) return;
      if (e.t === 'dict') {
        for (const [k, v] of e.entries) {
          const i = intOf(k);
          if (i === undefined || i < 0 || i >= choices.length) throw new SpecReadError(`${inp.path}: dimension key ${i ?? '?'} is out of range for a ${choices.length}-d tensor`);
          choices[i] = dimChoice(v);
        }
        return;
      }
      if (e.t === 'tuple' || e.t === 'list') {
        if (e.items.length !== choices.length) throw new SpecReadError(`${inp.path}: expected ${choices.length} entries, one per dimension, got ${e.items.length}`);
        e.items.forEach((v, i) => (choices[i] = dimChoice(v)));
        return;
      }
      throw new SpecReadError(`${inp.path}: expected a dict {dim: Dim} or a tuple with one entry per dimension`);
    };
    const walk = (arg: ArgInfo, structure: ArgStructure, e: PyExpr, steps: KeyStep[]): void => {
      if (structure.kind === 'leaf') {
        const inp = inputs.find((i) => i.argName === arg.name && stepsKey(i.steps) === stepsKey(steps));
        if (inp && inp.kind === 'tensor') readTensor(inp, e);
        return;
      }
      if (e.t === 'const' && e.value === null) return;
      if (structure.kind === 'dict') {
        if (e.t !== 'dict') throw new SpecReadError(`${arg.name}: expected a dict mirroring the input`);
        for (const [k, v] of e.entries) {
          if (k.t !== 'str') continue;
          const sub = structure.entries.find(([key]) => key === k.value);
          if (sub) walk(arg, sub[1], v, [...steps, { kind: 'key', key: k.value }]);
        }
        return;
      }
      if (e.t !== 'tuple' && e.t !== 'list') throw new SpecReadError(`${arg.name}: expected a sequence mirroring the input`);
      e.items.forEach((v, i) => {
        const sub = structure.items[i];
        if (sub) walk(arg, sub, v, [...steps, { kind: 'index', index: i }]);
      });
    };
    if (value.t === 'dict') {
      for (const [k, v] of value.entries) {
        if (k.t !== 'str') throw new SpecReadError('dynamic_shapes dict keys must be argument names');
        const arg = args.find((a) => a.name === k.value);
        if (!arg) throw new SpecReadError(`dynamic_shapes names '${k.value}', which is not an argument of forward (${args.map((a) => a.name).join(', ')})`);
        walk(arg, arg.structure, v, []);
      }
    } else if (value.t === 'tuple' || value.t === 'list') {
      const positional = args.filter((a) => !a.keyword);
      value.items.forEach((v, i) => {
        const arg = positional[i];
        if (arg) walk(arg, arg.structure, v, []);
      });
    } else throw new SpecReadError('dynamic_shapes must be a dict, a tuple/list or None');
    return { spec, line: target.line };
  } catch (err) {
    if (err instanceof SpecReadError || err instanceof PyExprError) return { spec: null, line: target.line, error: err.message };
    throw err;
  }
}
//#endregion
