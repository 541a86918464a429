// Preload (placeholder): exposes `window.api` with named methods only, never raw ipcRenderer.
// Methods are added per channel of main/common/ipc-contract.ts as the studio lands.
'use strict';

const { contextBridge } = require('electron');

//#region api
contextBridge.exposeInMainWorld('api', Object.freeze({ host: 'electron' }));
//#endregion
