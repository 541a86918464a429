// Golden tests for the elementwise, activation and comparison families: every case
// in engine/test/data/ops/elementwise.json (made by scripts/goldens/elementwise.py
// with real PyTorch) runs through the op's CPU kernel and its meta function.
// Also: symbolic-shape metas, decompositions, dtype promotion and error texts.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type DType, isFloating } from '../core/dtype';
import { OpArgumentError, UnsupportedOperatorError } from '../core/errors';
import { NDArray } from '../core/ndarray';
import { PyFloat, pyFloat } from '../core/scalar';
import { ShapeEnv, SymInt } from '../symbolic';
import { activationOps } from './activation';
import { compareOps } from './compare';
import { elementwiseOps } from './elementwise';
import { meta } from './meta-utils';
import { bindArgs } from './schema';
import { type DecompContext, type OpDef, OpGroup, type TensorMeta } from './types';

const ALL: OpDef[] = [...elementwiseOps, ...activationOps, ...compareOps];
const BY_NAME = new Map(ALL.map((o) => [o.name, o]));

function opByName(name: string): OpDef {
  const op = BY_NAME.get(name);
  if (!op) throw new Error(`no op ${name}`);
  return op;
}

// ---- golden file decoding ----

type JsonValue = number | string | boolean;
interface JsonTensor {
  dtype: DType;
  shape: number[];
  data: JsonValue[];
  view?: 'transpose' | 'expand';
  expand?: number[];
}
type JsonArg = { tensor: JsonTensor } | { int: number } | { float: JsonValue } | { bool: boolean } | { dtype: DType } | { enum: string } | string | null;
interface JsonOut {
  dtype: DType;
  shape: number[];
  data: JsonValue[];
}
interface GoldenCase {
  op: string;
  args: JsonArg[];
  kwargs: Record<string, JsonArg>;
  out?: JsonOut | JsonOut[];
  error?: { type: string; message: string };
}

const here = dirname(fileURLToPath(import.meta.url));
const golden = JSON.parse(readFileSync(join(here, '../test/data/ops/elementwise.json'), 'utf8')) as { cases: GoldenCase[] };

function decodeNumber(v: JsonValue): number {
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  return Number(v);
}

function decodeTensor(t: JsonTensor): NDArray {
  const base = NDArray.fromValues(t.dtype, t.shape, t.data.map(decodeNumber));
  if (t.view === 'transpose') {
    const n = t.shape.length;
    const shape = [...t.shape];
    const strides = [...base.strides];
    [shape[n - 1], shape[n - 2]] = [shape[n - 2]!, shape[n - 1]!];
    [strides[n - 1], strides[n - 2]] = [strides[n - 2]!, strides[n - 1]!];
    return base.withView(shape, strides, 0);
  }
  if (t.view === 'expand') {
    const to = t.expand!;
    const strides = to.map((s, i) => {
      const j = i - (to.length - t.shape.length);
      return j < 0 || (t.shape[j] === 1 && s !== 1) ? 0 : base.strides[j]!;
    });
    return base.withView(to, strides, 0);
  }
  return base;
}

function decodeArg(a: JsonArg): unknown {
  if (a === null || typeof a === 'string') return a;
  if ('tensor' in a) return decodeTensor(a.tensor);
  if ('int' in a) return a.int;
  if ('float' in a) {
    const v = decodeNumber(a.float);
    return Number.isInteger(v) ? pyFloat(v) : v;
  }
  if ('bool' in a) return a.bool;
  if ('dtype' in a) return a.dtype;
  return { enum: a.enum };
}

const toMeta = (v: unknown): unknown =>
  v instanceof NDArray ? ({ dtype: v.dtype, shape: [...v.shape], strides: [...v.strides], storageOffset: v.offset } satisfies TensorMeta) : v;

function tolerance(d: DType): number {
  switch (d) {
    case 'float64':
      return 1e-10;
    case 'float32':
      return 1e-5;
    case 'float16':
      return 2e-3;
    case 'bfloat16':
      return 1.6e-2;
    default:
      return 0;
  }
}

function expectClose(actual: NDArray, expected: JsonOut, label: string): void {
  expect(actual.dtype, `${label} dtype`).toBe(expected.dtype);
  expect([...actual.shape], `${label} shape`).toEqual(expected.shape);
  const got = actual.toArray();
  const want = expected.data.map(decodeNumber);
  const tol = tolerance(expected.dtype);
  for (let k = 0; k < want.length; k++) {
    const e = want[k]!;
    const g = got[k]!;
    if (Number.isNaN(e)) {
      expect(Number.isNaN(g), `${label}[${k}]: expected NaN, got ${g}`).toBe(true);
    } else if (!Number.isFinite(e) || tol === 0) {
      expect(g, `${label}[${k}]`).toBe(e);
    } else {
      expect(Math.abs(g - e) <= tol + tol * Math.abs(e), `${label}[${k}]: got ${g}, expected ${e}`).toBe(true);
    }
  }
}

