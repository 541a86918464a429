// Pointwise fusion for the CPU runtime: chains of small elementwise steps that
// models spell out op by op become one pass over the data.
//
//  * GELU, tanh approximation, as GPT-2 writes it (8 ATen ops):
//      0.5·x · (1 + tanh(0.7978845608·(x + 0.044715·x³)))
//    → one loop (fast-math.ts), in place over x when x is a fresh GEMM output
//    that nothing else reads; when that GEMM is a linear / addmm (x its output
//    or a view of it) the GEMM epilogue computes the GELU instead and the loop
//    is skipped for outputs it marked (see geluDone below).
//  * linear / addmm followed by relu → the GEMM epilogue's ReLU.
//  * add(linear / addmm output (or a view of it), other) of the same static
//    shape, `other` computed before the GEMM and nothing written in between →
//    the GEMM adds `other` as it copies its output out (a residual connection);
//    the add passes the GEMM's output through when the GEMM marked it done.
//
// Absorbed steps leave the step list. The fused step keeps the originals: when
// its fast path declines (dtype, layout) it runs them in order, so results never
// depend on the fusion.

import { type Node } from '../../ir/graph';
import { NDArray, Storage } from '../../core/ndarray';
import { SymInt } from '../../symbolic/sym';
import { type Step, type StepExec, Slot, dynamicArgs } from './cpu-runtime';
import { geluTanhLoop } from './fast-math';
import { type KernelContext, f32, isF32, scalarArg } from './kernel-context';
import { type ResidualSink, addmmWith, linearWith } from './matmul';

/** The step's bound arguments with Slots mapped back to graph nodes. */
function argNodes(s: Step): unknown[] {
  const nodes = s.node.graph.nodes;
  const back = (a: unknown): unknown => (a instanceof Slot ? nodes[a.index] : Array.isArray(a) ? a.map(back) : a);
  return s.args.map(back);
}

const near = (v: unknown, c: number): boolean => {
  const x = scalarArg(v);
  return x !== undefined && Math.abs(x - c) <= 1e-6 * Math.abs(c);
};

interface Ctx {
  stepOf: Map<Node, Step>;
  outputs: ReadonlySet<Node>;
}

/** The node `n` when it is `target` with args matching, its value read only inside the fused group. */
function op(c: Ctx, n: unknown, targets: readonly string[]): { node: Node; args: unknown[] } | undefined {
  if (!(n instanceof Object) || !('target' in n)) return undefined;
  const node = n as Node;
  if (!targets.includes(node.target) || c.outputs.has(node)) return undefined;
  const s = c.stepOf.get(node);
  return s ? { node, args: argNodes(s) } : undefined;
}

const MUL = ['aten.mul.Tensor', 'aten.mul.Scalar'];
const ADD = ['aten.add.Tensor', 'aten.add.Scalar'];

/** (x, other) when a binary op's arguments are a node and a scalar equal to c, in either order. */
function withScalar(args: unknown[], c: number): unknown {
  if (near(args[1], c) && !near(args[0], c)) return args[0];
  if (near(args[0], c)) return args[1];
  return undefined;
}

const alphaOne = (args: unknown[]): boolean => args[2] === undefined || near(args[2], 1);

/** Match GELU-tanh ending at `m` (the final mul): the chain's nodes and x, or undefined. */
function matchGeluTanh(c: Ctx, m: Step): { x: Node; chain: Node[] } | undefined {
  const ma = argNodes(m);
  if (!MUL.includes(m.node.target)) return undefined;
  for (const [h, p] of [[ma[0], ma[1]], [ma[1], ma[0]]]) {
    const half = op(c, h, MUL);
    const plus = op(c, p, ADD);
    if (!half || !plus || !alphaOne(plus.args)) continue;
    const x = withScalar(half.args, 0.5);
    const tanhNode = withScalar(plus.args, 1);
    const th = op(c, tanhNode, ['aten.tanh.default']);
    const scaled = th && op(c, th.args[0], MUL);
    const inner = scaled && op(c, withScalar(scaled.args, Math.sqrt(2 / Math.PI)), ADD);
    if (!inner || !alphaOne(inner.args)) continue;
    // inner = x + 0.044715·x³ (either order)
    for (const [xa, cubeTerm] of [[inner.args[0], inner.args[1]], [inner.args[1], inner.args[0]]]) {
      if (xa !== x) continue;
      const cm = op(c, cubeTerm, MUL);
      const pw = cm && op(c, withScalar(cm.args, 0.044715), ['aten.pow.Tensor_Scalar']);
      if (!pw || pw.args[0] !== x || !near(pw.args[1], 3)) continue;
      const chain = [half.node, pw.node, cm!.node, inner.node, scaled!.node, th!.node, plus.node];
      const inside = new Set<Node>([...chain, m.node]);
      // Every intermediate is read only inside the chain.
      if (!chain.every((n) => [...n.users].every((u) => inside.has(u)))) continue;
      return { x: x as Node, chain };
    }
  }
  return undefined;
}

