// torch.save files (the zip format: <root>/data.pkl + <root>/data/<key> storages)
// read through the restricted unpickler of pickle.ts: sample inputs of .pt2
// archives (`data/sample_inputs/<m>.pt`), and the state dict, constants and
// example inputs of torch ≤ 2.7 flat archives. Tensors become engine Tensors
// viewing the storage records (copied when `copy` is set or the bytes are not
// aligned); tensors that share a storage key share one Storage.

import { itemSize } from '../core/dtype';
import { isPyList, pyList } from '../core/pytree';
import { NDArray, type Storage } from '../core/ndarray';
import { Tensor } from '../trace/tensor';
import { ArchiveError, ZipReader } from './zip';
import { PickleDict, PickleError, PickledTensor, type PickledStorage, storagePid, unpickle } from './pickle';
import { storageFromBytes } from './tensor-data';

export interface TorchLoadOptions {
  /** Name of the record holding the file, for messages. */
  readonly entry?: string;
  /** Copy storage bytes instead of viewing them. */
  readonly copy?: boolean;
}

const MAX_VALUES = 5_000_000;
const MAX_DEPTH = 200;

/**
 * torch.load(bytes, weights_only=True) for the zip format: the unpickled value
 * with tensors as engine Tensors, tuples as arrays, lists as pyList arrays,
 * dicts and OrderedDicts as PickleDict.
 */
export function torchLoad(bytes: Uint8Array, opts: TorchLoadOptions = {}): unknown {
  const entry = opts.entry;
  const fail = (problem: string): never => {
    throw new PickleError(entry, problem);
  };
  if (bytes.length >= 2 && bytes[0] === 0x80) fail('legacy (pre-1.6, non-zip) torch.save files are not supported');
  let zip: ZipReader;
  try {
    zip = new ZipReader(bytes, { maxEntries: 1_000_000 });
  } catch (e) {
    if (e instanceof ArchiveError) throw new PickleError(entry, `is not a torch.save zip: ${e.problem}`);
    throw e;
  }
  if (zip.entries.length === 0) fail('torch.save zip has no records');
  const first = zip.entries[0]!.name;
  const slash = first.indexOf('/');
  if (slash <= 0) fail(`torch.save zip record '${first.slice(0, 80)}' is not inside a root folder`);
  const root = first.slice(0, slash);
  const rec = (r: string) => `${root}/${r}`;
  const readRec = (r: string): Uint8Array => {
    try {
      return zip.read(rec(r));
    } catch (e) {
      if (e instanceof ArchiveError) throw new PickleError(entry, `record '${r}': ${e.problem}`);
      throw e;
    }
  };
  if (!zip.has(rec('data.pkl'))) fail('torch.save zip has no data.pkl');
  if (zip.has(rec('byteorder'))) {
    const bo = new TextDecoder().decode(readRec('byteorder'));
    if (bo !== 'little') fail(`byte order '${bo.slice(0, 20)}' is not supported`);
  }
  const storages = new Map<string, PickledStorage>();
  const raw = unpickle(readRec('data.pkl'), {
    entry,
    persistentLoad: (pid) => {
      const s = storagePid(pid, fail);
      const prev = storages.get(s.key);
      if (prev) {
        if (prev.dtype !== s.dtype || prev.numel !== s.numel) fail(`storage '${s.key}' is referred to with different types or sizes`);
        return prev;
      }
      if (!zip.has(rec(`data/${s.key}`))) fail(`storage record data/${s.key} is missing`);
      const st: PickledStorage = { kind: 'storage', ...s };
      storages.set(s.key, st);
      return st;
    },
  });
  // Engine storages per (key, dtype).
  const built = new Map<string, Storage>();
  const tensorOf = (t: PickledTensor): Tensor => {
    const size = itemSize(t.dtype);
    const bytesOfStorage = t.storage.dtype ? t.storage.numel * itemSize(t.storage.dtype) : t.storage.numel;
    if (t.storage.dtype && t.storage.dtype !== t.dtype) fail(`tensor of ${t.dtype} on a ${t.storage.dtype} storage`);
    const k = `${t.storage.key}:${t.dtype}`;
    let st = built.get(k);
    if (!st) {
      const data = readRec(`data/${t.storage.key}`);
      if (data.length !== bytesOfStorage) fail(`storage record data/${t.storage.key} has ${data.length} bytes, expected ${bytesOfStorage}`);
      if (data.length % size) fail(`storage data/${t.storage.key} of ${data.length} bytes is not a whole number of ${t.dtype} elements`);
      st = storageFromBytes(t.dtype, data, opts.copy ?? false);
      built.set(k, st);
    }
    const n = bytesOfStorage / size;
    let last = t.offset;
    let empty = false;
    t.shape.forEach((d, i) => {
      if (d === 0) empty = true;
      last += (d - 1) * t.strides[i]!;
    });
    if (!empty && last >= n) fail(`tensor reaches element ${last} of a storage of ${n}`);
    const out = Tensor.fromNDArray(new NDArray(st, t.shape, t.strides, t.offset));
    out.requiresGrad = t.requiresGrad;
    return out;
  };
  // Replace PickledTensors (rebuild each object once; refuse cycles and runaway sizes).
  const done = new Map<object, unknown>();
  const active = new Set<object>();
  let count = 0;
  const walk = (v: unknown, depth: number): unknown => {
    if (++count > MAX_VALUES) fail('holds too many values');
    if (depth > MAX_DEPTH) fail('is nested too deeply');
    if (v === null || typeof v !== 'object') return v;
    if (done.has(v)) return done.get(v);
    if (active.has(v)) fail('contains a reference cycle');
    active.add(v);
    let out: unknown;
    if (v instanceof PickledTensor) out = tensorOf(v);
    else if (Array.isArray(v)) {
      const items = v.map((x) => walk(x, depth + 1));
      out = isPyList(v) ? pyList(items) : items;
    } else if (v instanceof PickleDict) {
      const d = new PickleDict(v.ordered);
      for (const [key, x] of v) d.set(key, walk(x, depth + 1));
      out = d;
    } else if (v instanceof Set) out = new Set([...v].map((x) => walk(x, depth + 1)));
    else out = v;
    active.delete(v);
    done.set(v, out);
    return out;
  };
  return walk(raw, 0);
}

