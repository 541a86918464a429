// Factory ops: tensors made from sizes and scalars (zeros, full, arange, *_like,
// new_*, scalar_tensor, linspace) and random ones (rand, randn, randint).
//
// Factory schemas end in kwarg-only `ScalarType? dtype, Layout? layout,
// Device? device, bool? pin_memory`; dtype arrives as a DType string or null
// (or a ScalarType code such as randint's default 4 = int64). Decompositions
// follow torch 2.13's run_decompositions(): zeros/ones/new_* → full,
// zeros_like/ones_like → full_like(memory_format=torch.preserve_format),
// empty_like → empty_permuted, arange(.start) → arange.start_step, linspace →
// arange + elementwise ops.
//
// Note [Random numbers]
// CPU random kernels draw from a small seeded generator (mulberry32 for uniform
// bits, Box–Muller for normals). The numbers are deterministic for a seed but do
// not match torch's mt19937/Philox streams; tests check shapes, dtypes and
// ranges only.

import { type DType, DEFAULT_FLOAT, isDType, isFloating, roundToDType } from '../core/dtype';
import { OpArgumentError } from '../core/errors';
import { NDArray } from '../core/ndarray';
import { PyFloat, type PyScalar, scalarIsFloat, scalarToNumber } from '../core/scalar';
import { type IntLike, guardBool, intLikeToString, isSymInt, symAdd, symFloorDiv, symGe, symLe, symMul, symSub } from '../symbolic';
import { meta } from './meta-utils';
import { CPU_DEVICE, PRESERVE_FORMAT, STRIDED_LAYOUT, isContiguousMeta, likeStrides, physicalLayout } from './movement';
import { defineOp } from './registry';
import { type DecompContext, type OpDef, OpGroup, type TensorMeta } from './types';

// ---------------------------------------------------------------- helpers

/** c10::ScalarType codes, for schema defaults such as randint's `dtype=4`. */
const SCALAR_TYPE_CODES: Record<number, DType> = {
  0: 'uint8',
  1: 'int8',
  2: 'int16',
  3: 'int32',
  4: 'int64',
  5: 'float16',
  6: 'float32',
  7: 'float64',
  11: 'bool',
  15: 'bfloat16',
};

/** A dtype argument: DType string, ScalarType code, `torch.float32`-style text, or null. */
export function dtypeArg(v: unknown): DType | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') {
    const d = SCALAR_TYPE_CODES[v];
    if (!d) throw new OpArgumentError('', `unknown ScalarType code ${v}`);
    return d;
  }
  if (typeof v === 'string') {
    const s = v.startsWith('torch.') ? v.slice(6) : v;
    if (isDType(s)) return s;
  }
  if (typeof v === 'object' && v !== null && 'enum' in v) return dtypeArg((v as { enum: string }).enum);
  throw new OpArgumentError('', `unsupported dtype ${String(v)}`);
}

const isContiguousFormat = (v: unknown): boolean =>
  v === 1 || (typeof v === 'object' && v !== null && 'enum' in v && /contiguous_format$/.test((v as { enum: string }).enum));

function checkSizes(size: readonly IntLike[], op: string): void {
  // aten.zeros checks its sizes itself, with its own message.
  if (op === 'aten.zeros.default' && size.some((s) => typeof s === 'number' && s < 0))
    throw new OpArgumentError(op, 'zeros: Dimension size must be non-negative.');
  for (const s of size)
    if (typeof s === 'number' && s < 0)
      throw new OpArgumentError(op, `Trying to create tensor with negative dimension ${s}: [${size.map(intLikeToString).join(', ')}]`);
}

/** Python scalar → the dtype torch.full infers for it. */
function scalarDType(v: unknown): DType {
  if (typeof v === 'boolean') return 'bool';
  if (isSymInt(v)) return 'int64';
  return scalarIsFloat(v as PyScalar) ? DEFAULT_FLOAT : 'int64';
}

const scalarNum = (v: unknown): number => (typeof v === 'boolean' ? Number(v) : scalarToNumber(v as PyScalar));

