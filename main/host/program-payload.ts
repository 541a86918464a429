// ExportedProgram → ProgramPayload: the plain data the renderer's graph view,
// signature, range-constraint and weights panels draw. Works the same for programs
// fresh from export(), decomposed ones and (when the serializer lands) loaded ones.

import type { GraphNodeInfo, GraphPayload, ProgramPayload, RangeConstraintInfo, SignaturePayload, TensorSummary, WeightInfo } from '../common/ipc-contract';
import { type Graph, type Node } from '../../engine/ir/graph';
import { annotationOf } from '../../engine/ir/codegen';
import { formatArg } from '../../engine/ir/format';
import { type ExportedProgram, displayTarget } from '../../engine/export/exported-program';
import { formatSignature } from '../../engine/export/signature';
import { itemSize, isFloating } from '../../engine/core/dtype';
import { isTensorMeta } from '../../engine/ops/types';
import { SymInt, printExpr } from '../../engine/symbolic';
import { Tensor } from '../../engine/trace/tensor';

/** How a node's value prints in the graph view: `f32[s0, 64]`, `Sym(s0 + 1)`, tuples joined. */
export function valueType(val: unknown): string {
  if (Array.isArray(val)) return val.map(valueType).join(', ');
  const a = annotationOf(val);
  if (a) return a;
  if (typeof val === 'number' || typeof val === 'boolean') return String(val);
  return '';
}

/** Frames inside the embedded torch package (engine/python) are not the user's code. */
const LIBRARY_FRAME = /^\/lib\/pt2\//;

function nodeInfo(n: Node): GraphNodeInfo {
  const frames = n.meta.stackTrace ?? [];
  // The innermost frame in the user's code (torch's own modules call the ops).
  const frame = [...frames].reverse().find((f) => !LIBRARY_FRAME.test(f.file)) ?? frames[frames.length - 1];
  const subgraphs = n.inputNodes()
    .filter((i) => i.op === 'get_attr')
    .map((i) => i.target);
  let argsText = '';
  if (n.op === 'call_function' || n.op === 'output') {
    const parts = n.args.map(formatArg);
    for (const [k, v] of Object.entries(n.kwargs)) parts.push(`${k}=${formatArg(v)}`);
    argsText = `(${parts.join(', ')})`;
  }
  const info: GraphNodeInfo = {
    name: n.name,
    op: n.op,
    target: n.op === 'call_function' ? displayTarget(n.target) : n.target,
    inputs: n.inputNodes().map((i) => i.name),
    type: valueType(n.meta.val),
    argsText,
    moduleStack: (n.meta.nnModuleStack ?? []).filter(([, fqn]) => fqn !== '').map(([, fqn, cls]) => [fqn, cls] as [string, string]),
  };
  if (frame) info.source = { file: frame.file, line: frame.line, fn: frame.name, code: frame.code };
  if (subgraphs.length) info.subgraphs = subgraphs;
  return info;
}

export function graphPayload(graph: Graph): GraphPayload {
  const subgraphs: Record<string, GraphPayload> = {};
  for (const [name, g] of graph.subgraphs) subgraphs[name] = graphPayload(g);
  return { nodes: graph.nodes.map(nodeInfo), subgraphs };
}

export function signaturePayload(ep: ExportedProgram): SignaturePayload {
  const byName = new Map(ep.graph.nodes.map((n) => [n.name, n]));
  const out = ep.graph.outputNode;
  const outArgs = (out?.args[0] ?? []) as unknown[];
  return {
    inputs: ep.graphSignature.inputSpecs.map((s) => ({
      kind: s.kind,
      name: s.name,
      target: s.target,
      persistent: s.kind === 'BUFFER' ? Boolean(s.persistent) : undefined,
      type: s.constantValue !== undefined ? formatArg(s.constantValue) : valueType(byName.get(s.name)?.meta.val),
    })),
    outputs: ep.graphSignature.outputSpecs.map((s, i) => {
      const a = outArgs[i];
      const node = a && typeof a === 'object' && 'meta' in a ? (a as Node) : undefined;
      return { kind: s.kind, name: s.name, target: s.target, type: node ? valueType(node.meta.val) : formatArg(a) };
    }),
    text: formatSignature(ep.graphSignature),
  };
}

