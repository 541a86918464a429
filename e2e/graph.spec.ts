// User story 4: the graph view (ELK layout): ops and symbolic shapes on nodes,
// nn_module_stack groups that collapse, search, node ↔ source line, cond subgraphs,
// and a 1,000+ node program that stays usable (collapsed by default, virtualized).
import { expect, test } from '@playwright/test';
import { exportAndWait, lineOf, newFromExample, openStudio, shot, typeAtLineEnd } from './helpers';

test('click a node → its source line; move the cursor → its nodes', async ({ page }, testInfo) => {
  await openStudio(page);
  await exportAndWait(page);
  const sin = page.locator('[data-testid="graph-node"][data-node="sin"]');
  await expect(sin).toContainText('f32[10, 10]');
  await sin.click();
  await expect(sin).toHaveClass(/selected/);
  const line = await lineOf(page, 'a = torch.sin(x)');
  await expect(sin).toHaveAttribute('data-line', String(line));
  await expect(page.getByTestId('editor').locator('.linked-line')).toHaveCount(1);

  const cosLine = await lineOf(page, 'b = torch.cos(y)');
  await typeAtLineEnd(page, cosLine, '');
  await expect(page.locator('[data-testid="graph-node"][data-node="cos"]')).toHaveClass(/linked/);
  await expect(sin).not.toHaveClass(/linked/);
  await shot(page, testInfo, 'linked');
});

test('a 1,200-op program: grouped, collapsed by default, searchable, virtualized', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  await openStudio(page);
  await newFromExample(page, 'deep_mlp');
  await exportAndWait(page);
  const view = page.getByTestId('graph-view');
  await expect(view).toHaveAttribute('data-total-count', '1202');
  const shown = Number(await view.getAttribute('data-node-count'));
  expect(shown).toBeLessThan(200);
  await shot(page, testInfo, 'deep-collapsed');

  // Expand one collapsed group: more ops appear.
  await page.locator('[data-testid="graph-group"][data-role="module"]').first().click();
  await expect.poll(async () => Number(await view.getAttribute('data-node-count'))).toBeGreaterThan(shown);

  // Search reaches a node deep inside a collapsed group and brings it into view.
  await page.getByTestId('graph-search').fill('relu_200');
  await expect(page.getByTestId('graph-search-hits')).toHaveText('1/1');
  const target = page.locator('[data-testid="graph-node"][data-node="relu_200"]');
  await expect(target).toBeVisible({ timeout: 30_000 });
  await expect(target).toHaveClass(/selected/);
  await expect(target).toContainText('f32[s0, 32]');
  await shot(page, testInfo, 'deep-search');

  // Everything expanded: all 1,202 ops are laid out, but only what is on screen is drawn.
  await page.getByTestId('graph-search').fill('');
  await page.getByTestId('graph-expand-all').click();
  await expect(view).toHaveAttribute('data-node-count', '1202', { timeout: 30_000 });
  await expect(view).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  const boxes = Number(await view.getAttribute('data-box-count'));
  expect(boxes).toBeGreaterThan(1200);
  const rendered = Number(await view.getAttribute('data-rendered-count'));
  expect(rendered).toBeGreaterThan(0);
  expect(rendered).toBeLessThan(boxes / 10);
  await shot(page, testInfo, 'deep-expanded');
  // Panning moves the window over the graph.
  const area = await view.boundingBox();
  await page.mouse.move(area!.x + area!.width / 2, area!.y + area!.height - 20);
  await page.mouse.down();
  await page.mouse.move(area!.x + area!.width / 2, area!.y + 20, { steps: 5 });
  await page.mouse.up();
  await expect.poll(async () => Number(await view.getAttribute('data-rendered-count'))).toBeGreaterThan(0);
  // Fit shows the whole program at once.
  await page.getByTestId('graph-fit').click();
  await expect.poll(async () => Number(await view.getAttribute('data-zoom'))).toBeLessThan(0.1);

  await page.getByTestId('graph-collapse-all').click();
  await expect.poll(async () => Number(await view.getAttribute('data-node-count'))).toBeLessThan(10);
});

test('cond: both branches as subgraphs', async ({ page }, testInfo) => {
  await openStudio(page);
  await newFromExample(page, 'cond');
  await exportAndWait(page);
  await expect(page.locator('[data-testid="graph-frame"][data-group*="b:true_graph_0"]')).toBeVisible();
  await expect(page.locator('[data-testid="graph-frame"][data-group*="b:false_graph_0"]')).toBeVisible();
  await expect(page.locator('[data-testid="graph-node"][data-node="cond"]')).toBeVisible();
  await expect(page.locator('[data-testid="graph-node"][data-id="n:false_graph_0/mul"]')).toContainText('f32[s0, 8]');
  // main graph: sum, gt, cond, getitem; branches: sin | cos, mul
  await expect(page.getByTestId('graph-view')).toHaveAttribute('data-node-count', '7');
  await shot(page, testInfo, 'cond');
});
