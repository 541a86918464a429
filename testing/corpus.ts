// Test helpers for the PyTorch 2.11 corpus (../shared/corpus/torch-2.11): loading
// cases, turning recorded values into tensors and comparing our results with
// what PyTorch recorded. Tests only; reads files with node:fs.

import { readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NDArray } from '../engine/core/ndarray';
import { type DType, isDType } from '../engine/core/dtype';
import { pyList } from '../engine/core/pytree';
import { Tensor } from '../engine/trace/tensor';
import { SymInt } from '../engine/symbolic';

export const CORPUS_DIR = resolve(__dirname, '../../shared/corpus/torch-2.11');

export const corpusAvailable = existsSync(join(CORPUS_DIR, 'cases.json'));

export interface RecordedTensor {
  dtype: string;
  shape: number[];
  data: number[] | boolean[];
}
export type Recorded = RecordedTensor | { py: unknown } | { seq: Recorded[] } | { dict: Record<string, Recorded> } | { list: Recorded[] };

export interface ModeRecord {
  printed?: string;
  graph_code?: string;
  graph_signature?: string;
  range_constraints?: string;
  ops?: string[];
  placeholders?: string[];
  state_dict_keys?: Record<string, number[]>;
  constants?: Record<string, number[]>;
  decomposed?: { printed: string; ops: string[]; graph_signature: string; range_constraints: string; placeholders?: string[] };
  exported_out?: Recorded;
  extra_inputs?: Recorded;
  extra_exported_out?: Recorded;
  bad_input_error?: { type: string; message: string } | null;
  error?: { type: string; message: string };
}

export interface CaseRecord {
  source: string;
  inputs: Recorded;
  kwargs: Recorded;
  dynamic_shapes: string | null;
  eager_out: Recorded;
  modes: { strict: ModeRecord; nonstrict: ModeRecord };
}

let casesCache: Record<string, CaseRecord> | undefined;
export function loadCases(): Record<string, CaseRecord> {
  casesCache ??= JSON.parse(readFileSync(join(CORPUS_DIR, 'cases.json'), 'utf8')).cases;
  return casesCache!;
}
let dbCache: Record<string, CaseRecord> | undefined;
export function loadExportDb(): Record<string, CaseRecord> {
  dbCache ??= JSON.parse(readFileSync(join(CORPUS_DIR, 'exportdb.json'), 'utf8')).exportdb;
  return dbCache!;
}

export function isRecordedTensor(r: unknown): r is RecordedTensor {
  return typeof r === 'object' && r !== null && 'dtype' in r && 'shape' in r;
}

export function tensorFrom(r: RecordedTensor): Tensor {
  if (!isDType(r.dtype)) throw new Error(`unknown dtype ${r.dtype}`);
  // Large tensors are recorded as summaries only: same shape, placeholder data (structure checks only).
  if (!r.data) return Tensor.fromNDArray(NDArray.zeros(r.dtype as DType, r.shape));
  return Tensor.fromNDArray(NDArray.fromValues(r.dtype as DType, r.shape, r.data as number[]));
}

/** Rebuild a recorded value: tensors, Python values, tuples, lists, dicts. */
export function valueFrom(r: Recorded): unknown {
  if (isRecordedTensor(r)) return tensorFrom(r);
  if ('py' in r) return r.py;
  if ('seq' in r) return r.seq.map(valueFrom);
  if ('list' in r) return pyList(r.list.map(valueFrom));
  if ('dict' in r) return Object.fromEntries(Object.entries(r.dict).map(([k, v]) => [k, valueFrom(v)]));
  throw new Error(`unrecognised recorded value ${JSON.stringify(r).slice(0, 80)}`);
}

/** Largest |a - b| between our value and a recorded one; throws on structure/shape/dtype mismatch. */
export function maxAbsDiff(ours: unknown, rec: Recorded, path = 'out'): number {
  if (isRecordedTensor(rec)) {
    if (!(ours instanceof Tensor)) throw new Error(`${path}: expected a tensor, got ${String(ours)}`);
    if (ours.dtype !== rec.dtype) throw new Error(`${path}: dtype ${ours.dtype} != recorded ${rec.dtype}`);
    const shape = ours.shape.map(Number);
    if (JSON.stringify(shape) !== JSON.stringify(rec.shape)) throw new Error(`${path}: shape [${shape}] != recorded [${rec.shape}]`);
    const a = ours.toArray();
    let m = 0;
    (rec.data as Array<number | boolean>).forEach((v, i) => {
      const d = Math.abs(a[i]! - Number(v));
      if (Number.isNaN(d)) {
        if (!(Number.isNaN(a[i]!) && Number.isNaN(Number(v)))) m = Infinity;
      } else m = Math.max(m, d);
    });
    return m;
  }
  if ('py' in rec) {
    const v = ours instanceof SymInt ? ours.hint : ours;
    if (v !== rec.py) throw new Error(`${path}: ${String(v)} != recorded ${String(rec.py)}`);
    return 0;
  }
  const items = 'seq' in rec ? rec.seq : 'list' in rec ? rec.list : undefined;
  if (items) {
    if (!Array.isArray(ours) || ours.length !== items.length) throw new Error(`${path}: expected a sequence of ${items.length}`);
    return Math.max(0, ...items.map((r, i) => maxAbsDiff(ours[i], r, `${path}[${i}]`)));
  }
  const d = (rec as { dict: Record<string, Recorded> }).dict;
  return Math.max(0, ...Object.entries(d).map(([k, r]) => maxAbsDiff((ours as Record<string, unknown>)[k], r, `${path}['${k}']`)));
}

