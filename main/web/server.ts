// The web host: a loopback-only static server for renderer/ plus a small JSON API, used
// when the Electron binary is absent (`npm start` falls back to it). No network beyond
// 127.0.0.1, no directory listings, and paths outside the renderer root are refused.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';

export const DEFAULT_RENDERER_ROOT = fileURLToPath(new URL('../../renderer/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.py': 'text/x-python; charset=utf-8',
  '.pt2': 'application/octet-stream',
  '.ttf': 'font/ttf',
  '.woff2': 'font/woff2',
};

export interface StudioServerOptions {
  /** Port to bind; 0 picks a free one. */
  port: number;
  /** Directory served at `/`; defaults to renderer/. */
  root?: string;
}

export interface StudioServer {
  server: Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Starts the web host on 127.0.0.1 and resolves once it is listening. */
export async function startStudioServer(options: StudioServerOptions): Promise<StudioServer> {
  const root = resolve(options.root ?? DEFAULT_RENDERER_ROOT);
  const server = createServer((req, res) => {
    handle(root, req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.destroy();
      console.error('web host:', err);
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', fail);
      ok();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((ok, fail) => {
        server.close((err) => (err ? fail(err) : ok()));
        server.closeAllConnections();
      }),
  };
}

async function handle(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
  }
  const rawPath = (req.url ?? '/').split('?')[0];
  if (rawPath === '/api/health') {
    return send(res, 200, 'application/json; charset=utf-8', JSON.stringify({ ok: true }));
  }
  if (rawPath.startsWith('/api/')) return send(res, 404, 'application/json; charset=utf-8', '{"ok":false}');

  const file = resolveInside(root, rawPath);
  if (file === null) return send(res, 403, 'text/plain; charset=utf-8', 'forbidden\n');
  const info = await stat(file).catch(() => null);
  if (info === null || !info.isFile()) return send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
  const body = await readFile(file);
  const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  send(res, 200, type, req.method === 'HEAD' ? undefined : body, body.length);
}

/** Maps a URL path to a file under root, or null when it would escape root. */
export function resolveInside(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const segments = decoded.split(/[\\/]+/).filter((s) => s.length > 0);
  if (segments.some((s) => s === '..')) return null;
  const relative = segments.length === 0 ? 'index.html' : segments.join(sep);
  const file = resolve(root, relative);
  if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) return null;
  return file;
}

function send(res: ServerResponse, status: number, type: string, body?: string | Buffer, length?: number): void {
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', String(length ?? (body === undefined ? 0 : Buffer.byteLength(body))));
  res.end(body);
}
