// `pt2 export` and `pt2 inspect` end to end (spawning the CLI): the example models'
// op histograms against PyTorch 2.11's (models.json), archives the reference torch
// loads, corpus archives printed exactly as torch printed them, and the error paths.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { CORPUS_DIR, corpusAvailable, loadCases } from '../../testing/corpus';
import type { InspectSummary } from './inspect-command';

const LAUNCHER = fileURLToPath(new URL('./pt2.mjs', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const EXAMPLES = join(REPO, 'assets/examples');
const REF_PYTHON = process.env.PT2_REF_PYTHON ?? '/tmp/ref/bin/python';
const refAvailable = existsSync(REF_PYTHON);
const modelsJson = join(CORPUS_DIR, 'models.json');

function pt2(args: string[], cwd?: string) {
  const t0 = performance.now();
  const res = spawnSync(process.execPath, [LAUNCHER, ...args], { encoding: 'utf8', timeout: 120_000, cwd, maxBuffer: 64 << 20 });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr, ms: performance.now() - t0 };
}

const tmp = mkdtempSync(join(tmpdir(), 'pt2-export-'));

function modelFile(name: string, source: string): string {
  const p = join(tmp, name);
  writeFileSync(p, source);
  return p;
}

describe.skipIf(!corpusAvailable)('pt2 export + pt2 inspect --json: op histograms match torch 2.11 (models.json)', () => {
  const models = corpusAvailable ? (JSON.parse(readFileSync(modelsJson, 'utf8')) as { models: Record<string, { ops_hist: Record<string, number>; range_constraints: string }> }).models : {};
  for (const name of ['resnet18', 'mobilenet_v3_small', 'gpt2_tiny', 'transformer_encoder_layer', 'bert_tiny']) {
    test(name, () => {
      const out = join(tmp, `${name}.pt2`);
      const exp = pt2(['export', join(EXAMPLES, `${name}.py`), '-o', out]);
      expect(exp.stderr).toContain(`wrote ${out}`);
      expect(exp.code).toBe(0);
      if (name === 'resnet18') console.log(`[cli] pt2 export resnet18 end to end: ${exp.ms.toFixed(0)} ms`);
      const ins = pt2(['inspect', out, '--json']);
      expect(ins.code).toBe(0);
      const summary = JSON.parse(ins.stdout) as InspectSummary;
      expect(summary.ops).toEqual(models[name]!.ops_hist);
      // Range constraints as torch recorded them (symbol names aside): `{s77: VR[1, 64]}`.
      // --json writes null for ±int_oo.
      const ours = Object.values(summary.range_constraints).map((r) => `VR[${r.min ?? '-int_oo'}, ${r.max ?? 'int_oo'}]`);
      const torch = [...models[name]!.range_constraints.matchAll(/VR\[[^\]]*\]/g)].map((m) => m[0]);
      expect(ours).toEqual(torch);
      expect(summary.schema_version).toBe('8.17');
      expect(summary.torch_version).toBe('2.11.0');
      expect(summary.inputs.length).toBeGreaterThan(0);
      expect(summary.outputs.every((o) => o.kind === 'tensor')).toBe(true);
      expect(summary.weights.total_bytes).toBe(summary.weights.tensors.reduce((a, w) => a + w.bytes, 0));
      if (name === 'resnet18') {
        expect(summary.inputs).toEqual([{ name: 'x', kind: 'tensor', dtype: 'float32', shape: ['s0', 3, 224, 224] }]);
        expect(summary.outputs).toEqual([{ name: 'linear', kind: 'tensor', dtype: 'float32', shape: ['s0', 1000] }]);
        expect(summary.weights.tensors[0]).toEqual({ name: 'conv1.weight', kind: 'parameter', dtype: 'float32', shape: [64, 3, 7, 7], bytes: 64 * 3 * 7 * 7 * 4 });
        expect(summary.weights.tensors.find((w) => w.name === 'bn1.num_batches_tracked')).toEqual({ name: 'bn1.num_batches_tracked', kind: 'buffer', dtype: 'int64', shape: [], bytes: 8 });
        expect(Object.keys(summary.range_constraints)).toEqual(['s0']);
      }
    }, 120_000);
  }

  test.skipIf(!refAvailable)('an archive pt2 export wrote loads and runs in the reference torch', () => {
    const out = join(tmp, 'resnet18.pt2');
    if (!existsSync(out)) expect(pt2(['export', join(EXAMPLES, 'resnet18.py'), '-o', out]).code).toBe(0);
    const script = `
import collections, json, sys, torch
ep = torch.export.load(sys.argv[1])
hist = collections.Counter(str(n.target) for n in ep.graph.nodes if n.op == "call_function")
y = ep.module()(torch.randn(3, 3, 224, 224))
print(json.dumps({"ops": hist, "shape": list(y.shape), "finite": bool(torch.isfinite(y).all()), "ranges": str(ep.range_constraints)}))
`;
    const res = spawnSync(REF_PYTHON, ['-c', script, out], { encoding: 'utf8', timeout: 120_000 });
    expect(res.stderr).not.toContain('Traceback');
    const got = JSON.parse(res.stdout.trim().split('\n').pop()!) as { ops: Record<string, number>; shape: number[]; finite: boolean };
    expect(got.ops).toEqual(JSON.parse(readFileSync(modelsJson, 'utf8')).models.resnet18.ops_hist);
    expect(got.shape).toEqual([3, 1000]);
    expect(got.finite).toBe(true);
  }, 120_000);
  // Archives written by `pt2 export` give the same numbers in torch as in `pt2 run`.
  for (const [name, shape] of [
    ['resnet18', [2, 3, 224, 224]],
    ['mobilenet_v3_small', [1, 3, 224, 224]],
    ['transformer_encoder_layer', [2, 10, 64]],
  ] as const) {
    test.skipIf(!refAvailable)(`${name}: torch.export.load(our archive).module() matches pt2 run on the same input`, () => {
      const out = join(tmp, `${name}.pt2`);
      if (!existsSync(out)) expect(pt2(['export', join(EXAMPLES, `${name}.py`), '-o', out]).code).toBe(0);
      const n = (shape as readonly number[]).reduce((a, b) => a * b, 1);
      const input = new Float32Array(n);
      let seed = 12345;
      for (let i = 0; i < n; i++) input[i] = ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
      const inFile = join(tmp, `${name}.in.bin`);
      writeFileSync(inFile, Buffer.from(input.buffer));
      const outDir = join(tmp, `${name}-out`);
      const run = pt2(['run', out, '--input', `${inFile}:${shape.join('x')}`, '--out', outDir]);
      expect(run.code, String(run.stderr)).toBe(0);
      const script = `
import json, sys, numpy, torch
ep = torch.export.load(sys.argv[1])
x = torch.from_numpy(numpy.fromfile(sys.argv[2], dtype=numpy.float32).reshape(${JSON.stringify(shape)}))
y = ep.module()(x)
y = y[0] if isinstance(y, (tuple, list)) else y
ours = torch.from_numpy(numpy.fromfile(sys.argv[3], dtype=numpy.float32).reshape(y.shape))
print(json.dumps({"max_abs": float((y - ours).abs().max()), "scale": float(y.abs().max())}))
`;
      const res = spawnSync(REF_PYTHON, ['-c', script, out, inFile, join(outDir, 'out0.bin')], { encoding: 'utf8', timeout: 120_000 });
      expect(res.stderr).not.toContain('Traceback');
      const got = JSON.parse(res.stdout.trim().split('\n').pop()!) as { max_abs: number; scale: number };
      expect(got.max_abs).toBeLessThanOrEqual(1e-4 * Math.max(1, got.scale));
    }, 180_000);
  }
});
if (!refAvailable) console.log(`[cli] reference torch not found at ${REF_PYTHON}: the torch.export.load check is skipped`);

