// Elementwise fusion for the WebGPU runtime: which ops are pointwise (and how
// each becomes an Expr), and the grouping of pointwise nodes into chains that
// run as one dispatch. A node joins its user's group when it is float32 (from
// its meta), has that single user and does not mutate a value from outside the
// group; an in-place op whose `self` comes from outside stays a group root, so
// its write lands in `self` (see webgpu-runtime.ts).
//
// Chains may compute bool and integer values too (Note [Typed pointwise] in
// ops/elementwise.ts): comparisons, logic, bitwise ops and the integer-exact
// arithmetic in INT_OUTPUT produce bool/int64/int32 nodes on the GPU, and any
// op reads bool/int inputs. Scalars take the kind of their Python type.

import { PyFloat, isPyScalar, scalarIsFloat } from '../../core/scalar';
import { type Node } from '../../ir/graph';
import { isTensorMeta } from '../../ops/types';
import { type BinaryOp, type Expr, type TypedOp, type UnaryOp, dtypeKind } from './ops/elementwise';

/** An operand as the builder sees it: a sub-expression, a scalar slot, or absent (None). */
export type Operand = Expr | undefined;

export interface PointwiseSpec {
  /** Bound-argument positions that may hold tensors (leaves or fused producers). */
  readonly tensorArgs: readonly number[];
  /** Writes into argument 0. */
  readonly inplace?: boolean;
  /** Build the expression from operands by argument position (scalars already turned into slots). */
  build(op: (i: number) => Operand, args: readonly unknown[]): Expr | undefined;
}

// Each builder reads every operand once: reading creates the operand's leaves.
const un = (op: UnaryOp): PointwiseSpec => ({
  tensorArgs: [0],
  build: (o) => {
    const a = o(0);
    return a && { t: 'un', op, a };
  },
});
const alphaScaled = (o: (i: number) => Operand, args: readonly unknown[]): Operand => {
  const alpha = args[2];
  if (alpha === undefined || alpha === 1 || (alpha instanceof PyFloat && alpha.value === 1)) return o(1);
  const b = o(1), a = o(2);
  return b && a && { t: 'bin', op: 'mul', a: b, b: a };
};
const bin = (op: BinaryOp, withAlpha = false): PointwiseSpec => ({
  tensorArgs: [0, 1],
  build: (o, args) => {
    const a = o(0);
    const b = withAlpha ? alphaScaled(o, args) : o(1);
    return a && b && { t: 'bin', op, a, b };
  },
});
const clampSpec = (lo: number | undefined, hi: number | undefined): PointwiseSpec => ({
  tensorArgs: [0],
  build: (o) => {
    const a = o(0);
    return a && { t: 'clamp', a, lo: lo === undefined ? undefined : o(lo), hi: hi === undefined ? undefined : o(hi) };
  },
});
const inplace = (s: PointwiseSpec): PointwiseSpec => ({ ...s, inplace: true });
const gelu = (inplaceOp: boolean): PointwiseSpec => ({
  tensorArgs: [0],
  inplace: inplaceOp,
  build: (o, args) => {
    const approx = args[1] ?? 'none';
    if (approx !== 'none' && approx !== 'tanh') return undefined;
    const a = o(0);
    return a && { t: 'un', op: approx === 'tanh' ? 'gelu_tanh' : 'gelu', a };
  },
});
/** batch_norm / _native_batch_norm_legit_no_training in eval mode: (x − μ)/√(σ² + ε)·γ + β. */
const bn = (epsAt: number, trainingAt?: number): PointwiseSpec => ({
  tensorArgs: [0, 1, 2, 3, 4],
  build: (o, args) => {
    if (trainingAt !== undefined && args[trainingAt]) return undefined;
    const x = o(0), m = o(3), v = o(4), eps = o(epsAt);
    return x && m && v && eps && { t: 'bn', x, mean: m, variance: v, eps, w: o(1), b: o(2) };
  },
});

