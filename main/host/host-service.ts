// The engine host's request handlers: one method per invoke channel of the IPC
// contract. It runs inside the host worker (host-worker.ts) so the UI never waits on
// the engine; tests drive it in-process. Exports go through the Python front end
// when it is available, otherwise through a seed's TypeScript twin (Note [Seed
// twins]); anything else is a clear "not available yet" error, never a fake result.

import { performance } from 'node:perf_hooks';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { randomUUID } from 'node:crypto';
import type {
  AdapterInfo,
  AnalyzeRequest,
  AnalyzeResponse,
  CompareFinishRequest,
  ComparePrepareRequest,
  ComparePrepareResponse,
  CompareRequest,
  CompareResponse,
  ExportRequest,
  ExportResponse,
  HelloResponse,
  HostKind,
  InvokeChannel,
  OpenRequest,
  OpenResponse,
  ProgressEvent,
  RequestOf,
  ResponseOf,
  RunRequest,
  RunResponse,
  SaveRequest,
  SaveResponse,
  SeedInfo,
  SourceLocation,
  ViolationInfo,
} from '../common/ipc-contract';
import { findBlock, parseSpecFromSource } from '../common/dynamic-shapes-code';
import { topLevelAssignments } from '../common/py-expr';
import { ConstraintViolationError, UserError } from '../../engine/core/errors';
import { exportModule } from '../../engine/export/export';
import type { ExportedProgram } from '../../engine/export/exported-program';
import type { Module } from '../../engine/trace/module';
import { Tensor } from '../../engine/trace/tensor';
import { SEEDS } from './seeds/catalog';
import { buildSeedModule, matchSeed } from './seeds/seed-export';
import { MODEL_FILE_NAME, type SourceCursor } from './seeds/source-cursor';
import { ModelFileError, describeInputs, forwardParams, readModelFile, type ExampleValue } from './model-file';
import { cloneValue, flattenWithPaths, makeRng, materialize } from './example-values';
import { toEngineDynamicShapes } from './dynamic-shapes';
import { programPayload, summarize } from './program-payload';
import { compareOutputs, randomInputs } from './compare';
import { CPU_RUNTIME, EAGER_RUNTIME, WEBGPU_RUNTIME, cpuRuntimeFor, runOnCpu, runOnWebGpu } from './runtimes';
import { type HostCpuThreads, openCpuThreads, threadCountFromEnv } from './cpu-threads';
import { type EagerResult, WindowCompares, verdict } from './window-compare';
import type { CpuRuntime } from '../../engine/runtime/cpu/cpu-runtime';
import { CancelledError, HostRequestError, NotAvailableError, toIpcError, type ErrorContext } from './host-errors';
import { availability, loadSerializer, pythonModulePresent, type SerializerApi } from './engine-adapters';
import { openFileSource, type FileSource } from '../cli/file-source';
import type { LoadedArchive } from '../../engine/serialize/read';
import { startStudioPython, type StudioPython } from './python-frontend';
import type { PythonException } from '../../engine/python/bridge';
import { RecentFiles } from './recent-files';

export const STUDIO_VERSION = '0.1.0';
/** Sessions kept alive (each holds a program and its weights). */
const MAX_SESSIONS = 6;
/** Seed for the example inputs' values, so a document always exports on the same numbers. */
const EXAMPLE_SEED = 20240611;

export interface HostContext {
  host: HostKind;
  /** Where recent files and cached uploads live. */
  dataDir: string;
  emitProgress(e: ProgressEvent): void;
  /** Throws CancelledError when the running task was cancelled (checked between graph nodes). */
  checkCancelled(): void;
  /** 'off': never start the Python front end (the seed twins only). Default 'auto'. */
  python?: 'auto' | 'off';
  /** Pyodide's interrupt buffer (2 = SIGINT): how a cancel stops running Python code. */
  interruptBuffer?: Int32Array;
}

interface Session {
  id: string;
  /** The program the views show (decomposed when asked). */
  ep: ExportedProgram;
  /** Run the eager model (absent for loaded archives). */
  eager?: (args: unknown[], kwargs: Record<string, unknown>) => unknown;
  /** Snapshot module state; the returned function restores it (eager and exported runs mutate buffers). */
  snapshot?: () => () => void;
  /** Release what the session holds outside the engine (the eager Python model). */
  dispose?: () => void;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  fileName?: string;
  /** The program compiled for the CPU runtime, made on first run. */
  cpu?: CpuRuntime;
}

/** An error the host attaches a source location to. */
class LocatedError extends Error {
  constructor(
    readonly inner: unknown,
    readonly ctx: ErrorContext,
  ) {
    super(inner instanceof Error ? inner.message : String(inner));
  }
}

