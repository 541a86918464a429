// Worker threads for the CPU runtime's WebAssembly kernels.
//
// Note [Kernel threads]
// The kernels run over one WebAssembly memory (the GEMM workspace: packed
// weights, scratch, outputs). With threads that memory is a shared one, and
// every worker holds its own instance of the same kernel module over it. A
// kernel call that is big enough is cut into parts that write disjoint parts of
// the output (ranges of GEMM panels, of channels): the calling thread posts
// parts 1.. to the workers, runs part 0 itself, and waits for the rest. So the
// arithmetic of every output element is the same as in one call, and results
// are bit-identical to one thread.
//
// The engine cannot create threads (it runs in Node, in browsers and in
// Electron's renderers, and imports no host modules), so the host does: it
// starts the workers with the module, the shared memory and a control block,
// and each worker runs `serveKernelJobs`. A job is a function index and its i32
// arguments, written into the worker's words of the control block; the
// sequence number, stored last, publishes it. Workers spin for a moment after a
// job before sleeping in Atomics.wait, since a run's kernels come microseconds
// apart and waking a sleeping thread costs tens of microseconds.
//
// This file has no imports, so a worker can load it alone.

/** Control words per worker: [SEQ, DONE, FN, ERR, args…]. */
export const JOB_WORDS = 32;
const SEQ = 0;
const DONE = 1;
const FN = 2;
const ERR = 3;
const ARGS = 4;
/** SEQ value that tells a worker to return. */
const STOP = -1;
/** DONE value the host stores when a worker died. */
export const DEAD = -2;

/** The kernel module's exports a worker can run, by index. */
export const THREAD_FNS = ['gemm_panels', 'gemv_a', 'gemv_b'] as const;
export type ThreadFn = (typeof THREAD_FNS)[number];

/** Largest shared kernel memory, in 64 KiB pages (2 GiB). */
export const SHARED_MAX_PAGES = 32768;

/** What the host hands the CPU runtime to run kernels on worker threads (see Note [Kernel threads]). */
export interface CpuThreads {
  /** Worker threads besides the calling one. */
  readonly workers: number;
  /** The shared memory of the workers' kernel instances. */
  readonly memory: WebAssembly.Memory;
  /** JOB_WORDS control words per worker, over a SharedArrayBuffer. */
  readonly control: Int32Array;
}

/** A control block for `workers` workers. */
export function controlBlock(workers: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Math.max(1, workers) * JOB_WORDS * 4));
}

/** A shared memory the kernel module (assembled with shared memory) can import. */
export function sharedKernelMemory(initialPages = 16): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: initialPages, maximum: SHARED_MAX_PAGES, shared: true });
}

/** Seconds the caller waits for a worker's part before it gives up. */
const WAIT_LIMIT_MS = 300_000;

/** The calling thread's side: posts parts of a kernel call and waits for them. */
export class KernelTeam {
  private readonly seqs: number[] = [];
  /** Parts posted to workers so far (tests check that calls were cut). */
  posted = 0;
  /** False once Atomics.wait turned out not to be allowed here (a browser's main thread). */
  private canBlock = true;

  constructor(private readonly threads: CpuThreads) {}

  /** Threads a call can be cut into: the workers and the caller. */
  get size(): number {
    return this.threads.workers + 1;
  }

