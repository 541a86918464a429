// Vite build of the renderer (renderer/ → out/renderer/, git- and lint-ignored): React + zustand UI with
// Monaco, whose editor worker and the ELK layout worker are bundled as separate
// same-origin files so they load under the CSP (worker-src 'self'), offline. Assets are
// never inlined as data: URLs (the CSP has no data: for scripts or fonts). Run with
// `npm run build:renderer`.
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'renderer',
  base: './',
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: '../out/renderer',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 8000,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
  worker: { format: 'es' },
});
