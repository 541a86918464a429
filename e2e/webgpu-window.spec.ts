// Compare with the exported side on this window's own WebGPU (Chromium's navigator.gpu
// in a renderer worker, as Electron's renderer runs it), not the host's Dawn child
// process: PASS within tolerance, the adapter named (a software adapter such as
// SwiftShader says so), the program kept in the worker across runs, and buffer
// mutations starting from the host's state each time. Headless Chromium on Linux
// exposes WebGPU only with --enable-unsafe-webgpu (playwright.config.ts); without an
// adapter the test skips and says why.
import { expect, test, type Page } from '@playwright/test';
import { collectErrors, exportAndWait, newFromExample, openStudio, shot } from './helpers';

/** Select the window's WebGPU, or skip the test with the window's reason when it has none. */
async function useWindowWebGpu(page: Page): Promise<void> {
  await page.getByTestId('dock-tab-compare').click();
  const note = page.getByTestId('compare-window-webgpu-note');
  await expect(note).toBeVisible();
  const option = page.getByTestId('compare-backend').locator('option[value="webgpu-window"]');
  if ((await note.getAttribute('data-available')) !== 'true') {
    await expect(option).toBeDisabled();
    test.skip(true, `Chromium gives this window no WebGPU adapter: ${(await note.getAttribute('title')) ?? 'no reason given'}`);
  }
  await expect(option).toBeEnabled();
  if ((await note.getAttribute('data-software')) === 'true') {
    await expect(note).toContainText('software adapter, not a GPU');
    await expect(option).toContainText('software adapter');
  } else await expect(note).toContainText('(GPU)');
  await page.getByTestId('compare-backend').selectOption('webgpu-window');
  await page.getByTestId('compare-atol').fill('0.0001');
  await page.getByTestId('compare-rtol').fill('0.0001');
}

async function compareAndPass(page: Page): Promise<void> {
  await page.getByTestId('compare-button').click();
  const result = page.getByTestId('compare-result');
  await expect(result).toHaveAttribute('data-state', 'done', { timeout: 150_000 });
  await expect(page.getByTestId('compare-result')).toHaveAttribute('data-pass', 'true');
  expect(Number(await result.getAttribute('data-max-abs-diff'))).toBeLessThanOrEqual(1e-4);
  const runtime = result.getByTestId('compare-runtime');
  await expect(runtime).toHaveAttribute('data-runtime', 'WebGPU runtime');
  await expect(runtime).toHaveAttribute('data-backend', 'webgpu');
  await expect(runtime).toHaveAttribute('data-webgpu-in', 'window');
  await expect(runtime).toContainText("in this window (Chromium's WebGPU)");
  if ((await runtime.getAttribute('data-software')) === 'true') await expect(runtime).toContainText('software adapter, not a GPU');
  else await expect(runtime).toContainText('(GPU)');
}

test("WebGPU in this window: compare on Chromium's adapter, PASS at 1e-4, labelled", async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  const errors = collectErrors(page);
  await openStudio(page);
  await newFromExample(page, 'dynamic_batch');
  await exportAndWait(page);
  await useWindowWebGpu(page);
  await compareAndPass(page);
  await expect(page.getByTestId('compare-result').getByTestId('compare-row')).toHaveCount(2);
  const timings = page.getByTestId('compare-result').getByTestId('compare-timings');
  expect(Number(await timings.getAttribute('data-load-ms'))).toBeGreaterThan(0);
  await expect(timings).toContainText('loading it in this window');
  await shot(page, testInfo, 'compare-webgpu-window');
  // Again on random inputs of another batch size: the worker keeps the program (no archive, no load).
  await page.getByTestId('compare-inputs').selectOption('random');
  await page.getByTestId('compare-seed').fill('7');
  await compareAndPass(page);
  await expect(timings).toHaveAttribute('data-load-ms', '0');
  await expect(timings).not.toContainText('loading');
  expect(errors).toEqual([]);
});

test('WebGPU in this window: nested inputs and outputs, and a conv with keyword arguments', async ({ page }) => {
  test.setTimeout(240_000);
  await openStudio(page);
  for (const id of ['nested_io', 'conv_kwargs']) {
    await newFromExample(page, id);
    await exportAndWait(page);
    await useWindowWebGpu(page);
    await compareAndPass(page);
  }
});

test('WebGPU in this window: MobileNetV3-small (a real model file, through the Python front end)', async ({ page }) => {
  test.setTimeout(300_000);
  await openStudio(page);
  test.skip((await page.getByTestId('cap-python').getAttribute('data-available')) !== 'true', 'needs the Python front end (engine/python) to export a model file');
  await page.getByTestId('open-file').setInputFiles('assets/examples/mobilenet_v3_small.py');
  await page.getByTestId('export-button').click();
  await expect(page.getByTestId('export-status')).toHaveAttribute('data-state', 'done', { timeout: 200_000 });
  await useWindowWebGpu(page);
  await page.getByTestId('compare-atol').fill('0.001');
  await page.getByTestId('compare-rtol').fill('0.001');
  await page.getByTestId('compare-button').click();
  const result = page.getByTestId('compare-result');
  await expect(result).toHaveAttribute('data-state', 'done', { timeout: 200_000 });
  await expect(result).toHaveAttribute('data-pass', 'true');
  await expect(result.getByTestId('compare-runtime')).toHaveAttribute('data-webgpu-in', 'window');
});

// The host sends the buffers a program writes (here `count.add_(1)`) before every run,
// and the worker never keeps them as frozen uploads; main/host/window-compare.test.ts
// checks that on the CPU runtime, and engine/runtime/webgpu's buffer_mutation test
// checks the WebGPU runtime reads the count after add_.
test('WebGPU in this window: a program that mutates a buffer starts from the host state every run', async ({ page }) => {
  test.setTimeout(240_000);
  await openStudio(page);
  await newFromExample(page, 'buffer_mutation');
  await exportAndWait(page);
  await useWindowWebGpu(page);
  await compareAndPass(page);
  await compareAndPass(page);
});
