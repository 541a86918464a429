// Playwright e2e config: drives Debian's Chromium (/usr/bin/chromium; Playwright's own
// browser download is unreachable here) against the web host (`pt2 studio --web`) on a
// fixed port, at 1280×800. The host keeps its recent-files list in a fresh temporary
// folder per run. Run through `npm run test:e2e`, which builds the renderer first and
// skips cleanly when Chromium is absent. Screenshots land in test-results/.
// --enable-unsafe-webgpu: Chromium on Linux exposes navigator.gpu only behind it;
// headless (and with --disable-gpu) it then gives SwiftShader's software adapter,
// which the window's WebGPU compare runs on (e2e/webgpu-window.spec.ts).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';

const PORT = 5179;
export const CHROMIUM_PATH = process.env.PT2_CHROMIUM ?? '/usr/bin/chromium';
const DATA_DIR = process.env.PT2_E2E_DATA_DIR ?? (process.env.PT2_E2E_DATA_DIR = mkdtempSync(join(tmpdir(), 'pt2-e2e-')));

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    headless: true,
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
    launchOptions: {
      executablePath: CHROMIUM_PATH,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--enable-unsafe-webgpu'],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: {
    command: `node main/cli/pt2.mjs studio --web --port ${PORT} --no-open`,
    url: `http://127.0.0.1:${PORT}/api/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: { PT2_STUDIO_DATA_DIR: DATA_DIR },
  },
});
