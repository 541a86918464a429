// A static reading of a model file (see SeedInfo.source) for when no Python runtime
// is available: forward's argument names, and `example_args` / `example_kwargs` as
// descriptions of tensors (`torch.randn(8, 16)`) and Python values, which the host
// turns into engine tensors with a seeded generator. Anything it cannot read is
// reported with its line; nothing is guessed.

import type { ArgInfo, ArgStructure, InputInfo, KeyStep } from '../common/ipc-contract';
import { PyExprError, dottedName, parsePyExpr, topLevelAssignments, type PyExpr } from '../common/py-expr';

export type ExampleValue =
  | { kind: 'tensor'; dtype: string; shape: number[]; init: TensorInit }
  | { kind: 'value'; value: number | boolean | string | null; float?: boolean }
  | { kind: 'tuple' | 'list'; items: ExampleValue[] }
  | { kind: 'dict'; entries: Array<[string, ExampleValue]> };

export type TensorInit =
  | { kind: 'randn' | 'rand' | 'ones' | 'zeros' | 'arange' }
  | { kind: 'full'; value: number }
  | { kind: 'randint'; low: number; high: number }
  | { kind: 'data'; values: number[] };

/** A problem reading the file, with the 1-based line it is about. */
export class ModelFileError extends Error {
  override name = 'ModelFileError';
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

export interface ModelFile {
  /** Class name of `model = ClassName(...)`. */
  modelClass?: string;
  /** forward's parameters after self (keyword-only ones included, `*args` as '...name'). */
  forwardParams: string[];
  args: ExampleValue[];
  kwargs: Array<[string, ExampleValue]>;
  /** Integer module-level constants (`N_BLOCKS = 300`). */
  constants: Map<string, number>;
  /** Lines of example_args / example_kwargs / model. */
  lines: { exampleArgs?: number; exampleKwargs?: number; model?: number };
}

const DTYPES: Record<string, string> = {
  float32: 'float32',
  float: 'float32',
  float64: 'float64',
  double: 'float64',
  float16: 'float16',
  half: 'float16',
  bfloat16: 'bfloat16',
  int64: 'int64',
  long: 'int64',
  int32: 'int32',
  int: 'int32',
  int16: 'int16',
  int8: 'int8',
  uint8: 'uint8',
  bool: 'bool',
};

export function readModelFile(source: string): ModelFile {
  const assigns = topLevelAssignments(source);
  const constants = new Map<string, number>();
  for (const a of assigns) {
    const m = /^(-?\d+)$/.exec(a.text.replace(/\s*#.*$/, ''));
    if (m) constants.set(a.name, Number(m[1]));
  }
  const find = (name: string) => [...assigns].reverse().find((a) => a.name === name);
  const modelAssign = find('model');
  let modelClass: string | undefined;
  if (modelAssign) {
    const m = /^([A-Za-z_][\w.]*)\s*\(/.exec(modelAssign.text);
    if (m) modelClass = m[1]!.split('.').pop();
  }
  const argsAssign = find('example_args');
  if (!argsAssign) throw new ModelFileError('The model file must define `example_args`, a tuple of example inputs (e.g. `example_args = (torch.randn(8, 16),)`).');
  const parse = (text: string, line: number): PyExpr => {
    try {
      return parsePyExpr(text);
    } catch (e) {
      if (e instanceof PyExprError) throw new ModelFileError(`Cannot read this line without the Python runtime: ${e.message}`, line + countNewlines(text.slice(0, e.offset)));
      throw e;
    }
  };
  const ctx = { constants };
  const argsExpr = parse(argsAssign.text, argsAssign.line);
  let args: ExampleValue[];
  const argsValue = evalExample(argsExpr, ctx, argsAssign.line);
  if (argsValue.kind === 'tuple' || argsValue.kind === 'list') args = argsValue.items;
  else
    throw new ModelFileError(
      'example_args must be a tuple of positional inputs; for one input write `example_args = (x,)` (a trailing comma makes a tuple).',
      argsAssign.line,
    );
  const kwAssign = find('example_kwargs');
  let kwargs: Array<[string, ExampleValue]> = [];
  if (kwAssign) {
    const v = evalExample(parse(kwAssign.text, kwAssign.line), ctx, kwAssign.line);
    if (v.kind === 'dict') kwargs = v.entries;
    else if (!(v.kind === 'value' && v.value === null)) throw new ModelFileError('example_kwargs must be a dict of keyword inputs', kwAssign.line);
  }
  return {
    modelClass,
    forwardParams: forwardParams(source, modelClass),
    args,
    kwargs,
    constants,
    lines: { exampleArgs: argsAssign.line, exampleKwargs: kwAssign?.line, model: modelAssign?.line },
  };
}

function countNewlines(s: string): number {
  return (s.match(/\n/g) ?? []).length;
}

/** The parameter names of `def forward(self, ...)` in the model's class (or the last forward in the file). */
export function forwardParams(source: string, modelClass?: string): string[] {
  let text = source;
  if (modelClass) {
    const start = source.search(new RegExp(`^class\\s+${modelClass}\\b`, 'm'));
    if (start >= 0) {
      const rest = source.slice(start);
      const nextClass = rest.slice(1).search(/^class\s/m);
      text = nextClass >= 0 ? rest.slice(0, nextClass + 1) : rest;
    }
  }
  const m = /def\s+forward\s*\(([\s\S]*?)\)\s*(->[^:]*)?:/.exec(text);
  if (!m) return [];
  const params: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of m[1]!) {
    if ('([{'.includes(c)) depth++;
    if (')]}'.includes(c)) depth--;
    if (c === ',' && depth === 0) {
      params.push(cur);
      cur = '';
    } else cur += c;
  }
  params.push(cur);
  return params
    .map((p) => p.trim().split(/[:=]/)[0]!.trim())
    .filter((p) => p && p !== 'self' && p !== '*' && p !== '/' && !p.startsWith('**'))
    .map((p) => (p.startsWith('*') ? `...${p.slice(1)}` : p));
}

function evalInt(e: PyExpr, ctx: { constants: Map<string, number> }, line: number): number {
  if (e.t === 'num' && !e.float) return e.value;
  if (e.t === 'neg') return -evalInt(e.operand, ctx, line);
  if (e.t === 'name' && ctx.constants.has(e.id)) return ctx.constants.get(e.id)!;
  if (e.t === 'bin') {
    const a = evalInt(e.left, ctx, line);
    const b = evalInt(e.right, ctx, line);
    return e.op === '+' ? a + b : e.op === '-' ? a - b : e.op === '*' ? a * b : Math.floor(a / b);
  }
  throw new ModelFileError(`expected an integer (a literal or a module-level constant), got ${describe(e)}`, line);
}

function evalNumber(e: PyExpr, ctx: { constants: Map<string, number> }, line: number): number {
  if (e.t === 'num') return e.value;
  if (e.t === 'neg') return -evalNumber(e.operand, ctx, line);
  return evalInt(e, ctx, line);
}

function describe(e: PyExpr): string {
  if (e.t === 'name') return `the name ${e.id}`;
  if (e.t === 'call') return `a call of ${dottedName(e.func) ?? 'an expression'}`;
  return `a ${e.t}`;
}

function shapeArgs(args: PyExpr[], ctx: { constants: Map<string, number> }, line: number): number[] {
  if (args.length === 1 && (args[0]!.t === 'tuple' || args[0]!.t === 'list')) return args[0]!.items.map((x) => evalInt(x, ctx, line));
  return args.map((x) => evalInt(x, ctx, line));
}

function dtypeKw(kwargs: Array<[string, PyExpr]>, fallback: string, line: number): string {
  const d = kwargs.find(([k]) => k === 'dtype')?.[1];
  if (!d) return fallback;
  const name = dottedName(d);
  const short = name?.replace(/^torch\./, '');
  if (!short || !DTYPES[short]) throw new ModelFileError(`unknown dtype ${name ?? describe(d)}`, line);
  return DTYPES[short]!;
}

function flattenData(e: PyExpr, ctx: { constants: Map<string, number> }, line: number, shape: number[], depth = 0): number[] {
  if (e.t === 'list' || e.t === 'tuple') {
    if (shape.length === depth) shape.push(e.items.length);
    else if (shape[depth] !== e.items.length) throw new ModelFileError('torch.tensor: ragged nested sequence', line);
    return e.items.flatMap((x) => flattenData(x, ctx, line, shape, depth + 1));
  }
  if (e.t === 'const' && typeof e.value === 'boolean') return [e.value ? 1 : 0];
  return [evalNumber(e, ctx, line)];
}

/** Evaluate an example-input expression into a description (no tensors are made here). */
export function evalExample(e: PyExpr, ctx: { constants: Map<string, number> }, line: number): ExampleValue {
  switch (e.t) {
    case 'num':
      return { kind: 'value', value: e.value, float: e.float };
    case 'str':
      return { kind: 'value', value: e.value };
    case 'const':
      return { kind: 'value', value: e.value };
    case 'neg': {
      const v = evalExample(e.operand, ctx, line);
      if (v.kind === 'value' && typeof v.value === 'number') return { ...v, value: -v.value };
      throw new ModelFileError('unary minus needs a number here', line);
    }
    case 'name':
      if (ctx.constants.has(e.id)) return { kind: 'value', value: ctx.constants.get(e.id)! };
      throw new ModelFileError(`${e.id} is not a module-level integer constant; without the Python runtime example inputs must be written inline`, line);
    case 'tuple':
    case 'list':
      return { kind: e.t, items: e.items.map((x) => evalExample(x, ctx, line)) };
    case 'dict':
      return {
        kind: 'dict',
        entries: e.entries.map(([k, v]) => {
          if (k.t !== 'str') throw new ModelFileError('dict keys of example inputs must be strings', line);
          return [k.value, evalExample(v, ctx, line)] as [string, ExampleValue];
        }),
      };
    case 'call': {
      const fn = dottedName(e.func)?.replace(/^torch\./, '');
      switch (fn) {
        case 'randn':
        case 'rand':
        case 'ones':
        case 'zeros':
          return { kind: 'tensor', dtype: dtypeKw(e.kwargs, 'float32', line), shape: shapeArgs(e.args, ctx, line), init: { kind: fn } };
        case 'full': {
          if (e.args.length !== 2) throw new ModelFileError('torch.full(size, fill_value) takes a size and a value', line);
          const value = evalNumber(e.args[1]!, ctx, line);
          const isFloat = e.args[1]!.t === 'num' ? e.args[1]!.float : false;
          return { kind: 'tensor', dtype: dtypeKw(e.kwargs, isFloat ? 'float32' : 'int64', line), shape: shapeArgs([e.args[0]!], ctx, line), init: { kind: 'full', value } };
        }
        case 'arange': {
          const n = evalInt(e.args[0]!, ctx, line);
          return { kind: 'tensor', dtype: dtypeKw(e.kwargs, 'int64', line), shape: [n], init: { kind: 'arange' } };
        }
        case 'randint': {
          const [a, b, c] = e.args;
          const low = c ? evalInt(a!, ctx, line) : 0;
          const high = evalInt(c ? b! : a!, ctx, line);
          const size = c ?? b;
          if (!size) throw new ModelFileError('torch.randint needs a size tuple', line);
          return { kind: 'tensor', dtype: dtypeKw(e.kwargs, 'int64', line), shape: shapeArgs([size], ctx, line), init: { kind: 'randint', low, high } };
        }
        case 'tensor': {
          const shape: number[] = [];
          const arg = e.args[0];
          if (!arg) throw new ModelFileError('torch.tensor needs data', line);
          const values = flattenData(arg, ctx, line, shape);
          const isFloat = JSON.stringify(arg).includes('"float":true');
          const isBool = arg.t === 'const' || JSON.stringify(arg).includes('"t":"const"');
          return { kind: 'tensor', dtype: dtypeKw(e.kwargs, isBool ? 'bool' : isFloat ? 'float32' : 'int64', line), shape, init: { kind: 'data', values } };
        }
        default:
          throw new ModelFileError(
            `${dottedName(e.func) ?? 'this call'}(...) cannot be evaluated without the Python runtime; use torch.randn/rand/ones/zeros/full/arange/randint/tensor for example inputs`,
            line,
          );
      }
    }
    default:
      throw new ModelFileError(`cannot read ${describe(e)} as an example input without the Python runtime`, line);
  }
}

function structureOf(v: ExampleValue): ArgStructure {
  if (v.kind === 'tuple' || v.kind === 'list') return { kind: v.kind, items: v.items.map(structureOf) };
  if (v.kind === 'dict') return { kind: 'dict', entries: v.entries.map(([k, x]) => [k, structureOf(x)] as [string, ArgStructure]) };
  return { kind: 'leaf' };
}

function pathText(argName: string, steps: readonly KeyStep[]): string {
  return argName + steps.map((s) => (s.kind === 'key' ? `['${s.key}']` : `[${s.index}]`)).join('');
}

function valueRepr(v: Extract<ExampleValue, { kind: 'value' }>): string {
  if (v.value === null) return 'None';
  if (typeof v.value === 'boolean') return v.value ? 'True' : 'False';
  if (typeof v.value === 'string') return JSON.stringify(v.value);
  return v.float && Number.isInteger(v.value) ? `${v.value}.0` : String(v.value);
}

/** Argument structures and flat input descriptions, named by forward's parameters. */
export function describeInputs(file: Pick<ModelFile, 'forwardParams' | 'args' | 'kwargs'>): { args: ArgInfo[]; inputs: InputInfo[] } {
  const args: ArgInfo[] = [];
  const inputs: InputInfo[] = [];
  const fixed = file.forwardParams.filter((p) => !p.startsWith('...'));
  const rest = file.forwardParams.find((p) => p.startsWith('...'))?.slice(3);
  const visit = (argName: string, keyword: boolean, v: ExampleValue, steps: KeyStep[]): void => {
    const path = pathText(argName, steps);
    switch (v.kind) {
      case 'tuple':
      case 'list':
        return v.items.forEach((x, i) => visit(argName, keyword, x, [...steps, { kind: 'index', index: i }]));
      case 'dict':
        return v.entries.forEach(([k, x]) => visit(argName, keyword, x, [...steps, { kind: 'key', key: k }]));
      case 'tensor':
        inputs.push({ path, argName, keyword, steps, kind: 'tensor', dtype: v.dtype, shape: v.shape });
        return;
      case 'value':
        inputs.push({ path, argName, keyword, steps, kind: 'value', value: valueRepr(v) });
    }
  };
  file.args.forEach((v, i) => {
    if (i < fixed.length || !rest) {
      const name = fixed[i] ?? `args_${i}`;
      args.push({ name, keyword: false, structure: structureOf(v) });
      visit(name, false, v, []);
    }
  });
  if (rest && file.args.length > fixed.length) {
    const items = file.args.slice(fixed.length);
    args.push({ name: rest, keyword: false, structure: { kind: 'tuple', items: items.map(structureOf) } });
    items.forEach((v, i) => visit(rest, false, v, [{ kind: 'index', index: i }]));
  }
  for (const [k, v] of file.kwargs) {
    args.push({ name: k, keyword: true, structure: structureOf(v) });
    visit(k, true, v, []);
  }
  return { args, inputs };
}
