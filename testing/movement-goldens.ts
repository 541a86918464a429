// Shared runner for the goldens of engine/ops/{movement,indexing,factory}.ts
// (engine/test/data/ops/movement.json, written by scripts/goldens/movement.py
// with the reference PyTorch). Each case runs the op's CPU kernel on NDArrays
// rebuilt from the recorded storage/size/stride/offset and its meta function on
// the matching TensorMeta, and compares with what PyTorch produced.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { type DType, isFloating } from '../engine/core/dtype';
import { type EngineError } from '../engine/core/errors';
import { NDArray } from '../engine/core/ndarray';
import { PyFloat } from '../engine/core/scalar';
import { bindArgs } from '../engine/ops/schema';
import { type MetaContext, type OpDef, type TensorMeta, isTensorMeta } from '../engine/ops/types';
import { ShapeEnv, SymInt, ValueRange, isSymInt } from '../engine/symbolic';

interface EncTensor {
  dtype: DType;
  storage: Array<number | string>;
  shape: number[];
  strides: number[];
  offset: number;
}
interface OutTensor {
  dtype: DType;
  shape: number[];
  strides: number[];
  offset: number;
  data?: number[];
}
type Out = OutTensor | { list: Out[] } | { scalar: number | boolean; kind: 'int' | 'float' | 'bool' } | null;

export interface GoldenCase {
  name: string;
  op: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  out?: Out;
  error?: { type: string; message: string };
  view?: boolean;
  random?: boolean;
}

export function loadCases(): GoldenCase[] {
  const path = fileURLToPath(new URL('../engine/test/data/ops/movement.json', import.meta.url));
  return (JSON.parse(readFileSync(path, 'utf8')) as { cases: GoldenCase[] }).cases;
}

/**
 * An op argument as scripts/goldens/golden_json.py encodes it: tensors (whole
 * storage + view; a TensorMeta with `asMeta`), Python floats (non-finite ones as
 * 'NaN' / 'Infinity' / '-Infinity'), dtypes, enums, lists.
 */
export function decodeGoldenArg(v: unknown, asMeta: boolean): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => decodeGoldenArg(x, asMeta));
  const o = v as Record<string, unknown>;
  if ('tensor' in o) {
    const t = o.tensor as EncTensor;
    if (asMeta) return { dtype: t.dtype, shape: t.shape, strides: t.strides, storageOffset: t.offset } satisfies TensorMeta;
    return NDArray.fromValues(t.dtype, [t.storage.length], t.storage.map(Number)).withView(t.shape, t.strides, t.offset);
  }
  if ('float' in o) {
    const f = Number(o.float);
    return Number.isInteger(f) ? new PyFloat(f) : f;
  }
  if ('dtype' in o) return o.dtype;
  if ('enum' in o) return { enum: o.enum };
  throw new Error(`cannot decode ${JSON.stringify(v)}`);
}

export function metaContext(op: string): MetaContext & { env: ShapeEnv } {
  const env = new ShapeEnv();
  return { op, env, newUnbacked: (r?: ValueRange) => new SymInt(env.createUnbackedSymbol(r ?? ValueRange.unknown), env) };
}

const PY_TYPE: Record<string, string> = { IndexError: 'IndexError', RuntimeError: 'RuntimeError', ValueError: 'RuntimeError' };

function close(a: number, b: number, dtype: DType): boolean {
  if (!isFloating(dtype)) return a === b;
  const tol = dtype === 'float16' || dtype === 'bfloat16' ? 1e-2 : 1e-5;
  return Math.abs(a - b) <= tol + tol * Math.abs(b);
}

function checkTensor(got: unknown, want: OutTensor, c: GoldenCase, what: string): void {
  const label = `${c.name} ${what}`;
  if (what === 'cpu') {
    expect(got, label).toBeInstanceOf(NDArray);
    const a = got as NDArray;
    expect(a.dtype, label).toBe(want.dtype);
    expect([...a.shape], label).toEqual(want.shape);
    if (c.view) {
      expect([...a.strides], `${label} strides`).toEqual(want.strides);
      expect(a.offset, `${label} offset`).toBe(want.offset);
    }
    if (want.data) {
      const data = a.toArray();
      expect(data.length, label).toBe(want.data.length);
      data.forEach((v, i) => {
        if (!close(v, want.data![i]!, want.dtype)) expect(v, `${label} [${i}]`).toBe(want.data![i]);
      });
    }
    return;
  }
  expect(isTensorMeta(got), label).toBe(true);
  const m = got as TensorMeta;
  expect(m.dtype, label).toBe(want.dtype);
  expect(m.shape.length, label).toBe(want.shape.length);
  m.shape.forEach((s, i) => {
    // Data-dependent sizes are unbacked symbols in meta.
    if (isSymInt(s)) expect(s.hint, `${label} dim ${i} is data-dependent`).toBeUndefined();
    else expect(s, `${label} dim ${i}`).toBe(want.shape[i]);
  });
  const concrete = m.shape.every((s) => typeof s === 'number');
  if (concrete && (c.view || !c.random)) {
    // Views must agree on strides/offset; other outputs on strides when PyTorch's are dense.
    if (c.view) {
      expect(m.strides, `${label} strides`).toEqual(want.strides);
      expect(m.storageOffset ?? 0, `${label} offset`).toBe(want.offset);
    } else if (want.shape.every((s) => s > 1)) expect(m.strides, `${label} strides`).toEqual(want.strides);
  }
}

