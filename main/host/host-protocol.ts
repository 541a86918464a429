// Messages between the host client (main thread) and the host worker. Requests carry
// a sequence number; the worker says when it starts one, so a cancel can name the
// running task through the shared Int32Array slot CANCEL_SLOT (the worker polls it
// between graph nodes, see HostContext.checkCancelled).

import type { EventChannel, EventContract, HostKind, InvokeChannel, IpcResult } from '../common/ipc-contract';

export const CANCEL_SLOT = 0;

export interface HostWorkerData {
  host: HostKind;
  dataDir: string;
  /** SharedArrayBuffer of one Int32: the sequence number of the task to cancel. */
  cancelBuffer: SharedArrayBuffer;
  /** SharedArrayBuffer of one Int32: Pyodide's interrupt buffer (the client writes 2 to stop running Python). */
  interruptBuffer: SharedArrayBuffer;
  /** 'off' keeps the Python front end from starting (PT2_STUDIO_PYTHON=off). */
  python: 'auto' | 'off';
}

export type ToWorker = { type: 'invoke'; seq: number; channel: InvokeChannel; request: unknown };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'started'; seq: number }
  | { type: 'result'; seq: number; result: IpcResult<unknown> }
  | { [C in EventChannel]: { type: 'event'; channel: C; payload: EventContract[C] } }[EventChannel];
