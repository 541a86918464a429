// Parser for ATen schema strings as written in native_functions.yaml, e.g.
//   add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor
// The parsed form names each argument, its type, whether it is keyword-only and
// its default; the binder turns a call's (args, kwargs) into the full positional
// list, and `stripDefaults` produces the (args, kwargs) a traced node records
// (trailing positional defaults dropped, keyword-only args only when not default),
// which is how PyTorch's dispatcher hands calls to Python.

import { OpArgumentError } from '../core/errors';
import { PyFloat, formatPyFloat } from '../core/scalar';

export interface SchemaArg {
  readonly name: string;
  /** Type as written, without alias annotation: `Tensor`, `int[2]`, `Scalar?`, `SymInt[]`. */
  readonly type: string;
  readonly kwargOnly: boolean;
  readonly hasDefault: boolean;
  readonly default?: unknown;
  /** Alias annotation says this argument is written to (`Tensor(a!)`). */
  readonly mutable: boolean;
}

export interface SchemaReturn {
  readonly name?: string;
  readonly type: string;
  readonly aliasOf?: string;
}

export interface Schema {
  /** `add` */
  readonly name: string;
  /** `Tensor`, or `default` when the schema has none. */
  readonly overload: string;
  readonly args: readonly SchemaArg[];
  readonly returns: readonly SchemaReturn[];
  readonly text: string;
}

