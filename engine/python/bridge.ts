// The Python front end's bridge: installs the `torch` package (plain .py sources)
// into an embedded CPython (Pyodide) and exposes the engine to it as the JS module
// `_pt2_engine`. Host-agnostic: the host loads Pyodide and reads the sources.
//
// Note [Values crossing the Python/JS boundary]
// Python encodes arguments before calling in (torch/_bridge.py `_enc`): tensors and
// symbolic values travel as their engine objects, a float with an integral value as
// a PyFloat (so `1.0` stays a float), tuples as JS arrays, lists as
// {__pylist__: [...]}, dicts as plain objects, None as undefined/null, big ints as
// BigInt. `fromPy` below turns that into engine values. Results come back as engine
// objects and Python classifies them with `kind()`.

import { EXPORT_ERROR_SUFFIX, EngineError } from '../core/errors';
import { NDArray } from '../core/ndarray';
import { type DType, isDType, isFloating } from '../core/dtype';
import { isPyList, pyList } from '../core/pytree';
import { PyFloat } from '../core/scalar';
import { ArgTuple, Node, type StackFrame } from '../ir/graph';
import { TorchDType, TorchDevice, TorchEnum } from '../ir/format';
import { isTensorMeta } from '../ops/types';
import { SymBool, SymFloat, SymInt, symAnd, symNot, symOr, symGe, staticallyKnownTrue, Dim, DerivedDim, dims } from '../symbolic';
import { callOp } from '../trace/dispatch';
import { defaultRegistry } from '../ops/register-all';
import { Module } from '../trace/module';
import { Tensor } from '../trace/tensor';
import { currentTracer } from '../trace/tracer';
import { sizeAt, item, tensorToBool } from '../trace/python-semantics';
import { symBinary, symBool, symInt, symFloat, symFloatBinary, symToInt, torchCheck, type SymBinaryOp, type SymFloatOp, type SymToIntFn } from '../trace/sym-ops';
import { cond } from '../export/cond';
import { exportModule } from '../export/export';
import { type ExportedProgram, displayTarget } from '../export/exported-program';
import { formatSignature } from '../export/signature';
import { formatRangeConstraints } from '../export/constraints';
import { frameSummary } from '../ir/codegen';
import { INT64_MAX } from '../ir/format';
import { printExpr } from '../symbolic';
import { isContiguousMeta } from '../ops/view-geometry';
import { loadPt2 } from '../serialize/read';
import { savePt2 } from '../serialize/write';
import { ArchiveError } from '../serialize/zip';
import { Rng } from './rng';

/** The parts of a Pyodide instance the runtime uses. */
export interface PyodideLike {
  registerJsModule(name: string, module: object): void;
  runPython(code: string, options?: { globals?: unknown; filename?: string }): unknown;
  setStdout(options: { write: (buffer: Uint8Array) => number }): void;
  setStderr(options: { write: (buffer: Uint8Array) => number }): void;
  FS: {
    mkdirTree(path: string): void;
    writeFile(path: string, data: string): void;
    analyzePath?(path: string): { exists: boolean };
    readdir?(path: string): string[];
  };
  /** Mount a host folder (Pyodide in Node: NODEFS); needed only for `mounts`. */
  mountNodeFS?(path: string, hostPath: string): void;
}

/** A host folder made visible inside Python's file system. */
export interface HostMount {
  /** Absolute path inside Pyodide (must not exist yet, or be an empty folder). */
  readonly path: string;
  /** The host folder. */
  readonly hostPath: string;
}

export interface PythonRuntimeOptions {
  /** Package sources by path relative to the package root: `torch/__init__.py` → text. */
  readonly sources: Readonly<Record<string, string>>;
  /** Streamed output (also collected into each run's result). */
  readonly onStdout?: (text: string) => void;
  readonly onStderr?: (text: string) => void;
  /**
   * Host folders to mount (the host decides which; Node passes its file system so
   * scripts read and write real files). Needs `PyodideLike.mountNodeFS`.
   */
  readonly mounts?: readonly HostMount[];
  /** Python's working directory (os.chdir) once the mounts are in place. */
  readonly cwd?: string;
}

