// Entry of a CPU kernel worker thread (Note [Kernel threads] in
// engine/runtime/cpu/kernel-threads.ts): instantiates the kernel module over the
// shared memory and serves the jobs the runtime posts until it is stopped.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { serveKernelJobs } = await import('../../engine/runtime/cpu/kernel-threads.ts');
const { module, memory, control } = workerData;
const instance = new WebAssembly.Instance(module, { env: { memory } });
parentPort.postMessage('ready');
serveKernelJobs(control, module, instance.exports);
