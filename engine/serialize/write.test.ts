// The writer against the corpus: a loaded archive saved again reproduces torch's
// bytes (every record but the serialization id, which nothing outside PyTorch can
// reproduce), round trips keep the program, and freshly exported programs survive
// save → load.

import { describe, expect, test } from 'vitest';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_DIR, corpusAvailable, loadCases, loadExportDb, valueFrom } from '../../testing/corpus';
import { CASE_PROGRAMS, EXPORTDB_PROGRAMS } from '../test/programs';
import { exportModule } from '../export/export';
import { type ExportedProgram } from '../export/exported-program';
import { Tensor } from '../trace/tensor';
import { loadPt2 } from './read';
import { savePt2 } from './write';
import { ZipReader } from './zip';

const bytesOf = (p: string): Uint8Array => {
  const b = readFileSync(p);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
};

const archives: string[] = [];
if (corpusAvailable)
  for (const kind of ['cases', 'exportdb', 'models'])
    for (const f of readdirSync(join(CORPUS_DIR, kind)).sort()) if (f.endsWith('.pt2')) archives.push(`${kind}/${f}`);

function stateBytes(ep: ExportedProgram): string[] {
  return [...ep.stateDict, ...ep.constants].map(([k, t]) => `${k}:${t.dtype}:${t.shape.join('x')}:${t.toArray().join(',')}`);
}

describe.skipIf(!corpusAvailable)('re-saving corpus archives', () => {
  test.each(archives)('%s: same records, same bytes', (rel) => {
    const orig = bytesOf(join(CORPUS_DIR, rel));
    const loaded = loadPt2(orig);
    const ours = savePt2(loaded.programs.get('model')!, { rootName: loaded.root });
    const a = new ZipReader(orig);
    const b = new ZipReader(ours);
    expect(b.entries.map((e) => e.name)).toEqual(a.entries.map((e) => e.name));
    for (const e of a.entries) {
      if (e.name.endsWith('.data/serialization_id')) {
        expect(b.readText(e.name)).toMatch(/^\d{40}$/);
        continue;
      }
      const x = a.read(e.name);
      const y = b.read(e.name);
      expect(y.length, e.name).toBe(x.length);
      expect(Buffer.from(y).equals(Buffer.from(x)), e.name).toBe(true);
      // Same layout too: data at the same 64-aligned offsets.
      expect(b.entry(e.name)!.dataOffset, e.name).toBe(e.dataOffset);
    }
  });

  test.each(archives)('%s: load → save → load keeps the program', (rel) => {
    const ep1 = loadPt2(bytesOf(join(CORPUS_DIR, rel))).programs.get('model')!;
    const ep2 = loadPt2(savePt2(ep1)).programs.get('model')!;
    ep2.graph.lint();
    expect(ep2.toString()).toBe(ep1.toString());
    expect(ep2.opSequence()).toEqual(ep1.opSequence());
    expect(ep2.rangeConstraints.map(String)).toEqual(ep1.rangeConstraints.map(String));
    expect(ep2.parts.inSpec).toEqual(ep1.parts.inSpec);
    expect(ep2.parts.outSpec).toEqual(ep1.parts.outSpec);
    expect(ep2.parts.inputPaths).toEqual(ep1.parts.inputPaths);
    expect(stateBytes(ep2)).toEqual(stateBytes(ep1));
  });
});

function exportedPrograms(): Array<[string, () => ExportedProgram]> {
  if (!corpusAvailable) return [];
  const out: Array<[string, () => ExportedProgram]> = [];
  for (const [recs, progs] of [
    [loadCases(), CASE_PROGRAMS],
    [loadExportDb(), EXPORTDB_PROGRAMS],
  ] as const) {
    for (const [name, prog] of Object.entries(progs)) {
      const rec = recs[name];
      if (!rec || rec.modes.nonstrict.error) continue;
      out.push([
        name,
        () => {
          const mod = prog.make();
          if (prog.eval) mod.eval();
          return exportModule(mod, valueFrom(rec.inputs) as unknown[], valueFrom(rec.kwargs) as Record<string, unknown>, { dynamicShapes: prog.dynamicShapes?.() });
        },
      ]);
    }
  }
  return out;
}

