// Every .pt2 in the 2.11 corpus loads, and what we reconstruct matches what torch
// recorded for the export that wrote it: op sequence, placeholders, signature,
// state dict, constants and range constraints.

import { describe, expect, test } from 'vitest';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_DIR, type ModeRecord, corpusAvailable, loadCases, loadExportDb, normalizeSymbols } from '../../testing/corpus';
import { formatSignature } from '../export/signature';
import { formatRangeConstraints } from '../export/constraints';
import { isTensorMeta } from '../ops/types';
import { loadPt2, parseStackTrace, targetFromSerialized } from './read';
import { ArchiveError } from './zip';

interface CorpusArchive {
  rel: string;
  path: string;
  name: string;
  mode: 'strict' | 'nonstrict';
  record?: ModeRecord;
}

function corpusArchives(): CorpusArchive[] {
  const out: CorpusArchive[] = [];
  for (const kind of ['cases', 'exportdb', 'models']) {
    const dir = join(CORPUS_DIR, kind);
    if (!existsSync(dir)) continue;
    const recs: Record<string, { modes: Record<string, ModeRecord> }> = kind === 'cases' ? loadCases() : kind === 'exportdb' ? loadExportDb() : {};
    for (const f of readdirSync(dir).sort()) {
      if (!f.endsWith('.pt2')) continue;
      const mode = f.endsWith('.nonstrict.pt2') ? 'nonstrict' : 'strict';
      const name = f.replace(/(\.nonstrict)?\.pt2$/, '');
      out.push({ rel: `${kind}/${f}`, path: join(dir, f), name, mode, record: recs[name]?.modes[mode] });
    }
  }
  return out;
}

const bytesOf = (p: string): Uint8Array => {
  const b = readFileSync(p);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
};

const archives = corpusAvailable ? corpusArchives() : [];

