// Reading .pt2 archives (torch.export.save, layout of torch ≥ 2.9: models/<m>.json,
// raw weights and constants with *_config.json) into ExportedPrograms of our IR:
// nodes named as in the file, targets mapped to our op names, arguments decoded
// to engine values, symbolic sizes parsed into a fresh ShapeEnv, stack traces and
// module stacks restored, state-dict tensors viewed over the file's bytes.
// Every inconsistency is an ArchiveError naming the entry and the problem.

import {
  EngineError,
  GraphVerificationError,
} from '../core/errors';
import {
  type TreeSpec,
} from '../core/pytree';

import {
  NDArray,
  type Storage,
} from '../core/ndarray';
import {
  itemSize,
} from '../core/dtype';
import {
  type Node,
} from '../ir/graph';

import {
  verifyMeta,
} from '../export/verify';
import {
  type TensorMeta,
} from '../ops/types';

import {
  type IntLike,
  type Poly,
  ShapeEnv,
  SymBool,
  ValueRange,
  wrapBool,
  wrapInt,
} from '../symbolic';
import {
  Tensor,
} from '../trace/tensor';
import {
  ExportedProgram,
  type ExportedProgramParts,
} from '../export/exported-program';
import {
  type InputSpec,
  type OutputSpec,
} from '../export/signature';
import {
  type RangeConstraint,
} from '../export/constraints';
import {
  ArchiveError,
  type ByteSource,
  ZipReader,
  type ZipReadOptions,
} from './zip';
import type * as S from './schema';
import {
  dtypeFromCode,
  dtypeNameFromCode,
  lazyStorage,
  storageFromBytes,
} from './tensor-data';
import {
  decodeExampleInputs,
  torchLoadTensorDict,
} from './torch-save';
import {
  ExprParseError,
  parseSymExpr,
  symbolNamesIn,
} from './sym-expr';
import {
  TreeSpecError,
  inputPathsOf,
  parseTreeSpec,
} from './treespec';
import {
  programExtras,
} from './extras';
import {
  GraphReader,
} from './read-graph';
import {
  isObj,
  IDENT,
  unionTag,
  int,
  str,
  arr,
  obj,
  countLeaves,
  isNode,
} from './read-values';
export { UnknownTargetError, targetFromSerialized, parseStackTrace } from './read-values';

export interface LoadOptions extends ZipReadOptions {
  /** Copy tensor bytes out of the archive instead of viewing them (default false: in-place ops then write into `bytes`). */
  readonly copyTensors?: boolean;
  /**
   * Weights and constants as lazy storages: nothing of a payload record is read
   * until a tensor's data is first used (then it is read, CRC-checked and
   * converted; a damaged record throws ArchiveError at that point). Default: on
   * for a ByteSource, off for bytes in memory.
   */
  readonly lazyWeights?: boolean;
}

export type { ByteSource } from './zip';

export interface LoadedArchive {
  /** Root folder of the records (`seed_sin_cos`, `archive`). */
  readonly root: string;
  readonly programs: Map<string, ExportedProgram>;
  /** Of the first program. */
  readonly schemaVersion: S.SchemaVersion;
  readonly torchVersion: string;
  /** Record names relative to the root. */
  readonly records: string[];
  /** `extra/<name>` records as text. */
  readonly extraFiles: Map<string, string>;
}

/** A call target the loader cannot map to an engine op. */

const MAX_JSON_BYTES = 512 * 1024 * 1024;

/**
 * torch.export.load: every model in a .pt2 archive (torch ≥ 2.9 layout, or the
 * flat torch ≤ 2.7 one). `input` is the file's bytes or a random-access source
 * (only the end records, central directory, local headers, JSON and sample
 * inputs are read eagerly; see LoadOptions.lazyWeights).
 */