export class HostService {
  private readonly sessions = new Map<string, Session>();
  /** Compares waiting for the window's WebGPU outputs. */
  private readonly windowCompares = new WindowCompares();
  private readonly recent: RecentFiles;

  private pythonStart: Promise<StudioPython | NotAvailableError> | undefined;
  private cpuThreadsStart: Promise<HostCpuThreads | undefined> | undefined;

  constructor(private readonly ctx: HostContext) {
    this.recent = new RecentFiles(ctx.dataDir);
  }

  /**
   * Worker threads for the CPU runtime, started once (PT2_CPU_THREADS sets the
   * count, default the cores up to 8); on one thread, with the reason logged,
   * when they cannot start.
   */
  private cpuThreads(): Promise<HostCpuThreads | undefined> {
    this.cpuThreadsStart ??= openCpuThreads(threadCountFromEnv(process.env.PT2_CPU_THREADS)).catch((e: unknown) => {
      console.warn(`PT2 Studio: the CPU runtime runs on one thread: ${(e as Error).message}`);
      return undefined;
    });
    return this.cpuThreadsStart;
  }

  /** The Python front end, started once (Pyodide takes a couple of seconds); NotAvailableError when absent or off. */
  python(): Promise<StudioPython | NotAvailableError> {
    this.pythonStart ??= (async () => {
      if (this.ctx.python === 'off') return new NotAvailableError('The Python front end is switched off for this host (PT2_STUDIO_PYTHON=off).', 'engine/python');
      if (!pythonModulePresent()) return new NotAvailableError('The Python front end (engine/python) is not available yet.', 'engine/python');
      try {
        const py = await startStudioPython();
        if (this.ctx.interruptBuffer) py.setInterruptBuffer(this.ctx.interruptBuffer);
        return py;
      } catch (e) {
        return new NotAvailableError(`The Python front end (engine/python) failed to start: ${(e as Error).message}`, 'engine/python');
      }
    })();
    return this.pythonStart;
  }

  /** Dispatch one request; errors are returned, never thrown. */
  async handle<C extends InvokeChannel>(channel: C, request: RequestOf<C>): Promise<{ ok: true; value: ResponseOf<C> } | { ok: false; error: ReturnType<typeof toIpcError> }> {
    try {
      const value = await this.dispatch(channel, request);
      return { ok: true, value: value as ResponseOf<C> };
    } catch (err) {
      if (err instanceof LocatedError) return { ok: false, error: toIpcError(err.inner, err.ctx) };
      return { ok: false, error: toIpcError(err) };
    }
  }

  private dispatch(channel: InvokeChannel, req: unknown): Promise<unknown> | unknown {
    const r = (req ?? {}) as Record<string, unknown>;
    switch (channel) {
      case 'app:hello':
        return this.hello();
      case 'app:seeds':
        return SEEDS.map((s): SeedInfo => ({ id: s.id, title: s.title, summary: s.summary, source: s.source, tags: s.tags }));
      case 'app:analyze':
        return this.analyze(r as unknown as AnalyzeRequest);
      case 'app:export':
        return this.exportProgram(r as unknown as ExportRequest);
      case 'app:compare':
        return this.compare(r as unknown as CompareRequest);
      case 'app:compare-prepare':
        return this.comparePrepare(r as unknown as ComparePrepareRequest);
      case 'app:compare-finish':
        return this.compareFinish(r as unknown as CompareFinishRequest);
      case 'app:run':
        return this.run(r as unknown as RunRequest);
      case 'app:save':
        return this.save(r as unknown as SaveRequest);
      case 'app:open':
        return this.open(r as unknown as OpenRequest);
      case 'app:recent':
        return this.recent.list();
      case 'app:close-session':
        return { closed: this.closeSession(String(r.sessionId)) };
      case 'app:cancel':
        // Cancellation is handled by the host client (it owns the shared cancel flag).
        return { cancelled: false };
    }
  }

  async hello(): Promise<HelloResponse> {
    return { host: this.ctx.host, version: STUDIO_VERSION, capabilities: await availability(this.ctx.python === 'off') };
  }

