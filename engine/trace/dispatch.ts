// The dispatcher: one entry point for every op call. With no tracer active it
// runs the op's CPU kernel on real data (eager mode); with a tracer active it
// runs the op's meta function on symbolic metadata and records a node (tracing
// mode). In-place ops return their `self` tensor in both modes; in tracing mode
// the tensor is re-pointed at the node that produced its new value.

import { NDArray } from '../core/ndarray';
import { bindArgs, stripDefaults } from '../ops/schema';
import { type OpDef, OpGroup, type TensorMeta, isTensorMeta, type MetaContext } from '../ops/types';
import { defaultRegistry } from '../ops/register-all';
import { type IntLike, SymInt, SymBool, ValueRange, freeSymbols, symGe, symLe } from '../symbolic';
import { Tensor } from './tensor';
import { TorchDType, TorchEnum, TorchDevice } from '../ir/format';
import { type Node as GraphNode } from '../ir/graph';
import { type Tracer, currentTracer } from './tracer';

/** Call an op by name (`aten.add.Tensor`) with Python-style positional and keyword arguments. */
export function callOp(name: string, args: readonly unknown[], kwargs: Readonly<Record<string, unknown>> = {}): unknown {
  const def = defaultRegistry.get(name);
  const keys = Object.keys(kwargs);
  return callOpDef(def, bindArgs(def.parsed, args, kwargs), keys.length ? new Set(keys) : undefined);
}

/** Call an op with its full bound argument list (and which arguments the caller named). */
export function callOpDef(def: OpDef, bound: unknown[], passedAsKwargs?: ReadonlySet<string>): unknown {
  const tracer = currentTracer();
  return tracer ? traceOp(tracer, def, bound, passedAsKwargs) : runEager(def, bound);
}

function mapDeep(v: unknown, f: (x: unknown) => unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => mapDeep(x, f));
  return f(v);
}

export function runEager(def: OpDef, bound: unknown[]): unknown {
  const args = bound.map((a) => mapDeep(a, (x) => (x instanceof Tensor ? x.nd : x)));
  const out = def.cpu(args, { op: def.name });
  const self = bound[0];
  const wrap = (o: unknown): unknown => {
    if (o instanceof NDArray) {
      if (self instanceof Tensor && o === self.data) return self;
      return Tensor.fromNDArray(o);
    }
    if (Array.isArray(o)) return o.map(wrap);
    return o;
  };
  return wrap(out);
}

/** Node name hint for an op's result, as torch.fx derives it. */
export function nodeNameFor(def: OpDef): string {
  if (def.name === 'aten.sym_size.int') return 'sym_size_int';
  if (def.groupSet.has(OpGroup.SideEffect)) return `${def.parsed.name}_${def.parsed.overload}`;
  return def.parsed.name;
}

function metaContext(tracer: Tracer, def: OpDef): MetaContext {
  return {
    op: def.name,
    env: tracer.env,
    newUnbacked: (range?: ValueRange) => new SymInt(tracer.env.createUnbackedSymbol(range), tracer.env),
  };
}

export function traceOp(tracer: Tracer, def: OpDef, bound: unknown[], passedAsKwargs?: ReadonlySet<string>): unknown {
  const metaArgs = bound.map((a) => mapDeep(a, (x) => (x instanceof Tensor ? x.meta : x)));
  // Make sure every tensor is known (lifting constants) before the node is created.
  const nodeArgs = bound.map((a, i) => encodeForNode(def.parsed.args[i]!.type, tracer.toNodeArg(a)));
  const unbackedBefore = tracer.env.allSymbols().filter((s) => s.kind === 'unbacked').length;
  const out = def.meta(metaArgs, metaContext(tracer, def));
  const { args, kwargs } = stripDefaults(def.parsed, nodeArgs, passedAsKwargs);
  const node = tracer.createCall(def.name, args, kwargs, nodeNameFor(def), out);
  bindUnbacked(tracer, out, node);
  if (def.groupSet.has(OpGroup.Inplace)) {
    const self = bound[0] as Tensor;
    tracer.setProxy(self, node);
    self.meta = out as TensorMeta;
    return self;
  }
  const wrapped = wrapTraced(tracer, node, out);
  assertNewUnbackedSizes(tracer, wrapped, new Set(tracer.env.allSymbols().filter((s) => s.kind === 'unbacked').slice(unbackedBefore).map((s) => s.name)));
  return wrapped;
}

