// Small decoders shared by the .pt2 reader: JSON shape checks, target names, stack
// traces, enum codes. Each failure names what it was reading.

import { PyFloat } from '../core/scalar';

import { type Node, type StackFrame } from '../ir/graph';
import { type TreeSpec } from '../core/pytree';
import { ArchiveError } from './zip';

export function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const OPERATOR_FNS = new Set([
  'add', 'sub', 'mul', 'floordiv', 'truediv', 'mod', 'pow', 'neg', 'pos', 'eq', 'ne', 'le', 'ge', 'lt', 'gt',
  'and_', 'or_', 'xor', 'lshift', 'rshift', 'not_', 'abs', 'invert',
]);
export const TORCH_SYM_FNS = new Set(['sym_not', 'sym_int', 'sym_float', 'sym_ite', 'sym_max', 'sym_min', 'sym_sqrt', 'sym_sum']);

/** Our name for a serialized call target, or undefined when unknown. */
export function targetFromSerialized(t: string): string | undefined {
  if (t === '_operator.getitem') return 'getitem';
  let m = /^_operator\.(\w+)$/.exec(t);
  if (m) return OPERATOR_FNS.has(m[1]!) ? `operator.${m[1]}` : undefined;
  if (t === 'math.trunc' || t === 'math.floor' || t === 'math.ceil') return t;
  m = /^torch\.(sym_\w+)$/.exec(t);
  if (m) return TORCH_SYM_FNS.has(m[1]!) ? t : undefined;
  m = /^torch\.ops\.higher_order\.(\w+)$/.exec(t);
  if (m) return `higher_order.${m[1]}`;
  m = /^torch\.ops\.(\w+)\.(\w+)\.(\w+)$/.exec(t);
  if (m) return `${m[1]}.${m[2]}.${m[3]}`;
  return undefined;
}

/**
 * `  File "x.py", line 3, in forward\n    code` → frames, outermost first. Like
 * torch.fx's own parser, a `File` line without a code line after it is not a
 * frame (torch prints such nodes as having no stack trace).
 */
export function parseStackTrace(s: string): StackFrame[] {
  const lines = s.split('\n');
  const frames: StackFrame[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*File "(.*)", line (\d+), in (.*)$/.exec(lines[i]!);
    if (!m) continue;
    const next = lines[i + 1];
    if (next === undefined || /^\s*File "/.test(next) || !next.trim()) continue;
    frames.push({ file: m[1]!, line: Number(m[2]), name: m[3]!, code: next.trim() });
  }
  return frames;
}

/** Split on commas outside (), [] (nn_module_stack paths like `layers.slice(None, 2, None)`). */
export function splitTopLevelCommas(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth = Math.max(0, depth - 1);
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

export const DECODED_META_KEYS = new Set(['stack_trace', 'nn_module_stack', 'source_fn_stack']);

export const MEMORY_FORMATS: Record<number, string> = { 1: 'contiguous_format', 2: 'channels_last', 3: 'channels_last_3d', 4: 'preserve_format' };
export const LAYOUTS: Record<number, string> = { 1: 'sparse_coo', 2: 'sparse_csr', 3: 'sparse_csc', 4: 'sparse_bsr', 5: 'sparse_bsc', 6: '_mkldnn', 7: 'strided' };

export function floatValue(v: unknown): number {
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (v === 'NaN') return NaN;
  if (typeof v === 'number') return v;
  throw new Error(`${JSON.stringify(v)?.slice(0, 40)} is not a float`);
}

/** A float argument as the engine holds it: PyFloat when integral (so it prints `1.0`). */
export function pyFloatArg(v: unknown): number | PyFloat {
  const f = floatValue(v);
  return Number.isInteger(f) ? new PyFloat(f) : f;
}

export function unionTag(v: unknown, what: string): [string, unknown] {
  if (!isObj(v)) throw new Error(`${what} is not an object`);
  const keys = Object.keys(v);
  if (keys.length !== 1) throw new Error(`${what} must have exactly one field, has ${keys.length} (${keys.slice(0, 4).join(', ')})`);
  return [keys[0]!, v[keys[0]!]];
}

export function int(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`${what} is not an integer`);
  return v;
}
export function str(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new Error(`${what} is not a string`);
  return v;
}
export function arr(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new Error(`${what} is not a list`);
  return v;
}
export function obj(v: unknown, what: string): Record<string, unknown> {
  if (!isObj(v)) throw new Error(`${what} is not an object`);
  return v;
}

// ---------------------------------------------------------------- program

/** Deserialize one models/<m>.json document (already JSON-parsed). */

export class UnknownTargetError extends ArchiveError {
  constructor(
    entry: string,
    readonly target: string,
    readonly node: string,
  ) {
    super(entry, `node '${node}' calls '${target}', which is not an operator this engine knows how to name`);
  }
}

export function countLeaves(s: TreeSpec): number {
  return s.type === 'leaf' ? 1 : s.children.reduce((a, c) => a + countLeaves(c), 0);
}

export const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && 'op' in v && 'graph' in v && 'users' in v;