export function loadPt2(input: Uint8Array | ByteSource, opts: LoadOptions = {}): LoadedArchive {
  const inMemory = input instanceof Uint8Array;
  const size = input instanceof Uint8Array ? input.length : input.size;
  if (size >= 8 && new TextDecoder().decode(input instanceof Uint8Array ? input.subarray(0, 8) : input.read(0, 8)) === 'PYTORCH1')
    throw new ArchiveError(undefined, 'this is a legacy TorchScript file (starts with PYTORCH1), not a .pt2 archive');
  const zip = new ZipReader(input, opts);
  const lazy = opts.lazyWeights ?? !inMemory;
  if (zip.entries.length === 0) throw new ArchiveError(undefined, 'archive has no records');
  const first = zip.entries[0]!.name;
  const slash = first.indexOf('/');
  if (slash <= 0) {
    if (zip.has('serialized_exported_program.json')) return loadLegacy(zip, opts);
    throw new ArchiveError(first, 'first record is not inside a root folder');
  }
  const root = first.slice(0, slash);
  const records: string[] = [];
  for (const e of zip.entries) {
    if (!e.name.startsWith(`${root}/`)) throw new ArchiveError(e.name, `record is not in the archive's root folder '${root}/'`);
    records.push(e.name.slice(root.length + 1));
  }
  const full = (r: string) => `${root}/${r}`;
  const text = (r: string) => zip.readText(full(r));
  if (!zip.has(full('archive_format'))) throw new ArchiveError(full('archive_format'), 'missing (not a PT2 archive)');
  const fmt = text('archive_format');
  if (fmt !== 'pt2') throw new ArchiveError(full('archive_format'), `is '${fmt.slice(0, 40)}', expected 'pt2'`);
  if (zip.has(full('archive_version'))) {
    const v = text('archive_version');
    if (v !== '0') throw new ArchiveError(full('archive_version'), `is '${v.slice(0, 40)}', expected '0'`);
  }
  const versionRec = zip.has(full('.data/version')) ? '.data/version' : zip.has(full('version')) ? 'version' : undefined;
  if (versionRec) {
    const v = text(versionRec).trim();
    if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 10) throw new ArchiveError(full(versionRec), `file format version '${v.slice(0, 40)}' is not in [1, 10]`);
  }

  const programs = new Map<string, ExportedProgram>();
  let schemaVersion: S.SchemaVersion | undefined;
  let torchVersion = '';
  for (const r of records) {
    const m = /^models\/(.+)\.json$/.exec(r);
    if (!m) continue;
    const model = m[1]!;
    const entry = full(r);
    const doc = parseJsonRecord(zip, entry);
    const sample = full(`data/sample_inputs/${model}.pt`);
    const sampleBytes = zip.has(sample) ? zip.read(sample).slice() : undefined;
    const examples = sampleBytes ? decodeSampleInputs(sampleBytes, sample) : { value: undefined };
    const payloads: PayloadSource = {
      weights: readPayloadConfig(zip, full, `data/weights/${model}_weights_config.json`, `data/weights/${model}.pt`, opts.copyTensors ?? false),
      constants: readPayloadConfig(zip, full, `data/constants/${model}_constants_config.json`, `data/constants/${model}.pt`, opts.copyTensors ?? false),
      read: (dir, path) => zip.read(payloadName(zip, full, dir, path)),
      size: (dir, path) => zip.entry(payloadName(zip, full, dir, path))!.size,
      copy: opts.copyTensors ?? false,
      lazy,
      exampleInputs: examples.value,
    };
    const ep = deserializeProgram(doc, entry, payloads);
    programs.set(model, ep);
    const ex = programExtras.get(ep)!;
    if (sampleBytes) ex.sampleInputs = sampleBytes;
    if (examples.error) ex.sampleInputsError = examples.error;
    schemaVersion ??= ex.schemaVersion;
    torchVersion ||= ex.torchVersion;
  }
  if (programs.size === 0) throw new ArchiveError(undefined, 'archive has no models/<name>.json record');
  const extraFiles = new Map<string, string>();
  for (const r of records) if (r.startsWith('extra/')) extraFiles.set(r.slice(6), text(r));
  return { root, programs, schemaVersion: schemaVersion!, torchVersion, records, extraFiles };
}

function payloadName(zip: ZipReader, full: (r: string) => string, dir: string, path: string): string {
  const name = full(`${dir}${path}`);
  if (!zip.has(name)) throw new ArchiveError(name, 'payload named by the config is missing');
  return name;
}

function parseJsonRecord(zip: ZipReader, entry: string): unknown {
  if (zip.entry(entry)!.size > MAX_JSON_BYTES) throw new ArchiveError(entry, `model JSON of ${zip.entry(entry)!.size} bytes is too large`);
  const raw = zip.read(entry);
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch (e) {
    throw new ArchiveError(entry, `is not valid JSON (${(e as Error).message.slice(0, 120)})`);
  }
}

/**
 * Sample inputs through the restricted unpickler. A pickle this reader refuses
 * (a global torch.load(weights_only=True) would refuse, a dtype the engine
 * cannot hold) leaves the program without example inputs and says why; damage
 * to the record itself (CRC) has already failed the load.
 */
