import { request } from 'node:http';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventChannel, EventContract, InvokeChannel, IpcResult } from '../common/ipc-contract';
import { wireParse } from '../common/json-wire';
import { API_HEADER, startStudioServer, type InvokeBridge, type StudioServer } from './server';
import { acceptKey } from './websocket';

/** Raw request that keeps the path as written (fetch would normalize `/../`). */
function raw(port: number, path: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; type: string; body: string; headers: Record<string, unknown> }> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => ok({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body, headers: res.headers }));
    });
    req.on('error', fail);
    req.end(opts.body);
  });
}

/** A fake engine host: echoes requests and lets the test emit events. */
class EchoBridge implements InvokeBridge {
  listeners = new Set<<C extends EventChannel>(channel: C, payload: EventContract[C]) => void>();
  async invoke(channel: InvokeChannel, req: never): Promise<IpcResult<unknown>> {
    return { ok: true, value: { channel, req, inf: Infinity } };
  }
  onEvent(l: <C extends EventChannel>(channel: C, payload: EventContract[C]) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  emit(): void {
    for (const l of this.listeners) l('app:progress', { taskId: 't', label: 'Tracing', fraction: 0.5 });
  }
}

describe('web host', () => {
  let host: StudioServer;
  const bridge = new EchoBridge();
  const root = mkdtempSync(join(tmpdir(), 'pt2-web-'));
  beforeAll(async () => {
    writeFileSync(join(root, 'index.html'), '<!doctype html><div data-testid="app-root"></div>');
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
    host = await startStudioServer({ port: 0, root, bridge });
  });
  afterAll(async () => {
    await host.close();
  });

  it('binds to loopback on a free port', () => {
    expect(host.port).toBeGreaterThan(0);
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/`);
  });

  it('serves the renderer index with a CSP header', async () => {
    const res = await fetch(host.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("worker-src 'self'");
    expect(await res.text()).toContain('data-testid="app-root"');
  });

  it('serves scripts with a JavaScript content type', async () => {
    const res = await fetch(new URL('assets/app.js', host.url));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/javascript');
  });

  it('answers the health check', async () => {
    const res = await fetch(new URL('api/health', host.url));
    expect(await res.json()).toEqual({ ok: true, host: 'web', engine: true });
  });

  it('explains an unbuilt renderer instead of a bare 404', async () => {
    const empty = await startStudioServer({ port: 0, root: mkdtempSync(join(tmpdir(), 'pt2-empty-')) });
    try {
      const res = await fetch(empty.url);
      expect(res.status).toBe(503);
      expect(await res.text()).toContain('npm run build:renderer');
    } finally {
      await empty.close();
    }
  });

  it('returns 404 for missing files', async () => {
    expect((await raw(host.port, '/no-such-file.js')).status).toBe(404);
  });

  it.each(['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/a/../../package.json'])('refuses path traversal %s', async (path) => {
    const res = await raw(host.port, path);
    expect([403, 404]).toContain(res.status);
    expect(res.body).not.toContain('pt2-studio');
  });

  it('refuses methods other than GET and HEAD for files', async () => {
    const res = await fetch(host.url, { method: 'POST', body: 'x' });
    expect(res.status).toBe(405);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const res = await raw(host.port, '/', { headers: { Host: 'evil.example' } });
    expect(res.status).toBe(421);
  });

  describe('IPC bridge', () => {
    const post = (channel: string, body: unknown, headers: Record<string, string> = { [API_HEADER]: '1' }) =>
      raw(host.port, `/api/invoke/${channel}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

    it('forwards a typed request and keeps non-finite numbers', async () => {
      const res = await post('app:hello', { client: 'test' });
      expect(res.status).toBe(200);
      expect(wireParse(res.body)).toEqual({ ok: true, value: { channel: 'app:hello', req: { client: 'test' }, inf: Infinity } });
    });

    it('never lets a page name a file on disk for the host to open', async () => {
      const res = await post('app:open', { fileName: 'x.py', data: 'cHJpbnQoMSkK', path: '/etc/passwd' });
      expect(wireParse(res.body)).toEqual({ ok: true, value: { channel: 'app:open', req: { fileName: 'x.py', data: 'cHJpbnQoMSkK' }, inf: Infinity } });
      const pathOnly = await post('app:open', { path: '/etc/passwd' });
      expect(wireParse(pathOnly.body)).toMatchObject({ value: { req: {} } });
    });

    it('needs the studio header and a same-origin Origin', async () => {
      expect((await post('app:hello', {}, {})).status).toBe(403);
      expect((await post('app:hello', {}, { [API_HEADER]: '1', Origin: 'https://evil.example' })).status).toBe(403);
      expect((await post('app:hello', {}, { [API_HEADER]: '1', Origin: `http://127.0.0.1:${host.port}` })).status).toBe(200);
    });

    it('refuses unknown channels, GET and bad JSON', async () => {
      expect((await post('app:nope', {})).status).toBe(404);
      expect((await post('hello', {})).status).toBe(404);
      expect((await raw(host.port, '/api/invoke/app:hello')).status).toBe(405);
      const bad = await raw(host.port, '/api/invoke/app:hello', { method: 'POST', headers: { [API_HEADER]: '1' }, body: '{not json' });
      expect(bad.status).toBe(400);
    });

    it('streams events over a WebSocket', async () => {
      const key = randomBytes(16).toString('base64');
      const socket = connect(host.port, '127.0.0.1');
      const data: Buffer[] = [];
      socket.on('data', (d: Buffer) => data.push(d));
      socket.write(
        [
          'GET /api/events HTTP/1.1',
          `Host: 127.0.0.1:${host.port}`,
          `Origin: http://127.0.0.1:${host.port}`,
          'Upgrade: websocket',
          'Connection: Upgrade',
          `Sec-WebSocket-Key: ${key}`,
          'Sec-WebSocket-Version: 13',
          '',
          '',
        ].join('\r\n'),
      );
      await new Promise((ok) => setTimeout(ok, 100));
      const handshake = Buffer.concat(data).toString('latin1');
      expect(handshake).toContain('101 Switching Protocols');
      expect(handshake).toContain(`Sec-WebSocket-Accept: ${acceptKey(key)}`);
      data.length = 0;
      bridge.emit();
      await new Promise((ok) => setTimeout(ok, 100));
      const frame = Buffer.concat(data);
      expect(frame[0]).toBe(0x81); // FIN + text
      const text = frame.subarray(2, 2 + frame[1]!).toString('utf8');
      expect(JSON.parse(text)).toEqual({ channel: 'app:progress', payload: { taskId: 't', label: 'Tracing', fraction: 0.5 } });
      socket.destroy();
    });

    it('refuses a cross-origin WebSocket', async () => {
      const socket = connect(host.port, '127.0.0.1');
      const data: Buffer[] = [];
      socket.on('data', (d: Buffer) => data.push(d));
      socket.write(
        [`GET /api/events HTTP/1.1`, `Host: 127.0.0.1:${host.port}`, 'Origin: https://evil.example', 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Key: x', 'Sec-WebSocket-Version: 13', '', ''].join('\r\n'),
      );
      await new Promise((ok) => setTimeout(ok, 100));
      expect(Buffer.concat(data).toString()).toContain('403');
      socket.destroy();
    });
  });
});
