// Conv → batch norm (eval) → activation as ONE WebGPU dispatch, after the CPU
// runtime's fusion (cpu/fusion.ts). The batch norm is folded into the conv's
// weights and bias on the host, once (w' = w·γ/√(σ²+ε) per output channel,
// b' = (b − μ)·γ/√(σ²+ε) + β, in float64 then rounded to f32; cached while the
// frozen parameters are the same arrays, uploaded once as weights), and the
// activation after it (relu, relu6 / hardtanh(0, 6), hardswish, silu) is
// applied as the conv's output is stored: the GEMM epilogue for 1×1 convs, the
// direct conv program otherwise.
//
// Both IRs are matched: conv2d → batch_norm(training=False) → hardswish_
// (training IR) and convolution → _native_batch_norm_legit_no_training →
// getitem 0 → relu (core ATen). Only chains whose batch-norm parameters and
// conv weight/bias are frozen inputs (WebGpuRuntimeOptions.frozenInputs) fold,
// and only when every value inside the chain has the next node as its only
// reader (so none is a graph output, read elsewhere or written in place). A
// chain the conv kernel declines (dtype, layout) runs node by node instead.

import { NDArray, Storage, contiguousStrides } from '../../core/ndarray';
import { isPyScalar, scalarToNumber } from '../../core/scalar';
import { type Node } from '../../ir/graph';
import { isTensorMeta } from '../../ops/types';
import { convCallArgs } from '../cpu/conv';
import { bnScaleShift } from '../cpu/norm';
import { type GpuExecutor } from './gpu-exec';
import { type GpuCtx, convNd } from './gpu-kernels';
import { type EpilogueAct } from './ops/epilogue';

const CONVS = new Set(['aten.convolution.default', 'aten.conv2d.default', 'aten.conv1d.default']);
const BN = 'aten.batch_norm.default';
const BN_LEGIT = 'aten._native_batch_norm_legit_no_training.default';

/** A matched chain; `nodes` in graph order, `tail` the node whose value the fused step produces. */
export interface ConvBnChain {
  readonly conv: Node;
  readonly bn: Node;
  readonly nodes: readonly Node[];
  readonly tail: Node;
  readonly act: EpilogueAct | undefined;
  readonly eps: number;
  /** How many of the fused step's arguments are the conv's (the batch norm's γ, β, μ, σ² follow). */
  readonly convArgCount: number;
}

const num = (v: unknown): number | undefined => (isPyScalar(v) ? scalarToNumber(v) : undefined);
const soleUser = (n: Node): Node | undefined => (n.users.size === 1 ? [...n.users][0] : undefined);
const isNode = (a: unknown): a is Node => !!a && typeof a === 'object' && 'op' in a && 'users' in a;
const metaFloat32 = (n: Node): boolean => {
  const v = Array.isArray(n.meta.val) ? n.meta.val[0] : n.meta.val;
  return !isTensorMeta(v) || v.dtype === 'float32';
};

/** The epilogue form of an activation node reading its argument 0, if it has one. */
function activationOf(n: Node, args: readonly unknown[]): EpilogueAct | undefined {
  switch (n.target) {
    case 'aten.relu.default':
    case 'aten.relu_.default':
      return 'relu';
    case 'aten.hardswish.default':
    case 'aten.hardswish_.default':
      return 'hardswish';
    case 'aten.relu6.default':
    case 'aten.relu6_.default':
      return 'relu6';
    case 'aten.silu.default':
    case 'aten.silu_.default':
      return 'silu';
    case 'aten.hardtanh.default':
    case 'aten.hardtanh_.default':
      return num(args[1]) === 0 && num(args[2]) === 6 ? 'relu6' : undefined;
  }
  return undefined;
}

/**
 * The foldable chains of a graph. `bound(n)`: n's bound arguments with
 * producer nodes in place; `isFrozen(n)`: n is a frozen input.
 */
export function findConvBnChains(nodes: readonly Node[], bound: (n: Node) => readonly unknown[] | undefined, isFrozen: (n: Node) => boolean): ConvBnChain[] {
  const frozenOrNone = (a: unknown): boolean => a === null || a === undefined || (isNode(a) && isFrozen(a));
  const chains: ConvBnChain[] = [];
  for (const conv of nodes) {
    if (conv.op !== 'call_function' || !CONVS.has(conv.target) || !metaFloat32(conv)) continue;
    const convBound = bound(conv);
    const call = convBound && convCallArgs(conv.target, convBound);
    if (!convBound || !call || !isNode(call[1]) || !isFrozen(call[1]) || !frozenOrNone(call[2])) continue;
    const bn = soleUser(conv);
    if (!bn || (bn.target !== BN && bn.target !== BN_LEGIT)) continue;
    const a = bound(bn);
    if (!a || a[0] !== conv) continue;
    if (bn.target === BN && a[5] !== false) continue;
    const eps = num(bn.target === BN ? a[7] : a[6]);
    if (eps === undefined || !isNode(a[3]) || !isNode(a[4]) || ![a[1], a[2], a[3], a[4]].every(frozenOrNone)) continue;
    const chain: Node[] = [conv, bn];
    let tail = bn;
    if (bn.target === BN_LEGIT) {
      // The output is read through getitem 0; the (empty) statistics are unused.
      const gi = soleUser(bn);
      if (!gi || gi.target !== 'getitem' || gi.args[0] !== bn || gi.args[1] !== 0) continue;
      chain.push(gi);
      tail = gi;
    } else if (!metaFloat32(bn)) continue;
    let act: EpilogueAct | undefined;
    const next = soleUser(tail);
    const nextArgs = next && bound(next);
    if (next && nextArgs && nextArgs[0] === tail && metaFloat32(next)) act = activationOf(next, nextArgs);
    if (act) {
      chain.push(next!);
      tail = next!;
    }
    chains.push({ conv, bn, nodes: chain, tail, act, eps, convArgCount: convBound.length });
  }
  return chains;
}

