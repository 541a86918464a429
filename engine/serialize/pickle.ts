// A restricted unpickler for the pickles inside torch.save files (protocol 2, as
// torch writes them): the opcodes and globals that torch.load(weights_only=True)
// accepts for tensors, storages and plain containers, nothing else. Every global
// is checked by name before anything is built; a refused one is a typed
// PickleError ("pickle refers to global 'os.system', which is not allowed").
// See Note [Restricted unpickling].
//
// Note [Restricted unpickling]
// The result is a tree of plain values: null, booleans, numbers (Python ints,
// bigint beyond 2^53; non-integral floats), PyFloat for integral Python floats, strings, arrays for tuples,
// pyList arrays for lists, PickleDict (a Map keeping insertion order) for dicts
// and OrderedDicts, Set for sets, and PickledTensor for what torch's
// `_rebuild_tensor_v2`/`_v3`/`_rebuild_parameter` build. Storages come from the
// caller's `persistentLoad` (the `('storage', type, key, location, numel)`
// persistent ids), so this file knows nothing about zips. Limits: the stack,
// the memo and the number of objects built are bounded, strings and byte runs
// are checked against the data before they are read, and nothing recurses.

import { isPyList, pyList } from '../core/pytree';
import { PyFloat } from '../core/scalar';
import { type DType } from '../core/dtype';
import { ArchiveError } from './zip';

/** A pickle the restricted unpickler refuses or cannot read. */
export class PickleError extends ArchiveError {}

/** A dict or OrderedDict from a pickle (keys in insertion order). */
export class PickleDict extends Map<unknown, unknown> {
  constructor(readonly ordered = false) {
    super();
  }
}

/** `torch.<X>Storage` / `torch.storage.UntypedStorage` / a dtype, as a value. */
export class PickleGlobal {
  constructor(readonly name: string) {}
}

/** What the caller's persistentLoad returns for a storage. */
export interface PickledStorage {
  readonly kind: 'storage';
  /** Element type of a typed storage (`FloatStorage` → float32); undefined for UntypedStorage. */
  readonly dtype: DType | undefined;
  readonly key: string;
  readonly location: string;
  /** Elements (typed) or bytes (untyped). */
  readonly numel: number;
}

/** A tensor as torch's rebuild functions describe it. */
export class PickledTensor {
  constructor(
    readonly storage: PickledStorage,
    readonly dtype: DType,
    readonly offset: number,
    readonly shape: number[],
    readonly strides: number[],
    public requiresGrad: boolean,
    public isParameter = false,
  ) {}
}

export interface UnpickleOptions {
  /** Resolves a `BINPERSID` id (already checked to be a `('storage', …)` tuple). */
  persistentLoad(pid: readonly unknown[]): PickledStorage;
  /** Entry name for messages. */
  readonly entry?: string;
  /** Most objects built (default 10 000 000). */
  readonly maxObjects?: number;
}

/** Storage classes (`torch.FloatStorage`) → element type. */
export const STORAGE_DTYPES: Record<string, DType> = {
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};
/** Storage classes torch allows but the engine cannot hold. */
const OTHER_STORAGES = ['ComplexFloatStorage', 'ComplexDoubleStorage', 'QInt8Storage', 'QUInt8Storage', 'QInt32Storage', 'QUInt4x2Storage', 'QUInt2x4Storage'];

const TORCH_DTYPES: Record<string, DType> = {
  float32: 'float32', float: 'float32', float64: 'float64', double: 'float64', float16: 'float16', half: 'float16',
  bfloat16: 'bfloat16', int64: 'int64', long: 'int64', int32: 'int32', int: 'int32', int16: 'int16', short: 'int16',
  int8: 'int8', uint8: 'uint8', bool: 'bool',
};

const REBUILD_FNS = ['_rebuild_tensor', '_rebuild_tensor_v2', '_rebuild_tensor_v3', '_rebuild_parameter', '_rebuild_parameter_with_state'];
/** Allowed by torch's weights-only unpickler but not buildable here: refused with a clear message. */
const ALLOWED_UNSUPPORTED = new Set([
  'torch._utils._rebuild_qtensor', 'torch._utils._rebuild_sparse_tensor', 'torch._utils._rebuild_meta_tensor_no_storage',
  'torch._utils._rebuild_wrapper_subclass', 'torch._utils._rebuild_device_tensor_from_numpy', 'torch._utils._rebuild_device_tensor_from_cpu_tensor',
  'torch._tensor._rebuild_from_type_v2', 'torch.serialization._get_layout', '_codecs.encode', 'builtins.bytearray', 'builtins.complex',
  'torch.nn.parameter.Parameter', 'torch.Tensor', 'collections.Counter',
  ...OTHER_STORAGES.map((s) => `torch.${s}`),
]);

