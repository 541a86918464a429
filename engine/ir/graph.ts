// The graph IR, shaped like torch.fx: an ordered list of nodes, each a plain
// record {name, op, target, args, kwargs, meta}. Users are derived from args and
// kept in sync only through the setters here (see STYLE: edits never bypass
// use-def tracking). Names are unique per graph through one Namespace.

import { GraphVerificationError } from '../core/errors';
import { Namespace } from './namespace';

export type NodeOp = 'placeholder' | 'call_function' | 'get_attr' | 'output';

/** Node argument values: nodes, Python constants and containers of them. */
export type Argument = Node | Argument[] | ArgTuple | { readonly [k: string]: Argument } | unknown;

/** A Python tuple in arguments (printed with parentheses). */
export class ArgTuple {
  constructor(readonly items: Argument[]) {}
}

export interface StackFrame {
  readonly file: string;
  readonly line: number;
  readonly name: string;
  readonly code: string;
}

export interface NodeMeta {
  /** TensorMeta, IntLike, BoolLike, or an array of them for multi-output nodes. */
  val?: unknown;
  /** Innermost user frame last. */
  stackTrace?: StackFrame[];
  /** Module path → [fully qualified name, class name], outermost first. */
  nnModuleStack?: Array<[string, string, string]>;
  /** Source function of the op ([name, target]). */
  sourceFnStack?: Array<[string, string]>;
  /** Free-form extras (unbacked bindings, custom). */
  [k: string]: unknown;
}

export class Node {
  private _args: Argument[];
  private _kwargs: Record<string, Argument>;
  readonly users = new Set<Node>();
  meta: NodeMeta = {};

  constructor(
    readonly graph: Graph,
    public name: string,
    readonly op: NodeOp,
    readonly target: string,
    args: Argument[],
    kwargs: Record<string, Argument>,
  ) {
    this._args = args;
    this._kwargs = kwargs;
    for (const n of inputNodesOf(args, kwargs)) n.users.add(this);
  }

  get args(): readonly Argument[] {
    return this._args;
  }
  get kwargs(): Readonly<Record<string, Argument>> {
    return this._kwargs;
  }

  /** Replace args/kwargs, updating users of old and new inputs. */
  setArgs(args: Argument[], kwargs: Record<string, Argument> = this._kwargs): void {
    for (const n of this.inputNodes()) n.users.delete(this);
    this._args = args;
    this._kwargs = kwargs;
    for (const n of this.inputNodes()) n.users.add(this);
  }

  /** Input nodes in argument order (first occurrence), as fx's `_input_nodes`. */
  inputNodes(): Node[] {
    return inputNodesOf(this._args, this._kwargs);
  }

  /** Make every user of this node use `other` instead. */
  replaceAllUsesWith(other: Node): void {
    for (const u of [...this.users]) u.setArgs(mapNodes(u.args, (n) => (n === this ? other : n)) as Argument[], mapNodes(u.kwargs, (n) => (n === this ? other : n)) as Record<string, Argument>);
  }

  toString(): string {
    return `%${this.name}`;
  }
}

/** Apply `f` to every Node inside an argument structure. */
export function mapNodes(a: unknown, f: (n: Node) => unknown): unknown {
  if (a instanceof Node) return f(a);
  if (Array.isArray(a)) return a.map((x) => mapNodes(x, f));
  if (a instanceof ArgTuple) return new ArgTuple(a.items.map((x) => mapNodes(x, f)));
  if (isPlainRecord(a)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(a)) out[k] = mapNodes(v, f);
    return out;
  }
  return a;
}

export function isPlainRecord(a: unknown): a is Record<string, unknown> {
  return typeof a === 'object' && a !== null && Object.getPrototypeOf(a) === Object.prototype && !('enum' in a);
}

function inputNodesOf(args: unknown, kwargs: unknown): Node[] {
  const seen: Node[] = [];
  const visit = (x: unknown) =>
    mapNodes(x, (n) => {
      if (!seen.includes(n)) seen.push(n);
      return n;
    });
  visit(args);
  visit(kwargs);
  return seen;
}