/** A WGSL template over tensor-or-scalar operands at `at` (absent operands fail the build). */
const call = (f: string, at: readonly number[], tensorArgs: readonly number[] = [0], inplaceOp = false): PointwiseSpec => ({
  tensorArgs,
  inplace: inplaceOp,
  build: (o) => {
    const args = at.map((i) => o(i));
    return args.every((a) => a !== undefined) ? { t: 'call', f, args: args as Expr[] } : undefined;
  },
});
const sc = (v: number): Expr => ({ t: 'call', f: `f32(${/[.e]/.test(String(v)) ? v : `${v}.0`})`, args: [] });
const has = (v: unknown) => v !== undefined && v !== null;
/** torch.where(c, a, b) from operands at the three positions. */
const whereSpec = (ci: number, ai: number, bi: number, tensorArgs: readonly number[], inplaceOp = false): PointwiseSpec => ({
  tensorArgs,
  inplace: inplaceOp,
  build: (o) => {
    const byPos = new Map<number, Operand>();
    for (const i of [...new Set([ci, ai, bi])].sort()) byPos.set(i, o(i));
    const c = byPos.get(ci), a = byPos.get(ai), b = byPos.get(bi);
    return c && a && b && { t: 'where', c, a, b };
  },
});
/** other − alpha·self. */
const rsub: PointwiseSpec = {
  tensorArgs: [0, 1],
  build: (o, args) => {
    const a = o(0), b = o(1);
    const alpha = args[2];
    if (!a || !b) return undefined;
    if (alpha === undefined || alpha === 1 || (alpha instanceof PyFloat && alpha.value === 1)) return { t: 'bin', op: 'sub', a: b, b: a };
    const al = o(2);
    return al && { t: 'bin', op: 'sub', a: b, b: { t: 'bin', op: 'mul', a, b: al } };
  },
};
const divMode: PointwiseSpec = {
  tensorArgs: [0, 1],
  build: (o, args) => {
    const mode = args[2];
    const a = o(0), b = o(1);
    if (!a || !b) return undefined;
    if (mode === null || mode === undefined) return { t: 'bin', op: 'div', a, b };
    if (mode === 'trunc') return { t: 'call', f: 'trunc($0 / $1)', args: [a, b] };
    if (mode === 'floor') return { t: 'call', f: 'floor($0 / $1)', args: [a, b] };
    return undefined;
  },
};
const elu = (inplaceOp: boolean): PointwiseSpec => ({
  tensorArgs: [0],
  inplace: inplaceOp,
  build: (o) => {
    const x = o(0), alpha = o(1) ?? sc(1), scale = o(2) ?? sc(1), inScale = o(3) ?? sc(1);
    return x && { t: 'call', f: 'select($2 * $1 * expm1_($0 * $3), $2 * $0, $0 > 0.0)', args: [x, alpha, scale, inScale] };
  },
});
const leaky = (inplaceOp: boolean): PointwiseSpec => ({
  tensorArgs: [0],
  inplace: inplaceOp,
  build: (o) => {
    const x = o(0), slope = o(1) ?? sc(0.01);
    return x && { t: 'call', f: 'select($0 * $1, $0, $0 > 0.0)', args: [x, slope] };
  },
});
const softplus: PointwiseSpec = {
  tensorArgs: [0],
  build: (o) => {
    const x = o(0), beta = o(1) ?? sc(1), th = o(2) ?? sc(20);
    return x && { t: 'call', f: 'select(log1p_(exp_($0 * $1)) / $1, $0, $0 * $1 > $2)', args: [x, beta, th] };
  },
};
const nanToNum: PointwiseSpec = {
  tensorArgs: [0],
  build: (o, args) => {
    const x = o(0);
    const nan = has(args[1]) ? o(1) : sc(0);
    const pos = has(args[2]) ? o(2) : sc(3.4028234663852886e38);
    const neg = has(args[3]) ? o(3) : sc(-3.4028234663852886e38);
    return x && nan && pos && neg && { t: 'call', f: 'select(select(select($0, $2, $0 > 3.4028234663852886e38), $3, $0 < -3.4028234663852886e38), $1, (bitcast<u32>($0) & 0x7fffffffu) > 0x7f800000u)', args: [x, nan, pos, neg] };
  },
};
/** self + weight·(end − self). */
const lerp: PointwiseSpec = {
  tensorArgs: [0, 1, 2],
  build: (o) => {
    const a = o(0), b = o(1), w = o(2);
    return a && b && w && { t: 'call', f: 'select($1 - ($1 - $0) * (1.0 - $2), $0 + $2 * ($1 - $0), abs($2) < 0.5)', args: [a, b, w] };
  },
};
const fill = (inplaceOp: boolean, tensorValue: boolean): PointwiseSpec => ({
  tensorArgs: tensorValue ? [0, 1] : [0],
  inplace: inplaceOp,
  build: (o) => {
    // x is read (it gives the shape); the value keeps its kind.
    const x = o(0), v = o(1);
    return x && v && { t: 'where', c: { t: 'typed', op: 'isnan', args: [x] }, a: v, b: v };
  },
});
const zero = (inplaceOp: boolean): PointwiseSpec => ({
  tensorArgs: [0],
  inplace: inplaceOp,
  build: (o) => {
    const x = o(0);
    return x && { t: 'call', f: 'select(0.0, 0.0, $0 == $0)', args: [x] };
  },
});
const typedOp = (op: TypedOp, arity: 1 | 2): PointwiseSpec => ({
  tensorArgs: arity === 2 ? [0, 1] : [0],
  build: (o) => {
    const args = arity === 2 ? [o(0), o(1)] : [o(0)];
    return args.every((a) => a !== undefined) ? { t: 'typed', op, args: args as Expr[] } : undefined;
  },
});
/** round(x, decimals): torch's nearbyint(x·10^d)/10^d (d > 0) or nearbyint(x/10^-d)·10^-d in float32; 10^|d| is a compile-time constant. */
const roundDecimals: PointwiseSpec = {
  tensorArgs: [0],
  build: (o, args) => {
    const d = args[1];
    if (typeof d !== 'number' || !Number.isInteger(d)) return undefined;
    const bits = new Uint32Array(new Float32Array([10 ** Math.abs(d)]).buffer)[0]!;
    const p = `bitcast<f32>(${bits}u)`;
    const x = o(0);
    return x && { t: 'call', f: d > 0 ? `select(round($0 * ${p}) / ${p}, $0, abs($0) > 3.4028234663852886e38)` : `select(round($0 / ${p}) * ${p}, $0, abs($0) > 3.4028234663852886e38)`, args: [x] };
  },
};
const I32_MIN = -(2 ** 31), I32_MAX = 2 ** 31 - 1;
/** A scalar operand tagged with its Python type's kind; int scalars outside int32 fail the build (host). */
function scalarKind(e: Operand, v: unknown): Operand {
  if (!e || e.t !== 'sc' || !isPyScalar(v)) return e;
  if (typeof v === 'boolean') return { ...e, k: 'bool' };
  if (scalarIsFloat(v)) return { ...e, k: 'f32' };
  return (v as number) >= I32_MIN && (v as number) <= I32_MAX ? { ...e, k: 'i32' } : undefined;
}
const withScalarKinds = (s: PointwiseSpec): PointwiseSpec => ({ ...s, build: (o, args) => s.build((i) => scalarKind(o(i), args[i]), args) });

