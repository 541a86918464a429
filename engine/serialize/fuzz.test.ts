// Mutated corpus archives: every mutation must end in a typed EngineError or a
// program that passes lint (and, for container-level damage that PyTorch's CRC
// and layout checks would let through, the identical program), each quickly.

import { describe, expect, test } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '../core/errors';
import { CORPUS_DIR, corpusAvailable } from '../../testing/corpus';
import { loadPt2 } from './read';
import { ZipReader, writeZip, type ZipRecord } from './zip';

const SOURCES = ['cases/seed_conv_kwargs.pt2', 'cases/cond_data.pt2', 'cases/item_slice.nonstrict.pt2', 'cases/views.pt2', 'models/gpt2_tiny.pt2'];
const TIME_LIMIT_MS = 3000;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Source {
  rel: string;
  bytes: Uint8Array;
  records: ZipRecord[];
  printed: string;
  cdOffset: number;
}

function loadSource(rel: string): Source {
  const b = readFileSync(join(CORPUS_DIR, rel));
  const bytes = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  const zip = new ZipReader(bytes);
  const records = zip.entries.map((e) => ({ name: e.name, data: zip.read(e.name).slice() }));
  const cdOffset = Math.max(...zip.entries.map((e) => e.dataOffset + e.compressedSize));
  return { rel, bytes, records, printed: loadPt2(bytes).programs.get('model')!.toString(), cdOffset };
}

type Outcome = 'error' | 'same' | 'valid';

function attempt(bytes: Uint8Array, original: string): Outcome {
  try {
    const ep = loadPt2(bytes).programs.get('model')!;
    ep.graph.lint();
    const printed = ep.toString();
    return printed === original ? 'same' : 'valid';
  } catch (e) {
    if (e instanceof EngineError) return 'error';
    throw new Error(`untyped error: ${(e as Error).stack ?? String(e)}`);
  }
}

// ---------------------------------------------------------------- mutations

type Mutation = (s: Source, r: () => number) => { bytes: Uint8Array; structural: boolean };

const pick = <T>(xs: readonly T[], r: () => number): T => xs[Math.floor(r() * xs.length)]!;

const flipCentralDirectory: Mutation = (s, r) => {
  const b = s.bytes.slice();
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const at = s.cdOffset + Math.floor(r() * (b.length - s.cdOffset));
    b[at] = b[at]! ^ (1 << Math.floor(r() * 8));
  }
  return { bytes: b, structural: true };
};

const flipAnywhere: Mutation = (s, r) => {
  const b = s.bytes.slice();
  const at = Math.floor(r() * b.length);
  b[at] = b[at]! ^ (1 << Math.floor(r() * 8));
  return { bytes: b, structural: true };
};

const truncate: Mutation = (s, r) => ({ bytes: s.bytes.slice(0, Math.floor(r() * s.bytes.length)), structural: true });

const inflateSize: Mutation = (s, r) => {
  const b = s.bytes.slice();
  const v = new DataView(b.buffer);
  // Rewrite one central entry's size fields with a huge or off-by-some value.
  const entries: number[] = [];
  for (let p = s.cdOffset; p + 46 < b.length; p++) if (v.getUint32(p, true) === 0x02014b50) entries.push(p);
  const p = pick(entries, r);
  const huge = pick([0xffffffff, 0x7fffffff, v.getUint32(p + 24, true) + 1 + Math.floor(r() * 1000), 0], r);
  v.setUint32(p + pick([20, 24], r), huge, true);
  if (r() < 0.5) v.setUint32(p + 20, huge, true);
  return { bytes: b, structural: true };
};

const renameEntry: Mutation = (s, r) => {
  const recs = s.records.map((x) => ({ ...x }));
  const i = Math.floor(r() * recs.length);
  const root = recs[0]!.name.split('/')[0]!;
  const names = [`${root}/../evil`, `/abs/${recs[i]!.name}`, `${root}/models/other.json`, `elsewhere/${recs[i]!.name}`, `${recs[i]!.name}x`, recs[(i + 1) % recs.length]!.name];
  recs[i] = { ...recs[i]!, name: pick(names, r) };
  try {
    return { bytes: writeZip(recs), structural: false };
  } catch (e) {
    if (e instanceof EngineError) return { bytes: new Uint8Array(0), structural: false };
    throw e;
  }
};

