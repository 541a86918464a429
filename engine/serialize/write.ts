// Writing ExportedPrograms as .pt2 archives torch.export.load accepts (the
// torch 2.11 layout, PT2-FORMAT.md §2–§16): models/<m>.json in the serde schema
// with arguments named from each op's schema, raw weights and constants with
// their configs, and the archive markers, in PyTorch's record order.

import { EngineError, UnsupportedOperatorError } from '../core/errors';
import { type Storage } from '../core/ndarray';
import { PyFloat } from '../core/scalar';
import { type TreeSpec } from '../core/pytree';
import { ArgTuple, type Graph, Node, type NodeMeta, type StackFrame } from '../ir/graph';
import { TorchDType, TorchDevice, TorchEnum } from '../ir/format';
import { type TensorMeta, isTensorMeta } from '../ops/types';
import { defaultRegistry } from '../ops/register-all';
import { type BoolExpr, type IntLike, type Poly, SymBool, SymInt, printExpr, substitute, symbol } from '../symbolic';
import { type ExportedProgram } from '../export/exported-program';
import { Tensor } from '../trace/tensor';
import { ArchiveError, crc32, writeZip, type ZipRecord } from './zip';
import type * as S from './schema';
import { ATEN_OPSET_VERSION, SCHEMA_VERSION, TORCH_VERSION } from './schema';
import { JsonFloat, pyJsonDumps } from './json';
import { codeFromDType, codeFromDTypeName, storageToBytes } from './tensor-data';
import { sreprBool, sreprPoly } from './sym-expr';
import { dumpTreeSpec } from './treespec';
import { programExtras } from './extras';
import { parseStackTrace } from './read';

export interface SaveOptions {
  /** Root folder of the records: torch uses the file name without its extension (default `archive`). */
  readonly rootName?: string;
  /** Model name (default `model`, as torch.export.save writes). */
  readonly modelName?: string;
  /** torch_version to record (default: the loaded file's, else 2.11.0). */
  readonly torchVersion?: string;
  /** `extra/<name>` records. */
  readonly extraFiles?: ReadonlyMap<string, string>;
}

/** A program that cannot be written (an op without a schema, an unsupported value). */
export class SerializeError extends EngineError {
  readonly pythonType = 'torch._export.serde.serialize.SerializeError';
}

const enc = new TextEncoder();

/** torch.export.save: the bytes of a .pt2 archive holding `ep` as model `model`. */
export function savePt2(ep: ExportedProgram, opts: SaveOptions = {}): Uint8Array {
  return savePt2Programs(new Map([[opts.modelName ?? 'model', ep]]), opts);
}

/** package_pt2 with several programs. */
export function savePt2Programs(programs: ReadonlyMap<string, ExportedProgram>, opts: SaveOptions = {}): Uint8Array {
  const root = opts.rootName ?? 'archive';
  if (!/^[^/\\]+$/.test(root) || root === '.' || root === '..') throw new ArchiveError(undefined, `bad root folder name '${root}'`);
  const records: ZipRecord[] = [];
  const add = (name: string, data: Uint8Array | string) => records.push({ name: `${root}/${name}`, data: typeof data === 'string' ? enc.encode(data) : data });
  for (const [model, ep] of programs) {
    if (!/^[A-Za-z0-9_.-]+$/.test(model)) throw new ArchiveError(undefined, `bad model name '${model}'`);
    const weights = payloads(ep, 'weights');
    for (const [path, data] of weights.files) add(`data/weights/${path}`, data);
    add(`data/weights/${model}_weights_config.json`, pyJsonDumps(weights.config));
    const constants = payloads(ep, 'constants');
    for (const [path, data] of constants.files) add(`data/constants/${path}`, data);
    add(`data/constants/${model}_constants_config.json`, pyJsonDumps(constants.config));
    add(`models/${model}.json`, pyJsonDumps(serializeProgram(ep, opts)));
    // Example inputs: those of the loaded file when there was one; otherwise none (torch reads an empty record as None).
    add(`data/sample_inputs/${model}.pt`, programExtras.get(ep)?.sampleInputs ?? new Uint8Array(0));
  }
  for (const [name, text] of opts.extraFiles ?? []) add(`extra/${name}`, text);
  add('archive_format', 'pt2');
  add('archive_version', '0');
  add('.data/version', '6\n');
  add('byteorder', 'little');
  // Any 40 digits do (PT2-FORMAT §2.5); ours come from the names and contents.
  const nameHash = crc32(enc.encode(records.map((r) => r.name).join('\n')));
  const dataHash = records.reduce((h, r) => crc32(r.data, h), 0);
  add('.data/serialization_id', `${String(nameHash).padStart(20, '0')}${String(dataHash).padStart(20, '0')}`);
  return writeZip(records);
}

