// User story 3: export with strict/non-strict and decompose toggles, progress and
// cancel; errors as Monaco markers on the user's line; a constraint violation's
// suggested fix applied in one click (Dim panel + code updated, export re-run).
import { expect, test } from '@playwright/test';
import { activeText, editLineEnd, expectActiveText, exportAndWait, lineOf, newFromExample, openStudio, shot, typeAtLineEnd } from './helpers';

test('export: graph, signature and printed program; decompose toggle', async ({ page }, testInfo) => {
  await openStudio(page);
  await expect(page.getByTestId('export-status')).toHaveAttribute('data-state', 'idle');
  await exportAndWait(page);
  await expect(page.getByTestId('graph-view')).toHaveAttribute('data-node-count', '3');
  await expect(page.getByTestId('signature-panel')).toHaveAttribute('data-inputs', '2');
  await expect(page.getByTestId('signature-panel').getByTestId('signature-output')).toContainText('user output');
  await page.getByTestId('tab-program').click();
  await expect(page.getByTestId('printed-program')).toContainText('torch.ops.aten.sin.default(x)');
  await expect(page.getByTestId('printed-program')).toContainText('model.py:7 in forward, code: a = torch.sin(x)');

  await newFromExample(page, 'dynamic_batch');
  await exportAndWait(page);
  await expect(page.getByTestId('printed-program')).toContainText('aten.linear.default');
  await page.getByTestId('decompose-toggle').check();
  await exportAndWait(page);
  await expect(page.getByTestId('printed-program')).toContainText('aten.addmm.default');
  await expect(page.getByTestId('printed-program')).not.toContainText('aten.linear.default');
  await shot(page, testInfo, 'decomposed');
});

test('strict=True reports what the engine says', async ({ page }) => {
  await openStudio(page);
  await page.getByTestId('strict-toggle').check();
  await exportAndWait(page, 'error');
  await expect(page.getByTestId('error-panel')).toHaveAttribute('data-state', 'error');
  await expect(page.getByTestId('error-panel')).toContainText('strict=True');
  await page.getByTestId('strict-toggle').uncheck();
  await exportAndWait(page);
  await expect(page.getByTestId('error-panel')).toHaveAttribute('data-state', 'clear');
});

test('a specialized Dim: marker on the Dim, one-click "b = 4" fix, re-export', async ({ page }, testInfo) => {
  await openStudio(page);
  await newFromExample(page, 'specializes');
  await exportAndWait(page, 'error');
  const panel = page.getByTestId('error-panel');
  await expect(panel.getByTestId('problem')).toHaveAttribute('data-python-type', 'torch._dynamo.exc.UserError');
  await expect(panel.getByTestId('suggested-fixes')).toContainText('b = 4');
  await expect(panel).toContainText('You marked b as dynamic but your code specialized it to be a constant (4)');
  // The marker sits on the Dim's declaration line.
  const line = await lineOf(page, 'b = Dim(');
  await expect(panel.getByTestId('problem-line')).toHaveText(`line ${line}`);
  await expect(page.getByTestId('editor').locator('.squiggly-error')).toHaveCount(1);
  await shot(page, testInfo, 'violation');

  await panel.getByTestId('apply-fix').click();
  await expect(page.getByTestId('export-status')).toHaveAttribute('data-state', 'done');
  await expectActiveText(page, (t) => t.includes('dynamic_shapes = None') && !t.includes('b = Dim('), 'the fix rewrote dynamic_shapes');
  await expect(page.locator('[data-testid="dim-row"][data-input="x"][data-dim="0"]')).toHaveAttribute('data-kind', 'none');
  await expect(page.getByTestId('editor').locator('.squiggly-error')).toHaveCount(0);
  await expect(page.getByTestId('graph-view')).toHaveAttribute('data-node-count', '1');
});