/**
 * Note [Runtime asserts on unbacked sizes]
 * When an op's output has a size that is a new data-dependent symbol with known
 * bounds (slicing to `u0` gives `u1` in [0, n]), torch checks those bounds when
 * the program runs: `sym_size_int = sym_size.int(out, d)`, then `ge`/`le`
 * comparisons each followed by `_assert_scalar`. Emitted right after the op.
 */
function assertNewUnbackedSizes(tracer: Tracer, wrapped: unknown, fresh: ReadonlySet<string>): void {
  if (!fresh.size) return;
  const outs = (Array.isArray(wrapped) ? wrapped : [wrapped]).filter((t): t is Tensor => t instanceof Tensor);
  for (const t of outs)
    t.shape.forEach((d, dim) => {
      const sym = d instanceof SymInt ? tracer.env.simplify(d.expr).asSymbol : undefined;
      if (!sym || !fresh.has(sym.name)) return;
      const range = tracer.env.info(sym.name).range;
      if (range.lo === -Infinity && range.hi === Infinity) return;
      const size = callOp('aten.sym_size.int', [t, dim]) as IntLike;
      const check = (op: 'ge' | 'le', bound: number) => {
        if (!Number.isFinite(bound)) return;
        const cond = symBinaryTraced(tracer, op, size, bound);
        callOp('aten._assert_scalar.default', [cond, `Runtime assertion failed for expression ${cond.toString()} on node '${(tracer.toNodeArg(cond) as GraphNode).name}'`]);
      };
      check('ge', range.lo);
      check('le', range.hi);
    });
}

function symBinaryTraced(tracer: Tracer, op: 'ge' | 'le', a: IntLike, b: number): SymBool {
  const result = (op === 'ge' ? symGe(a, b) : symLe(a, b)) as SymBool;
  const node = tracer.createCall(`operator.${op}`, [tracer.toNodeArg(a), b], {}, op, result);
  tracer.setProxy(result, node);
  return result;
}

/** Values whose graph spelling differs from the engine's: dtypes, enums, devices. */
function encodeForNode(type: string, v: unknown): unknown {
  if (v === null || v === undefined) return v;
  if (type.startsWith('ScalarType') && typeof v === 'string') return new TorchDType(v);
  if (typeof v === 'object' && 'enum' in (v as object)) {
    const name = (v as { enum: string }).enum;
    const dev = /^device\(type='(\w+)'/.exec(name);
    return dev ? new TorchDevice(dev[1]!) : new TorchEnum(name.replace(/^torch\./, ''));
  }
  return v;
}

/** Unbacked symbols first appearing in an output are defined by this node. */
function bindUnbacked(tracer: Tracer, out: unknown, node: Node_): void {
  const visit = (o: unknown) => {
    if (o instanceof SymInt) for (const s of freeSymbols(o.expr)) if (s.startsWith('u')) tracer.bindSymbolSource(s, node);
  };
  if (o_isMeta(out)) out.shape.forEach(visit);
  else visit(out);
}

type Node_ = ReturnType<Tracer['createCall']>;
const o_isMeta = (o: unknown): o is TensorMeta => isTensorMeta(o);

export function wrapTraced(tracer: Tracer, node: Node_, out: unknown): unknown {
  if (isTensorMeta(out)) {
    const t = new Tensor(out);
    tracer.setProxy(t, node);
    return t;
  }
  if (Array.isArray(out)) {
    // Multi-output ops: torch reads each result through operator.getitem.
    return out.map((o, i) => {
      const g = tracer.createCall('getitem', [node, i], {}, 'getitem', o);
      return wrapTraced(tracer, g, o);
    });
  }
  if (out instanceof SymInt || out instanceof SymBool) {
    tracer.setProxy(out, node);
    return out;
  }
  return out;
}
