// User story 6: Save/Open .pt2 (download/upload in web mode), recent files,
// drag-and-drop of a .pt2 anywhere → a read-only program view (graph, signature,
// range constraints, weights) that runs; a bad file gives a clear message. Archives
// written by real PyTorch 2.11 (the shared corpus) open too.
import { existsSync, readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { exportAndWait, newFromExample, openStudio, shot } from './helpers';

const CORPUS_MODEL = '../shared/corpus/torch-2.11/models/mobilenet_v3_small.pt2';
const CORPUS_GPT2 = '../shared/corpus/torch-2.11/models/gpt2_tiny.pt2';

async function dropFile(page: Page, name: string, bytes: Buffer): Promise<void> {
  const dt = await page.evaluateHandle(
    ({ b64, fileName }) => {
      const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([data], fileName));
      return transfer;
    },
    { b64: bytes.toString('base64'), fileName: name },
  );
  await page.dispatchEvent('main', 'dragenter', { dataTransfer: dt });
  await expect(page.getByTestId('drop-overlay')).toBeVisible();
  await page.dispatchEvent('main', 'drop', { dataTransfer: dt });
  await expect(page.getByTestId('drop-overlay')).toBeHidden();
}

test('save an export as .pt2, open it read-only, run it, see it in recent files', async ({ page }, testInfo) => {
  await openStudio(page);
  await newFromExample(page, 'dynamic_batch');
  await exportAndWait(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('save-button').click()]);
  expect(download.suggestedFilename()).toBe('dynamic_batch.pt2');
  const saved = testInfo.outputPath('dynamic_batch.pt2');
  await download.saveAs(saved);
  const bytes = readFileSync(saved);
  expect(bytes.subarray(0, 2).toString()).toBe('PK');
  await expect(page.getByTestId('file-note')).toContainText('Saved dynamic_batch.pt2');

  await page.getByTestId('open-file').setInputFiles(saved);
  const view = page.getByTestId('program-view');
  await expect(view).toBeVisible();
  await expect(page.getByTestId('program-file')).toHaveText('dynamic_batch.pt2');
  await expect(page.getByTestId('graph-view')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('graph-view')).toHaveAttribute('data-node-count', '5');
  await expect(page.getByTestId('signature-panel')).toHaveAttribute('data-inputs', '7');
  await expect(page.getByTestId('range-constraints')).toContainText('VR[0, int_oo]');
  await page.getByTestId('tab-weights').click();
  await expect(page.getByTestId('weights-table')).toHaveAttribute('data-count', '5');
  await expect(page.getByTestId('weights-table')).toContainText('branch1.0.weight');
  await expect(page.getByTestId('export-button')).toBeDisabled(); // the program view is read-only

  await page.getByTestId('run-random').click();
  await expect(page.getByTestId('run-result')).toBeVisible();
  await expect(page.getByTestId('run-result')).toContainText('float32[');
  await shot(page, testInfo, 'program-view');

  await page.getByTestId('close-program').click();
  await expect(page.getByTestId('program-view')).toBeHidden();
  await expect(page.getByTestId('editor')).toBeVisible();

  await page.getByTestId('recent-button').click();
  await expect(page.getByTestId('recent-item').first()).toHaveText('dynamic_batch.pt2');
  await page.getByTestId('recent-item').first().click();
  await expect(page.getByTestId('program-view')).toBeVisible();
});

