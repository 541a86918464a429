// User story 5: eager vs exported on the same inputs (example inputs, or random ones
// drawn inside the range constraints), side by side, with max abs/rel diff, a pass/fail
// verdict at a tolerance, and timings. WebGPU is offered only when it exists.
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

test('WebGPU is offered only when available', async ({ page }) => {
  await openStudio(page);
  await exportAndWait(page);
  await page.getByTestId('dock-tab-compare').click();
  const option = page.getByTestId('compare-backend').locator('option[value="webgpu"]');
  await expect(option).toBeDisabled();
  await expect(option).toContainText('not available yet');
});
