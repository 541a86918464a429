// From a program's GraphPayload to what the graph view draws. Nodes are grouped into a
// tree by nn_module_stack (`blocks.3.fc1 · Linear`), cond branches become nested groups,
// and any group with more than CHUNK_SIZE children is split into sequential chunks so
// no level is ever a wall of boxes. Weights (parameters, buffers, constants) are folded
// into the ops that read them, and a module that is a single op (a Linear, a ReLU) is
// drawn as that op rather than as a frame around it: both keep big models compact and
// keep ELK's layered layout from drifting sideways module after module. Given which groups are expanded, `visibleGraph`
// returns the boxes and the edges between them (an edge into a collapsed group lands on
// the group). By default groups are expanded breadth-first while the number of visible
// boxes stays under DEFAULT_VISIBLE_BUDGET, which keeps large programs usable.

import type { GraphNodeInfo, GraphPayload } from '../../main/common/ipc-contract';

export const CHUNK_SIZE = 32;
export const DEFAULT_VISIBLE_BUDGET = 120;

export interface Leaf {
  kind: 'leaf';
  id: string;
  parent: string | null;
  node: GraphNodeInfo;
  /** `true_graph_0/` for nodes of a cond branch, '' for the main graph. */
  scope: string;
  /** Weight placeholders folded into this op (`p_fc1_weight`). */
  weights: string[];
  /** The single-op module this node stands for (`fc1 · Linear`), when its frame was folded away. */
  module?: string;
}

export interface Group {
  kind: 'group';
  id: string;
  parent: string | null;
  /** `fc1`, `cond`, `true_graph_0`, `blocks.0 … blocks.31`. */
  label: string;
  /** Class name, `cond`, `branch` or `chunk`. */
  detail: string;
  role: 'module' | 'cond' | 'branch' | 'chunk';
  children: string[];
  /** call_function nodes anywhere below. */
  callCount: number;
  /** Leaves anywhere below. */
  leafCount: number;
}

export type Item = Leaf | Group;

export interface GraphModel {
  items: Map<string, Item>;
  rootChildren: string[];
  /** Leaf id by scoped node name (`true_graph_0/sin`). */
  leafByName: Map<string, string>;
  groups: Group[];
  callCount: number;
}

export const leafId = (scope: string, name: string): string => `n:${scope}${name}`;

/** Deepest module path shared by every stack (the module a weight belongs to). */
function commonStack(stacks: Array<Array<[string, string]>>): Array<[string, string]> {
  if (!stacks.length) return [];
  const out: Array<[string, string]> = [];
  for (let i = 0; ; i++) {
    const first = stacks[0]![i];
    if (!first || !stacks.every((s) => s[i]?.[0] === first[0])) return out;
    out.push(first);
  }
}

/**
 * `weightKinds`: placeholder names of parameters, buffers and constants. Those are drawn
 * inside the module that uses them (the deepest module all their users share), so a
 * program's hundreds of weights do not fan out from the top of the graph.
 */
