// The Electron main process: one locked-down window on the app protocol, the native
// menu, open/save dialogs, and the IPC handlers that forward the contract's requests
// to the engine host worker (the same HostClient the web host uses). main.cjs
// registers the app scheme and loads this file through tsx.

import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session, shell, type IpcMainInvokeEvent, type MenuItemConstructorOptions } from 'electron';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  APP_MENU,
  APP_PROGRESS,
  INVOKE_CHANNELS,
  type InvokeChannel,
  type IpcResult,
  type MenuCommand,
  type OpenRequest,
  type RecentFile,
  type SaveRequest,
} from '../common/ipc-contract';
import { HostClient } from '../host/host-client';
import { RENDERER_CSP } from '../web/server';
import { APP_INDEX_URL, APP_SCHEME, WEB_PREFERENCES, appUrlToFile, isAppUrl, isExternalLinkAllowed, isTrustedSenderUrl } from './window-security';

const RENDERER_ROOT = fileURLToPath(new URL('../../out/renderer/', import.meta.url));
const PRELOAD = fileURLToPath(new URL('./preload.cjs', import.meta.url));

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

const host = new HostClient({ host: 'electron', dataDir: process.env.PT2_STUDIO_DATA_DIR ?? app.getPath('userData') });
let mainWindow: BrowserWindow | null = null;

//#region protocol
function serveAppProtocol(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = appUrlToFile(RENDERER_ROOT, request.url);
    if (!file) return new Response('forbidden', { status: 403 });
    try {
      const body = await readFile(file);
      const type = MIME[extname(file).toLowerCase()] ?? 'application/octet-stream';
      const headers: Record<string, string> = { 'Content-Type': type, 'X-Content-Type-Options': 'nosniff' };
      if (type.startsWith('text/html')) headers['Content-Security-Policy'] = RENDERER_CSP;
      return new Response(body, { status: 200, headers });
    } catch {
      return new Response('not found', { status: 404 });
    }
  });
}
//#endregion

//#region windows
function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 960,
    minHeight: 600,
    title: 'PT2 Studio',
    show: false,
    webPreferences: { ...WEB_PREFERENCES, preload: PRELOAD },
  });
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  void win.loadURL(APP_INDEX_URL);
  return win;
}

/** Deny navigation away from the app, new windows, webviews and permission requests (checklist #13, #14). */
function lockDownContents(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (isExternalLinkAllowed(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}
//#endregion

//#region ipc
function refuse(message: string): IpcResult<never> {
  return { ok: false, error: { name: 'IpcError', message } };
}

function senderTrusted(event: IpcMainInvokeEvent): boolean {
  return isTrustedSenderUrl(event.senderFrame?.url) && event.sender === mainWindow?.webContents;
}

async function openViaDialog(req: OpenRequest): Promise<IpcResult<unknown>> {
  // The renderer never chooses a path on disk: it sends bytes, a recent id, or nothing (show the dialog).
  const clean: OpenRequest = { recentId: req.recentId, fileName: req.fileName, data: req.data };
  if (clean.recentId === undefined && clean.data === undefined) {
    const r = await dialog.showOpenDialog(mainWindow!, {
      title: 'Open',
      properties: ['openFile'],
      filters: [
        { name: 'PT2 archives and models', extensions: ['pt2', 'py'] },
        { name: 'All files', extensions: ['*'] },
      ],
    });
    if (r.canceled || !r.filePaths[0]) return { ok: false, error: { name: 'CancelledError', message: 'Open cancelled' } };
    // The host reads the file itself: the signature and graph first, weights when first used.
    const path = r.filePaths[0];
    Object.assign(clean, { fileName: basename(path), path });
  }
  const result = await host.invoke('app:open', clean);
  void refreshMenu();
  return result;
}

async function saveViaDialog(req: SaveRequest): Promise<IpcResult<unknown>> {
  const saved = await host.invoke('app:save', { sessionId: req.sessionId, fileName: req.fileName });
  if (!saved.ok) return saved;
  const r = await dialog.showSaveDialog(mainWindow!, {
    title: 'Save exported program',
    defaultPath: saved.value.fileName,
    filters: [{ name: 'PT2 archive', extensions: ['pt2'] }],
  });
  if (r.canceled || !r.filePath) return { ok: false, error: { name: 'CancelledError', message: 'Save cancelled' } };
  await writeFile(r.filePath, Buffer.from(saved.value.data ?? '', 'base64'));
  return { ok: true, value: { fileName: basename(r.filePath), bytes: saved.value.bytes, path: r.filePath } };
}

function registerIpc(): void {
  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(channel, async (event, request: unknown) => {
      if (!senderTrusted(event)) return refuse(`${channel}: untrusted sender`);
      if (typeof request !== 'object' || request === null || Array.isArray(request)) return refuse(`${channel}: the request must be an object`);
      if (channel === 'app:open') return openViaDialog(request as OpenRequest);
      if (channel === 'app:save') return saveViaDialog(request as SaveRequest);
      return host.invoke(channel as InvokeChannel, request as never);
    });
  }
  host.onEvent((channel, payload) => {
    if (channel === APP_PROGRESS) mainWindow?.webContents.send(APP_PROGRESS, payload);
  });
}

function sendMenu(command: MenuCommand, arg?: string): void {
  mainWindow?.webContents.send(APP_MENU, { command, arg });
}
//#endregion

//#region menu
async function refreshMenu(): Promise<void> {
  const r = await host.invoke('app:recent', {});
  const recent: RecentFile[] = r.ok ? r.value : [];
  const isMac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'New from Example…', accelerator: 'CmdOrCtrl+N', click: () => sendMenu('new-document') },
        { label: 'Open…', accelerator: 'CmdOrCtrl+O', click: () => sendMenu('open-file') },
        {
          label: 'Open Recent',
          submenu: recent.length
            ? recent.map((f) => ({ label: f.path ?? f.fileName, click: () => sendMenu('open-file', f.id) }))
            : [{ label: 'No recent files', enabled: false }],
        },
        { type: 'separator' },
        { label: 'Save Program as .pt2…', accelerator: 'CmdOrCtrl+S', click: () => sendMenu('save-pt2') },
        { label: 'Close Program View', click: () => sendMenu('close-program') },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'Run',
      submenu: [
        { label: 'Export', accelerator: 'CmdOrCtrl+Enter', click: () => sendMenu('export') },
        { label: 'Compare Eager vs Exported', accelerator: 'CmdOrCtrl+Shift+Enter', click: () => sendMenu('compare') },
      ],
    },
    {
      label: 'View',
      submenu: [{ label: 'Toggle Light/Dark Theme', click: () => sendMenu('toggle-theme') }, { type: 'separator' }, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { role: 'togglefullscreen' }],
    },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
//#endregion

app.whenReady().then(async () => {
  serveAppProtocol();
  lockDownContents();
  registerIpc();
  await refreshMenu();
  mainWindow = createWindow();
  void host.start();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app.on('will-quit', () => {
  void host.close();
});