interface Folded {
  readonly key: readonly unknown[];
  readonly w: NDArray;
  readonly b: NDArray;
}

const isF32 = (v: unknown): v is NDArray => v instanceof NDArray && v.dtype === 'float32';
const viewKey = (t: NDArray | null): unknown[] => (t ? [t.storage.data, t.offset, t.strides.join(',')] : [null, 0, '']);

/** Runs matched chains; one per runtime (it holds the folded weights of its chains). */
export class ConvBnFolder {
  private readonly folded = new Map<ConvBnChain, Folded>();
  /** Weight folds computed (tests: once per parameter set). */
  folds = 0;

  /**
   * The chain's value from the fused step's arguments (the conv's bound
   * arguments, then γ, β, μ, σ²), or undefined when the GPU conv declines:
   * run the chain node by node then.
   */
  run(chain: ConvBnChain, args: readonly unknown[], g: GpuCtx): NDArray | undefined {
    const call = convCallArgs(chain.conv.target, args.slice(0, chain.convArgCount));
    if (!call) return undefined;
    const [x, w, b, stride, padding, dilation, groups] = call;
    const [gamma, beta, mean, variance] = args.slice(chain.convArgCount, chain.convArgCount + 4);
    const opt = (v: unknown) => v === null || v === undefined || isF32(v);
    if (!isF32(w) || w.ndim < 3 || !opt(b) || !opt(gamma) || !opt(beta) || !isF32(mean) || !isF32(variance)) return undefined;
    const Cout = w.shape[0]!;
    const perChannel = [b, gamma, beta, mean, variance].every((v) => v == null || ((v as NDArray).ndim === 1 && (v as NDArray).shape[0] === Cout));
    if (!perChannel || !(x instanceof NDArray)) return undefined;
    const params = [w, (b ?? null) as NDArray | null, (gamma ?? null) as NDArray | null, (beta ?? null) as NDArray | null, mean, variance];
    const key = [...params.flatMap(viewKey), chain.eps];
    let f = this.folded.get(chain);
    if (!f || f.key.some((k, i) => k !== key[i])) {
      f = { key, ...foldBatchNorm(params[0]!, params[1]!, params[2]!, params[3]!, mean, variance, chain.eps) };
      this.folded.set(chain, f);
      this.folds++;
    }
    return convNd(g, x, upload(g.exec, f.w), upload(g.exec, f.b), stride, padding, dilation, groups, chain.act);
  }
}

/** A folded host array as a weight: uploaded on first use, then the same GPU buffer every run. */
const upload = (exec: GpuExecutor, a: NDArray): NDArray => exec.upload(a, 'f32', true);

/** Batch norm folded into conv weights [Cout, ...] and bias [Cout] (float64 arithmetic, f32 results). */
export function foldBatchNorm(w: NDArray, b: NDArray | null, gamma: NDArray | null, beta: NDArray | null, mean: NDArray, variance: NDArray, eps: number): { w: NDArray; b: NDArray } {
  const Cout = w.shape[0]!;
  const { scale, shift } = bnScaleShift(Cout, gamma, beta, mean, variance, eps);
  const wc = w.contiguous();
  const per = wc.numel / (Cout || 1);
  const W = wc.storage.data as Float32Array;
  const nw = new Float32Array(wc.numel);
  const nb = new Float32Array(Cout);
  const B = b ? (b.storage.data as Float32Array) : undefined;
  for (let c = 0; c < Cout; c++) {
    const s = scale[c]!;
    for (let i = 0; i < per; i++) nw[c * per + i] = W[wc.offset + c * per + i]! * s;
    nb[c] = (B ? B[b!.offset + c * b!.strides[0]!]! : 0) * s + shift[c]!;
  }
  return { w: new NDArray(new Storage('float32', nw), [...w.shape], contiguousStrides(w.shape)), b: new NDArray(new Storage('float32', nb), [Cout], [1]) };
}