// ---------------------------------------------------------------- payloads

function payloads(ep: ExportedProgram, which: 'weights' | 'constants'): { config: S.PayloadConfig; files: Array<[string, Uint8Array]> } {
  const tensors = which === 'weights' ? ep.stateDict : ep.constants;
  const prefix = which === 'weights' ? 'weight_' : 'tensor_';
  const params = new Set(ep.graphSignature.inputSpecs.filter((s) => s.kind === 'PARAMETER').map((s) => s.target));
  const files: Array<[string, Uint8Array]> = [];
  const byStorage = new Map<Storage, string>();
  const config: Record<string, S.PayloadMeta> = {};
  for (const [key, t] of tensors) {
    if (!(t instanceof Tensor) || t.isFake) throw new SerializeError(`${which} entry '${key}' has no data`);
    const nd = t.nd;
    let path = byStorage.get(nd.storage);
    if (!path) {
      path = `${prefix}${files.length}`;
      byStorage.set(nd.storage, path);
      files.push([path, storageToBytes(nd.storage)]);
    }
    config[key] = {
      path_name: path,
      is_param: params.has(key),
      use_pickle: false,
      tensor_meta: {
        dtype: codeFromDType(nd.dtype),
        sizes: nd.shape.map((d) => ({ as_int: d })),
        requires_grad: t.requiresGrad || params.has(key),
        device: { type: 'cpu', index: null },
        strides: nd.strides.map((d) => ({ as_int: d })),
        storage_offset: { as_int: nd.offset },
        layout: 7,
      },
    };
  }
  return { config: { config }, files };
}

// ---------------------------------------------------------------- program

const rangeBound = (v: number): number | null => (Number.isFinite(v) ? v : null);

