// Without WebGPU in the window (Chromium started without --enable-unsafe-webgpu, so
// navigator.gpu finds no adapter): the window's WebGPU choice is disabled and says why;
// the host's WebGPU and the CPU stay as they were. launchOptions is per worker, hence
// its own file.
import { expect, test } from '@playwright/test';
import { exportAndWait, newFromExample, openStudio } from './helpers';

test.use({ launchOptions: { executablePath: process.env.PT2_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] } });

test("the window's WebGPU is offered as unavailable, with the reason", async ({ page }) => {
  await openStudio(page);
  await newFromExample(page, 'dynamic_batch');
  await exportAndWait(page);
  await page.getByTestId('dock-tab-compare').click();
  const note = page.getByTestId('compare-window-webgpu-note');
  await expect(note).toHaveAttribute('data-available', 'false');
  await expect(note).toHaveText("this window's WebGPU: none (hover for why)");
  await expect(note).toHaveAttribute('title', /^WebGPU is not available in this window: /);
  const option = page.getByTestId('compare-backend').locator('option[value="webgpu-window"]');
  await expect(option).toBeDisabled();
  await expect(option).toContainText('unavailable');
  await expect(page.getByTestId('cap-window-webgpu')).toHaveAttribute('data-available', 'false');
});
