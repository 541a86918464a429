// Starts the studio: the Electron app when its binary is installed, otherwise the web
// host on 127.0.0.1 (the built renderer plus the engine host behind the IPC contract)
// opened in the default browser. Shared by `npm start` and `pt2 studio`.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { DEFAULT_RENDERER_ROOT, startStudioServer, type StudioServer } from './web/server';
import { HostClient } from './host/host-client';
import { defaultDataDir } from './host/data-dir';

export const DEFAULT_PORT = 5178;

export interface StartOptions {
  /** Skip Electron even when it is installed. */
  web: boolean;
  /** Web host port; 0 picks a free one. */
  port: number;
  /** Open the default browser on the web host's URL. */
  open: boolean;
}

const ELECTRON_ENTRY = fileURLToPath(new URL('./electron/main.cjs', import.meta.url));

/** Path of the Electron binary, or null when the package or its binary is missing. */
export function findElectronBinary(): string | null {
  try {
    // The electron package's main export is the binary path; it throws when the download was skipped.
    const binary: unknown = createRequire(import.meta.url)('electron');
    return typeof binary === 'string' && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

/** Runs the studio until it exits; resolves to the process exit code. */
export async function startStudio(options: StartOptions): Promise<number> {
  const electron = options.web ? null : findElectronBinary();
  if (electron !== null) return runElectron(electron);

  const engine = new HostClient({ host: 'web', dataDir: defaultDataDir() });
  let host: StudioServer;
  try {
    host = await startStudioServer({ port: options.port, bridge: engine });
  } catch (err) {
    await engine.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      process.stderr.write(`pt2 studio: cannot listen on 127.0.0.1:${options.port} (${code}); try --port N\n`);
      return 1;
    }
    throw err;
  }
  // Warm the engine host while the browser loads the page.
  engine.start().catch((err: unknown) => process.stderr.write(`pt2 studio: the engine host failed to start: ${(err as Error).message}\n`));
  if (!existsSync(DEFAULT_RENDERER_ROOT + 'index.html'))
    process.stderr.write('pt2 studio: the renderer is not built yet; run `npm run build:renderer` (npm start does it for you)\n');
  const reason = options.web ? 'Web host requested' : 'Electron binary not found';
  process.stdout.write(`${reason}; serving the studio at ${host.url.replace(/\/$/, '')}\n`);
  if (options.open) openInBrowser(host.url);

  return new Promise<number>((done) => {
    const stop = (): void => {
      void host
        .close()
        .then(() => engine.close())
        .finally(() => done(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

function runElectron(binary: string): Promise<number> {
  const child = spawn(binary, [ELECTRON_ENTRY], { stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise<number>((done) => {
    child.on('error', (err) => {
      process.stderr.write(`pt2 studio: could not launch Electron: ${err.message}\n`);
      done(2);
    });
    child.on('exit', (code) => done(code ?? 0));
  });
}

/** Best effort: a missing opener or a headless machine is not an error. */
export function openInBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    // ignore: the URL is printed above
  }
}