export function serializeProgram(ep: ExportedProgram, opts: SaveOptions = {}): S.ExportedProgram {
  const extras = programExtras.get(ep);
  const sig = ep.graphSignature;
  const rename = renamer(extras?.symbolNames);
  const w = new GraphWriter(ep, ep.graph, rename);
  const params = new Set(sig.inputSpecs.filter((s) => s.kind === 'PARAMETER').map((s) => s.name));
  const graph = w.write(params);
  const outVals = (ep.graph.outputNode?.args[0] ?? []) as unknown[];
  const inputSpecs: S.InputSpec[] = sig.inputSpecs.map((s, i) => {
    const arg = { name: s.name };
    switch (s.kind) {
      case 'USER_INPUT': {
        const gi = graph.inputs[i]!;
        if (gi.as_tensor || gi.as_sym_int || gi.as_sym_bool || gi.as_sym_float) return { user_input: { arg: gi } };
        return { constant_input: { name: s.name, value: gi as S.ConstantValue } };
      }
      case 'PARAMETER':
        return { parameter: { arg, parameter_name: s.target! } };
      case 'BUFFER':
        return { buffer: { arg, buffer_name: s.target!, persistent: s.persistent !== false } };
      case 'CONSTANT_TENSOR':
        return { tensor_constant: { arg, tensor_constant_name: s.target! } };
      case 'TOKEN':
        return { token: { arg } };
      case 'CUSTOM_OBJ':
        throw new SerializeError(`custom object input ${s.name} cannot be serialized`);
    }
  });
  const outputSpecs: S.OutputSpec[] = sig.outputSpecs.map((s, i) => {
    const value = outVals[i];
    const arg = graph.outputs[i]!;
    const tensorArg = (): S.TensorArgument => {
      if (!(value instanceof Node)) throw new SerializeError(`output ${i} (${s.kind}) is not a tensor`);
      return { name: value.name };
    };
    switch (s.kind) {
      case 'USER_OUTPUT':
        return { user_output: { arg } };
      case 'LOSS_OUTPUT':
        return { loss_output: { arg: tensorArg() } };
      case 'BUFFER_MUTATION':
        return { buffer_mutation: { arg: tensorArg(), buffer_name: s.target! } };
      case 'PARAMETER_MUTATION':
        return { parameter_mutation: { arg: tensorArg(), parameter_name: s.target! } };
      case 'GRADIENT_TO_PARAMETER':
        return { gradient_to_parameter: { arg: tensorArg(), parameter_name: s.target! } };
      case 'GRADIENT_TO_USER_INPUT':
        return { gradient_to_user_input: { arg: tensorArg(), user_input_name: s.target! } };
      case 'USER_INPUT_MUTATION':
        return { user_input_mutation: { arg: tensorArg(), user_input_name: s.target! } };
      case 'TOKEN':
        return { token: { arg: tensorArg() } };
    }
  });
  const range_constraints: Record<string, S.RangeConstraint> = {};
  for (const rc of ep.rangeConstraints) range_constraints[printExpr(rename(ep.parts.env.simplify(rc.expr)))] = { min_val: rangeBound(rc.range.lo), max_val: rangeBound(rc.range.hi) };
  const forwardArgNames = extras?.forwardArgNames ?? forwardArgNamesOf(ep.parts.inSpec, ep.parts.inputPaths);
  const rootSignature: S.ModuleCallSignature = {
    inputs: [],
    outputs: [],
    in_spec: dumpTreeSpec(ep.parts.inSpec),
    out_spec: dumpTreeSpec(ep.parts.outSpec),
    forward_arg_names: forwardArgNames,
  };
  const mcg: S.ModuleCallEntry[] = extras
    ? extras.moduleCallGraph.map((e) => (e.fqn === '' ? { fqn: '', signature: rootSignature } : e))
    : [{ fqn: '', signature: rootSignature }];
  if (!mcg.some((e) => e.fqn === '')) mcg.unshift({ fqn: '', signature: rootSignature });
  return {
    graph_module: {
      graph,
      signature: { input_specs: inputSpecs, output_specs: outputSpecs },
      module_call_graph: mcg,
      metadata: extras?.graphModuleMetadata ?? {},
      treespec_namedtuple_fields: extras?.treespecNamedtupleFields ?? {},
    },
    opset_version: extras?.opsetVersion ?? { aten: ATEN_OPSET_VERSION },
    range_constraints,
    schema_version: { major: SCHEMA_VERSION.major, minor: SCHEMA_VERSION.minor },
    verifiers: extras?.verifiers ?? [ep.parts.isTrainingIR ? 'TRAINING' : 'ATEN'],
    torch_version: opts.torchVersion ?? extras?.torchVersion ?? TORCH_VERSION,
    guards_code: extras?.guardsCode ?? [],
  };
}

/**
 * forward_arg_names as torch records them: positional parameters (a `*args`
 * parameter contributes `args_0`, `args_1`, …), then keyword arguments.
 */
