// Export parity with PyTorch 2.11: every corpus program rebuilt through the
// TypeScript API must export to the same op sequence, placeholders, signature,
// range constraints and printout as torch recorded, fail with the same error
// class and message where torch failed, and compute the same numbers.

import { describe, expect, test } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '../core/errors';
import { exportModule } from './export';
import { formatSignature } from './signature';
import { formatRangeConstraints } from './constraints';
import { type ExportedProgram } from './exported-program';
import { Tensor } from '../trace/tensor';
import { CASE_PROGRAMS, EXPORTDB_PROGRAMS, type Program } from '../test/programs';
import {
  CORPUS_DIR,
  type CaseRecord,
  type Recorded,
  archiveTensors,
  corpusAvailable,
  loadCases,
  loadExportDb,
  maxAbsDiff,
  normalizeSymbols,
  valueFrom,
} from '../../testing/corpus';

/**
 * The printout without source comments and blank lines, symbols renamed by first
 * appearance, and node-name counters dropped (`mul_1` → `mul`): torch's counters
 * also count nodes its tracer created and discarded internally. Output names are
 * still compared exactly through the graph signature.
 */
function structural(printed: string): string {
  return normalizeSymbols(
    printed
      .split('\n')
      .filter((l) => l.trim() !== '' && !/^\s*# (File: |No stacktrace found)/.test(l))
      .join('\n'),
  ).replace(/\b([A-Za-z_]\w*?)_\d+\b/g, '$1');
}

/** Signature lines as `kind target` only (decomposed programs rename nodes). */
function kindsAndTargets(sig: string): string[] {
  return sig
    .split('\n')
    .filter((l) => l.includes(':') && !l.startsWith('#'))
    .map((l) => l.replace(/^\s*\S+: /, '').replace(/ persistent=\w+/, ''));
}

function hasData(r: Recorded): boolean {
  const s = JSON.stringify(r);
  return !s.includes('"summary"');
}

function cloneInputs(v: unknown): unknown {
  if (v instanceof Tensor) return Tensor.fromNDArray(v.nd.clone());
  if (Array.isArray(v)) return v.map(cloneInputs);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cloneInputs(x)]));
  return v;
}

function run(ep: ExportedProgram, args: unknown[], kwargs: Record<string, unknown>): unknown {
  return ep.call(cloneInputs(args) as unknown[], cloneInputs(kwargs) as Record<string, unknown>);
}

/** Programs whose recorded eager output depends on state the harness changed before exporting. */
const STATEFUL = new Set(['buffer_mutation', 'tensor_setattr']);

