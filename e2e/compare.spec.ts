// User story 5: eager vs exported on the same inputs (example inputs, or random ones
// drawn inside the range constraints), side by side, with max abs/rel diff, a pass/fail
// verdict at a tolerance, timings and the runtime used (the exported side runs on the
// engine's CPU runtime, or on WebGPU when the host found an adapter; otherwise WebGPU
// stays disabled with the reason shown).
import { expect, test } from '@playwright/test';
import { exportAndWait, newFromExample, openStudio, shot } from './helpers';

test('example inputs: outputs side by side, pass at 1e-5', async ({ page }, testInfo) => {
  await openStudio(page);
  await newFromExample(page, 'dynamic_batch');
  await exportAndWait(page);
  await page.getByTestId('dock-tab-compare').click();
  await page.getByTestId('compare-button').click();
  const result = page.getByTestId('compare-result');
  await expect(result).toHaveAttribute('data-pass', 'true');
  expect(Number(await result.getAttribute('data-max-abs-diff'))).toBeLessThanOrEqual(1e-5);
  await expect(result.getByTestId('compare-row')).toHaveCount(2);
  await expect(result.getByTestId('compare-row').first()).toContainText('float32[32, 32]');
  await expect(result.getByTestId('compare-timings')).toContainText('eager');
  await expect(result.getByTestId('compare-timings')).toContainText('exported');
  await expect(result.getByTestId('compare-runtime')).toHaveAttribute('data-runtime', 'CPU runtime');
  await expect(result.getByTestId('compare-runtime')).toContainText('exported: CPU runtime');
  // The host's CPU runtime runs on the machine's cores (PT2_CPU_THREADS), and says so when it is more than one.
  const threads = Number(await result.getByTestId('compare-runtime').getAttribute('data-threads'));
  expect(threads).toBeGreaterThanOrEqual(1);
  if (threads > 1) await expect(result.getByTestId('compare-runtime')).toContainText(`exported: CPU runtime on ${threads} threads`);
  await shot(page, testInfo, 'compare');
});

test('random inputs stay inside the range constraints', async ({ page }) => {
  await openStudio(page);
  await newFromExample(page, 'derived_dim');
  await exportAndWait(page);
  await page.getByTestId('dock-tab-compare').click();
  await page.getByTestId('compare-inputs').selectOption('random');
  for (const seed of ['3', '11']) {
    await page.getByTestId('compare-seed').fill(seed);
    await page.getByTestId('compare-button').click();
    const result = page.getByTestId('compare-result');
    await expect(result).toHaveAttribute('data-state', 'done');
    await expect(result).toHaveAttribute('data-pass', 'true');
    const inputs = (await result.textContent()) ?? '';
    const x = Number(/args\[0\] float32\[(\d+)\]/.exec(inputs)?.[1]);
    const y = Number(/args\[1\] float32\[(\d+)\]/.exec(inputs)?.[1]);
    expect(x).toBeGreaterThanOrEqual(3);
    expect(x).toBeLessThanOrEqual(6);
    expect(y).toBe(x + 1);
  }
});

test('WebGPU: compare on the adapter the host found, or disabled with the reason', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  await openStudio(page);
  await newFromExample(page, 'dynamic_batch');
  await exportAndWait(page);
  await page.getByTestId('dock-tab-compare').click();
  const note = page.getByTestId('compare-webgpu-note');
  await expect(note).toBeVisible();
  const option = page.getByTestId('compare-backend').locator('option[value="webgpu"]');
  if ((await note.getAttribute('data-available')) !== 'true') {
    await expect(option).toBeDisabled();
    await expect(option).toContainText('unavailable');
    await expect(note).toContainText(/WebGPU unavailable: \S+/);
    return;
  }
  await expect(option).toBeEnabled();
  await expect(note).toContainText('WebGPU adapter:');
  if ((await note.getAttribute('data-software')) === 'true') await expect(note).toContainText('software adapter, not a GPU');
  else await expect(note).toContainText('(GPU)');
  await page.getByTestId('compare-backend').selectOption('webgpu');
  await page.getByTestId('compare-atol').fill('0.0001');
  await page.getByTestId('compare-rtol').fill('0.0001');
  await page.getByTestId('compare-button').click();
  const result = page.getByTestId('compare-result');
  await expect(result).toHaveAttribute('data-state', 'done', { timeout: 150_000 });
  await expect(result).toHaveAttribute('data-pass', 'true');
  expect(Number(await result.getAttribute('data-max-abs-diff'))).toBeLessThanOrEqual(1e-4);
  const runtime = result.getByTestId('compare-runtime');
  await expect(runtime).toHaveAttribute('data-runtime', 'WebGPU runtime');
  await expect(runtime).toHaveAttribute('data-backend', 'webgpu');
  if ((await note.getAttribute('data-software')) === 'true') await expect(runtime).toContainText('software adapter, not a GPU');
  await shot(page, testInfo, 'compare-webgpu');
});
