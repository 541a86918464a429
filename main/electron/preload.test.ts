import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_METHODS, EVENT_CHANNELS, INVOKE_CHANNELS } from '../common/ipc-contract';

/** Run preload.cjs against a fake `electron` module and return what it exposed. */
function loadPreload() {
  const exposed: Record<string, unknown> = {};
  const invoked: Array<[string, unknown]> = [];
  const listeners = new Map<string, Set<(...a: unknown[]) => void>>();
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, value: unknown) => (exposed[key] = value) },
    ipcRenderer: {
      invoke: (channel: string, req: unknown) => {
        invoked.push([channel, req]);
        return Promise.resolve({ ok: true, value: channel });
      },
      on: (channel: string, fn: (...a: unknown[]) => void) => {
        if (!listeners.has(channel)) listeners.set(channel, new Set());
        listeners.get(channel)!.add(fn);
      },
      removeListener: (channel: string, fn: (...a: unknown[]) => void) => listeners.get(channel)?.delete(fn),
    },
  };
  const code = readFileSync(new URL('./preload.cjs', import.meta.url), 'utf8');
  new Function('require', code)((name: string) => {
    if (name !== 'electron') throw new Error(`preload may only require electron, not ${name}`);
    return electron;
  });
  return { api: exposed.api as Record<string, unknown>, invoked, listeners };
}

describe('preload', () => {
  it('exposes exactly one named method per contract channel, frozen, no ipcRenderer', () => {
    const { api } = loadPreload();
    expect(Object.isFrozen(api)).toBe(true);
    const expected = [...INVOKE_CHANNELS.map((c) => API_METHODS[c]), 'onProgress', 'onMenu', 'host'].sort();
    expect(Object.keys(api).sort()).toEqual(expected);
    expect(api.host).toBe('electron');
    expect(EVENT_CHANNELS).toEqual(['app:progress', 'app:menu']);
  });

  it('maps each method to its channel', async () => {
    const { api, invoked } = loadPreload();
    for (const channel of INVOKE_CHANNELS) {
      const method = api[API_METHODS[channel]] as (r: unknown) => Promise<unknown>;
      await expect(method({})).resolves.toEqual({ ok: true, value: channel });
    }
    expect(invoked.map(([c]) => c)).toEqual([...INVOKE_CHANNELS]);
  });

  it('checks argument types before anything crosses', async () => {
    const { api, invoked } = loadPreload();
    const exportProgram = api.exportProgram as (r: unknown) => Promise<{ ok: boolean }>;
    await expect(exportProgram('source')).resolves.toMatchObject({ ok: false });
    await expect(exportProgram(null)).resolves.toMatchObject({ ok: false });
    await expect(exportProgram([1])).resolves.toMatchObject({ ok: false });
    expect(invoked).toEqual([]);
    expect(() => (api.onProgress as (f: unknown) => void)('nope')).toThrow(TypeError);
  });

  it('event subscriptions can be removed', () => {
    const { api, listeners } = loadPreload();
    const seen: unknown[] = [];
    const off = (api.onMenu as (f: (p: unknown) => void) => () => void)((p) => seen.push(p));
    for (const fn of listeners.get('app:menu')!) fn({}, { command: 'export' });
    off();
    expect(listeners.get('app:menu')!.size).toBe(0);
    expect(seen).toEqual([{ command: 'export' }]);
  });
});