function filled(dtype: DType, shape: readonly number[], v: number): NDArray {
  const out = NDArray.zeros(dtype, shape);
  if (v !== 0) out.storage.data.fill(roundToDType(dtype, v));
  return out;
}

function likeMeta(x: TensorMeta, dtype: DType | null, memoryFormat: unknown): TensorMeta {
  const d = dtype ?? x.dtype;
  if (isContiguousFormat(memoryFormat)) return meta(d, x.shape);
  return { dtype: d, shape: [...x.shape], strides: likeStrides(x) };
}

/** A like-array filled with v, with the preserve_format strides of x. */
function likeArray(x: NDArray, dtype: DType | null, memoryFormat: unknown, v: number | ((i: number) => number)): NDArray {
  const m = likeMeta({ dtype: x.dtype, shape: x.shape, strides: x.strides }, dtype, memoryFormat);
  const out = new NDArray(NDArray.zeros(m.dtype, x.shape).storage, [...x.shape], m.strides as number[], 0);
  const data = out.storage.data;
  if (typeof v === 'number') {
    if (v !== 0) data.fill(roundToDType(m.dtype, v));
  } else for (let i = 0; i < data.length; i++) data[i] = roundToDType(m.dtype, v(i));
  return out;
}

const factoryKw = (dtype: unknown, layout: unknown, device: unknown, pin: unknown): Record<string, unknown> => ({
  dtype,
  layout: layout ?? STRIDED_LAYOUT,
  device: device ?? CPU_DEVICE,
  pin_memory: pin ?? false,
});

// ---------------------------------------------------------------- PRNG (see Note [Random numbers])

let prngState = 0x2545f491;

const seedListeners: Array<(seed: number) => void> = [];

/** Seed the CPU generator and every registered one (torch.manual_seed's role: it seeds all devices). */
export function manualSeed(seed: number): void {
  prngState = seed >>> 0;
  for (const f of seedListeners) f(seed);
}

/** Called with the seed whenever manualSeed runs (other devices' generators, e.g. the WebGPU runtime's). */
export function onManualSeed(listener: (seed: number) => void): void {
  seedListeners.push(listener);
}

function nextUniform(): number {
  prngState = (prngState + 0x6d2b79f5) >>> 0;
  let z = prngState;
  z = Math.imul(z ^ (z >>> 15), z | 1);
  z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
  return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
}

function nextNormal(): number {
  let u = nextUniform();
  while (u <= 0) u = nextUniform();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * nextUniform());
}

// ---------------------------------------------------------------- constant fills

const FACTORY_KW = 'ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None';

function constantFactory(name: 'zeros' | 'ones', value: number): OpDef {
  return defineOp({
    schema: `${name}(SymInt[] size, *, ${FACTORY_KW}) -> Tensor`,
    groups: [OpGroup.Factory],
    meta: ([size, dtype], ctx) => {
      checkSizes(size as IntLike[], ctx.op);
      return meta(dtypeArg(dtype) ?? DEFAULT_FLOAT, size as IntLike[]);
    },
    cpu: ([size, dtype], ctx) => {
      checkSizes(size as number[], ctx.op);
      return filled(dtypeArg(dtype) ?? DEFAULT_FLOAT, size as number[], value);
    },
    decomp: ([size, dtype, layout, device, pin], ctx) =>
      ctx.call('aten.full.default', [size, value], factoryKw(dtypeArg(dtype) ?? DEFAULT_FLOAT, layout, device, pin)),
  });
}

export const zeros = constantFactory('zeros', 0);
export const ones = constantFactory('ones', 1);

export const full = defineOp({
  schema: `full(SymInt[] size, Scalar fill_value, *, ${FACTORY_KW}) -> Tensor`,
  groups: [OpGroup.Factory, OpGroup.Core],
  meta: ([size, v, dtype], ctx) => {
    checkSizes(size as IntLike[], ctx.op);
    return meta(dtypeArg(dtype) ?? scalarDType(v), size as IntLike[]);
  },
  cpu: ([size, v, dtype], ctx) => {
    checkSizes(size as number[], ctx.op);
    return filled(dtypeArg(dtype) ?? scalarDType(v), size as number[], scalarNum(v));
  },
});