  /**
   * Run `jobs[w]` on worker w (at most `workers` jobs) while the caller runs
   * `own`; returns when every part is done, and throws if one failed.
   */
  run(fn: ThreadFn, jobs: ReadonlyArray<readonly number[]>, own: () => void): void {
    const c = this.threads.control;
    if (jobs.length > this.threads.workers) throw new Error(`KernelTeam: ${jobs.length} jobs for ${this.threads.workers} workers`);
    const fi = THREAD_FNS.indexOf(fn);
    jobs.forEach((args, w) => {
      const b = w * JOB_WORDS;
      if (args.length > JOB_WORDS - ARGS) throw new Error(`KernelTeam: ${fn} has too many arguments`);
      // The next sequence number of this worker's words (teams may share a control block).
      const seq = (this.seqs[w] = (Math.max(0, Atomics.load(c, b + SEQ)) % 0x3fffffff) + 1);
      c[b + FN] = fi;
      for (let i = 0; i < args.length; i++) c[b + ARGS + i] = args[i]!;
      Atomics.store(c, b + SEQ, seq);
      Atomics.notify(c, b + SEQ);
      this.posted++;
    });
    let failure: unknown;
    try {
      own();
    } catch (e) {
      failure = e;
    }
    for (let w = 0; w < jobs.length; w++) {
      const b = w * JOB_WORDS;
      const done = this.awaitDone(b + DONE, this.seqs[w]!, w);
      if (done === DEAD) failure ??= new Error(`CPU kernel thread ${w + 1} has exited; rerun with --threads 1 to run without threads`);
      else if (c[b + ERR] !== 0) failure ??= new Error(`CPU kernel thread ${w + 1} failed in ${fn}`);
    }
    if (failure !== undefined) throw failure;
  }

  private awaitDone(i: number, seq: number, w: number): number {
    const c = this.threads.control;
    let v = Atomics.load(c, i);
    // Parts are cut to take about the same time: poll for a moment before sleeping.
    const s0 = performance.now();
    while (v !== seq && v !== DEAD && performance.now() - s0 < 0.5) v = Atomics.load(c, i);
    const t0 = Date.now();
    while (v !== seq && v !== DEAD) {
      if (this.canBlock) {
        try {
          Atomics.wait(c, i, v, 20);
        } catch {
          this.canBlock = false;
        }
      }
      v = Atomics.load(c, i);
      if (Date.now() - t0 > WAIT_LIMIT_MS) throw new Error(`CPU kernel thread ${w + 1} did not answer in ${WAIT_LIMIT_MS / 1000} s`);
    }
    return v;
  }
}

/** Tell every worker to return from serveKernelJobs. */
export function stopKernelWorkers(threads: CpuThreads): void {
  const c = threads.control;
  for (let w = 0; w < threads.workers; w++) {
    Atomics.store(c, w * JOB_WORDS + SEQ, STOP);
    Atomics.notify(c, w * JOB_WORDS + SEQ);
  }
}

/** Mark worker w as gone, so a caller waiting on it fails instead of waiting forever. */
export function markWorkerDead(threads: CpuThreads, w: number): void {
  Atomics.store(threads.control, w * JOB_WORDS + DONE, DEAD);
  Atomics.notify(threads.control, w * JOB_WORDS + DONE);
}

type KernelFn = (...args: number[]) => unknown;

/**
 * A worker's loop: run the jobs posted to worker `index` with the instance's
 * exports until told to stop. `spinMs`: how long to poll after a job before
 * sleeping.
 */
export function serveKernelJobs(control: Int32Array, index: number, exports: Record<string, unknown>, spinMs = 1): void {
  const fns = THREAD_FNS.map((n) => {
    const f = exports[n];
    if (typeof f !== 'function') throw new Error(`kernel module has no export ${n}`);
    return f as KernelFn;
  });
  const b = index * JOB_WORDS;
  let last = Atomics.load(control, b + SEQ);
  const args: number[] = [];
  for (;;) {
    let seq = Atomics.load(control, b + SEQ);
    if (seq === last) {
      const t0 = performance.now();
      while ((seq = Atomics.load(control, b + SEQ)) === last && performance.now() - t0 < spinMs);
    }
    if (seq === last) {
      Atomics.wait(control, b + SEQ, last);
      continue;
    }
    if (seq === STOP) return;
    last = seq;
    const f = fns[control[b + FN]!]!;
    args.length = f.length;
    for (let i = 0; i < f.length; i++) args[i] = control[b + ARGS + i]!;
    try {
      f(...args);
      control[b + ERR] = 0;
    } catch {
      control[b + ERR] = 1;
    }
    Atomics.store(control, b + DONE, seq);
    Atomics.notify(control, b + DONE);
  }
}
