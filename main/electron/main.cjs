// Electron main process (placeholder): one locked-down window showing renderer/index.html.
// The full main process (menus, dialogs, engine host, WebGPU window) lands with the studio issue.
'use strict';

const { app, BrowserWindow, shell } = require('electron');
const path = require('node:path');

const RENDERER_INDEX = path.join(__dirname, '..', '..', 'renderer', 'index.html');

function createWindow() {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    title: 'PT2 Studio',
    webPreferences: {
      preload: path.join(__dirname, 'preload.cjs'),
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  // Deny navigation away from the app and new windows; external links go to the OS browser.
  win.webContents.on('will-navigate', (event) => event.preventDefault());
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  void win.loadFile(RENDERER_INDEX);
}

app.whenReady().then(() => {
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