/** Random JSON edits in models/model.json or a weights config, re-packed with correct CRCs. */
const editJson: Mutation = (s, r) => {
  const recs = s.records.map((x) => ({ ...x }));
  const jsonIdx = recs.map((x, i) => (x.name.endsWith('.json') ? i : -1)).filter((i) => i >= 0);
  const i = pick(jsonIdx, r);
  const doc = JSON.parse(new TextDecoder().decode(recs[i]!.data));
  const paths: Array<[Record<string, unknown> | unknown[], string | number]> = [];
  const walk = (v: unknown, depth: number) => {
    if (depth > 40 || v === null || typeof v !== 'object') return;
    for (const k of Array.isArray(v) ? v.keys() : Object.keys(v)) {
      paths.push([v as Record<string, unknown>, k as string]);
      walk((v as Record<string, unknown>)[k as string], depth + 1);
    }
  };
  walk(doc, 0);
  const edits = 1 + Math.floor(r() * 3);
  for (let k = 0; k < edits && paths.length; k++) {
    const [holder, key] = pick(paths, r);
    const h = holder as Record<string | number, unknown>;
    const old = h[key];
    const choice = Math.floor(r() * 10);
    if (choice === 0) delete h[key];
    else if (choice === 1) h[key] = -1 - Math.floor(r() * 100);
    else if (choice === 2) h[key] = 'Symbol(\'zz9\', integer=True) + (((';
    else if (choice === 3) h[key] = null;
    else if (choice === 4) h[key] = typeof old === 'number' ? old * 1e12 : [old, old];
    else if (choice === 5) h[key] = { as_int: 1, as_float: 2 };
    else if (choice === 6) h[key] = typeof old === 'string' ? `${old}_renamed` : {};
    else if (choice === 7) h[key] = 'torch.ops.aten.nonexistent.default';
    else if (choice === 8) h[key] = Number.MAX_SAFE_INTEGER + 2;
    else h[key] = Array.isArray(old) ? [] : true;
  }
  recs[i] = { ...recs[i]!, data: new TextEncoder().encode(JSON.stringify(doc)) };
  return { bytes: writeZip(recs), structural: false };
};

/** Payload damage: a raw weight file shortened or a config pointing outside its storage. */
const damageWeights: Mutation = (s, r) => {
  const recs = s.records.map((x) => ({ ...x }));
  const weights = recs.map((x, i) => (/data\/weights\/weight_\d+$/.test(x.name) ? i : -1)).filter((i) => i >= 0);
  if (!weights.length) return editJson(s, r);
  const i = pick(weights, r);
  recs[i] = { ...recs[i]!, data: recs[i]!.data.slice(0, Math.floor(r() * recs[i]!.data.length)) };
  return { bytes: writeZip(recs), structural: false };
};

const MUTATIONS: Array<[string, Mutation]> = [
  ['flip central directory', flipCentralDirectory],
  ['flip any byte', flipAnywhere],
  ['truncate', truncate],
  ['inflate sizes', inflateSize],
  ['rename entry', renameEntry],
  ['edit JSON', editJson],
  ['edit JSON', editJson],
  ['damage weights', damageWeights],
];

describe.skipIf(!corpusAvailable || !SOURCES.every((s) => existsSync(join(CORPUS_DIR, s))))('fuzzed archives', () => {
  test('320 mutations: typed error or a sound program, each within the time limit', { timeout: 240_000 }, () => {
    const sources = SOURCES.map(loadSource);
    const r = rng(Number(process.env.FUZZ_SEED ?? 20251126));
    const tally: Record<string, Record<Outcome, number>> = {};
    for (let i = 0; i < Number(process.env.FUZZ_N ?? 320); i++) {
      const src = sources[i % sources.length]!;
      const [kind, mutate] = MUTATIONS[i % MUTATIONS.length]!;
      const { bytes, structural } = mutate(src, r);
      const t0 = performance.now();
      const outcome = attempt(bytes, src.printed);
      const ms = performance.now() - t0;
      expect(ms, `${kind} #${i} on ${src.rel} took ${ms.toFixed(0)} ms`).toBeLessThan(TIME_LIMIT_MS);
      // Damage to the container never silently yields a different program.
      if (structural) expect(outcome, `${kind} #${i} on ${src.rel}`).not.toBe('valid');
      tally[kind] ??= { error: 0, same: 0, valid: 0 };
      tally[kind][outcome]++;
    }
    // Each kind of damage was caught at least sometimes.
    for (const [kind, t] of Object.entries(tally)) expect(t.error, kind).toBeGreaterThan(0);
  });
});
