// TreeSpecs as torch.utils._pytree.treespec_dumps writes them into a module call
// signature: `[1, {"type": "builtins.tuple", "context": "null", "children_spec":
// [...]}]`, where builtin containers carry their context JSON-encoded again
// (dict keys as `"[\"a\", \"b\"]"`). Read into and written from core/pytree.

import { type TreeSpec, LEAF } from '../core/pytree';
import { pyJsonDumps } from './json';
import type * as S from './schema';

export class TreeSpecError extends Error {}

const TYPE_TO_NODE: Record<string, TreeSpec['type']> = {
  'builtins.tuple': 'tuple',
  'builtins.list': 'list',
  'builtins.dict': 'dict',
  'collections.OrderedDict': 'dict',
  'builtins.NoneType': 'None',
  'torch.fx.immutable_collections.immutable_list': 'list',
  'torch.fx.immutable_collections.immutable_dict': 'dict',
};

function fromSchema(s: unknown, depth: number): TreeSpec {
  if (depth > 100) throw new TreeSpecError('tree spec is nested too deeply');
  if (typeof s !== 'object' || s === null || Array.isArray(s)) throw new TreeSpecError('tree spec node is not an object');
  const o = s as Partial<S.TreeSpecSchema>;
  if (!Array.isArray(o.children_spec)) throw new TreeSpecError('tree spec node has no children_spec list');
  if (o.type === null || o.type === undefined) {
    if (o.children_spec.length) throw new TreeSpecError('leaf tree spec has children');
    return LEAF;
  }
  if (typeof o.type !== 'string') throw new TreeSpecError('tree spec type is not a string');
  const node = TYPE_TO_NODE[o.type];
  if (!node) throw new TreeSpecError(`pytree node type ${o.type} is not supported`);
  const children = o.children_spec.map((c) => fromSchema(c, depth + 1));
  if (node === 'dict') {
    let keys: unknown;
    try {
      keys = typeof o.context === 'string' ? JSON.parse(o.context) : o.context;
    } catch {
      throw new TreeSpecError(`dict context ${String(o.context)} is not JSON`);
    }
    if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string' || typeof k === 'number'))
      throw new TreeSpecError('dict context is not a list of keys');
    if (keys.length !== children.length) throw new TreeSpecError(`dict context has ${keys.length} keys for ${children.length} children`);
    return { type: 'dict', context: keys as Array<string | number>, children };
  }
  if (node === 'None' && children.length) throw new TreeSpecError('None tree spec has children');
  return { type: node, children };
}

/** treespec_loads. */
export function parseTreeSpec(text: string): TreeSpec {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new TreeSpecError('tree spec is not JSON');
  }
  if (!Array.isArray(doc) || doc.length !== 2) throw new TreeSpecError('tree spec is not [protocol, spec]');
  if (doc[0] !== 1) throw new TreeSpecError(`tree spec protocol ${String(doc[0])} is not supported`);
  return fromSchema(doc[1], 0);
}

function toSchema(s: TreeSpec): S.TreeSpecSchema {
  switch (s.type) {
    case 'leaf':
      return { type: null, context: null, children_spec: [] };
    case 'None':
      return { type: 'builtins.NoneType', context: 'null', children_spec: [] };
    case 'tuple':
    case 'list':
      return { type: `builtins.${s.type}`, context: 'null', children_spec: s.children.map(toSchema) };
    case 'dict':
      return { type: 'builtins.dict', context: pyJsonDumps([...(s.context ?? [])]), children_spec: s.children.map(toSchema) };
  }
}

/** treespec_dumps(spec, 1). */
export function dumpTreeSpec(s: TreeSpec): string {
  return pyJsonDumps([1, toSchema(s)]);
}

/** Input names as export reports them (`x`, `inputs['bc'][0]`) for the leaves of an (args, kwargs) spec. */
export function inputPathsOf(inSpec: TreeSpec, argNames: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (s: TreeSpec, prefix: string) => {
    if (s.type === 'leaf') out.push(prefix);
    else
      s.children.forEach((c, i) => {
        const k = s.context?.[i];
        walk(c, s.type === 'dict' ? `${prefix}[${typeof k === 'string' ? `'${k}'` : String(k)}]` : `${prefix}[${i}]`);
      });
  };
  const [args, kwargs] = inSpec.children;
  args?.children.forEach((c, i) => walk(c, argNames[i] ?? `args_${i}`));
  kwargs?.children.forEach((c, i) => walk(c, String(kwargs.context?.[i])));
  return out;
}
