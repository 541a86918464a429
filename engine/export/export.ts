// export(): trace a module's forward on fake inputs with symbolic sizes and
// produce the training-IR ExportedProgram, as torch.export.export(strict=False)
// does: lifted parameters/buffers/constants, a graph signature, pytree specs,
// range constraints, and constraint violations reported with suggested fixes.

import { UserError, EXPORT_ERROR_SUFFIX, EngineError } from '../core/errors';
import { treeFlatten } from '../core/pytree';
import { Graph, type StackFrame } from '../ir/graph';
import { ShapeEnv, SymInt, SymBool } from '../symbolic';
import { Tensor } from '../trace/tensor';
import { Tracer, withTracer } from '../trace/tracer';
import { type Module } from '../trace/module';
import { jsStackProvider } from '../trace/js-stack';
import { OpGroup } from '../ops/types';
import { defaultRegistry } from '../ops/register-all';
import { collectLeaves, makeSymbolicShapes, type InputLeaf } from './dynamic-shapes';
import { checkConstraints, rangeConstraints } from './constraints';
import { verifyMeta } from './verify';
import { type InputSpec, type OutputSpec } from './signature';
import { ExportedProgram } from './exported-program';

export interface ExportOptions {
  /** By argument name (object) or position (array), nested like the inputs. */
  readonly dynamicShapes?: Record<string, unknown> | unknown[] | null;
  readonly strict?: boolean;
  /** Source frames for nodes (the Python front end supplies the user's frames). */
  readonly stackProvider?: () => StackFrame[] | undefined;
  /** The user's current frame as text, for data-dependent error messages. */
  readonly userFrame?: () => string | undefined;
}

function pyTypeName(v: unknown): string {
  if (v instanceof Tensor) return "<class 'torch.Tensor'>";
  if (v === null || v === undefined) return "<class 'NoneType'>";
  if (typeof v === 'number') return Number.isInteger(v) ? "<class 'int'>" : "<class 'float'>";
  if (typeof v === 'string') return "<class 'str'>";
  if (typeof v === 'boolean') return "<class 'bool'>";
  return "<class 'dict'>";
}

function exportError(type: ConstructorParameters<typeof UserError>[0], msg: string): UserError {
  return new UserError(type, `${msg}\n\n${EXPORT_ERROR_SUFFIX}`);
}

/** Pure symbolic-scalar nodes and getitems are dropped when unused; aten ops are kept. */
function isRemovableWhenUnused(target: string): boolean {
  if (target === 'getitem' || target.startsWith('operator.')) return true;
  if (!defaultRegistry.has(target)) return false;
  const def = defaultRegistry.get(target);
  return def.groupSet.has(OpGroup.SymScalar) || target === 'aten.sym_size.int';
}