export function rangeConstraintsPayload(ep: ExportedProgram): RangeConstraintInfo[] {
  const userPhs = ep.graph.placeholders.filter((p) => ep.graphSignature.inputSpecs.find((s) => s.name === p.name)?.kind === 'USER_INPUT');
  const paths = ep.parts.inputPaths;
  return ep.rangeConstraints.map((rc) => {
    const symbol = printExpr(rc.expr);
    const sources: string[] = [];
    userPhs.forEach((ph, i) => {
      const val = ph.meta.val;
      if (!isTensorMeta(val)) return;
      val.shape.forEach((d, j) => {
        if (d instanceof SymInt && printExpr(d.env.simplify(d.expr)) === symbol) sources.push(`${paths[i] ?? ph.name}.size()[${j}]`);
      });
    });
    return { symbol, min: rc.range.lo, max: rc.range.hi === Infinity ? null : rc.range.hi, text: rc.range.toString(), sources };
  });
}

function tensorStats(t: Tensor): WeightInfo['stats'] {
  if (!isFloating(t.dtype) || t.isFake) return undefined;
  const values = t.nd.toArray();
  if (values.length === 0) return undefined;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return { min, max, mean: sum / values.length };
}

/** Options for programs loaded lazily: `onDisk(t)` says a weight has not been read from its file yet. */
export interface PayloadOptions {
  onDisk?: (t: Tensor) => boolean;
}

export function weightsPayload(ep: ExportedProgram, opts: PayloadOptions = {}): WeightInfo[] {
  const out: WeightInfo[] = [];
  for (const s of ep.graphSignature.inputSpecs) {
    if (s.kind !== 'PARAMETER' && s.kind !== 'BUFFER' && s.kind !== 'CONSTANT_TENSOR') continue;
    const t = ep.stateDict.get(s.target!) ?? ep.constants.get(s.target!);
    if (!t) continue;
    const shape = t.shape.map(Number);
    const numel = shape.reduce((a, b) => a * b, 1);
    // Statistics of a weight still on disk would read it: a lazily opened archive shows them once it has run.
    const onDisk = opts.onDisk?.(t) ?? false;
    out.push({
      name: s.target!,
      kind: s.kind === 'PARAMETER' ? 'parameter' : s.kind === 'BUFFER' ? 'buffer' : 'constant',
      dtype: t.dtype,
      shape,
      numel,
      bytes: numel * itemSize(t.dtype),
      stats: onDisk ? undefined : tensorStats(t),
      ...(onDisk ? { onDisk } : {}),
    });
  }
  return out;
}

export function programPayload(ep: ExportedProgram, opts: PayloadOptions = {}): ProgramPayload {
  return {
    graph: graphPayload(ep.graph),
    signature: signaturePayload(ep),
    rangeConstraints: rangeConstraintsPayload(ep),
    weights: weightsPayload(ep, opts),
  };
}

const PREVIEW = 8;

/** A value as the compare and run views show it. */
export function summarize(path: string, v: unknown): TensorSummary {
  if (v instanceof Tensor) {
    if (v.isFake) return { path, dtype: v.dtype, shape: v.shape.map(Number), preview: [] };
    const values = v.nd.toArray();
    const s: TensorSummary = { path, dtype: v.dtype, shape: v.shape.map(Number), preview: Array.from(values.slice(0, PREVIEW), Number) };
    if (isFloating(v.dtype)) {
      let nonFinite = 0;
      for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) nonFinite++;
      s.nonFinite = nonFinite;
    }
    return s;
  }
  return { path, dtype: typeof v, shape: [], preview: [], value: formatArg(v) };
}