  //#region analyze
  /** The document's inputs, for the Dim panel: read statically, else (when the file needs running) by Python. */
  async analyze(req: AnalyzeRequest): Promise<AnalyzeResponse> {
    const source = requireString(req.source, 'source');
    const seed = matchSeed(source);
    const warnings: string[] = [];
    let file;
    try {
      file = readModelFile(source);
    } catch (e) {
      if (!(e instanceof ModelFileError)) throw e;
      const py = await this.python();
      if (py instanceof NotAvailableError) throw new LocatedError(e, { location: e.line ? lineLocation(source, e.line) : undefined });
      const d = py.describe(source);
      if ('error' in d) throw new LocatedError(pythonError(d.error), { location: pythonErrorLocation(d.error, source) });
      const { args, inputs } = describeInputs({ forwardParams: d.params, args: d.args, kwargs: d.kwargs });
      return { via: 'python', seedId: seed?.id, args, inputs, warnings };
    }
    const { args, inputs } = describeInputs(file);
    if (file.forwardParams.length === 0) warnings.push('No forward(self, ...) found: inputs are named args_0, args_1, …');
    return { via: seed ? 'seed' : 'static', seedId: seed?.id, args, inputs, warnings };
  }
  //#endregion

  //#region export
  async exportProgram(req: ExportRequest): Promise<ExportResponse> {
    const source = requireString(req.source, 'source');
    const progress = this.progressFor(req.taskId);
    progress('Reading the model file', 0.02);
    if (this.ctx.python !== 'off' && pythonModulePresent()) progress('Starting the Python runtime', 0.02);
    const py = await this.python();
    if (!(py instanceof NotAvailableError)) return this.exportWithPython(py, req, progress);
    const seed = matchSeed(source);
    if (!seed)
      throw new NotAvailableError(
        `${py.message} Exporting edited model code needs it. ` +
          'The built-in examples export through their TypeScript twins: you may change their example inputs, dynamic shapes and declared parameters (like N_BLOCKS), but not their code. ' +
          'Choose an example from the Examples menu or undo your edits.',
        'engine/python',
      );

    let file;
    try {
      file = readModelFile(source);
    } catch (e) {
      if (e instanceof ModelFileError) throw new LocatedError(e, { location: e.line ? lineLocation(source, e.line) : undefined });
      throw e;
    }
    let built: { module: Module; cursor: SourceCursor };
    try {
      built = buildSeedModule(seed, source, file);
    } catch (e) {
      if (e instanceof ModelFileError) throw new LocatedError(e, { location: e.line ? lineLocation(source, e.line) : undefined });
      throw e;
    }
    const { module, cursor } = built;
    const rng = makeRng(EXAMPLE_SEED);
    const args = file.args.map((v) => materialize(v, rng));
    const kwargs = Object.fromEntries(file.kwargs.map(([k, v]) => [k, materialize(v, rng)]));
    const { args: argInfos, inputs } = describeInputs(file);

    const dsLine = dynamicShapesLine(source);
    let spec = req.dynamicShapes;
    if (!spec) {
      const parsed = parseSpecFromSource(source, argInfos, inputs);
      if (parsed.error) throw new LocatedError(new HostRequestError(`dynamic_shapes: ${parsed.error}`), { location: parsed.line ? lineLocation(source, parsed.line) : undefined });
      spec = parsed.spec;
    }
    let dynamicShapes: Record<string, unknown> | null = null;
    try {
      dynamicShapes = spec ? toEngineDynamicShapes(spec, argInfos, inputs) : null;
    } catch (e) {
      throw new LocatedError(e, { location: dsLine ? lineLocation(source, dsLine) : undefined });
    }

    progress('Tracing forward', 0.05);
    let nodes = 0;
    let lastEmit = performance.now();
    const t0 = performance.now();
    let ep: ExportedProgram;
    try {
      ep = exportModule(module, args, kwargs, {
        dynamicShapes,
        strict: req.strict,
        stackProvider: () => {
          nodes++;
          if ((nodes & 15) === 0) {
            this.ctx.checkCancelled();
            const now = performance.now();
            if (now - lastEmit > 120) {
              lastEmit = now;
              progress(`Tracing forward: ${nodes} nodes`, null);
            }
          }
          return cursor.frames();
        },
        userFrame: () => cursor.userFrame(),
      });
    } catch (e) {
      if (e instanceof CancelledError) throw e;
      throw new LocatedError(e, this.exportErrorContext(e, source, cursor, dsLine));
    }
    const exportMs = performance.now() - t0;
    this.ctx.checkCancelled();

    let shown = ep;
    let decomposeMs: number | undefined;
    if (req.decompose) {
      progress('Decomposing to core ATen (run_decompositions)', 0.7);
      const t1 = performance.now();
      shown = ep.runDecompositions();
      decomposeMs = performance.now() - t1;
      this.ctx.checkCancelled();
    }
    progress('Preparing the graph view', 0.9);
    const snapshot = () => snapshotState(module);
    const session = this.addSession({
      id: randomUUID(),
      ep: shown,
      eager: (a, kw) => (Object.keys(kw).length ? module.call(...a, kw) : module.call(...a)),
      snapshot,
      args,
      kwargs,
    });
    return {
      sessionId: session.id,
      via: 'seed',
      printed: shown.toString(),
      program: programPayload(shown),
      inputs,
      timings: { exportMs, decomposeMs },
      decomposed: req.decompose,
    };
  }

