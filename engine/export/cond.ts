// torch.cond as a higher-order op. Eagerly it runs one branch. While tracing with
// a constant predicate it inlines the taken branch (as non-strict export does);
// otherwise it traces both branches into subgraphs (`true_graph_0`,
// `false_graph_0`), lifting closed-over tensors as extra operands and dropping
// operands neither branch reads, and records
//   cond = torch.ops.higher_order.cond(pred, true_graph_0, false_graph_0, (x,))
// followed by one getitem per output.

import { UserError } from '../core/errors';
import { treeFlatten, treeUnflatten } from '../core/pytree';
import { Graph, type Node } from '../ir/graph';
import { ArgTuple } from '../ir/graph';
import { type TensorMeta, isTensorMeta } from '../ops/types';
import { SymBool, guardBool, staticallyKnownTrue, symEq } from '../symbolic';
import { Tensor } from '../trace/tensor';
import { Tracer, currentTracer, withTracer } from '../trace/tracer';
import { wrapTraced } from '../trace/dispatch';

export type BranchFn = (...operands: unknown[]) => unknown;

function predValue(pred: unknown): boolean {
  if (pred instanceof Tensor) {
    if (pred.nd.numel !== 1) throw new UserError('INVALID_INPUT', `Expected pred to be bool or single-element tensor, but got a tensor of shape [${pred.shape.join(', ')}].`);
    return pred.nd.item() !== 0;
  }
  return guardBool(pred as boolean | SymBool);
}

export function cond(pred: unknown, trueFn: BranchFn, falseFn: BranchFn, operands: readonly unknown[] = []): unknown {
  const tracer = currentTracer();
  if (!tracer) return (predValue(pred) ? trueFn : falseFn)(...operands);
  if (typeof pred === 'boolean') return (pred ? trueFn : falseFn)(...operands);
  if (pred instanceof SymBool) {
    const k = tracer.env.staticallyKnown(pred.expr);
    if (k !== undefined) return (k ? trueFn : falseFn)(...operands);
  }
  if (pred instanceof Tensor && pred.meta.shape.length !== 0 && !pred.meta.shape.every((d) => d === 1))
    throw new UserError('INVALID_INPUT', `Expected pred to be bool or single-element tensor, but got ${pred.toString()}.`);
  for (const o of operands)
    if (!(o instanceof Tensor)) throw new UserError('INVALID_INPUT', `Expected a tuple of tensors as cond operands, but got ${typeof o} ${String(o)}. Pass non-tensor values through closures instead.`);

  const outerOperands = operands.map((o) => tracer.toNodeArg(o) as Node);
  const tb = traceBranch(tracer, trueFn, operands as Tensor[], outerOperands);
  const fb = traceBranch(tracer, falseFn, operands as Tensor[], outerOperands);
  checkSameOutputs(tb.outMetas, fb.outMetas);

  // Final operands: those either branch reads, then closed-over values.
  const used = outerOperands.filter((o, i) => tb.operandUsed[i] || fb.operandUsed[i]);
  const captured: Node[] = [];
  for (const c of [...tb.tracer.captures, ...fb.tracer.captures]) if (!captured.includes(c.outer) && !used.includes(c.outer)) captured.push(c.outer);
  const finalOperands = [...used, ...captured];
  for (const b of [tb, fb]) alignPlaceholders(b.graph, b.tracer, outerOperands, finalOperands);

  const g = tracer.graph;
  const idx = nextBranchIndex(g);
  const trueName = `true_graph_${idx}`;
  const falseName = `false_graph_${idx}`;
  g.subgraphs.set(trueName, tb.graph);
  g.subgraphs.set(falseName, fb.graph);
  const stack = tracer.metaOverride?.stackTrace ?? tracer.stackProvider();
  const getAttr = (name: string) => {
    const n = g.createNode('get_attr', name, [], {}, name);
    if (stack) n.meta.stackTrace = stack;
    return n;
  };
  const predNode = tracer.toNodeArg(pred);
  const tNode = getAttr(trueName);
  const fNode = getAttr(falseName);
  const node = tracer.createCall('higher_order.cond', [predNode, tNode, fNode, new ArgTuple(finalOperands)], {}, 'cond', tb.outMetas);
  const outs = wrapTraced(tracer, node, tb.outMetas) as unknown[];
  return treeUnflatten(outs, tb.outSpec);
}

