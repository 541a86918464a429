// Preload: exposes `window.api` through contextBridge with one named method per
// channel of main/common/ipc-contract.ts (the StudioApi interface), never raw
// ipcRenderer. The sandboxed preload cannot import the contract, so the channel
// table is restated here; preload.test.ts checks it against the contract.
'use strict';

const { contextBridge, ipcRenderer } = require('electron');

//#region channels
const PREFIX = 'app:';
const METHODS = {
  hello: 'app:hello',
  seeds: 'app:seeds',
  analyze: 'app:analyze',
  exportProgram: 'app:export',
  compare: 'app:compare',
  comparePrepare: 'app:compare-prepare',
  compareFinish: 'app:compare-finish',
  run: 'app:run',
  cancel: 'app:cancel',
  save: 'app:save',
  open: 'app:open',
  recent: 'app:recent',
  closeSession: 'app:close-session',
};
const EVENTS = { onProgress: 'app:progress', onMenu: 'app:menu' };
//#endregion

//#region validation
function validChannel(channel) {
  return typeof channel === 'string' && channel.startsWith(PREFIX);
}

function invoke(channel, request) {
  if (!validChannel(channel)) return Promise.resolve({ ok: false, error: { name: 'IpcError', message: `refused channel ${String(channel)}` } });
  if (typeof request !== 'object' || request === null || Array.isArray(request))
    return Promise.resolve({ ok: false, error: { name: 'IpcError', message: `${channel}: the request must be an object` } });
  return ipcRenderer.invoke(channel, request);
}

function subscribe(channel, listener) {
  if (!validChannel(channel)) throw new Error(`refused channel ${String(channel)}`);
  if (typeof listener !== 'function') throw new TypeError(`${channel}: the listener must be a function`);
  const handler = (_event, payload) => listener(payload);
  ipcRenderer.on(channel, handler);
  return () => ipcRenderer.removeListener(channel, handler);
}
//#endregion

//#region api
const api = { host: 'electron' };
for (const [method, channel] of Object.entries(METHODS)) api[method] = (request) => invoke(channel, request);
for (const [method, channel] of Object.entries(EVENTS)) api[method] = (listener) => subscribe(channel, listener);
contextBridge.exposeInMainWorld('api', Object.freeze(api));
//#endregion
