// The renderer's one handle on the host: Electron's preload (`window.api`) when
// present, else the web host's HTTP/WebSocket bridge. Everything else in the renderer
// talks to `api` and never knows which it got.

import type { StudioApi } from '../../main/common/ipc-contract';
import { createWebApi } from './web-api';

declare global {
  interface Window {
    api?: StudioApi;
  }
}

export const api: StudioApi = window.api ?? createWebApi();

/** Base64 of bytes (files travel base64 across every transport). */
export function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) s += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(s);
}

export function base64ToBytes(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