export class Graph {
  readonly nodes: Node[] = [];
  readonly namespace = new Namespace();
  /** Subgraphs referenced by get_attr nodes (cond branches), by attribute name. */
  readonly subgraphs = new Map<string, Graph>();

  private insertIndex: number | undefined;

  createNode(op: NodeOp, target: string, args: Argument[] = [], kwargs: Record<string, Argument> = {}, nameHint?: string): Node {
    const name = this.namespace.createName(nameHint ?? target);
    const node = new Node(this, name, op, target, args, kwargs);
    if (this.insertIndex !== undefined) this.nodes.splice(this.insertIndex++, 0, node);
    else {
      // Placeholders stay before everything else; the output stays last.
      const outIdx = this.nodes.findIndex((n) => n.op === 'output');
      if (op === 'placeholder') {
        const lastPh = this.nodes.reduce((acc, n, i) => (n.op === 'placeholder' ? i : acc), -1);
        this.nodes.splice(lastPh + 1, 0, node);
      } else if (outIdx >= 0) this.nodes.splice(outIdx, 0, node);
      else this.nodes.push(node);
    }
    return node;
  }

  /** Create nodes before `anchor` while `fn` runs. */
  insertingBefore<T>(anchor: Node, fn: () => T): T {
    const saved = this.insertIndex;
    this.insertIndex = this.nodes.indexOf(anchor);
    try {
      return fn();
    } finally {
      this.insertIndex = saved;
    }
  }

  placeholder(name: string): Node {
    return this.createNode('placeholder', name, [], {}, name);
  }

  output(value: Argument): Node {
    return this.createNode('output', 'output', [value], {}, 'output');
  }

  get outputNode(): Node | undefined {
    return this.nodes.find((n) => n.op === 'output');
  }

  get placeholders(): Node[] {
    return this.nodes.filter((n) => n.op === 'placeholder');
  }

  eraseNode(n: Node): void {
    if (n.users.size) throw new GraphVerificationError(`cannot erase ${n.name}: it still has users ${[...n.users].map((u) => u.name).join(', ')}`);
    n.setArgs([], {});
    const i = this.nodes.indexOf(n);
    if (i >= 0) this.nodes.splice(i, 1);
    this.namespace.release(n.name);
  }

  /** Remove nodes without users whose op `isRemovable` says are pure. Returns whether anything changed. */
  eliminateDeadCode(isRemovable: (n: Node) => boolean): boolean {
    let changed = false;
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const n = this.nodes[i]!;
      if (n.op === 'call_function' && n.users.size === 0 && isRemovable(n)) {
        this.eraseNode(n);
        changed = true;
      }
    }
    return changed;
  }

  /** fx Graph.lint: ownership, topological order, unique names, one output last. */
  lint(): void {
    const seen = new Set<Node>();
    const names = new Set<string>();
    this.nodes.forEach((n, i) => {
      if (n.graph !== this) throw new GraphVerificationError(`node ${n.name} belongs to another graph`);
      if (names.has(n.name)) throw new GraphVerificationError(`duplicate node name ${n.name}`);
      names.add(n.name);
      for (const inp of n.inputNodes()) {
        if (!seen.has(inp)) throw new GraphVerificationError(`node ${n.name} uses ${inp.name} before it is defined`);
        if (!inp.users.has(n)) throw new GraphVerificationError(`use-def out of sync: ${inp.name} does not list user ${n.name}`);
      }
      if (n.op === 'output' && i !== this.nodes.length - 1) throw new GraphVerificationError('output node is not last');
      if (n.op === 'placeholder' && i > 0 && this.nodes[i - 1]!.op !== 'placeholder') throw new GraphVerificationError(`placeholder ${n.name} after non-placeholder`);
      seen.add(n);
    });
    for (const n of this.nodes) for (const u of n.users) if (!seen.has(u)) throw new GraphVerificationError(`${n.name} has a user ${u.name} outside the graph`);
    if (this.nodes.filter((n) => n.op === 'output').length !== 1) throw new GraphVerificationError('graph must have exactly one output node');
    for (const g of this.subgraphs.values()) g.lint();
  }
}
