// Mutated archives (seeded, deterministic): every mutation must end in a typed
// EngineError or a program that passes lint; container-level damage that
// PyTorch's CRC and layout checks would catch never yields a different program
// (only the identical one: same printout, same weights, same example inputs).
// Each case is timed, the reader's reads are checked against the file's bounds,
// and memory is watched across the run. Half the cases load lazily through a
// ByteSource and then touch every weight, so damage found on first use is a
// typed error too. FUZZ_SEED / FUZZ_N pick the seed and the number of cases.

import { describe, expect, test } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '../core/errors';
import { Tensor } from '../trace/tensor';
import { CORPUS_DIR } from '../../testing/corpus';
import { loadPt2 } from './read';
import { ArchiveError, type ByteSource, ZipReader, crc32, writeZip, type ZipRecord } from './zip';

const CORPUS_SOURCES = ['cases/seed_conv_kwargs.pt2', 'cases/cond_data.pt2', 'cases/item_slice.nonstrict.pt2', 'cases/views.pt2', 'models/gpt2_tiny.pt2', 'cases/nested_io.pt2'];
const FIXTURES = [join(__dirname, 'fixtures/legacy_kwargs.pt2')];
const N = Number(process.env.FUZZ_N ?? 2400);
const SEED = Number(process.env.FUZZ_SEED ?? 20251126);
const TIME_LIMIT_MS = 2000;
/** Growth of (JS heap + array buffers) allowed over the run, and within one case. */
const HEAP_BOUND = 768 * 2 ** 20;
const CASE_BUFFER_BOUND = 256 * 2 ** 20;

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
  fingerprint: string;
  cdOffset: number;
}

/** Everything a load produces that a reader could get wrong: printout, weights, example inputs. */
function fingerprint(bytes: Uint8Array, lazy: boolean): string {
  let source: ByteSource | Uint8Array = bytes;
  if (lazy) {
    // A source that refuses out-of-bounds reads (the reader must never ask for them).
    source = {
      size: bytes.length,
      read(offset: number, length: number) {
        if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > bytes.length)
          throw new Error(`read(${offset}, ${length}) outside a file of ${bytes.length} bytes`);
        return bytes.slice(offset, offset + length);
      },
    };
  }
  const ep = loadPt2(source, { lazyWeights: lazy }).programs.get('model')!;
  ep.graph.lint();
  const tensorKey = (t: Tensor): string => {
    const d = t.nd.storage.data; // materializes a lazy storage (CRC checked there)
    return `${t.dtype}[${t.shape.join(',')}]/${t.nd.strides.join(',')}+${t.nd.offset}#${crc32(new Uint8Array(d.buffer, d.byteOffset, d.byteLength))}`;
  };
  const parts = [ep.toString()];
  for (const [k, t] of [...ep.stateDict, ...ep.constants]) parts.push(`${k}=${tensorKey(t)}${t.requiresGrad ? 'g' : ''}`);
  const ex = ep.parts.exampleInputs;
  parts.push(JSON.stringify(ex ?? null, (_k, v: unknown) => (v instanceof Tensor ? tensorKey(v) : typeof v === 'bigint' ? String(v) : v)));
  return parts.join('\n');
}

function loadSource(rel: string, path: string): Source {
  const b = readFileSync(path);
  const bytes = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  const zip = new ZipReader(bytes);
  const records = zip.entries.map((e) => ({ name: e.name, data: zip.read(e.name).slice() }));
  const cdOffset = Math.max(...zip.entries.map((e) => e.dataOffset + e.compressedSize));
  return { rel, bytes, records, fingerprint: fingerprint(bytes, false), cdOffset };
}

type Outcome = 'error' | 'same' | 'valid';

function attempt(bytes: Uint8Array, original: string, lazy: boolean): Outcome {
  try {
    return fingerprint(bytes, lazy) === original ? 'same' : 'valid';
  } catch (e) {
    if (e instanceof EngineError) return 'error';
    throw new Error(`untyped error: ${(e as Error).stack ?? String(e)}`);
  }
}

