// Worker threads for the CPU runtime (Note [Kernel threads] in
// engine/runtime/cpu/kernel-threads.ts): the engine cuts big kernel calls into
// parts, and these workers run them over one shared WebAssembly memory.

import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type CpuThreads, controlBlock, markWorkerDead, sharedKernelMemory, stopKernelWorkers } from '../../engine/runtime/cpu/kernel-threads';
import { gemmModule } from '../../engine/runtime/cpu/wasm-kernels';

const ENTRY = fileURLToPath(new URL('./cpu-thread-worker.mjs', import.meta.url));

/** Threads the CLI and the studio use when not told: the cores, at most 8. */
export function defaultCpuThreads(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

/** PT2_CPU_THREADS: a whole number ≥ 1, else the default. */
export function threadCountFromEnv(v: string | undefined): number {
  return v && /^\d+$/.test(v) && Number(v) >= 1 ? Math.min(64, Number(v)) : defaultCpuThreads();
}

export interface HostCpuThreads extends CpuThreads {
  /** Threads in all, the caller's included. */
  readonly total: number;
  /** Stop and end the workers. */
  close(): Promise<void>;
}

/**
 * `total` threads in all (the caller and total − 1 workers), or undefined for
 * one thread. Throws with the reason when workers cannot run here (no
 * WebAssembly SIMD or shared memory, or a worker failed to start).
 */
export async function openCpuThreads(total: number): Promise<HostCpuThreads | undefined> {
  if (!Number.isInteger(total) || total < 1) throw new Error(`threads must be a whole number ≥ 1, not ${total}`);
  if (total === 1) return undefined;
  const module = gemmModule(true);
  if (!module) throw new Error('this host has no WebAssembly SIMD with shared memory');
  const workers = total - 1;
  const memory = sharedKernelMemory();
  const control = controlBlock();
  const threads: CpuThreads = { workers, memory, control };
  const list: Worker[] = [];
  let closing = false;
  const started = Array.from({ length: workers }, (_, index) => {
    const w = new Worker(ENTRY, { workerData: { module, memory, control } });
    list.push(w);
    return new Promise<void>((resolve, reject) => {
      w.once('message', () => resolve());
      w.once('error', (e) => reject(new Error(`CPU kernel thread ${index + 1} failed to start: ${e.message}`)));
      w.once('exit', (code) => {
        markWorkerDead(threads);
        if (!closing) reject(new Error(`CPU kernel thread ${index + 1} exited with code ${code}`));
      });
    });
  });
  const close = async (): Promise<void> => {
    closing = true;
    stopKernelWorkers(threads);
    await Promise.all(list.map((w) => w.terminate()));
  };
  try {
    await Promise.all(started);
  } catch (e) {
    await close();
    throw e;
  }
  // Idle workers must not keep the process alive.
  for (const w of list) w.unref();
  return { ...threads, total, close };
}