function forwardArgNamesOf(inSpec: TreeSpec, inputPaths: readonly string[]): string[] {
  const args = inSpec.children[0]?.children ?? [];
  const kwargs = inSpec.children[1];
  const count = (s: TreeSpec): number => (s.type === 'leaf' ? 1 : s.children.reduce((a, c) => a + count(c), 0));
  const names: string[] = [];
  let leaf = 0;
  args.forEach((a, i) => {
    const n = count(a);
    const path = n > 0 ? inputPaths[leaf] : undefined;
    leaf += n;
    if (!path) return names.push(`args_${i}`);
    // A leaf of a star parameter reads `myargs[0]` with the index of the positional slot.
    const star = /^(\w+)\[(\d+)\]/.exec(path);
    names.push(star && a.type === 'leaf' ? `${star[1]}_${star[2]}` : path.replace(/\[.*$/, ''));
  });
  for (const k of kwargs?.context ?? []) names.push(String(k));
  return names;
}

// ---------------------------------------------------------------- graphs

type Renamer = <T extends Poly | BoolExpr>(e: T) => T;

/** Symbols back to the names the loaded file used (s0 → s27), so a re-save writes the same text. */
function renamer(names: ReadonlyMap<string, string> | undefined): Renamer {
  if (!names || [...names].every(([a, b]) => a === b)) return (e) => e;
  return (<T extends Poly | BoolExpr>(e: T): T => substitute(e as Poly, (n) => (names.has(n) ? symbol(names.get(n)!) : undefined)) as unknown as T) as Renamer;
}

const PY_OP_ARGS: Record<string, string[]> = { neg: ['a'], pos: ['a'], not_: ['a'], abs: ['a'], invert: ['a'] };

function serialTarget(t: string): string {
  if (t.startsWith('operator.')) return `_operator.${t.slice(9)}`;
  if (t.startsWith('torch.') || t.startsWith('math.')) return t;
  return `torch.ops.${t}`;
}

function stackTraceText(frames: readonly StackFrame[]): string {
  return frames.map((f) => `  File "${f.file}", line ${f.line}, in ${f.name}\n    ${f.code}\n`).join('');
}

function encodeMeta(meta: NodeMeta): Record<string, string> {
  const out: Record<string, string> = {};
  const extra = (meta.pt2Metadata ?? {}) as Record<string, string>;
  const raw = extra.stack_trace;
  if (meta.stackTrace?.length)
    out.stack_trace = raw && JSON.stringify(parseStackTrace(raw)) === JSON.stringify(meta.stackTrace) ? raw : stackTraceText(meta.stackTrace);
  else if (raw && parseStackTrace(raw).length === 0) out.stack_trace = raw;
  if (meta.nnModuleStack?.length) out.nn_module_stack = meta.nnModuleStack.map((e) => e.join(',')).join(';');
  if (meta.sourceFnStack?.length) out.source_fn_stack = meta.sourceFnStack.map((e) => e.join(',')).join(';');
  for (const [k, v] of Object.entries(extra)) if (!(k in out) && typeof v === 'string') out[k] = v;
  return out;
}

const floatJson = (v: number | PyFloat): JsonFloat | string => {
  const f = v instanceof PyFloat ? v.value : v;
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return 'Infinity';
  if (f === -Infinity) return '-Infinity';
  return new JsonFloat(f);
};

/** Schema types standing in for an argument's serialized kind when the op has no schema here. */
const TAG_TYPES: Record<string, string> = {
  as_tensors: 'Tensor[]',
  as_ints: 'int[]',
  as_sym_ints: 'SymInt[]',
  as_floats: 'float[]',
  as_float: 'float',
  as_bools: 'bool[]',
  as_strings: 'str[]',
  as_optional_tensors: 'Tensor?[]',
  as_scalar_type: 'ScalarType',
  as_layout: 'Layout',
  as_memory_format: 'MemoryFormat',
  as_device: 'Device',
};

const MEMORY_FORMAT_CODES: Record<string, number> = { contiguous_format: 1, channels_last: 2, channels_last_3d: 3, preserve_format: 4 };
const LAYOUT_CODES: Record<string, number> = { sparse_coo: 1, sparse_csr: 2, sparse_csc: 3, sparse_bsr: 4, sparse_bsc: 5, _mkldnn: 6, strided: 7 };

class GraphWriter {
  private readonly tensorValues: Record<string, S.TensorMeta> = {};
  private readonly symIntValues: Record<string, S.SymInt> = {};
  private readonly symBoolValues: Record<string, S.SymBool> = {};
  private readonly symFloatValues: Record<string, S.SymFloat> = {};

  constructor(
    readonly ep: ExportedProgram,
    readonly graph: Graph,
    readonly rename: Renamer,
  ) {}

  private fail(problem: string): never {
    throw new SerializeError(problem);
  }

  private symInt(v: IntLike): S.SymInt {
    if (typeof v === 'number') return { as_int: v };
    const e = this.rename(v.env.simplify(v.expr));
    const c = e.constantValue;
    if (c !== undefined) return { as_int: c };
    const hint = v.env.hint(v.expr);
    return { as_expr: { expr_str: sreprPoly(e), hint: typeof hint === 'number' ? { as_int: hint } : null } };
  }

  private tensorMeta(m: TensorMeta, requiresGrad = false): S.TensorMeta {
    return {
      dtype: codeFromDType(m.dtype),
      sizes: m.shape.map((d) => this.symInt(d)),
      requires_grad: requiresGrad,
      device: { type: 'cpu', index: null },
      strides: m.strides.map((d) => this.symInt(d)),
      storage_offset: this.symInt(m.storageOffset ?? 0),
      layout: 7,
    };
  }

  /** Record the value a node defines; returns its output Argument. */
  private recordValue(name: string, val: unknown, requiresGrad = false): S.Argument {
    if (isTensorMeta(val)) {
      this.tensorValues[name] = this.tensorMeta(val, requiresGrad);
      return { as_tensor: { name } };
    }
    if (val instanceof SymInt || typeof val === 'number') {
      this.symIntValues[name] = this.symInt(val as IntLike);
      return { as_sym_int: { as_name: name } };
    }
    if (val instanceof SymBool || typeof val === 'boolean') {
      if (typeof val === 'boolean') this.symBoolValues[name] = { as_bool: val };
      else {
        // torch records no hint for sym bools.
        const e = this.rename(val.env.simplify(val.expr));
        this.symBoolValues[name] = e.kind === 'bool' ? { as_bool: e.value } : { as_expr: { expr_str: sreprBool(e), hint: null } };
      }
      return { as_sym_bool: { as_name: name } };
    }
    return this.fail(`value of '${name}' (${String(val)}) has no serialized form`);
  }

  write(params: ReadonlySet<string> = new Set()): S.Graph {
    const g = this.graph;
    const inputs: S.Argument[] = g.placeholders.map((p) => {
      const v = p.meta.val;
      if (isTensorMeta(v) || v instanceof SymInt || v instanceof SymBool) return this.recordValue(p.name, v, params.has(p.name));
      return this.constant(v, `input ${p.name}`);
    });
    const nodes: S.Node[] = [];
    for (const n of g.nodes) {
      if (n.op !== 'call_function' || n.target === 'getitem') continue;
      nodes.push(this.node(n));
    }
    const outNode = g.outputNode;
    const outVals = (outNode ? (Array.isArray(outNode.args[0]) ? outNode.args[0] : [outNode.args[0]]) : []) as unknown[];
    const outputs = outVals.map((v, i) => this.outputArg(v, `output ${i}`));
    return {
      inputs,
      outputs,
      nodes,
      tensor_values: this.tensorValues,
      sym_int_values: this.symIntValues,
      sym_bool_values: this.symBoolValues,
      is_single_tensor_return: false,
      custom_obj_values: {},
      sym_float_values: this.symFloatValues,
    };
  }

  private constant(v: unknown, what: string): S.Argument {
    if (v === null || v === undefined) return { as_none: true };
    if (typeof v === 'boolean') return { as_bool: v };
    if (typeof v === 'number') return Number.isInteger(v) ? { as_int: v } : { as_float: floatJson(v) as unknown as number };
    if (v instanceof PyFloat) return { as_float: floatJson(v) as unknown as number };
    if (typeof v === 'string') return { as_string: v };
    return this.fail(`${what}: ${String(v)} has no serialized form`);
  }

  private outputArg(v: unknown, what: string): S.Argument {
    if (v instanceof Node) {
      const val = v.meta.val;
      if (isTensorMeta(val)) return { as_tensor: { name: v.name } };
      if (val instanceof SymInt || typeof val === 'number') return { as_sym_int: { as_name: v.name } };
      if (val instanceof SymBool || typeof val === 'boolean') return { as_sym_bool: { as_name: v.name } };
      return this.fail(`${what}: node ${v.name} has no recorded value`);
    }
    return this.constant(v, what);
  }

  private node(n: Node): S.Node {
    const target = n.target;
    const isHop = target.startsWith('higher_order.');
    const inputs: S.NamedArgument[] = [];
    if (isHop) {
      n.args.forEach((a) => inputs.push({ name: '', arg: this.argument(a, undefined, `${n.name}`), kind: 1 }));
      for (const [k, a] of Object.entries(n.kwargs)) inputs.push({ name: k, arg: this.argument(a, undefined, `${n.name}.${k}`), kind: 2 });
    } else if (target.startsWith('operator.') || target.startsWith('torch.') || target.startsWith('math.')) {
      const names = PY_OP_ARGS[target.slice(target.indexOf('.') + 1)] ?? ['a', 'b', 'c'];
      n.args.forEach((a, i) => inputs.push({ name: names[i] ?? `arg${i}`, arg: this.argument(a, undefined, `${n.name}`), kind: 1 }));
    } else if (!defaultRegistry.has(target)) {
      // An op the registry lacks: only a loaded node knows its argument names (kept by the reader).
      const known = n.meta.pt2Args as Array<{ name: string; kind: number; tag: string }> | undefined;
      const positional = known?.filter((k) => k.kind !== 2) ?? [];
      if (!known || positional.length !== n.args.length || !Object.keys(n.kwargs).every((k) => known.some((x) => x.name === k && x.kind === 2)))
        throw new UnsupportedOperatorError(target, `cannot serialize node '${n.name}': ${target} has no schema in the op registry, so its arguments cannot be named`);
      n.args.forEach((a, i) => inputs.push({ name: positional[i]!.name, arg: this.argument(a, TAG_TYPES[positional[i]!.tag], `${n.name}`), kind: positional[i]!.kind }));
      for (const [k, a] of Object.entries(n.kwargs)) inputs.push({ name: k, arg: this.argument(a, TAG_TYPES[known.find((x) => x.name === k)!.tag], `${n.name}.${k}`), kind: 2 });
    } else {
      const schema = defaultRegistry.get(target).parsed;
      n.args.forEach((a, i) => {
        const sa = schema.args[i];
        if (!sa || sa.kwargOnly) this.fail(`node '${n.name}': ${target} takes fewer positional arguments than the ${n.args.length} given`);
        inputs.push({ name: sa.name, arg: this.argument(a, sa.type, `${n.name}.${sa.name}`), kind: 1 });
      });
      for (const [k, a] of Object.entries(n.kwargs)) {
        const sa = schema.args.find((x) => x.name === k);
        if (!sa) this.fail(`node '${n.name}': ${target} has no argument '${k}'`);
        inputs.push({ name: k, arg: this.argument(a, sa.type, `${n.name}.${k}`), kind: 2 });
      }
    }
    return {
      target: serialTarget(target),
      inputs,
      outputs: this.outputs(n, isHop),
      metadata: encodeMeta(n.meta),
      is_hop_single_tensor_return: isHop ? !Array.isArray(n.meta.val) : null,
      name: n.name,
    };
  }

  private outputs(n: Node, isHop: boolean): S.Argument[] {
    const val = n.meta.val;
    if (!Array.isArray(val)) {
      if (val === undefined || val === null) return [];
      return [this.recordValue(n.name, val)];
    }
    const getitems = new Map<number, Node>();
    for (const u of n.users) if (u.target === 'getitem' && typeof u.args[1] === 'number') getitems.set(u.args[1], u);
    const nameAt = (i: number) => getitems.get(i)?.name ?? `${n.name}_unused_${i}`;
    const def = !isHop && defaultRegistry.has(n.target) ? defaultRegistry.get(n.target) : undefined;
    const returnsList = def ? def.parsed.returns.length === 1 && def.parsed.returns[0]!.type.endsWith('[]') : false;
    if (returnsList) {
      return [{ as_tensors: val.map((m, i) => {
        const name = nameAt(i);
        if (!isTensorMeta(m)) this.fail(`node '${n.name}': element ${i} is not a tensor`);
        this.tensorValues[name] = this.tensorMeta(m);
        return { name };
      }) }];
    }
    return val.map((m, i) => {
      if (m === null || m === undefined) return { as_none: true };
      if (Array.isArray(m)) {
        const inner = getitems.get(i);
        const innerItems = new Map<number, Node>();
        if (inner) for (const u of inner.users) if (u.target === 'getitem' && typeof u.args[1] === 'number') innerItems.set(u.args[1], u);
        return { as_tensors: m.map((x, k) => {
          const name = innerItems.get(k)?.name ?? `${n.name}_unused_${i}_${k}`;
          this.tensorValues[name] = this.tensorMeta(x as TensorMeta);
          return { name };
        }) };
      }
      return this.recordValue(nameAt(i), m);
    });
  }

  /** One argument value as the serde Argument union, guided by the schema type when known. */
  private argument(v: unknown, type: string | undefined, what: string): S.Argument {
    const t = type?.replace(/\?$/, '');
    if (v === null || v === undefined) return { as_none: true };
    if (v instanceof Node) {
      if (v.op === 'get_attr') {
        const sub = this.graph.subgraphs.get(v.target);
        if (!sub) this.fail(`${what}: get_attr ${v.target} is not a subgraph`);
        return { as_graph: { name: v.target, graph: new GraphWriter(this.ep, sub, this.rename).write() } };
      }
      const val = v.meta.val;
      if (isTensorMeta(val)) return { as_tensor: { name: v.name } };
      if (val instanceof SymBool || typeof val === 'boolean') return { as_sym_bool: { as_name: v.name } };
      if (t === 'float') return { as_sym_float: { as_name: v.name } };
      return { as_sym_int: { as_name: v.name } };
    }
    if (v instanceof ArgTuple) return this.list(v.items, t, what);
    if (Array.isArray(v)) return this.list(v, t, what);
    if (v instanceof TorchDType) {
      const c = codeFromDTypeName(v.dtype);
      if (c === undefined) this.fail(`${what}: dtype ${v.dtype} has no code`);
      return { as_scalar_type: c };
    }
    if (typeof v === 'string' && t === 'ScalarType') {
      const c = codeFromDTypeName(v);
      if (c === undefined) this.fail(`${what}: dtype ${v} has no code`);
      return { as_scalar_type: c };
    }
    if (v instanceof TorchEnum || (typeof v === 'object' && 'enum' in (v as object))) {
      const name = v instanceof TorchEnum ? v.name : (v as { enum: string }).enum;
      if (t === 'Layout' || (t !== 'MemoryFormat' && name in LAYOUT_CODES)) {
        if (!(name in LAYOUT_CODES)) this.fail(`${what}: unknown layout ${name}`);
        return { as_layout: LAYOUT_CODES[name]! };
      }
      if (!(name in MEMORY_FORMAT_CODES)) this.fail(`${what}: unknown memory format ${name}`);
      return { as_memory_format: MEMORY_FORMAT_CODES[name]! };
    }
    if (v instanceof TorchDevice || (typeof v === 'object' && 'device' in (v as object))) {
      const s = v instanceof TorchDevice ? v.type : (v as { device: string }).device;
      const [type, index] = s.split(':');
      return { as_device: { type: type!, index: index === undefined ? null : Number(index) } };
    }
    if (typeof v === 'boolean') return { as_bool: v };
    if (v instanceof PyFloat) return { as_float: floatJson(v) as unknown as number };
    if (typeof v === 'number') {
      if (t === 'float' || !Number.isInteger(v)) return { as_float: floatJson(v) as unknown as number };
      return { as_int: v };
    }
    if (typeof v === 'string') return { as_string: v };
    return this.fail(`${what}: ${String(v)} has no serialized form`);
  }

  private list(items: unknown[], t: string | undefined, what: string): S.Argument {
    const elem = t?.replace(/\[\d*\]$/, '');
    const isTensorNode = (x: unknown) => x instanceof Node && isTensorMeta(x.meta.val);
    if ((elem === 'Tensor?' || items.some(isTensorNode)) && items.some((x) => x === null || x === undefined))
      return { as_optional_tensors: items.map((x) => (x === null || x === undefined ? { as_none: true } : { as_tensor: { name: (x as Node).name } })) };
    if (elem === 'Tensor' || elem === 'Tensor?' || (items.length > 0 && items.every(isTensorNode))) {
      for (const x of items) if (!isTensorNode(x)) this.fail(`${what}: expected a list of tensors`);
      return { as_tensors: items.map((x) => ({ name: (x as Node).name })) };
    }
    if (elem === 'bool' || (items.length > 0 && items.every((x) => typeof x === 'boolean'))) return { as_bools: items as boolean[] };
    if (elem === 'float' || (items.length > 0 && items.some((x) => x instanceof PyFloat || (typeof x === 'number' && !Number.isInteger(x)))))
      return { as_floats: items.map((x) => floatJson(x as number)) as unknown as number[] };
    if (elem === 'str') return { as_strings: items as string[] };
    if (items.some((x) => x instanceof Node)) return { as_sym_ints: items.map((x) => (x instanceof Node ? { as_name: x.name } : { as_int: x as number })) };
    if (items.every((x) => typeof x === 'number')) return { as_ints: items as number[] };
    return this.fail(`${what}: list [${items.map(String).join(', ').slice(0, 80)}] has no serialized form`);
  }
}