function splitTopLevel(s: string, sep = ','): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  let quote: string | undefined;
  for (const ch of s) {
    if (quote) {
      cur += ch;
      if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    if (ch === '(' || ch === '[') depth++;
    if (ch === ')' || ch === ']') depth--;
    if (ch === sep && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

function listLength(type: string): number | undefined {
  const m = /\[(\d+)\]\??$/.exec(type);
  return m ? Number(m[1]) : undefined;
}

export function parseDefault(text: string, type: string): unknown {
  const t = text.trim();
  if (t === 'None') return null;
  if (t === 'True') return true;
  if (t === 'False') return false;
  if (/^['"]/.test(t)) return t.slice(1, -1);
  if (t.startsWith('[')) {
    const inner = t.slice(1, -1).trim();
    if (!inner) return [];
    return splitTopLevel(inner).map((x) => parseDefault(x, type.replace(/\[\d*\]\??$/, '')));
  }
  if (/^-?\d+$/.test(t)) {
    const n = Number(t);
    const len = listLength(type);
    if (len !== undefined) return new Array<number>(len).fill(n); // `int[2] stride=1`
    if (/^(float|Scalar)/.test(type) && type.startsWith('float')) return new PyFloat(n);
    return n;
  }
  if (/^-?[\d.]+(e-?\d+)?$/i.test(t)) {
    const n = Number(t);
    return Number.isInteger(n) ? new PyFloat(n) : n;
  }
  // Enum-like defaults: contiguous_format, Mean, long …
  return { enum: t };
}

export function parseSchema(text: string): Schema {
  const m = /^([\w.]+)\((.*)\)\s*->\s*(.*)$/.exec(text.trim());
  if (!m) throw new Error(`bad schema: ${text}`);
  const [fullName, argText, retText] = [m[1]!, m[2]!, m[3]!];
  const dot = fullName.indexOf('.');
  const name = dot < 0 ? fullName : fullName.slice(0, dot);
  const overload = dot < 0 ? 'default' : fullName.slice(dot + 1);
  const args: SchemaArg[] = [];
  let kwargOnly = false;
  for (const part of splitTopLevel(argText)) {
    if (part === '*') {
      kwargOnly = true;
      continue;
    }
    const eq = part.indexOf('=');
    const decl = (eq < 0 ? part : part.slice(0, eq)).trim();
    const sp = decl.lastIndexOf(' ');
    let type = decl.slice(0, sp).trim();
    const argName = decl.slice(sp + 1).trim();
    const mutable = /\(\w+!\)/.test(type);
    type = type.replace(/\([\w!|>\s-]*\)/, '');
    const hasDefault = eq >= 0;
    args.push({ name: argName, type, kwargOnly, hasDefault, default: hasDefault ? parseDefault(part.slice(eq + 1), type) : undefined, mutable });
  }
  let rt = retText.trim();
  if (rt.startsWith('(') && rt.endsWith(')')) rt = rt.slice(1, -1);
  const returns: SchemaReturn[] = rt
    ? splitTopLevel(rt).map((r) => {
        const alias = /\((\w+)!?\)/.exec(r)?.[1];
        const clean = r.replace(/\([\w!|>\s-]*\)/, '').trim();
        const sp = clean.lastIndexOf(' ');
        return sp > 0 ? { type: clean.slice(0, sp), name: clean.slice(sp + 1), aliasOf: alias } : { type: clean, aliasOf: alias };
      })
    : [];
  return { name, overload, args, returns, text };
}

/** Structural equality of argument values for default stripping. */
export function argEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof PyFloat) return b instanceof PyFloat ? a.value === b.value : typeof b === 'number' && a.value === b;
  if (b instanceof PyFloat) return typeof a === 'number' && a === b.value;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => argEquals(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object' && 'enum' in a && 'enum' in b) return enumKey(a) === enumKey(b);
  if (a === null && b === undefined) return true;
  return false;
}

/** Enum values are spelled `{enum: 'torch.contiguous_format'}`; schema defaults omit the `torch.` prefix. */
function enumKey(v: object): string {
  return (v as { enum: string }).enum.replace(/^torch\./, '');
}

/** Bind a call to the schema: the full argument list in schema order, defaults filled. */
export function bindArgs(schema: Schema, args: readonly unknown[], kwargs: Readonly<Record<string, unknown>> = {}): unknown[] {
  const qual = `${schema.name}.${schema.overload}`;
  const positional = schema.args.filter((a) => !a.kwargOnly);
  if (args.length > positional.length)
    throw new OpArgumentError(qual, `${qual}() takes ${positional.length} positional arguments but ${args.length} were given`);
  const out: unknown[] = [];
  const used = new Set<string>();
  schema.args.forEach((a, i) => {
    if (!a.kwargOnly && i < args.length) {
      if (a.name in kwargs) throw new OpArgumentError(qual, `${qual}() got multiple values for argument '${a.name}'`);
      out.push(args[i]);
    } else if (a.name in kwargs) {
      out.push(kwargs[a.name]);
      used.add(a.name);
    } else if (a.hasDefault) out.push(cloneDefault(a.default));
    else throw new OpArgumentError(qual, `${qual}() missing required argument '${a.name}'`);
  });
  for (const k of Object.keys(kwargs))
    if (!used.has(k) && !schema.args.some((a) => a.name === k && !a.kwargOnly))
      throw new OpArgumentError(qual, `${qual}() got an unexpected keyword argument '${k}'`);
  return out;
}

function cloneDefault(d: unknown): unknown {
  return Array.isArray(d) ? [...d] : d;
}

/**
 * The (args, kwargs) a recorded node keeps: see the module header. Arguments the
 * caller passed by keyword (`passedAsKwargs`) stay keywords, as torch records a
 * Python call `f(y, dtype=torch.int64)`.
 */
export function stripDefaults(schema: Schema, bound: readonly unknown[], passedAsKwargs?: ReadonlySet<string>): { args: unknown[]; kwargs: Record<string, unknown> } {
  const args: unknown[] = [];
  const kwargs: Record<string, unknown> = {};
  const asKeyword = (a: SchemaArg) => a.kwargOnly || (passedAsKwargs?.has(a.name) ?? false);
  let lastNeeded = -1;
  schema.args.forEach((a, i) => {
    if (asKeyword(a)) return;
    if (!a.hasDefault || !argEquals(bound[i], a.default)) lastNeeded = i;
  });
  schema.args.forEach((a, i) => {
    if (asKeyword(a)) {
      if (!a.hasDefault || !argEquals(bound[i], a.default)) kwargs[a.name] = bound[i];
    } else if (i <= lastNeeded) args.push(bound[i]);
  });
  return { args, kwargs };
}

export function formatDefault(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v instanceof PyFloat) return formatPyFloat(v.value);
  if (Array.isArray(v)) return `[${v.map(formatDefault).join(', ')}]`;
  if (typeof v === 'object' && 'enum' in (v as object)) return (v as { enum: string }).enum;
  return String(v);
}
