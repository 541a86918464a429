// Test setup: give the engine a source reader so nodes traced from TypeScript carry
// their source line (`# File: …, code: …`), as the CLI and studio hosts do.

import { readFileSync } from 'node:fs';
import { setDefaultSourceReader } from '../engine/trace/js-stack';

const cache = new Map<string, string[]>();
setDefaultSourceReader((file, line) => {
  let lines = cache.get(file);
  if (!lines) {
    try {
      lines = readFileSync(file, 'utf8').split('\n');
    } catch {
      lines = [];
    }
    cache.set(file, lines);
  }
  return lines[line - 1];
});
