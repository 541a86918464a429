// Serialization bench: a GPT-2-sized (~500 MB float32) .pt2 archive, written by
// the reference PyTorch (scripts/bench/make_big_gpt2.py; cached under /tmp, not
// committed), opened and loaded by us and by torch.export.load in the same run.
//
//   npx tsx scripts/bench/serialize-bench.ts [--python PATH] [--file PATH] [--reps N] [--layers N] [--json]
//
// Rows: open to signature (lazy, through a file ByteSource: directory + JSON +
// sample inputs, no weights), full load (bytes in memory, CRC-checked views;
// and lazy + every weight touched), save (savePt2 + write), each against
// torch.export.load / torch.export.save of the same file (one thread).
// Standalone: not part of `npm run bench` (scripts/bench/bench.ts belongs to the
// runtime bench).

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadPt2 } from '../../engine/serialize/read';
import { savePt2 } from '../../engine/serialize/write';
import { isLazyPending } from '../../engine/serialize/tensor-data';
import { openFileSource } from '../../main/cli/file-source';
import type { ExportedProgram } from '../../engine/export/exported-program';

const HERE = import.meta.dirname;
const { values: args } = parseArgs({
  options: {
    python: { type: 'string', default: process.env.PT2_REF_PYTHON ?? '/tmp/ref/bin/python' },
    file: { type: 'string', default: '/tmp/pt2-bench/gpt2_big.pt2' },
    reps: { type: 'string', default: '3' },
    layers: { type: 'string', default: '12' },
    json: { type: 'boolean', default: false },
  },
});
const reps = Math.max(1, Number(args.reps));
const file = resolve(args.file!);
const py = args.python!;
const MB = 2 ** 20;

function python(argv: string[]): Record<string, unknown> {
  const r = spawnSync(py, [join(HERE, 'make_big_gpt2.py'), ...argv], { encoding: 'utf8', maxBuffer: 1 << 24, env: { ...process.env, OMP_NUM_THREADS: '1' } });
  if (r.status !== 0) throw new Error(`${py} make_big_gpt2.py ${argv.join(' ')} failed:\n${r.stderr.slice(-2000)}`);
  const line = r.stdout.trim().split('\n').pop()!;
  return JSON.parse(line) as Record<string, unknown>;
}

function best<T>(n: number, f: () => T): { s: number; value: T } {
  let s = Infinity;
  let value!: T;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    value = f();
    s = Math.min(s, (performance.now() - t0) / 1000);
  }
  return { s, value };
}

const touchAll = (ep: ExportedProgram): number => {
  let n = 0;
  const seen = new Set<unknown>();
  for (const t of [...ep.stateDict.values(), ...ep.constants.values()]) {
    const st = t.nd.storage;
    if (seen.has(st)) continue;
    seen.add(st);
    n += st.data.byteLength;
  }
  return n;
};

if (!existsSync(py)) throw new Error(`reference python ${py} not found (--python)`);
if (!existsSync(file)) console.error(`generating ${file} with ${py} …`);
const made = python(['make', file, '--layers', args.layers!]);
const size = statSync(file).size;

// Ours: open to the signature (lazy).
const open = best(reps, () => {
  const src = openFileSource(file);
  const a = loadPt2(src);
  const ep = a.programs.get('model')!;
  const sig = ep.graphSignature.inputSpecs.length + ep.graph.nodes.length;
  const pending = [...ep.stateDict.values()].every((t) => isLazyPending(t.nd.storage));
  src.close();
  return { read: src.bytesRead, sig, pending };
});

// Ours: full load from bytes in memory (file read included), CRC checked.
const eager = best(reps, () => {
  const b = readFileSync(file);
  const bytes = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  const ep = loadPt2(bytes).programs.get('model')!;
  return { ep, n: touchAll(ep) };
});

// Ours: lazy open, then every weight touched (read, CRC, convert).
const lazyFull = best(reps, () => {
  const src = openFileSource(file);
  const ep = loadPt2(src).programs.get('model')!;
  const n = touchAll(ep);
  src.close();
  return n;
});

// Ours: save (build the archive bytes and write them).
const ours = join(resolve(file, '..'), 'gpt2_big.ours.pt2');
const save = best(reps, () => {
  const out = savePt2(eager.value.ep, { rootName: 'gpt2_big' });
  writeFileSync(ours, out);
  return out.length;
});

// Torch, same file, same machine, one thread; also loads what we saved.
const torch = python(['time', file, ours, '--reps', String(reps)]);
rmSync(ours, { force: true });

const mbps = (bytes: number, s: number) => (bytes / MB / s).toFixed(0);
const rows = [
  { what: 'open to signature', ours: open.s, torch: undefined as number | undefined, note: `${open.s < 0.5 ? 'under' : 'OVER'} the 0.5 s target; read ${(open.value.read / MB).toFixed(2)} MiB of ${(size / MB).toFixed(0)} MiB, weights untouched: ${open.value.pending}` },
  { what: 'full load (bytes in memory)', ours: eager.s, torch: torch.load_s as number, note: `${mbps(size, eager.s)} MB/s (readFileSync + loadPt2 + CRC)` },
  { what: 'full load (lazy + touch all)', ours: lazyFull.s, torch: torch.load_s as number, note: `${mbps(size, lazyFull.s)} MB/s` },
  { what: 'save', ours: save.s, torch: torch.save_s as number, note: `${mbps(save.value, save.s)} MB/s (savePt2 + writeFileSync)` },
];

if (args.json) console.log(JSON.stringify({ file, size, made, torch, rows }, null, 1));
else {
  console.log(`archive ${file}: ${(size / MB).toFixed(1)} MiB${made.params ? `, ${String(made.params)} params` : ''}; best of ${reps}; torch ${py} (1 thread)`);
  console.log(`torch.export.load of our re-saved archive: ${Number(torch.load_ours_s).toFixed(2)} s, state dict equal: ${torch.ours_state_dict_equal}`);
  const pad = (s: string, n: number) => s.padEnd(n);
  console.log(`${pad('step', 30)}${pad('ours (s)', 10)}${pad('torch (s)', 11)}${pad('torch/ours', 12)}note`);
  for (const r of rows)
    console.log(`${pad(r.what, 30)}${pad(r.ours.toFixed(3), 10)}${pad(r.torch === undefined ? '-' : r.torch.toFixed(3), 11)}${pad(r.torch === undefined ? '-' : `${(r.torch / r.ours).toFixed(2)}x`, 12)}${r.note}`);
}
