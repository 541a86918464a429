import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../common/ipc-contract';
import { HostClient } from './host-client';
import { SEEDS } from './seeds/catalog';

const deep = SEEDS.find((s) => s.id === 'deep_mlp')!.source;

describe('host client ↔ worker', () => {
  let client: HostClient;
  const progress: ProgressEvent[] = [];
  beforeAll(async () => {
    client = new HostClient({ host: 'web', dataDir: mkdtempSync(join(tmpdir(), 'pt2-client-')) });
    client.onEvent((channel, payload) => {
      if (channel === 'app:progress') progress.push(payload as ProgressEvent);
    });
    await client.start();
  });
  afterAll(() => client.close());

  it('answers typed requests from the worker thread', async () => {
    const r = await client.invoke('app:hello', {});
    expect(r.ok && r.value.host).toBe('web');
    const seeds = await client.invoke('app:seeds', {});
    expect(seeds.ok && seeds.value.length).toBe(SEEDS.length);
  });

  it('refuses unknown channels and non-object requests', async () => {
    const bad = await client.invoke('app:nope' as never, {} as never);
    expect(bad).toMatchObject({ ok: false, error: { message: 'unknown channel app:nope' } });
    const notObject = await client.invoke('app:export', 'x' as never);
    expect(notObject.ok).toBe(false);
  });

  it('streams progress and cancels a long export without losing the host', async () => {
    const source = deep.replace('N_BLOCKS = 240', 'N_BLOCKS = 6000').replace('WIDTH = 32', 'WIDTH = 4');
    const pending = client.invoke('app:export', { taskId: 'long', source, strict: false, decompose: false, dynamicShapes: null });
    await new Promise<void>((ok) => {
      const t = setInterval(() => {
        // Seed twin: 'Tracing forward: N nodes'; Python: 'Running model.py and exporting'.
        if (progress.some((p) => p.taskId === 'long' && /^(Tracing forward:|Running model\.py)/.test(p.label))) {
          clearInterval(t);
          ok();
        }
      }, 20);
    });
    await new Promise((ok) => setTimeout(ok, 300));
    const c = await client.invoke('app:cancel', { taskId: 'long' });
    expect(c).toEqual({ ok: true, value: { cancelled: true } });
    const r = await pending;
    expect(r).toMatchObject({ ok: false, error: { name: 'CancelledError' } });
    // The worker survived (cooperative cancel / Python interrupt) and serves the next request.
    const next = await client.invoke('app:export', { taskId: 'next', source: SEEDS[0]!.source, strict: false, decompose: false, dynamicShapes: null });
    expect(next.ok).toBe(true);
  }, 60_000);
});
