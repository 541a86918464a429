// Smoke test: the web host serves the built renderer under its CSP, Monaco's editor
// worker and the ELK layout worker load under it (worker-src 'self'), the engine host
// answers, and the root reaches data-state="ready" with no console errors.
import { expect, test } from '@playwright/test';
import { collectErrors, exportAndWait, openStudio, shot } from './helpers';

test('studio loads under its CSP with the engine host connected', async ({ page, request }, testInfo) => {
  const errors = collectErrors(page);
  const res = await request.get('/');
  expect(res.headers()['content-security-policy']).toContain("script-src 'self'");
  expect(res.headers()['content-security-policy']).toContain("worker-src 'self'");

  await openStudio(page);
  await expect(page.getByTestId('host-kind')).toHaveText('web');
  await expect(page.getByTestId('cap-serializer')).toBeVisible();
  // Monaco's worker is a bundled same-origin file, not a blob: URL.
  await expect.poll(() => page.workers().some((w) => /\/assets\/editor\.worker-[\w-]+\.js$/.test(w.url()))).toBe(true);
  await exportAndWait(page);
  await expect.poll(() => page.workers().some((w) => /\/assets\/elk-layout\.worker-[\w-]+\.js$/.test(w.url()))).toBe(true);
  await shot(page, testInfo, 'studio');
  expect(errors).toEqual([]);
});

test('the API refuses cross-site calls', async ({ request }) => {
  const noHeader = await request.post('/api/invoke/app:hello', { data: {} });
  expect(noHeader.status()).toBe(403);
  const foreign = await request.post('/api/invoke/app:hello', { data: {}, headers: { 'X-PT2-Studio': '1', Origin: 'http://evil.example' } });
  expect(foreign.status()).toBe(403);
  const ok = await request.post('/api/invoke/app:hello', { data: {}, headers: { 'X-PT2-Studio': '1' } });
  expect(await ok.json()).toMatchObject({ ok: true, value: { host: 'web' } });
});
