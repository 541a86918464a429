// CpuRuntime end to end: the corpus model archives against torch's outputs (in
// the training IR and, where our run_decompositions() handles the model, in core
// ATen), the corpus case archives against what PyTorch 2.11 recorded, and the
// runtime's own guarantees (reference-kernel parity, fusion, buffer reuse,
// error context).

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { NDArray, Storage, contiguousStrides } from '../../core/ndarray';
import { treeFlattenWithPath, treeUnflatten } from '../../core/pytree';
import { type ExportedProgram } from '../../export/exported-program';
import { Graph } from '../../ir/graph';
import { loadPt2 } from '../../serialize/read';
import { CORPUS_DIR, corpusAvailable, loadCases, maxAbsDiff, valueFrom } from '../../../testing/corpus';
import { Tensor } from '../../trace/tensor';
import { frozenInputIndices, programInputs, userOutputs } from '../program';
import { CpuRuntime, type CpuRuntimeOptions } from './cpu-runtime';
import { randArray, rng } from './test-helpers';

const MODELS = join(CORPUS_DIR, 'models');

function loadProgram(path: string): ExportedProgram {
  return [...loadPt2(new Uint8Array(readFileSync(path))).programs.values()][0]!;
}

function readInput(name: string): NDArray {
  const file = readdirSync(MODELS).find((f) => f.startsWith(`${name}.in0.`))!;
  const dtype = file.split('.')[2] as 'float32' | 'int64';
  const b = readFileSync(join(MODELS, file));
  const data = dtype === 'float32' ? new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length)) : Float64Array.from(new BigInt64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length)), Number);
  return new NDArray(new Storage(dtype, data), [], []);
}

function runOn(ep: ExportedProgram, user: unknown[], opts: CpuRuntimeOptions = {}): unknown[] {
  const rt = new CpuRuntime(ep.graph, { frozenInputs: frozenInputIndices(ep), ...opts });
  return userOutputs(ep, rt.run(programInputs(ep, user)), user);
}

/** max |ours − torch| / max |torch| for a model archive's recorded output. */
function relativeError(name: string, out: NDArray): number {
  const b = readFileSync(join(MODELS, `${name}.out.float32.bin`));
  const ref = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
  const got = out.toFlat();
  expect(got.length).toBe(ref.length);
  let diff = 0, scale = 0;
  for (let i = 0; i < ref.length; i++) {
    diff = Math.max(diff, Math.abs(ref[i]! - got[i]!));
    scale = Math.max(scale, Math.abs(ref[i]!));
  }
  return diff / scale;
}

interface Summary {
  shape: number[];
  summary: { sum: number; abs_sum: number; min: number; max: number };
}
const isSummary = (r: unknown): r is Summary => typeof r === 'object' && r !== null && 'summary' in r;

/** Largest elementwise difference between two output trees of tensors. */
function maxDiff(a: unknown, b: unknown): number {
  if (a instanceof Tensor && b instanceof Tensor) {
    const x = a.toArray(), y = b.toArray();
    return Math.max(0, ...x.map((v, i) => Math.abs(v - y[i]!)));
  }
  if (Array.isArray(a) && Array.isArray(b)) return Math.max(0, ...a.map((v, i) => maxDiff(v, b[i])));
  return a === b ? 0 : Infinity;
}

const MODEL_INPUTS: Record<string, number[]> = {
  mobilenet_v3_small: [1, 3, 224, 224],
  gpt2_tiny: [1, 16],
  transformer_encoder_layer: [2, 10, 64],
};

const modelsPresent = corpusAvailable && existsSync(MODELS);

describe.skipIf(!modelsPresent)('corpus models vs torch (NAME.out.float32.bin)', () => {
  for (const [name, shape] of Object.entries(MODEL_INPUTS)) {
    const input = () => {
      const raw = readInput(name);
      return new NDArray(raw.storage, shape, contiguousStrides(shape));
    };
    it(`${name}: training IR within 1e-4 of the output scale`, () => {
      const ep = loadProgram(join(MODELS, `${name}.pt2`));
      const [out] = runOn(ep, [input()]) as NDArray[];
      expect(relativeError(name, out!)).toBeLessThan(1e-4);
    });
    it(`${name}: core ATen (run_decompositions) within 1e-4`, (ctx) => {
      const ep = loadProgram(join(MODELS, `${name}.pt2`));
      let core: ExportedProgram;
      try {
        core = ep.runDecompositions();
      } catch (e) {
        ctx.skip(`run_decompositions() does not handle ${name} yet: ${(e as Error).message.split('\n')[0]}`);
        return;
      }
      const [out] = runOn(core, [input()]) as NDArray[];
      expect(relativeError(name, out!)).toBeLessThan(1e-4);
    });
  }

  // Core ATen made by torch itself (scripts/bench/make-core-archives.py), independent of our run_decompositions().
  const coreDir = process.env.PT2_CORE_ARCHIVES ?? join(tmpdir(), 'pt2-core');
  for (const [name, shape] of Object.entries(MODEL_INPUTS))
    it(`${name}: core ATen from torch's run_decompositions() within 1e-4`, (ctx) => {
      const file = join(coreDir, `${name}.core.pt2`);
      if (!existsSync(file)) {
        ctx.skip(`${file} is missing: run scripts/bench/make-core-archives.py with the reference PyTorch`);
        return;
      }
      const raw = readInput(name);
      const [out] = runOn(loadProgram(file), [new NDArray(raw.storage, shape, contiguousStrides(shape))]) as NDArray[];
      expect(relativeError(name, out!)).toBeLessThan(1e-4);
    });

  it('fast kernels and fusion agree with the reference kernels (transformer_encoder_layer)', () => {
    const ep = loadProgram(join(MODELS, 'transformer_encoder_layer.pt2'));
    const raw = readInput('transformer_encoder_layer');
    const x = new NDArray(raw.storage, [2, 10, 64], contiguousStrides([2, 10, 64]));
    const [fast] = runOn(ep, [x]) as NDArray[];
    const [ref] = runOn(ep, [x], { fast: false }) as NDArray[];
    const a = fast!.toArray(), b = ref!.toArray();
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i]!)))).toBeLessThan(1e-5);
  });

  it('mobilenet: fused conv+bn+activation equals the unfused run; buffers are reused', () => {
    const ep = loadProgram(join(MODELS, 'mobilenet_v3_small.pt2'));
    const raw = readInput('mobilenet_v3_small');
    const x = new NDArray(raw.storage, [1, 3, 224, 224], contiguousStrides([1, 3, 224, 224]));
    const rt = new CpuRuntime(ep.graph, { frozenInputs: frozenInputIndices(ep) });
    const inputs = programInputs(ep, [x]);
    const first = (rt.run(inputs) as NDArray[])[0]!.toArray();
    const afterOne = rt.pool.allocations;
    for (let i = 0; i < 3; i++) rt.run(inputs);
    // Steady state: only the output buffer (kept by the caller) is new each run.
    expect(rt.pool.allocations - afterOne).toBeLessThanOrEqual(3);
    // Far fewer buffers than f32-producing nodes: storage is recycled at last use.
    expect(afterOne).toBeLessThan(ep.graph.nodes.length / 3);
    const unfused = (runOn(ep, [x], { fuse: false }) as NDArray[])[0]!.toArray();
    const scale = Math.max(...unfused.map(Math.abs));
    expect(Math.max(...first.map((v, i) => Math.abs(v - unfused[i]!))) / scale).toBeLessThan(1e-5);
  });
});