function checkCase(name: string, rec: CaseRecord, prog: Program, archiveDir: string): void {
  const m = rec.modes.nonstrict;
  const args = valueFrom(rec.inputs);
  const kwargs = valueFrom(rec.kwargs) as Record<string, unknown>;
  const mod = prog.make();
  const archive = join(CORPUS_DIR, archiveDir, `${name}.nonstrict.pt2`);
  const weighted = Object.keys(m.state_dict_keys ?? {}).length + Object.keys(m.constants ?? {}).length > 0;
  if (weighted && existsSync(archive)) mod.loadStateDict(archiveTensors(archive), false);
  if (prog.eval) mod.eval();
  const doExport = () => exportModule(mod, prog.untupled ? (args as unknown[])[0] : args, kwargs, { dynamicShapes: prog.dynamicShapes?.() });

  if (m.error) {
    let err: unknown;
    try {
      doExport();
    } catch (e) {
      err = e;
    }
    expect(err, `${name} should fail like torch: ${m.error.type}`).toBeInstanceOf(EngineError);
    expect((err as EngineError).pythonType).toBe(m.error.type);
    const keySentence = m.error.message.split('\n')[0]!;
    expect((err as Error).message).toContain(keySentence);
    const fix = /Suggested fixes:\n {2}(.*)/.exec(m.error.message)?.[1];
    if (fix) expect((err as Error).message).toContain(`Suggested fixes:\n  ${fix}`);
    return;
  }

  if (rec.eager_out && hasData(rec.inputs) && hasData(rec.eager_out) && !STATEFUL.has(name)) {
    const fresh = prog.make();
    if (weighted && existsSync(archive)) fresh.loadStateDict(archiveTensors(archive), false);
    if (prog.eval) fresh.eval();
    const a = cloneInputs(args) as unknown[];
    const kw = cloneInputs(kwargs) as Record<string, unknown>;
    const eager = Object.keys(kw).length ? fresh.call(...a, kw) : fresh.call(...a);
    expect(maxAbsDiff(eager, rec.eager_out)).toBeLessThanOrEqual(1e-5);
  }

  const ep = doExport();
  expect(ep.opSequence()).toEqual(m.ops);
  expect(ep.graph.placeholders.map((p) => p.name)).toEqual(m.placeholders);
  expect(formatSignature(ep.graphSignature)).toBe(m.graph_signature);
  expect(normalizeSymbols(formatRangeConstraints(ep.rangeConstraints))).toBe(normalizeSymbols(m.range_constraints!));
  expect(structural(ep.toString())).toBe(structural(m.printed!));

  const numbers = (!weighted || existsSync(archive)) && !STATEFUL.has(name);
  if (STATEFUL.has(name) && weighted && existsSync(archive)) checkStatefulAgainstEager(prog, archive, ep, args as unknown[]);
  if (numbers && m.exported_out && hasData(rec.inputs) && hasData(m.exported_out) && name !== 'tensor_setattr') {
    const out = run(ep, args as unknown[], kwargs);
    expect(maxAbsDiff(out, m.exported_out)).toBeLessThanOrEqual(1e-5);
  }
  if (m.extra_inputs && m.extra_exported_out && hasData(m.extra_inputs)) {
    const extra = valueFrom(m.extra_inputs) as unknown[];
    expect(maxAbsDiff(run(ep, extra, {}), m.extra_exported_out)).toBeLessThanOrEqual(1e-5);
  }

  const dec = m.decomposed;
  if (dec) {
    const dep = ep.runDecompositions();
    expect(dep.opSequence()).toEqual(dec.ops);
    expect(kindsAndTargets(formatSignature(dep.graphSignature))).toEqual(kindsAndTargets(dec.graph_signature));
    expect(normalizeSymbols(formatRangeConstraints(dep.rangeConstraints))).toBe(normalizeSymbols(dec.range_constraints));
    if (numbers && m.exported_out && hasData(rec.inputs) && hasData(m.exported_out) && name !== 'tensor_setattr') {
      expect(maxAbsDiff(run(dep, args as unknown[], kwargs), m.exported_out)).toBeLessThanOrEqual(1e-5);
    }
  }
}

/**
 * For programs that mutate module state, torch's recorded outputs depend on how
 * often the harness ran them; check instead that the exported program (training
 * IR and decomposed) mutates state exactly like our eager module does.
 */
function checkStatefulAgainstEager(prog: Program, archive: string, ep: ExportedProgram, args: unknown[]): void {
  const eagerMod = prog.make();
  eagerMod.loadStateDict(archiveTensors(archive), false);
  if (prog.eval) eagerMod.eval();
  const before = [...ep.stateDict.values()].map((t) => t.toArray());
  for (const program of [ep, ep.runDecompositions()]) {
    const expected = eagerMod.call(...(cloneInputs(args) as unknown[]));
    const got = run(program, args, {});
    expect(maxAbsDiff(got, { dtype: (expected as Tensor).dtype, shape: (expected as Tensor).shape as number[], data: (expected as Tensor).toArray() })).toBeLessThanOrEqual(1e-5);
    const eagerState = [...eagerMod.stateDict().values()].map((t) => t.toArray());
    expect([...program.stateDict.values()].map((t) => t.toArray())).toEqual(eagerState);
  }
  expect([...ep.stateDict.values()].map((t) => t.toArray())).not.toEqual(before);
}

describe.skipIf(!corpusAvailable)('export parity with torch 2.11: cases.json', () => {
  const cases = corpusAvailable ? loadCases() : {};
  test('every case has a TypeScript rebuild', () => {
    expect(Object.keys(cases).filter((k) => !CASE_PROGRAMS[k])).toEqual([]);
  });
  for (const [name, prog] of Object.entries(CASE_PROGRAMS)) test(name, () => checkCase(name, cases[name]!, prog, 'cases'));
});

describe.skipIf(!corpusAvailable)('export parity with torch 2.11: exportdb.json', () => {
  const db = corpusAvailable ? loadExportDb() : {};
  for (const [name, prog] of Object.entries(EXPORTDB_PROGRAMS)) test(name, () => checkCase(name, db[name]!, prog, 'exportdb'));
});