const bind = (op: OpDef, args: readonly unknown[], kwargs: Record<string, unknown> = {}): unknown[] => bindArgs(op.parsed, args, kwargs);

describe('elementwise goldens (PyTorch)', () => {
  it('covers only registered ops', () => {
    const missing = [...new Set(golden.cases.map((c) => c.op))].filter((n) => !BY_NAME.has(n));
    expect(missing).toEqual([]);
  });

  it.each(golden.cases.map((c, i) => [i, c.op, c] as const))('#%i %s', (_i, _name, c) => {
    const op = opByName(c.op);
    const decode = () => bind(op, c.args.map(decodeArg), Object.fromEntries(Object.entries(c.kwargs).map(([k, v]) => [k, decodeArg(v)])));
    if (c.error) {
      let err: unknown;
      try {
        op.cpu(decode(), { op: op.name });
      } catch (e) {
        err = e;
      }
      expect(err, `expected ${c.error.type}: ${c.error.message}`).toBeInstanceOf(c.error.type === 'NotImplementedError' ? UnsupportedOperatorError : OpArgumentError);
      expect((err as Error).message).toBe(c.error.message);
      return;
    }
    const out = op.cpu(decode(), { op: op.name });
    const outs = Array.isArray(c.out) ? c.out : [c.out!];
    const got = (Array.isArray(out) ? out : [out]) as NDArray[];
    outs.forEach((o, k) => expectClose(got[k]!, o, `${c.op} out${k}`));
    // CPU outputs are fresh contiguous arrays, except views and no-op conversions.
    if (!op.groupSet.has(OpGroup.View) && !op.groupSet.has(OpGroup.Inplace) && !['aten.to.dtype', 'aten.dropout.default'].includes(op.name))
      for (const g of got) expect(g.isContiguous()).toBe(true);

    const m = op.meta(decode().map(toMeta), { op: op.name, env: undefined, newUnbacked: () => 0 });
    const metas = (Array.isArray(m) ? m : [m]) as TensorMeta[];
    outs.forEach((o, k) => {
      expect(metas[k]!.dtype, 'meta dtype').toBe(o.dtype);
      expect([...metas[k]!.shape], 'meta shape').toEqual(o.shape);
    });
  });
});

// ---- symbolic shapes ----

function symEnv(): { env: ShapeEnv; s0: SymInt; s1: SymInt } {
  const env = new ShapeEnv();
  return { env, s0: new SymInt(env.createBackedSymbol(5), env), s1: new SymInt(env.createBackedSymbol(3), env) };
}

const ctxFor = (op: OpDef, env: ShapeEnv | undefined) => ({ op: op.name, env, newUnbacked: () => 0 });

describe('symbolic metas', () => {
  it('broadcasts a symbolic dim against 1 and against itself', () => {
    const { env, s0, s1 } = symEnv();
    const add = opByName('aten.add.Tensor');
    const out = add.meta(bind(add, [meta('float32', [s0, s1]), meta('int64', [1, s1])]), ctxFor(add, env)) as TensorMeta;
    expect(out.dtype).toBe('float32');
    expect(out.shape.map(String)).toEqual(['s0', 's1']);
    const where = opByName('aten.where.self');
    const w = where.meta(bind(where, [meta('bool', [s0, 1]), meta('float32', [s1]), 0]), ctxFor(where, env)) as TensorMeta;
    expect(w.shape.map(String)).toEqual(['s0', 's1']);
  });

  it('keeps symbolic shapes through unary, comparison and dtype ops', () => {
    const { env, s0 } = symEnv();
    const x = meta('int64', [s0, 4]);
    for (const [name, dtype] of [
      ['aten.sin.default', 'float32'],
      ['aten.gelu.default', 'int64'],
      ['aten.eq.Scalar', 'bool'],
      ['aten.bitwise_not.default', 'int64'],
      ['aten._to_copy.default', 'float16'],
      ['aten.clamp.default', 'float32'],
      ['aten.masked_fill.Scalar', 'int64'],
    ] as const) {
      const op = opByName(name);
      const args =
        name === 'aten.eq.Scalar' ? [x, 1] : name === 'aten._to_copy.default' ? [x] : name === 'aten.clamp.default' ? [x, 0.5] : name === 'aten.masked_fill.Scalar' ? [x, meta('bool', [s0, 1]), 2] : [x];
      const kwargs: Record<string, unknown> = name === 'aten._to_copy.default' ? { dtype: 'float16' } : {};
      const out = op.meta(bind(op, args, kwargs), ctxFor(op, env)) as TensorMeta;
      expect(out.dtype, name).toBe(dtype);
      expect(String(out.shape[0]), name).toBe('s0');
      expect(out.shape[1], name).toBe(4);
    }
  });

  it('clone preserves a transposed layout; contiguous_format does not', () => {
    const clone = opByName('aten.clone.default');
    const t: TensorMeta = { dtype: 'float32', shape: [3, 2], strides: [1, 3] };
    expect((clone.meta(bind(clone, [t]), ctxFor(clone, undefined)) as TensorMeta).strides).toEqual([1, 3]);
    expect((clone.meta(bind(clone, [t], { memory_format: { enum: 'torch.contiguous_format' } }), ctxFor(clone, undefined)) as TensorMeta).strides).toEqual([2, 1]);
  });
});