export const empty = defineOp({
  schema: `empty.memory_format(SymInt[] size, *, ${FACTORY_KW}, MemoryFormat? memory_format=None) -> Tensor`,
  groups: [OpGroup.Factory, OpGroup.Core],
  meta: ([size, dtype], ctx) => {
    checkSizes(size as IntLike[], ctx.op);
    return meta(dtypeArg(dtype) ?? DEFAULT_FLOAT, size as IntLike[]);
  },
  // Uninitialised memory in torch; zeros here, deterministically.
  cpu: ([size, dtype], ctx) => {
    checkSizes(size as number[], ctx.op);
    return NDArray.zeros(dtypeArg(dtype) ?? DEFAULT_FLOAT, size as number[]);
  },
});

function permutedStrides(size: readonly IntLike[], layout: readonly number[], op: string): IntLike[] {
  if (layout.length !== size.length || new Set(layout).size !== layout.length || layout.some((d) => d < 0 || d >= size.length))
    throw new OpArgumentError(op, `Number of dimensions in size does not match the length of the physical_layout; i.e. len(size) = ${size.length} is not equal to len(physical_layout) = ${layout.length}`);
  const strides = new Array<IntLike>(size.length);
  let acc: IntLike = 1;
  for (let i = layout.length - 1; i >= 0; i--) {
    const d = layout[i]!;
    strides[d] = acc;
    const s = size[d]!;
    acc = typeof acc === 'number' && typeof s === 'number' ? acc * Math.max(s, 1) : symMul(acc, typeof s === 'number' ? Math.max(s, 1) : s);
  }
  return strides;
}

export const empty_permuted = defineOp({
  schema: `empty_permuted(SymInt[] size, int[] physical_layout, *, ${FACTORY_KW}) -> Tensor`,
  groups: [OpGroup.Factory],
  meta: ([size, layout, dtype], ctx) => {
    checkSizes(size as IntLike[], ctx.op);
    return { dtype: dtypeArg(dtype) ?? DEFAULT_FLOAT, shape: [...(size as IntLike[])], strides: permutedStrides(size as IntLike[], layout as number[], ctx.op) };
  },
  cpu: ([size, layout, dtype], ctx) => {
    checkSizes(size as number[], ctx.op);
    const shape = size as number[];
    const d = dtypeArg(dtype) ?? DEFAULT_FLOAT;
    return new NDArray(NDArray.zeros(d, shape).storage, [...shape], permutedStrides(shape, layout as number[], ctx.op) as number[], 0);
  },
});

export const scalar_tensor = defineOp({
  schema: `scalar_tensor(Scalar s, *, ${FACTORY_KW}) -> Tensor`,
  groups: [OpGroup.Factory, OpGroup.Core],
  meta: ([, dtype]) => meta(dtypeArg(dtype) ?? DEFAULT_FLOAT, []),
  cpu: ([s, dtype]) => filled(dtypeArg(dtype) ?? DEFAULT_FLOAT, [], scalarNum(s)),
});

// ---------------------------------------------------------------- arange

type ArangeArg = number | boolean | PyFloat | IntLike;

function arangeDType(args: readonly ArangeArg[], dtype: unknown): DType {
  const d = dtypeArg(dtype);
  if (d) return d;
  return args.some((a) => !isSymInt(a) && typeof a !== 'boolean' && scalarIsFloat(a as PyScalar)) ? DEFAULT_FLOAT : 'int64';
}

