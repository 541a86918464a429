// Playwright e2e config: drives Debian's Chromium (/usr/bin/chromium; Playwright's own
// browser download is unreachable here) against the web host on a fixed port.
// Run through `npm run test:e2e`, which skips cleanly when Chromium is absent.
import { defineConfig } from '@playwright/test';

const PORT = 5179;
export const CHROMIUM_PATH = process.env.PT2_CHROMIUM ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results',
  timeout: 60_000,
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    headless: true,
    launchOptions: {
      executablePath: CHROMIUM_PATH,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
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
  },
});