// ---- decompositions (mirroring ep.run_decompositions() of torch 2.13 / 2.11) ----

interface Call {
  op: string;
  args: readonly unknown[];
  kwargs: Readonly<Record<string, unknown>>;
}

/** Records decomposition calls; values are `%n` names, metas computed by the ops themselves. */
function recorder(inputs: Record<string, TensorMeta>): { ctx: DecompContext; calls: Call[] } {
  const metas = new Map<unknown, TensorMeta>(Object.entries(inputs).map(([k, v]) => [k, v]));
  const calls: Call[] = [];
  const ctx: DecompContext = {
    call(op, args, kwargs = {}) {
      calls.push({ op, args, kwargs });
      const name = `%${calls.length - 1}`;
      const def = BY_NAME.get(op);
      if (def) {
        const bound = bindArgs(def.parsed, args.map((a) => (metas.has(a) ? metas.get(a) : a)), kwargs as Record<string, unknown>);
        const m = def.meta(bound, { op, env: undefined, newUnbacked: () => 0 });
        if (Array.isArray(m)) return m.map((x, i) => (metas.set(`${name}.${i}`, x as TensorMeta), `${name}.${i}`));
        metas.set(name, m as TensorMeta);
      } else metas.set(name, { dtype: (kwargs.dtype as DType) ?? 'float32', shape: [], strides: [] });
      return name;
    },
    meta: (t) => metas.get(t)!,
  };
  return { ctx, calls };
}

const fmt = (calls: Call[]): string[] =>
  calls.map((c) => {
    const a = c.args.map((x) => (x instanceof PyFloat ? x.toString() : x === null ? 'None' : Array.isArray(x) ? `[${x.join(', ')}]` : String(x)));
    const kw = Object.entries(c.kwargs)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => `${k}=${typeof v === 'object' && v && 'enum' in v ? (v as { enum: string }).enum : String(v)}`);
    return `${c.op}(${[...a, ...kw].join(', ')})`;
  });

function decompose(name: string, args: unknown[], kwargs: Record<string, unknown>, inputs: Record<string, TensorMeta>): { out: unknown; calls: string[] } {
  const op = opByName(name);
  const { ctx, calls } = recorder(inputs);
  const out = op.decomp!(bind(op, args, kwargs), ctx);
  return { out, calls: fmt(calls) };
}

