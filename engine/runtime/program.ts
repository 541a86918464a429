// Running an ExportedProgram on a runtime backend: the graph's placeholder list
// is built from the signature (parameters, buffers and constants from the
// program's state, user inputs in order), the graph runs, buffer and input
// mutations are written back, and the user outputs come out flat, in order.
// Backends share this; they differ only in how they execute the graph.

import { NDArray } from '../core/ndarray';
import { type ExportedProgram } from '../export/exported-program';
import { type Graph, type Node } from '../ir/graph';
import { type OpRegistry } from '../ops/registry';
import { defaultRegistry } from '../ops/register-all';
import { isTensorMeta } from '../ops/types';
import { Tensor } from '../trace/tensor';
import { InputValidationError } from '../core/errors';
import { shortName } from '../core/dtype';

/**
 * Placeholder indices whose values do not change between runs: parameters,
 * constants and buffers that are never mutated — neither through the
 * signature's BUFFER_MUTATION outputs (the core IR) nor by an in-place op in the
 * graph itself (the training IR keeps `add_(b_count, 1)`), directly or through
 * views. Runtimes cache frozen inputs (WebGPU uploads them once), so a buffer
 * written in place must not be frozen.
 */
export function frozenInputIndices(ep: ExportedProgram): Set<number> {
  const mutated = new Set(ep.graphSignature.outputSpecs.filter((s) => s.kind === 'BUFFER_MUTATION').map((s) => s.target));
  const written = writtenPlaceholders(ep.graph);
  const phs = ep.graph.placeholders;
  const out = new Set<number>();
  ep.graphSignature.inputSpecs.forEach((s, i) => {
    if (written.has(phs[i]?.name ?? s.name)) return;
    if (s.kind === 'PARAMETER' || s.kind === 'CONSTANT_TENSOR' || (s.kind === 'BUFFER' && !mutated.has(s.target))) out.add(i);
  });
  return out;
}

/** Names of the placeholders some node writes into: a mutable (`Tensor(a!)`) argument, or a view of one. */
export function writtenPlaceholders(graph: Graph, registry: OpRegistry = defaultRegistry): Set<string> {
  const isNode = (v: unknown): v is Node => v instanceof Object && 'op' in v && 'users' in v;
  const baseOf = (n: Node): Node => {
    let x = n;
    for (;;) {
      if (x.op !== 'call_function' || !isNode(x.args[0])) return x;
      if (x.target === 'getitem') {
        x = x.args[0];
        continue;
      }
      const def = registry.has(x.target) ? registry.get(x.target) : undefined;
      const isView = !!def && def.parsed.returns.some((r) => r.aliasOf) && !def.parsed.args.some((a) => a.mutable);
      if (!isView) return x;
      x = x.args[0];
    }
  };
  const out = new Set<string>();
  const mark = (v: unknown): void => {
    if (isNode(v)) {
      const b = baseOf(v);
      if (b.op === 'placeholder') out.add(b.name);
    } else if (Array.isArray(v)) v.forEach(mark);
  };
  for (const n of graph.nodes) {
    if (n.op !== 'call_function' || !registry.has(n.target)) continue;
    registry.get(n.target).parsed.args.forEach((a, i) => {
      if (a.mutable) mark(i < n.args.length ? n.args[i] : n.kwargs[a.name]);
    });
  }
  return out;
}

/** The user inputs' placeholder metadata, in call order. */
export function userInputMetas(ep: ExportedProgram): Array<{ name: string; meta: unknown }> {
  const phByName = new Map(ep.graph.placeholders.map((p) => [p.name, p]));
  return ep.graphSignature.inputSpecs.filter((s) => s.kind === 'USER_INPUT').map((s) => ({ name: s.name, meta: phByName.get(s.name)?.meta.val }));
}