export interface PythonException {
  /** Qualified type name: `ValueError`, `torch._dynamo.exc.UserError`. */
  readonly type: string;
  readonly message: string;
  /** Python's formatted traceback, the runtime's own frames removed. */
  readonly traceback: string;
}

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly error?: PythonException;
  /** SystemExit code when the script called sys.exit(). */
  readonly exitCode?: number;
}

export interface RunOptions {
  /** Shown in tracebacks and stack traces (default `<string>`). */
  readonly filename?: string;
  /** sys.argv[1:] (sys.argv[0] is the filename). */
  readonly argv?: readonly string[];
}

export interface ExportModelOptions {
  /** The MODEL.py path (shown in tracebacks; its folder goes first on sys.path). */
  readonly filename: string;
  /** run_decompositions() after export. */
  readonly decompose?: boolean;
  /** print(ep) (of the program that is kept) to stdout. */
  readonly print?: boolean;
}

export interface ExportModelResult extends RunResult {
  /**
   * Where it failed: `run` (executing MODEL.py), `contract` (what MODEL.py defines
   * is missing or of the wrong kind), `export`, `decompose`.
   */
  readonly phase?: 'run' | 'contract' | 'export' | 'decompose';
  /** The exported (and maybe decomposed) program, when it succeeded. */
  readonly program?: ExportedProgram;
}

/** Where the package sources live in Pyodide's file system. */
export const PACKAGE_ROOT = '/lib/pt2';

type PyCallable = ((...a: unknown[]) => unknown) & { destroy?: () => void };

/** Turn an encoded Python value (Note [Values crossing the Python/JS boundary]) into an engine value. */
export function fromPy(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v === 'bigint') return v >= 9223372036854775807n ? INT64_MAX : Number(v);
  if (Array.isArray(v)) return v.map(fromPy);
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const o = v as Record<string, unknown>;
    if ('__pylist__' in o) return pyList((o.__pylist__ as unknown[]).map(fromPy));
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(o)) out[k] = fromPy(o[k]);
    return out;
  }
  return v;
}

/** A Python int/float/SymInt/SymFloat argument of a symbolic-float operation. */
function numArg(v: unknown): number | SymInt | SymFloat {
  if (v instanceof PyFloat) return v.value;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' || v instanceof SymInt || v instanceof SymFloat) return v;
  throw new TypeError(`expected a number, got ${String(v)}`);
}

/** How Python should read an engine value. */
export function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'N';
  if (v instanceof Tensor) return 'T';
  if (v instanceof SymInt) return 'I';
  if (v instanceof SymBool) return 'B';
  if (v instanceof SymFloat) return 'S';
  if (v instanceof PyFloat) return 'F';
  if (v instanceof Dim || v instanceof DerivedDim) return 'D';
  if (Array.isArray(v)) return isPyList(v) ? 'L' : 'A';
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return 'O';
  return '?';
}

/** The engine Module standing for a Python nn.Module during export. */
export class PythonModuleMirror extends Module {
  /** Set by moduleCall: the Python thunk that runs the module's forward. */
  private thunk: PyCallable | undefined;
  constructor(
    private readonly pyClassName: string,
    private readonly argNames: string[],
    private readonly rootForward: PyCallable | null,
  ) {
    super();
  }
  override get className(): string {
    return this.pyClassName;
  }
  override forwardArgNames(): string[] {
    return this.argNames;
  }
  forward(...args: unknown[]): unknown {
    const th = this.thunk;
    if (th) {
      this.thunk = undefined;
      return th();
    }
    if (!this.rootForward) throw new Error(`internal error: module ${this.pyClassName} called without its Python forward`);
    // The Python forward's result arrives encoded (Note [Values crossing the Python/JS boundary]).
    return fromPy(this.rootForward(args));
  }
  callThunk(thunk: PyCallable): unknown {
    this.thunk = thunk;
    try {
      return this.call();
    } finally {
      this.thunk = undefined;
    }
  }
}

// ---- JSON form of graph arguments for Python (Graph/Node views) ----

