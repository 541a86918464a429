// The tracer: while active, every op call records a node into its graph instead
// of computing (non-strict export's make_fx role). It owns the mapping from
// tensors and symbolic scalars to the nodes that produce them, lifts tensors it
// has not seen (constants, closure captures in subgraphs) and attaches source
// locations and the nn.Module stack to each node.

import { type Graph, type Node, type StackFrame, mapNodes } from '../ir/graph';
import { type Poly, type ShapeEnv, SymInt, SymBool, freeSymbols, int, symbol, mul as mulExpr, add as addExpr } from '../symbolic';
import { type TensorMeta } from '../ops/types';
import { Tensor } from './tensor';

export type PlaceholderKind = 'parameter' | 'buffer' | 'constant' | 'user_input';

export interface ModuleFrame {
  /** Unique key as torch prints it: `L['self'].branch1`. */
  readonly key: string;
  /** Fully qualified name: `branch1.0`. */
  readonly fqn: string;
  readonly className: string;
}

export class Tracer {
  private readonly proxies = new WeakMap<object, Node>();
  /** Placeholders lifted for tensors seen during tracing, in lift order. */
  readonly liftedConstants: Array<{ tensor: Tensor; node: Node; target: string }> = [];
  /** For subgraph tracers: outer nodes captured, with the inner placeholder standing for each. */
  readonly captures: Array<{ outer: Node; inner: Node }> = [];
  readonly placeholderKinds = new Map<Node, PlaceholderKind>();
  readonly moduleStack: ModuleFrame[] = [];
  /** Overrides for nodes created while re-tracing another node (decompositions keep the source node's meta). */
  metaOverride: { stackTrace?: StackFrame[]; nnModuleStack?: Array<[string, string, string]> } | undefined;
  /** Supplies the user's stack for new nodes (Python front end); none for the TS API. */
  stackProvider: () => StackFrame[] | undefined = () => undefined;
  private symSizeCache = new Map<string, Node>();
  /** Nodes that computed a compound size expression (`s0 + 1`), by expression key. */
  private readonly exprNodes = new Map<string, Node>();
  /** Nodes of symbolic expressions already computed (`operator:exprKey`), shared by later computations. */
  readonly symExprNodes = new Map<string, Node>();
  private symbolSources = new Map<string, Node>();
  constantNamer: (t: Tensor) => string | undefined = () => undefined;

  constructor(
    readonly graph: Graph,
    readonly env: ShapeEnv,
    readonly parent?: Tracer,
  ) {}

  setProxy(v: object, n: Node): void {
    this.proxies.set(v, n);
    if (v instanceof SymInt) {
      const e = this.env.simplify(v.expr);
      const sym = e.asSymbol;
      if (sym && n.target === 'aten.sym_size.int' && !this.symSizeCache.has(sym.name)) this.symSizeCache.set(sym.name, n);
      if (!sym && e.constantValue === undefined && !this.exprNodes.has(e.key)) this.exprNodes.set(e.key, n);
    }
  }

  hasProxy(v: object): boolean {
    return this.proxies.has(v);
  }

  /** Record that node `n` defines the unbacked symbol(s) in `v` (item, nonzero sizes). */
  bindSymbolSource(name: string, n: Node): void {
    if (!this.symbolSources.has(name)) this.symbolSources.set(name, n);
  }

  addPlaceholder(name: string, kind: PlaceholderKind, val: unknown, value?: object): Node {
    const n = this.graph.placeholder(name);
    n.meta.val = val;
    this.placeholderKinds.set(n, kind);
    if (value) this.setProxy(value, n);
    if (val && typeof val === 'object' && 'shape' in val) this.registerShapeSources(n, val as TensorMeta);
    return n;
  }

  private registerShapeSources(n: Node, m: TensorMeta): void {
    m.shape.forEach((d) => {
      if (d instanceof SymInt) for (const s of freeSymbols(this.env.simplify(d.expr))) if (!this.symbolSources.has(s)) this.symbolSources.set(s, n);
    });
  }

  /** The node producing tensor `t`, lifting it when unknown. */
  proxyOfTensor(t: Tensor): Node {
    const n = this.proxies.get(t);
    if (n) return n;
    const outer = this.parent?.lookupTensor(t);
    if (outer) return this.capture(outer, t);
    if (t.isFake) throw new Error('internal error: a FakeTensor from another trace was used (tensors created during one export cannot be used in another)');
    // A real tensor the program closed over: lift it as a constant.
    const target = this.constantNamer(t) ?? `lifted_tensor_${this.liftedConstants.length}`;
    const node = this.addPlaceholder(`c_${target.replace(/\./g, '_')}`, 'constant', t.meta, t);
    this.liftedConstants.push({ tensor: t, node, target });
    return node;
  }

  private lookupTensor(t: Tensor): Node | undefined {
    return this.proxies.get(t) ?? this.parent?.lookupTensor(t);
  }

  private capture(outer: Node, value: object): Node {
    const existing = this.captures.find((c) => c.outer === outer);
    if (existing) return existing.inner;
    const inner = this.addPlaceholder(outer.name, 'user_input', outer.meta.val);
    this.setProxy(value, inner);
    this.captures.push({ outer, inner });
    return inner;
  }