function arangeLength(start: ArangeArg, end: ArangeArg, step: ArangeArg, op: string): IntLike {
  if (isSymInt(start) || isSymInt(end) || isSymInt(step)) {
    const st = step as IntLike;
    if (typeof st !== 'number' || !Number.isInteger(st)) throw new OpArgumentError(op, 'arange with a symbolic step is not supported');
    if (st === 0) throw new OpArgumentError(op, 'step must be nonzero');
    const s = (start instanceof PyFloat ? start.value : start) as IntLike;
    const e = (end instanceof PyFloat ? end.value : end) as IntLike;
    const ok = st > 0 ? guardBool(symGe(e, s)) : guardBool(symLe(e, s));
    if (!ok) throw new OpArgumentError(op, 'upper bound and lower bound inconsistent with step sign');
    const diff = symSub(e, s);
    return st > 0 ? symFloorDiv(symAdd(diff, st - 1), st) : symFloorDiv(symAdd(symSub(0, diff), -st - 1), -st);
  }
  const s = scalarNum(start);
  const e = scalarNum(end);
  const st = scalarNum(step);
  if (st === 0) throw new OpArgumentError(op, 'step must be nonzero');
  if (!Number.isFinite(s) || !Number.isFinite(e)) throw new OpArgumentError(op, `unsupported range: ${s} -> ${e}`);
  if ((st > 0 && e < s) || (st < 0 && e > s)) throw new OpArgumentError(op, 'upper bound and lower bound inconsistent with step sign');
  return Math.ceil((e - s) / st);
}

function arangeCpu(start: ArangeArg, end: ArangeArg, step: ArangeArg, dtype: unknown, op: string): NDArray {
  const d = arangeDType([start, end, step], dtype);
  const n = arangeLength(start, end, step, op) as number;
  const out = NDArray.zeros(d, [n]);
  const s = scalarNum(start);
  const st = scalarNum(step);
  const data = out.storage.data;
  for (let i = 0; i < n; i++) data[i] = roundToDType(d, s + st * i);
  return out;
}

export const arangeStartStep = defineOp({
  schema: `arange.start_step(Scalar start, Scalar end, Scalar step=1, *, ${FACTORY_KW}) -> Tensor`,
  groups: [OpGroup.Factory, OpGroup.Core],
  meta: ([s, e, st, dtype], ctx) => meta(arangeDType([s, e, st] as ArangeArg[], dtype), [arangeLength(s as ArangeArg, e as ArangeArg, st as ArangeArg, ctx.op)]),
  cpu: ([s, e, st, dtype], ctx) => arangeCpu(s as ArangeArg, e as ArangeArg, st as ArangeArg, dtype, ctx.op),
});

const arangeKw = (dtype: unknown, layout: unknown, device: unknown, pin: unknown): Record<string, unknown> => ({
  dtype: dtypeArg(dtype),
  layout: layout ?? STRIDED_LAYOUT,
  device: device ?? CPU_DEVICE,
  pin_memory: pin ?? false,
});

export const arange = defineOp({
  schema: `arange(Scalar end, *, ${FACTORY_KW}) -> Tensor`,
  groups: [OpGroup.Factory],
  meta: ([e, dtype], ctx) => meta(arangeDType([e] as ArangeArg[], dtype), [arangeLength(0, e as ArangeArg, 1, ctx.op)]),
  cpu: ([e, dtype], ctx) => arangeCpu(0, e as ArangeArg, 1, dtype, ctx.op),
  decomp: ([e, dtype, layout, device, pin], ctx) => ctx.call('aten.arange.start_step', [0, e], arangeKw(dtype, layout, device, pin)),
});

export const arangeStart = defineOp({
  schema: `arange.start(Scalar start, Scalar end, *, ${FACTORY_KW}) -> Tensor`,
  groups: [OpGroup.Factory],
  meta: ([s, e, dtype], ctx) => meta(arangeDType([s, e] as ArangeArg[], dtype), [arangeLength(s as ArangeArg, e as ArangeArg, 1, ctx.op)]),
  cpu: ([s, e, dtype], ctx) => arangeCpu(s as ArangeArg, e as ArangeArg, 1, dtype, ctx.op),
  decomp: ([s, e, dtype, layout, device, pin], ctx) => ctx.call('aten.arange.start_step', [s, e], arangeKw(dtype, layout, device, pin)),
});

// ---------------------------------------------------------------- *_like and new_*

const LIKE_KW = `${FACTORY_KW}, MemoryFormat? memory_format=None`;

