// Placeholder renderer entry: reports which host serves the page (Electron preload's
// window.api, or the web host's /api/health) and marks the root ready for e2e tests.
const root = document.querySelector('[data-testid="app-root"]');
const hostKind = document.querySelector('[data-testid="host-kind"]');

async function detectHost() {
  if (window.api && window.api.host === 'electron') return 'electron';
  try {
    const res = await fetch('/api/health');
    if (res.ok && (await res.json()).ok === true) return 'web';
  } catch {
    // file:// or no server
  }
  return 'unknown';
}

detectHost().then((kind) => {
  if (hostKind) hostKind.textContent = kind;
  if (root) root.dataset.state = 'ready';
});
