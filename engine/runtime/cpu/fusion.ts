// Step fusion for the CPU runtime: conv → batch norm (eval) → activation chains
// become one convolution. The batch norm is folded into the conv's weights and
// bias once (w' = w·γ/√(σ²+ε), b' = (b − μ)·γ/√(σ²+ε) + β, cached while the
// parameters are the same arrays), a following ReLU / hardswish becomes the
// GEMM epilogue, and the absorbed steps just pass their input through.
// Both IRs are matched: conv2d → batch_norm → relu_ (training IR) and
// convolution → _native_batch_norm_legit_no_training → getitem 0 → relu
// (core ATen). A per-channel multiply feeding the conv (squeeze-excitation's
// x · scale[N, C, 1, 1]) is absorbed too: the conv scales its input rows as it
// copies them into the GEMM. A global average pool reading a depthwise conv's
// output first is computed by the conv kernel as it writes the output, and a
// residual add that is the chain's only reader is added as the output is copied
// out. Only frozen parameters (see
// CpuRuntimeOptions.frozenInputs) are folded, and only values nothing else
// reads are absorbed.

import { NDArray, Storage, contiguousStrides } from '../../core/ndarray';
import { type Graph, Node } from '../../ir/graph';
import { type Step, Slot, dynamicArgs } from './cpu-runtime';
import { convCallArgs, convNd } from './conv';
import { type Activation } from './gemm';
import { bnScaleShift } from './norm';
import { f32, scalarArg } from './kernel-context';

const CONVS = new Set(['aten.convolution.default', 'aten.conv2d.default', 'aten.conv1d.default']);
const ACTIVATIONS: Record<string, Activation> = {
  'aten.relu.default': 'relu',
  'aten.relu_.default': 'relu',
  'aten.hardswish.default': 'hardswish',
  'aten.hardswish_.default': 'hardswish',
};

const soleUser = (n: Node): Node | undefined => (n.users.size === 1 ? [...n.users][0] : undefined);

export function fuseSteps(steps: Step[], _graph: Graph, _slotOf: Map<Node, number>, isFrozen: (n: Node) => boolean): void {
  const stepOf = new Map<Node, Step>();
  for (const s of steps) stepOf.set(s.node, s);
  const frozenArg = (a: unknown): boolean => a === null || a === undefined || (a instanceof Node && isFrozen(a));
  for (const conv of steps) {
    if (!CONVS.has(conv.node.target)) continue;
    const convArgs = convCallArgs(conv.node.target, conv.node.args.length ? boundNodes(conv) : []);
    if (!convArgs || !frozenArg(convArgs[1]) || !frozenArg(convArgs[2])) continue;
    let tail = conv.node;
    let bn: Step | undefined;
    let bnParams: unknown[] | undefined;
    let eps: number | undefined;
    const next = soleUser(tail);
    if (next && (next.target === 'aten.batch_norm.default' || next.target === 'aten._native_batch_norm_legit_no_training.default') && next.args[0] === tail) {
      const s = stepOf.get(next)!;
      const a = boundNodes(s);
      const training = next.target === 'aten.batch_norm.default' ? a[5] : false;
      eps = scalarArg(next.target === 'aten.batch_norm.default' ? a[7] : a[6]);
      if (training === false && eps !== undefined && [a[1], a[2], a[3], a[4]].every(frozenArg) && a[3] && a[4]) {
        bn = s;
        bnParams = [a[1], a[2], a[3], a[4]];
        tail = next;
        if (next.target !== 'aten.batch_norm.default') {
          // The output is read through getitem 0; the statistics outputs must be unused.
          const users = [...next.users];
          if (users.length !== 1 || users[0]!.target !== 'getitem' || users[0]!.args[1] !== 0) {
            bn = undefined;
            tail = conv.node;
          } else tail = users[0]!;
        }
      }
    }
    let act: Activation | undefined;
    let actStep: Step | undefined;
    const after = soleUser(tail);
    if (after && ACTIVATIONS[after.target] && after.args[0] === tail) {
      act = ACTIVATIONS[after.target];
      actStep = stepOf.get(after);
    }
    const scale = scaleInput(conv, stepOf);
    const pool = channelPool(actStep?.node ?? tail, stepOf, steps);
    const residual = act ? undefined : residualAdd(tail, stepOf, (n) => steps.indexOf(stepOf.get(n)!) < steps.indexOf(conv));
    if (!bn && !act && !scale && !pool && !residual) continue;
    fuse(conv, bn, bnParams, eps ?? 0, act, actStep, scale, pool, residual);
  }
}