describe.skipIf(!corpusAvailable)('corpus archives load', () => {
  test('the corpus has archives', () => {
    expect(archives.length).toBeGreaterThan(70);
  });

  test.each(archives.map((a) => [a.rel, a] as const))('%s', (_rel, a) => {
    const loaded = loadPt2(bytesOf(a.path));
    expect(loaded.schemaVersion).toEqual({ major: 8, minor: 17 });
    expect(loaded.torchVersion).toBe('2.11.0+cu130');
    const ep = loaded.programs.get('model')!;
    expect(ep).toBeDefined();
    ep.graph.lint();
    const rec = a.record;
    if (!rec) return;
    expect(ep.opSequence()).toEqual(rec.ops);
    expect(ep.graph.placeholders.map((p) => p.name)).toEqual(rec.placeholders);
    // The file does not record whether a tensor constant was persistent; torch's reload prints none.
    const sig = (t: string) => t.replace(/(: CONSTANT_TENSOR target='[^']*') persistent=True/g, '$1');
    expect(sig(formatSignature(ep.graphSignature))).toBe(sig(rec.graph_signature!));
    expect(normalizeSymbols(formatRangeConstraints(ep.rangeConstraints))).toBe(normalizeSymbols(rec.range_constraints!));
    const sd = Object.fromEntries([...ep.stateDict].map(([k, t]) => [k, t.shape.map(Number)]));
    expect(sd).toEqual(rec.state_dict_keys);
    const consts = Object.fromEntries([...ep.constants].map(([k, t]) => [k, t.shape.map(Number)]));
    expect(consts).toEqual(rec.constants);
  });
});

describe.skipIf(!corpusAvailable)('details of loaded programs', () => {
  const load = (rel: string) => loadPt2(bytesOf(join(CORPUS_DIR, rel))).programs.get('model')!;

  test('cond: subgraphs become get_attr nodes and the operands a tuple', () => {
    const ep = load('cases/cond_data.pt2');
    const cond = ep.graph.nodes.find((n) => n.target === 'higher_order.cond')!;
    expect(cond.args.map(String).slice(0, 3)).toEqual(['%gt', '%true_graph_0', '%false_graph_0']);
    expect([...ep.graph.subgraphs.keys()]).toEqual(['true_graph_0', 'false_graph_0']);
    expect(ep.toString()).toContain('cond = torch.ops.higher_order.cond(gt, true_graph_0, false_graph_0, (x,))');
    expect(ep.toString()).toContain('class true_graph_0(torch.nn.Module):');
  });

  test('every loaded archive prints exactly as torch printed the program', () => {
    const mismatches: string[] = [];
    for (const kind of ['cases', 'exportdb'] as const) {
      const db = kind === 'cases' ? loadCases() : loadExportDb();
      for (const f of readdirSync(join(CORPUS_DIR, kind)).sort()) {
        const name = f.replace(/(\.nonstrict)?\.pt2$/, '');
        const rec = db[name]?.modes[f.includes('.nonstrict') ? 'nonstrict' : 'strict'];
        // Where torch's own reload printed differently (e.g. `persistent=True` on
        // constants is not stored in the file), reload is the reference.
        if (!rec?.printed || (rec as { reloaded_printed_same?: boolean }).reloaded_printed_same === false) continue;
        const printed = load(`${kind}/${f}`).toString();
        if (printed !== rec.printed) mismatches.push(f);
      }
    }
    expect(mismatches).toEqual([]);
  });

  test('symbolic sizes and sym values', () => {
    // Symbols keep the names torch gave them, so the program prints as torch printed it.
    const ep = load('cases/views.pt2');
    const torchRange = loadCases().views!.modes.strict.range_constraints!; // e.g. {s6: VR[2, 100]}
    const sym = /\{(s\d+):/.exec(torchRange)![1]!;
    const x = ep.graph.placeholders[0]!;
    expect(isTensorMeta(x.meta.val) && String(x.meta.val.shape[0])).toBe(sym);
    const sz = ep.graph.nodes.find((n) => n.name === 'sym_size_int_1')!;
    expect(String(sz.meta.val)).toBe(sym);
    expect(`{${ep.rangeConstraints.map((r) => `${r.expr}: ${r.range}`).join(', ')}}`).toBe(torchRange);
  });

  test('stack traces and module stacks', () => {
    const ep = load('cases/item_slice.pt2');
    const item = ep.graph.nodes.find((n) => n.name === 'item')!;
    expect(item.meta.stackTrace!.at(-1)).toEqual({ file: '/home/users/projects/harvest/cases.py', line: 133, name: 'forward', code: 'n = k.item()' });
    expect(item.meta.nnModuleStack).toEqual([['L__self__', '', '__main__.ItemSlice']]);
  });

  test('tied weights share storage', () => {
    const ep = load('models/gpt2_tiny.pt2');
    const wte = ep.stateDict.get('m.transformer.wte.weight')!;
    const head = ep.stateDict.get('m.lm_head.weight')!;
    expect(wte.nd.storage).toBe(head.nd.storage);
  });
});

describe('pieces', () => {
  test('target names', () => {
    expect(targetFromSerialized('torch.ops.aten.add.Tensor')).toBe('aten.add.Tensor');
    expect(targetFromSerialized('_operator.getitem')).toBe('getitem');
    expect(targetFromSerialized('_operator.add')).toBe('operator.add');
    expect(targetFromSerialized('torch.ops.higher_order.cond')).toBe('higher_order.cond');
    expect(targetFromSerialized('torch.sym_max')).toBe('torch.sym_max');
    expect(targetFromSerialized('os.system')).toBeUndefined();
    expect(targetFromSerialized('_operator.attrgetter')).toBeUndefined();
  });

  test('stack trace text', () => {
    const frames = parseStackTrace('File "/a.py", line 3, in f\n    x = 1\n  File "/b.py", line 10, in forward\n    return g(x)');
    expect(frames).toEqual([
      { file: '/a.py', line: 3, name: 'f', code: 'x = 1' },
      { file: '/b.py', line: 10, name: 'forward', code: 'return g(x)' },
    ]);
  });

  test('not an archive', () => {
    expect(() => loadPt2(new Uint8Array(100))).toThrow(ArchiveError);
    expect(() => loadPt2(new TextEncoder().encode('PYTORCH1 and more'))).toThrow(/TorchScript/);
  });
});
