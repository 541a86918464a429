// The one typed IPC contract between renderer, preload and main (and the web host).
// Channel names are `app:`-prefixed constants; each channel has a request and a response
// type. This file has no runtime imports so every side can share it.

/** Prefix every channel carries; the preload and main handlers refuse anything else. */
export const CHANNEL_PREFIX = 'app:';

export const APP_OPEN = 'app:open';
export const APP_SAVE = 'app:save';
export const APP_EXPORT = 'app:export';
export const APP_RUN = 'app:run';
export const APP_CANCEL = 'app:cancel';
/** Event channel (main → renderer): progress of a long task. */
export const APP_PROGRESS = 'app:progress';

export type InvokeChannel =
  | typeof APP_OPEN
  | typeof APP_SAVE
  | typeof APP_EXPORT
  | typeof APP_RUN
  | typeof APP_CANCEL;

export type EventChannel = typeof APP_PROGRESS;

/** Errors cross the boundary as plain data, never as class instances. */
export interface IpcError {
  name: string;
  message: string;
  stack?: string;
}

/** Every invoke resolves to either a value or a serialized error. */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

export type Backend = 'cpu' | 'webgpu';

export interface OpenRequest {
  /** Absolute path chosen in a dialog or dropped on the window; absent: show an open dialog. */
  path?: string;
}
export interface OpenResponse {
  path: string;
  kind: 'python' | 'pt2';
  /** Source text for .py files; absent for archives. */
  text?: string;
  /** Summary for .pt2 archives (same shape as `pt2 inspect --json`). */
  summary?: ProgramSummary;
}

export interface SaveRequest {
  /** Session whose exported program to write; absent path: show a save dialog. */
  sessionId: string;
  path?: string;
}
export interface SaveResponse {
  path: string;
  bytes: number;
}

export interface ExportRequest {
  /** Python source defining `model`, `example_args` and optionally `dynamic_shapes`. */
  source: string;
  strict: boolean;
  decompose: boolean;
}
export interface ExportResponse {
  sessionId: string;
  /** The program as `print(ep)` shows it. */
  printed: string;
  summary: ProgramSummary;
}

export interface RunRequest {
  sessionId: string;
  backend: Backend;
  /** Run eager and exported and report per-output differences. */
  compare: boolean;
}
export interface RunResponse {
  outputs: Array<{ shape: number[]; dtype: string }>;
  ms: number;
  maxAbsDiff?: number[];
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

/** Mirrors `pt2 inspect --json`. */
export interface ProgramSummary {
  schemaVersion: [number, number];
  torchVersion: string;
  inputs: string[];
  outputs: string[];
  ops: Record<string, number>;
  rangeConstraints: Record<string, string>;
  weights: number;
}

/** Request and response types per invoke channel; handlers and the preload are typed from this. */
export interface InvokeContract {
  [APP_OPEN]: { request: OpenRequest; response: OpenResponse };
  [APP_SAVE]: { request: SaveRequest; response: SaveResponse };
  [APP_EXPORT]: { request: ExportRequest; response: ExportResponse };
  [APP_RUN]: { request: RunRequest; response: RunResponse };
  [APP_CANCEL]: { request: CancelRequest; response: CancelResponse };
}

/** Payload per event channel. */
export interface EventContract {
  [APP_PROGRESS]: ProgressEvent;
}