// ---------------------------------------------------------------- mutations

type Mutation = (s: Source, r: () => number) => { bytes: Uint8Array; structural: boolean };

const pick = <T,>(xs: readonly T[], r: () => number): T => xs[Math.floor(r() * xs.length)]!;
const repack = (recs: ZipRecord[]): Uint8Array => writeZip(recs);

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
  const n = 1 + Math.floor(r() * 3);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(r() * b.length);
    b[at] = b[at]! ^ (1 << Math.floor(r() * 8));
  }
  return { bytes: b, structural: true };
};

/** A bit flip inside one record's data (JSON, weights, pickles): the CRC must catch it. */
const flipInRecord: Mutation = (s, r) => {
  const zip = new ZipReader(s.bytes);
  const nonEmpty = zip.entries.filter((e) => e.compressedSize > 0);
  const e = pick(nonEmpty, r);
  const b = s.bytes.slice();
  const at = e.dataOffset + Math.floor(r() * e.compressedSize);
  b[at] = b[at]! ^ (1 << Math.floor(r() * 8));
  return { bytes: b, structural: true };
};

const truncate: Mutation = (s, r) => ({ bytes: s.bytes.slice(0, Math.floor(r() * s.bytes.length)), structural: true });

const garbageAround: Mutation = (s, r) => {
  const extra = new Uint8Array(1 + Math.floor(r() * 64)).map(() => Math.floor(r() * 256));
  const b = new Uint8Array(s.bytes.length + extra.length);
  if (r() < 0.5) {
    b.set(extra);
    b.set(s.bytes, extra.length);
  } else {
    b.set(s.bytes);
    b.set(extra, s.bytes.length);
  }
  return { bytes: b, structural: true };
};

const inflateSize: Mutation = (s, r) => {
  const b = s.bytes.slice();
  const v = new DataView(b.buffer);
  // Rewrite one central entry's sizes (or method) with a huge or off-by-some value.
  const entries: number[] = [];
  for (let p = s.cdOffset; p + 46 < b.length; p++) if (v.getUint32(p, true) === 0x02014b50) entries.push(p);
  const p = pick(entries, r);
  const huge = pick([0xffffffff, 0x7fffffff, 0x7ffffff0, v.getUint32(p + 24, true) + 1 + Math.floor(r() * 1000), 0], r);
  v.setUint32(p + pick([20, 24], r), huge, true);
  if (r() < 0.5) v.setUint32(p + 20, huge, true);
  if (r() < 0.3) v.setUint16(p + 10, 8, true); // claim deflate
  return { bytes: b, structural: true };
};

const renameEntry: Mutation = (s, r) => {
  const recs = s.records.map((x) => ({ ...x }));
  const i = Math.floor(r() * recs.length);
  const root = recs[0]!.name.includes('/') ? `${recs[0]!.name.split('/')[0]!}/` : '';
  const names = [`${root}../evil`, `/abs/${recs[i]!.name}`, `${root}models/other.json`, `elsewhere/${recs[i]!.name}`, `${recs[i]!.name}x`, recs[(i + 1) % recs.length]!.name, recs[i]!.name.toUpperCase()];
  recs[i] = { ...recs[i]!, name: pick(names, r) };
  try {
    return { bytes: repack(recs), structural: false };
  } catch (e) {
    if (e instanceof EngineError) return { bytes: new Uint8Array(0), structural: false };
    throw e;
  }
};

const dropEntry: Mutation = (s, r) => {
  const recs = s.records.filter((_, i, a) => i !== Math.floor(r() * a.length));
  return { bytes: repack(recs), structural: false };
};

