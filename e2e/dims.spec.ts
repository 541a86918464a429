// User story 2: the Dim panel lists every input tensor and dimension once the code is
// read, and keeps the code's dynamic_shapes in sync (panel → code and code → panel).
import { expect, test } from '@playwright/test';
import { activeText, editLineEnd, expectActiveText, exportAndWait, newFromExample, openStudio, shot } from './helpers';

const row = (input: string, dim: number) => `[data-testid="dim-row"][data-input="${input}"][data-dim="${dim}"]`;

test('named dims, "same as", ranges: panel → code → export', async ({ page }, testInfo) => {
  await openStudio(page);
  await expect(page.getByTestId('dim-row')).toHaveCount(4);
  await expect(page.getByTestId('dim-input').first()).toContainText('x');
  await expect(page.getByTestId('dim-input').first()).toContainText('[10, 10]');

  await page.locator(`${row('x', 0)} [data-testid="dim-kind"]`).selectOption('dim');
  await expectActiveText(page, (t) => t.includes('x_dim0 = Dim("x_dim0")') && t.includes('dynamic_shapes = {"x": {0: x_dim0}, "y": None}'), 'a named Dim for x[0]');
  // y[0] is the same size as x[0]: pick the same Dim.
  await page.locator(`${row('y', 0)} [data-testid="dim-kind"]`).selectOption('dim');
  await page.locator(`${row('y', 0)} [data-testid="dim-name"]`).selectOption('x_dim0');
  await expectActiveText(page, (t) => t.includes('dynamic_shapes = {"x": {0: x_dim0}, "y": {0: x_dim0}}'), 'y[0] shares the Dim');
  // A range for the Dim.
  const decl = page.locator('[data-testid="dim-decl"][data-dim-name="x_dim0"]');
  await decl.getByTestId('dim-min').fill('2');
  await decl.getByTestId('dim-min').press('Enter');
  await decl.getByTestId('dim-max').fill('64');
  await decl.getByTestId('dim-max').press('Enter');
  await expectActiveText(page, (t) => t.includes('x_dim0 = Dim("x_dim0", min=2, max=64)'), 'the range is in the code');
  // Dim.AUTO on x[1] and y[1] (a + b ties them: torch finds one symbol, unbounded above).
  await page.locator(`${row('x', 1)} [data-testid="dim-kind"]`).selectOption('auto');
  await expectActiveText(page, (t) => t.includes('"x": {0: x_dim0, 1: Dim.AUTO}'), 'a hint');
  await page.locator(`${row('y', 1)} [data-testid="dim-kind"]`).selectOption('auto');
  await expectActiveText(page, (t) => t.includes('dynamic_shapes = {"x": {0: x_dim0, 1: Dim.AUTO}, "y": {0: x_dim0, 1: Dim.AUTO}}'), 'hints on both');
  const text = await activeText(page);
  expect(text.match(/from torch\.export import Dim/g)?.length).toBe(1); // the file already imports Dim

  await exportAndWait(page);
  const ranges = page.getByTestId('range-constraints').getByTestId('range-row');
  await expect(ranges).toHaveCount(2);
  await expect(ranges.first()).toContainText('VR[2, 64]');
  // The AUTO dimension exported dynamic, with torch's range for a hint.
  await expect(ranges.nth(1)).toContainText('VR[2, int_oo]');
  await expect(page.locator('[data-testid="graph-node"][data-node="x"]')).toHaveText(/f32\[s\d+, s\d+\]/);
  await shot(page, testInfo, 'dims-export');
});

test('derived dims read from code, and hand edits flow back to the panel', async ({ page }, testInfo) => {
  await openStudio(page);
  await newFromExample(page, 'derived_dim');
  await expect(page.locator(row('x', 0))).toHaveAttribute('data-kind', 'dim');
  await expect(page.locator(row('y', 0))).toHaveAttribute('data-kind', 'derived');
  await expect(page.locator(`${row('y', 0)} [data-testid="dim-offset"]`)).toHaveValue('1');
  await expect(page.locator('[data-testid="dim-decl"][data-dim-name="dimx"] [data-testid="dim-max"]')).toHaveValue('6');

  // Edit the block by hand: the panel follows.
  await editLineEnd(page, 'dimx = Dim(', 'max=6)', 'max=9)');
  await expect(page.locator('[data-testid="dim-decl"][data-dim-name="dimx"] [data-testid="dim-max"]')).toHaveValue('9');

  await exportAndWait(page);
  const ranges = page.getByTestId('range-constraints');
  await expect(ranges).toContainText('VR[3, 9]');
  await expect(ranges).toContainText('s0 + 1');
  await shot(page, testInfo, 'derived-dim');
});

test('unreadable example inputs are reported with their line', async ({ page }) => {
  await openStudio(page);
  await editLineEnd(page, 'example_args =', 'torch.randn(10, 10))', 'make_y())');
  await expect(page.getByTestId('dim-error')).toContainText('make_y');
  await expect(page.getByTestId('dim-error')).toContainText('line 13');
});
