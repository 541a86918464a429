// Smoke test: the web host serves the renderer, its script runs under the CSP, and the
// root reaches data-state="ready" (an explicit marker, no sleeps).
import { expect, test } from '@playwright/test';

test('studio page loads and becomes ready', async ({ page }, testInfo) => {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });

  await page.goto('/');
  const root = page.locator('[data-testid="app-root"]');
  await expect(root).toBeVisible();
  await expect(root).toContainText('PT2 Studio');
  await expect(root).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('host-kind')).toHaveText('web');
  await page.screenshot({ path: testInfo.outputPath('studio.png'), fullPage: true });
  expect(errors).toEqual([]);
});
