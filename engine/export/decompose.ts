// run_decompositions(): re-trace the training IR into functional core ATen.
// Each node is replayed under a fresh tracer: ops with a decomposition are
// expanded (recursively), in-place ops become their functional twins, and the
// final value of every mutated buffer or user input becomes an extra output
// (BUFFER_MUTATION / USER_INPUT_MUTATION) ahead of the user outputs.
//
// Note [Functionalization]
// The training IR keeps `add_(b_count, 1)`; later nodes already read the in-place
// node rather than the placeholder (the tracer re-points a tensor at the node
// that last wrote it), so replacing `add_` by `add` keeps every read correct. All
// that remains is to remember, per mutated placeholder, its final value.

import { type Graph, type Node } from '../ir/graph';
import { Graph as GraphImpl } from '../ir/graph';
import { Interpreter } from '../ir/interpreter';
import { defaultRegistry } from '../ops/register-all';
import { bindArgs } from '../ops/schema';
import { type OpDef, OpGroup, isTensorMeta } from '../ops/types';
import { UnsupportedOperatorError } from '../core/errors';
import { type ShapeEnv, SymBool, SymInt } from '../symbolic';
import { Tensor } from '../trace/tensor';
import { Tracer, currentTracer, withTracer, type PlaceholderKind } from '../trace/tracer';
import { traceOp } from '../trace/dispatch';
import { symBinary, type SymBinaryOp } from '../trace/sym-ops';
import { cond } from './cond';
import { ExportedProgram } from './exported-program';
import { verifyMeta } from './verify';
import { type OutputSpec } from './signature';

class Retracer extends Interpreter {
  /** Placeholder name → final value, for placeholders written by in-place ops. */
  readonly mutations = new Map<string, unknown>();
  private readonly rootOf = new Map<unknown, string>();
  /** Values that are views (possibly of views) of a placeholder, by placeholder name. */
  private readonly viewOfRoot = new Map<unknown, string>();

  constructor(
    graph: Graph,
    readonly tracer: Tracer,
  ) {
    super(graph);
  }

  bindPlaceholderRoots(values: unknown[]): void {
    this.graph.placeholders.forEach((p, i) => this.rootOf.set(values[i], p.name));
  }

  protected override runNode(n: Node): unknown {
    this.tracer.metaOverride = { stackTrace: n.meta.stackTrace, nnModuleStack: n.meta.nnModuleStack };
    try {
      return super.runNode(n);
    } finally {
      this.tracer.metaOverride = undefined;
    }
  }

  protected override callFunction(n: Node, args: unknown[], kwargs: Record<string, unknown>): unknown {
    const t = n.target;
    if (t === 'getitem') return (args[0] as unknown[])[args[1] as number];
    if (t.startsWith('operator.')) return symBinary(t.slice('operator.'.length) as SymBinaryOp, args[0] as number, args[1] as number);
    if (t === 'higher_order.cond') {
      const [pred, tg, fg, operands] = args as [unknown, Graph, Graph, unknown[]];
      const out = cond(pred, (...o) => replayGraph(tg, o), (...o) => replayGraph(fg, o), operands);
      return Array.isArray(out) ? out : [out];
    }
    const def = defaultRegistry.get(t);
    const bound = bindArgs(def.parsed, args, kwargs);
    const result = this.retraceOp(def, bound);
    unifyUnbacked(this.tracer.env, n.meta.val, result);
    return result;
  }

  private retraceOp(def: OpDef, bound: unknown[]): unknown {
    if (def.groupSet.has(OpGroup.Inplace) && def.functional) {
      const viewed = this.viewOfRoot.get(bound[0]);
      if (viewed !== undefined && !this.rootOf.has(bound[0]))
        throw new UnsupportedOperatorError(
          def.name,
          `${def.name} writes into a view of '${viewed}'; run_decompositions() cannot functionalize in-place updates through views of inputs or buffers yet. Write the update on '${viewed}' itself (e.g. with index_put/slice_scatter) or keep the training IR.`,
        );
      const result = decomposeCall(this.tracer, defaultRegistry.get(def.functional), bound);
      const root = this.rootOf.get(bound[0]);
      if (root !== undefined) {
        this.mutations.set(root, result);
        this.rootOf.set(result, root);
      }
      return result;
    }
    const result = decomposeCall(this.tracer, def, bound);
    // Remember views of inputs/buffers: writing through them is refused above.
    const base = this.rootOf.get(bound[0]) ?? this.viewOfRoot.get(bound[0]);
    if (base !== undefined && def.groupSet.has(OpGroup.View)) for (const r of Array.isArray(result) ? result : [result]) this.viewOfRoot.set(r, base);
    return result;
  }

  protected override getAttr(n: Node): unknown {
    return this.graph.subgraphs.get(n.target);
  }
}

/**
 * Re-tracing re-creates data-dependent symbols (`.item()` gives a fresh `u1`); tie
 * each one to the symbol the original node produced, so the decomposed program
 * keeps `u0` and what is known about it.
 */
