// User story 1: Monaco editor for Python; new documents from examples (one click);
// autosave/restore; unsaved changes never lost silently.
import { expect, test } from '@playwright/test';
import { activeText, collectErrors, expectActiveText, newFromExample, openStudio, shot, typeAtLineEnd } from './helpers';

test('examples open in new tabs, edits autosave and survive a reload', async ({ page }, testInfo) => {
  const errors = collectErrors(page);
  await openStudio(page);
  await expect(page.getByTestId('doc-tab')).toHaveCount(1);
  await expect(page.getByTestId('doc-tab').first()).toContainText('sin_cos.py');
  // Python highlighting: Monaco tokenized the keywords.
  await expect(page.getByTestId('editor').locator('.view-lines')).toContainText('class SinCos(torch.nn.Module):');

  await newFromExample(page, 'dynamic_batch');
  await expect(page.getByTestId('doc-tab')).toHaveCount(2);
  await typeAtLineEnd(page, 1, '  # my edit');
  await expectActiveText(page, (t) => t.startsWith('import torch  # my edit\n'), 'the edit is autosaved');
  await expect(page.getByTestId('doc-tab').last()).toHaveAttribute('data-modified', 'true');
  await expect(page.getByTestId('doc-tab').first()).toHaveAttribute('data-modified', 'false');

  await page.reload();
  await expect(page.getByTestId('app-root')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('doc-tab')).toHaveCount(2);
  await expect(page.getByTestId('doc-tab').last()).toHaveAttribute('aria-selected', 'true');
  expect(await activeText(page)).toContain('import torch  # my edit');
  await expect(page.getByTestId('editor').locator('.view-lines')).toContainText('# my edit');
  await shot(page, testInfo, 'editor-restored');
  expect(errors).toEqual([]);
});

test('closing a modified document asks first; keeping it loses nothing', async ({ page }, testInfo) => {
  await openStudio(page);
  await newFromExample(page, 'views');
  await typeAtLineEnd(page, 1, '  # keep me');
  await expectActiveText(page, (t) => t.includes('# keep me'), 'edited');
  await page.getByTestId('doc-tab').last().getByTestId('doc-close').click();
  await expect(page.getByTestId('confirm-dialog')).toBeVisible();
  await shot(page, testInfo, 'confirm-close');
  await page.getByTestId('confirm-keep').click();
  await expect(page.getByTestId('confirm-dialog')).toBeHidden();
  await expect(page.getByTestId('doc-tab')).toHaveCount(2);
  expect(await activeText(page)).toContain('# keep me');

  await page.getByTestId('doc-tab').last().getByTestId('doc-close').click();
  await page.getByTestId('confirm-discard').click();
  await expect(page.getByTestId('doc-tab')).toHaveCount(1);
  // An unmodified document closes without asking.
  await page.getByTestId('doc-tab').first().getByTestId('doc-close').click();
  await expect(page.getByTestId('confirm-dialog')).toBeHidden();
  await expect(page.getByTestId('doc-tab')).toHaveCount(0);
  await expect(page.getByTestId('example-list')).toBeVisible();
  await page.getByTestId('example-cond').click();
  await expect(page.getByTestId('doc-tab')).toHaveCount(1);
  await expect(page.getByTestId('doc-tab')).toContainText('cond.py');
});