function nextBranchIndex(g: Graph): number {
  let i = 0;
  while (g.subgraphs.has(`true_graph_${i}`)) i++;
  return i;
}

interface TracedBranch {
  graph: Graph;
  tracer: Tracer;
  outMetas: TensorMeta[];
  outSpec: ReturnType<typeof treeFlatten>['spec'];
  operandUsed: boolean[];
}

function traceBranch(parent: Tracer, fn: BranchFn, operands: Tensor[], outerNodes: Node[]): TracedBranch {
  const graph = new Graph();
  const child = new Tracer(graph, parent.env, parent);
  child.stackProvider = parent.stackProvider;
  const inner = operands.map((o, i) => {
    const t = new Tensor(o.meta);
    child.addPlaceholder(outerNodes[i]!.name, 'user_input', o.meta, t);
    return t;
  });
  const result = withTracer(child, () => fn(...inner));
  const { leaves, spec } = treeFlatten(result, (x) => x instanceof Tensor);
  for (const l of leaves) if (!(l instanceof Tensor)) throw new UserError('INVALID_OUTPUT', `cond branches must return tensors (or nested tuples/lists of tensors), but ${fn.name || 'a branch'} returned ${String(l)}.`);
  const outNodes = leaves.map((l) => withTracer(child, () => child.toNodeArg(l)) as Node);
  graph.output(outNodes);
  const phs = graph.placeholders;
  const operandUsed = operands.map((_, i) => phs[i]!.users.size > 0);
  return { graph, tracer: child, outMetas: leaves.map((l) => (l as Tensor).meta), outSpec: spec, operandUsed };
}

/** Give a branch graph exactly one placeholder per final operand, in order. */
function alignPlaceholders(graph: Graph, tracer: Tracer, originals: Node[], finals: Node[]): void {
  const phs = graph.placeholders;
  const byOuter = new Map<Node, Node>();
  originals.forEach((o, i) => byOuter.set(o, phs[i]!));
  for (const c of tracer.captures) byOuter.set(c.outer, c.inner);
  const ordered = finals.map((outer) => byOuter.get(outer) ?? graph.placeholder(outer.name));
  for (const ph of graph.placeholders) {
    if (!ordered.includes(ph)) {
      if (ph.users.size) throw new Error('internal error: dropping a used cond operand');
      graph.eraseNode(ph);
    }
  }
  ordered.forEach((ph, i) => {
    const outer = finals[i]!;
    ph.meta.val = outer.meta.val;
  });
  const rest = graph.nodes.filter((n) => n.op !== 'placeholder');
  graph.nodes.splice(0, graph.nodes.length, ...ordered, ...rest);
}

function checkSameOutputs(a: TensorMeta[], b: TensorMeta[]): void {
  const same =
    a.length === b.length &&
    a.every((m, i) => {
      const o = b[i]!;
      return isTensorMeta(o) && m.dtype === o.dtype && m.shape.length === o.shape.length && m.shape.every((d, j) => staticallyKnownTrue(symEq(d, o.shape[j]!)));
    });
  if (!same) {
    const show = (ms: TensorMeta[]) => ms.map((m) => `${m.dtype}[${m.shape.map(String).join(', ')}]`).join(', ');
    throw new UserError('INVALID_OUTPUT', `Expected true branch and false branch to return tensors with the same metadata (dtype and shape), but true_fn returned (${show(a)}) and false_fn returned (${show(b)}).`);
  }
}