function likeConst(name: 'zeros_like' | 'ones_like', value: number): OpDef {
  return defineOp({
    schema: `${name}(Tensor self, *, ${LIKE_KW}) -> Tensor`,
    groups: [OpGroup.Factory],
    meta: ([x, dtype, , , , mf]) => likeMeta(x as TensorMeta, dtypeArg(dtype), mf),
    cpu: ([x, dtype, , , , mf]) => likeArray(x as NDArray, dtypeArg(dtype), mf, value),
    decomp: ([x, dtype, layout, device, pin, mf], ctx) =>
      ctx.call('aten.full_like.default', [x, value], { dtype, layout, device, pin_memory: pin, memory_format: mf ?? PRESERVE_FORMAT }),
  });
}

export const zeros_like = likeConst('zeros_like', 0);
export const ones_like = likeConst('ones_like', 1);

export const full_like = defineOp({
  schema: `full_like(Tensor self, Scalar fill_value, *, ${LIKE_KW}) -> Tensor`,
  groups: [OpGroup.Factory, OpGroup.Core],
  meta: ([x, , dtype, , , , mf]) => likeMeta(x as TensorMeta, dtypeArg(dtype), mf),
  cpu: ([x, v, dtype, , , , mf]) => likeArray(x as NDArray, dtypeArg(dtype), mf, scalarNum(v)),
});

export const empty_like = defineOp({
  schema: `empty_like(Tensor self, *, ${LIKE_KW}) -> Tensor`,
  groups: [OpGroup.Factory],
  meta: ([x, dtype, , , , mf]) => likeMeta(x as TensorMeta, dtypeArg(dtype), mf),
  cpu: ([x, dtype, , , , mf]) => likeArray(x as NDArray, dtypeArg(dtype), mf, 0),
  decomp: ([x, dtype, layout, device, pin, mf], ctx) => {
    const m = ctx.meta(x);
    const perm = isContiguousFormat(mf) || isContiguousMeta(m) ? m.shape.map((_, i) => i) : physicalLayout(m);
    return ctx.call('aten.empty_permuted.default', [[...m.shape], perm], factoryKw(dtypeArg(dtype) ?? m.dtype, layout, device, pin));
  },
});

export const rand_like = defineOp({
  schema: `rand_like(Tensor self, *, ${LIKE_KW}) -> Tensor`,
  groups: [OpGroup.Factory, OpGroup.Random],
  meta: ([x, dtype, , , , mf]) => likeMeta(x as TensorMeta, dtypeArg(dtype), mf),
  cpu: ([x, dtype, , , , mf]) => likeArray(x as NDArray, dtypeArg(dtype), mf, () => nextUniform()),
});

export const randn_like = defineOp({
  schema: `randn_like(Tensor self, *, ${LIKE_KW}) -> Tensor`,
  groups: [OpGroup.Factory, OpGroup.Random],
  meta: ([x, dtype, , , , mf]) => likeMeta(x as TensorMeta, dtypeArg(dtype), mf),
  cpu: ([x, dtype, , , , mf]) => likeArray(x as NDArray, dtypeArg(dtype), mf, () => nextNormal()),
});

function newConst(name: 'new_zeros' | 'new_ones', value: number): OpDef {
  return defineOp({
    schema: `${name}(Tensor self, SymInt[] size, *, ${FACTORY_KW}) -> Tensor`,
    groups: [OpGroup.Factory],
    meta: ([x, size, dtype], ctx) => {
      checkSizes(size as IntLike[], ctx.op);
      return meta(dtypeArg(dtype) ?? (x as TensorMeta).dtype, size as IntLike[]);
    },
    cpu: ([x, size, dtype], ctx) => {
      checkSizes(size as number[], ctx.op);
      return filled(dtypeArg(dtype) ?? (x as NDArray).dtype, size as number[], value);
    },
    decomp: ([x, size, dtype, layout, device, pin], ctx) =>
      ctx.call('aten.full.default', [size, value], factoryKw(dtypeArg(dtype) ?? ctx.meta(x).dtype, layout, device, pin)),
  });
}

export const new_zeros = newConst('new_zeros', 0);
export const new_ones = newConst('new_ones', 1);

