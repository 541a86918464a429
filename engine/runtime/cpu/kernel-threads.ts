// Worker threads for the CPU runtime's WebAssembly kernels.
//
// Note [Kernel threads]
// The kernels run over one WebAssembly memory (the GEMM workspace: packed
// weights, scratch, outputs). With threads that memory is a shared one, and
// every worker holds its own instance of the same kernel module over it. A
// kernel call that is big enough is cut into parts that write disjoint parts of
// the output (ranges of GEMM panels, of channels), so the arithmetic of every
// output element is the same as in one call and results are bit-identical to
// one thread.
//
// The engine cannot create threads (it runs in Node, in browsers and in
// Electron's renderers, and imports no host modules), so the host does: it
// starts the workers with the module, the shared memory and a control block,
// and each worker runs `serveKernelJobs`.
//
// One job at a time: the caller writes the function, the parts' i32 arguments
// and a fresh claim counter into the control block, then publishes the job by
// storing its sequence number. Every thread, the caller included, claims parts
// by compare-and-swap on the counter (which carries the job's sequence number,
// so a late worker cannot claim a part of the next job) and counts them done.
// The caller never waits for a part nobody has claimed: when the cores are busy
// elsewhere and a worker is not scheduled, the caller runs its parts itself.
// Workers poll for a moment after a job before sleeping in Atomics.wait, since
// a run's kernels come microseconds apart and waking a thread costs tens of
// microseconds.
//
// This file has no imports, so a worker can load it alone.

const SEQ = 0;
const FN = 1;
const PARTS = 2;
const NARGS = 3;
/** Claim counter: (sequence number & TAG_MASK) << 8 | next part. */
const NEXT = 4;
/** Parts finished (by anyone) of the current job. */
const DONE = 5;
/** Nonzero when a worker's part threw. */
const ERR = 6;
/** Nonzero when a worker died (set by the host). */
const DEAD = 7;
const ARGS = 8;
/** Most parts and arguments a job can have. */
export const MAX_PARTS = 32;
const MAX_ARGS = 24;
const CONTROL_WORDS = ARGS + MAX_PARTS * MAX_ARGS;
const TAG_MASK = 0x7fffff;
/** SEQ value that tells the workers to return. */
const STOP = -1;

/** The module's exported functions in export order: a job names its function by index in this list. */
export function kernelFunctionNames(module: WebAssembly.Module): string[] {
  return WebAssembly.Module.exports(module)
    .filter((e) => e.kind === 'function')
    .map((e) => e.name);
}

/** Largest shared kernel memory, in 64 KiB pages (2 GiB). */
export const SHARED_MAX_PAGES = 32768;

/** What the host hands the CPU runtime to run kernels on worker threads (see Note [Kernel threads]). */
export interface CpuThreads {
  /** Worker threads besides the calling one. */
  readonly workers: number;
  /** The shared memory of the workers' kernel instances. */
  readonly memory: WebAssembly.Memory;
  /** The control block (controlBlock), shared with the workers. */
  readonly control: Int32Array;
}

export function controlBlock(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
}

/** A shared memory the kernel module (assembled with shared memory) can import. */
export function sharedKernelMemory(initialPages = 16): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: initialPages, maximum: SHARED_MAX_PAGES, shared: true });
}

/** Milliseconds the caller waits for claimed parts before it gives up. */
const WAIT_LIMIT_MS = 300_000;

type KernelFn = (...args: number[]) => unknown;

/**
 * Claim and run parts of job `seq` until none is left; returns the parts run
 * and whether one threw. `run(p)` runs part p.
 */
function claimParts(c: Int32Array, seq: number, parts: number, run: (p: number) => void): { ran: number; failed: unknown } {
  const tag = (seq & TAG_MASK) << 8;
  let ran = 0;
  let failed: unknown;
  for (;;) {
    const cur = Atomics.load(c, NEXT);
    if ((cur & ~0xff) !== tag || (cur & 0xff) >= parts) break;
    if (Atomics.compareExchange(c, NEXT, cur, cur + 1) !== cur) continue;
    try {
      run(cur & 0xff);
    } catch (e) {
      failed ??= e;
      Atomics.store(c, ERR, 1);
    }
    ran++;
    Atomics.add(c, DONE, 1);
    Atomics.notify(c, DONE);
  }
  return { ran, failed };
}

/**
 * Note [Busy cores]
 * When other processes keep the cores busy, a worker can claim a part and then
 * not run for a scheduler time slice (milliseconds), and the caller waits for
 * it: on 2 busy cores a 3.4 ms model took 7.7 ms on two threads. So the caller
 * watches how long it waits for the workers after finishing its own share.
 * Waiting longer than its own share took, on STRIKES calls (net of good calls),
 * makes it run the next BACKOFF_CALLS cut calls alone; then it tries again.
 */
export interface Backoff {
  /** Late calls, net of calls on time. */
  readonly strikes: number;
  /** Cut calls still to run on the caller alone. */
  readonly calls: number;
}
const STRIKES = 3;
export const BACKOFF_CALLS = 256;

/** The backoff after a cut call whose own share took `ownMs` and whose wait for the workers took `waitMs`. */
export function nextBackoff(b: Backoff, ownMs: number, waitMs: number): Backoff {
  const late = waitMs > Math.max(ownMs, 0.05);
  const strikes = late ? b.strikes + 1 : Math.max(0, b.strikes - 1);
  return strikes >= STRIKES ? { strikes: 0, calls: BACKOFF_CALLS } : { strikes, calls: b.calls };
}