/**
 * The add (aten.add.Tensor / add_.Tensor, alpha 1) that is the only reader of
 * the conv chain's output: a residual connection. `other` is the index of the
 * add's other operand, which must be computed before the conv runs
 * (`earlier`; a ResNet block's downsample branch often comes after it); its
 * shape is checked at run time.
 */
function residualAdd(tail: Node, stepOf: Map<Node, Step>, earlier: (n: Node) => boolean): { step: Step; other: number } | undefined {
  const add = soleUser(tail);
  if (!add || (add.target !== 'aten.add.Tensor' && add.target !== 'aten.add_.Tensor')) return undefined;
  const s = stepOf.get(add);
  if (!s || s.args.length < 2 || (s.args.length > 2 && scalarArg(s.args[2]) !== 1)) return undefined;
  const [a, b] = add.args;
  const ready = (n: unknown): boolean => !(n instanceof Node) || n.op === 'placeholder' || (stepOf.has(n) && earlier(n));
  if (a === tail && b !== tail && ready(b)) return { step: s, other: 1 };
  // In place, the conv output must be `self`.
  if (b === tail && a !== tail && add.target === 'aten.add.Tensor' && ready(a)) return { step: s, other: 0 };
  return undefined;
}

const isPair11 = (v: unknown): boolean => Array.isArray(v) && v.length === 2 && v[0] === 1 && v[1] === 1;

/**
 * A global average pool over the conv chain's output (adaptive_avg_pool2d to
 * 1×1, or mean over the last two dims), when it is the output's first reader
 * (nothing can have changed the output before it) and not a graph output: the
 * depthwise kernel computes it while writing the output.
 */
function channelPool(tail: Node, stepOf: Map<Node, Step>, steps: readonly Step[]): { step: Step; keepdim: boolean } | undefined {
  let first: Node | undefined;
  let firstIdx = Infinity;
  for (const u of tail.users) {
    const s = stepOf.get(u);
    const i = s ? steps.indexOf(s) : -1;
    if (i < 0) return undefined;
    if (i < firstIdx) [first, firstIdx] = [u, i];
  }
  if (!first || first.args[0] !== tail || [...first.users].some((u) => u.op === 'output')) return undefined;
  let keepdim = true;
  if (first.target === 'aten.adaptive_avg_pool2d.default' || first.target === 'aten._adaptive_avg_pool2d.default') {
    if (!isPair11(first.args[1])) return undefined;
  } else if (first.target === 'aten.mean.dim') {
    const dims = first.args[1];
    if (!Array.isArray(dims) || dims.length !== 2 || first.args[3] != null || first.kwargs.dtype != null) return undefined;
    const d = [...dims].map((x) => (typeof x === 'number' && x < 0 ? x + 4 : x)).sort();
    if (d[0] !== 2 || d[1] !== 3) return undefined;
    keepdim = first.args[2] === true || first.kwargs.keepdim === true;
  } else return undefined;
  return { step: stepOf.get(first)!, keepdim };
}

/**
 * The aten.mul.Tensor step computing the conv's input when only the conv reads
 * it (squeeze-excitation: x · hardsigmoid(...)[N, C, 1, 1]); whether its
 * operands have the per-channel shape is checked at run time.
 */
function scaleInput(conv: Step, stepOf: Map<Node, Step>): Step | undefined {
  const input = conv.node.args[0];
  if (!(input instanceof Node) || input.target !== 'aten.mul.Tensor' || input.users.size !== 1) return undefined;
  const s = stepOf.get(input);
  return s && s.args.length === 2 ? s : undefined;
}

