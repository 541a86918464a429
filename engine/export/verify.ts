// verifyMeta: re-run every aten node's meta function on its inputs' recorded
// metadata and compare dtype and shape with what the node records (JAX's
// typecheck_jaxpr role). Run after export, after run_decompositions and after
// loading an archive, so a disagreement between the graph and the op registry is
// caught where it appears rather than later, in a kernel.

import { GraphVerificationError } from '../core/errors';
import { type Graph, type Node, mapNodes } from '../ir/graph';
import { decodeArg } from '../ir/interpreter';
import { defaultRegistry } from '../ops/register-all';
import { bindArgs } from '../ops/schema';
import { isTensorMeta, type TensorMeta } from '../ops/types';
import { type ShapeEnv, SymInt, freeSymbols, intLikeToString } from '../symbolic';

function shapeKey(m: TensorMeta, env: ShapeEnv): string[] | undefined {
  const dims: string[] = [];
  for (const d of m.shape) {
    if (d instanceof SymInt) {
      const e = env.simplify(d.expr);
      // Data-dependent sizes are fresh symbols on every re-run: not comparable.
      if ([...freeSymbols(e)].some((n) => n.startsWith('u'))) return undefined;
      dims.push(intLikeToString(new SymInt(e, env)));
    } else dims.push(String(d));
  }
  return dims;
}

function describe(m: TensorMeta): string {
  return `${m.dtype}[${m.shape.map(intLikeToString).join(', ')}]`;
}

/** Unbacked symbols mentioned by a value (tensor sizes or a scalar). */
function unbackedIn(v: unknown, env: ShapeEnv, out = new Set<string>()): Set<string> {
  const visit = (d: unknown) => {
    if (d instanceof SymInt) for (const s of freeSymbols(env.simplify(d.expr))) if (s.startsWith('u')) out.add(s);
  };
  if (Array.isArray(v)) v.forEach((x) => unbackedIn(x, env, out));
  else if (isTensorMeta(v)) v.shape.forEach(visit);
  else visit(v);
  return out;
}

function verifyNode(n: Node, env: ShapeEnv): void {
  if (n.op !== 'call_function' || !defaultRegistry.has(n.target)) return;
  // Nodes that define data-dependent symbols (item, nonzero, slicing to u0) would
  // mint new ones when re-run; there is nothing to compare them with.
  const inputs = new Set<string>();
  for (const i of n.inputNodes()) unbackedIn(i.meta.val, env, inputs);
  if ([...unbackedIn(n.meta.val, env)].some((s) => !inputs.has(s))) return;
  const def = defaultRegistry.get(n.target);
  const args = decodeArg(mapNodes(n.args, (a) => a.meta.val)) as unknown[];
  const kwargs = decodeArg(mapNodes(n.kwargs, (a) => a.meta.val)) as Record<string, unknown>;
  let out: unknown;
  try {
    out = env.withFrozenGuards(() =>
      def.meta(bindArgs(def.parsed, args, kwargs), { op: def.name, env, newUnbacked: () => new SymInt(env.createUnbackedSymbol(), env) }),
    );
  } catch (e) {
    throw new GraphVerificationError(`node ${n.name} (${n.target}): its meta function rejects the recorded inputs: ${(e as Error).message.split('\n')[0]}`);
  }
  const recorded = n.meta.val;
  const pairs: Array<[unknown, unknown]> = Array.isArray(recorded) && Array.isArray(out) ? recorded.map((r, i) => [r, out[i]] as [unknown, unknown]) : [[recorded, out]];
  for (const [r, o] of pairs) {
    if (!isTensorMeta(r) || !isTensorMeta(o)) continue;
    const rk = shapeKey(r, env);
    const ok = shapeKey(o, env);
    if (r.dtype !== o.dtype || (rk && ok && rk.join(',') !== ok.join(',')) || r.shape.length !== o.shape.length)
      throw new GraphVerificationError(`node ${n.name} (${n.target}) records ${describe(r)} but its inputs give ${describe(o)}`);
  }
}

export function verifyMeta(graph: Graph, env: ShapeEnv): void {
  for (const n of graph.nodes) verifyNode(n, env);
  for (const g of graph.subgraphs.values()) verifyMeta(g, env);
}