/** Random JSON edits in models/model.json or a payload config, re-packed with correct CRCs. */
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
    const choice = Math.floor(r() * 12);
    if (choice === 0) delete h[key];
    else if (choice === 1) h[key] = -1 - Math.floor(r() * 100);
    else if (choice === 2) h[key] = 'Symbol(\'zz9\', integer=True) + (((';
    else if (choice === 3) h[key] = null;
    else if (choice === 4) h[key] = typeof old === 'number' ? old * 1e12 : [old, old];
    else if (choice === 5) h[key] = { as_int: 1, as_float: 2 };
    else if (choice === 6) h[key] = typeof old === 'string' ? `${old}_renamed` : {};
    else if (choice === 7) h[key] = 'torch.ops.aten.nonexistent.default';
    else if (choice === 8) h[key] = Number.MAX_SAFE_INTEGER + 2;
    else if (choice === 9) h[key] = typeof old === 'number' ? 2 ** 31 : 'weight_999';
    else if (choice === 10) h[key] = typeof old === 'number' ? old + 1 : old;
    else h[key] = Array.isArray(old) ? [] : true;
  }
  recs[i] = { ...recs[i]!, data: new TextEncoder().encode(JSON.stringify(doc)) };
  return { bytes: repack(recs), structural: false };
};

/** Payload damage: a raw weight file shortened or lengthened, CRC made to match. */
const damageWeights: Mutation = (s, r) => {
  const recs = s.records.map((x) => ({ ...x }));
  const weights = recs.map((x, i) => (/data\/(weights\/weight|constants\/tensor)_\d+$/.test(x.name) ? i : -1)).filter((i) => i >= 0);
  if (!weights.length) return damagePickle(s, r);
  const i = pick(weights, r);
  const d = recs[i]!.data;
  const data = r() < 0.7 ? d.slice(0, Math.floor(r() * d.length)) : new Uint8Array([...d, ...new Uint8Array(1 + Math.floor(r() * 8))]);
  recs[i] = { ...recs[i]!, data };
  return { bytes: repack(recs), structural: false };
};

/** Damage inside a torch.save record (sample inputs; ≤ 2.7 state dicts): its data.pkl bytes, both zips re-packed. */
const damagePickle: Mutation = (s, r) => {
  const recs = s.records.map((x) => ({ ...x }));
  const pts = recs.map((x, i) => (x.name.endsWith('.pt') && x.data.length > 0 ? i : -1)).filter((i) => i >= 0);
  if (!pts.length) return editJson(s, r);
  const i = pick(pts, r);
  const inner = new ZipReader(recs[i]!.data);
  const innerRecs = inner.entries.map((e) => ({ name: e.name, data: inner.read(e.name).slice() }));
  const k = innerRecs.findIndex((x) => x.name.endsWith('data.pkl'));
  const pkl = innerRecs[k]!.data;
  const choice = r();
  if (choice < 0.6) for (let n = 1 + Math.floor(r() * 3); n > 0; n--) pkl[Math.floor(r() * pkl.length)] = Math.floor(r() * 256);
  else if (choice < 0.8) innerRecs[k] = { ...innerRecs[k]!, data: pkl.slice(0, Math.floor(r() * pkl.length)) };
  else {
    // A storage record shortened.
    const st = innerRecs.map((x, j) => (/\/data\/\d+$/.test(x.name) ? j : -1)).filter((j) => j >= 0);
    if (st.length) {
      const j = pick(st, r);
      innerRecs[j] = { ...innerRecs[j]!, data: innerRecs[j]!.data.slice(0, Math.floor(r() * innerRecs[j]!.data.length)) };
    }
  }
  recs[i] = { ...recs[i]!, data: writeZip(innerRecs) };
  return { bytes: repack(recs), structural: false };
};

const MUTATIONS: Array<[string, Mutation]> = [
  ['flip central directory', flipCentralDirectory],
  ['flip any byte', flipAnywhere],
  ['flip in a record', flipInRecord],
  ['truncate', truncate],
  ['garbage around', garbageAround],
  ['inflate sizes', inflateSize],
  ['rename entry', renameEntry],
  ['drop entry', dropEntry],
  ['edit JSON', editJson],
  ['edit JSON', editJson],
  ['damage weights', damageWeights],
  ['damage pickle', damagePickle],
];

const memNow = (): number => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