describe('decompositions', () => {
  const x = meta('float32', [2, 3]);
  const xi = meta('int64', [2, 3]);
  const m = meta('bool', [2, 3]);

  it('core ops have none; the rest do', () => {
    for (const op of ALL) {
      if (op.groupSet.has(OpGroup.Inplace)) continue;
      if (op.groupSet.has(OpGroup.Core)) expect(op.decomp, op.name).toBeUndefined();
      else expect(op.decomp, op.name).toBeDefined();
    }
  });

  it('rsub, floor_divide, clamp_min/max, __and__', () => {
    expect(decompose('aten.rsub.Scalar', ['x', 2], {}, { x }).calls).toEqual(['aten.sub.Tensor(2, x)']);
    expect(decompose('aten.rsub.Scalar', ['x', 2, 3], {}, { x }).calls).toEqual(['aten.sub.Tensor(2, x, alpha=3)']);
    expect(decompose('aten.to.dtype', ['x', 'float64', true, false, { enum: 'torch.contiguous_format' }], {}, { x }).calls).toEqual([
      'aten._to_copy.default(x, dtype=float64, non_blocking=true, memory_format=torch.contiguous_format)',
    ]);
    expect(decompose('aten.floor_divide.default', ['x', 'y'], {}, { x: xi, y: xi }).calls).toEqual(['aten.div.Tensor_mode(x, y, rounding_mode=floor)']);
    expect(decompose('aten.clamp_min.default', ['x', 0.5], {}, { x }).calls).toEqual(['aten.clamp.default(x, 0.5)']);
    expect(decompose('aten.clamp_max.default', ['x', 0.5], {}, { x }).calls).toEqual(['aten.clamp.default(x, None, 0.5)']);
    expect(decompose('aten.__and__.Tensor', ['a', 'b'], {}, { a: m, b: m }).calls).toEqual(['aten.bitwise_and.Tensor(a, b)']);
  });

  it('masked_fill and where with scalars go through scalar_tensor + where.self', () => {
    expect(decompose('aten.masked_fill.Scalar', ['x', 'm', 2], {}, { x, m }).calls).toEqual([
      "aten.scalar_tensor.default(2.0, dtype=float32, layout=torch.strided, device=device(type='cpu'))",
      'aten.where.self(m, %0, x)',
    ]);
    expect(decompose('aten.where.ScalarOther', ['m', 'x', 1.5], {}, { x: meta('int32', [2, 3]), m }).calls).toEqual([
      "aten.scalar_tensor.default(1.5, dtype=float32, layout=torch.strided, device=device(type='cpu'))",
      'aten._to_copy.default(x, dtype=float32)',
      'aten.where.self(m, %1, %0)',
    ]);
    expect(decompose('aten.masked_fill.Tensor', ['x', 'm', 'v'], {}, { x, m, v: meta('int64', []) }).calls).toEqual([
      'aten._to_copy.default(v, dtype=float32)',
      'aten.where.self(m, %0, x)',
    ]);
  });

  it('to / type_as / dropout / lift_fresh_copy / fill', () => {
    expect(decompose('aten.to.dtype', ['x', 'float32'], {}, { x })).toEqual({ out: 'x', calls: [] });
    expect(decompose('aten.to.dtype', ['x', 'float64'], {}, { x }).calls).toEqual(['aten._to_copy.default(x, dtype=float64)']);
    expect(decompose('aten.type_as.default', ['x', 'y'], {}, { x, y: xi }).calls).toEqual(["aten._to_copy.default(x, dtype=int64, layout=torch.strided, device=device(type='cpu'))"]);
    expect(decompose('aten.dropout.default', ['x', 0.1, false], {}, { x }).calls).toEqual(['aten.clone.default(x)']);
    expect(decompose('aten.dropout.default', ['x', 0.1, true], {}, { x }).calls).toEqual(['aten.native_dropout.default(x, 0.1, true)']);
    expect(decompose('aten.dropout_.default', ['x', 0.1, false], {}, { x })).toEqual({ out: 'x', calls: [] });
    expect(decompose('aten.lift_fresh_copy.default', ['x'], {}, { x }).calls).toEqual(['aten.clone.default(x)']);
    expect(decompose('aten.fill.Scalar', ['x', 3], {}, { x }).calls).toEqual(['aten.full_like.default(x, 3, pin_memory=false)']);
  });

  it('lerp.Tensor', () => {
    expect(decompose('aten.lerp.Tensor', ['a', 'b', 'w'], {}, { a: x, b: x, w: x }).calls).toEqual([
      'aten.abs.default(w)',
      'aten.ge.Scalar(%0, 0.5)',
      'aten.sub.Tensor(w, 1)',
      'aten.where.self(%1, %2, w)',
      'aten.where.self(%1, b, a)',
      'aten.sub.Tensor(b, a)',
      'aten.mul.Tensor(%3, %5)',
      'aten.add.Tensor(%6, %4)',
    ]);
  });
});

// ---- promotion, in-place and error behaviour beyond the goldens ----