export function exportModule(mod: Module, args: unknown, kwargs: Record<string, unknown> = {}, opts: ExportOptions = {}): ExportedProgram {
  if (opts.strict) throw new UserError('ANTI_PATTERN', 'strict=True export is not supported yet (strict capture lands with the strict-mode issue); use strict=False, the default.');
  if (!Array.isArray(args)) throw exportError('INVALID_INPUT', `Expecting \`args\` to be a tuple of example positional inputs, got ${pyTypeName(args)}`);
  const argNames = mod.forwardArgNames();
  const restIdx = argNames.findIndex((n) => n.startsWith('...'));
  const fixed = restIdx >= 0 ? argNames.slice(0, restIdx) : argNames;
  const restName = restIdx >= 0 ? argNames[restIdx]!.slice(3) : undefined;

  // Top-level inputs as (name, value, spec).
  const spec = opts.dynamicShapes ?? null;
  const specFor = (name: string, i: number): unknown => {
    if (spec === null) return null;
    if (Array.isArray(spec)) return spec[i] ?? null;
    return (spec as Record<string, unknown>)[name] ?? null;
  };
  if (spec && !Array.isArray(spec)) {
    const known = new Set([...fixed, ...(restName ? [restName] : []), ...Object.keys(kwargs)]);
    for (const k of Object.keys(spec))
      if (!known.has(k))
        throw exportError(
          'INVALID_INPUT',
          `When \`dynamic_shapes\` is specified as a dict, its top-level keys must be the arg names ${JSON.stringify([...known])} of \`inputs\`, but here they are ${JSON.stringify(Object.keys(spec))}. Alternatively, you could also ignore arg names entirely and specify \`dynamic_shapes\` as a list/tuple matching \`inputs\`.`,
        );
  }
  const leaves: InputLeaf[] = [];
  args.forEach((a, i) => {
    if (i < fixed.length || !restName) {
      const name = fixed[i] ?? `args_${i}`;
      collectLeaves(name, `L['${name}']`, a, specFor(name, i), leaves);
    }
  });
  if (restName && args.length > fixed.length) {
    const rest = args.slice(fixed.length);
    collectLeaves(restName, `L['${restName}']`, rest, specFor(restName, fixed.length), leaves);
  }
  for (const [k, v] of Object.entries(kwargs)) collectLeaves(k, `L['${k}']`, v, specFor(k, -1), leaves);

  const env = new ShapeEnv();
  if (opts.userFrame) env.userFrame = opts.userFrame;
  const { shapes } = makeSymbolicShapes(leaves, env);
  const graph = new Graph();
  const tracer = new Tracer(graph, env);
  tracer.stackProvider = opts.stackProvider ?? jsStackProvider();

  const inputSpecs: InputSpec[] = [];
  const stateDict = new Map<string, Tensor>();
  const constants = new Map<string, Tensor>();
  const sanitize = (n: string) => n.replace(/\./g, '_');
  for (const [name, t] of mod.namedParameters()) {
    const ph = tracer.addPlaceholder(`p_${sanitize(name)}`, 'parameter', t.meta, t);
    inputSpecs.push({ kind: 'PARAMETER', name: ph.name, target: name });
    stateDict.set(name, t);
  }
  for (const [name, t, persistent] of mod.namedBuffers()) {
    const ph = tracer.addPlaceholder(`b_${sanitize(name)}`, 'buffer', t.meta, t);
    inputSpecs.push({ kind: 'BUFFER', name: ph.name, target: name, persistent });
    (persistent ? stateDict : constants).set(name, t);
  }
  // Plain tensor attributes become constants only if forward reads them (torch lifts
  // them on first use, as `c_<name>`), so they are named here and lifted lazily.
  const constantNames = new Map<Tensor, string>();
  for (const [name, t] of mod.namedConstants()) constantNames.set(t, name);
  tracer.constantNamer = (t) => constantNames.get(t);

  // User inputs: fake tensors with symbolic sizes; other values are specialised constants.
  const fakeByLeaf = leaves.map((leaf, i) => {
    if (leaf.value instanceof Tensor) {
      const fake = Tensor.fake(leaf.value.dtype, shapes[i]!);
      const ph = tracer.addPlaceholder(leaf.name, 'user_input', fake.meta, fake);
      inputSpecs.push({ kind: 'USER_INPUT', name: ph.name });
      return fake;
    }
    const ph = tracer.addPlaceholder(leaf.name, 'user_input', leaf.value ?? null);
    inputSpecs.push({ kind: 'USER_INPUT', name: ph.name, constantValue: leaf.value });
    return leaf.value;
  });
  // Rebuild (args, kwargs) with fake leaves.
  const { spec: inSpec } = treeFlatten([args, kwargs], (x) => x instanceof Tensor);
  let k = 0;
  const replaceLeaves = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(replaceLeaves);
    if (v && typeof v === 'object' && !(v instanceof Tensor) && Object.getPrototypeOf(v) === Object.prototype) {
      const o: Record<string, unknown> = {};
      for (const [key, x] of Object.entries(v)) o[key] = replaceLeaves(x);
      return o;
    }
    return fakeByLeaf[k++];
  };
  const fakeArgs = replaceLeaves(args) as unknown[];
  const fakeKwargs = replaceLeaves(kwargs) as Record<string, unknown>;

  let out: unknown;
  try {
    out = withTracer(tracer, () => (Object.keys(fakeKwargs).length ? mod.call(...fakeArgs, fakeKwargs) : mod.call(...fakeArgs)));
  } catch (e) {
    if (e instanceof EngineError && e.pythonType === 'torch._dynamo.exc.UserError' && !e.message.includes(EXPORT_ERROR_SUFFIX))
      (e as { message: string }).message = `${e.message}\n\n${EXPORT_ERROR_SUFFIX}`;
    if (e instanceof EngineError && e.pythonType.endsWith('GuardOnDataDependentSymNode') && !e.message.includes(EXPORT_ERROR_SUFFIX))
      (e as { message: string }).message = `${e.message}\n\n${EXPORT_ERROR_SUFFIX}`;
    throw e;
  }

  // Constants lifted while tracing go after the buffers, before the user inputs.
  const firstUser = inputSpecs.findIndex((s) => s.kind === 'USER_INPUT');
  const liftedSpecs = tracer.liftedConstants.map(({ tensor, node, target }): InputSpec => {
    constants.set(target, tensor);
    return { kind: 'CONSTANT_TENSOR', name: node.name, target };
  });
  inputSpecs.splice(firstUser < 0 ? inputSpecs.length : firstUser, 0, ...liftedSpecs);
  reorderPlaceholders(graph, inputSpecs.map((s) => s.name));

  const { leaves: outLeaves, spec: outSpec } = treeFlatten(out, (x) => x instanceof Tensor || x instanceof SymInt || x instanceof SymBool);
  const outArgs = outLeaves.map((v) => withTracer(tracer, () => tracer.toNodeArg(v)));
  graph.output(outArgs);
  const outputSpecs: OutputSpec[] = outArgs.map((a) => ({ kind: 'USER_OUTPUT', name: a && typeof a === 'object' && 'name' in a ? (a as { name: string }).name : String(a) }));

  while (graph.eliminateDeadCode((n) => isRemovableWhenUnused(n.target)));
  checkConstraints(env);
  graph.lint();
  verifyMeta(graph, env);

  return new ExportedProgram({
    graph,
    signature: { inputSpecs, outputSpecs },
    stateDict,
    constants,
    rangeConstraints: rangeConstraints(env, shapes),
    env,
    inSpec,
    outSpec,
    inputPaths: leaves.map((l) => l.source.replace(/^L\['([^']+)'\]/, '$1')),
    exampleInputs: { args, kwargs },
    isTrainingIR: true,
  });
}

/** Placeholders in signature order (parameters, buffers, constants, user inputs). */
function reorderPlaceholders(graph: Graph, order: readonly string[]): void {
  const phs = graph.placeholders;
  const rank = new Map(order.map((n, i) => [n, i]));
  const sorted = [...phs].sort((a, b) => (rank.get(a.name) ?? 1e9) - (rank.get(b.name) ?? 1e9));
  graph.nodes.splice(0, phs.length, ...sorted);
}