export function buildGraphModel(payload: GraphPayload, weightNames: ReadonlySet<string> = new Set()): GraphModel {
  const items = new Map<string, Item>();
  const rootChildren: string[] = [];
  const leafByName = new Map<string, string>();
  const childrenOf = (parent: string | null): string[] => (parent === null ? rootChildren : (items.get(parent) as Group).children);

  const ensureModuleGroup = (stack: Array<[string, string]>, base: string | null): string | null => {
    let parent = base;
    let parentFqn = '';
    for (const [fqn, cls] of stack) {
      const id = `${parent ?? ''}>m:${fqn}`;
      if (!items.has(id)) {
        const rel = parentFqn && fqn.startsWith(parentFqn + '.') ? fqn.slice(parentFqn.length + 1) : fqn;
        items.set(id, { kind: 'group', id, parent, label: rel, detail: cls.split('.').pop() ?? cls, role: 'module', children: [], callCount: 0, leafCount: 0 });
        childrenOf(parent).push(id);
      }
      parent = id;
      parentFqn = fqn;
    }
    return parent;
  };

  /** Weight placeholders folded into each op, by op name (main graph only). */
  const folded = new Map<string, string[]>();
  const addGraph = (g: GraphPayload, scope: string, base: string | null): void => {
    const subgraphNames = new Set(Object.keys(g.subgraphs));
    const usersOf = new Map<string, GraphNodeInfo[]>();
    for (const n of g.nodes) for (const i of n.inputs) (usersOf.get(i) ?? usersOf.set(i, []).get(i)!).push(n);
    for (const n of g.nodes) {
      if (n.op === 'get_attr' && subgraphNames.has(n.target)) continue;
      let parent = base;
      if (n.op === 'call_function') parent = ensureModuleGroup(n.moduleStack, base);
      else if (scope === '' && n.op === 'placeholder' && weightNames.has(n.name)) {
        const users = usersOf.get(n.name) ?? [];
        if (users.length === 0) continue; // an unused buffer (num_batches_tracked in eval mode): listed in the signature only
        if (users.every((u) => u.op === 'call_function')) {
          for (const u of users) (folded.get(u.name) ?? folded.set(u.name, []).get(u.name)!).push(n.name);
          continue;
        }
        parent = ensureModuleGroup(commonStack(users.filter((u) => u.op === 'call_function').map((u) => u.moduleStack)), base);
      }
      let home = parent;
      if (n.subgraphs?.length) {
        // cond: a group holding the cond node and one group per branch.
        const condId = `${parent ?? ''}>c:${scope}${n.name}`;
        items.set(condId, { kind: 'group', id: condId, parent, label: n.name, detail: 'torch.cond', role: 'cond', children: [], callCount: 0, leafCount: 0 });
        childrenOf(parent).push(condId);
        home = condId;
      }
      const id = leafId(scope, n.name);
      items.set(id, { kind: 'leaf', id, parent: home, node: n, scope, weights: scope === '' ? (folded.get(n.name) ?? []) : [] });
      childrenOf(home).push(id);
      leafByName.set(`${scope}${n.name}`, id);
      for (const sub of n.subgraphs ?? []) {
        const sg = g.subgraphs[sub];
        if (!sg) continue;
        const branchId = `${home}>b:${sub}`;
        items.set(branchId, { kind: 'group', id: branchId, parent: home, label: sub, detail: 'branch', role: 'branch', children: [], callCount: 0, leafCount: 0 });
        (items.get(home!) as Group).children.push(branchId);
        addGraph(sg, `${scope}${sub}/`, branchId);
      }
    }
  };
  addGraph(payload, '', null);

  // A module group with a single child is drawn as that child (labelled with the module).
  const flatten = (parent: string | null): void => {
    const kids = childrenOf(parent);
    for (let i = 0; i < kids.length; i++) {
      const it = items.get(kids[i]!)!;
      if (it.kind !== 'group') continue;
      flatten(it.id);
      if (it.role !== 'module' || it.children.length !== 1) continue;
      const only = items.get(it.children[0]!)!;
      only.parent = parent;
      if (only.kind === 'leaf') only.module = only.module ?? `${it.label} · ${it.detail}`;
      else only.label = `${it.label}.${only.label}`;
      items.delete(it.id);
      kids[i] = only.id;
    }
  };
  flatten(null);

  // Split long child lists into sequential chunks (recursively, for very long lists).
  const chunk = (parent: string | null): void => {
    let kids = childrenOf(parent);
    while (kids.length > CHUNK_SIZE) {
      const chunks: string[] = [];
      for (let i = 0; i < kids.length; i += CHUNK_SIZE) {
        const part = kids.slice(i, i + CHUNK_SIZE);
        const id = `${parent ?? ''}>k:${i}-${i + part.length - 1}:${kids.length}`;
        const first = labelOf(items.get(part[0]!)!);
        const last = labelOf(items.get(part[part.length - 1]!)!);
        items.set(id, { kind: 'group', id, parent, label: `${first} … ${last}`, detail: `${part.length} items`, role: 'chunk', children: part, callCount: 0, leafCount: 0 });
        for (const c of part) items.get(c)!.parent = id;
        chunks.push(id);
      }
      kids.splice(0, kids.length, ...chunks);
      kids = childrenOf(parent);
    }
    for (const c of kids) {
      const it = items.get(c)!;
      if (it.kind === 'group') chunk(it.id);
    }
  };
  chunk(null);

  // Counts, bottom-up.
  const count = (id: string): [number, number] => {
    const it = items.get(id)!;
    if (it.kind === 'leaf') return [it.node.op === 'call_function' ? 1 : 0, 1];
    let calls = 0;
    let leaves = 0;
    for (const c of it.children) {
      const [a, b] = count(c);
      calls += a;
      leaves += b;
    }
    it.callCount = calls;
    it.leafCount = leaves;
    return [calls, leaves];
  };
  let callCount = 0;
  for (const c of rootChildren) callCount += count(c)[0];
  const groups = [...items.values()].filter((i): i is Group => i.kind === 'group');
  return { items, rootChildren, leafByName, groups, callCount };
}

function labelOf(it: Item): string {
  return it.kind === 'leaf' ? it.node.name : it.label;
}

/** Which groups are expanded when the user has not said: breadth-first within the budget. */
export function defaultExpansion(model: GraphModel, budget = DEFAULT_VISIBLE_BUDGET): Set<string> {
  const expanded = new Set<string>();
  let visible = model.rootChildren.length;
  let frontier = model.rootChildren.filter((c) => model.items.get(c)!.kind === 'group');
  while (frontier.length) {
    const next: string[] = [];
    for (const id of frontier) {
      const g = model.items.get(id) as Group;
      if (visible - 1 + g.children.length > budget) continue;
      expanded.add(id);
      visible += g.children.length - 1;
      for (const c of g.children) if (model.items.get(c)!.kind === 'group') next.push(c);
    }
    frontier = next;
  }
  return expanded;
}

export interface VisibleBox {
  id: string;
  /** Enclosing expanded group, or null at the top level. */
  parent: string | null;
  item: Item;
}

