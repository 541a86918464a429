// Electron entry (package.json "main"). Registers the app:// scheme as a standard,
// secure origin (this must happen before the app is ready, hence here and synchronously),
// then loads the TypeScript main process (electron-main.ts) through tsx, as the pt2 CLI
// runs its TypeScript.
'use strict';

const { protocol } = require('electron');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

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