const sourcePaths = [...CORPUS_SOURCES.map((rel) => [rel, join(CORPUS_DIR, rel)] as const), ...FIXTURES.map((p) => [p.split('/').pop()!, p] as const)].filter(([, p]) => existsSync(p));

describe.skipIf(sourcePaths.length === 0)('fuzzed archives', () => {
  test(`${N} seeded mutations: typed error or a sound program, each within ${TIME_LIMIT_MS} ms, memory bounded`, { timeout: 180_000 }, () => {
    const sources = sourcePaths.map(([rel, p]) => loadSource(rel, p));
    // Lazy and eager loads of the originals agree.
    for (const s of sources) expect(fingerprint(s.bytes, true), s.rel).toBe(s.fingerprint);
    const r = rng(SEED);
    const tally: Record<string, Record<Outcome, number>> = {};
    const base = memNow();
    let peak = base;
    let slowest = 0;
    for (let i = 0; i < N; i++) {
      const src = sources[i % sources.length]!;
      const [kind, mutate] = MUTATIONS[Math.floor(i / sources.length) % MUTATIONS.length]!;
      const { bytes, structural } = mutate(src, r);
      const lazy = r() < 0.5;
      const before = process.memoryUsage().arrayBuffers;
      const t0 = performance.now();
      const outcome = attempt(bytes, src.fingerprint, lazy);
      const ms = performance.now() - t0;
      const grew = process.memoryUsage().arrayBuffers - before;
      slowest = Math.max(slowest, ms);
      const what = `${kind} #${i} on ${src.rel} (${lazy ? 'lazy' : 'eager'})`;
      expect(ms, `${what} took ${ms.toFixed(0)} ms`).toBeLessThan(TIME_LIMIT_MS);
      expect(grew, `${what} allocated ${grew} bytes of buffers`).toBeLessThan(CASE_BUFFER_BOUND);
      // Damage to the container never silently yields a different program.
      if (structural) expect(outcome, what).not.toBe('valid');
      tally[kind] ??= { error: 0, same: 0, valid: 0 };
      tally[kind][outcome]++;
      if (i % 50 === 0) peak = Math.max(peak, memNow());
    }
    peak = Math.max(peak, memNow());
    expect(peak - base, 'heap + buffers grew across the run').toBeLessThan(HEAP_BOUND);
    // Each kind of damage was caught at least sometimes.
    for (const [kind, t] of Object.entries(tally)) expect(t.error, kind).toBeGreaterThan(0);
    console.log(`fuzz: ${N} cases on ${sources.length} archives, slowest ${slowest.toFixed(0)} ms, memory +${((peak - base) / 2 ** 20).toFixed(0)} MiB;`, JSON.stringify(tally));
  });

  test('declared sizes beyond the limits are refused before anything is allocated', () => {
    const [, p] = sourcePaths[0]!;
    const bytes = new Uint8Array(readFileSync(p));
    const zip = new ZipReader(bytes);
    const cd = Math.max(...zip.entries.map((e) => e.dataOffset + e.compressedSize)) + 16;
    // A source that records every read: nothing larger than the file may be asked for.
    const reads: number[] = [];
    const watched = (b: Uint8Array): ByteSource => ({
      size: b.length,
      read: (o, l) => {
        reads.push(l);
        return b.subarray(o, o + l);
      },
    });
    for (const [field, value, method] of [[24, 0x7fffffff, 8], [20, 0xfffffff0, 0], [24, 2 ** 31 + 5, 0]] as const) {
      const b = bytes.slice();
      const v = new DataView(b.buffer);
      let q = cd - 16;
      while (v.getUint32(q, true) !== 0x02014b50) q++;
      v.setUint16(q + 10, method, true);
      v.setUint32(q + field, value, true);
      reads.length = 0;
      const before = process.memoryUsage().arrayBuffers;
      expect(() => loadPt2(watched(b))).toThrow(ArchiveError);
      expect(Math.max(...reads)).toBeLessThanOrEqual(b.length);
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 2 ** 20);
    }
  });
});
