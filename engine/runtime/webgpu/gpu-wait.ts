// Waiting for GPU work, and the rules that keep Dawn in Node alive.
//
// Note [Dawn in Node: aborts while waiting]
// The `webgpu` package (Dawn) aborts intermittently — glibc "The futex facility
// returned an unexpected error code", pthread_mutex_lock assertions,
// std::system_error, SIGSEGV — typically while JS awaits GPU work. Reproduced
// here on SwiftShader and traced with gdb to InstanceBase::ProcessEvents →
// CallbackTaskManager::Flush on a destroyed instance: the GPU object returned by
// `create()` had been garbage-collected while the device and its pending
// callbacks (mapAsync, popErrorScope, createComputePipelineAsync) lived on, and
// the next event processing touched freed memory. Whether it crashes depends on
// when V8 collects, hence "intermittent". Measured in plain Node with forced GC:
// without a reference to the GPU object, mapAsync cycles crashed 6/6 processes
// and async pipeline compiles 4/12; holding the reference, 0/6 and 0/10.
// So: (1) GpuDevice.owners keeps the GPU and adapter objects for the device's
// lifetime (device.ts) — the fix; and, as defence in depth, (2) one submit and
// one readback per run (a single mapAsync, never onSubmittedWorkDone), (3)
// waits by polling with macrotasks and a deadline instead of a bare await,
// (4) recording sliced so the event loop keeps turning (Slicer), and (5) runs on
// a runtime serialized (SerialQueue), so one wait is outstanding. The CLI adds
// process isolation and retries on top (Note [WebGPU in a child process]).

export class GpuTimeoutError extends Error {
  override name = 'GpuTimeoutError';
}

export interface WaitOptions {
  /** Give up after this many milliseconds (default 60 s). */
  readonly timeoutMs?: number;
  /** Yield between checks (default: a macrotask via setTimeout(0)). */
  readonly yieldFn?: () => Promise<void>;
  /** Called on every poll (Dawn hosts may pump events here). */
  readonly poll?: () => void;
}

type Immediate = (cb: () => void) => unknown;
const immediate = (globalThis as { setImmediate?: Immediate }).setImmediate;

/** One turn of the event loop: setImmediate where the host has it (Node), else setTimeout(0). */
export const macrotask = (): Promise<void> => new Promise((resolve) => (immediate ? immediate(resolve) : setTimeout(resolve, 0)));
const sleep1 = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));
const SPIN_MS = 5;

/** Cuts long synchronous work into slices: `tick()` yields a macrotask once `budgetMs` has passed. */
export class Slicer {
  private last = now();
  constructor(private readonly budgetMs = 2) {}
  async tick(): Promise<void> {
    if (now() - this.last < this.budgetMs) return;
    await macrotask();
    this.last = now();
  }
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

/** Settle `p` by polling; rethrows its rejection; throws GpuTimeoutError after the deadline. */
export async function pollUntilSettled<T>(p: Promise<T>, what: string, opts: WaitOptions = {}): Promise<T> {
  type State = { done: false } | { done: true; ok: true; value: T } | { done: true; ok: false; error: unknown };
  let state = { done: false } as State;
  p.then(
    (value) => (state = { done: true, ok: true, value }),
    (error) => (state = { done: true, ok: false, error }),
  );
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  // Spin on macrotasks for the first few milliseconds (a real GPU answers a
  // model run within them, and a 1 ms timer would add up to a millisecond to
  // each run), then sleep 1 ms per poll (a software GPU needs the CPU).
  const spinUntil = now() + SPIN_MS;
  const yieldFn = opts.yieldFn ?? (() => (now() < spinUntil ? macrotask() : sleep1()));
  for (;;) {
    await yieldFn();
    opts.poll?.();
    const s = state as State;
    if (s.done) {
      if (s.ok) return s.value;
      throw s.error;
    }
    if (Date.now() > deadline) throw new GpuTimeoutError(`${what}: no answer from the GPU after ${opts.timeoutMs ?? 60_000} ms`);
  }
}

/** A FIFO lock: one GPU run (and so one outstanding wait) at a time per device. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task, task);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