describe.skipIf(!corpusAvailable)('pt2 inspect prints corpus archives exactly as torch printed them', () => {
  for (const name of ['seed_dynamic_batch', 'buffer_mutation', 'cond_data', 'nested_io']) {
    test(name, () => {
      const rec = loadCases()[name]!;
      const res = pt2(['inspect', join(CORPUS_DIR, 'cases', `${name}.nonstrict.pt2`)]);
      expect(res.code).toBe(0);
      expect(res.stdout).toBe(`${rec.modes.nonstrict.printed}\n`);
    });
  }
});

describe('pt2 export / inspect: options and errors', () => {
  const SMALL = `import torch
from torch.export import Dim

class M(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(4, 2)

    def forward(self, x):
        return torch.nn.functional.silu(self.lin(x))

model = M()
example_args = (torch.randn(3, 4),)
dynamic_shapes = {"x": {0: Dim("batch")}}
`;

  test('--decompose --print prints the core ATen program it saves; relative paths resolve against the cwd', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pt2-export-cwd-'));
    writeFileSync(join(dir, 'model.py'), `${SMALL}\nprint(open("data.txt").read().strip())\n`);
    writeFileSync(join(dir, 'data.txt'), 'read from the cwd\n');
    const res = pt2(['export', 'model.py', '-o', 'out.pt2', '--decompose', '--print'], dir);
    expect(res.stderr).toContain('wrote out.pt2');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('read from the cwd\nExportedProgram:');
    expect(res.stdout).toContain('torch.ops.aten.addmm.default');
    expect(res.stdout).toContain('torch.ops.aten.sigmoid.default');
    expect(res.stdout).not.toContain('aten.linear.default');
    const printed = res.stdout.slice(res.stdout.indexOf('ExportedProgram:'));
    const ins = pt2(['inspect', join(dir, 'out.pt2')]);
    expect(ins.code).toBe(0);
    expect(ins.stdout).toBe(printed);
  }, 60_000);

  test('a MODEL.py without `model` is a user error naming what it must define', () => {
    const p = modelFile('no_model.py', 'import torch\nexample_args = (torch.randn(2),)\n');
    const res = pt2(['export', p, '-o', join(tmp, 'x.pt2')]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`pt2 export: ${p} does not define \`model\`. MODEL.py must define, at module level, \`model\` (a torch.nn.Module instance) and \`example_args\``);
    expect(existsSync(join(tmp, 'x.pt2'))).toBe(false);
  }, 60_000);

  test('an export error: message with Suggested fixes, no traceback, exit 1; --verbose adds the traceback', () => {
    const p = modelFile('branchy.py', `import torch
from torch.export import Dim
class M(torch.nn.Module):
    def forward(self, x):
        if x.shape[0] == 4:
            return x + 1
        return x - 1
model = M()
example_args = (torch.randn(4, 3),)
dynamic_shapes = ({0: Dim("b")},)
`);
    const res = pt2(['export', p, '-o', join(tmp, 'y.pt2')]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('pt2 export: export failed: torch._dynamo.exc.UserError: Constraints violated (b)!');
    expect(res.stderr).toContain('Suggested fixes:\n  b = 4');
    expect(res.stderr).not.toContain('Traceback');
    const verbose = pt2(['export', p, '-o', join(tmp, 'y.pt2'), '--verbose']);
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toContain('Traceback (most recent call last):');
    expect(verbose.stderr).toContain('torch/export/__init__.py", line');
    expect(verbose.stderr).not.toContain('_pt2_model.py');
  }, 60_000);

  test('--strict is a clear "not supported yet" user error', () => {
    const res = pt2(['export', join(EXAMPLES, 'resnet18.py'), '-o', join(tmp, 'z.pt2'), '--strict']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('--strict (strict capture, like torch.export.export(strict=True)) is not supported yet');
  });

  test('bad and missing files are user errors with the reader\'s message', () => {
    const bad = join(tmp, 'bad.pt2');
    writeFileSync(bad, 'not a zip archive at all');
    const res = pt2(['inspect', bad, '--json']);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(`pt2 inspect: ${bad}: PT2 archive: no end-of-central-directory record (not a zip archive, or truncated)\n`);
    const missing = pt2(['inspect', join(tmp, 'nope.pt2')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("cannot open");
    const noModel = pt2(['export', join(tmp, 'nope.py'), '-o', join(tmp, 'nope.pt2')]);
    expect(noModel.code).toBe(1);
    expect(noModel.stderr).toContain("cannot open");
    expect(pt2(['inspect', '--help']).stdout).toContain('range_constraints  {symbol: {min, max}}');
  });
});