/** The calling thread's side: publishes a job's parts, runs its share, and waits for the rest. */
export class KernelTeam {
  /** Calls cut into parts so far, and the parts of them workers ran (tests check both). */
  cuts = 0;
  byWorkers = 0;
  /** Milliseconds the caller spent on its own parts, and waiting for the workers' (cut calls). */
  ownMs = 0;
  waitMs = 0;
  /** Cut calls run on the caller alone while backing off. */
  alone = 0;
  private backoff: Backoff = { strikes: 0, calls: 0 };
  /** False once Atomics.wait turned out not to be allowed here (a browser's main thread). */
  private canBlock = true;

  /** `names`: kernelFunctionNames of the module the workers run. */
  constructor(
    private readonly threads: CpuThreads,
    private readonly names: readonly string[],
  ) {}

  /** Threads a call can be cut into: the workers and the caller. */
  get size(): number {
    return this.threads.workers + 1;
  }

  /**
   * Run parts 0..parts−1 of `fn` (part p's arguments: argsOf(p); `call` runs
   * one here) on the workers and this thread; returns when all are done, and
   * throws if one failed.
   */
  run(fn: string, parts: number, argsOf: (p: number) => number[], call: (args: number[]) => void): void {
    const c = this.threads.control;
    if (parts > MAX_PARTS) throw new Error(`KernelTeam: ${parts} parts (at most ${MAX_PARTS})`);
    const fi = this.names.indexOf(fn);
    if (fi < 0) throw new Error(`KernelTeam: the kernel module has no function ${fn}`);
    if (Atomics.load(c, DEAD) !== 0) throw this.deadError();
    this.cuts++;
    // Backing off (the workers were late, see Note [Busy cores]): every part here, in order.
    if (this.backoff.calls > 0) {
      this.backoff = { strikes: 0, calls: this.backoff.calls - 1 };
      this.alone++;
      for (let p = 0; p < parts; p++) call(argsOf(p));
      return;
    }
    const all: number[][] = [];
    for (let p = 0; p < parts; p++) {
      const args = argsOf(p);
      if (args.length > MAX_ARGS) throw new Error(`KernelTeam: ${fn} has too many arguments`);
      all.push(args);
      c.set(args, ARGS + p * MAX_ARGS);
    }
    const seq = (Math.max(0, Atomics.load(c, SEQ)) % TAG_MASK) + 1;
    c[FN] = fi;
    c[PARTS] = parts;
    c[NARGS] = all[0]!.length;
    c[ERR] = 0;
    Atomics.store(c, DONE, 0);
    Atomics.store(c, NEXT, (seq & TAG_MASK) << 8);
    Atomics.store(c, SEQ, seq);
    Atomics.notify(c, SEQ);
    const t0 = performance.now();
    const { ran, failed } = claimParts(c, seq, parts, (p) => call(all[p]!));
    const t1 = performance.now();
    this.byWorkers += parts - ran;
    this.awaitDone(parts);
    this.ownMs += t1 - t0;
    this.waitMs += performance.now() - t1;
    this.backoff = nextBackoff(this.backoff, t1 - t0, performance.now() - t1);
    if (failed !== undefined) throw failed;
    if (c[ERR] !== 0) throw new Error(`a CPU kernel thread failed in ${fn}`);
  }

  private deadError(): Error {
    return new Error('a CPU kernel thread has exited; rerun with --threads 1 to run without threads');
  }

  private awaitDone(parts: number): void {
    const c = this.threads.control;
    let v = Atomics.load(c, DONE);
    // Parts are cut to take about the same time: poll for a moment before sleeping.
    const s0 = performance.now();
    while (v < parts && performance.now() - s0 < 0.2) v = Atomics.load(c, DONE);
    const t0 = Date.now();
    while (v < parts) {
      if (Atomics.load(c, DEAD) !== 0) throw this.deadError();
      if (this.canBlock) {
        try {
          Atomics.wait(c, DONE, v, 20);
        } catch {
          this.canBlock = false;
        }
      }
      v = Atomics.load(c, DONE);
      if (Date.now() - t0 > WAIT_LIMIT_MS) throw new Error(`CPU kernel threads did not finish in ${WAIT_LIMIT_MS / 1000} s`);
    }
  }
}

/** Tell every worker to return from serveKernelJobs. */
export function stopKernelWorkers(threads: CpuThreads): void {
  Atomics.store(threads.control, SEQ, STOP);
  Atomics.notify(threads.control, SEQ);
}

/** Mark a worker as gone, so a caller waiting on its part fails instead of waiting forever. */
export function markWorkerDead(threads: CpuThreads): void {
  Atomics.store(threads.control, DEAD, 1);
  Atomics.notify(threads.control, DONE);
}

/**
 * A worker's loop: claim and run parts of the jobs posted in `control` with
 * the instance's exports until told to stop. `spinMs`: how long to poll after
 * a job before sleeping.
 */
export function serveKernelJobs(control: Int32Array, module: WebAssembly.Module, exports: Record<string, unknown>, spinMs = 1): void {
  const fns = kernelFunctionNames(module).map((n) => {
    const f = exports[n];
    if (typeof f !== 'function') throw new Error(`kernel module has no export ${n}`);
    return f as KernelFn;
  });
  const c = control;
  let last = Atomics.load(c, SEQ);
  const args: number[] = [];
  for (;;) {
    let seq = Atomics.load(c, SEQ);
    if (seq === last) {
      const t0 = performance.now();
      while ((seq = Atomics.load(c, SEQ)) === last && performance.now() - t0 < spinMs);
    }
    if (seq === last) {
      Atomics.wait(c, SEQ, last);
      continue;
    }
    if (seq === STOP) return;
    last = seq;
    const f = fns[c[FN]!]!;
    const n = c[NARGS]!;
    claimParts(c, seq, c[PARTS]!, (p) => {
      args.length = n;
      for (let i = 0; i < n; i++) args[i] = c[ARGS + p * MAX_ARGS + i]!;
      f(...args);
    });
  }
}
