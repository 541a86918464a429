#!/usr/bin/env node
// Runs the Playwright e2e suite against Debian's Chromium, or skips with a message (exit 0)
// when that browser is not installed. Extra arguments pass through to `playwright test`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const chromium = process.env.PT2_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  console.log(`test:e2e: skipped: ${chromium} not found (install it with: apt-get install -y chromium)`);
  process.exit(0);
}
const result = spawnSync('npx', ['playwright', 'test', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
});
process.exit(result.status ?? 1);
