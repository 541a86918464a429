// The corpus models (mobilenet_v3_small, gpt2_tiny, transformer_encoder_layer)
// loaded from torch's archives and run on CPU through ep.module(): outputs match
// torch's within 1e-4 on the recorded input. Skipped, saying which, while the op
// registry lacks an op a model uses.

import { describe, expect, test } from 'vitest';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_DIR } from '../../testing/corpus';
import { type DType, isDType } from '../core/dtype';
import { NDArray } from '../core/ndarray';
import { type Graph } from '../ir/graph';
import { isTensorMeta } from '../ops/types';
import { defaultRegistry } from '../ops/register-all';
import { hintInt } from '../symbolic';
import { Tensor } from '../trace/tensor';
import { loadPt2 } from './read';
import { savePt2 } from './write';
import { storageFromBytes } from './tensor-data';

const MODELS_DIR = join(CORPUS_DIR, 'models');
const models = existsSync(MODELS_DIR) ? readdirSync(MODELS_DIR).filter((f) => f.endsWith('.pt2')).map((f) => f.slice(0, -4)) : [];

/** Ops of a graph (and its subgraphs) the registry cannot run. */
function missingOps(g: Graph, out = new Set<string>()): Set<string> {
  for (const n of g.nodes)
    if (n.op === 'call_function' && n.target !== 'getitem' && !n.target.startsWith('operator.') && !n.target.startsWith('higher_order.') && !defaultRegistry.has(n.target)) out.add(n.target);
  for (const s of g.subgraphs.values()) missingOps(s, out);
  return out;
}

function readTensor(path: string, dtype: DType, shape: number[]): Tensor {
  const b = readFileSync(path);
  const bytes = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  const st = storageFromBytes(dtype, bytes, true);
  const strides: number[] = [];
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= shape[i]!;
  }
  return Tensor.fromNDArray(new NDArray(st, shape, strides, 0));
}


describe.each(models)('%s', (name) => {
  const bytes = () => {
    const b = readFileSync(join(MODELS_DIR, `${name}.pt2`));
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  };

  test('loads, and survives save → load', () => {
    const ep = loadPt2(bytes()).programs.get('model')!;
    ep.graph.lint();
    const again = loadPt2(savePt2(ep)).programs.get('model')!;
    expect(again.toString()).toBe(ep.toString());
  });

  test('runs on CPU and matches torch within 1e-4', () => {
    const ep = loadPt2(bytes(), { copyTensors: true }).programs.get('model')!;
    expect([...missingOps(ep.graph)]).toEqual([]);
    const inFile = readdirSync(MODELS_DIR).find((f) => f.startsWith(`${name}.in0.`))!;
    const dtype = inFile.split('.')[2]!;
    if (!isDType(dtype)) throw new Error(`unknown dtype ${dtype}`);
    const user = ep.graphSignature.inputSpecs.find((s) => s.kind === 'USER_INPUT')!;
    const ph = ep.graph.placeholders.find((p) => p.name === user.name)!;
    const meta = ph.meta.val;
    if (!isTensorMeta(meta)) throw new Error('user input is not a tensor');
    const shape = meta.shape.map((d) => hintInt(d)!);
    const input = readTensor(join(MODELS_DIR, inFile), dtype, shape);
    const out = ep.module()(input);
    const first = (Array.isArray(out) ? out[0] : out) as Tensor;
    const expected = readTensor(join(MODELS_DIR, `${name}.out.float32.bin`), 'float32', first.shape.map(Number));
    const a = first.toArray();
    const b = expected.toArray();
    expect(a.length).toBe(b.length);
    let maxDiff = 0;
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
    expect(maxDiff).toBeLessThanOrEqual(1e-4);
  });
});
