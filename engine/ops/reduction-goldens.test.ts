// Goldens for reductions with empty / absent dim lists, dtype= arguments and
// integer wrap-around: engine/test/data/ops/reduction.json, written by
// scripts/goldens/reduction.py with the reference PyTorch 2.13. Each case runs the
// CPU kernel (on exact non-contiguous inputs) against torch's eager result or
// exception, and the meta function against what torch gives under FakeTensorMode
// (the two differ for logsumexp(x, dim=[]) without keepdim: eager raises, fake
// tensors — and so torch.export — give shape [1, ..., 1]).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type DType, isFloating } from '../core/dtype';
import { type EngineError } from '../core/errors';
import { NDArray } from '../core/ndarray';
import { decodeGoldenArg, metaContext } from '../../testing/movement-goldens';
import { cumprod, linalgVectorNorm, normScalarOptDim } from './misc';
import { reductionOps } from './reduction';
import { bindArgs } from './schema';
import { type OpDef, type TensorMeta } from './types';

interface Err {
  type: string;
  message: string;
}
interface Case {
  name: string;
  op: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  out?: { dtype: DType; shape: number[]; data: Array<number | string> };
  error?: Err;
  meta: { dtype: DType; shape: number[] } | { error: Err };
}

const PY_TYPE: Record<string, string> = { RuntimeError: 'RuntimeError', IndexError: 'IndexError', NotImplementedError: 'NotImplementedError' };

function load(): Case[] {
  const path = fileURLToPath(new URL('../test/data/ops/reduction.json', import.meta.url));
  return (JSON.parse(readFileSync(path, 'utf8')) as { cases: Case[] }).cases;
}

function same(got: number, want: number, dtype: DType): boolean {
  if (Number.isNaN(want)) return Number.isNaN(got);
  // Half results are exact: one ulp is what per-element casting changes (mean(dtype=float16)).
  if (!isFloating(dtype) || !Number.isFinite(want) || dtype === 'float16' || dtype === 'bfloat16') return got === want;
  return Math.abs(got - want) <= 1e-5 + 1e-5 * Math.abs(want);
}

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (e) {
    return e;
  }
  return undefined;
}

function runCase(op: OpDef, c: Case): void {
  const args = (asMeta: boolean) =>
    bindArgs(op.parsed, decodeGoldenArg(c.args, asMeta) as unknown[], Object.fromEntries(Object.entries(c.kwargs).map(([k, v]) => [k, decodeGoldenArg(v, asMeta)])));
  // CPU kernel vs eager torch.
  if (c.error) {
    const err = thrown(() => op.cpu(args(false), { op: op.name }));
    expect(err, `${c.name}: cpu should throw ${c.error.message}`).toBeInstanceOf(Error);
    expect((err as Error).message, c.name).toBe(c.error.message);
    expect((err as EngineError).pythonType, c.name).toBe(PY_TYPE[c.error.type]);
  } else {
    const got = op.cpu(args(false), { op: op.name }) as NDArray;
    const want = c.out!;
    expect(got, c.name).toBeInstanceOf(NDArray);
    expect(got.dtype, `${c.name} dtype`).toBe(want.dtype);
    expect([...got.shape], `${c.name} shape`).toEqual(want.shape);
    const data = got.toArray();
    expect(data.length, c.name).toBe(want.data.length);
    data.forEach((v, i) => {
      const w = Number(want.data[i]);
      if (!same(v, w, want.dtype)) expect(v, `${c.name} [${i}]`).toBe(w);
    });
  }
  // Meta vs FakeTensorMode. Where fake tensors raise, the meta function raises too
  // (with eager's wording where the two texts differ, as elsewhere in engine/ops).
  const m = c.meta;
  if ('error' in m) {
    expect(thrown(() => op.meta(args(true), metaContext(op.name))), `${c.name}: meta should throw`).toBeInstanceOf(Error);
    return;
  }
  const err = thrown(() => op.meta(args(true), metaContext(op.name)));
  // dtype errors of the CPU kernel (mean(dtype=int), cumsum(dtype=bool)) are raised by meta too where torch's meta does.
  expect(err, `${c.name}: meta should not throw`).toBeUndefined();
  const mm = op.meta(args(true), metaContext(op.name)) as TensorMeta;
  expect(mm.dtype, `${c.name} meta dtype`).toBe(m.dtype);
  expect([...mm.shape], `${c.name} meta shape`).toEqual(m.shape);
}

describe('reduction goldens: dim lists, dtype=, integer wrap-around (PyTorch 2.13)', () => {
  const ops = [...reductionOps, cumprod, linalgVectorNorm, normScalarOptDim];
  const byName = new Map(ops.map((o) => [o.name, o]));
  const cases = load();
  it('has a registered op for every case', () => {
    for (const c of cases) expect(byName.has(c.op), c.op).toBe(true);
  });
  for (const c of cases) it(c.name, () => runCase(byName.get(c.op)!, c));
});