function unifyUnbacked(env: ShapeEnv, oldVal: unknown, newVal: unknown): void {
  const pairs: Array<[unknown, unknown]> = [];
  if (oldVal instanceof SymInt && newVal instanceof SymInt) pairs.push([oldVal, newVal]);
  else if (isTensorMeta(oldVal) && newVal instanceof Tensor) oldVal.shape.forEach((d, i) => pairs.push([d, newVal.shape[i]]));
  else if (Array.isArray(oldVal) && Array.isArray(newVal)) oldVal.forEach((o, i) => unifyUnbacked(env, o, newVal[i]));
  for (const [o, nv] of pairs) {
    if (!(o instanceof SymInt) || !(nv instanceof SymInt)) continue;
    const fresh = env.simplify(nv.expr).asSymbol;
    if (fresh && env.info(fresh.name).kind === 'unbacked') env.aliasUnbacked(fresh.name, o.expr);
  }
}

/** Trace `def` on bound args, expanding decompositions until only kept ops remain. */
export function decomposeCall(tracer: Tracer, def: OpDef, bound: unknown[], passedAsKwargs?: ReadonlySet<string>): unknown {
  if (def.decomp) {
    return def.decomp(bound, {
      call: (op, a, kw) => {
        const d = defaultRegistry.get(op);
        return decomposeCall(tracer, d, bindArgs(d.parsed, a, kw), kw && Object.keys(kw).length ? new Set(Object.keys(kw)) : undefined);
      },
      meta: (v) => {
        if (v instanceof Tensor) return v.meta;
        throw new Error('decomposition asked for the metadata of a non-tensor');
      },
    });
  }
  return traceOp(tracer, def, bound, passedAsKwargs);
}

/** Replay a (sub)graph under the current tracer (a cond branch's), returning its outputs. */
function replayGraph(g: Graph, inputs: unknown[]): unknown {
  const r = new Retracer(g, currentTracer()!);
  return r.run(inputs);
}

export function runDecompositions(ep: ExportedProgram): ExportedProgram {
  const old = ep.parts;
  const graph = new GraphImpl();
  const tracer = new Tracer(graph, old.env);
  const kinds: Record<string, PlaceholderKind> = { PARAMETER: 'parameter', BUFFER: 'buffer', CONSTANT_TENSOR: 'constant', USER_INPUT: 'user_input' };
  const specByName = new Map(old.signature.inputSpecs.map((s) => [s.name, s]));
  const inputs = old.graph.placeholders.map((p) => {
    const val = p.meta.val;
    const kind = kinds[specByName.get(p.name)?.kind ?? 'USER_INPUT'] ?? 'user_input';
    if (isTensorMeta(val)) {
      const t = new Tensor(val);
      tracer.addPlaceholder(p.name, kind, val, t);
      return t;
    }
    tracer.addPlaceholder(p.name, kind, val);
    return val;
  });
  const retracer = new Retracer(old.graph, tracer);
  retracer.bindPlaceholderRoots(inputs);
  const outs = withTracer(tracer, () => retracer.run(inputs)) as unknown[];

  // Mutated state first (in placeholder order), then the user outputs.
  const outputSpecs: OutputSpec[] = [];
  const outValues: unknown[] = [];
  for (const p of old.graph.placeholders) {
    if (!retracer.mutations.has(p.name)) continue;
    const spec = specByName.get(p.name)!;
    const v = retracer.mutations.get(p.name);
    outValues.push(v);
    if (spec.kind === 'BUFFER') outputSpecs.push({ kind: 'BUFFER_MUTATION', name: '', target: spec.target });
    else if (spec.kind === 'USER_INPUT') outputSpecs.push({ kind: 'USER_INPUT_MUTATION', name: '', target: spec.name });
    else throw new Error(`in-place update of ${spec.kind.toLowerCase()} ${spec.target ?? spec.name} is not supported`);
  }
  old.signature.outputSpecs.forEach((s, i) => {
    outValues.push(outs[i]);
    outputSpecs.push({ kind: s.kind, name: '', target: s.target });
  });
  const outArgs = outValues.map((v) => withTracer(tracer, () => (v instanceof Tensor || v instanceof SymInt || v instanceof SymBool ? tracer.toNodeArg(v) : v)));
  graph.output(outArgs);
  const named: OutputSpec[] = outputSpecs.map((s, i) => ({ ...s, name: outArgs[i] && typeof outArgs[i] === 'object' && 'name' in (outArgs[i] as object) ? (outArgs[i] as Node).name : String(outArgs[i]) }));
  while (graph.eliminateDeadCode((n) => n.target === 'getitem' || n.target.startsWith('operator.') || n.target === 'aten.sym_size.int'));
  graph.lint();
  verifyMeta(graph, old.env);
  return new ExportedProgram({ ...old, graph, signature: { inputSpecs: old.signature.inputSpecs, outputSpecs: named }, isTrainingIR: false });
}