const FRESH = new Set(['aten.addmm.default', 'aten.mm.default', 'aten.linear.default', 'aten.matmul.default', 'aten.bmm.default']);
const VIEWS = new Set(['aten.view.default', 'aten.reshape.default', 'aten._unsafe_view.default']);

/** A step whose value is its first argument's storage: a view, or dropout that is the identity (eval mode or p = 0). */
function passThrough(n: Node): boolean {
  if (VIEWS.has(n.target)) return true;
  return n.target === 'aten.dropout.default' && (n.args[2] === false || near(n.args[1], 0));
}

/** x's buffer may be overwritten: a GEMM output (or a view of one) that only `allowed` reads. */
function freshSole(c: Ctx, x: Node, allowed: ReadonlySet<Node>): boolean {
  if (c.outputs.has(x) || ![...x.users].every((u) => allowed.has(u))) return false;
  if (FRESH.has(x.target)) return true;
  if (!passThrough(x)) return false;
  const src = x.args[0];
  return src instanceof Object && 'target' in src && freshSole(c, src as Node, new Set([x]));
}

/** The linear / addmm step producing x (x itself or a view of its output), or undefined. */
function gemmRoot(c: Ctx, x: Node): Step | undefined {
  let n = x;
  while (passThrough(n)) {
    const src = n.args[0];
    if (!(src instanceof Object && 'target' in src)) return undefined;
    n = src as Node;
  }
  return n.target === 'aten.linear.default' || n.target === 'aten.addmm.default' ? c.stepOf.get(n) : undefined;
}

/** Run the original steps of a fused group in order (the fallback when the fast path declines). */
function runOriginal(group: readonly Step[], values: Map<number, unknown>, ctx: KernelContext): unknown {
  const fill = (a: unknown): unknown => (a instanceof Slot ? values.get(a.index) : Array.isArray(a) ? a.map(fill) : a);
  let v: unknown;
  for (const s of group) {
    v = s.exec(s.args.map(fill), ctx);
    values.set(s.slot, v);
  }
  return v;
}

function snapshot(s: Step): Step {
  return { ...s, args: s.args.slice(), dyn: s.dyn.slice(), releases: [] };
}

