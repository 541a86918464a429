// The one typed IPC contract between renderer, preload, Electron main, the web host and
// the engine host worker. Channel names are `app:`-prefixed constants; each invoke
// channel has a request and a response type, each event channel a payload type. This
// file has no runtime imports so every side (sandboxed renderer included) can share it.
// Everything here is plain JSON data: bytes travel as base64 strings so the same
// messages cross Electron IPC, HTTP and worker_threads unchanged.

/** Prefix every channel carries; the preload and main handlers refuse anything else. */
export const CHANNEL_PREFIX = 'app:';

//#region channels
export const APP_HELLO = 'app:hello';
export const APP_SEEDS = 'app:seeds';
export const APP_ANALYZE = 'app:analyze';
export const APP_EXPORT = 'app:export';
export const APP_COMPARE = 'app:compare';
/** Compare with the exported side in the window (Chromium's WebGPU): the host runs eager and hands over the program and inputs… */
export const APP_COMPARE_PREPARE = 'app:compare-prepare';
/** …and compares the window's outputs with the eager ones it kept. */
export const APP_COMPARE_FINISH = 'app:compare-finish';
export const APP_RUN = 'app:run';
export const APP_CANCEL = 'app:cancel';
export const APP_SAVE = 'app:save';
export const APP_OPEN = 'app:open';
export const APP_RECENT = 'app:recent';
export const APP_CLOSE_SESSION = 'app:close-session';
/** Event channel (host → renderer): progress of a long task. */
export const APP_PROGRESS = 'app:progress';
/** Event channel (Electron main → renderer): a menu item was chosen. */
export const APP_MENU = 'app:menu';

export const INVOKE_CHANNELS = [
  APP_HELLO,
  APP_SEEDS,
  APP_ANALYZE,
  APP_EXPORT,
  APP_COMPARE,
  APP_COMPARE_PREPARE,
  APP_COMPARE_FINISH,
  APP_RUN,
  APP_CANCEL,
  APP_SAVE,
  APP_OPEN,
  APP_RECENT,
  APP_CLOSE_SESSION,
] as const;
export const EVENT_CHANNELS = [APP_PROGRESS, APP_MENU] as const;

export type InvokeChannel = (typeof INVOKE_CHANNELS)[number];
export type EventChannel = (typeof EVENT_CHANNELS)[number];

export function isInvokeChannel(c: unknown): c is InvokeChannel {
  return typeof c === 'string' && c.startsWith(CHANNEL_PREFIX) && (INVOKE_CHANNELS as readonly string[]).includes(c);
}
//#endregion

//#region results and errors
/** Errors cross the boundary as plain data, never as class instances. */
export interface IpcError {
  /** Class name (`ConstraintViolationError`, `NotAvailableError`, `CancelledError`, …). */
  name: string;
  message: string;
  stack?: string;
  /** The PyTorch exception a Python user would see (`torch._dynamo.exc.UserError`). */
  pythonType?: string;
  /** Where in the user's source the error points (1-based). */
  location?: SourceLocation;
  /** Constraint violations with the fix torch suggests for each. */
  violations?: ViolationInfo[];
  /** Which missing piece of the engine this error is waiting on (for "not available yet"). */
  pending?: string;
}

/** Every invoke resolves to either a value or a serialized error. */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

export interface SourceLocation {
  line: number;
  column?: number;
  endLine?: number;
  /** The source line's text, when known. */
  code?: string;
}

export interface ViolationInfo {
  dimName: string;
  reason: string;
  /** `b = 4`, `n = Dim('n', min=6)`, `x = y`. */
  suggestedFix: string;
  /** The Dim's declaration in the user's source, when known. */
  location?: SourceLocation;
}
//#endregion

//#region host info
export interface Availability {
  available: boolean;
  /** Why not, phrased for the user ("The Python front end (engine/python) is not available yet"). */
  reason?: string;
}

/** A WebGPU adapter as the host found it; a software adapter is never called a GPU. */
export interface AdapterInfo {
  /** Vendor, architecture, device and description as reported. */
  name: string;
  /** A CPU implementation of WebGPU (SwiftShader, llvmpipe, WARP, a fallback adapter). */
  software: boolean;
  /** `NAME (GPU)` or `NAME (software adapter, not a GPU)`. */
  label: string;
}
export interface WebGpuAvailability extends Availability {
  /** The adapter runs would use, when available. */
  adapter?: AdapterInfo;
}