/** [x, s] when one of the mul's operands is x [N, C, H, W] and the other s [N, C, 1, 1], both f32. */
function channelScale(a: unknown, b: unknown): [NDArray, NDArray] | undefined {
  if (!(a instanceof NDArray) || !(b instanceof NDArray) || a.dtype !== 'float32' || b.dtype !== 'float32' || a.ndim !== 4 || b.ndim !== 4) return undefined;
  const [x, s] = b.shape[2] === 1 && b.shape[3] === 1 ? [a, b] : [b, a];
  if (s.shape[2] !== 1 || s.shape[3] !== 1 || s.shape[0] !== x.shape[0] || s.shape[1] !== x.shape[1]) return undefined;
  return [x, s];
}

/** The step's bound arguments with Slots mapped back to nodes (for pattern checks). */
function boundNodes(s: Step): unknown[] {
  const nodes = s.node.graph.nodes;
  const back = (a: unknown): unknown => (a instanceof Slot ? nodes[a.index] : Array.isArray(a) ? a.map(back) : a);
  return s.args.map(back);
}

function fuse(conv: Step, bn: Step | undefined, bnParams: unknown[] | undefined, eps: number, act: Activation | undefined, actStep: Step | undefined, scale: Step | undefined, pool: { step: Step; keepdim: boolean } | undefined, residual: { step: Step; other: number } | undefined): void {
  const original = conv.exec;
  // Channel means of the output, computed by the kernel: outputs → their means
  // (a buffer owned by this conv, never pooled; the pool is not a graph output).
  const pooled = new WeakMap<object, NDArray>();
  let meanBuf = new Float32Array(0);
  const scaleOriginal = scale?.exec;
  const bnOriginal = bn?.exec;
  const bnTemplate = bn?.args;
  const actOriginal = actStep?.exec;
  const actTemplate = actStep?.args;
  const target = conv.node.target;
  const nConv = conv.args.length;
  const slots = bnParams ? bnParams.map((p) => (p instanceof Node ? new Slot(conv.node.graph.nodes.indexOf(p)) : null)) : [];
  const nBn = slots.length;
  // The mul's operands become extra conv arguments; the mul step itself computes
  // nothing. So does the residual add's other operand: the add passes the conv's
  // output (which includes it) through.
  const nScale = scale ? scale.args.length : 0;
  const resIdx = nConv + nBn + nScale;
  const addOriginal = residual?.step.exec;
  const addTemplate = residual?.step.args;
  conv.args = [...conv.args, ...slots, ...(scale ? scale.args : []), ...(residual ? [residual.step.args[residual.other]] : [])];
  conv.dyn = dynamicArgs(conv.args);
  if (residual) {
    const s = residual.step;
    s.exec = (args) => args[0];
    s.args = [s.args[1 - residual.other]];
    s.dyn = dynamicArgs(s.args);
  }
  if (scale) {
    scale.exec = () => EMPTY;
    scale.args = [];
    scale.dyn = [];
  }
  let cache: { key: unknown[]; w: NDArray; b: NDArray } | undefined;
  conv.exec = (args, ctx) => {
    const convArgs = args.slice(0, nConv);
    const scaled = scale ? channelScale(args[nConv + nBn], args[nConv + nBn + 1]) : undefined;
    if (scale) convArgs[0] = scaled ? scaled[0] : scaleOriginal!(args.slice(nConv + nBn), ctx);
    const call = convCallArgs(target, convArgs)!;
    let [, w, b] = call as [unknown, NDArray, NDArray | null];
    let key: object | undefined = ctx.frozenKey(w);
    if (bnParams) {
      const [bw, bb, bm, bv] = args.slice(nConv, nConv + nBn) as Array<NDArray | null>;
      const ids = [w, b, bw, bb, bm, bv].map((t) => (t ? t.storage.data : null));
      if (!cache || cache.key.some((k, i) => k !== ids[i])) cache = { key: ids, ...foldBn(w, b, bw, bb, bm!, bv!, eps) };
      w = cache.w;
      b = cache.b;
      key = cache.w.storage.data;
    }
    const x = call[0];
    let means: { data: Float32Array; filled: boolean } | undefined;
    if (pool && x instanceof NDArray && x.ndim === 4) {
      const n = x.shape[0]! * w.shape[0]!;
      if (meanBuf.length !== n) meanBuf = new Float32Array(n);
      means = { data: meanBuf, filled: false };
    }
    const r = residual ? args[resIdx] : undefined;
    const res = r instanceof NDArray && r.dtype === 'float32' && r.isContiguous() ? r : undefined;
    const y = residual && !res ? undefined : convNd(x, w, b, call[3], call[4], call[5], call[6], ctx, { act, weightKey: key, inputScale: scaled?.[1], channelMeans: means, residual: res });
    if (y && means?.filled) {
      const shape = pool!.keepdim ? [y.shape[0]!, y.shape[1]!, 1, 1] : [y.shape[0]!, y.shape[1]!];
      pooled.set(y, new NDArray(new Storage('float32', meanBuf), shape, contiguousStrides(shape)));
    }
    if (y) return y;
    // Declined (dtype/layout): run the original chain.
    if (scaled) convArgs[0] = scaleOriginal!(args.slice(nConv + nBn), ctx);
    let v = original(convArgs, ctx);
    if (bnOriginal) {
      const params = args.slice(nConv, nConv + nBn);
      v = bnOriginal(bnTemplate!.map((a, i) => (i === 0 ? v : i <= 4 ? params[i - 1] : a)), ctx);
      if (Array.isArray(v)) v = v[0];
    }
    if (actOriginal) v = actOriginal([v, ...actTemplate!.slice(1)], ctx);
    if (addOriginal) v = addOriginal(addTemplate!.map((a, i) => (i === residual!.other ? r : i === 1 - residual!.other ? v : a)), ctx);
    return v;
  };
  if (pool) {
    const poolOriginal = pool.step.exec;
    pool.step.exec = (args, ctx) => pooled.get(args[0] as object) ?? poolOriginal(args, ctx);
  }
  if (bn) {
    const passthrough = bn.node.target === 'aten.batch_norm.default';
    bn.exec = passthrough ? (args) => args[0] : (args) => [args[0], EMPTY, EMPTY];
    bn.args = [bn.args[0]];
    bn.dyn = dynamicArgs(bn.args);
  }
  if (actStep) {
    actStep.exec = (args) => args[0];
    actStep.args = [actStep.args[0]];
    actStep.dyn = dynamicArgs(actStep.args);
  }
}

const EMPTY = new NDArray(new Storage('float32', new Float32Array(0)), [0], [1]);

/** Batch norm folded into conv weights [Cout, ...] and bias. */
function foldBn(w: NDArray, b: NDArray | null, bw: NDArray | null, bb: NDArray | null, bm: NDArray, bv: NDArray, eps: number): { w: NDArray; b: NDArray } {
  const Cout = w.shape[0]!;
  const wc = w.contiguous();
  const per = wc.numel / Cout;
  const { scale, shift } = bnScaleShift(Cout, bw, bb, bm, bv, eps);
  const W = f32(wc);
  const nw = new Float32Array(wc.numel);
  const nb = new Float32Array(Cout);
  for (let c = 0; c < Cout; c++) {
    for (let i = 0; i < per; i++) nw[c * per + i] = W[wc.offset + c * per + i]! * scale[c]!;
    const b0 = b ? f32(b)[b.offset + c * b.strides[0]!]! : 0;
    nb[c] = b0 * scale[c]! + shift[c]!;
  }
  return { w: new NDArray(new Storage('float32', nw), [...w.shape], contiguousStrides(w.shape)), b: new NDArray(new Storage('float32', nb), [Cout], [1]) };
}