test('a narrowed range: the Dim(..., min=6) fix, as a Monaco quick fix', async ({ page }, testInfo) => {
  await openStudio(page);
  await newFromExample(page, 'shape_guard');
  await exportAndWait(page, 'error');
  await expect(page.getByTestId('suggested-fixes')).toContainText("n = Dim('n', min=6)");
  // The same fix from the editor: cursor on the marked line, Ctrl+. (quick fix).
  await typeAtLineEnd(page, await lineOf(page, 'n = Dim('), '');
  await page.keyboard.press('Control+.');
  const menu = page.locator('.action-widget').filter({ hasText: 'Apply suggested fix' });
  await expect(menu).toContainText("Apply suggested fix: n = Dim('n', min=6)");
  await shot(page, testInfo, 'quick-fix');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('export-status')).toHaveAttribute('data-state', 'done');
  await expectActiveText(page, (t) => t.includes('n = Dim("n", min=6)'), 'the range fix is in the code');
  await expect(page.getByTestId('range-constraints')).toContainText('VR[6, int_oo]');
});

test('a data-dependent branch: the error points at its line', async ({ page }, testInfo) => {
  await openStudio(page);
  await newFromExample(page, 'data_dependent');
  await exportAndWait(page, 'error');
  const line = await lineOf(page, 'if x.sum() > 0:');
  await expect(page.getByTestId('problem')).toHaveAttribute('data-python-type', 'torch.fx.experimental.symbolic_shapes.GuardOnDataDependentSymNode');
  await expect(page.getByTestId('problem-line')).toHaveText(`line ${line}`);
  await expect(page.getByTestId('error-panel')).toContainText('Could not guard on data-dependent expression');
  await expect(page.getByTestId('editor').locator('.squiggly-error')).toHaveCount(1);
  await page.getByTestId('problem-line').click();
  await expect(page.getByTestId('editor').locator('.linked-line')).toHaveCount(1);
  await shot(page, testInfo, 'data-dependent');
});

test('edited model code: exported by Python, or a clear "not available yet" without it', async ({ page }) => {
  await openStudio(page);
  const python = (await page.getByTestId('cap-python').getAttribute('data-available')) === 'true';
  await editLineEnd(page, 'a = torch.sin(x)', 'torch.sin(x)', 'torch.tan(x)');
  if (python) {
    await exportAndWait(page);
    await expect(page.locator('[data-testid="graph-node"][data-node="tan"]')).toBeVisible();
    await expect(page.getByTestId('export-status')).toContainText('(Python)');
    return;
  }
  await exportAndWait(page, 'error');
  const problem = page.getByTestId('problem');
  await expect(problem).toHaveAttribute('data-error-name', 'NotAvailableError');
  await expect(problem).toHaveAttribute('data-pending', 'engine/python');
  await expect(problem).toContainText('Not available yet');
  await expect(page.getByTestId('graph-view')).toHaveAttribute('data-state', 'empty'); // no fake graph
});

test('a Python error in the model file points at its line', async ({ page }) => {
  await openStudio(page);
  test.skip((await page.getByTestId('cap-python').getAttribute('data-available')) !== 'true', 'needs the Python front end');
  await editLineEnd(page, 'return a + b', 'a + b', 'a + undefined_name');
  await exportAndWait(page, 'error');
  const line = await lineOf(page, 'return a + undefined_name');
  await expect(page.getByTestId('problem')).toHaveAttribute('data-error-name', 'NameError');
  await expect(page.getByTestId('problem-line')).toHaveText(`line ${line}`);
  await expect(page.getByTestId('problem-traceback')).toContainText('Traceback');
  await expect(page.getByTestId('editor').locator('.squiggly-error')).toHaveCount(1);
});

test('a long export shows progress and can be cancelled', async ({ page }, testInfo) => {
  await openStudio(page);
  await newFromExample(page, 'deep_mlp');
  await editLineEnd(page, 'WIDTH =', '32', '4');
  await editLineEnd(page, 'N_BLOCKS =', '240', '8000');
  await page.getByTestId('export-button').click();
  const status = page.getByTestId('export-status');
  await expect(status).toHaveAttribute('data-state', 'running');
  await expect(status).toContainText(/Tracing forward:|Running model\.py/, { timeout: 30_000 });
  await shot(page, testInfo, 'export-progress');
  await page.getByTestId('cancel-button').click();
  await expect(status).toHaveAttribute('data-state', 'idle', { timeout: 30_000 });
  await expect(status).toContainText('Export cancelled');
  // The host is still there: a small export works right after.
  await editLineEnd(page, 'N_BLOCKS =', '8000', '2');
  await exportAndWait(page);
  expect(await activeText(page)).toContain('N_BLOCKS = 2');
});
