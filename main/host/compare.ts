// Eager vs exported comparison: random inputs whose sizes are drawn inside the
// program's range constraints (derived sizes follow their root symbol), and
// per-output differences with torch.allclose's pass rule |a - b| <= atol + rtol·|b|.

import type { OutputComparison } from '../common/ipc-contract';
import { isFloating } from '../../engine/core/dtype';
import type { ExportedProgram } from '../../engine/export/exported-program';
import { isTensorMeta } from '../../engine/ops/types';
import { SymInt, evaluate, freeSymbols, printExpr } from '../../engine/symbolic';
import { Tensor } from '../../engine/trace/tensor';
import { treeFlatten, treeUnflatten } from '../../engine/core/pytree';
import { NDArray } from '../../engine/core/ndarray';
import { flattenWithPaths, makeRng, randomLike } from './example-values';
import { summarize } from './program-payload';
import { HostRequestError } from './host-errors';

/**
 * Inputs for a program with every symbolic size drawn at random: each root symbol gets
 * a value in [max(lo, 2), min(hi, max(2·example, lo + 8))]; a draw that breaks a
 * derived constraint (s0 + 1 ≤ 7) is retried, then falls back to the example's sizes.
 * Without example inputs (a loaded archive) the leaves come from the placeholders and
 * the pytree spec of the program itself.
 */
export function randomInputs(ep: ExportedProgram, example: { args: unknown[]; kwargs: Record<string, unknown> } | undefined, seed: number): { args: unknown[]; kwargs: Record<string, unknown> } {
  const rng = makeRng(seed);
  const userSpecs = ep.graphSignature.inputSpecs.filter((s) => s.kind === 'USER_INPUT');
  const phByName = new Map(ep.graph.placeholders.map((p) => [p.name, p]));
  const userPhs = userSpecs.map((s) => phByName.get(s.name)!);
  const exampleLeaves = example ? treeFlatten([example.args, example.kwargs], (x) => x instanceof Tensor).leaves : undefined;
  if (exampleLeaves && exampleLeaves.length !== userPhs.length)
    throw new HostRequestError(`the program has ${userPhs.length} inputs but the example has ${exampleLeaves.length}`);

  // Example value of each root symbol (a dim whose size is exactly that symbol).
  const hints = new Map<string, number>();
  const ranges = new Map(ep.rangeConstraints.map((rc) => [printExpr(rc.expr), rc]));
  userPhs.forEach((ph, i) => {
    const meta = ph.meta.val;
    if (!isTensorMeta(meta)) return;
    meta.shape.forEach((d, j) => {
      if (!(d instanceof SymInt)) return;
      const s = d.env.simplify(d.expr).asSymbol;
      if (!s) return;
      const ex = exampleLeaves?.[i];
      const lo = Math.max(ranges.get(s.name)?.range.lo ?? 0, 2);
      hints.set(s.name, ex instanceof Tensor ? Number(ex.shape[j]) : lo + 2);
    });
  });
  let values = new Map<string, number>();
  const draw = (): boolean => {
    values = new Map();
    for (const [name, hint] of hints) {
      const rc = ranges.get(name);
      const lo = Math.max(rc?.range.lo ?? 0, 2);
      const hi = Math.min(rc?.range.hi ?? Infinity, Math.max(2 * hint, lo + 8));
      values.set(name, hi < lo ? hint : lo + Math.floor(rng() * (hi - lo + 1)));
    }
    return ep.rangeConstraints.every((rc) => {
      const syms = [...freeSymbols(rc.expr)];
      if (!syms.every((s) => values.has(s))) return true;
      return rc.range.contains(evaluate(rc.expr, (n) => values.get(n)!));
    });
  };
  let ok = false;
  for (let i = 0; i < 20 && !ok; i++) ok = draw();
  if (!ok) values = new Map(hints);

  const leaves = userPhs.map((ph, i) => {
    const meta = ph.meta.val;
    const ex = exampleLeaves?.[i];
    if (!isTensorMeta(meta)) return ex !== undefined ? ex : userSpecs[i]!.constantValue;
    const shape = meta.shape.map((d) => (d instanceof SymInt ? evaluate(d.env.simplify(d.expr), (n) => values.get(n) ?? 0) : Number(d)));
    const like = ex instanceof Tensor ? ex : Tensor.fromNDArray(NDArray.zeros(meta.dtype, shape));
    return randomLike(like, shape, rng);
  });
  const [args, kwargs] = treeUnflatten(leaves, ep.parts.inSpec) as [unknown[], Record<string, unknown>];
  return { args: [...args], kwargs: { ...(kwargs ?? {}) } };
}

/** Compare leaf by leaf; shapes and counts must agree before values are compared. */
export function compareOutputs(eager: unknown, exported: unknown, atol: number, rtol: number): OutputComparison[] {
  const a = flattenWithPaths(eager);
  const b = flattenWithPaths(exported);
  if (a.length !== b.length) throw new HostRequestError(`eager returned ${a.length} values but the exported program returned ${b.length}`);
  return a.map((ea, i) => {
    const xb = b[i]!;
    const path = ea.path || 'out';
    const row: OutputComparison = { path, eager: summarize(path, ea.value), exported: summarize(path, xb.value), maxAbsDiff: 0, maxRelDiff: 0, pass: true };
    if (!(ea.value instanceof Tensor) || !(xb.value instanceof Tensor)) {
      row.pass = String(ea.value) === String(xb.value);
      if (!row.pass) row.maxAbsDiff = row.maxRelDiff = Infinity;
      return row;
    }
    if (ea.value.shape.join(',') !== xb.value.shape.join(',')) {
      row.pass = false;
      row.maxAbsDiff = row.maxRelDiff = Infinity;
      return row;
    }
    const av = ea.value.nd.toArray();
    const bv = xb.value.nd.toArray();
    const exact = !isFloating(ea.value.dtype) || !isFloating(xb.value.dtype);
    for (let j = 0; j < av.length; j++) {
      const x = av[j]!;
      const y = bv[j]!;
      if (Number.isNaN(x) && Number.isNaN(y)) continue;
      const d = Math.abs(x - y);
      if (!(d <= (exact ? 0 : atol + rtol * Math.abs(x)))) row.pass = false;
      if (Number.isNaN(d)) {
        row.maxAbsDiff = row.maxRelDiff = Infinity;
        continue;
      }
      if (d > row.maxAbsDiff) row.maxAbsDiff = d;
      const scale = Math.max(Math.abs(x), Math.abs(y));
      const rel = scale === 0 ? 0 : d / scale;
      if (rel > row.maxRelDiff) row.maxRelDiff = rel;
    }
    return row;
  });
}