  /** The node producing a symbolic value, materialising sym_size / operator nodes as torch does. */
  proxyOfSym(v: SymInt | SymBool): Node | undefined {
    const n = this.proxies.get(v);
    if (n) return n;
    if (v instanceof SymBool) return undefined;
    const expr = this.env.simplify(v.expr);
    const sym = expr.asSymbol;
    if (!sym) return this.exprNodes.get(expr.key) ?? this.synthesize(expr) ?? this.parent?.proxyOfSym(v);
    const cached = this.symSizeCache.get(sym.name);
    if (cached) return cached;
    const src = this.symbolSources.get(sym.name);
    if (!src) return this.parent?.proxyOfSym(v);
    if (src.op !== 'placeholder') return src;
    const m = src.meta.val as TensorMeta;
    const dim = m.shape.findIndex((d) => d instanceof SymInt && this.env.simplify(d.expr).key === expr.key);
    if (dim < 0) return undefined;
    // Sizes read off inputs are computed once, right after the placeholders, with no stack trace.
    const firstNonPh = this.graph.nodes.find((x) => x.op !== 'placeholder');
    // torch names the first size read off an input `sym_size_int_1` (its own first
    // `sym_size_int` is created and discarded while tracing); mirror that numbering.
    if (!this.graph.namespace.has('sym_size_int')) this.graph.namespace.createName('sym_size_int');
    const make = () => {
      const node = this.graph.createNode('call_function', 'aten.sym_size.int', [src, dim], {}, 'sym_size_int');
      node.meta.val = v;
      return node;
    };
    const node = firstNonPh ? this.graph.insertingBefore(firstNonPh, make) : make();
    this.symSizeCache.set(sym.name, node);
    return node;
  }

  /**
   * A size expression no node computed yet (a decomposition's `view(x, [4*s0, …])`
   * reads it off metadata): build it from its symbols with operator nodes, as
   * torch's tracer does, and remember it.
   */
  private synthesize(expr: Poly): Node | undefined {
    let acc: unknown;
    let accExpr: Poly | undefined;
    const combine = (op: 'add' | 'mul', a: unknown, b: unknown, val: Poly): Node => {
      const node = this.createCall(`operator.${op}`, [a, b], {}, op, new SymInt(val, this.env));
      this.exprNodes.set(val.key, node);
      return node;
    };
    const terms = [...expr.terms.values()].sort((x, y) => (x.mono.key === '' ? 1 : y.mono.key === '' ? -1 : 0));
    for (const t of terms) {
      let termNode: unknown;
      let termExpr: Poly = int(1);
      for (const [atom, pow] of t.mono.factors) {
        if (atom.kind !== 'symbol') return undefined;
        for (let i = 0; i < pow; i++) {
          const symNode = this.proxyOfSym(new SymInt(symbol(atom.name), this.env));
          if (!symNode) return undefined;
          termExpr = mulExpr(termExpr, symbol(atom.name));
          termNode = termNode === undefined ? symNode : combine('mul', termNode, symNode, termExpr);
        }
      }
      if (t.mono.key === '') {
        termNode = t.coeff;
        termExpr = int(t.coeff);
      } else if (t.coeff !== 1) {
        termExpr = mulExpr(termExpr, int(t.coeff));
        termNode = combine('mul', termNode, t.coeff, termExpr);
      }
      if (acc === undefined) {
        acc = termNode;
        accExpr = termExpr;
      } else {
        accExpr = addExpr(accExpr!, termExpr);
        acc = combine('add', acc, termNode, accExpr);
      }
    }
    return acc instanceof Object ? (acc as Node) : undefined;
  }

  /** Turn argument values into node arguments. */
  toNodeArg(v: unknown): unknown {
    if (v instanceof Tensor) return this.proxyOfTensor(v);
    if (v instanceof SymInt || v instanceof SymBool) {
      const n = this.proxyOfSym(v);
      if (n) return n;
      if (v instanceof SymInt) {
        const c = this.env.simplify(v.expr).constantValue;
        if (c !== undefined) return c;
      }
      throw new Error(`internal error: no graph value computes the symbolic value ${v.toString()}`);
    }
    if (Array.isArray(v)) return v.map((x) => this.toNodeArg(x));
    return v;
  }

  createCall(target: string, args: unknown[], kwargs: Record<string, unknown>, nameHint: string, val: unknown): Node {
    const node = this.graph.createNode('call_function', target, args, kwargs, nameHint);
    node.meta.val = val;
    const stack = this.metaOverride?.stackTrace ?? this.stackProvider();
    if (stack) node.meta.stackTrace = stack;
    const mods = this.metaOverride?.nnModuleStack ?? (this.moduleStack.length ? this.moduleStack.map((f) => [f.key, f.fqn, f.className] as [string, string, string]) : undefined);
    if (mods) node.meta.nnModuleStack = mods;
    return node;
  }
}

/** The active tracers, innermost last. */
const tracerStack: Tracer[] = [];

export function currentTracer(): Tracer | undefined {
  return tracerStack[tracerStack.length - 1];
}

export function withTracer<T>(t: Tracer | undefined, fn: () => T): T {
  if (!t) {
    // Run with no tracer: eager mode even inside a trace (used by module() and eager comparisons).
    const saved = tracerStack.splice(0, tracerStack.length);
    try {
      return fn();
    } finally {
      tracerStack.push(...saved);
    }
  }
  tracerStack.push(t);
  const prevFrame = t.env.userFrame;
  try {
    return fn();
  } finally {
    tracerStack.pop();
    t.env.userFrame = prevFrame;
  }
}

export { mapNodes };
