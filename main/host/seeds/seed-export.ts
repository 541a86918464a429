// Exporting a document through a seed's TypeScript twin.
//
// Note [Seed twins]: until the Python front end lands, the studio can still export
// real programs: a document that matches a built-in seed (ignoring the dynamic
// shapes block, the example inputs and the seed's declared integer parameters) is
// exported by the seed's TypeScript module with the document's example inputs,
// parameters and dynamic shapes, and with stack traces pointing at the document's
// Python lines (see source-cursor.ts). Any other edit is refused with a clear
// "needs the Python front end" error: the studio never exports something other
// than what the document says.

import { stripBlock } from '../../common/dynamic-shapes-code';
import { topLevelAssignments } from '../../common/py-expr';
import { manualSeed } from '../../../engine/nn/layers';
import type { Module } from '../../../engine/trace/module';
import { SEEDS, type SeedProgram } from './catalog';
import { SourceCursor } from './source-cursor';
import { ModelFileError, type ModelFile } from '../model-file';

const IGNORED_ASSIGNMENTS = new Set(['example_args', 'example_kwargs', 'dynamic_shapes']);

/** The text a document must share with a seed: no block, no example inputs, parameters blanked, no comments or blank lines. */
export function matchKey(source: string, params: readonly string[]): string {
  const stripped = stripBlock(source.replace(/\r\n/g, '\n'));
  const drop = new Set<number>();
  for (const a of topLevelAssignments(stripped)) {
    if (IGNORED_ASSIGNMENTS.has(a.name)) for (let l = a.line; l <= a.endLine; l++) drop.add(l);
  }
  return stripped
    .split('\n')
    .map((line, i) => {
      if (drop.has(i + 1)) return '';
      const p = params.find((name) => new RegExp(`^${name}\\s*=`).test(line));
      if (p) return `${p} = ?`;
      return line.replace(/\s+$/, '');
    })
    .filter((l) => l.trim() !== '' && !/^\s*#/.test(l))
    .join('\n');
}

const KEYS = new Map<string, string>();
function seedKey(seed: SeedProgram): string {
  let k = KEYS.get(seed.id);
  if (k === undefined) {
    k = matchKey(seed.source, Object.keys(seed.params ?? {}));
    KEYS.set(seed.id, k);
  }
  return k;
}

/** The seed a document is an (allowed) edit of, or undefined. */
export function matchSeed(source: string): SeedProgram | undefined {
  return SEEDS.find((s) => matchKey(source, Object.keys(s.params ?? {})) === seedKey(s));
}

export function findSeed(id: string): SeedProgram | undefined {
  return SEEDS.find((s) => s.id === id);
}

/** The document's values of the seed's parameters, range-checked. */
export function seedParams(seed: SeedProgram, file: ModelFile, source: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, range] of Object.entries(seed.params ?? {})) {
    const v = file.constants.get(name);
    const line = topLevelAssignments(source).find((a) => a.name === name)?.line;
    if (v === undefined) throw new ModelFileError(`${name} must be an integer literal`, line);
    if (v < range.min || v > range.max) throw new ModelFileError(`${name} = ${v} is outside what this example supports (${range.min}..${range.max})`, line);
    out[name] = v;
  }
  return out;
}

/** Build the twin module for a document; weights come from a fixed seed so repeated exports agree. */
export function buildSeedModule(seed: SeedProgram, source: string, file: ModelFile): { module: Module; cursor: SourceCursor } {
  const cursor = new SourceCursor(source);
  manualSeed(0x5eed);
  const module = seed.build(cursor, seedParams(seed, file, source));
  return { module, cursor };
}
