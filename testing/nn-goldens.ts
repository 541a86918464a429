// Test support for the nn op families (reduction, matmul, conv, norm): loads the
// PyTorch goldens of scripts/goldens/nn.py and checks each op's CPU kernel and
// meta function against them; plus a recording DecompContext that runs a
// decomposition on metadata only and lists the ops it calls.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { type DType } from '../engine/core/dtype';
import { NDArray } from '../engine/core/ndarray';
import { PyFloat } from '../engine/core/scalar';
import { type IntLike } from '../engine/symbolic';
import { broadcastAll, meta } from '../engine/ops/meta-utils';
import { bindArgs } from '../engine/ops/schema';
import { type DecompContext, type MetaContext, type OpDef, type TensorMeta, isTensorMeta } from '../engine/ops/types';

interface EncTensor {
  tensor: true;
  dtype: DType;
  shape: number[];
  data: Array<number | boolean | string>;
  transpose?: [number, number];
}

export interface GoldenCase {
  name: string;
  op: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  multi?: boolean;
  outs?: EncTensor[];
  tol?: number;
  error?: { type: string; message: string };
}

export function loadNnGoldens(): GoldenCase[] {
  const path = fileURLToPath(new URL('../engine/test/data/ops/nn.json', import.meta.url));
  return (JSON.parse(readFileSync(path, 'utf8')) as { cases: GoldenCase[] }).cases;
}

const numOf = (v: number | boolean | string): number => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : Number(v));

function decodeTensor(t: EncTensor): NDArray {
  const base = NDArray.fromValues(t.dtype, t.shape, t.data.map(numOf));
  if (!t.transpose) return base;
  const [a, b] = t.transpose;
  const shape = [...base.shape];
  const strides = [...base.strides];
  [shape[a], shape[b]] = [shape[b]!, shape[a]!];
  [strides[a], strides[b]] = [strides[b]!, strides[a]!];
  return base.withView(shape, strides, 0);
}

export function decodeArg(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decodeArg);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (o.tensor) return decodeTensor(o as unknown as EncTensor);
    if ('dtype' in o) return o.dtype;
    if ('float' in o) {
      const f = numOf(o.float as number);
      return Number.isInteger(f) ? new PyFloat(f) : f;
    }
  }
  return v;
}

const toMeta = (v: unknown): unknown => (v instanceof NDArray ? meta(v.dtype, v.shape) : Array.isArray(v) ? v.map(toMeta) : v);

export const metaCtx = (op: string): MetaContext => ({ op, env: undefined, newUnbacked: () => 0 });

function expectClose(name: string, got: NDArray, want: EncTensor, tol: number): void {
  expect(got.dtype, `${name}: dtype`).toBe(want.dtype);
  expect([...got.shape], `${name}: shape`).toEqual(want.shape);
  const g = got.toArray();
  const w = want.data.map(numOf);
  const exact = !(want.dtype.startsWith('float') || want.dtype === 'bfloat16');
  for (let i = 0; i < w.length; i++) {
    const a = g[i]!;
    const b = w[i]!;
    if (Number.isNaN(b)) {
      expect(Number.isNaN(a), `${name}[${i}] NaN`).toBe(true);
      continue;
    }
    if (exact || !Number.isFinite(b)) {
      expect(a, `${name}[${i}]`).toBe(b);
      continue;
    }
    if (Math.abs(a - b) > tol + tol * Math.abs(b)) expect(a, `${name}[${i}] (tol ${tol})`).toBe(b);
  }
}

const PY_ERROR: Record<string, string> = { IndexError: 'IndexOutOfRangeError', RuntimeError: 'OpArgumentError', NotImplementedError: 'UnsupportedOperatorError' };

/** One vitest case per golden of `ops`; fails if a golden names an op of the family that is missing. */
export function runGoldens(family: readonly OpDef[]): void {
  const byName = new Map(family.map((o) => [o.name, o]));
  const cases = loadNnGoldens().filter((c) => byName.has(c.op));
  it('has goldens for this family', () => expect(cases.length).toBeGreaterThan(0));
  for (const c of cases) {
    const op = byName.get(c.op)!;
    it(`${c.name}`, () => {
      const args = c.args.map(decodeArg);
      const kwargs = Object.fromEntries(Object.entries(c.kwargs).map(([k, v]) => [k, decodeArg(v)]));
      const bound = bindArgs(op.parsed, args, kwargs);
      if (c.error) {
        let err: unknown;
        try {
          op.cpu(bound, { op: op.name });
        } catch (e) {
          err = e;
        }
        expect(err, 'cpu should throw').toBeInstanceOf(Error);
        expect((err as Error).name).toBe(PY_ERROR[c.error.type]);
        expect((err as Error).message).toBe(c.error.message);
        const metaBound = bindArgs(op.parsed, args.map(toMeta), Object.fromEntries(Object.entries(kwargs).map(([k, v]) => [k, toMeta(v)])));
        expect(() => op.meta(metaBound, metaCtx(op.name))).toThrow(c.error.message);
        return;
      }
      const out = op.cpu(bound, { op: op.name });
      const outs = c.multi ? (out as NDArray[]) : [out as NDArray];
      expect(outs.length).toBe(c.outs!.length);
      outs.forEach((o, i) => {
        expect(o).toBeInstanceOf(NDArray);
        expectClose(`${c.name} out${i}`, o, c.outs![i]!, c.tol ?? 1e-5);
      });
      const metaBound = bindArgs(op.parsed, args.map(toMeta), Object.fromEntries(Object.entries(kwargs).map(([k, v]) => [k, toMeta(v)])));
      const m = op.meta(metaBound, metaCtx(op.name));
      const metas = c.multi ? (m as TensorMeta[]) : [m as TensorMeta];
      metas.forEach((mm, i) => {
        expect(mm.dtype, `meta dtype ${i}`).toBe(c.outs![i]!.dtype);
        expect([...mm.shape], `meta shape ${i}`).toEqual(c.outs![i]!.shape);
      });
    });
  }
}