const NAN_SAFE_RELU6 = 'select(clamp($0, 0.0, 6.0), $0, (bitcast<u32>($0) & 0x7fffffffu) > 0x7f800000u)';

const COMPARISONS = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const;
const BITWISE = [['and', 'bitand'], ['or', 'bitor'], ['xor', 'bitxor']] as const;
const TYPED: Array<[string, PointwiseSpec]> = [
  ...COMPARISONS.flatMap((op): Array<[string, PointwiseSpec]> => [[`aten.${op}.Tensor`, typedOp(op, 2)], [`aten.${op}.Scalar`, typedOp(op, 2)]]),
  ['aten.logical_and.default', typedOp('and', 2)],
  ['aten.logical_or.default', typedOp('or', 2)],
  ['aten.logical_xor.default', typedOp('xor', 2)],
  ['aten.logical_not.default', typedOp('not', 1)],
  ['aten.isnan.default', typedOp('isnan', 1)],
  ['aten.isinf.default', typedOp('isinf', 1)],
  ['aten.bitwise_not.default', typedOp('bitnot', 1)],
  ...BITWISE.flatMap(([k, op]): Array<[string, PointwiseSpec]> => [
    [`aten.bitwise_${k}.Tensor`, typedOp(op, 2)],
    [`aten.bitwise_${k}.Scalar`, typedOp(op, 2)],
    [`aten.__${k}__.Tensor`, typedOp(op, 2)],
    [`aten.__${k}__.Scalar`, typedOp(op, 2)],
  ]),
  ['aten.round.decimals', roundDecimals],
];