function decodeSampleInputs(bytes: Uint8Array, entry: string): { value?: ExportedProgramParts['exampleInputs']; error?: string } {
  try {
    return { value: decodeExampleInputs(bytes, { entry, copy: true }) };
  } catch (e) {
    if (e instanceof EngineError) return { error: e.message };
    throw e;
  }
}

// ---------------------------------------------------------------- torch ≤ 2.7 flat archives

const LEGACY_JSON = 'serialized_exported_program.json';

/** The flat zip torch.export.save wrote up to 2.7 (PT2-FORMAT §13); model name `model`, root ''. */
function loadLegacy(zip: ZipReader, opts: LoadOptions): LoadedArchive {
  if (!zip.has('version')) throw new ArchiveError('version', 'missing (torch ≤ 2.7 archives record their schema version there)');
  const version = zip.readText('version').split('.');
  if (version.length !== 2) throw new ArchiveError('version', `'${version.join('.').slice(0, 40)}' is not <major>.<minor>`);
  if (version[0] !== '8') throw new ArchiveError('version', `schema version ${version.join('.').slice(0, 40)} does not match this reader's major version 8`);
  const doc = parseJsonRecord(zip, LEGACY_JSON);
  const tensorDict = (names: string[]): Map<string, Tensor> => {
    const name = names.find((n) => zip.has(n));
    if (!name) return new Map();
    const bytes = zip.read(name);
    if (bytes.length === 0) return new Map();
    return torchLoadTensorDict(bytes, { entry: name, copy: opts.copyTensors ?? false });
  };
  const weights = tensorDict(['serialized_state_dict.pt', 'serialized_state_dict.json']);
  const constants = tensorDict(['serialized_constants.pt', 'serialized_constants.json']);
  const sampleName = 'serialized_example_inputs.pt';
  const sampleBytes = zip.has(sampleName) ? zip.read(sampleName).slice() : undefined;
  const examples = sampleBytes ? decodeSampleInputs(sampleBytes, sampleName) : { value: undefined };
  const payloads: PayloadSource = {
    weights,
    constants,
    read: (dir, path) => {
      throw new ArchiveError(`${dir}${path}`, 'torch ≤ 2.7 archives have no payload records');
    },
    size: () => 0,
    copy: opts.copyTensors ?? false,
    lazy: false,
    exampleInputs: examples.value,
  };
  const ep = deserializeProgram(doc, LEGACY_JSON, payloads);
  const ex = programExtras.get(ep)!;
  if (sampleBytes) ex.sampleInputs = sampleBytes;
  if (examples.error) ex.sampleInputsError = examples.error;
  const records = zip.entries.map((e) => e.name);
  const extraFiles = new Map<string, string>();
  for (const r of records) if (r.startsWith('extra_files/')) extraFiles.set(r.slice(12), zip.readText(r));
  return { root: '', programs: new Map([['model', ep]]), schemaVersion: ex.schemaVersion, torchVersion: ex.torchVersion, records, extraFiles };
}

// ---------------------------------------------------------------- payloads

interface PayloadSource {
  /** A payload config to read records by, or the tensors themselves (torch ≤ 2.7 archives). */
  readonly weights: S.PayloadConfig | Map<string, Tensor>;
  readonly constants: S.PayloadConfig | Map<string, Tensor>;
  read(dir: string, path: string): Uint8Array;
  /** Byte size of a payload record (without reading it). */
  size(dir: string, path: string): number;
  readonly copy: boolean;
  /** Storages that read their record on first use. */
  readonly lazy?: boolean;
  readonly exampleInputs?: ExportedProgramParts['exampleInputs'];
}

/** A model's payload config, or for torch 2.8 archives its pickled dict (`data/<dir>/<m>.pt`) of tensors. */
function readPayloadConfig(zip: ZipReader, full: (r: string) => string, config: string, legacy: string, copy: boolean): S.PayloadConfig | Map<string, Tensor> {
  if (zip.has(full(legacy))) {
    const bytes = zip.read(full(legacy));
    return bytes.length === 0 ? new Map() : torchLoadTensorDict(bytes, { entry: full(legacy), copy });
  }
  if (!zip.has(full(config))) throw new ArchiveError(full(config), 'missing');
  let doc: unknown;
  try {
    doc = JSON.parse(zip.readText(full(config)));
  } catch (e) {
    if (e instanceof ArchiveError) throw e;
    throw new ArchiveError(full(config), 'is not valid JSON');
  }
  if (!isObj(doc) || !isObj(doc.config)) throw new ArchiveError(full(config), "has no 'config' object");
  return doc as unknown as S.PayloadConfig;
}

// ---------------------------------------------------------------- helpers

