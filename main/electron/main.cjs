// Electron entry (package.json "main"). Sets Chromium switches (switches.cjs) and registers
// the app:// scheme as a standard, secure origin (both must happen before the app is ready,
// hence here and synchronously),
// then loads the TypeScript main process (electron-main.ts) through tsx, as the pt2 CLI
// runs its TypeScript.
'use strict';

const { app, protocol } = require('electron');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { chromiumSwitches } = require('./switches.cjs');

for (const sw of chromiumSwitches(process.platform, process.env)) app.commandLine.appendSwitch(sw);

protocol.registerSchemesAsPrivileged([
  { scheme: 'pt2', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
]);

(async () => {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(path.join(__dirname, 'electron-main.ts')).href);
})().catch((err) => {
  console.error('PT2 Studio failed to start:', err);
  process.exit(2);
});