function argToJson(v: unknown): unknown {
  if (v instanceof Node) return { $node: v.name };
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return v >= INT64_MAX ? { $int: '9223372036854775807' } : v <= -INT64_MAX ? { $int: '-9223372036854775808' } : v;
    return { $float: Number.isFinite(v) ? v : String(v) };
  }
  if (v instanceof PyFloat) return { $float: Number.isFinite(v.value) ? v.value : String(v.value) };
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map(argToJson);
  if (v instanceof ArgTuple) return { $tuple: v.items.map(argToJson) };
  if (v instanceof TorchDType) return { $dtype: v.dtype };
  if (v instanceof TorchDevice) return { $device: v.type };
  if (v instanceof TorchEnum) return { $enum: v.name };
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = argToJson(x);
    return { $dict: o };
  }
  return { $repr: String(v) };
}

function graphJson(ep: ExportedProgram, subgraph?: string): string {
  const g = subgraph ? ep.graph.subgraphs.get(subgraph)! : ep.graph;
  return JSON.stringify(
    g.nodes.map((n) => ({
      name: n.name,
      op: n.op,
      target: n.op === 'call_function' ? displayTarget(n.target) : n.target,
      rawTarget: n.target,
      args: argToJson([...n.args]),
      kwargs: argToJson({ ...n.kwargs }),
      stack: n.meta.stackTrace?.length ? n.meta.stackTrace.map(frameSummary).join('\n') : null,
      nnModuleStack: n.meta.nnModuleStack ?? null,
    })),
  );
}

function nodeVal(ep: ExportedProgram, index: number, subgraph?: string): unknown {
  const g = subgraph ? ep.graph.subgraphs.get(subgraph)! : ep.graph;
  const v = g.nodes[index]?.meta.val;
  if (isTensorMeta(v)) return new Tensor(v);
  if (Array.isArray(v)) return v.map((x) => (isTensorMeta(x) ? new Tensor(x) : x));
  return v ?? null;
}

function asDType(d: string): DType {
  if (!isDType(d)) throw new Error(`unknown dtype ${d}`);
  return d;
}