describe('promotion and errors', () => {
  const run = (name: string, args: unknown[], kwargs: Record<string, unknown> = {}) => {
    const op = opByName(name);
    return op.cpu(bind(op, args, kwargs), { op: op.name }) as NDArray;
  };
  const metaOf = (name: string, args: unknown[], kwargs: Record<string, unknown> = {}) => {
    const op = opByName(name);
    return op.meta(bind(op, args, kwargs), ctxFor(op, undefined)) as TensorMeta;
  };

  it('follows torch.result_type for scalars and zero-dim tensors', () => {
    const i = meta('int64', [3]);
    expect(metaOf('aten.add.Tensor', [i, 1.5]).dtype).toBe('float32');
    expect(metaOf('aten.add.Tensor', [i, 2]).dtype).toBe('int64');
    expect(metaOf('aten.add.Tensor', [meta('bool', [3]), meta('bool', [3])]).dtype).toBe('bool');
    expect(metaOf('aten.div.Tensor', [i, i]).dtype).toBe('float32');
    expect(metaOf('aten.add.Tensor', [meta('float16', [3]), meta('float64', [])]).dtype).toBe('float16');
    expect(metaOf('aten.add.Tensor', [i, meta('float64', [])]).dtype).toBe('float64');
    expect(metaOf('aten.add.Tensor', [meta('uint8', [3]), meta('int8', [3])]).dtype).toBe('int16');
    expect(metaOf('aten.pow.Tensor_Scalar', [meta('bool', [3]), 2]).dtype).toBe('int64');
    expect(metaOf('aten.lt.Scalar', [i, 0.5]).dtype).toBe('bool');
  });

  it('rejects mismatched shapes with torch messages (meta and CPU)', () => {
    expect(() => metaOf('aten.add.Tensor', [meta('float32', [2, 3]), meta('float32', [4])])).toThrow(
      new OpArgumentError('aten.add.Tensor', 'The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1'),
    );
    expect(() => metaOf('aten.add_.Tensor', [meta('float32', [3]), meta('float32', [2, 3])])).toThrow("output with shape [3] doesn't match the broadcast shape [2, 3]");
    expect(() => metaOf('aten.add_.Tensor', [meta('int64', [3]), meta('float32', [3])])).toThrow("result type Float can't be cast to the desired output type Long");
    expect(() => metaOf('aten.where.self', [meta('int64', [3]), meta('float32', [3]), meta('float32', [3])])).toThrow('expected predicate to be bool, got torch.int64');
    expect(() => metaOf('aten.clamp.default', [meta('float32', [3])])).toThrow(OpArgumentError);
    expect(() => run('aten.mul.Tensor', [NDArray.zeros('float32', [2]), NDArray.zeros('float32', [3])])).toThrow(
      'The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0',
    );
  });

  it('writes in place through strided views and returns self', () => {
    const base = NDArray.fromValues('float32', [2, 2], [1, -2, -3, 4]);
    const t = base.withView([2, 2], [1, 2], 0);
    const r = run('aten.relu_.default', [t]);
    expect(r).toBe(t);
    expect(base.toArray()).toEqual([1, 0, 0, 4]);
  });

  it('to.dtype aliases when nothing changes', () => {
    const x = NDArray.fromValues('float32', [2], [1, 2]);
    expect(run('aten.to.dtype', [x, 'float32'])).toBe(x);
    expect(run('aten.to.dtype', [x, 'float32', false, true])).not.toBe(x);
  });

  it('dropout: identity in eval, inverted-dropout scaling in training', () => {
    const x = NDArray.fromValues('float32', [1000], new Array<number>(1000).fill(1));
    expect(run('aten.dropout.default', [x, 0.5, false])).toBe(x);
    const op = opByName('aten.native_dropout.default');
    const [out, mask] = op.cpu(bind(op, [x, 0.25, true]), { op: op.name }) as NDArray[];
    const o = out!.toArray();
    const mk = mask!.toArray();
    expect(mask!.dtype).toBe('bool');
    expect(o.every((v, k) => (mk[k] ? Math.abs(v - 4 / 3) < 1e-6 : v === 0))).toBe(true);
    const kept = mk.filter(Boolean).length;
    expect(kept).toBeGreaterThan(650);
    expect(kept).toBeLessThan(850);
    expect(opByName('aten.dropout.default').groupSet.has(OpGroup.Random)).toBe(true);
  });

  it('binds schema defaults (alpha, approximate, hardtanh limits)', () => {
    const op = opByName('aten.hardtanh.default');
    expect(bind(op, [NDArray.zeros('float32', [1])]).slice(1).map(String)).toEqual(['-1', '1']);
    expect(bind(opByName('aten.gelu.default'), [NDArray.zeros('float32', [1])])[1]).toBe('none');
    const x = NDArray.fromValues('float32', [2], [-4, 4]);
    expect(run('aten.hardtanh.default', [x]).toArray()).toEqual([-1, 1]);
    expect(run('aten.add.Tensor', [x, x], { alpha: 2 }).toArray()).toEqual([-12, 12]);
  });

  it('every op is elementwise-shaped: float inputs keep float outputs', () => {
    for (const op of ALL) expect(op.parsed.name.length, op.name).toBeGreaterThan(0);
    expect(isFloating(metaOf('aten.sigmoid.default', [meta('int32', [2])]).dtype)).toBe(true);
  });
});
