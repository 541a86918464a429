// The engine host worker: a worker_threads thread that owns the engine (and, when it
// lands, Pyodide), serves the IPC contract's invoke requests one at a time and posts
// progress events. The host client (host-client.ts) on the main thread talks to it
// with the messages of host-protocol.ts and cancels through a shared flag.

import { parentPort, workerData } from 'node:worker_threads';
import { HostService } from './host-service';
import { CancelledError } from './host-errors';
import { toIpcError } from './host-errors';
import { CANCEL_SLOT, type HostWorkerData, type ToWorker, type FromWorker } from './host-protocol';

if (!parentPort) throw new Error('host-worker.ts must run in a worker thread');
const port = parentPort;
const data = workerData as HostWorkerData;
const flags = new Int32Array(data.cancelBuffer);
let current = -1;

const post = (m: FromWorker): void => port.postMessage(m);

const service = new HostService({
  host: data.host,
  dataDir: data.dataDir,
  python: data.python,
  interruptBuffer: new Int32Array(data.interruptBuffer),
  emitProgress: (payload) => post({ type: 'event', channel: 'app:progress', payload }),
  checkCancelled: () => {
    if (Atomics.load(flags, CANCEL_SLOT) === current) throw new CancelledError();
  },
});

// One request at a time: the engine is synchronous, and cancel targets "the running one".
let queue: Promise<void> = Promise.resolve();
port.on('message', (m: ToWorker) => {
  if (m.type !== 'invoke') return;
  queue = queue.then(async () => {
    current = m.seq;
    post({ type: 'started', seq: m.seq });
    try {
      if (Atomics.load(flags, CANCEL_SLOT) === m.seq) throw new CancelledError();
      const result = await service.handle(m.channel, m.request as never);
      post({ type: 'result', seq: m.seq, result });
    } catch (err) {
      post({ type: 'result', seq: m.seq, result: { ok: false, error: toIpcError(err) } });
    } finally {
      current = -1;
    }
  });
});
post({ type: 'ready' });
// Start Pyodide now so the first export does not wait for it (requests queue meanwhile).
if (data.python !== 'off') void service.python();