/** Ops that may produce bool/int nodes on the GPU: their integer results are exact (within int32, Note [Typed pointwise]). */
const INT_OUTPUT: ReadonlySet<string> = new Set([
  ...TYPED.map(([k]) => k).filter((k) => k !== 'aten.round.decimals'),
  ...['add', 'sub', 'mul', 'add_', 'sub_', 'mul_'].flatMap((op) => [`aten.${op}.Tensor`, `aten.${op}.Scalar`]),
  'aten.rsub.Scalar', 'aten.rsub.Tensor', 'aten.neg.default', 'aten.abs.default', 'aten.maximum.default', 'aten.minimum.default', 'aten.detach.default',
  'aten.where.self', 'aten.where.ScalarSelf', 'aten.where.ScalarOther', 'aten.where.Scalar',
  'aten.masked_fill.Scalar', 'aten.masked_fill.Tensor', 'aten.masked_fill_.Scalar', 'aten.masked_fill_.Tensor',
  'aten.clamp.default', 'aten.clamp_.default', 'aten.clamp.Tensor', 'aten.clamp_min.default', 'aten.clamp_max.default', 'aten.clamp_min.Tensor', 'aten.clamp_max.Tensor', 'aten.clamp_min_.default',
  'aten.fill.Scalar', 'aten.fill.Tensor', 'aten.fill_.Scalar', 'aten.fill_.Tensor', 'aten.zero.default', 'aten.zero_.default',
]);

