import { describe, expect, it } from 'vitest';
import { APP_INDEX_URL, WEB_PREFERENCES, appUrlToFile, isAppUrl, isExternalLinkAllowed, isTrustedSenderUrl } from './window-security';

describe('Electron window security', () => {
  it('windows are sandboxed and isolated with no Node', () => {
    expect(WEB_PREFERENCES).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
  });

  it('only app pages may load or send IPC', () => {
    expect(isAppUrl(APP_INDEX_URL)).toBe(true);
    expect(isAppUrl('pt2://evil/index.html')).toBe(false);
    expect(isAppUrl('https://example.com/')).toBe(false);
    expect(isAppUrl('file:///etc/passwd')).toBe(false);
    expect(isTrustedSenderUrl('pt2://app/index.html')).toBe(true);
    expect(isTrustedSenderUrl('about:blank')).toBe(false);
    expect(isTrustedSenderUrl(null)).toBe(false);
  });

  it('only https links leave the app, and only to the OS browser', () => {
    expect(isExternalLinkAllowed('https://pytorch.org/docs')).toBe(true);
    expect(isExternalLinkAllowed('http://pytorch.org')).toBe(false);
    expect(isExternalLinkAllowed('file:///etc/passwd')).toBe(false);
    expect(isExternalLinkAllowed('javascript:alert(1)')).toBe(false);
  });

  it('maps app URLs into the renderer root and nowhere else', () => {
    expect(appUrlToFile('/r/dist', 'pt2://app/index.html')).toBe('/r/dist/index.html');
    expect(appUrlToFile('/r/dist', 'pt2://app/')).toBe('/r/dist/index.html');
    expect(appUrlToFile('/r/dist', 'pt2://app/assets/a.js')).toBe('/r/dist/assets/a.js');
    // Dot segments are resolved by the URL parser against the root: they cannot climb out.
    expect(appUrlToFile('/r/dist', 'pt2://app/%2e%2e/%2e%2e/etc/passwd')).toBe('/r/dist/etc/passwd');
    expect(appUrlToFile('/r/dist', 'pt2://app/a%2f..%2f..%2fx')).toBeNull();
    expect(appUrlToFile('/r/dist', 'pt2://app/a%00b')).toBeNull();
    expect(appUrlToFile('/r/dist', 'pt2://other/index.html')).toBeNull();
  });
});