/** Engine functions Python calls (module `_pt2_engine`). */
function engineModule(rng: Rng) {
  return {
    EXPORT_ERROR_SUFFIX,
    kind: kindOf,
    pyFloat: (v: number) => new PyFloat(v),
    isTracing: () => currentTracer() !== undefined,
    op: (name: string, args: unknown, kwargs: unknown) => callOp(name, fromPy(args) as unknown[], (fromPy(kwargs) ?? {}) as Record<string, unknown>),
    hasOp: (name: string) => defaultRegistry.has(name),
    // tensors
    fromValues: (dtype: string, shape: unknown, values: ArrayLike<number | boolean>) => Tensor.fromNDArray(NDArray.fromValues(asDType(dtype), fromPy(shape) as number[], values)),
    full: (dtype: string, shape: unknown, value: number) => {
      const s = fromPy(shape) as number[];
      const a = NDArray.zeros(asDType(dtype), s);
      if (value !== 0) a.storage.data.fill(Number(value));
      return Tensor.fromNDArray(a);
    },
    random: (kind: 'uniform' | 'normal' | 'randint', dtype: string, shape: unknown, a: number, b: number) => {
      const s = fromPy(shape) as number[];
      const arr = NDArray.zeros(asDType(dtype), s);
      const d = arr.storage.data;
      for (let i = 0; i < d.length; i++) d[i] = kind === 'normal' ? a + b * rng.normal() : kind === 'uniform' ? a + (b - a) * rng.uniform() : a + Math.floor(rng.uniform() * (b - a));
      return Tensor.fromNDArray(NDArray.fromValues(arr.dtype, s, d));
    },
    manualSeed: (s: number) => rng.seed(Number(s)),
    dtype: (t: Tensor) => t.dtype,
    shape: (t: Tensor) => [...t.shape],
    isFake: (t: Tensor) => t.isFake,
    flat: (t: Tensor) => Array.from(t.nd.toFlat() as ArrayLike<number>),
    isFloating: (d: string) => isFloating(asDType(d)),
    requiresGrad: (t: Tensor, v?: boolean) => {
      if (v !== undefined) t.requiresGrad = v;
      return t.requiresGrad;
    },
    sameTensor: (a: unknown, b: unknown) => a === b,
    typeString: (t: Tensor) => t.typeString(),
    // Python semantics
    sizeAt: (t: Tensor, d: number) => sizeAt(t, d),
    item: (t: Tensor) => item(t),
    tensorToBool: (t: Tensor) => tensorToBool(t),
    sym: (op: SymBinaryOp, a: unknown, b: unknown) => symBinary(op, fromPy(a) as number, fromPy(b) as number),
    symNot: (a: SymBool | boolean) => symNot(a),
    symAnd: (a: SymBool | boolean, b: SymBool | boolean) => symAnd(a, b),
    symOr: (a: SymBool | boolean, b: SymBool | boolean) => symOr(a, b),
    symBool: (v: SymBool | boolean) => symBool(v),
    symInt: (v: SymInt | number) => symInt(v),
    symStr: (v: SymInt | SymBool | SymFloat) => v.toString(),
    symHint: (v: SymInt | SymBool | SymFloat) => v.hint ?? null,
    symFloat: (op: SymFloatOp, a: unknown, b: unknown, aIsFloat: boolean, bIsFloat: boolean) => {
      const r = symFloatBinary(op, numArg(fromPy(a)), numArg(fromPy(b)), aIsFloat, bIsFloat);
      // A float result that folded to a constant is still a Python float (`2.0`).
      return typeof r === 'number' ? new PyFloat(r) : r;
    },
    symToInt: (fn: SymToIntFn, x: unknown) => symToInt(fn, numArg(fromPy(x))),
    symFloatValue: (x: unknown) => symFloat(numArg(fromPy(x))),
    check: (c: unknown, msg: string | null | undefined) => torchCheck(fromPy(c) as boolean, msg ?? undefined),
    cond: (pred: unknown, t: PyCallable, f: PyCallable, operands: unknown) =>
      cond(
        fromPy(pred),
        (...xs: unknown[]) => fromPy(t(xs)),
        (...xs: unknown[]) => fromPy(f(xs)),
        fromPy(operands) as unknown[],
      ),
    // Dims
    newDim: (name: string, min: number | null, max: number | null) => new Dim(name, { min: min ?? undefined, max: max ?? undefined }),
    dims: (names: string[]) => dims(...names),
    dimHint: (h: 'AUTO' | 'DYNAMIC' | 'STATIC') => Dim[h],
    dimPlus: (d: Dim | DerivedDim, k: number) => d.plus(k),
    dimTimes: (d: Dim | DerivedDim, k: number) => d.times(k),
    dimInfo: (d: Dim | DerivedDim) => (d instanceof Dim ? [d.name, d.min, d.max === Infinity ? null : d.max] : [d.name, null, null]),
    dimStr: (d: Dim | DerivedDim) => d.toString(),
    // modules and export
    newModule: (className: string, argNames: unknown, rootForward: PyCallable | null) => new PythonModuleMirror(className, fromPy(argNames) as string[], rootForward ?? null),
    registerParameter: (m: Module, name: string, t: Tensor | null) => void m.registerParameter(name, t ?? null),
    registerBuffer: (m: Module, name: string, t: Tensor | null, persistent: boolean) => void m.registerBuffer(name, t ?? null, persistent),
    registerModule: (m: Module, name: string, child: Module) => void m.registerModule(name, child),
    setConstant: (m: Module, name: string, t: Tensor) => void m.setConstant(name, t),
    setTraining: (m: Module, training: boolean) => void m.train(training),
    moduleCall: (m: PythonModuleMirror, thunk: PyCallable) => m.callThunk(thunk),
    export: (mod: Module, args: unknown, kwargs: unknown, dynamicShapes: unknown, strict: boolean, stack: PyCallable, userFrame: PyCallable) =>
      exportModule(mod, fromPy(args), (fromPy(kwargs) ?? {}) as Record<string, unknown>, {
        dynamicShapes: fromPy(dynamicShapes) as Record<string, unknown> | null,
        strict,
        stackProvider: () => {
          const frames = stack() as string | null;
          return frames ? (JSON.parse(frames) as StackFrame[]) : undefined;
        },
        userFrame: () => (userFrame() as string | null) ?? undefined,
      }),
    epString: (ep: ExportedProgram) => ep.toString(),
    epCode: (ep: ExportedProgram) => ep.code,
    epCall: (ep: ExportedProgram, args: unknown, kwargs: unknown) => ep.call(fromPy(args) as unknown[], (fromPy(kwargs) ?? {}) as Record<string, unknown>),
    epDecompose: (ep: ExportedProgram) => ep.runDecompositions(),
    epOps: (ep: ExportedProgram) => ep.opSequence(),
    epGraphJson: (ep: ExportedProgram, sub?: string) => graphJson(ep, sub ?? undefined),
    epSubgraphs: (ep: ExportedProgram) => [...ep.graph.subgraphs.keys()],
    epNodeVal: (ep: ExportedProgram, i: number, sub?: string) => nodeVal(ep, i, sub ?? undefined),
    epSignatureString: (ep: ExportedProgram) => formatSignature(ep.graphSignature),
    epSignatureJson: (ep: ExportedProgram) =>
      JSON.stringify({
        inputs: ep.graphSignature.inputSpecs.map((s) => ({ kind: s.kind, name: s.name, target: s.target ?? null, persistent: s.persistent ?? null, constant: s.kind === 'USER_INPUT' && 'constantValue' in s ? argToJson(s.constantValue) : undefined })),
        outputs: ep.graphSignature.outputSpecs.map((s) => ({ kind: s.kind, name: s.name, target: s.target ?? null })),
      }),
    epRangeConstraintsString: (ep: ExportedProgram) => formatRangeConstraints(ep.rangeConstraints),
    epRangeConstraints: (ep: ExportedProgram) => JSON.stringify(ep.rangeConstraints.map((r) => [printExpr(r.expr), boundJson(r.range.lo), boundJson(r.range.hi)])),
    epSave: (ep: ExportedProgram, rootName: string | null) => savePt2(ep, rootName ? { rootName } : {}),
    epLoad: (bytes: Uint8Array) => loadProgram(bytes),
    isContiguous: (t: Tensor) => isContiguousMeta(t.meta),
    staticallyKnownGe: (a: unknown, b: unknown) => staticallyKnownTrue(symGe(fromPy(a) as number, fromPy(b) as number)),
    strides: (t: Tensor) => [...t.meta.strides],
    epStateDict: (ep: ExportedProgram) => [...ep.stateDict.entries()],
    epConstants: (ep: ExportedProgram) => [...ep.constants.entries()],
    errorInfo: (e: unknown) => {
      if (e instanceof EngineError) return [e.pythonType, e.message];
      if (e instanceof Error) return ['', `${e.name}: ${e.message}`];
      return ['', String(e)];
    },
  };
}