export function deserializeProgram(doc: unknown, entry: string, payloads: PayloadSource): ExportedProgram {
  try {
    return new ProgramReader(entry, payloads).read(doc);
  } catch (e) {
    if (e instanceof EngineError) throw e;
    if (e instanceof ExprParseError || e instanceof TreeSpecError || e instanceof Error) throw new ArchiveError(entry, e.message);
    throw e;
  }
}

export class ProgramReader {
  readonly env = new ShapeEnv();
  private readonly symbols = new Map<string, Poly>();
  private readonly exprCache = new Map<string, ReturnType<typeof parseSymExpr>>();

  constructor(
    readonly entry: string,
    readonly payloads: PayloadSource,
  ) {}

  fail(problem: string): never {
    throw new ArchiveError(this.entry, problem);
  }

  read(docIn: unknown): ExportedProgram {
    const doc = obj(docIn, 'model JSON');
    const sv = obj(doc.schema_version, 'schema_version');
    const schemaVersion = { major: int(sv.major, 'schema_version.major'), minor: int(sv.minor, 'schema_version.minor') };
    if (schemaVersion.major !== 8 && !(schemaVersion.major === 0 && schemaVersion.minor === 0))
      this.fail(`schema version ${schemaVersion.major}.${schemaVersion.minor} is not supported (this reader understands 8.x)`);
    const gm = obj(doc.graph_module, 'graph_module');
    const graphDoc = obj(gm.graph, 'graph_module.graph');
    const sig = obj(gm.signature, 'graph_module.signature');
    const rcDoc = obj(doc.range_constraints ?? {}, 'range_constraints');
    const verifiers = arr(doc.verifiers ?? [], 'verifiers').map((v) => str(v, 'verifier'));

    this.createSymbols(graphDoc, rcDoc);
    const rangeConstraints: RangeConstraint[] = Object.entries(rcDoc).map(([k, v]) => {
      const e = this.parse(k);
      if (e.kind !== 'poly') this.fail(`range constraint key '${k}' is not an integer expression`);
      return { expr: this.env.simplify(e) as Poly, range: this.rangeOf(v, `range_constraints['${k}']`) };
    });

    const inputSpecsDoc = arr(sig.input_specs, 'signature.input_specs');
    const outputSpecsDoc = arr(sig.output_specs, 'signature.output_specs');
    const constantInputNames = new Map<number, string>();
    inputSpecsDoc.forEach((s, i) => {
      const [tag, v] = unionTag(s, `input_specs[${i}]`);
      if (tag === 'constant_input') constantInputNames.set(i, str(obj(v, 'constant_input').name, 'constant_input.name'));
    });
    const graph = new GraphReader(this, graphDoc, 'graph').build(constantInputNames);
    graph.lint();
    // A program whose recorded shapes its own ops contradict is refused, named.
    try {
      verifyMeta(graph, this.env);
    } catch (e) {
      if (e instanceof GraphVerificationError) this.fail(e.message);
      throw e;
    }

    const placeholders = graph.placeholders;
    if (inputSpecsDoc.length !== placeholders.length) this.fail(`signature has ${inputSpecsDoc.length} input specs but the graph has ${placeholders.length} inputs`);
    const inputSpecs = inputSpecsDoc.map((s, i) => this.inputSpec(s, i, placeholders[i]!));
    const outNode = graph.outputNode!;
    const outVals = outNode.args[0] as unknown[];
    if (outputSpecsDoc.length !== outVals.length) this.fail(`signature has ${outputSpecsDoc.length} output specs but the graph has ${outVals.length} outputs`);
    const outputSpecs = outputSpecsDoc.map((s, i) => this.outputSpec(s, i, outVals[i]));

    // Module call graph: the root signature's pytree specs.
    const mcg = arr(gm.module_call_graph ?? [], 'module_call_graph') as S.ModuleCallEntry[];
    const rootEntry = mcg.find((e) => isObj(e) && e.fqn === '');
    let inSpec: TreeSpec;
    let outSpec: TreeSpec;
    let forwardArgNames: string[] | null = null;
    const userSpecs = inputSpecs.filter((s) => s.kind === 'USER_INPUT');
    const userOutputs = outputSpecs.filter((s) => s.kind === 'USER_OUTPUT' || s.kind === 'LOSS_OUTPUT');
    if (rootEntry && isObj(rootEntry.signature)) {
      const rs = rootEntry.signature;
      inSpec = parseTreeSpec(str(rs.in_spec, 'in_spec'));
      outSpec = parseTreeSpec(str(rs.out_spec, 'out_spec'));
      if (rs.forward_arg_names !== null && rs.forward_arg_names !== undefined) forwardArgNames = arr(rs.forward_arg_names, 'forward_arg_names').map((n) => str(n, 'forward arg name'));
    } else {
      // No root signature: positional user inputs, tuple of user outputs.
      const leaf: TreeSpec = { type: 'leaf', children: [] };
      inSpec = { type: 'tuple', children: [{ type: 'tuple', children: userSpecs.map(() => leaf) }, { type: 'dict', context: [], children: [] }] };
      outSpec = { type: 'tuple', children: userOutputs.map(() => leaf) };
    }
    if (inSpec.type !== 'tuple' || inSpec.children.length !== 2) this.fail('root in_spec is not an (args, kwargs) tuple');
    const nIn = countLeaves(inSpec);
    if (nIn !== userSpecs.length) this.fail(`in_spec has ${nIn} leaves but the signature has ${userSpecs.length} user inputs`);
    const nOut = countLeaves(outSpec);
    if (nOut !== userOutputs.length) this.fail(`out_spec has ${nOut} leaves but the signature has ${userOutputs.length} user outputs`);
    const argNames = forwardArgNames ?? userSpecs.map((s) => s.name);

    const { stateDict, constants } = this.loadPayloads(inputSpecs, placeholders);
    const ep = new ExportedProgram({
      graph,
      signature: { inputSpecs, outputSpecs },
      stateDict,
      constants,
      rangeConstraints,
      env: this.env,
      inSpec,
      outSpec,
      inputPaths: inputPathsOf(inSpec, argNames),
      ...(this.payloads.exampleInputs ? { exampleInputs: this.payloads.exampleInputs } : {}),
      isTrainingIR: !verifiers.includes('ATEN'),
    });
    const fileNames = new Map<string, string>();
    for (const [fileName, p] of this.symbols) fileNames.set(p.asSymbol!.name, fileName);
    programExtras.set(ep, {
      moduleCallGraph: mcg,
      forwardArgNames,
      verifiers,
      torchVersion: typeof doc.torch_version === 'string' ? doc.torch_version : '<=2.4',
      schemaVersion,
      opsetVersion: isObj(doc.opset_version) ? (doc.opset_version as Record<string, number>) : {},
      graphModuleMetadata: isObj(gm.metadata) ? (gm.metadata as Record<string, string>) : {},
      treespecNamedtupleFields: isObj(gm.treespec_namedtuple_fields) ? (gm.treespec_namedtuple_fields as Record<string, S.NamedTupleDef>) : {},
      guardsCode: Array.isArray(doc.guards_code) ? (doc.guards_code as string[]) : [],
      symbolNames: fileNames,
    });
    return ep;
  }