function checkOut(got: unknown, want: Out, c: GoldenCase, what: 'cpu' | 'meta'): void {
  if (want === null) {
    expect(got ?? null, c.name).toBeNull();
    return;
  }
  if ('list' in want) {
    expect(Array.isArray(got), `${c.name} ${what} list`).toBe(true);
    const g = got as unknown[];
    expect(g.length, c.name).toBe(want.list.length);
    want.list.forEach((w, i) => checkOut(g[i], w, c, what));
    return;
  }
  if ('scalar' in want) {
    if (what === 'meta') {
      expect(isSymInt(got) || typeof got === 'number', `${c.name} meta scalar`).toBe(true);
      return;
    }
    if (want.kind === 'bool') expect(got, c.name).toBe(want.scalar);
    else if (want.kind === 'float') {
      const v = got instanceof PyFloat ? got.value : (got as number);
      expect(got instanceof PyFloat || !Number.isInteger(v), `${c.name} is a Python float`).toBe(true);
      expect(v, c.name).toBeCloseTo(want.scalar as number, 6);
    } else expect(got, c.name).toBe(want.scalar);
    return;
  }
  checkTensor(got, want, c, what);
}

/** Run one golden case against `op` (CPU kernel, then meta). */
export function runCase(op: OpDef, c: GoldenCase): void {
  const kw = (asMeta: boolean) => Object.fromEntries(Object.entries(c.kwargs).map(([k, v]) => [k, decodeGoldenArg(v, asMeta)]));
  const cpuArgs = () => bindArgs(op.parsed, decodeGoldenArg(c.args, false) as unknown[], kw(false));
  const metaArgs = () => bindArgs(op.parsed, decodeGoldenArg(c.args, true) as unknown[], kw(true));
  if (c.error) {
    let err: unknown;
    try {
      op.cpu(cpuArgs(), { op: op.name });
    } catch (e) {
      err = e;
    }
    expect(err, `${c.name}: cpu should throw`).toBeInstanceOf(Error);
    expect((err as Error).message, c.name).toBe(c.error.message);
    expect((err as EngineError).pythonType, c.name).toBe(PY_TYPE[c.error.type]);
    // Shape errors are raised by meta too; value errors (out-of-range data) only at run time.
    try {
      op.meta(metaArgs(), metaContext(op.name));
    } catch (e) {
      expect((e as Error).message, `${c.name} meta`).toBe(c.error.message);
    }
    return;
  }
  checkOut(op.cpu(cpuArgs(), { op: op.name }), c.out!, c, 'cpu');
  checkOut(op.meta(metaArgs(), metaContext(op.name)), c.out!, c, 'meta');
}

/** An opaque traced value in decomposition tests, carrying its metadata. */
export interface Traced {
  readonly traced: number;
  readonly meta?: TensorMeta;
}

/**
 * Run `op.decomp` on `args` (TensorMeta become opaque traced values) and record
 * the calls it makes. Results of calls get metadata from `known` ops' meta.
 */
export function recordDecomp(
  op: OpDef,
  args: unknown[],
  known: readonly OpDef[] = [],
  kwargs: Record<string, unknown> = {},
): { calls: Array<[string, unknown[], Record<string, unknown>]>; inputs: Traced[]; result: unknown } {
  let next = 0;
  const inputs: Traced[] = [];
  const wrap = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(wrap);
    if (isTensorMeta(v)) {
      const t = { traced: next++, meta: v };
      inputs.push(t);
      return t;
    }
    return v;
  };
  const byName = new Map(known.map((o) => [o.name, o]));
  const calls: Array<[string, unknown[], Record<string, unknown>]> = [];
  const unwrap = (v: unknown): unknown => (Array.isArray(v) ? v.map(unwrap) : v && typeof v === 'object' && 'traced' in v ? (v as Traced).meta : v);
  const ctx = {
    call(name: string, a: readonly unknown[], kw: Readonly<Record<string, unknown>> = {}): unknown {
      calls.push([name, [...a], { ...kw }]);
      const def = byName.get(name);
      let m: unknown;
      if (def) m = def.meta(bindArgs(def.parsed, a.map(unwrap), Object.fromEntries(Object.entries(kw).map(([k, v]) => [k, unwrap(v)]))), metaContext(name));
      if (Array.isArray(m)) return m.map((x) => ({ traced: next++, meta: x as TensorMeta }));
      return { traced: next++, meta: m as TensorMeta | undefined };
    },
    meta(t: unknown): TensorMeta {
      const m = (t as Traced).meta;
      if (!m) throw new Error('no meta for traced value');
      return m;
    },
  };
  const bound = bindArgs(op.parsed, args.map(wrap), kwargs);
  const result = op.decomp!(bound, ctx);
  return { calls, inputs, result };
}