/** torch.export.load: the program named `model` (the one torch.export.save writes), else the only one. */
export function loadProgram(bytes: Uint8Array): ExportedProgram {
  const archive = loadPt2(bytes);
  const ep = archive.programs.get('model') ?? (archive.programs.size === 1 ? [...archive.programs.values()][0] : undefined);
  if (!ep) throw new ArchiveError(undefined, `no program named 'model' (the archive holds ${[...archive.programs.keys()].map((k) => `'${k}'`).join(', ') || 'none'})`);
  return ep;
}

function boundJson(v: number): number | string {
  return v === Infinity ? 'int_oo' : v === -Infinity ? '-int_oo' : v;
}

/** A Python interpreter with the engine's `torch` installed. */
export class PythonRuntime {
  private out: string[] = [];
  private err: string[] = [];
  private readonly runner: PyCallable;

  constructor(
    readonly pyodide: PyodideLike,
    private readonly opts: PythonRuntimeOptions,
  ) {
    const dec = (sink: 'out' | 'err') => {
      const td = new TextDecoder();
      return (buffer: Uint8Array) => {
        const s = td.decode(buffer, { stream: true });
        (sink === 'out' ? this.out : this.err).push(s);
        (sink === 'out' ? opts.onStdout : opts.onStderr)?.(s);
        return buffer.length;
      };
    };
    pyodide.setStdout({ write: dec('out') });
    pyodide.setStderr({ write: dec('err') });
    for (const [rel, text] of Object.entries(opts.sources)) {
      const path = `${PACKAGE_ROOT}/${rel}`;
      pyodide.FS.mkdirTree(path.slice(0, path.lastIndexOf('/')));
      pyodide.FS.writeFile(path, text);
    }
    for (const m of opts.mounts ?? []) this.mount(m);
    pyodide.registerJsModule('_pt2_engine', engineModule(new Rng(0x2545f491)));
    this.runner = pyodide.runPython(`
import sys
if ${JSON.stringify(PACKAGE_ROOT)} not in sys.path:
    sys.path.insert(0, ${JSON.stringify(PACKAGE_ROOT)})
import _pt2_runner
_pt2_runner.run
`) as PyCallable;
    if (opts.cwd !== undefined) pyodide.runPython(`import os\nos.chdir(${JSON.stringify(opts.cwd)})`);
  }