const SPECS: Array<[string, PointwiseSpec]> = [
  ...TYPED,
  ...(['relu', 'hardswish', 'hardsigmoid', 'sigmoid', 'tanh', 'silu', 'neg', 'exp', 'log', 'sqrt', 'rsqrt', 'abs', 'sin', 'cos', 'reciprocal'] as const).map(
    (op): [string, PointwiseSpec] => [`aten.${op}.default`, un(op)],
  ),
  ...(['relu', 'hardswish', 'hardsigmoid', 'sigmoid', 'tanh', 'silu'] as const).map((op): [string, PointwiseSpec] => [`aten.${op}_.default`, inplace(un(op))]),
  ['aten.gelu.default', gelu(false)],
  ['aten.gelu_.default', gelu(true)],
  ['aten.add.Tensor', bin('add', true)],
  ['aten.add.Scalar', bin('add', true)],
  ['aten.sub.Tensor', bin('sub', true)],
  ['aten.sub.Scalar', bin('sub', true)],
  ['aten.mul.Tensor', bin('mul')],
  ['aten.mul.Scalar', bin('mul')],
  ['aten.div.Tensor', bin('div')],
  ['aten.div.Scalar', bin('div')],
  ['aten.add_.Tensor', inplace(bin('add', true))],
  ['aten.sub_.Tensor', inplace(bin('sub', true))],
  ['aten.mul_.Tensor', inplace(bin('mul'))],
  ['aten.div_.Tensor', inplace(bin('div'))],
  ['aten.maximum.default', bin('maximum')],
  ['aten.minimum.default', bin('minimum')],
  ['aten.pow.Tensor_Scalar', bin('pow')],
  ['aten.pow.Tensor_Tensor', bin('pow')],
  ['aten.clamp.default', clampSpec(1, 2)],
  ['aten.clamp_.default', inplace(clampSpec(1, 2))],
  ['aten.clamp_min.default', clampSpec(1, undefined)],
  ['aten.clamp_max.default', clampSpec(undefined, 1)],
  ['aten.hardtanh.default', clampSpec(1, 2)],
  ['aten.hardtanh_.default', inplace(clampSpec(1, 2))],
  [
    'aten.where.self',
    {
      tensorArgs: [0, 1, 2],
      build: (o) => {
        const c = o(0), a = o(1), b = o(2);
        return c && a && b && { t: 'where', c, a, b };
      },
    },
  ],
  ['aten.tan.default', call('tan_($0)', [0])],
  ['aten.erf.default', call('erf_($0)', [0])],
  ['aten.log1p.default', call('log1p_($0)', [0])],
  ['aten.expm1.default', call('expm1_($0)', [0])],
  ['aten.sign.default', call('sign($0)', [0])],
  ['aten.floor.default', call('floor($0)', [0])],
  ['aten.ceil.default', call('ceil($0)', [0])],
  ['aten.round.default', call('round($0)', [0])],
  ['aten.trunc.default', call('trunc($0)', [0])],
  ['aten.relu6.default', call(NAN_SAFE_RELU6, [0])],
  ['aten.relu6_.default', call(NAN_SAFE_RELU6, [0], [0], true)],
  ['aten.detach.default', un('identity')],
  ['aten.atan2.default', call('atan2($0, $1)', [0, 1], [0, 1])],
  ['aten.remainder.Tensor', call('($0 - floor($0 / $1) * $1)', [0, 1], [0, 1])],
  ['aten.remainder.Scalar', call('($0 - floor($0 / $1) * $1)', [0, 1], [0, 1])],
  ['aten.floor_divide.default', call('floor($0 / $1)', [0, 1], [0, 1])],
  ['aten.floor_divide.Scalar', call('floor($0 / $1)', [0, 1], [0, 1])],
  ['aten.div.Tensor_mode', divMode],
  ['aten.div.Scalar_mode', divMode],
  ['aten.rsub.Scalar', rsub],
  ['aten.rsub.Tensor', rsub],
  ['aten.add_.Scalar', inplace(bin('add', true))],
  ['aten.sub_.Scalar', inplace(bin('sub', true))],
  ['aten.mul_.Scalar', inplace(bin('mul'))],
  ['aten.div_.Scalar', inplace(bin('div'))],
  ['aten.pow.Scalar', { tensorArgs: [1], build: (o) => { const a = o(0), b = o(1); return a && b && { t: 'bin', op: 'pow', a, b }; } }],
  ['aten.clamp.Tensor', { ...clampSpec(1, 2), tensorArgs: [0, 1, 2] }],
  ['aten.clamp_min.Tensor', { ...clampSpec(1, undefined), tensorArgs: [0, 1] }],
  ['aten.clamp_max.Tensor', { ...clampSpec(undefined, 1), tensorArgs: [0, 1] }],
  ['aten.clamp_min_.default', inplace(clampSpec(1, undefined))],
  ['aten.elu.default', elu(false)],
  ['aten.elu_.default', elu(true)],
  ['aten.leaky_relu.default', leaky(false)],
  ['aten.leaky_relu_.default', leaky(true)],
  ['aten.softplus.default', softplus],
  ['aten.nan_to_num.default', nanToNum],
  ['aten.lerp.Scalar', lerp],
  ['aten.lerp.Tensor', lerp],
  ['aten.where.ScalarSelf', whereSpec(0, 1, 2, [0, 2])],
  ['aten.where.ScalarOther', whereSpec(0, 1, 2, [0, 1])],
  ['aten.where.Scalar', whereSpec(0, 1, 2, [0])],
  ['aten.masked_fill.Scalar', whereSpec(1, 2, 0, [0, 1])],
  ['aten.masked_fill.Tensor', whereSpec(1, 2, 0, [0, 1, 2])],
  ['aten.masked_fill_.Scalar', whereSpec(1, 2, 0, [0, 1], true)],
  ['aten.masked_fill_.Tensor', whereSpec(1, 2, 0, [0, 1, 2], true)],
  ['aten.fill.Scalar', fill(false, false)],
  ['aten.fill.Tensor', fill(false, true)],
  ['aten.fill_.Scalar', fill(true, false)],
  ['aten.fill_.Tensor', fill(true, true)],
  ['aten.zero.default', zero(false)],
  ['aten.zero_.default', zero(true)],
  ['aten.batch_norm.default', bn(7, 5)],
  ['aten._native_batch_norm_legit_no_training.default', bn(6)],
];

