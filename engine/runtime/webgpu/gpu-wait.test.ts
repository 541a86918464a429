// The waiting helpers: polling settles like await (values and rejections), gives
// up after its deadline, and the slicer yields to the event loop once its budget
// is spent.

import { describe, expect, it } from 'vitest';
import { GpuTimeoutError, SerialQueue, Slicer, pollUntilSettled } from './gpu-wait';

describe('pollUntilSettled', () => {
  it('returns the value and rethrows the rejection', async () => {
    expect(await pollUntilSettled(new Promise((r) => setTimeout(() => r(42), 5)), 'x')).toBe(42);
    await expect(pollUntilSettled(Promise.reject(new Error('lost')), 'x')).rejects.toThrow('lost');
  });
  it('throws a GpuTimeoutError naming the wait after the deadline', async () => {
    await expect(pollUntilSettled(new Promise(() => undefined), 'reading results back', { timeoutMs: 20 })).rejects.toThrow(GpuTimeoutError);
    await expect(pollUntilSettled(new Promise(() => undefined), 'reading results back', { timeoutMs: 20 })).rejects.toThrow(/reading results back/);
  });
  it('keeps the event loop turning while it waits (timers fire)', async () => {
    let ticks = 0;
    const iv = setInterval(() => ticks++, 1);
    await pollUntilSettled(new Promise((r) => setTimeout(r, 30)), 'x');
    clearInterval(iv);
    expect(ticks).toBeGreaterThan(3);
  });
});

describe('Slicer and SerialQueue', () => {
  it('yields a macrotask once the budget is spent', async () => {
    const s = new Slicer(1);
    let fired = false;
    setTimeout(() => (fired = true), 0);
    const t = performance.now();
    while (performance.now() - t < 3) {
      /* busy */
    }
    await s.tick();
    await new Promise((r) => setTimeout(r, 1));
    expect(fired).toBe(true);
  });
  it('runs tasks one at a time, in order, past failures', async () => {
    const q = new SerialQueue();
    const log: string[] = [];
    const task = (name: string, ms: number, fail = false) => () =>
      new Promise<void>((res, rej) => {
        log.push(`start ${name}`);
        setTimeout(() => (log.push(`end ${name}`), fail ? rej(new Error(name)) : res()), ms);
      });
    const a = q.run(task('a', 10, true));
    const b = q.run(task('b', 1));
    await expect(a).rejects.toThrow('a');
    await b;
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b']);
  });
});
