// `pt2 run` / `pt2 bench` end to end through the real launcher (kept here with the
// bench tooling): the corpus models reproduce torch's outputs on the CPU backend,
// outputs and JSON reports follow DESIGN.md, user errors exit 1, and the WebGPU
// path runs isolated in a child process that is retried after an abort.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const LAUNCHER = join(ROOT, 'main/cli/pt2.mjs');
const MODELS = resolve(ROOT, '../shared/corpus/torch-2.11/models');
const present = existsSync(join(MODELS, 'gpt2_tiny.pt2'));
const tmp = mkdtempSync(join(tmpdir(), 'pt2-run-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function pt2(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [LAUNCHER, ...args], { encoding: 'utf8', timeout: 180_000, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const MODEL_ARGS: Record<string, string> = {
  mobilenet_v3_small: 'mobilenet_v3_small.in0.float32.bin',
  gpt2_tiny: 'gpt2_tiny.in0.int64.bin:1x16',
  transformer_encoder_layer: 'transformer_encoder_layer.in0.float32.bin',
};

describe.skipIf(!present)('pt2 run --backend cpu', () => {
  // The default (--threads auto) runs on the cores, at most 8; --threads 1 on one.
  const cases = [...Object.entries(MODEL_ARGS).map(([n, i]) => [n, i, 'auto'] as const), ['mobilenet_v3_small', MODEL_ARGS.mobilenet_v3_small!, '1'] as const];
  for (const [name, input, threads] of cases)
    it(`${name} reproduces torch's output (--json, --out, --compare, --threads ${threads})`, () => {
      const out = join(tmp, `${name}-${threads}`);
      const r = pt2(['run', join(MODELS, `${name}.pt2`), '--input', join(MODELS, input), '--out', out, '--compare', join(MODELS, `${name}.out.float32.bin`), '--json', ...(threads === 'auto' ? [] : ['--threads', threads])]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const rep = JSON.parse(r.stdout) as { backend: string; threads: number; ms: number; outputs: Array<{ shape: number[]; dtype: string; file: string }>; compare: Array<{ max_abs_diff: number; max_abs_ref: number }> };
      expect(rep.backend).toBe('cpu');
      expect(rep.threads).toBe(threads === 'auto' ? Math.min(8, availableParallelism()) : 1);
      expect(rep.compare[0]!.max_abs_diff / rep.compare[0]!.max_abs_ref).toBeLessThan(1e-4);
      const bytes = readFileSync(rep.outputs[0]!.file);
      expect(bytes.length).toBe(rep.outputs[0]!.shape.reduce((a, b) => a * b, 1) * 4);
    });

  it('reports user errors with exit 1 and no stack trace', () => {
    const missing = pt2(['run', join(tmp, 'nope.pt2')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^pt2 run: no such file/);
    const badSize = pt2(['run', join(MODELS, 'gpt2_tiny.pt2'), '--input', `${join(MODELS, 'gpt2_tiny.in0.int64.bin')}:1x17`]);
    expect(badSize.code).toBe(1);
    expect(badSize.stderr).toContain('128 bytes, but int64[1, 17] needs 136 bytes');
    expect(pt2(['run', join(MODELS, 'gpt2_tiny.pt2'), '--backend', 'tpu']).code).toBe(1);
    const badThreads = pt2(['run', join(MODELS, 'gpt2_tiny.pt2'), '--threads', '0']);
    expect(badThreads.code).toBe(1);
    expect(badThreads.stderr).toContain("pt2 run: --threads must be a whole number from 1 to 64 or 'auto', got '0'");
  });

  it('pt2 bench --json reports min/median/max', () => {
    const r = pt2(['bench', join(MODELS, 'transformer_encoder_layer.pt2'), '--input', join(MODELS, MODEL_ARGS.transformer_encoder_layer!), '--reps', '5', '--warmup', '1', '--json']);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout) as { backend: string; adapter: unknown; ms: { min: number; median: number; max: number } };
    expect(rep.backend).toBe('cpu');
    expect(rep.adapter).toBeNull();
    expect(rep.ms.min).toBeLessThanOrEqual(rep.ms.median);
    expect(rep.ms.median).toBeLessThanOrEqual(rep.ms.max);
  });
});

// WebGPU needs an adapter: a GPU driver, or Chromium's SwiftShader (the CLI falls back to it).
const webgpuPossible = present && (existsSync('/usr/lib/chromium/vk_swiftshader_icd.json') || Boolean(process.env.VK_ICD_FILENAMES));

describe.skipIf(!webgpuPossible)('pt2 run --backend webgpu (isolated child process)', () => {
  it('reproduces torch and names a software adapter as such', () => {
    const r = pt2(['run', join(MODELS, 'transformer_encoder_layer.pt2'), '--backend', 'webgpu', '--input', join(MODELS, MODEL_ARGS.transformer_encoder_layer!), '--compare', join(MODELS, 'transformer_encoder_layer.out.float32.bin'), '--json']);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout) as { adapter: { software: boolean; description: string }; compare: Array<{ max_abs_diff: number; max_abs_ref: number }> };
    expect(rep.compare[0]!.max_abs_diff / rep.compare[0]!.max_abs_ref).toBeLessThan(1e-4);
    if (/swiftshader/i.test(JSON.stringify(rep.adapter))) expect(rep.adapter.software).toBe(true);
  });
  it('retries in a fresh process when the WebGPU child aborts', () => {
    const marker = join(tmp, 'fault');
    const r = pt2(['run', join(MODELS, 'gpt2_tiny.pt2'), '--backend', 'webgpu', '--input', join(MODELS, MODEL_ARGS.gpt2_tiny!), '--compare', join(MODELS, 'gpt2_tiny.out.float32.bin')], {
      PT2_WEBGPU_FAULT: `abort-once:${marker}`,
    });
    expect(existsSync(marker)).toBe(true);
    expect(r.stderr).toContain('retrying in a fresh process');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/relative \d\.\d+e-([5-9]|\d\d)\b/);
  });
  it('gives up after the retries with exit 2', () => {
    const r = pt2(['run', join(MODELS, 'gpt2_tiny.pt2'), '--backend', 'webgpu'], { PT2_WEBGPU_FAULT: 'abort', PT2_WEBGPU_RETRIES: '1' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('giving up');
  });
});
