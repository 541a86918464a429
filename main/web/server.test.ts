import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStudioServer, type StudioServer } from './server';

/** Raw GET that keeps the path as written (fetch would normalize `/../`). */
function rawGet(port: number, path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => ok({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('web host', () => {
  let host: StudioServer;
  beforeAll(async () => {
    host = await startStudioServer({ port: 0 });
  });
  afterAll(async () => {
    await host.close();
  });

  it('binds to loopback on a free port', () => {
    expect(host.port).toBeGreaterThan(0);
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/`);
  });

  it('serves the renderer index with a CSP', async () => {
    const res = await fetch(host.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('data-testid="app-root"');
    expect(html).toContain("script-src 'self'");
  });

  it('serves scripts with a JavaScript content type', async () => {
    const res = await fetch(new URL('app.js', host.url));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/javascript');
  });

  it('answers the health check', async () => {
    const res = await fetch(new URL('api/health', host.url));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it('returns 404 for missing files', async () => {
    expect((await rawGet(host.port, '/no-such-file.js')).status).toBe(404);
  });

  it.each(['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/a/../../package.json'])(
    'refuses path traversal %s',
    async (path) => {
      const res = await rawGet(host.port, path);
      expect([403, 404]).toContain(res.status);
      expect(res.body).not.toContain('pt2-studio');
    },
  );

  it('refuses methods other than GET and HEAD', async () => {
    const res = await fetch(host.url, { method: 'POST', body: 'x' });
    expect(res.status).toBe(405);
  });
});
