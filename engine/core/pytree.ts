// Pytrees: nested tuples, lists, dicts and None around leaves, flattened to a
// leaf list plus a TreeSpec and rebuilt from them, as torch.utils._pytree does.
// JS arrays are Python tuples unless made with `pyList`; plain objects are dicts
// (insertion order kept); null is None.

const LIST_TAG = Symbol('pyList');

export function pyList<T>(items: T[]): T[] {
  const a = [...items];
  (a as unknown as Record<symbol, boolean>)[LIST_TAG] = true;
  return a;
}

export const isPyList = (v: unknown): boolean => Array.isArray(v) && (v as unknown as Record<symbol, boolean>)[LIST_TAG] === true;

export type NodeType = 'tuple' | 'list' | 'dict' | 'None' | 'leaf';

export interface TreeSpec {
  readonly type: NodeType;
  /** Dict keys, in order. */
  readonly context?: ReadonlyArray<string | number>;
  readonly children: readonly TreeSpec[];
}

export const LEAF: TreeSpec = { type: 'leaf', children: [] };

function isDict(v: unknown): v is Record<string, unknown> | Map<string | number, unknown> {
  if (v instanceof Map) return true;
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/** Key path element: index for sequences, key for dicts. */
export type KeyEntry = { kind: 'index'; index: number } | { kind: 'key'; key: string | number };

export interface FlatLeaf {
  readonly value: unknown;
  readonly path: readonly KeyEntry[];
}

export function treeFlattenWithPath(v: unknown, isLeaf: (x: unknown) => boolean = () => false, path: KeyEntry[] = []): { leaves: FlatLeaf[]; spec: TreeSpec } {
  if (!isLeaf(v)) {
    if (v === null || v === undefined) return { leaves: [], spec: { type: 'None', children: [] } };
    if (Array.isArray(v)) {
      const leaves: FlatLeaf[] = [];
      const children = v.map((x, i) => {
        const r = treeFlattenWithPath(x, isLeaf, [...path, { kind: 'index', index: i }]);
        leaves.push(...r.leaves);
        return r.spec;
      });
      return { leaves, spec: { type: isPyList(v) ? 'list' : 'tuple', children } };
    }
    if (isDict(v)) {
      const entries: Array<[string | number, unknown]> = v instanceof Map ? [...v.entries()] : Object.entries(v);
      const leaves: FlatLeaf[] = [];
      const children = entries.map(([k, x]) => {
        const r = treeFlattenWithPath(x, isLeaf, [...path, { kind: 'key', key: k }]);
        leaves.push(...r.leaves);
        return r.spec;
      });
      return { leaves, spec: { type: 'dict', context: entries.map(([k]) => k), children } };
    }
  }
  return { leaves: [{ value: v, path }], spec: LEAF };
}

export function treeFlatten(v: unknown, isLeaf?: (x: unknown) => boolean): { leaves: unknown[]; spec: TreeSpec } {
  const r = treeFlattenWithPath(v, isLeaf);
  return { leaves: r.leaves.map((l) => l.value), spec: r.spec };
}

export function numLeaves(spec: TreeSpec): number {
  if (spec.type === 'leaf') return 1;
  return spec.children.reduce((a, c) => a + numLeaves(c), 0);
}

export function treeUnflatten(leaves: readonly unknown[], spec: TreeSpec): unknown {
  let i = 0;
  const build = (s: TreeSpec): unknown => {
    switch (s.type) {
      case 'leaf':
        return leaves[i++];
      case 'None':
        return null;
      case 'tuple':
        return s.children.map(build);
      case 'list':
        return pyList(s.children.map(build));
      case 'dict': {
        const out: Record<string, unknown> = {};
        s.children.forEach((c, j) => (out[String(s.context![j])] = build(c)));
        return out;
      }
    }
  };
  const out = build(spec);
  if (i !== leaves.length) throw new Error(`treeUnflatten: spec has ${i} leaves but ${leaves.length} were given`);
  return out;
}

export function specEquals(a: TreeSpec, b: TreeSpec): boolean {
  if (a.type !== b.type || a.children.length !== b.children.length) return false;
  if (JSON.stringify(a.context ?? null) !== JSON.stringify(b.context ?? null)) return false;
  return a.children.every((c, i) => specEquals(c, b.children[i]!));
}

/** torch's repr: TreeSpec(tuple, None, [*, *]). */
export function specToString(s: TreeSpec): string {
  if (s.type === 'leaf') return '*';
  const ctx = s.type === 'dict' ? `[${(s.context ?? []).map((k) => (typeof k === 'string' ? `'${k}'` : String(k))).join(', ')}]` : 'None';
  const type = s.type === 'None' ? 'NoneType' : s.type;
  return `TreeSpec(${type}, ${ctx}, [${s.children.map(specToString).join(',\n  ')}])`;
}

/** Placeholder name suffix for a key path, as export names nested inputs (`inputs_bc_0`). */
export function pathSuffix(path: readonly KeyEntry[]): string {
  return path.map((p) => (p.kind === 'index' ? `_${p.index}` : `_${String(p.key)}`)).join('');
}

/** Python-style path for messages: `['bc'][0]`. */
export function pathString(path: readonly KeyEntry[]): string {
  return path.map((p) => (p.kind === 'index' ? `[${p.index}]` : `[${typeof p.key === 'string' ? `'${p.key}'` : p.key}]`)).join('');
}