  /** The Python front end runs the document itself (python-frontend.ts). */
  private exportWithPython(py: StudioPython, req: ExportRequest, progress: (label: string, fraction: number | null) => void): ExportResponse {
    progress(req.decompose ? 'Running model.py: export, then run_decompositions()' : 'Running model.py and exporting', 0.1);
    const sessionId = randomUUID();
    if (this.ctx.interruptBuffer) Atomics.store(this.ctx.interruptBuffer, 0, 0);
    const t0 = performance.now();
    const r = py.exportModel(req.source, sessionId, req.decompose, req.strict);
    const exportMs = performance.now() - t0;
    if (r.error || !r.program) {
      py.forget(sessionId);
      const error = r.error ?? { type: 'RuntimeError', message: 'the Python front end returned no program', traceback: '' };
      if (error.type === 'KeyboardInterrupt') throw new CancelledError();
      throw new LocatedError(pythonError(error), this.pythonErrorContext(error, req.source));
    }
    this.ctx.checkCancelled();
    const ep = r.program;
    progress('Preparing the graph view', 0.9);
    const example = ep.parts.exampleInputs;
    this.addSession({
      id: sessionId,
      ep,
      eager: (a, kw) => py.eager(sessionId, [a, kw]),
      snapshot: () => snapshotProgramState(ep),
      args: example?.args,
      kwargs: example?.kwargs,
      dispose: () => py.forget(sessionId),
    });
    let inputs: ExportResponse['inputs'] = [];
    if (example) inputs = describeInputs({ forwardParams: forwardParams(req.source), args: example.args.map(exampleOf), kwargs: Object.entries(example.kwargs).map(([k, v]) => [k, exampleOf(v)]) }).inputs;
    return { sessionId, via: 'python', printed: ep.toString(), program: programPayload(ep), inputs, timings: { exportMs }, decomposed: req.decompose };
  }