export interface HelloRequest {
  /** The renderer's build id, echoed in logs. */
  client?: string;
}
export interface HelloResponse {
  host: HostKind;
  version: string;
  capabilities: {
    /** Arbitrary Python source can be exported (Pyodide + engine/python). */
    python: Availability;
    /** .pt2 read/write (engine/serialize). */
    serializer: Availability;
    /** Exported programs can run on WebGPU (engine/runtime/webgpu). */
    webgpu: WebGpuAvailability;
    /** strict=True capture (engine/strict). */
    strict: Availability;
  };
}
export type HostKind = 'electron' | 'web';
//#endregion

//#region seeds and analysis
export interface SeedInfo {
  id: string;
  title: string;
  /** One line on what the example shows. */
  summary: string;
  /** A complete model file: defines `model`, `example_args`, optionally `example_kwargs`, `dynamic_shapes`. */
  source: string;
  tags: string[];
}
export type SeedsRequest = Record<string, never>;
export type SeedsResponse = SeedInfo[];

/** One step from a forward argument into a nested input. */
export type KeyStep = { kind: 'key'; key: string } | { kind: 'index'; index: number };

export interface InputInfo {
  /** Display path: `x`, `inputs['bc'][0]`. */
  path: string;
  /** The forward argument (or keyword) this input belongs to. */
  argName: string;
  /** Whether argName is passed by keyword (example_kwargs). */
  keyword: boolean;
  /** Steps inside the argument (empty for a plain tensor argument). */
  steps: KeyStep[];
  kind: 'tensor' | 'value';
  dtype?: string;
  shape?: number[];
  /** Python repr of a non-tensor value. */
  value?: string;
}

/** A forward argument's container structure, so `dynamic_shapes` can mirror it. */
export type ArgStructure =
  | { kind: 'leaf' }
  | { kind: 'tuple' | 'list'; items: ArgStructure[] }
  | { kind: 'dict'; entries: Array<[string, ArgStructure]> };

export interface ArgInfo {
  name: string;
  keyword: boolean;
  structure: ArgStructure;
}

export interface AnalyzeRequest {
  source: string;
}
export interface AnalyzeResponse {
  /** How the inputs were found: the Python runtime, a built-in seed, or a static read of the source. */
  via: ExportVia | 'static';
  seedId?: string;
  args: ArgInfo[];
  inputs: InputInfo[];
  /** What the analysis could not work out (shown in the Dim panel). */
  warnings: string[];
}
export type ExportVia = 'python' | 'seed';
//#endregion

//#region dynamic shapes
/**
 * The Dim panel's model of `dynamic_shapes`: named Dims with ranges, and for every
 * tensor input a choice per dimension. The panel generates the Python block from this
 * and sends it with export requests.
 */
export interface DynamicShapesSpec {
  dims: DimDecl[];
  /** By InputInfo.path. */
  inputs: Record<string, DimChoice[]>;
}
export interface DimDecl {
  name: string;
  min?: number;
  max?: number;
}
export type DimChoice =
  /** No entry (None): static unless something else makes it dynamic. */
  | { kind: 'none' }
  /** A named Dim from `dims` (the same name on two inputs means "same size"). */
  | { kind: 'dim'; name: string }
  /** `coeff * root + offset` of a named Dim. */
  | { kind: 'derived'; root: string; coeff: number; offset: number }
  | { kind: 'auto' }
  | { kind: 'dynamic' }
  | { kind: 'static' };
//#endregion

//#region export
export interface ExportRequest {
  /** Task id chosen by the renderer; progress events and cancel refer to it. */
  taskId: string;
  /** The model file (see SeedInfo.source). */
  source: string;
  strict: boolean;
  /** Also run run_decompositions() and show the core ATen program. */
  decompose: boolean;
  /** The Dim panel's spec; null: whatever the source says. */
  dynamicShapes: DynamicShapesSpec | null;
}
export interface ExportResponse {
  sessionId: string;
  via: ExportVia;
  /** The program as `print(ep)` shows it. */
  printed: string;
  program: ProgramPayload;
  /** The inputs the program was exported with. */
  inputs: InputInfo[];
  timings: { exportMs: number; decomposeMs?: number };
  /** Whether `program` is the decomposed (core ATen) one. */
  decomposed: boolean;
}

/** What the views need from an ExportedProgram (exported, decomposed or loaded). */
export interface ProgramPayload {
  graph: GraphPayload;
  signature: SignaturePayload;
  rangeConstraints: RangeConstraintInfo[];
  /** Parameters, buffers and constants. */
  weights: WeightInfo[];
}