  // -------------------------------------------------------------- symbols

  /** Create every symbol the file mentions, in name order (s before u), with ranges and hints. */
  private createSymbols(graphDoc: Record<string, unknown>, rcDoc: Record<string, unknown>): void {
    const names = new Set<string>();
    const hints = new Map<string, number>();
    const visitSymInt = (v: unknown) => {
      if (!isObj(v) || !isObj(v.as_expr)) return;
      const t = str(v.as_expr.expr_str, 'expr_str');
      for (const n of this.names(t)) names.add(n);
      const h = v.as_expr.hint;
      if (isObj(h) && typeof h.as_int === 'number' && /^Symbol\('([A-Za-z_]\w*)'[^()]*\)$/.test(t)) hints.set(/^Symbol\('([A-Za-z_]\w*)'/.exec(t)![1]!, h.as_int);
    };
    const visitGraph = (g: Record<string, unknown>, depth: number) => {
      if (depth > 32) this.fail('subgraphs nested too deeply');
      for (const tm of Object.values(obj(g.tensor_values ?? {}, 'tensor_values'))) {
        if (!isObj(tm)) continue;
        for (const d of [...(Array.isArray(tm.sizes) ? tm.sizes : []), ...(Array.isArray(tm.strides) ? tm.strides : []), tm.storage_offset]) visitSymInt(d);
      }
      for (const key of ['sym_int_values', 'sym_bool_values', 'sym_float_values'])
        for (const v of Object.values(obj(g[key] ?? {}, key))) visitSymInt(v);
      for (const n of arr(g.nodes ?? [], 'nodes'))
        if (isObj(n) && Array.isArray(n.inputs))
          for (const i of n.inputs) if (isObj(i) && isObj(i.arg) && isObj(i.arg.as_graph) && isObj(i.arg.as_graph.graph)) visitGraph(i.arg.as_graph.graph, depth + 1);
    };
    visitGraph(graphDoc, 0);
    for (const k of Object.keys(rcDoc)) for (const n of this.names(k)) names.add(n);
    if (names.size > 10_000) this.fail('too many symbols');
    const order = (n: string) => (n.startsWith('u') ? 1e12 : 0) + (Number(/\d+$/.exec(n)?.[0] ?? 1e9) || 0);
    const sorted = [...names].sort((a, b) => order(a) - order(b) || (a < b ? -1 : 1));
    for (const n of sorted) {
      const rc = rcDoc[n];
      const range = rc === undefined ? undefined : this.rangeOf(rc, `range_constraints['${n}']`);
      // Keep torch's symbol names (s27, u0) so the loaded program prints as torch printed it.
      const keep = /^[su]\d+$/.test(n) ? n : undefined;
      if (n.startsWith('u')) this.symbols.set(n, this.env.createUnbackedSymbol(range ?? ValueRange.unknown, keep));
      else {
        const r = range ?? new ValueRange(0, Infinity);
        const hint = hints.get(n) ?? Math.max(r.lo, Math.min(2, r.hi));
        this.symbols.set(n, this.env.createBackedSymbol(hint, { range: r, name: keep }));
      }
    }
  }

  private names(text: string): string[] {
    try {
      return symbolNamesIn(text);
    } catch (e) {
      return this.fail(`cannot parse expression '${text.slice(0, 200)}': ${(e as Error).message.slice(0, 200)}`);
    }
  }

  private rangeOf(v: unknown, what: string): ValueRange {
    const o = obj(v, what);
    const lo = o.min_val === null || o.min_val === undefined ? -Infinity : int(o.min_val, `${what}.min_val`);
    const hi = o.max_val === null || o.max_val === undefined ? Infinity : int(o.max_val, `${what}.max_val`);
    if (lo > hi) this.fail(`${what} is empty ([${lo}, ${hi}])`);
    return new ValueRange(lo, hi);
  }

  parse(text: string): ReturnType<typeof parseSymExpr> {
    const c = this.exprCache.get(text);
    if (c) return c;
    let e: ReturnType<typeof parseSymExpr>;
    try {
      e = parseSymExpr(text, (n) => {
        const p = this.symbols.get(n);
        if (!p) throw new ExprParseError(`unknown symbol ${n}`);
        return p;
      });
    } catch (err) {
      return this.fail(`cannot parse expression '${text.slice(0, 200)}': ${(err as Error).message.slice(0, 200)}`);
    }
    this.exprCache.set(text, e);
    return e;
  }

  symInt(v: unknown, what: string): IntLike {
    const [tag, x] = unionTag(v, what);
    if (tag === 'as_int') return int(x, what);
    if (tag === 'as_expr') {
      const e = this.parse(str(obj(x, what).expr_str, `${what}.expr_str`));
      if (e.kind !== 'poly') this.fail(`${what} is not an integer expression`);
      return wrapInt(e, this.env);
    }
    return this.fail(`${what} has unknown kind '${tag}'`);
  }

  symBool(v: unknown, what: string): boolean | SymBool {
    const [tag, x] = unionTag(v, what);
    if (tag === 'as_bool') {
      if (typeof x !== 'boolean') this.fail(`${what} is not a bool`);
      return x;
    }
    if (tag === 'as_expr') {
      const e = this.parse(str(obj(x, what).expr_str, `${what}.expr_str`));
      if (e.kind === 'poly') this.fail(`${what} is not a boolean expression`);
      return wrapBool(e, this.env);
    }
    return this.fail(`${what} has unknown kind '${tag}'`);
  }

  tensorMeta(v: unknown, what: string, asIntOnly = false): TensorMeta & { requiresGrad: boolean } {
    const o = obj(v, what);
    const code = int(o.dtype, `${what}.dtype`);
    const dtype = dtypeFromCode(code);
    if (!dtype) this.fail(`${what}: dtype ${dtypeNameFromCode(code) ?? `code ${code}`} is not supported by the engine`);
    if (o.layout !== undefined && o.layout !== 7) this.fail(`${what}: layout ${String(o.layout)} is not supported (only strided)`);
    const dim = (d: unknown, w: string): IntLike => {
      if (asIntOnly) {
        const [tag, x] = unionTag(d, w);
        if (tag !== 'as_int') this.fail(`${w} must be a concrete int here`);
        return int(x, w);
      }
      return this.symInt(d, w);
    };
    const sizes = arr(o.sizes, `${what}.sizes`);
    const strides = arr(o.strides, `${what}.strides`);
    if (sizes.length !== strides.length) this.fail(`${what} has ${sizes.length} sizes but ${strides.length} strides`);
    if (sizes.length > 64) this.fail(`${what} has too many dimensions`);
    const shape = sizes.map((d, i) => dim(d, `${what}.sizes[${i}]`));
    for (const d of shape) if (typeof d === 'number' && d < 0) this.fail(`${what} has a negative size ${d}`);
    return {
      dtype,
      shape,
      strides: strides.map((d, i) => dim(d, `${what}.strides[${i}]`)),
      storageOffset: o.storage_offset === undefined ? 0 : dim(o.storage_offset, `${what}.storage_offset`),
      requiresGrad: o.requires_grad === true,
    };
  }

  // -------------------------------------------------------------- signature

  private argName(a: unknown, what: string): string {
    return str(obj(a, what).name, `${what}.name`);
  }

  private inputSpec(s: unknown, i: number, ph: Node): InputSpec {
    const [tag, vRaw] = unionTag(s, `input_specs[${i}]`);
    const v = obj(vRaw, `input_specs[${i}].${tag}`);
    const w = `input_specs[${i}]`;
    const check = (name: string): string => {
      if (name !== ph.name) this.fail(`${w} names '${name}' but graph input ${i} is '${ph.name}'`);
      return name;
    };
    switch (tag) {
      case 'user_input': {
        const [atag, a] = unionTag(v.arg, `${w}.arg`);
        if (atag === 'as_tensor' || atag === 'as_sym_int' || atag === 'as_sym_float' || atag === 'as_sym_bool' || atag === 'as_custom_obj') {
          const name = atag === 'as_tensor' || atag === 'as_custom_obj' ? this.argName(a, `${w}.arg`) : str(obj(a, w).as_name, `${w}.arg`);
          return { kind: 'USER_INPUT', name: check(name) };
        }
        return { kind: 'USER_INPUT', name: ph.name, constantValue: ph.meta.val };
      }
      case 'constant_input':
        return { kind: 'USER_INPUT', name: check(str(v.name, `${w}.name`)), constantValue: ph.meta.val };
      case 'parameter':
        return { kind: 'PARAMETER', name: check(this.argName(v.arg, `${w}.arg`)), target: str(v.parameter_name, `${w}.parameter_name`) };
      case 'buffer':
        return { kind: 'BUFFER', name: check(this.argName(v.arg, `${w}.arg`)), target: str(v.buffer_name, `${w}.buffer_name`), persistent: v.persistent !== false };
      case 'tensor_constant':
        return { kind: 'CONSTANT_TENSOR', name: check(this.argName(v.arg, `${w}.arg`)), target: str(v.tensor_constant_name, `${w}.tensor_constant_name`) };
      case 'custom_obj':
        return { kind: 'CUSTOM_OBJ', name: check(this.argName(v.arg, `${w}.arg`)), target: str(v.custom_obj_name, `${w}.custom_obj_name`) };
      case 'token':
        return { kind: 'TOKEN', name: check(this.argName(v.arg, `${w}.arg`)) };
    }
    return this.fail(`${w} has unknown kind '${tag}'`);
  }

  private outputSpec(s: unknown, i: number, value: unknown): OutputSpec {
    const [tag, vRaw] = unionTag(s, `output_specs[${i}]`);
    const v = obj(vRaw, `output_specs[${i}].${tag}`);
    const w = `output_specs[${i}]`;
    const name = isNode(value) ? value.name : String(value);
    const check = (n: string) => {
      if (isNode(value) && n !== value.name) this.fail(`${w} names '${n}' but graph output ${i} is '${value.name}'`);
    };
    const tensorArg = () => check(this.argName(v.arg, `${w}.arg`));
    switch (tag) {
      case 'user_output': {
        const [atag, a] = unionTag(v.arg, `${w}.arg`);
        if (atag === 'as_tensor') check(this.argName(a, `${w}.arg`));
        return { kind: 'USER_OUTPUT', name };
      }
      case 'loss_output':
        tensorArg();
        return { kind: 'LOSS_OUTPUT', name };
      case 'buffer_mutation':
        tensorArg();
        return { kind: 'BUFFER_MUTATION', name, target: str(v.buffer_name, `${w}.buffer_name`) };
      case 'parameter_mutation':
        tensorArg();
        return { kind: 'PARAMETER_MUTATION', name, target: str(v.parameter_name, `${w}.parameter_name`) };
      case 'gradient_to_parameter':
        tensorArg();
        return { kind: 'GRADIENT_TO_PARAMETER', name, target: str(v.parameter_name, `${w}.parameter_name`) };
      case 'gradient_to_user_input':
        tensorArg();
        return { kind: 'GRADIENT_TO_USER_INPUT', name, target: str(v.user_input_name, `${w}.user_input_name`) };
      case 'user_input_mutation':
        tensorArg();
        return { kind: 'USER_INPUT_MUTATION', name, target: str(v.user_input_name, `${w}.user_input_name`) };
      case 'token':
        tensorArg();
        return { kind: 'TOKEN', name };
    }
    return this.fail(`${w} has unknown kind '${tag}'`);
  }

  // -------------------------------------------------------------- weights

  private loadPayloads(specs: readonly InputSpec[], phs: readonly Node[]): { stateDict: Map<string, Tensor>; constants: Map<string, Tensor> } {
    const load = (cfg: S.PayloadConfig | Map<string, Tensor>, dir: string): Map<string, Tensor> => {
      if (cfg instanceof Map) return cfg;
      const out = new Map<string, Tensor>();
      const storages = new Map<string, Storage>();
      for (const [key, metaRaw] of Object.entries(cfg.config)) {
        const what = `${dir}…config['${key}']`;
        const meta = obj(metaRaw, what);
        const path = str(meta.path_name, `${what}.path_name`);
        if (meta.use_pickle === true) this.fail(`${what}: pickled payloads (tensor subclasses, custom objects) are not supported`);
        if (!IDENT.test(path.replace(/[.-]/g, '_')) || path.includes('/')) this.fail(`${what}: bad path_name '${path.slice(0, 80)}'`);
        const tm = this.tensorMeta(meta.tensor_meta, `${what}.tensor_meta`, true);
        const shape = tm.shape as number[];
        const strides = tm.strides as number[];
        const offset = tm.storageOffset as number;
        const nbytes = this.payloads.size(dir, path);
        let nd: NDArray;
        if (nbytes === 0) nd = NDArray.zeros(tm.dtype, shape);
        else {
          const size = itemSize(tm.dtype);
          if (nbytes % size !== 0) this.fail(`${what}: ${nbytes} bytes is not a whole number of ${tm.dtype} elements`);
          const skey = `${path}:${tm.dtype}`;
          let st = storages.get(skey);
          if (!st) {
            const dtype = tm.dtype;
            const copy = this.payloads.copy;
            st = this.payloads.lazy
              ? lazyStorage(dtype, nbytes / size, () => this.payloads.read(dir, path), copy)
              : storageFromBytes(dtype, this.payloads.read(dir, path), copy);
            storages.set(skey, st);
          }
          const n = nbytes / size;
          if (offset < 0) this.fail(`${what}: negative storage offset`);
          let last = offset;
          let empty = false;
          shape.forEach((d, i) => {
            if (d === 0) empty = true;
            if (strides[i]! < 0) this.fail(`${what}: negative stride`);
            last += (d - 1) * strides[i]!;
          });
          if (!empty && last >= n) this.fail(`${what}: sizes/strides/offset reach element ${last} of a storage of ${n}`);
          nd = new NDArray(st, shape, strides, offset);
        }
        const t = Tensor.fromNDArray(nd);
        t.requiresGrad = tm.requiresGrad;
        out.set(key, t);
      }
      return out;
    };
    const stateDict = load(this.payloads.weights, 'data/weights/');
    const constants = load(this.payloads.constants, 'data/constants/');
    specs.forEach((s, i) => {
      if (s.kind !== 'PARAMETER' && s.kind !== 'BUFFER' && s.kind !== 'CONSTANT_TENSOR') return;
      const inState = s.kind === 'PARAMETER' || (s.kind === 'BUFFER' && s.persistent !== false);
      const t = (inState ? stateDict : constants).get(s.target!);
      if (!t) this.fail(`${s.kind.toLowerCase()} '${s.target}' (input ${s.name}) has no tensor in the ${inState ? 'weights' : 'constants'} config`);
      const m = phs[i]!.meta.val as TensorMeta;
      const same = m && m.dtype === t.dtype && m.shape.length === t.shape.length && m.shape.every((d, k) => typeof d !== 'number' || d === t.shape[k]);
      if (!same) this.fail(`${s.kind.toLowerCase()} '${s.target}' is ${t.typeString()} but input ${s.name} expects ${m ? `${m.dtype}[${m.shape.join(', ')}]` : 'no tensor'}`);
    });
    return { stateDict, constants };
  }
}

export type { PayloadSource };
