// Archives we write, checked by real PyTorch (PT2_REF_PYTHON, default
// /tmp/ref/bin/python): torch.export.load accepts them and ep.module() gives our
// numbers — for programs our engine exported and for corpus archives re-saved
// by us (compared with torch running its own archive). Skipped without PyTorch.

import { describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { treeFlatten } from '../core/pytree';
import { CORPUS_DIR, type Recorded, corpusAvailable, loadCases, loadExportDb, valueFrom } from '../../testing/corpus';
import { CASE_PROGRAMS, EXPORTDB_PROGRAMS } from '../test/programs';
import { exportModule } from '../export/export';
import { SymInt } from '../symbolic';
import { Tensor } from '../trace/tensor';
import { loadPt2 } from './read';
import { savePt2 } from './write';
import { type Graph } from '../ir/graph';
import { defaultRegistry } from '../ops/register-all';

const PYTHON = process.env.PT2_REF_PYTHON ?? '/tmp/ref/bin/python';
const SCRIPT = resolve(__dirname, '../../scripts/serialize/check_load.py');
const available = existsSync(PYTHON) && corpusAvailable;
if (!available) console.warn(`reference PyTorch not found at ${PYTHON} (set PT2_REF_PYTHON): skipping torch.export.load checks`);

interface Job {
  name: string;
  archive: string;
  inputs?: Recorded;
  kwargs?: Recorded;
  expected?: number[][];
  reference?: string;
}
interface Result {
  name: string;
  loaded?: boolean;
  max_diff?: number;
  ref_diff?: number;
  same_print?: boolean;
  error?: string;
}

function missingOps(g: Graph, out = new Set<string>()): Set<string> {
  for (const n of g.nodes)
    if (n.op === 'call_function' && n.target !== 'getitem' && !n.target.startsWith('operator.') && !n.target.startsWith('higher_order.') && !defaultRegistry.has(n.target)) out.add(n.target);
  for (const s of g.subgraphs.values()) missingOps(s, out);
  return out;
}

/** Programs whose outputs are random (randn), so numbers cannot be compared. */
const RANDOM = new Set(['tensor_setattr']);

describe.skipIf(!available)('torch.export.load accepts our archives', () => {
  test('engine-exported and re-saved corpus programs load and run in PyTorch', { timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'pt2-ref-'));
    try {
      const jobs: Job[] = [];
      for (const [recs, progs] of [
        [loadCases(), CASE_PROGRAMS],
        [loadExportDb(), EXPORTDB_PROGRAMS],
      ] as const) {
        for (const [name, prog] of Object.entries(progs)) {
          const rec = recs[name];
          if (!rec || rec.modes.nonstrict.error) continue;
          const mod = prog.make();
          if (prog.eval) mod.eval();
          const args = valueFrom(rec.inputs) as unknown[];
          const kwargs = valueFrom(rec.kwargs) as Record<string, unknown>;
          let ep;
          try {
            ep = exportModule(mod, args, kwargs, { dynamicShapes: prog.dynamicShapes?.() });
          } catch {
            continue; // export parity is tested elsewhere
          }
          const archive = join(dir, `ours_${name}.pt2`);
          writeFileSync(archive, savePt2(ep, { rootName: `ours_${name}` }));
          const job: Job = { name: `exported:${name}`, archive };
          if (JSON.stringify(rec.inputs).includes('"summary"')) {
            jobs.push(job);
            continue;
          }
          job.inputs = rec.inputs;
          job.kwargs = rec.kwargs;
          if (!RANDOM.has(name) && missingOps(ep.graph).size === 0) {
            const out = ep.call(valueFrom(rec.inputs) as unknown[], valueFrom(rec.kwargs) as Record<string, unknown>);
            const leaves = treeFlatten(out, (x) => x instanceof Tensor || x instanceof SymInt).leaves;
            job.expected = leaves.map((l) => (l instanceof Tensor ? l.toArray() : [Number(l instanceof SymInt ? l.hint : l)]));
          }
          jobs.push(job);
        }
      }
      for (const kind of ['cases', 'exportdb', 'models']) {
        for (const f of readdirSync(join(CORPUS_DIR, kind))) {
          if (!f.endsWith('.pt2')) continue;
          const ref = join(CORPUS_DIR, kind, f);
          const b = readFileSync(ref);
          const loaded = loadPt2(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), { copyTensors: true });
          const archive = join(dir, `resaved_${kind}_${f}`);
          writeFileSync(archive, savePt2(loaded.programs.get('model')!, { rootName: loaded.root }));
          jobs.push({ name: `resaved:${kind}/${f}`, archive, reference: ref });
        }
      }
      const manifest = join(dir, 'manifest.json');
      writeFileSync(manifest, JSON.stringify(jobs));
      const stdout = execFileSync(PYTHON, [SCRIPT, manifest], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
      const { results } = JSON.parse(stdout.trim().split('\n').at(-1)!) as { results: Result[] };
      const failures = results.filter((r) => r.error || !r.loaded || (r.max_diff ?? 0) > 1e-4 || (r.ref_diff ?? 0) > 0 || r.same_print === false);
      expect(failures).toEqual([]);
      expect(results.length).toBe(jobs.length);
      // Enough jobs really compared numbers.
      expect(results.filter((r) => r.max_diff !== undefined).length).toBeGreaterThan(15);
      expect(results.filter((r) => r.ref_diff !== undefined).length).toBeGreaterThan(60);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