export interface VisibleEdge {
  id: string;
  source: string;
  target: string;
  /** How many data edges it stands for. */
  count: number;
  /** A cond node → branch link (drawn dashed). */
  branch?: boolean;
}

export interface VisibleGraph {
  /** Leaves and collapsed groups (drawn as boxes). */
  boxes: VisibleBox[];
  /** Expanded groups (drawn as frames around their children), outermost first. */
  frames: VisibleBox[];
  edges: VisibleEdge[];
  /** Representative box (leaf or collapsed group) of every leaf. */
  repOf: Map<string, string>;
  /** call_function leaves shown as their own box. */
  visibleCallCount: number;
}

export function isExpanded(model: GraphModel, id: string, overrides: Record<string, boolean>, defaults: Set<string>): boolean {
  const o = overrides[id];
  return o !== undefined ? o : defaults.has(id);
}

export function visibleGraph(model: GraphModel, overrides: Record<string, boolean>, defaults: Set<string>): VisibleGraph {
  const boxes: VisibleBox[] = [];
  const frames: VisibleBox[] = [];
  const repOf = new Map<string, string>();
  let visibleCallCount = 0;
  const markLeaves = (id: string, rep: string): void => {
    const it = model.items.get(id)!;
    if (it.kind === 'leaf') repOf.set(id, rep);
    else for (const c of it.children) markLeaves(c, rep);
  };
  const walk = (ids: string[], parent: string | null): void => {
    for (const id of ids) {
      const it = model.items.get(id)!;
      if (it.kind === 'leaf') {
        boxes.push({ id, parent, item: it });
        repOf.set(id, id);
        if (it.node.op === 'call_function') visibleCallCount++;
      } else if (isExpanded(model, id, overrides, defaults)) {
        frames.push({ id, parent, item: it });
        walk(it.children, id);
      } else {
        boxes.push({ id, parent, item: it });
        markLeaves(id, id);
      }
    }
  };
  walk(model.rootChildren, null);

  const edges = new Map<string, VisibleEdge>();
  const addEdge = (from: string, to: string, branch = false): void => {
    const s = repOf.get(from);
    const t = repOf.get(to);
    if (!s || !t || s === t) return;
    const key = `${s}→${t}`;
    const e = edges.get(key);
    if (e) e.count++;
    else edges.set(key, { id: `e${edges.size}`, source: s, target: t, count: 1, branch });
  };
  for (const it of model.items.values()) {
    if (it.kind !== 'leaf') continue;
    for (const input of it.node.inputs) {
      const from = model.leafByName.get(`${it.scope}${input}`);
      if (from) addEdge(from, it.id);
    }
    for (const sub of it.node.subgraphs ?? []) {
      // cond node → the branch's placeholders.
      for (const [name, lid] of model.leafByName)
        if (name.startsWith(`${it.scope}${sub}/`) && (model.items.get(lid) as Leaf).node.op === 'placeholder') addEdge(it.id, lid, true);
    }
  }
  return { boxes, frames, edges: [...edges.values()], repOf, visibleCallCount };
}

/** Groups from the top down to an item (to expand them all and reveal it). */
export function ancestorsOf(model: GraphModel, id: string): string[] {
  const out: string[] = [];
  let p = model.items.get(id)?.parent ?? null;
  while (p) {
    out.unshift(p);
    p = model.items.get(p)?.parent ?? null;
  }
  return out;
}

/** Leaves whose name, target or type contains the query (case-insensitive), in graph order. */
export function searchLeaves(model: GraphModel, query: string): string[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const out: string[] = [];
  for (const it of model.items.values())
    if (
      it.kind === 'leaf' &&
      (it.node.name.toLowerCase().includes(q) ||
        it.node.target.toLowerCase().includes(q) ||
        it.node.type.toLowerCase().includes(q) ||
        (it.module ?? '').toLowerCase().includes(q) ||
        it.weights.some((w) => w.toLowerCase().includes(q)))
    )
      out.push(it.id);
  return out;
}

/** Box text: title, op, type. */
export function boxLines(it: Item, roleOf?: (name: string) => string | undefined): [string, string, string] {
  if (it.kind === 'group') {
    const ops = `${it.callCount} op${it.callCount === 1 ? '' : 's'}`;
    if (it.role === 'chunk') return [it.label, `${it.detail} · ${ops}`, ''];
    if (it.role === 'cond') return [it.label, 'torch.cond', ops];
    return [it.label, it.detail, ops];
  }
  const n = it.node;
  let op = n.op === 'call_function' ? n.target.replace(/^aten\./, '') : n.op === 'placeholder' ? (roleOf?.(n.name) ?? 'input') : n.op;
  if (it.module) op = `${op} · ${it.module}`;
  if (it.weights.length) op += ` · ${it.weights.length}w`;
  return [n.name, op, n.type];
}

const CHAR_W = 7.1;
export function boxSize(lines: readonly string[]): { width: number; height: number } {
  const longest = Math.max(...lines.map((l) => l.length), 8);
  return { width: Math.round(Math.min(Math.max(longest * CHAR_W + 24, 120), 340)), height: lines[2] ? 58 : 44 };
}
