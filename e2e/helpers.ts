// Shared steps for the studio's e2e tests: open the app and wait for its explicit
// ready marker, start documents from examples, export and wait on data-state, read
// the document text (from the autosaved workspace), and save screenshots.

import { expect, type Page, type TestInfo } from '@playwright/test';

export const STORAGE_KEY = 'pt2studio.workspace.v1';

/** Console errors and page errors collected during a test (assert they stay empty). */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  return errors;
}

export async function openStudio(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page.getByTestId('app-root')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('editor').locator('.monaco-editor')).toBeVisible();
}

export async function newFromExample(page: Page, id: string): Promise<void> {
  const before = await page.getByTestId('doc-tab').count();
  await page.getByTestId('examples-button').click();
  await expect(page.getByTestId('examples-dialog')).toBeVisible();
  await page.getByTestId(`example-${id}`).click();
  await expect(page.getByTestId('examples-dialog')).toBeHidden();
  await expect(page.getByTestId('doc-tab')).toHaveCount(before + 1);
  await expect(page.getByTestId('doc-tab').last()).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('dim-editor')).toHaveAttribute('data-state', 'ok');
}

export async function exportAndWait(page: Page, expected: 'done' | 'error' = 'done'): Promise<void> {
  await page.getByTestId('export-button').click();
  await expect(page.getByTestId('export-status')).toHaveAttribute('data-state', expected, { timeout: 45_000 });
  if (expected === 'done') await expect(page.getByTestId('graph-view')).toHaveAttribute('data-state', 'ready', { timeout: 45_000 });
}

/** The active document's text, as the autosave wrote it. */
export async function activeText(page: Page): Promise<string> {
  return page.evaluate((key) => {
    const w = JSON.parse(localStorage.getItem(key) ?? '{}') as { documents?: Array<{ id: string; text: string }>; activeDocId?: string };
    return w.documents?.find((d) => d.id === w.activeDocId)?.text ?? '';
  }, STORAGE_KEY);
}

/** Poll the autosaved text until it matches. */
export async function expectActiveText(page: Page, test: (text: string) => boolean, message: string): Promise<void> {
  await expect.poll(async () => test(await activeText(page)), { message, timeout: 10_000 }).toBe(true);
}

/**
 * Focus Monaco by clicking near the top left of its text area (clicking the centre of
 * .view-lines, which is as wide as the longest line, would scroll it behind Monaco's back).
 */
export async function focusEditor(page: Page): Promise<void> {
  await page.getByTestId('editor').locator('.monaco-editor .lines-content').click({ position: { x: 20, y: 8 } });
}

/** Put the cursor in the editor at the end of a line (1-based) and insert text there. */
export async function typeAtLineEnd(page: Page, line: number, text: string): Promise<void> {
  await focusEditor(page);
  await page.keyboard.press('Control+Home');
  for (let i = 1; i < line; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('End');
  await page.keyboard.insertText(text);
}

/** Replace the whole document through the editor (select all + insert). */
export async function replaceText(page: Page, text: string): Promise<void> {
  await focusEditor(page);
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(text);
}

export async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await page.screenshot({ path: testInfo.outputPath(`${name}.png`) });
}

/** 1-based line of the first line of the active document starting with `prefix` (after trimming). */
export async function lineOf(page: Page, prefix: string): Promise<number> {
  let i = -1;
  // The autosave lags the editor by a moment: poll for the line.
  await expect
    .poll(async () => (i = (await activeText(page)).split('\n').findIndex((l) => l.trim().startsWith(prefix))), { message: `a line starting with ${prefix}`, timeout: 5000 })
    .toBeGreaterThanOrEqual(0);
  return i + 1;
}

/** Replace `old` at the end of the line starting with `prefix` by `replacement`, by typing. */
export async function editLineEnd(page: Page, prefix: string, old: string, replacement: string): Promise<void> {
  const line = await lineOf(page, prefix);
  const text = (await activeText(page)).split('\n')[line - 1]!;
  if (!text.trimEnd().endsWith(old)) throw new Error(`line ${line} does not end with ${old}: ${text}`);
  await typeAtLineEnd(page, line, '');
  for (let i = 0; i < old.length + (text.length - text.trimEnd().length); i++) await page.keyboard.press('Backspace');
  await page.keyboard.insertText(replacement);
  await expectActiveText(page, (t) => t.split('\n')[line - 1]!.endsWith(replacement), `line ${line} ends with ${replacement}`);
}
