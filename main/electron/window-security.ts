// The Electron security decisions, as plain data and pure functions so they are unit
// tested without Electron: the window's webPreferences (sandbox, context isolation, no
// Node), the app:// origin the renderer is served from, which navigations and IPC
// senders are trusted, and how app-protocol URLs map to files in renderer/dist.
// Electron checklist items: #3 context isolation, #4 sandbox, #7 CSP, #13 navigation,
// #14 new windows, #17 sender validation.

import { resolve, sep } from 'node:path';

/** Scheme and host the renderer is served from (a standard, secure custom protocol). */
export const APP_SCHEME = 'pt2';
export const APP_ORIGIN = `${APP_SCHEME}://app`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

export const WEB_PREFERENCES = {
  sandbox: true,
  contextIsolation: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  spellcheck: false,
} as const;

/** Only the app's own pages may be loaded in its windows. */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === 'app';
  } catch {
    return false;
  }
}

/** Links the app may hand to the OS browser (documentation links); everything else is dropped. */
export function isExternalLinkAllowed(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

/** An IPC sender is trusted when its frame shows an app page (not an injected or navigated-away frame). */
export function isTrustedSenderUrl(frameUrl: string | undefined | null): boolean {
  return typeof frameUrl === 'string' && isAppUrl(frameUrl);
}

/** Map a pt2://app/… URL to a file under root, or null when it would escape it. */
export function appUrlToFile(root: string, url: string): string | null {
  if (!isAppUrl(url)) return null;
  let path: string;
  try {
    path = decodeURIComponent(new URL(url).pathname);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  const segments = path.split(/[\\/]+/).filter((s) => s.length > 0);
  if (segments.some((s) => s === '..')) return null;
  const absRoot = resolve(root);
  const file = resolve(absRoot, segments.length ? segments.join(sep) : 'index.html');
  return file.startsWith(absRoot + sep) ? file : null;
}