export const new_full = defineOp({
  schema: `new_full(Tensor self, SymInt[] size, Scalar fill_value, *, ${FACTORY_KW}) -> Tensor`,
  groups: [OpGroup.Factory],
  meta: ([x, size, , dtype], ctx) => {
    checkSizes(size as IntLike[], ctx.op);
    return meta(dtypeArg(dtype) ?? (x as TensorMeta).dtype, size as IntLike[]);
  },
  cpu: ([x, size, v, dtype], ctx) => {
    checkSizes(size as number[], ctx.op);
    return filled(dtypeArg(dtype) ?? (x as NDArray).dtype, size as number[], scalarNum(v));
  },
  decomp: ([x, size, v, dtype, layout, device, pin], ctx) =>
    ctx.call('aten.full.default', [size, v], factoryKw(dtypeArg(dtype) ?? ctx.meta(x).dtype, layout, device, pin)),
});

export const new_empty = defineOp({
  schema: `new_empty(Tensor self, SymInt[] size, *, ${FACTORY_KW}) -> Tensor`,
  groups: [OpGroup.Factory],
  meta: ([x, size, dtype], ctx) => {
    checkSizes(size as IntLike[], ctx.op);
    return meta(dtypeArg(dtype) ?? (x as TensorMeta).dtype, size as IntLike[]);
  },
  cpu: ([x, size, dtype], ctx) => {
    checkSizes(size as number[], ctx.op);
    return NDArray.zeros(dtypeArg(dtype) ?? (x as NDArray).dtype, size as number[]);
  },
  decomp: ([x, size, dtype, layout, device, pin], ctx) =>
    ctx.call('aten.empty.memory_format', [size], factoryKw(dtypeArg(dtype) ?? ctx.meta(x).dtype, layout, device, pin)),
});

// ---------------------------------------------------------------- linspace

function linspaceCheck(steps: number, op: string): void {
  if (steps < 0) throw new OpArgumentError(op, 'number of steps must be non-negative');
}

export const linspace = defineOp({
  schema: `linspace(Scalar start, Scalar end, int steps, *, ${FACTORY_KW}) -> Tensor`,
  groups: [OpGroup.Factory],
  meta: ([, , steps, dtype], ctx) => {
    linspaceCheck(steps as number, ctx.op);
    return meta(dtypeArg(dtype) ?? DEFAULT_FLOAT, [steps as number]);
  },
  cpu: ([start, end, steps, dtype], ctx) => {
    const n = steps as number;
    linspaceCheck(n, ctx.op);
    const d = dtypeArg(dtype) ?? DEFAULT_FLOAT;
    const s = scalarNum(start);
    const e = scalarNum(end);
    const out = NDArray.zeros(d, [n]);
    const data = out.storage.data;
    if (n === 1) data[0] = roundToDType(d, s);
    else if (n > 1) {
      // The decomposition's arithmetic: float32 (or the float dtype) halves from each end.
      const cd: DType = isFloating(d) ? d : DEFAULT_FLOAT;
      const step = (e - s) / (n - 1);
      const r = (v: number) => roundToDType(cd, v);
      for (let i = 0; i < n; i++) {
        const v = i < n / 2 ? r(r(r(i) * r(step)) + s) : r(e - r(r(n - 1 - i) * r(step)));
        data[i] = roundToDType(d, v);
      }
    }
    return out;
  },
  decomp: ([start, end, steps, dtype, layout, device, pin], ctx) => linspaceDecomp(ctx, start, end, steps as number, dtypeArg(dtype), layout, device, pin),
});

function linspaceDecomp(ctx: DecompContext, start: unknown, end: unknown, steps: number, dtype: DType | null, layout: unknown, device: unknown, pin: unknown): unknown {
  linspaceCheck(steps, 'aten.linspace.default');
  const d = dtype ?? DEFAULT_FLOAT;
  if (steps <= 1) return ctx.call('aten.full.default', [[steps], start], factoryKw(d, layout, device, pin));
  const s = scalarNum(start);
  const e = scalarNum(end);
  const stepV = (e - s) / (steps - 1);
  const step = Number.isInteger(stepV) ? new PyFloat(stepV) : stepV;
  const half = steps / 2;
  const idx = ctx.call('aten.arange.start_step', [0, steps], { layout: layout ?? STRIDED_LAYOUT, device: device ?? CPU_DEVICE, pin_memory: pin ?? false });
  const lt = ctx.call('aten.lt.Scalar', [idx, Number.isInteger(half) ? new PyFloat(half) : half]);
  const float = isFloating(d);
  const asFloat = (t: unknown) => (float ? ctx.call('aten._to_copy.default', [t], { dtype: d }) : t);
  const lo = ctx.call('aten.add.Tensor', [ctx.call('aten.mul.Tensor', [asFloat(idx), step]), start]);
  const rev = ctx.call('aten.sub.Tensor', [steps - 1, idx]);
  const hi = ctx.call('aten.sub.Tensor', [end, ctx.call('aten.mul.Tensor', [asFloat(rev), step])]);
  const out = ctx.call('aten.where.self', [lt, lo, hi]);
  return float ? out : ctx.call('aten._to_copy.default', [out], { dtype: d });
}