  private readonly mounted: string[] = [];
  private modelDriver: { exportModel: PyCallable; take: PyCallable } | undefined;

  /**
   * Run a MODEL.py (module-level \`model\`, \`example_args\`, optional \`example_kwargs\`,
   * \`dynamic_shapes\`) and export it non-strict, as \`pt2 export\` does.
   */
  exportModel(code: string, options: ExportModelOptions): ExportModelResult {
    this.out = [];
    this.err = [];
    this.modelDriver ??= {
      exportModel: this.pyodide.runPython('import _pt2_model\n_pt2_model.export_model') as PyCallable,
      take: this.pyodide.runPython('import _pt2_model\n_pt2_model.take') as PyCallable,
    };
    this.writeScript(options.filename, code);
    const res = this.modelDriver.exportModel(code, options.filename, !!options.decompose, !!options.print) as string;
    const parsed = JSON.parse(res) as { error?: PythonException; phase?: ExportModelResult['phase'] };
    const program = parsed.error ? undefined : (this.modelDriver.take() as ExportedProgram);
    return { stdout: this.out.join(''), stderr: this.err.join(''), ...parsed, ...(program ? { program } : {}) };
  }

  private writeScript(filename: string, code: string): void {
    // Tracebacks and stack traces read the script's lines from its file; a script on a
    // mounted host folder is already there (and must not be written to).
    if (filename.startsWith('/') && !this.isOnHost(filename)) {
      this.pyodide.FS.mkdirTree(filename.slice(0, filename.lastIndexOf('/')) || '/');
      this.pyodide.FS.writeFile(filename, code);
    }
  }

  private mount(m: HostMount): void {
    const { pyodide } = this;
    if (!pyodide.mountNodeFS) throw new Error('this Pyodide cannot mount host folders (mountNodeFS is missing)');
    if (!m.path.startsWith('/')) throw new Error(`mount point '${m.path}' is not an absolute path`);
    const exists = pyodide.FS.analyzePath?.(m.path).exists ?? false;
    if (exists && (pyodide.FS.readdir?.(m.path) ?? []).some((n) => n !== '.' && n !== '..')) {
      throw new Error(`cannot mount '${m.hostPath}' at '${m.path}': the folder is not empty in Python's file system`);
    }
    pyodide.mountNodeFS(m.path, m.hostPath);
    this.mounted.push(m.path.endsWith('/') ? m.path : `${m.path}/`);
  }

  /** Whether a Python path lies on a mounted host folder (the host's copy is the truth there). */
  isOnHost(path: string): boolean {
    return this.mounted.some((m) => path.startsWith(m) || `${path}/` === m);
  }

  /** Run a script as __main__; output and the uncaught exception come back in the result. */
  runPython(code: string, options: RunOptions = {}): RunResult {
    this.out = [];
    this.err = [];
    const filename = options.filename ?? '<string>';
    this.writeScript(filename, code);
    const res = this.runner(code, filename, JSON.stringify([filename, ...(options.argv ?? [])])) as string;
    const parsed = JSON.parse(res) as { error?: PythonException; exitCode?: number };
    return { stdout: this.out.join(''), stderr: this.err.join(''), ...parsed };
  }
}

/** Install the package into an already-loaded Pyodide (or one a loader produces). */
export async function createPythonRuntime(pyodide: PyodideLike | (() => Promise<PyodideLike>), opts: PythonRuntimeOptions): Promise<PythonRuntime> {
  const py = typeof pyodide === 'function' ? await pyodide() : pyodide;
  return new PythonRuntime(py, opts);
}