const CASES = join(CORPUS_DIR, 'cases');

describe.skipIf(!corpusAvailable || !existsSync(CASES))('corpus case archives vs PyTorch 2.11 exported_out', () => {
  const cases = corpusAvailable ? loadCases() : {};
  const files = existsSync(CASES) ? readdirSync(CASES).filter((f) => f.endsWith('.pt2')) : [];
  for (const file of files) {
    const name = file.replace(/(\.nonstrict)?\.pt2$/, '');
    const mode = file.includes('.nonstrict.') ? 'nonstrict' : 'strict';
    const rec = cases[name];
    const expected = rec?.modes[mode]?.exported_out;
    if (!rec || !expected) continue;
    for (const ir of ['training', 'core'] as const)
      it(`${file} (${ir} IR)`, (ctx) => {
        if (JSON.stringify(rec.inputs).includes('"summary"')) {
          ctx.skip('inputs were recorded as summaries only');
          return;
        }
        let ep = loadProgram(join(CASES, file));
        if (ir === 'core') {
          try {
            ep = ep.runDecompositions();
          } catch (e) {
            ctx.skip(`run_decompositions() fails: ${(e as Error).message.split('\n')[0]}`);
            return;
          }
        }
        const args = valueFrom(rec.inputs) as unknown[];
        const kwargs = valueFrom(rec.kwargs) as Record<string, unknown>;
        const flat = treeFlattenWithPath([args, kwargs], (v) => v instanceof Tensor).leaves.map((l) => l.value);
        const state = () => [...ep.stateDict.values()].map((t) => t.nd.toArray().join(','));
        const before = state();
        const outs = runOn(ep, flat).map((o) => (o instanceof NDArray ? Tensor.fromNDArray(o) : o));
        const tree = treeUnflatten(outs, ep.parts.outSpec);
        if (state().join() !== before.join()) {
          // The program mutates its buffers: torch's record depends on how often the harness ran it
          // before saving, so compare with the reference engine on a fresh copy of the archive.
          const fresh = loadProgram(join(CASES, file));
          const eager = (ir === 'core' ? fresh.runDecompositions() : fresh).call(valueFrom(rec.inputs) as unknown[]);
          expect(maxDiff(tree, eager)).toBeLessThan(1e-5);
          return;
        }
        if (isSummary(expected)) {
          const t = tree as Tensor;
          const vals = t.toArray();
          const { sum, abs_sum, min, max } = expected.summary;
          expect([...t.shape]).toEqual(expected.shape);
          expect(Math.abs(vals.reduce((a, b) => a + b, 0) - sum)).toBeLessThan(1e-5 * abs_sum);
          expect(Math.min(...vals)).toBeCloseTo(min, 4);
          expect(Math.max(...vals)).toBeCloseTo(max, 4);
          return;
        }
        expect(maxAbsDiff(tree, expected)).toBeLessThan(1e-5);
      });
  }
});

describe('runtime behaviour', () => {
  it('wraps kernel errors with the node and target', () => {
    const g = new Graph();
    const x = g.placeholder('x');
    const v = g.createNode('call_function', 'aten.view.default', [x, [5, 5]], {}, 'view');
    g.output(v);
    const rt = new CpuRuntime(g);
    expect(() => rt.run([randArray([2, 3], rng(3))])).toThrow(/While executing %view : aten.view.default/);
  });
  it('rejects an unknown op when compiling, naming it', () => {
    const g = new Graph();
    const x = g.placeholder('x');
    g.output(g.createNode('call_function', 'aten.no_such_op.default', [x], {}, 'bad'));
    expect(() => new CpuRuntime(g)).toThrow(/aten.no_such_op.default/);
  });
});