describe.skipIf(!corpusAvailable)('programs exported by the engine', () => {
  const progs = exportedPrograms();
  test('there are some', () => expect(progs.length).toBeGreaterThan(20));
  test.each(progs)('%s: save → load gives the same program', (_name, make) => {
    let ep: ExportedProgram;
    try {
      ep = make();
    } catch (e) {
      // Export itself is another file's concern; only successful exports are saved.
      console.warn(`export failed: ${(e as Error).message.split('\n')[0]}`);
      return;
    }
    const loaded = loadPt2(savePt2(ep)).programs.get('model')!;
    loaded.graph.lint();
    expect(loaded.toString()).toBe(ep.toString());
    // torch names star-args leaves `myargs_0` where export says `myargs[0]`.
    const star = (ps: readonly string[]) => ps.map((p) => p.replace(/^(\w+)\[(\d+)\]$/, '$1_$2'));
    expect(star(loaded.parts.inputPaths)).toEqual(star(ep.parts.inputPaths));
    expect(stateBytes(loaded)).toEqual(stateBytes(ep));
  });
});

describe('writer details', () => {
  test('an archive without weights', () => {
    if (!existsSync(join(CORPUS_DIR, 'cases/seed_sin_cos.pt2'))) return;
    const ep = loadPt2(bytesOf(join(CORPUS_DIR, 'cases/seed_sin_cos.pt2'))).programs.get('model')!;
    const zip = new ZipReader(savePt2(ep, { rootName: 'x' }));
    expect(zip.entries.map((e) => e.name)).toEqual([
      'x/data/weights/model_weights_config.json',
      'x/data/constants/model_constants_config.json',
      'x/models/model.json',
      'x/data/sample_inputs/model.pt',
      'x/archive_format',
      'x/archive_version',
      'x/.data/version',
      'x/byteorder',
      'x/.data/serialization_id',
    ]);
    for (const e of zip.entries) expect(e.dataOffset % 64).toBe(0);
    expect(zip.readText('x/data/weights/model_weights_config.json')).toBe('{"config": {}}');
    expect(zip.readText('x/.data/version')).toBe('6\n');
  });

  test('tied weights are written once', () => {
    if (!existsSync(join(CORPUS_DIR, 'models/gpt2_tiny.pt2'))) return;
    const ep = loadPt2(bytesOf(join(CORPUS_DIR, 'models/gpt2_tiny.pt2'))).programs.get('model')!;
    const zip = new ZipReader(savePt2(ep));
    const cfg = JSON.parse(zip.readText('archive/data/weights/model_weights_config.json')).config;
    expect(cfg['m.lm_head.weight'].path_name).toBe(cfg['m.transformer.wte.weight'].path_name);
  });

  test('int64 and half tensors survive', () => {
    if (!existsSync(join(CORPUS_DIR, 'cases/seed_sin_cos.pt2'))) return;
    const ep = loadPt2(bytesOf(join(CORPUS_DIR, 'cases/seed_sin_cos.pt2'))).programs.get('model')!;
    // Constants not referenced by the graph are still saved and loaded.
    ep.constants.set('big', valueFrom({ dtype: 'int64', shape: [3], data: [-(2 ** 40), 7, 2 ** 50] }) as Tensor);
    ep.constants.set('half', valueFrom({ dtype: 'float16', shape: [2], data: [1.5, -0.0999755859375] }) as Tensor);
    const back = loadPt2(savePt2(ep)).programs.get('model')!;
    expect(back.constants.get('big')!.toArray()).toEqual([-(2 ** 40), 7, 2 ** 50]);
    expect(back.constants.get('half')!.toArray()).toEqual([1.5, -0.0999755859375]);
  });
});