test('drag and drop a .pt2 anywhere; a bad file gets a clear message', async ({ page }, testInfo) => {
  await openStudio(page);
  await dropFile(page, 'notes.pt2', Buffer.from('these are not the weights you are looking for\n'));
  const panel = page.getByTestId('error-panel');
  await expect(panel).toHaveAttribute('data-state', 'error');
  await expect(panel).toContainText('notes.pt2 is not a .pt2 archive: a .pt2 file is a zip archive');
  await expect(panel).toContainText('looks like text');
  await shot(page, testInfo, 'bad-file');

  // A truncated archive: a zip signature, then nothing useful.
  await page.getByTestId('open-file').setInputFiles({ name: 'truncated.pt2', mimeType: 'application/octet-stream', buffer: Buffer.from('PK\x03\x04garbage') });
  await expect(panel).toContainText('truncated.pt2 could not be read');

  test.skip(!existsSync(CORPUS_MODEL), 'the shared PyTorch corpus is not available');
  await dropFile(page, 'mobilenet_v3_small.pt2', readFileSync(CORPUS_MODEL));
  await expect(page.getByTestId('program-view')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('program-view')).toContainText('torch 2.11');
  await expect(page.getByTestId('graph-view')).toHaveAttribute('data-total-count', '157');
  await expect(page.getByTestId('graph-view')).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
  await page.getByTestId('run-random').click();
  await expect(page.getByTestId('run-result')).toContainText('float32[1, 1000]', { timeout: 30_000 });
  await shot(page, testInfo, 'mobilenet');
});

test('a PyTorch archive runs on its embedded example inputs (dropped, then lazily from recent files)', async ({ page }, testInfo) => {
  test.skip(!existsSync(CORPUS_GPT2), 'the shared PyTorch corpus is not available');
  // What torch 2.11 computed for the same inputs (saved next to the archive).
  const torchOut = new Float32Array(new Uint8Array(readFileSync(CORPUS_GPT2.replace('.pt2', '.out.float32.bin'))).buffer);
  const expectTorchOutput = async (): Promise<void> => {
    const result = page.getByTestId('run-result');
    await expect(result).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
    await expect(result).toHaveAttribute('data-finite', 'true');
    await expect(result).toHaveAttribute('data-outputs', '1');
    const row = page.getByTestId('run-output');
    await expect(row).toContainText('float32[1, 16, 1000]');
    await expect(row).toHaveAttribute('data-non-finite', '0');
    const preview = (await row.getAttribute('data-preview'))!.split(',').map(Number);
    expect(preview.length).toBe(8);
    preview.forEach((v, i) => expect(Math.abs(v - torchOut[i]!)).toBeLessThan(1e-4));
    await expect(page.getByTestId('run-input')).toContainText('int64[1, 16]');
  };

  await openStudio(page);
  await dropFile(page, 'gpt2_tiny.pt2', readFileSync(CORPUS_GPT2));
  const view = page.getByTestId('program-view');
  await expect(view).toBeVisible({ timeout: 30_000 });
  await expect(view).toHaveAttribute('data-lazy', 'false'); // dropped bytes are read in memory
  await expect(page.getByTestId('example-input')).toHaveText(['args[0]: int64[1, 16]']);
  await expect(page.getByTestId('run-example')).toBeEnabled();
  await page.getByTestId('run-example').click();
  await expectTorchOutput();
  await expect(page.getByTestId('graph-view')).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
  await shot(page, testInfo, 'gpt2-run');

  // An archive has no eager model: Compare says why instead of showing a result.
  await page.getByTestId('dock-tab-compare').click();
  await expect(page.getByTestId('compare-unavailable')).toContainText('no eager model');
  await expect(page.getByTestId('compare-button')).toBeDisabled();
  await expect(page.getByTestId('compare-result')).toHaveCount(0);

  // Reopened from the recent list the host reads the cached file from disk lazily.
  await page.getByTestId('close-program').click();
  await page.getByTestId('recent-button').click();
  await page.getByTestId('recent-item').first().click();
  await expect(view).toHaveAttribute('data-lazy', 'true');
  await expect(page.getByTestId('program-weights')).toContainText('on disk');
  await page.getByTestId('tab-weights').click();
  await expect(page.getByTestId('weights-table')).toContainText('on disk');
  await page.getByTestId('run-example').click();
  await expectTorchOutput();
  await expect(page.getByTestId('graph-view')).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
  await shot(page, testInfo, 'gpt2-lazy');
});
