// Size budget (after tinygrad's sz.py): lines of TypeScript per engine/ folder, code vs
// tests, largest first. Run: npx tsx scripts/sz.ts [ROOT]   (default: engine/)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

interface FolderSize {
  folder: string;
  files: number;
  code: number;
  tests: number;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (/\.(ts|tsx|py)$/.test(name)) out.push(path);
  }
  return out;
}

function countLines(path: string): number {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !/^\s*(\/\/|#|\*|\/\*)/.test(line)).length;
}

const root = process.argv[2] ?? 'engine';
let files: string[] = [];
try {
  files = walk(root);
} catch {
  console.log(`sz: ${root}/ not found`);
  process.exit(0);
}

const sizes = new Map<string, FolderSize>();
for (const file of files) {
  const rel = relative(root, file).split(sep);
  const folder = rel.length > 1 ? rel.slice(0, Math.min(2, rel.length - 1)).join('/') : '.';
  const entry = sizes.get(folder) ?? { folder, files: 0, code: 0, tests: 0 };
  entry.files += 1;
  if (/\.test\.ts$/.test(file) || rel[0] === 'test') entry.tests += countLines(file);
  else entry.code += countLines(file);
  sizes.set(folder, entry);
}

const rows = [...sizes.values()].sort((a, b) => b.code - a.code);
const pad = Math.max(6, ...rows.map((r) => r.folder.length));
console.log(`${'folder'.padEnd(pad)}  files   code  tests`);
for (const r of rows) {
  console.log(`${r.folder.padEnd(pad)}  ${String(r.files).padStart(5)}  ${String(r.code).padStart(5)}  ${String(r.tests).padStart(5)}`);
}
const total = rows.reduce((t, r) => ({ files: t.files + r.files, code: t.code + r.code, tests: t.tests + r.tests }), { files: 0, code: 0, tests: 0 });
console.log(`${'total'.padEnd(pad)}  ${String(total.files).padStart(5)}  ${String(total.code).padStart(5)}  ${String(total.tests).padStart(5)}`);
