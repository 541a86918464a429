// The main-thread side of the engine host: starts the host worker, forwards typed
// invoke requests to it and relays its events. Both transports use it: Electron's
// main process (ipcMain handlers) and the web host (HTTP + WebSocket). Cancel is
// served here, not in the busy worker: it raises the shared flag the worker polls,
// and if the task has not stopped after CANCEL_GRACE_MS the worker is terminated and
// restarted (its programs are then gone; later requests for them say so).

import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import {
  isInvokeChannel,
  type CancelRequest,
  type EventChannel,
  type EventContract,
  type HostKind,
  type InvokeChannel,
  type IpcResult,
  type RequestOf,
  type ResponseOf,
} from '../common/ipc-contract';
import { CANCEL_SLOT, type FromWorker, type HostWorkerData, type ToWorker } from './host-protocol';

export const CANCEL_GRACE_MS = 4000;
const WORKER_ENTRY = fileURLToPath(new URL('./host-worker.mjs', import.meta.url));

interface Pending {
  seq: number;
  channel: InvokeChannel;
  taskId?: string;
  resolve(r: IpcResult<unknown>): void;
}

export type EventListener = <C extends EventChannel>(channel: C, payload: EventContract[C]) => void;

export interface HostClientOptions {
  host: HostKind;
  dataDir: string;
  /** 'off': the host never starts the Python front end. Default: $PT2_STUDIO_PYTHON, else 'auto'. */
  python?: 'auto' | 'off';
}

export class HostClient {
  private worker: Worker | undefined;
  private readonly cancelBuffer = new SharedArrayBuffer(4);
  private readonly flags = new Int32Array(this.cancelBuffer);
  private readonly interruptBuffer = new SharedArrayBuffer(4);
  private readonly interrupt = new Int32Array(this.interruptBuffer);
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<EventListener>();
  private seq = 1;
  private running: number | undefined;
  private closed = false;
  private ready: Promise<void> | undefined;

  constructor(private readonly opts: HostClientOptions) {}

  /** Start the worker now (otherwise it starts on the first request). */
  start(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('host client is closed'));
    if (this.ready) return this.ready;
    const python = this.opts.python ?? (process.env.PT2_STUDIO_PYTHON === 'off' ? 'off' : 'auto');
    const data: HostWorkerData = { host: this.opts.host, dataDir: this.opts.dataDir, cancelBuffer: this.cancelBuffer, interruptBuffer: this.interruptBuffer, python };
    const worker = new Worker(WORKER_ENTRY, { workerData: data, stdout: false, stderr: false });
    this.worker = worker;
    this.ready = new Promise<void>((ok, fail) => {
      const onReady = (m: FromWorker): void => {
        if (m.type === 'ready') {
          worker.off('message', onReady);
          ok();
        }
      };
      worker.on('message', onReady);
      worker.once('error', fail);
    });
    worker.on('message', (m: FromWorker) => this.onMessage(m));
    worker.on('error', (err) => {
      console.error('engine host worker error:', err);
    });
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.ready = undefined;
      this.failAll(`The engine host stopped (exit code ${code}); it restarts on the next request. Programs it held are gone: export or open them again.`);
    });
    return this.ready;
  }

  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Emit an event to listeners (the Electron main process sends menu events this way too). */
  emit<C extends EventChannel>(channel: C, payload: EventContract[C]): void {
    for (const l of this.listeners) l(channel, payload);
  }

  async invoke<C extends InvokeChannel>(channel: C, request: RequestOf<C>): Promise<IpcResult<ResponseOf<C>>> {
    if (!isInvokeChannel(channel)) return { ok: false, error: { name: 'IpcError', message: `unknown channel ${String(channel)}` } };
    if (typeof request !== 'object' || request === null || Array.isArray(request))
      return { ok: false, error: { name: 'IpcError', message: `${channel}: the request must be an object` } };
    if (channel === 'app:cancel') return { ok: true, value: this.cancel(request as CancelRequest) } as IpcResult<ResponseOf<C>>;
    try {
      await this.start();
    } catch (err) {
      return { ok: false, error: { name: 'HostStartError', message: `The engine host could not start: ${(err as Error).message}` } };
    }
    const seq = this.seq++;
    const taskId = typeof (request as { taskId?: unknown }).taskId === 'string' ? (request as { taskId: string }).taskId : undefined;
    return new Promise((resolve) => {
      this.pending.set(seq, { seq, channel, taskId, resolve: resolve as Pending['resolve'] });
      const msg: ToWorker = { type: 'invoke', seq, channel, request };
      this.worker!.postMessage(msg);
    });
  }

  /** Cancel a task by the taskId its request carried. */
  cancel(req: CancelRequest): { cancelled: boolean } {
    const p = [...this.pending.values()].find((x) => x.taskId !== undefined && x.taskId === req.taskId);
    if (!p) return { cancelled: false };
    Atomics.store(this.flags, CANCEL_SLOT, p.seq);
    // Running Python stops at its next bytecode (KeyboardInterrupt).
    if (this.running === p.seq) Atomics.store(this.interrupt, 0, 2);
    const worker = this.worker;
    setTimeout(() => {
      // Still running after the grace period: the engine is stuck in one long step.
      if (this.pending.has(p.seq) && this.worker === worker && worker) {
        this.worker = undefined;
        this.ready = undefined;
        this.failAll('Cancelled: the engine host was restarted to stop the task. Programs it held are gone: export or open them again.', 'CancelledError');
        void worker.terminate();
      }
    }, CANCEL_GRACE_MS).unref();
    return { cancelled: true };
  }

  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = undefined;
    this.failAll('The engine host is shutting down.');
    if (w) await w.terminate();
  }

  private onMessage(m: FromWorker): void {
    if (m.type === 'started') this.running = m.seq;
    else if (m.type === 'result') {
      const p = this.pending.get(m.seq);
      this.pending.delete(m.seq);
      if (this.running === m.seq) this.running = undefined;
      if (Atomics.load(this.flags, CANCEL_SLOT) === m.seq) {
        Atomics.store(this.flags, CANCEL_SLOT, 0);
        Atomics.store(this.interrupt, 0, 0);
      }
      p?.resolve(m.result);
    } else if (m.type === 'event') this.emit(m.channel, m.payload as never);
  }

  private failAll(message: string, name = 'HostStoppedError'): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    this.running = undefined;
    Atomics.store(this.flags, CANCEL_SLOT, 0);
    for (const p of all) p.resolve({ ok: false, error: { name, message } });
  }
}