/** A torch.save'd dict of tensors (state dict, constants) as a Map. */
export function torchLoadTensorDict(bytes: Uint8Array, opts: TorchLoadOptions = {}): Map<string, Tensor> {
  const v = torchLoad(bytes, opts);
  if (!(v instanceof PickleDict)) throw new PickleError(opts.entry, 'is not a dict');
  const out = new Map<string, Tensor>();
  for (const [k, t] of v) {
    if (typeof k !== 'string') throw new PickleError(opts.entry, 'has a key that is not a string');
    if (!(t instanceof Tensor)) throw new PickleError(opts.entry, `'${k.slice(0, 80)}' is not a tensor (custom objects and other values are not supported)`);
    out.set(k, t);
  }
  return out;
}

/** Dicts with string (or int) keys → plain objects (how the engine holds Python dicts), recursively. */
export function toEngineValue(v: unknown, entry?: string): unknown {
  if (v instanceof PickleDict) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of v) {
      // The engine holds Python dicts as objects, so int keys become their decimal strings, as elsewhere.
      if (typeof k !== 'string' && !(typeof k === 'number' && Number.isInteger(k))) throw new PickleError(entry, `dict key ${String(k).slice(0, 40)} cannot be an engine value`);
      o[String(k)] = toEngineValue(x, entry);
    }
    return o;
  }
  if (Array.isArray(v)) {
    const items = v.map((x) => toEngineValue(x, entry));
    return isPyList(v) ? pyList(items) : items;
  }
  if (v instanceof Set || typeof v === 'bigint') throw new PickleError(entry, `${typeof v === 'bigint' ? 'an int beyond 2^53' : 'a set'} cannot be an engine value`);
  return v;
}

/** `torch.save((args, kwargs))` → `{ args, kwargs }`; an empty record is no inputs. */
export function decodeExampleInputs(bytes: Uint8Array, opts: TorchLoadOptions = {}): { args: unknown[]; kwargs: Record<string, unknown> } | undefined {
  if (bytes.length === 0) return undefined;
  const v = torchLoad(bytes, opts);
  if (v === null) return undefined;
  if (!Array.isArray(v) || v.length !== 2 || !Array.isArray(v[0]) || !(v[1] instanceof PickleDict)) throw new PickleError(opts.entry, 'is not an (args, kwargs) pair');
  return { args: toEngineValue(v[0], opts.entry) as unknown[], kwargs: toEngineValue(v[1], opts.entry) as Record<string, unknown> };
}