export interface GraphPayload {
  nodes: GraphNodeInfo[];
  /** Subgraphs referenced by get_attr nodes (cond branches), by attribute name. */
  subgraphs: Record<string, GraphPayload>;
}

export interface GraphNodeInfo {
  name: string;
  op: 'placeholder' | 'call_function' | 'get_attr' | 'output';
  /** `aten.add.Tensor`, `cond`, `<built-in function getitem>`. */
  target: string;
  /** Names of input nodes, in argument order. */
  inputs: string[];
  /** `f32[s0, 64]`, `Sym(s0 + 1)`, tuple values joined by `, `; empty when unknown. */
  type: string;
  /** The call's arguments as Python text (`(x, 1)`), for tooltips. */
  argsText: string;
  /** Innermost user frame. */
  source?: SourceLocation & { file: string; fn: string };
  /** nn_module_stack, outermost first: [fully qualified name, class name]. */
  moduleStack: Array<[string, string]>;
  /** Subgraph attribute names this node uses (cond branches). */
  subgraphs?: string[];
}

export interface SignaturePayload {
  inputs: Array<{ kind: string; name: string; target?: string; persistent?: boolean; type: string }>;
  outputs: Array<{ kind: string; name: string; target?: string; type: string }>;
  /** formatSignature(): what print(ep) shows. */
  text: string;
}

export interface RangeConstraintInfo {
  /** `s0`, `s0 + 1`, `u0`. */
  symbol: string;
  min: number;
  /** null: unbounded (int_oo). */
  max: number | null;
  /** `VR[2, int_oo]`. */
  text: string;
  /** The inputs' dimensions this symbol sizes (`x.size()[0]`). */
  sources: string[];
}

export interface WeightInfo {
  name: string;
  kind: 'parameter' | 'buffer' | 'constant';
  dtype: string;
  shape: number[];
  numel: number;
  bytes: number;
  /** Summary statistics (floating tensors only; absent while the weight is still on disk). */
  stats?: { min: number; max: number; mean: number };
  /** The archive was opened lazily and this weight has not been read from the file yet. */
  onDisk?: boolean;
}
//#endregion

//#region compare and run
export type Backend = 'cpu' | 'webgpu';

export interface CompareRequest {
  taskId: string;
  sessionId: string;
  backend: Backend;
  /** The export's example inputs, or random inputs with sizes drawn within the range constraints. */
  inputs: 'example' | 'random';
  /** Seed for random inputs (sizes and values). */
  seed: number;
  atol: number;
  rtol: number;
}
export interface CompareResponse {
  backend: Backend;
  inputs: TensorSummary[];
  outputs: OutputComparison[];
  maxAbsDiff: number;
  maxRelDiff: number;
  pass: boolean;
  timings: {
    eagerMs: number;
    exportedMs: number;
    /** Window runs: loading the archive and building the runtime in the window (0 when it kept the program from an earlier run). */
    loadMs?: number;
  };
  /** What each side ran on: the eager model, and the engine runtime for the exported program ("CPU runtime", "WebGPU runtime"). */
  eagerRuntime: string;
  runtime: string;
  /** CPU runs: the threads the runtime cut its big kernels across (1: one thread). */
  threads?: number;
  /** The WebGPU adapter the exported side ran on. */
  adapter?: AdapterInfo;
  /** Where the WebGPU side ran: the host (Dawn, in a child process) or this window (Chromium's WebGPU, in a worker). */
  webgpuIn?: WebGpuPlace;
}
export type WebGpuPlace = 'host' | 'window';
export interface OutputComparison {
  path: string;
  eager: TensorSummary;
  exported: TensorSummary;
  maxAbsDiff: number;
  maxRelDiff: number;
  pass: boolean;
}
export interface TensorSummary {
  path: string;
  dtype: string;
  shape: number[];
  /** The first values, for display. */
  preview: number[];
  /** Floating tensors: how many of the values are NaN or ±Inf. */
  nonFinite?: number;
  /** A non-tensor value's repr. */
  value?: string;
}

/**
 * A value crossing to or from the window's WebGPU runtime: a tensor as its raw
 * little-endian bytes in row-major order (base64), or a Python scalar.
 */
export type WireValue =
  | { kind: 'tensor'; dtype: string; shape: number[]; data: string }
  | { kind: 'int' | 'float'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'str'; value: string }
  | { kind: 'none' };