/** Whether torch.load(weights_only=True) — and this reader — accepts `module.name` as a global at all. */
export function isAllowedGlobal(full: string): boolean {
  const dot = full.lastIndexOf('.');
  const mod = full.slice(0, dot);
  const name = full.slice(dot + 1);
  if (['sys', 'os', 'posix', 'nt'].includes(mod.split('.')[0]!)) return false;
  if (full === 'collections.OrderedDict' || full === 'builtins.set' || full === 'torch.Size' || full === 'torch.device') return true;
  if (mod === 'torch._utils' && REBUILD_FNS.includes(name)) return true;
  if (mod === 'torch' && (name in STORAGE_DTYPES || name in TORCH_DTYPES)) return true;
  if (full === 'torch.storage.UntypedStorage' || full === 'torch.storage.TypedStorage') return true;
  return ALLOWED_UNSUPPORTED.has(full);
}

// Opcodes (protocol 2 subset accepted by torch's weights-only unpickler).
const OP = {
  PROTO: 0x80, STOP: 0x2e, GLOBAL: 0x63, REDUCE: 0x52, NEWOBJ: 0x81, BUILD: 0x62, MARK: 0x28,
  TUPLE: 0x74, TUPLE1: 0x85, TUPLE2: 0x86, TUPLE3: 0x87, EMPTY_TUPLE: 0x29, EMPTY_LIST: 0x5d, EMPTY_DICT: 0x7d,
  EMPTY_SET: 0x8f, ADDITEMS: 0x90, APPEND: 0x61, APPENDS: 0x65, SETITEM: 0x73, SETITEMS: 0x75, NONE: 0x4e,
  NEWTRUE: 0x88, NEWFALSE: 0x89, BININT: 0x4a, BININT1: 0x4b, BININT2: 0x4d, LONG1: 0x8a, BINFLOAT: 0x47,
  BINUNICODE: 0x58, SHORT_BINSTRING: 0x55, BINPERSID: 0x51, BINGET: 0x68, LONG_BINGET: 0x6a, BINPUT: 0x71,
  LONG_BINPUT: 0x72,
} as const;
/** Names of refused opcodes, for messages. */
const REFUSED_OPS: Record<number, string> = {
  0x93: 'STACK_GLOBAL', 0x95: 'FRAME', 0x94: 'MEMOIZE', 0x69: 'INST', 0x6f: 'OBJ', 0x92: 'NEWOBJ_EX', 0x50: 'PERSID',
  0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4', 0x42: 'BINBYTES', 0x43: 'SHORT_BINBYTES', 0x8e: 'BINBYTES8', 0x8d: 'BINUNICODE8',
  0x8c: 'SHORT_BINUNICODE', 0x49: 'INT', 0x4c: 'LONG', 0x46: 'FLOAT', 0x53: 'STRING', 0x56: 'UNICODE', 0x67: 'GET', 0x70: 'PUT',
  0x64: 'DICT', 0x6c: 'LIST', 0x30: 'POP', 0x31: 'POP_MARK', 0x32: 'DUP', 0x91: 'FROZENSET', 0x96: 'BYTEARRAY8',
  0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER', 0x8b: 'LONG4', 0x54: 'BINSTRING',
};
const OP_NAMES = new Map<number, string>([...Object.entries(OP).map(([k, v]) => [v, k] as [number, string]), ...Object.entries(REFUSED_OPS).map(([k, v]) => [Number(k), v] as [number, string])]);

const MAX_STACK = 1_000_000;
const MAX_MEMO = 1_000_000;