// ---------------------------------------------------------------------------
// Recording decomposition context

export interface Recorded {
  op: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
}

/** Minimal metas for ops outside the nn families, enough to follow a decomposition's shapes. */
function stubMeta(op: string, args: unknown[], kwargs: Record<string, unknown>): unknown {
  const t = (i: number): TensorMeta => args[i] as TensorMeta;
  const wrap = (d: number, n: number): number => (d < 0 ? d + n : d);
  switch (op) {
    case 'aten.view.default':
      return meta(t(0).dtype, args[1] as IntLike[]);
    case 'aten.permute.default': {
      const p = args[1] as number[];
      return { dtype: t(0).dtype, shape: p.map((d) => t(0).shape[d]!), strides: p.map((d) => t(0).strides[d]!) };
    }
    case 'aten.expand.default': {
      const shape = args[1] as IntLike[];
      const off = shape.length - t(0).shape.length;
      return { dtype: t(0).dtype, shape, strides: shape.map((s, i) => (i < off || (t(0).shape[i - off] === 1 && s !== 1) ? 0 : t(0).strides[i - off]!)) };
    }
    case 'aten.unsqueeze.default': {
      const n = t(0).shape.length + 1;
      const d = wrap(args[1] as number, n);
      const shape = [...t(0).shape];
      shape.splice(d, 0, 1);
      return meta(t(0).dtype, shape);
    }
    case 'aten.squeeze.dims': {
      const n = t(0).shape.length;
      const ds = (args[1] as number[]).map((d) => wrap(d, n));
      return meta(t(0).dtype, t(0).shape.filter((s, i) => !(ds.includes(i) && s === 1)));
    }
    case 'aten.clone.default':
    case 'aten.copy_.default':
    case 'aten.full_like.default':
      return meta(t(0).dtype, t(0).shape);
    case 'aten._to_copy.default':
      return meta((kwargs.dtype as DType) ?? t(0).dtype, t(0).shape);
    case 'aten.full.default':
      return meta((kwargs.dtype as DType) ?? 'float32', args[0] as IntLike[]);
    case 'aten.arange.start_step':
      return meta('int64', [(args[1] as number) - (args[0] as number)]);
    case 'aten.scalar_tensor.default':
      return meta((kwargs.dtype as DType) ?? 'float32', []);
    case 'aten.constant_pad_nd.default': {
      const pad = args[1] as number[];
      const shape = [...t(0).shape];
      for (let i = 0; i < pad.length / 2; i++) shape[shape.length - 1 - i] = (shape[shape.length - 1 - i] as number) + pad[2 * i]! + pad[2 * i + 1]!;
      return meta(t(0).dtype, shape);
    }
    default: {
      // Elementwise: broadcast the tensor operands.
      const tensors = args.filter(isTensorMeta);
      const boolOut = /\.(eq|le|lt|ge|gt|ne)\.|logical_/.test(op) || /aten\.(eq|le|lt|ge|gt|ne|logical_\w+)\./.test(op);
      const dtype = boolOut ? 'bool' : op === 'aten.where.self' ? tensors[1]!.dtype : tensors[0]!.dtype;
      return meta(dtype, broadcastAll(tensors.map((x) => x.shape)));
    }
  }
}

/** Run `decomp` on metadata, recording every op call. Ops of `known` use their real meta. */
export function recordDecomp(known: readonly OpDef[], op: OpDef, args: unknown[], kwargs: Record<string, unknown> = {}): { calls: Recorded[]; result: unknown } {
  const byName = new Map(known.map((o) => [o.name, o]));
  const calls: Recorded[] = [];
  const ctx: DecompContext = {
    call: (name, a, kw = {}) => {
      calls.push({ op: name, args: [...a], kwargs: { ...kw } });
      const def = byName.get(name);
      if (def) return def.meta(bindArgs(def.parsed, a, kw), metaCtx(name));
      return stubMeta(name, [...a], { ...kw });
    },
    meta: (t) => t as TensorMeta,
  };
  const result = op.decomp!(bindArgs(op.parsed, args, kwargs), ctx);
  return { calls, result };
}

export const opNames = (calls: readonly Recorded[]): string[] => calls.map((c) => c.op);
