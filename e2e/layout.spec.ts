// Layout at 1280×800 in both themes: the main regions sit side by side without
// overlapping and inside the window, with a program exported and the dock open.
import { expect, test, type Locator } from '@playwright/test';
import { exportAndWait, newFromExample, openStudio, shot } from './helpers';

async function box(l: Locator) {
  const b = await l.boundingBox();
  if (!b) throw new Error('not visible');
  return b;
}

function overlaps(a: { x: number; y: number; width: number; height: number }, b: { x: number; y: number; width: number; height: number }): boolean {
  const eps = 0.5;
  return a.x + a.width - eps > b.x && b.x + b.width - eps > a.x && a.y + a.height - eps > b.y && b.y + b.height - eps > a.y;
}

for (const theme of ['light', 'dark'] as const) {
  test(`no overlapping panels at 1280×800 (${theme})`, async ({ page }, testInfo) => {
    await openStudio(page);
    if ((await page.locator('html').getAttribute('data-theme')) !== theme) await page.getByTestId('theme-toggle').click();
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    await newFromExample(page, 'dynamic_batch');
    await exportAndWait(page);
    await page.getByTestId('dock-tab-compare').click();
    await page.getByTestId('compare-button').click();
    await expect(page.getByTestId('compare-result')).toBeVisible();

    const regions = {
      toolbar: page.locator('header.toolbar'),
      editor: page.getByTestId('editor'),
      dims: page.getByTestId('dim-editor'),
      graph: page.getByTestId('graph-view'),
      dock: page.getByTestId('compare-panel'),
      ranges: page.getByTestId('range-constraints'),
      signature: page.getByTestId('signature-panel'),
      status: page.locator('footer.statusbar'),
    };
    const boxes = Object.fromEntries(await Promise.all(Object.entries(regions).map(async ([k, l]) => [k, await box(l)] as const)));
    for (const [name, b] of Object.entries(boxes)) {
      expect(b.x, `${name} left`).toBeGreaterThanOrEqual(0);
      expect(b.y, `${name} top`).toBeGreaterThanOrEqual(0);
      expect(b.x + b.width, `${name} right`).toBeLessThanOrEqual(1280.5);
      expect(b.y + b.height, `${name} bottom`).toBeLessThanOrEqual(800.5);
      expect(b.width, `${name} width`).toBeGreaterThan(100);
      expect(b.height, `${name} height`).toBeGreaterThan(20);
    }
    const names = Object.keys(boxes);
    for (let i = 0; i < names.length; i++)
      for (let j = i + 1; j < names.length; j++) expect(overlaps(boxes[names[i]!]!, boxes[names[j]!]!), `${names[i]} overlaps ${names[j]}`).toBe(false);
    // Toolbar controls fit on one row.
    const exportButton = await box(page.getByTestId('export-button'));
    const themeButton = await box(page.getByTestId('theme-toggle'));
    expect(themeButton.x).toBeGreaterThan(exportButton.x + exportButton.width);
    expect(themeButton.y).toBeLessThan(48);
    await shot(page, testInfo, `layout-${theme}`);
  });
}