/** Rename symbols (s27, s77, u0 …) in order of first appearance so different numbering compares equal. */
export function normalizeSymbols(text: string): string {
  const map = new Map<string, string>();
  return text.replace(/\b([su])(\d+)\b/g, (m, kind: string) => {
    if (!map.has(m)) map.set(m, `${kind}#${[...map.keys()].filter((k) => k[0] === kind).length}`);
    return map.get(m)!;
  });
}

const SCALAR_TYPES: Record<number, DType> = { 1: 'uint8', 2: 'int8', 3: 'int16', 4: 'int32', 5: 'int64', 6: 'float16', 7: 'float32', 8: 'float64', 12: 'bool', 13: 'bfloat16' };

/** Stored (uncompressed) entries of a zip, by name. Enough for PyTorch's archives in tests. */
export function readStoredZip(path: string): Map<string, Uint8Array> {
  const buf = readFileSync(path);
  const out = new Map<string, Uint8Array>();
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  let count = buf.readUInt16LE(eocd + 10);
  let cdOff = buf.readUInt32LE(eocd + 16);
  if (cdOff === 0xffffffff || count === 0xffff) {
    const loc = buf.readUInt32LE(eocd - 20) === 0x07064b50 ? Number(buf.readBigUInt64LE(eocd - 12)) : -1;
    count = Number(buf.readBigUInt64LE(loc + 32));
    cdOff = Number(buf.readBigUInt64LE(loc + 48));
  }
  let p = cdOff;
  for (let i = 0; i < count; i++) {
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    let size = buf.readUInt32LE(p + 20);
    let localOff = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    let e = p + 46 + nameLen;
    const eEnd = e + extraLen;
    while (e < eEnd) {
      const id = buf.readUInt16LE(e);
      const len = buf.readUInt16LE(e + 2);
      if (id === 1) {
        let q = e + 4;
        if (buf.readUInt32LE(p + 24) === 0xffffffff) q += 8;
        if (size === 0xffffffff) {
          size = Number(buf.readBigUInt64LE(q));
          q += 8;
        }
        if (localOff === 0xffffffff) localOff = Number(buf.readBigUInt64LE(q));
      }
      e += 4 + len;
    }
    const lNameLen = buf.readUInt16LE(localOff + 26);
    const lExtraLen = buf.readUInt16LE(localOff + 28);
    const start = localOff + 30 + lNameLen + lExtraLen;
    out.set(name, new Uint8Array(buf.buffer, buf.byteOffset + start, size));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** Weights and constants of a corpus archive, by state-dict key / constant name. */
export function archiveTensors(path: string): Map<string, Tensor> {
  const entries = readStoredZip(path);
  const out = new Map<string, Tensor>();
  for (const [name, bytes] of entries) {
    const m = /(.*\/data\/(weights|constants)\/)\w+_(weights|constants)_config\.json$/.exec(name);
    if (!m) continue;
    const cfg = JSON.parse(Buffer.from(bytes).toString('utf8')).config as Record<string, { path_name: string; tensor_meta: { dtype: number; sizes: Array<{ as_int: number }>; strides: Array<{ as_int: number }>; storage_offset: { as_int: number } } }>;
    for (const [key, c] of Object.entries(cfg)) {
      const raw = entries.get(m[1] + c.path_name);
      if (!raw) continue;
      const dtype = SCALAR_TYPES[c.tensor_meta.dtype]!;
      const shape = c.tensor_meta.sizes.map((s) => s.as_int);
      const strides = c.tensor_meta.strides.map((s) => s.as_int);
      const copy = raw.slice();
      const dv = new DataView(copy.buffer);
      const n = copy.byteLength / ({ float32: 4, float64: 8, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1, float16: 2, bfloat16: 2 } as const)[dtype];
      const vals: number[] = [];
      for (let i = 0; i < n; i++) {
        if (dtype === 'float32') vals.push(dv.getFloat32(i * 4, true));
        else if (dtype === 'float64') vals.push(dv.getFloat64(i * 8, true));
        else if (dtype === 'int64') vals.push(Number(dv.getBigInt64(i * 8, true)));
        else if (dtype === 'int32') vals.push(dv.getInt32(i * 4, true));
        else vals.push(copy[i]!);
      }
      const base = NDArray.fromValues(dtype, [vals.length], vals);
      out.set(key, Tensor.fromNDArray(base.withView(shape, strides, c.tensor_meta.storage_offset.as_int).contiguous()));
    }
  }
  return out;
}