  private pythonErrorContext(error: PythonException, source: string): ErrorContext {
    const dsLine = dynamicShapesLine(source);
    const dimLine = (name: string): SourceLocation | undefined => {
      const a = topLevelAssignments(source).find((x) => x.name === name && /\bDim\s*\(/.test(x.text));
      return a ? lineLocation(source, a.line) : dsLine ? lineLocation(source, dsLine) : undefined;
    };
    if (/^Constraints violated/.test(error.message)) {
      const first = parseViolations(error.message)[0];
      return { location: first ? dimLine(first.dimName) : undefined, violationLocation: dimLine };
    }
    return { location: pythonErrorLocation(error, source) ?? (/dynamic_shapes|Dim\(/.test(error.message) && dsLine ? lineLocation(source, dsLine) : undefined) };
  }

  private exportErrorContext(e: unknown, source: string, cursor: SourceCursor, dsLine: number | undefined): ErrorContext {
    const dimLine = (name: string): SourceLocation | undefined => {
      const a = topLevelAssignments(source).find((x) => x.name === name && /\bDim\s*\(/.test(x.text));
      if (a) return lineLocation(source, a.line);
      return dsLine ? lineLocation(source, dsLine) : undefined;
    };
    if (e instanceof ConstraintViolationError) {
      const first = e.violations[0];
      return { location: first ? dimLine(first.dimName) : undefined, violationLocation: dimLine };
    }
    // Spec problems found before tracing point at dynamic_shapes; the rest at the line being traced.
    if (e instanceof UserError && e.errorType === 'INVALID_INPUT' && !cursor.current) return { location: dsLine ? lineLocation(source, dsLine) : undefined };
    if (cursor.current) return { location: lineLocation(source, cursor.current.line) };
    return {};
  }

  private addSession(s: Session): Session {
    this.sessions.set(s.id, s);
    while (this.sessions.size > MAX_SESSIONS) this.closeSession(this.sessions.keys().next().value as string);
    return s;
  }

  private closeSession(id: string): boolean {
    const s = this.sessions.get(id);
    if (!s) return false;
    this.sessions.delete(id);
    this.windowCompares.dropSession(id);
    s.dispose?.();
    return true;
  }

  private session(id: unknown): Session {
    const s = this.sessions.get(String(id));
    if (!s) throw new HostRequestError('This program is no longer loaded in the engine host (it was closed or the host restarted). Export or open it again.');
    return s;
  }

  private progressFor(taskId: unknown): (label: string, fraction: number | null) => void {
    const id = typeof taskId === 'string' ? taskId : '';
    return (label, fraction) => {
      if (id) this.ctx.emitProgress({ taskId: id, label, fraction });
    };
  }
  //#endregion

  //#region compare and run
  async compare(req: CompareRequest): Promise<CompareResponse> {
    const s = this.session(req.sessionId);
    if (req.backend !== 'cpu' && req.backend !== 'webgpu') throw new HostRequestError(`Unknown backend '${String(req.backend)}'; choose cpu or webgpu.`);
    const progress = this.progressFor(req.taskId);
    const restore = s.snapshot?.();
    try {
      const eager = this.runEager(s, req, restore);
      progress(`Running the exported program on the ${req.backend === 'webgpu' ? WEBGPU_RUNTIME : CPU_RUNTIME}`, 0.6);
      const exported = await this.runExported(s, req.backend, cloneValue(eager.args) as unknown[], cloneValue(eager.kwargs) as Record<string, unknown>);
      return {
        ...verdict(compareOutputs(eager.out, exported.out, req.atol, req.rtol)),
        backend: req.backend,
        inputs: eager.summaries,
        timings: { eagerMs: eager.ms, exportedMs: exported.ms },
        eagerRuntime: EAGER_RUNTIME,
        runtime: exported.runtime,
        threads: exported.threads,
        adapter: exported.adapter,
        webgpuIn: req.backend === 'webgpu' ? 'host' : undefined,
      };
    } finally {
      restore?.();
    }
  }

  /**
   * The first half of a compare whose exported side runs on the window's WebGPU: run
   * the eager model, keep its outputs, and hand the window the program and inputs.
   */
  async comparePrepare(req: ComparePrepareRequest): Promise<ComparePrepareResponse> {
    const s = this.session(req.sessionId);
    if (req.backend !== 'webgpu') throw new HostRequestError(`Only WebGPU compares run in the window; backend '${String(req.backend)}' runs in the host (app:compare).`);
    if (typeof req.taskId !== 'string' || !req.taskId) throw new HostRequestError('A window compare needs a taskId (the finish refers to it).');
    const ser = await loadSerializer();
    if (ser instanceof NotAvailableError) throw ser;
    const restore = s.snapshot?.();
    try {
      const eager = this.runEager(s, req, restore);
      this.progressFor(req.taskId)("Sending the program to the window's WebGPU runtime", 0.5);
      return this.windowCompares.prepare(s.ep, ser, s.id, req, eager);
    } finally {
      restore?.();
    }
  }

  /** The second half: compare the window's outputs with the eager outputs kept by comparePrepare. */
  compareFinish(req: CompareFinishRequest): CompareResponse {
    return this.windowCompares.finish(req, (id) => this.session(id).ep);
  }

  /** Inputs for a compare and the eager model's outputs on them; module state is restored after the eager run. */
  private runEager(s: Session, req: CompareRequest, restore: (() => void) | undefined): EagerResult {
    if (!s.eager || !s.args || !s.kwargs) throw new HostRequestError('This program has no eager model to compare with (it was loaded from a file); use Run instead.');
    const progress = this.progressFor(req.taskId);
    progress('Preparing inputs', 0.05);
    const inputs = req.inputs === 'random' ? randomInputs(s.ep, { args: s.args, kwargs: s.kwargs }, req.seed >>> 0) : { args: s.args, kwargs: s.kwargs };
    progress('Running the eager model', 0.2);
    const t0 = performance.now();
    let out: unknown;
    try {
      out = s.eager(cloneValue(inputs.args) as unknown[], cloneValue(inputs.kwargs) as Record<string, unknown>);
    } catch (e) {
      throw prefixError(e, 'Eager model failed: ');
    }
    const ms = performance.now() - t0;
    restore?.();
    this.ctx.checkCancelled();
    const summaries = flattenWithPaths([inputs.args, inputs.kwargs]).map(({ path, value }) => summarize(inputPathText(path), value));
    return { args: inputs.args, kwargs: inputs.kwargs, out, ms, summaries };
  }

  async run(req: RunRequest): Promise<RunResponse> {
    const s = this.session(req.sessionId);
    if (req.backend !== 'cpu' && req.backend !== 'webgpu') throw new HostRequestError(`Unknown backend '${String(req.backend)}'; choose cpu or webgpu.`);
    const example = s.args && s.kwargs ? { args: s.args, kwargs: s.kwargs } : s.ep.parts.exampleInputs;
    if (!example && req.inputs === 'example')
      throw new HostRequestError('This program has no example inputs (the archive has no data/sample_inputs, or they could not be decoded); run with random inputs drawn within the range constraints instead.');
    const inputs = req.inputs === 'random' || !example ? randomInputs(s.ep, example, req.seed >>> 0) : example;
    const restore = s.snapshot?.();
    try {
      const r = await this.runExported(s, req.backend, cloneValue(inputs.args) as unknown[], cloneValue(inputs.kwargs) as Record<string, unknown>);
      return {
        backend: req.backend,
        inputs: flattenWithPaths([inputs.args, inputs.kwargs]).map(({ path, value }) => summarize(inputPathText(path), value)),
        outputs: flattenWithPaths(r.out).map(({ path, value }) => summarize(path || 'out', value)),
        ms: r.ms,
        runtime: r.runtime,
        threads: r.threads,
        adapter: r.adapter,
      };
    } finally {
      restore?.();
    }
  }

  /** Run the session's program on an engine runtime (never the reference interpreter); ms excludes compiling for the CPU and the WebGPU child's start. */
  private async runExported(s: Session, backend: CompareRequest['backend'], args: unknown[], kwargs: Record<string, unknown>): Promise<{ out: unknown; ms: number; runtime: string; threads?: number; adapter?: AdapterInfo }> {
    try {
      if (backend === 'webgpu') {
        const ser = await loadSerializer();
        if (ser instanceof NotAvailableError) throw ser;
        const r = await runOnWebGpu(s.ep, ser, args, kwargs, () => this.ctx.checkCancelled());
        return { out: r.out, ms: r.ms, runtime: WEBGPU_RUNTIME, adapter: r.adapter };
      }
      const threads = await this.cpuThreads();
      s.cpu ??= cpuRuntimeFor(s.ep, threads);
      const t0 = performance.now();
      const out = runOnCpu(s.ep, s.cpu, args, kwargs);
      return { out, ms: performance.now() - t0, runtime: CPU_RUNTIME, threads: threads?.total ?? 1 };
    } catch (e) {
      if (e instanceof CancelledError || e instanceof NotAvailableError) throw e;
      throw prefixError(e, `Exported program failed (${backend === 'webgpu' ? WEBGPU_RUNTIME : CPU_RUNTIME}): `);
    }
  }
  //#endregion

  //#region files
  async save(req: SaveRequest): Promise<SaveResponse> {
    const s = this.session(req.sessionId);
    const ser = await loadSerializer();
    if (ser instanceof NotAvailableError) throw ser;
    const fileName = safeFileName(req.fileName || 'model.pt2', '.pt2');
    const bytes = ser.savePt2(s.ep, { rootName: fileName.replace(/\.pt2$/i, '') || 'archive' });
    return { fileName, bytes: bytes.length, data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
  }

  async open(req: OpenRequest): Promise<OpenResponse> {
    let fileName: string;
    let path: string | undefined;
    /** The file on disk to read lazily, or the bytes that came with the request. */
    let input: { file: string } | { bytes: Uint8Array };
    if (typeof req.recentId === 'string') {
      const e = await this.recent.locate(req.recentId);
      if (!e) throw new HostRequestError('That recent file is gone (moved, deleted, or its cached copy was cleared).');
      ({ fileName, path } = e);
      input = { file: e.file };
    } else if (typeof req.data === 'string') {
      fileName = typeof req.fileName === 'string' && req.fileName ? req.fileName : 'untitled.pt2';
      path = typeof req.path === 'string' ? req.path : undefined;
      input = { bytes: new Uint8Array(Buffer.from(req.data, 'base64')) };
    } else if (typeof req.path === 'string' && req.path) {
      // A trusted caller's path (the Electron main process, from its dialog).
      path = req.path;
      fileName = typeof req.fileName === 'string' && req.fileName ? req.fileName : basename(path);
      input = { file: path };
    } else throw new HostRequestError('Nothing to open: pass a file (name and base64 data) or a recent-file id.');

    if (/\.py$/i.test(fileName)) {
      const bytes = 'bytes' in input ? input.bytes : new Uint8Array(await readFile(input.file));
      const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
      await this.recent.add(fileName, { path, bytes: path ? undefined : bytes });
      return { fileName, path, kind: 'python', text };
    }
    const ser = await loadSerializer();
    const t0 = performance.now();
    let source: FileSource | undefined;
    let archive;
    try {
      if ('file' in input) {
        try {
          source = openFileSource(input.file);
        } catch (e) {
          throw new HostRequestError(`${fileName} could not be opened: ${(e as Error).message}`);
        }
        const problem = notAnArchive(fileName, source.read(0, Math.min(source.size, 512)));
        if (problem) throw new HostRequestError(problem);
        if (ser instanceof NotAvailableError) throw ser;
        // Weights stay in the file until first used: the signature and graph come first.
        archive = readArchive(ser, source, fileName);
      } else {
        const problem = notAnArchive(fileName, input.bytes);
        if (problem) throw new HostRequestError(problem);
        if (ser instanceof NotAvailableError) throw ser;
        archive = readArchive(ser, input.bytes, fileName);
      }
    } catch (e) {
      source?.close();
      throw e;
    }
    const [, ep] = [...archive.programs][0] ?? [];
    if (!ep) {
      source?.close();
      throw new HostRequestError(`${fileName} holds no exported program.`);
    }
    const openMs = performance.now() - t0;
    const session = this.addSession({ id: randomUUID(), ep, fileName, snapshot: () => snapshotMutatedBuffers(ep), dispose: source ? () => source.close() : undefined });
    await this.recent.add(fileName, { path, bytes: path || !('bytes' in input) ? undefined : input.bytes });
    const example = ep.parts.exampleInputs;
    const api = ser as SerializerApi;
    const pending = source ? api.isLazyPending : undefined;
    const inputError = api.sampleInputsError?.(ep);
    return {
      fileName,
      path,
      kind: 'pt2',
      program: {
        sessionId: session.id,
        printed: ep.toString(),
        program: programPayload(ep, pending ? { onDisk: (t) => pending(t.nd.storage) } : {}),
        schemaVersion: `${archive.schemaVersion.major}.${archive.schemaVersion.minor}`,
        torchVersion: archive.torchVersion,
        exampleInputs: example ? flattenWithPaths([example.args, example.kwargs]).map(({ path: p, value }) => summarize(inputPathText(p), value)) : null,
        exampleInputsNote: example
          ? undefined
          : inputError
            ? `its sample inputs could not be decoded: ${inputError}`
            : 'the archive has no sample inputs (data/sample_inputs)',
        lazy: source !== undefined,
        openMs,
      },
    };
  }
  //#endregion
}

//#region helpers
/** The innermost `File ".../model.py", line N` frame of a Python traceback. */
function pythonErrorLocation(e: PythonException | Error | unknown, source: string): SourceLocation | undefined {
  const text = e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : typeof e === 'object' && e && 'traceback' in e ? `${(e as PythonException).traceback}\n${(e as PythonException).message}` : String(e);
  const frames = [...text.matchAll(new RegExp(`File "(?:[^"]*/)?${MODEL_FILE_NAME.replace('.', '\\.')}", line (\\d+)`, 'g'))];
  const last = frames[frames.length - 1];
  return last ? lineLocation(source, Number(last[1])) : undefined;
}

/** A Python exception as the host's error: the class name, torch's qualified type, the traceback. */
export class PythonError extends Error {
  constructor(
    readonly pythonType: string,
    message: string,
    readonly traceback: string,
    readonly violations?: ViolationInfo[],
  ) {
    super(message);
    this.name = pythonType.split('.').pop() || 'Error';
  }
}

function pythonError(e: PythonException): PythonError {
  return new PythonError(e.type, e.message, e.traceback, /^Constraints violated/.test(e.message) ? parseViolations(e.message) : undefined);
}

/** The bullets and "Suggested fixes" of torch's constraint-violation message, paired in order. */
export function parseViolations(message: string): ViolationInfo[] {
  const lines = message.split('\n');
  const fixesAt = lines.findIndex((l) => l.trim() === 'Suggested fixes:');
  const reasons: string[] = [];
  for (const l of lines.slice(1, fixesAt < 0 ? undefined : fixesAt)) {
    if (l.startsWith('  - ')) reasons.push(l.slice(4));
    else if (reasons.length && l.startsWith('    ')) reasons[reasons.length - 1] += ` ${l.trim()}`;
  }
  const fixes: string[] = [];
  if (fixesAt >= 0) for (const l of lines.slice(fixesAt + 1)) {
    if (!l.startsWith('  ') || !l.trim()) break;
    fixes.push(l.trim());
  }
  return fixes.map((fix, i) => ({ dimName: fix.split('=')[0]!.trim(), reason: reasons[i] ?? reasons[reasons.length - 1] ?? '', suggestedFix: fix }));
}

/** An engine value as an ExampleValue (shape and dtype only), to describe inputs. */
function exampleOf(v: unknown): ExampleValue {
  if (v instanceof Tensor) return { kind: 'tensor', dtype: v.dtype, shape: v.shape.map(Number), init: { kind: 'zeros' } };
  if (Array.isArray(v)) return { kind: 'tuple', items: v.map(exampleOf) };
  if (v && typeof v === 'object') return { kind: 'dict', entries: Object.entries(v).map(([k, x]) => [k, exampleOf(x)] as [string, ExampleValue]) };
  return { kind: 'value', value: v === undefined ? null : (v as number | boolean | string | null) };
}

/** Read an archive; its errors name the file. */
function readArchive(ser: SerializerApi, input: Uint8Array | FileSource, fileName: string): LoadedArchive {
  try {
    return input instanceof Uint8Array ? ser.loadPt2(input, { copyTensors: true }) : ser.loadPt2(input, { lazyWeights: true });
  } catch (e) {
    throw prefixError(e, `${fileName} could not be read: `);
  }
}

/**
 * Copy the buffers a loaded program mutates (its BUFFER_MUTATION outputs); the returned
 * function writes them back, so every run starts from the archive's state. Only those:
 * copying every weight would read a lazily opened archive whole.
 */
function snapshotMutatedBuffers(ep: ExportedProgram): () => void {
  const targets = ep.graphSignature.outputSpecs.filter((s) => s.kind === 'BUFFER_MUTATION' && s.target).map((s) => s.target!);
  const saved = targets
    .map((name) => ep.stateDict.get(name) ?? ep.constants.get(name))
    .filter((t): t is Tensor => t !== undefined && !t.isFake)
    .map((t) => [t, t.nd.clone()] as const);
  return () => {
    for (const [t, nd] of saved) t.nd.copyFrom(nd);
  };
}

/** Copy a program's state (parameters, buffers, constants); the returned function writes it back. */
function snapshotProgramState(ep: ExportedProgram): () => void {
  const tensors = new Set<Tensor>([...ep.stateDict.values(), ...ep.constants.values()]);
  const saved = [...tensors].filter((t) => !t.isFake).map((t) => [t, t.nd.clone()] as const);
  return () => {
    for (const [t, nd] of saved) t.nd.copyFrom(nd);
  };
}

function requireString(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new HostRequestError(`${what} must be a string`);
  return v;
}

export function lineLocation(source: string, line: number): SourceLocation {
  const code = source.split('\n')[line - 1];
  return code === undefined ? { line } : { line, code: code.trim() };
}

/** The line of `dynamic_shapes = ...` (in the block when there is one). */
function dynamicShapesLine(source: string): number | undefined {
  const all = topLevelAssignments(source).filter((a) => a.name === 'dynamic_shapes');
  const block = findBlock(source);
  const inBlock = block ? all.find((a) => a.line - 1 >= block.start && a.line - 1 <= block.end) : undefined;
  return (inBlock ?? all[all.length - 1])?.line;
}

/** `[[0], {}]` paths of flattenWithPaths over [args, kwargs] → `args[0]`, `kwargs['k']`. */
function inputPathText(path: string): string {
  const m = /^\[(0|1)\](.*)$/.exec(path);
  if (!m) return path;
  return (m[1] === '0' ? 'args' : 'kwargs') + m[2];
}

function prefixError(e: unknown, prefix: string): unknown {
  if (e instanceof Error) {
    (e as { message: string }).message = prefix + e.message;
    return e;
  }
  return new Error(prefix + String(e));
}

function safeFileName(name: string, ext: string): string {
  const base = name.replace(/[\\/:*?"<>|\0]/g, '_').trim() || 'model';
  return base.toLowerCase().endsWith(ext) ? base : base + ext;
}

/** Why these bytes cannot be a .pt2 archive (a zip file), or undefined. */
export function notAnArchive(fileName: string, bytes: Uint8Array): string | undefined {
  if (bytes.length === 0) return `${fileName} is empty (0 bytes). A .pt2 file is a zip archive written by torch.export.save.`;
  const zip = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5) && (bytes[3] === 4 || bytes[3] === 6);
  if (zip) return undefined;
  const head = [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  const text = bytes.subarray(0, 512).every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127) || b >= 128);
  if (new TextDecoder().decode(bytes.subarray(0, 8)) === 'PYTORCH1')
    return `${fileName} is a TorchScript file (torch.jit.save), not a .pt2 archive. Export the model with torch.export and save it with torch.export.save.`;
  return `${fileName} is not a .pt2 archive: a .pt2 file is a zip archive (it starts with the bytes 50 4b 03 04, "PK"), but this file starts with ${head}${text ? ' and looks like text' : ''}.`;
}

/** Copy every parameter, buffer and tensor constant; the returned function writes them back. */
function snapshotState(module: Module): () => void {
  const tensors = new Set<Tensor>();
  for (const [, t] of module.namedParameters()) tensors.add(t);
  for (const [, t] of module.namedBuffers()) tensors.add(t);
  for (const [, t] of module.namedConstants()) tensors.add(t);
  const saved = [...tensors].filter((t) => !t.isFake).map((t) => [t, t.nd.clone()] as const);
  return () => {
    for (const [t, nd] of saved) t.nd.copyFrom(nd);
  };
}
//#endregion