/** A compare whose exported side runs in the window: backend must be 'webgpu'. */
export interface ComparePrepareRequest extends CompareRequest {
  /** The program key the window's WebGPU worker already holds (from an earlier prepare); the archive is sent only when it differs. */
  heldProgram?: string;
}
export interface ComparePrepareResponse {
  /** Names this program; pass it back as heldProgram next time. */
  programKey: string;
  /** The program as a .pt2 archive (the bytes Save writes), base64; absent when the window holds programKey. */
  archive?: string;
  /** Current values of the buffers the program mutates, by name: set before the run, so a cached program starts from the host's state. */
  mutableBuffers: Record<string, WireValue>;
  /** The user inputs, flat, in the program's order. */
  inputs: WireValue[];
  /** The eager model's time on these inputs. */
  eagerMs: number;
}
export interface CompareFinishRequest {
  /** The prepare's taskId. */
  taskId: string;
  sessionId: string;
  /** The program's user outputs, flat, in order. */
  outputs: WireValue[];
  /** Run time in the window. */
  ms: number;
  /** Loading the archive and building the runtime for this run (0 when the window kept the program). */
  loadMs?: number;
  /** The adapter that ran it, as the window's WebGPU reported it. */
  adapter: AdapterInfo;
}

export interface RunRequest {
  taskId: string;
  sessionId: string;
  backend: Backend;
  /** 'example': the export's example inputs, or a loaded archive's embedded ones; 'random': sizes and values drawn within the range constraints. */
  inputs: 'example' | 'random';
  seed: number;
}
export interface RunResponse {
  backend: Backend;
  inputs: TensorSummary[];
  outputs: TensorSummary[];
  ms: number;
  /** The engine runtime that ran it ("CPU runtime", "WebGPU runtime"). */
  runtime: string;
  /** CPU runs: the threads the runtime cut its big kernels across (1: one thread). */
  threads?: number;
  adapter?: AdapterInfo;
}

export interface CancelRequest {
  taskId: string;
}
export interface CancelResponse {
  cancelled: boolean;
}

export interface ProgressEvent {
  taskId: string;
  label: string;
  /** 0..1, or null when indeterminate. */
  fraction: number | null;
}
//#endregion

//#region files
export interface SaveRequest {
  sessionId: string;
  /** Suggested file name (`model.pt2`). */
  fileName: string;
  /** Electron: write here (the main process fills it from a dialog). Web: absent; the bytes come back. */
  path?: string;
}
export interface SaveResponse {
  fileName: string;
  bytes: number;
  /** Where it was written (Electron). */
  path?: string;
  /** The archive, base64 (web: the renderer offers it as a download). */
  data?: string;
}

export interface OpenRequest {
  /**
   * A file on disk, read lazily by the host (weights on first use). Only trusted callers
   * set it: the Electron main process (from its dialog); the web host strips it from
   * browser requests. The renderer itself never chooses a path. With `data`, where the
   * bytes came from (recorded in the recent list).
   */
  path?: string;
  /** A file read in the renderer (upload, drag and drop): its name and base64 bytes. */
  fileName?: string;
  data?: string;
  /** Reopen an entry of the recent list. */
  recentId?: string;
}
export interface OpenResponse {
  fileName: string;
  path?: string;
  kind: 'python' | 'pt2';
  /** Source text for .py files. */
  text?: string;
  /** The loaded program, read-only, for .pt2 archives. */
  program?: LoadedProgram;
}

export interface LoadedProgram {
  sessionId: string;
  printed: string;
  program: ProgramPayload;
  schemaVersion: string;
  torchVersion: string;
  /** The archive's example inputs (data/sample_inputs), when it has them and they decode. */
  exampleInputs: TensorSummary[] | null;
  /** Why the archive has no usable example inputs (absent, or a pickle the reader refuses). */
  exampleInputsNote?: string;
  /** Weights stay on disk until first used (the host read the archive from a file). */
  lazy: boolean;
  /** Time to read the archive's signature and graph (and, when not lazy, its weights). */
  openMs: number;
}

export type RecentRequest = Record<string, never>;
export interface RecentFile {
  id: string;
  fileName: string;
  path?: string;
  openedAt: string;
}
export type RecentResponse = RecentFile[];

export interface CloseSessionRequest {
  sessionId: string;
}
export interface CloseSessionResponse {
  closed: boolean;
}
//#endregion

/** Mirrors `pt2 inspect --json` (kept for the CLI; the studio uses ProgramPayload). */
export interface ProgramSummary {
  schemaVersion: [number, number];
  torchVersion: string;
  inputs: string[];
  outputs: string[];
  ops: Record<string, number>;
  rangeConstraints: Record<string, string>;
  weights: number;
}
//#endregion