export const POINTWISE: ReadonlyMap<string, PointwiseSpec> = new Map(SPECS.map(([k, s]) => [k, withScalarKinds(s)]));

/** Output dtype of a node (first output), from its meta. */
export function nodeDType(n: Node): string | undefined {
  const v = Array.isArray(n.meta.val) ? n.meta.val[0] : n.meta.val;
  return isTensorMeta(v) ? v.dtype : undefined;
}

/** A pointwise node the GPU computes: float32 output, or bool/int32/int64 from an op in INT_OUTPUT. */
export function pointwiseEligible(n: Node): boolean {
  if (n.op !== 'call_function' || !POINTWISE.has(n.target)) return false;
  const k = dtypeKind(nodeDType(n));
  return k === 'f32' || (k !== undefined && INT_OUTPUT.has(n.target));
}

/** The producer node of a pointwise node's tensor argument `i`, if that argument is a node. */
export function producerAt(n: Node, boundArgNodes: readonly unknown[], i: number): Node | undefined {
  const a = boundArgNodes[i];
  return a && typeof a === 'object' && 'op' in (a as object) && 'users' in (a as object) ? (a as Node) : undefined;
}

/**
 * Fusion groups: member → root. Roots are the nodes whose step runs the fused
 * program; members other than roots produce no value of their own.
 * `bound(n)` gives a node's bound arguments with producer nodes in place;
 * `exclude`d nodes are computed elsewhere (conv-bn-fold.ts) and join no group.
 */
export function pointwiseGroups(nodes: readonly Node[], bound: (n: Node) => readonly unknown[] | undefined, maxLeaves = 6, exclude?: ReadonlySet<Node>): Map<Node, Node> {
  const rootOf = new Map<Node, Node>();
  const eligible = (n: Node): boolean => pointwiseEligible(n) && n.target !== 'aten._native_batch_norm_legit_no_training.default' && !exclude?.has(n);
  for (let k = nodes.length - 1; k >= 0; k--) {
    const root = nodes[k]!;
    if (rootOf.has(root) || !eligible(root)) continue;
    rootOf.set(root, root);
    const members = new Set<Node>([root]);
    const queue = [root];
    // Tensor-argument slots of the group: each ends as a leaf (a binding) or as
    // a joined producer that replaces its slot by its own arguments. Joining only
    // while the slots stay within maxLeaves bounds the program's bindings
    // (WebGPU allows a device 8-10 storage buffers per stage).
    let slots = tensorArgCount(root, bound);
    while (queue.length) {
      const m = queue.pop()!;
      const spec = POINTWISE.get(m.target)!;
      const args = bound(m);
      if (!args) continue;
      for (const i of spec.tensorArgs) {
        const p = producerAt(m, args, i);
        if (!p) continue;
        const pSpec = POINTWISE.get(p.target);
        const joins =
          eligible(p) &&
          !rootOf.has(p) &&
          p.users.size === 1 &&
          !(pSpec?.inplace && !isInternalSelf(p, members, bound)) &&
          // An in-place member's self must be produced inside the group too.
          true;
        const grown = joins ? slots - 1 + tensorArgCount(p, bound) : Infinity;
        if (grown <= maxLeaves) {
          members.add(p);
          rootOf.set(p, root);
          queue.push(p);
          slots = grown;
        }
      }
    }
  }
  return rootOf;
}

/** How many of a pointwise node's tensor-argument positions hold nodes (its potential leaves). */
function tensorArgCount(n: Node, bound: (n: Node) => readonly unknown[] | undefined): number {
  const args = bound(n);
  const spec = POINTWISE.get(n.target);
  if (!args || !spec) return 0;
  let c = 0;
  for (const i of spec.tensorArgs) if (producerAt(n, args, i)) c++;
  return c;
}

/** An in-place op may only be fused into its user when the value it mutates is itself internal (never observed). */
function isInternalSelf(p: Node, _members: Set<Node>, bound: (n: Node) => readonly unknown[] | undefined): boolean {
  const args = bound(p);
  const self = args ? producerAt(p, args, 0) : undefined;
  return !!self && self.users.size === 1 && POINTWISE.has(self.target);
}