/** Unpickle `data` with the restricted rules of Note [Restricted unpickling]. */
export function unpickle(data: Uint8Array, opts: UnpickleOptions): unknown {
  const entry = opts.entry;
  const fail = (problem: string): never => {
    throw new PickleError(entry, problem);
  };
  const maxObjects = opts.maxObjects ?? 10_000_000;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const latin1 = new TextDecoder('latin1');
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  let built = 0;
  let p = 0;
  const need = (n: number, what: string) => {
    if (p + n > data.length) fail(`truncated in ${what} at byte ${p}`);
  };
  const push = (v: unknown) => {
    if (stack.length >= MAX_STACK) fail('stack grows beyond its limit');
    if (++built > maxObjects) fail(`builds more than ${maxObjects} objects`);
    stack.push(v);
  };
  const pop = (): unknown => {
    if (stack.length === 0 || (marks.length && stack.length <= marks[marks.length - 1]!)) fail(`stack underflow at byte ${p}`);
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0 || (marks.length && stack.length <= marks[marks.length - 1]!)) fail(`stack underflow at byte ${p}`);
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const m = marks.pop();
    if (m === undefined) fail(`no MARK before byte ${p}`);
    return stack.splice(m!);
  };
  const asInt = (v: unknown, what: string): number => {
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    return fail(`${what} is not an int`);
  };
  const asIntTuple = (v: unknown, what: string): number[] => {
    if (!Array.isArray(v)) fail(`${what} is not a tuple`);
    return (v as unknown[]).map((x, i) => {
      const n = asInt(x, `${what}[${i}]`);
      if (n < 0 || n > 2 ** 48) fail(`${what}[${i}] = ${n} is out of range`);
      return n;
    });
  };
  const asStorage = (v: unknown, what: string): PickledStorage => {
    if (typeof v === 'object' && v !== null && (v as PickledStorage).kind === 'storage') return v as PickledStorage;
    return fail(`${what} is not a storage`);
  };
  const asBool = (v: unknown, what: string): boolean => {
    if (typeof v === 'boolean') return v;
    return fail(`${what} is not a bool`);
  };

  const call = (fn: PickleGlobal, args: unknown): unknown => {
    if (!Array.isArray(args)) fail(`arguments of ${fn.name} are not a tuple`);
    const a = args as unknown[];
    switch (fn.name) {
      case 'collections.OrderedDict':
        if (a.length !== 0) fail('OrderedDict(...) with arguments is not supported');
        return new PickleDict(true);
      case 'builtins.set': {
        if (a.length > 1) fail('set(...) takes at most one argument');
        const s = new Set<unknown>();
        if (a.length === 1) {
          if (!Array.isArray(a[0])) fail('set(...) of a non-sequence');
          for (const x of a[0] as unknown[]) s.add(x);
        }
        return s;
      }
      case 'torch.Size':
        if (a.length !== 1) fail('torch.Size(...) takes one tuple');
        return asIntTuple(a[0], 'torch.Size argument');
      case 'torch.device':
        if (a.length < 1 || a.length > 2 || typeof a[0] !== 'string') fail('torch.device(...) takes a string');
        return a.length === 2 ? `${a[0]}:${asInt(a[1], 'device index')}` : a[0];
      case 'torch._utils._rebuild_tensor':
      case 'torch._utils._rebuild_tensor_v2':
      case 'torch._utils._rebuild_tensor_v3': {
        const v3 = fn.name.endsWith('_v3');
        const v1 = fn.name.endsWith('_rebuild_tensor');
        if (a.length < (v1 ? 4 : v3 ? 7 : 6) || a.length > (v1 ? 4 : 8)) fail(`${fn.name} called with ${a.length} arguments`);
        const st = asStorage(a[0], `${fn.name} storage`);
        const offset = asInt(a[1], 'storage offset');
        const shape = asIntTuple(a[2], 'size');
        const strides = asIntTuple(a[3], 'stride');
        if (shape.length !== strides.length) fail('size and stride have different lengths');
        const requiresGrad = v1 ? false : asBool(a[4], 'requires_grad');
        if (!v1 && !(a[5] instanceof PickleDict)) fail('backward hooks are not an OrderedDict');
        if (!v1 && a[5] instanceof PickleDict && a[5].size) fail('tensors with backward hooks are not supported');
        let dtype = st.dtype;
        if (v3) {
          const g = a[6];
          if (!(g instanceof PickleGlobal) || !(g.name.slice(6) in TORCH_DTYPES)) fail(`${fn.name}: dtype ${g instanceof PickleGlobal ? g.name : typeof g} is not supported`);
          dtype = TORCH_DTYPES[(a[6] as PickleGlobal).name.slice(6)];
        }
        if (!dtype) return fail(`${fn.name}: untyped storage without a dtype`);
        if (st.location !== 'cpu' && !/^(cuda|mps|meta|xpu)(:\d+)?$/.test(st.location)) fail(`storage location '${st.location.slice(0, 40)}' is not supported`);
        if (offset < 0) fail('negative storage offset');
        return new PickledTensor(st, dtype, offset, shape, strides, requiresGrad);
      }
      case 'torch._utils._rebuild_parameter':
      case 'torch._utils._rebuild_parameter_with_state': {
        if (a.length < 3 || !(a[0] instanceof PickledTensor)) fail(`${fn.name} expects a tensor`);
        const t = a[0] as PickledTensor;
        const out = new PickledTensor(t.storage, t.dtype, t.offset, t.shape, t.strides, asBool(a[1], 'requires_grad'), true);
        return out;
      }
    }
    if (fn.name.startsWith('torch.') && fn.name.slice(6) in TORCH_DTYPES) fail(`dtype ${fn.name} is not callable`);
    return fail(`calling ${fn.name} is allowed by torch but not supported by this reader`);
  };

  while (true) {
    if (p >= data.length) fail('ends without a STOP opcode');
    const at = p;
    const op = data[p++]!;
    switch (op) {
      case OP.PROTO:
        need(1, 'PROTO');
        if (data[p]! > 5) fail(`pickle protocol ${data[p]} is not supported`);
        p++;
        break;
      case OP.STOP: {
        if (stack.length !== 1 || marks.length) fail(`STOP with ${stack.length} values on the stack`);
        return stack[0];
      }
      case OP.GLOBAL: {
        const nl1 = data.indexOf(0x0a, p);
        const nl2 = nl1 < 0 ? -1 : data.indexOf(0x0a, nl1 + 1);
        if (nl1 < 0 || nl2 < 0 || nl2 - p > 512) fail(`GLOBAL at byte ${at} is truncated`);
        const mod = latin1.decode(data.subarray(p, nl1));
        const name = latin1.decode(data.subarray(nl1 + 1, nl2));
        p = nl2 + 1;
        const full = `${mod}.${name}`;
        const printable = full.replace(/[^\x20-\x7e]/g, '?').slice(0, 120);
        if (!/^[A-Za-z_][\w.]*$/.test(mod) || !/^[A-Za-z_]\w*$/.test(name) || !isAllowedGlobal(full)) fail(`pickle refers to global '${printable}', which is not allowed`);
        push(new PickleGlobal(full));
        break;
      }
      case OP.REDUCE: {
        const args = pop();
        const fn = pop();
        if (!(fn instanceof PickleGlobal)) fail(`REDUCE at byte ${at} calls something that is not an allowed global`);
        push(call(fn as PickleGlobal, args));
        break;
      }
      case OP.NEWOBJ: {
        const args = pop();
        const cls = pop();
        if (!(cls instanceof PickleGlobal)) fail(`NEWOBJ at byte ${at} on something that is not an allowed class`);
        const name = (cls as PickleGlobal).name;
        if (name === 'collections.OrderedDict' || name === 'builtins.set') push(call(cls as PickleGlobal, args));
        else fail(`creating ${name} objects is not supported by this reader`);
        break;
      }
      case OP.BUILD: {
        const state = pop();
        const target = top();
        // torch allows BUILD on OrderedDicts (their `_metadata`), tensors and parameters; the state is not needed here.
        if (target instanceof PickleDict) {
          if (!(state instanceof PickleDict) && state !== null) fail('BUILD state of a dict is not a dict');
        } else if (target instanceof PickledTensor) {
          if (!(state instanceof PickleDict) && !Array.isArray(state) && state !== null) fail('BUILD state of a tensor is not a dict or tuple');
        } else fail(`BUILD at byte ${at} on an object that cannot take state`);
        break;
      }
      case OP.MARK:
        if (marks.length > 100_000) fail('too many nested MARKs');
        marks.push(stack.length);
        break;
      case OP.TUPLE:
        push(popMark());
        break;
      case OP.TUPLE1:
      case OP.TUPLE2:
      case OP.TUPLE3: {
        const n = op - OP.TUPLE1 + 1;
        const items: unknown[] = [];
        for (let i = 0; i < n; i++) items.unshift(pop());
        push(items);
        break;
      }
      case OP.EMPTY_TUPLE:
        push([]);
        break;
      case OP.EMPTY_LIST:
        push(pyList([]));
        break;
      case OP.EMPTY_DICT:
        push(new PickleDict());
        break;
      case OP.EMPTY_SET:
        push(new Set());
        break;
      case OP.APPEND:
      case OP.APPENDS: {
        const items = op === OP.APPEND ? [pop()] : popMark();
        const list = top();
        if (!isPyList(list)) fail(`APPEND at byte ${at} to something that is not a list`);
        (list as unknown[]).push(...items);
        built += items.length;
        break;
      }
      case OP.ADDITEMS: {
        const items = popMark();
        const set = top();
        if (!(set instanceof Set)) fail(`ADDITEMS at byte ${at} to something that is not a set`);
        for (const x of items) (set as Set<unknown>).add(x);
        break;
      }
      case OP.SETITEM:
      case OP.SETITEMS: {
        const items = op === OP.SETITEM ? (() => {
          const v = pop();
          const k = pop();
          return [k, v];
        })() : popMark();
        if (items.length % 2) fail(`SETITEMS at byte ${at} with an odd number of items`);
        const d = top();
        if (!(d instanceof PickleDict)) fail(`SETITEM at byte ${at} on something that is not a dict`);
        for (let i = 0; i < items.length; i += 2) {
          const k = items[i];
          if (typeof k !== 'string' && typeof k !== 'number' && typeof k !== 'boolean' && k !== null && !(k instanceof PyFloat))
            fail(`dict key at byte ${at} is not a string or number`);
          (d as PickleDict).set(k instanceof PyFloat ? k.value : k, items[i + 1]);
        }
        break;
      }
      case OP.NONE:
        push(null);
        break;
      case OP.NEWTRUE:
        push(true);
        break;
      case OP.NEWFALSE:
        push(false);
        break;
      case OP.BININT:
        need(4, 'BININT');
        push(view.getInt32(p, true));
        p += 4;
        break;
      case OP.BININT1:
        need(1, 'BININT1');
        push(data[p++]!);
        break;
      case OP.BININT2:
        need(2, 'BININT2');
        push(view.getUint16(p, true));
        p += 2;
        break;
      case OP.LONG1: {
        need(1, 'LONG1');
        const n = data[p++]!;
        need(n, 'LONG1');
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(data[p + i]!);
        if (n > 0 && data[p + n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
        p += n;
        push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case OP.BINFLOAT:
        need(8, 'BINFLOAT');
        {
          const f = view.getFloat64(p, false);
          push(Number.isInteger(f) ? new PyFloat(f) : f);
        }
        p += 8;
        break;
      case OP.BINUNICODE: {
        need(4, 'BINUNICODE');
        const n = view.getUint32(p, true);
        p += 4;
        need(n, 'BINUNICODE');
        try {
          push(utf8.decode(data.subarray(p, p + n)));
        } catch {
          fail(`string at byte ${at} is not UTF-8`);
        }
        p += n;
        break;
      }
      case OP.SHORT_BINSTRING: {
        need(1, 'SHORT_BINSTRING');
        const n = data[p++]!;
        need(n, 'SHORT_BINSTRING');
        push(latin1.decode(data.subarray(p, p + n)));
        p += n;
        break;
      }
      case OP.BINPERSID: {
        const pid = pop();
        if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length !== 5) fail(`persistent id at byte ${at} is not a ('storage', type, key, location, numel) tuple`);
        push(opts.persistentLoad(pid as unknown[]));
        break;
      }
      case OP.BINGET:
      case OP.LONG_BINGET: {
        const n = op === OP.BINGET ? 1 : 4;
        need(n, 'BINGET');
        const idx = n === 1 ? data[p]! : view.getUint32(p, true);
        p += n;
        if (!memo.has(idx)) fail(`memo key ${idx} at byte ${at} was never stored`);
        push(memo.get(idx));
        break;
      }
      case OP.BINPUT:
      case OP.LONG_BINPUT: {
        const n = op === OP.BINPUT ? 1 : 4;
        need(n, 'BINPUT');
        const idx = n === 1 ? data[p]! : view.getUint32(p, true);
        p += n;
        if (memo.size >= MAX_MEMO && !memo.has(idx)) fail('memo grows beyond its limit');
        memo.set(idx, top());
        break;
      }
      default: {
        const name = OP_NAMES.get(op);
        fail(`opcode ${name ?? `0x${op.toString(16).padStart(2, '0')}`} at byte ${at} is not allowed`);
      }
    }
  }
}

/** Storage class of a `('storage', type, key, location, numel)` persistent id, checked. */
export function storagePid(pid: readonly unknown[], fail: (problem: string) => never): { dtype: DType | undefined; key: string; location: string; numel: number } {
  const [, type, key, location, numel] = pid;
  if (!(type instanceof PickleGlobal)) return fail('storage type in a persistent id is not a global');
  const name = type.name.startsWith('torch.') ? type.name.slice(6) : type.name;
  let dtype: DType | undefined;
  if (name in STORAGE_DTYPES) dtype = STORAGE_DTYPES[name];
  else if (name !== 'storage.UntypedStorage') return fail(`storage type ${type.name} is not supported`);
  if (typeof key !== 'string' || !/^\d{1,9}$/.test(key)) return fail('storage key is not a decimal string');
  if (typeof location !== 'string') return fail('storage location is not a string');
  if (typeof numel !== 'number' || !Number.isInteger(numel) || numel < 0) return fail('storage size is not a non-negative int');
  return { dtype, key, location, numel };
}
