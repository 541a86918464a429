// The StudioApi over the web host (no Electron): each invoke is a POST to
// /api/invoke/<channel> with the request as JSON, and events arrive on a WebSocket at
// /api/events (reconnecting with backoff). Same contract, same results as the preload.

import {
  API_METHODS,
  INVOKE_CHANNELS,
  type EventChannel,
  type EventContract,
  type IpcResult,
  type MenuEvent,
  type ProgressEvent,
  type StudioApi,
} from '../../main/common/ipc-contract';
import { wireParse, wireStringify } from '../../main/common/json-wire';

type Listener<C extends EventChannel> = (payload: EventContract[C]) => void;

export function createWebApi(base = ''): StudioApi {
  const listeners = { 'app:progress': new Set<Listener<'app:progress'>>(), 'app:menu': new Set<Listener<'app:menu'>>() };

  const post = async (channel: string, request: unknown): Promise<IpcResult<never>> => {
    let res: Response;
    try {
      res = await fetch(`${base}/api/invoke/${channel}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-PT2-Studio': '1' },
        body: wireStringify(request ?? {}),
      });
    } catch (e) {
      return { ok: false, error: { name: 'HostUnreachableError', message: `The studio host is not reachable (${(e as Error).message}). Is \`pt2 studio\` still running?` } };
    }
    const text = await res.text();
    try {
      return wireParse(text) as IpcResult<never>;
    } catch {
      return { ok: false, error: { name: 'IpcError', message: `The host answered HTTP ${res.status} without a result.` } };
    }
  };

  let delay = 250;
  const connect = (): void => {
    const url = new URL(`${base}/api/events`, location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(url);
    ws.onopen = () => (delay = 250);
    ws.onmessage = (m) => {
      const { channel, payload } = wireParse(String(m.data)) as { channel: EventChannel; payload: unknown };
      const set = listeners[channel] as Set<(p: unknown) => void> | undefined;
      set?.forEach((l) => l(payload));
    };
    ws.onclose = () => {
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 5000);
    };
  };
  connect();

  const api: Record<string, unknown> = { host: 'web' };
  for (const channel of INVOKE_CHANNELS) api[API_METHODS[channel]] = (req: unknown) => post(channel, req);
  api.onProgress = (l: (e: ProgressEvent) => void) => {
    listeners['app:progress'].add(l);
    return () => listeners['app:progress'].delete(l);
  };
  api.onMenu = (l: (e: MenuEvent) => void) => {
    listeners['app:menu'].add(l);
    return () => listeners['app:menu'].delete(l);
  };
  return api as unknown as StudioApi;
}