/** Fuse the patterns above in `steps` (in place). `outputs`: nodes the graph returns. */
export function fusePointwise(steps: Step[], outputs: ReadonlySet<Node>): void {
  const stepOf = new Map<Node, Step>();
  for (const s of steps) stepOf.set(s.node, s);
  const c: Ctx = { stepOf, outputs };
  const slotOf = (n: Node) => n.graph.nodes.indexOf(n);
  const absorbed = new Set<Step>();
  const geluRoots = new Set<Step>();
  for (const m of steps) {
    const g = matchGeluTanh(c, m);
    if (!g) continue;
    const group = [...g.chain.map((n) => snapshot(stepOf.get(n)!)), snapshot(m)];
    const xSlot = slotOf(g.x);
    const inplace = freshSole(c, g.x, new Set(g.chain));
    // GELU in the GEMM's epilogue: the GEMM marks the buffers it wrote activated; the chain's step passes those through.
    const root = inplace ? gemmRoot(c, g.x) : undefined;
    const geluDone = new WeakSet<object>();
    if (root) {
      geluRoots.add(root);
      const orig = root.exec;
      const fast = root.node.target === 'aten.linear.default' ? linearWith('gelu_tanh') : addmmWith('gelu_tanh');
      root.exec = (args, ctx) => {
        const r = fast(args, ctx);
        if (r === undefined) return orig(args, ctx);
        geluDone.add(f32(r as NDArray));
        return r;
      };
    }
    const exec: StepExec = ([x], ctx) => {
      if (root && isF32(x) && geluDone.delete(f32(x))) return x;
      if (isF32(x) && x.isContiguous()) {
        const d = f32(x);
        if (inplace) {
          geluTanhLoop(d, x.offset, d, x.offset, x.numel);
          return x;
        }
        const out = ctx.allocF32(x.numel);
        geluTanhLoop(d, x.offset, out, 0, x.numel);
        return new NDArray(new Storage('float32', out), [...x.shape], [...x.strides]);
      }
      return runOriginal(group, new Map([[xSlot, x]]), ctx);
    };
    m.args = [new Slot(xSlot)];
    m.dyn = dynamicArgs(m.args);
    m.exec = exec;
    if (inplace) m.writes = [xSlot];
    for (const n of g.chain) absorbed.add(stepOf.get(n)!);
  }
  fuseResidualAdds(c, steps, absorbed, geluRoots);
  // GEMM + relu: the relu step passes its input through; the GEMM applies it.
  for (const r of steps) {
    if (absorbed.has(r) || (r.node.target !== 'aten.relu.default' && r.node.target !== 'aten.relu_.default')) continue;
    const src = argNodes(r)[0];
    const mm = op(c, src, ['aten.linear.default', 'aten.addmm.default']);
    if (!mm || mm.node.users.size !== 1 || absorbed.has(stepOf.get(mm.node)!)) continue;
    const ms = stepOf.get(mm.node)!;
    const fast = mm.node.target === 'aten.linear.default' ? linearWith('relu') : addmmWith('relu');
    const group = [snapshot(ms), snapshot(r)];
    ms.exec = (args, ctx) => fast(args, ctx) ?? runOriginal(group.slice(1), new Map([[ms.slot, group[0]!.exec(args, ctx)]]), ctx);
    // The relu step now reads the GEMM's (already activated) output: pass it through.
    r.exec = (args) => args[0];
    r.args = [r.args[0]];
    r.dyn = dynamicArgs(r.args);
  }
  for (let i = steps.length - 1; i >= 0; i--) if (absorbed.has(steps[i]!)) steps.splice(i, 1);
}

/** Both values have the same shape by their node meta (equal numbers, or symbols printing the same). */
function sameStaticShape(a: Node, b: Node): boolean {
  const va = a.meta.val as { shape?: readonly unknown[] } | undefined, vb = b.meta.val as { shape?: readonly unknown[] } | undefined;
  const sa = va?.shape, sb = vb?.shape;
  const same = (d: unknown, e: unknown) => (typeof d === 'number' ? d === e : d instanceof SymInt && e instanceof SymInt && d.env === e.env && String(d) === String(e));
  return !!sa && !!sb && sa.length === sb.length && sa.every((d, i) => same(d, sb[i]));
}

/** add(GEMM output, other) → the GEMM adds `other` (see the header). */
function fuseResidualAdds(c: Ctx, steps: Step[], absorbed: ReadonlySet<Step>, taken: Set<Step>): void {
  const index = new Map<Step, number>();
  steps.forEach((s, i) => index.set(s, i));
  for (const s of steps) {
    if (absorbed.has(s) || s.node.target !== 'aten.add.Tensor') continue;
    const args = argNodes(s);
    if (!alphaOne(args)) continue;
    for (const gi of [0, 1]) {
      const g = args[gi], o = args[1 - gi];
      if (!(g instanceof Object && 'target' in g) || !(o instanceof Object && 'target' in o) || g === o) continue;
      const gn = g as Node, on = o as Node;
      const root = gemmRoot(c, gn);
      if (!root || taken.has(root) || !freshSole(c, gn, new Set([s.node])) || !sameStaticShape(gn, s.node)) continue;
      const ri = index.get(root)!, si = index.get(s)!;
      const op = c.stepOf.get(on);
      // `other` exists when the GEMM runs and holds the same value at the add.
      if (op ? index.get(op)! >= ri : on.op !== 'placeholder') continue;
      if (steps.slice(ri, si).some((t) => t.writes?.length)) continue;
      taken.add(root);
      const res: ResidualSink = { index: root.args.length, done: new WeakSet() };
      const orig = root.exec;
      const fast = root.node.target === 'aten.linear.default' ? linearWith(undefined, res) : addmmWith(undefined, res);
      root.args = [...root.args, new Slot(on.graph.nodes.indexOf(on))];
      root.dyn = dynamicArgs(root.args);
      root.exec = (a, ctx) => fast(a, ctx) ?? orig(a.slice(0, res.index), ctx);
      const addOrig = s.exec;
      s.exec = (a, ctx) => {
        const x = a[gi];
        return isF32(x) && res.done.delete(f32(x)) ? x : addOrig(a, ctx);
      };
      break;
    }
  }
}