/** The example user inputs recorded in the program (as NDArrays), when it has them. */
export function exampleInputs(ep: ExportedProgram): unknown[] | undefined {
  const ex = ep.parts.exampleInputs;
  if (!ex) return undefined;
  const flat: unknown[] = [];
  const visit = (v: unknown) => {
    if (v instanceof Tensor) flat.push(v.nd);
    else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) Object.values(v).forEach(visit);
    else flat.push(v);
  };
  visit(ex.args);
  visit(ex.kwargs);
  return flat;
}

/** Every placeholder's value, in graph order, for the given user inputs. */
export function programInputs(ep: ExportedProgram, user: readonly unknown[]): unknown[] {
  const metas = userInputMetas(ep);
  if (user.length !== metas.length)
    throw new InputValidationError('', `The exported program takes ${metas.length} inputs (${metas.map((m) => m.name).join(', ')}) but was called with ${user.length}`);
  user.forEach((u, i) => {
    const m = metas[i]!.meta;
    const v = u instanceof Tensor ? u.nd : u;
    if (isTensorMeta(m)) {
      if (!(v instanceof NDArray)) throw new InputValidationError(metas[i]!.name, `Input ${metas[i]!.name}: expected a tensor, got ${String(v)}`);
      if (v.dtype !== m.dtype) throw new InputValidationError(metas[i]!.name, `Input ${metas[i]!.name}: expected dtype ${m.dtype}, but got ${v.dtype} (${shortName(v.dtype)}[${v.shape.join(', ')}])`);
      if (v.ndim !== m.shape.length) throw new InputValidationError(metas[i]!.name, `Input ${metas[i]!.name}: expected ${m.shape.length} dimensions, but got ${v.ndim}`);
      m.shape.forEach((d, j) => {
        if (typeof d === 'number' && d !== v.shape[j])
          throw new InputValidationError(metas[i]!.name, `Input ${metas[i]!.name}: dimension ${j} must be ${d}, got ${v.shape[j]}`);
      });
    }
  });
  const { stateDict, constants } = ep.parts;
  let u = 0;
  return ep.graphSignature.inputSpecs.map((s) => {
    switch (s.kind) {
      case 'USER_INPUT': {
        const v = user[u++];
        return v instanceof Tensor ? v.nd : v;
      }
      case 'PARAMETER':
      case 'BUFFER':
      case 'CONSTANT_TENSOR': {
        const t = stateDict.get(s.target!) ?? constants.get(s.target!);
        if (!t) throw new Error(`the program has no value for ${s.kind} ${s.target}`);
        return t.nd;
      }
      default:
        throw new Error(`unsupported input kind ${s.kind}`);
    }
  });
}

/** Apply mutations and pick the user outputs, flat and in order. */
export function userOutputs(ep: ExportedProgram, graphOut: unknown, user: readonly unknown[]): unknown[] {
  const outs = Array.isArray(graphOut) ? graphOut : [graphOut];
  const { stateDict, constants } = ep.parts;
  const userSpecs = ep.graphSignature.inputSpecs.filter((s) => s.kind === 'USER_INPUT');
  const result: unknown[] = [];
  ep.graphSignature.outputSpecs.forEach((s, i) => {
    const v = outs[i];
    if (s.kind === 'USER_OUTPUT') result.push(v);
    else if (s.kind === 'BUFFER_MUTATION') (stateDict.get(s.target!) ?? constants.get(s.target!))!.nd.copyFrom(v as NDArray);
    else if (s.kind === 'USER_INPUT_MUTATION') {
      const idx = userSpecs.findIndex((x) => x.name === s.target);
      const target = user[idx];
      (target instanceof Tensor ? target.nd : (target as NDArray)).copyFrom(v as NDArray);
    }
  });
  return result;
}

/** A backend's graph executor: synchronous (CPU) or asynchronous (WebGPU). */
export interface GraphExecutor {
  run(inputs: readonly unknown[]): unknown;
}

/** Run a program end to end on an executor built for its graph. */
export async function runProgram(ep: ExportedProgram, exec: GraphExecutor, user: readonly unknown[]): Promise<unknown[]> {
  const out = await exec.run(programInputs(ep, user));
  return userOutputs(ep, out, user);
}
