// WebGPU in this window: Chromium's own navigator.gpu (in a browser tab, or in
// Electron's renderer), used for the exported side of a compare. The probe runs on
// the UI thread (probe.ts: an adapter request only, no device); runs happen in a
// dedicated worker (webgpu-run.worker.ts, bundled by Vite as a same-origin file so it
// loads under the CSP's worker-src 'self'; the worker script is served without a CSP
// of its own, so the engine's WebAssembly kernels for host fallbacks compile there,
// while the page itself still has no 'wasm-unsafe-eval'). When the window has no
// WebGPU the host's Dawn path stays available (the backend select offers both).

import type { AdapterInfo, ComparePrepareResponse, WireValue } from '../../main/common/ipc-contract';
import WebGpuRunWorker from './webgpu-run.worker.ts?worker';
import type { FromWebGpuWorker, RunProgramMessage } from './protocol';

export { probeWindowWebGpu } from './probe';

/** A window run may compile many shaders on a software adapter. */
const RUN_TIMEOUT_MS = 180_000;

/** A failed window run; `missingProgram`: the worker no longer holds the program (send the archive again). */
export class WindowWebGpuError extends Error {
  constructor(
    override readonly name: string,
    message: string,
    readonly missingProgram = false,
  ) {
    super(message);
  }
}

interface Pending {
  resolve(r: { outputs: WireValue[]; ms: number; loadMs: number; adapter: AdapterInfo }): void;
  reject(e: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

let worker: Worker | undefined;
let held: string | undefined;
let nextId = 1;
const pending = new Map<number, Pending>();

/** The program key the worker holds (pass it to comparePrepare so the archive is not sent again). */
export function heldProgram(): string | undefined {
  return held;
}

/** Stop the worker (its device and program go with it) and fail what was waiting on it. */
function resetWorker(reason: Error): void {
  worker?.terminate();
  worker = undefined;
  held = undefined;
  for (const p of pending.values()) {
    clearTimeout(p.timer);
    p.reject(reason);
  }
  pending.clear();
}

function runWorker(): Worker {
  if (worker) return worker;
  const w = new WebGpuRunWorker();
  w.onmessage = (e: MessageEvent<FromWebGpuWorker>) => {
    const m = e.data;
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.type === 'result') {
      held = m.held;
      p.resolve({ outputs: m.outputs, ms: m.ms, loadMs: m.loadMs, adapter: m.adapter });
    } else {
      if (m.missingProgram) held = undefined;
      p.reject(new WindowWebGpuError(m.name, m.message, m.missingProgram ?? false));
    }
  };
  w.onerror = (e: ErrorEvent) => {
    e.preventDefault();
    resetWorker(new WindowWebGpuError('WorkerError', `The window's WebGPU worker stopped: ${e.message || 'it failed to load or crashed'}.`));
  };
  w.onmessageerror = () => resetWorker(new WindowWebGpuError('WorkerError', "The window's WebGPU worker sent a message that could not be read."));
  worker = w;
  return w;
}

/** Run a prepared compare's program on this window's WebGPU; resolves with the flat outputs as wire values. */
export function runInWindow(prep: ComparePrepareResponse): Promise<{ outputs: WireValue[]; ms: number; loadMs: number; adapter: AdapterInfo }> {
  const w = runWorker();
  const id = nextId++;
  const msg: RunProgramMessage = { type: 'run', id, programKey: prep.programKey, archive: prep.archive, mutableBuffers: prep.mutableBuffers, inputs: prep.inputs };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      resetWorker(new WindowWebGpuError('TimeoutError', `The WebGPU run in this window took longer than ${RUN_TIMEOUT_MS / 1000} s and was stopped.`));
    }, RUN_TIMEOUT_MS);
    pending.set(id, { resolve, reject, timer });
    w.postMessage(msg);
  });
}