//#region menu
/** Commands the Electron menu sends to the renderer (the renderer's command registry runs them). */
export type MenuCommand = 'new-document' | 'open-file' | 'save-pt2' | 'export' | 'compare' | 'toggle-theme' | 'close-program';
export interface MenuEvent {
  command: MenuCommand;
  /** For open-recent style items. */
  arg?: string;
}
//#endregion

//#region contract tables
/** Request and response types per invoke channel; handlers and the preload are typed from this. */
export interface InvokeContract {
  [APP_HELLO]: { request: HelloRequest; response: HelloResponse };
  [APP_SEEDS]: { request: SeedsRequest; response: SeedsResponse };
  [APP_ANALYZE]: { request: AnalyzeRequest; response: AnalyzeResponse };
  [APP_EXPORT]: { request: ExportRequest; response: ExportResponse };
  [APP_COMPARE]: { request: CompareRequest; response: CompareResponse };
  [APP_COMPARE_PREPARE]: { request: ComparePrepareRequest; response: ComparePrepareResponse };
  [APP_COMPARE_FINISH]: { request: CompareFinishRequest; response: CompareResponse };
  [APP_RUN]: { request: RunRequest; response: RunResponse };
  [APP_CANCEL]: { request: CancelRequest; response: CancelResponse };
  [APP_SAVE]: { request: SaveRequest; response: SaveResponse };
  [APP_OPEN]: { request: OpenRequest; response: OpenResponse };
  [APP_RECENT]: { request: RecentRequest; response: RecentResponse };
  [APP_CLOSE_SESSION]: { request: CloseSessionRequest; response: CloseSessionResponse };
}

export type RequestOf<C extends InvokeChannel> = InvokeContract[C]['request'];
export type ResponseOf<C extends InvokeChannel> = InvokeContract[C]['response'];

/** Payload per event channel. */
export interface EventContract {
  [APP_PROGRESS]: ProgressEvent;
  [APP_MENU]: MenuEvent;
}

/**
 * What the renderer sees as `window.api` (Electron preload) or builds over HTTP (web):
 * one named method per invoke channel, `on` for events. Method names are the channel
 * names without the prefix, camel-cased.
 */
export interface StudioApi {
  host: HostKind;
  hello(req: HelloRequest): Promise<IpcResult<HelloResponse>>;
  seeds(req: SeedsRequest): Promise<IpcResult<SeedsResponse>>;
  analyze(req: AnalyzeRequest): Promise<IpcResult<AnalyzeResponse>>;
  exportProgram(req: ExportRequest): Promise<IpcResult<ExportResponse>>;
  compare(req: CompareRequest): Promise<IpcResult<CompareResponse>>;
  comparePrepare(req: ComparePrepareRequest): Promise<IpcResult<ComparePrepareResponse>>;
  compareFinish(req: CompareFinishRequest): Promise<IpcResult<CompareResponse>>;
  run(req: RunRequest): Promise<IpcResult<RunResponse>>;
  cancel(req: CancelRequest): Promise<IpcResult<CancelResponse>>;
  save(req: SaveRequest): Promise<IpcResult<SaveResponse>>;
  open(req: OpenRequest): Promise<IpcResult<OpenResponse>>;
  recent(req: RecentRequest): Promise<IpcResult<RecentResponse>>;
  closeSession(req: CloseSessionRequest): Promise<IpcResult<CloseSessionResponse>>;
  onProgress(listener: (e: ProgressEvent) => void): () => void;
  onMenu(listener: (e: MenuEvent) => void): () => void;
}

/** StudioApi method name per invoke channel (the preload and the web client use this table). */
export const API_METHODS: { readonly [C in InvokeChannel]: Exclude<keyof StudioApi, 'host' | 'onProgress' | 'onMenu'> } = {
  [APP_HELLO]: 'hello',
  [APP_SEEDS]: 'seeds',
  [APP_ANALYZE]: 'analyze',
  [APP_EXPORT]: 'exportProgram',
  [APP_COMPARE]: 'compare',
  [APP_COMPARE_PREPARE]: 'comparePrepare',
  [APP_COMPARE_FINISH]: 'compareFinish',
  [APP_RUN]: 'run',
  [APP_CANCEL]: 'cancel',
  [APP_SAVE]: 'save',
  [APP_OPEN]: 'open',
  [APP_RECENT]: 'recent',
  [APP_CLOSE_SESSION]: 'closeSession',
};
//#endregion
