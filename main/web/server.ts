// The web host: the studio without Electron. A loopback-only HTTP server that serves
// the built renderer (renderer/dist) and bridges the same IPC contract the Electron
// preload exposes: `POST /api/invoke/<channel>` carries one request and answers its
// IpcResult, and a WebSocket at `/api/events` streams the event channels. Guards:
// 127.0.0.1 only, Host and Origin checked (no DNS rebinding, no cross-site calls), a
// custom request header no cross-origin page can send without a preflight, bounded
// bodies, no directory listings, paths outside the renderer root refused.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { isInvokeChannel, type EventChannel, type EventContract, type InvokeChannel, type IpcResult } from '../common/ipc-contract';
import { wireParse, wireStringify } from '../common/json-wire';
import { upgradeToEventSocket, type EventSocket } from './websocket';

export const DEFAULT_RENDERER_ROOT = fileURLToPath(new URL('../../out/renderer/', import.meta.url));
/** The header every API call must carry (a simple CSRF guard: cross-origin pages cannot set it without a preflight, which is refused). */
export const API_HEADER = 'x-pt2-studio';
/** Largest request body (a .pt2 upload travels base64-encoded in one request). */
export const MAX_BODY_BYTES = 512 * 1024 * 1024;

/** The Content-Security-Policy of the renderer (also in index.html's meta tag). */
export const RENDERER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

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
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

/** What the server needs from the engine host (HostClient implements it). */
export interface InvokeBridge {
  invoke(channel: InvokeChannel, request: never): Promise<IpcResult<unknown>>;
  onEvent(listener: <C extends EventChannel>(channel: C, payload: EventContract[C]) => void): () => void;
}

export interface StudioServerOptions {
  /** Port to bind; 0 picks a free one. */
  port: number;
  /** Directory served at `/`; defaults to out/renderer (npm run build:renderer). */
  root?: string;
  /** The engine host; without it the API answers 503. */
  bridge?: InvokeBridge;
}

export interface StudioServer {
  server: Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

const NOT_BUILT_PAGE = `<!doctype html><meta charset="utf-8"><title>PT2 Studio</title>
<body style="font:15px system-ui;margin:3em"><h1>PT2 Studio</h1>
<p>The renderer has not been built. Run <code>npm run build:renderer</code> (or <code>npm start</code>, which builds it first) and reload.</p></body>`;

/** Starts the web host on 127.0.0.1 and resolves once it is listening. */
export async function startStudioServer(options: StudioServerOptions): Promise<StudioServer> {
  const root = resolve(options.root ?? DEFAULT_RENDERER_ROOT);
  const sockets = new Set<EventSocket>();
  let port = 0;
  const server = createServer((req, res) => {
    handle(root, port, options.bridge, req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.destroy();
      console.error('web host:', err);
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/api/events' || !trustedHost(req, port) || !trustedOrigin(req, port, true)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    const ws = upgradeToEventSocket(req, socket, (s) => sockets.delete(s));
    if (ws) sockets.add(ws);
  });
  const unsubscribe = options.bridge?.onEvent((channel, payload) => {
    const text = wireStringify({ channel, payload });
    for (const s of sockets) s.sendText(text);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', fail);
      ok();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((ok, fail) => {
        unsubscribe?.();
        for (const s of sockets) s.close();
        server.close((err) => (err ? fail(err) : ok()));
        server.closeAllConnections();
      }),
  };
}

/** Host header must name this server on loopback (DNS-rebinding guard). */
function trustedHost(req: IncomingMessage, port: number): boolean {
  const host = req.headers.host;
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

/** Origin, when sent, must be this server. Browsers always send it on WebSocket upgrades and cross-origin POSTs. */
function trustedOrigin(req: IncomingMessage, port: number, required: boolean): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return !required;
  return origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
}

async function handle(root: string, port: number, bridge: InvokeBridge | undefined, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const rawPath = (req.url ?? '/').split('?')[0]!;
  if (!trustedHost(req, port)) return send(res, 421, 'text/plain; charset=utf-8', 'misdirected request\n');
  if (rawPath === '/api/health') {
    return send(res, 200, 'application/json; charset=utf-8', JSON.stringify({ ok: true, host: 'web', engine: bridge !== undefined }));
  }
  if (rawPath.startsWith('/api/invoke/')) return invoke(bridge, port, rawPath.slice('/api/invoke/'.length), req, res);
  if (rawPath.startsWith('/api/')) return send(res, 404, 'application/json; charset=utf-8', '{"ok":false}');

  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
  }
  const file = resolveInside(root, rawPath);
  if (file === null) return send(res, 403, 'text/plain; charset=utf-8', 'forbidden\n');
  const info = await stat(file).catch(() => null);
  if (info === null || !info.isFile()) {
    if (rawPath === '/' || rawPath === '/index.html') return send(res, 503, 'text/html; charset=utf-8', NOT_BUILT_PAGE);
    return send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
  }
  const body = await readFile(file);
  const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  if (type.startsWith('text/html')) res.setHeader('Content-Security-Policy', RENDERER_CSP);
  send(res, 200, type, req.method === 'HEAD' ? undefined : body, body.length);
}

async function invoke(bridge: InvokeBridge | undefined, port: number, channel: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const json = 'application/json; charset=utf-8';
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    return send(res, 405, json, wireStringify(failure('IpcError', 'use POST')));
  }
  if (req.headers[API_HEADER] !== '1' || !trustedOrigin(req, port, false)) return send(res, 403, json, wireStringify(failure('IpcError', 'forbidden')));
  if (!isInvokeChannel(channel)) return send(res, 404, json, wireStringify(failure('IpcError', `unknown channel ${channel}`)));
  if (!bridge) return send(res, 503, json, wireStringify(failure('HostStartError', 'no engine host is attached to this server')));
  let text: string;
  try {
    text = await readBody(req, MAX_BODY_BYTES);
  } catch (e) {
    return send(res, 413, json, wireStringify(failure('IpcError', (e as Error).message)));
  }
  let request: unknown;
  try {
    request = text === '' ? {} : wireParse(text);
  } catch {
    return send(res, 400, json, wireStringify(failure('IpcError', 'the request body is not JSON')));
  }
  // A page never names a file on disk for the host to read (Electron's main process does, from its dialog).
  if (channel === 'app:open' && request && typeof request === 'object' && 'path' in request) delete (request as { path?: unknown }).path;
  const result = await bridge.invoke(channel, request as never);
  send(res, 200, json, wireStringify(result));
}

function failure(name: string, message: string): IpcResult<never> {
  return { ok: false, error: { name, message } };
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        fail(new Error(`request body over ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => ok(Buffer.concat(chunks).toString('utf8')));
    req.on('error', fail);
  });
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
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Content-Length', String(length ?? (body === undefined ? 0 : Buffer.byteLength(body))));
  res.end(body);
}