// ---------------------------------------------------------------- random

/** rand / randn: fill a fresh tensor from one sampler. */
function randomFactory(schema: string, sample: () => number): OpDef {
  return defineOp({
    schema,
    groups: [OpGroup.Factory, OpGroup.Random, OpGroup.Core],
    meta: ([size, dtype], ctx) => {
      checkSizes(size as IntLike[], ctx.op);
      return meta(dtypeArg(dtype) ?? DEFAULT_FLOAT, size as IntLike[]);
    },
    cpu: ([size, dtype], ctx) => {
      checkSizes(size as number[], ctx.op);
      const d = dtypeArg(dtype) ?? DEFAULT_FLOAT;
      const out = NDArray.zeros(d, size as number[]);
      const data = out.storage.data;
      for (let i = 0; i < data.length; i++) data[i] = roundToDType(d, sample());
      return out;
    },
  });
}

export const rand = randomFactory(`rand(SymInt[] size, *, ${FACTORY_KW}) -> Tensor`, nextUniform);
export const randn = randomFactory(`randn(SymInt[] size, *, ${FACTORY_KW}) -> Tensor`, nextNormal);

function randintCpu(low: number, high: number, size: number[], dtype: unknown, op: string): NDArray {
  if (low >= high) throw new OpArgumentError(op, `random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
  checkSizes(size, op);
  const d = dtypeArg(dtype) ?? 'int64';
  const out = NDArray.zeros(d, size);
  const data = out.storage.data;
  for (let i = 0; i < data.length; i++) data[i] = roundToDType(d, low + Math.floor(nextUniform() * (high - low)));
  return out;
}

function randintMeta(low: IntLike, high: IntLike, size: IntLike[], dtype: unknown, op: string): TensorMeta {
  if (typeof low === 'number' && typeof high === 'number' && low >= high)
    throw new OpArgumentError(op, `random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
  checkSizes(size, op);
  return meta(dtypeArg(dtype) ?? 'int64', size);
}

export const randint = defineOp({
  schema: 'randint(SymInt high, SymInt[] size, *, ScalarType? dtype=4, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor',
  groups: [OpGroup.Factory, OpGroup.Random],
  meta: ([high, size, dtype], ctx) => randintMeta(0, high as IntLike, size as IntLike[], dtype, ctx.op),
  cpu: ([high, size, dtype], ctx) => randintCpu(0, high as number, size as number[], dtype, ctx.op),
});

export const randintLow = defineOp({
  schema: 'randint.low(SymInt low, SymInt high, SymInt[] size, *, ScalarType? dtype=4, Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor',
  groups: [OpGroup.Factory, OpGroup.Random],
  meta: ([low, high, size, dtype], ctx) => randintMeta(low as IntLike, high as IntLike, size as IntLike[], dtype, ctx.op),
  cpu: ([low, high, size, dtype], ctx) => randintCpu(low as number, high as number, size as number[], dtype, ctx.op),
});

export const factoryOps: OpDef[] = [
  zeros,
  ones,
  full,
  empty,
  empty_permuted,
  scalar_tensor,
  arange,
  arangeStart,
  arangeStartStep,
  zeros_like,
  ones_like,
  full_like,
  empty_like,
  rand_like,
  randn_like,
  new_zeros,
  new_ones,
  new_full,
  new_empty,
  linspace,
  rand,
  randn,
  randint,
  randintLow,
];
