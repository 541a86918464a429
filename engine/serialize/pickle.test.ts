// The restricted unpickler and torch.save reader: a torch.save'd state dict
// written by the reference PyTorch (fixtures/state_dict.pt, see
// fixtures/make_fixtures.py) decodes to the recorded values; globals and opcodes
// outside torch.load(weights_only=True)'s allowlist are refused by name; damaged
// pickles end in a typed error. Sample inputs of corpus archives decode to the
// inputs cases.json recorded; a torch ≤ 2.7 flat archive loads.

import { describe, expect, test } from 'vitest';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '../core/errors';
import { isPyList } from '../core/pytree';
import { PyFloat } from '../core/scalar';
import { Tensor } from '../trace/tensor';
import { CORPUS_DIR, corpusAvailable, isRecordedTensor, loadCases, type Recorded } from '../../testing/corpus';
import { PickleDict, PickleError, isAllowedGlobal, unpickle } from './pickle';
import { decodeExampleInputs, torchLoad, torchLoadTensorDict } from './torch-save';
import { loadPt2 } from './read';
import { savePt2 } from './write';
import { programExtras } from './extras';
import { ZipReader, writeZip } from './zip';

const FIX = join(__dirname, 'fixtures');
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(FIX, name)));

const noStorage = { persistentLoad: (): never => { throw new Error('no storages here'); } };

/** A protocol-2 pickle from opcode bytes and strings. */
function pk(...parts: Array<string | number[]>): Uint8Array {
  const out: number[] = [0x80, 2];
  for (const p of parts) {
    if (typeof p === 'string') for (const ch of p) out.push(ch.charCodeAt(0));
    else out.push(...p);
  }
  return new Uint8Array(out);
}

/** A torch.save-shaped zip around a pickle (and optional storages). */
function torchZip(pkl: Uint8Array, storages: Record<string, Uint8Array> = {}): Uint8Array {
  return writeZip([{ name: 'archive/data.pkl', data: pkl }, ...Object.entries(storages).map(([k, data]) => ({ name: `archive/data/${k}`, data }))]);
}

describe('restricted unpickler', () => {
  test('torch.save state dict from the reference PyTorch decodes exactly', () => {
    const expected = JSON.parse(readFileSync(join(FIX, 'state_dict.json'), 'utf8')) as Record<string, { dtype: string; shape: number[]; stride: number[]; offset: number; requires_grad: boolean; values: Array<number | boolean> }>;
    const sd = torchLoadTensorDict(fixture('state_dict.pt'), { entry: 'state_dict.pt' });
    expect([...sd.keys()]).toEqual(Object.keys(expected));
    for (const [k, e] of Object.entries(expected)) {
      const t = sd.get(k)!;
      expect(t.dtype, k).toBe(e.dtype);
      expect(t.shape, k).toEqual(e.shape);
      expect(t.nd.strides, k).toEqual(e.stride);
      expect(t.nd.offset, k).toBe(e.offset);
      expect(t.requiresGrad, k).toBe(e.requires_grad);
      const vals = t.toArray();
      expect(vals.map((v) => (e.dtype === 'bool' ? Boolean(v) : Number(v))), k).toEqual(e.values);
    }
    // Views of one storage share it, as torch's do.
    expect(sd.get('w')!.nd.storage).toBe(sd.get('w_t')!.nd.storage);
    expect(sd.get('w')!.nd.storage).toBe(sd.get('tail')!.nd.storage);
    expect(torchLoad(fixture('state_dict.pt'))).toBeInstanceOf(PickleDict);
  });

  test.each([
    ['os', 'system'],
    ['posix', 'system'],
    ['builtins', 'eval'],
    ['builtins', 'getattr'],
    ['subprocess', 'Popen'],
    ['torch._export.serde.serialize', '_reconstruct_fake_tensor'],
    ['torch', 'load'],
    ['sys', 'modules'],
  ])("global '%s.%s' is refused by name before anything runs", (mod, name) => {
    const bytes = pk(`c${mod}\n${name}\n`, 'X', [2, 0, 0, 0], 'ls', [0x85, 0x52, 0x2e]);
    expect(() => unpickle(bytes, noStorage)).toThrow(new RegExp(`pickle refers to global '${mod.replace('.', '\\.')}\\.${name}', which is not allowed`));
    expect(() => unpickle(bytes, noStorage)).toThrow(PickleError);
    expect(() => torchLoad(torchZip(bytes), { entry: 'x.pt' })).toThrow(/entry 'x\.pt': pickle refers to global/);
  });

  test('the allowlist follows torch.load(weights_only=True)', () => {
    for (const g of ['collections.OrderedDict', 'torch._utils._rebuild_tensor_v2', 'torch.FloatStorage', 'torch.storage.UntypedStorage', 'torch.float32', 'torch.Size', 'builtins.set'])
      expect(isAllowedGlobal(g), g).toBe(true);
    for (const g of ['os.system', 'builtins.exec', 'torch.nn.Module', 'collections.defaultdict', 'numpy.core.multiarray._reconstruct', 'os.path.join'])
      expect(isAllowedGlobal(g), g).toBe(false);
  });

  test.each([
    ['STACK_GLOBAL', [0x93]],
    ['FRAME', [0x95, 1, 0, 0, 0, 0, 0, 0, 0]],
    ['INST', [0x69]],
    ['OBJ', [0x6f]],
    ['BINUNICODE8', [0x8d]],
    ['EXT1', [0x82, 1]],
  ])('opcode %s is refused', (name, op) => {
    expect(() => unpickle(pk(op as number[]), noStorage)).toThrow(new RegExp(`opcode ${name} at byte 2 is not allowed`));
  });

  test('plain containers and scalars decode to engine values', () => {
    const f64 = (x: number) => [...new Uint8Array(new Float64Array([x]).buffer)].reverse();
    // ((1, 2.5, 3.0, True, None, 'é'), [7], {'k': -1}, 2**70)
    const bytes = pk(
      '(', '(', 'K', [1], 'G', f64(2.5), 'G', f64(3), [0x88, 0x4e], 'X', [2, 0, 0, 0, 0xc3, 0xa9], 't',
      ']', 'K', [7], 'a',
      '}', 'X', [1, 0, 0, 0], 'k', 'J', [0xff, 0xff, 0xff, 0xff], 's',
      [0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0x40],
      't', '.',
    );
    const v = unpickle(bytes, noStorage) as unknown[];
    expect(v[0]).toEqual([1, 2.5, new PyFloat(3), true, null, 'é']);
    expect(isPyList(v[1])).toBe(true);
    expect([...(v[1] as number[])]).toEqual([7]);
    expect((v[2] as PickleDict).get('k')).toBe(-1);
    expect(v[3]).toBe(2n ** 70n);
  });

  test('reference cycles, runaway sizes and bad storages are typed errors', () => {
    // l = []; l.append(l)
    const cyc = pk(']', 'q', [0], 'h', [0], 'a', [0x85, 0x2e]);
    expect(() => torchLoad(torchZip(cyc))).toThrow(/reference cycle/);
    // A persistent id naming a storage record that is not there.
    const missing = pk('(', 'X', [7, 0, 0, 0], 'storage', 'ctorch\nFloatStorage\n', 'X', [1, 0, 0, 0], '0', 'X', [3, 0, 0, 0], 'cpu', 'K', [4], 't', 'Q', '.');
    expect(() => torchLoad(torchZip(missing))).toThrow(/storage record data\/0 is missing/);
    // Storage record shorter than numel says.
    expect(() => {
      const t = pk('ctorch._utils\n_rebuild_tensor_v2\n', '(', '(', 'X', [7, 0, 0, 0], 'storage', 'ctorch\nFloatStorage\n', 'X', [1, 0, 0, 0], '0', 'X', [3, 0, 0, 0], 'cpu', 'K', [4], 't', 'Q',
        'K', [0], 'K', [4], [0x85], 'K', [1], [0x85], [0x89], 'ccollections\nOrderedDict\n', ')', 'R', 't', 'R', '.');
      return torchLoad(torchZip(t, { '0': new Uint8Array(8) }));
    }).toThrow(/has 8 bytes, expected 16/);
    // A huge LONG_BINGET index, a huge BINUNICODE length: bounds are checked before reading.
    expect(() => unpickle(pk('j', [0xff, 0xff, 0xff, 0x7f], '.'), noStorage)).toThrow(/memo key 2147483647/);
    expect(() => unpickle(pk('X', [0xff, 0xff, 0xff, 0xff], '.'), noStorage)).toThrow(/truncated in BINUNICODE/);
    expect(() => unpickle(pk('.'), noStorage)).toThrow(/STOP with 0 values/);
  });

  test('every prefix and 2,000 byte mutations of a real pickle end in a value or a typed error', () => {
    const zip = new ZipReader(fixture('state_dict.pt'));
    const pkl = zip.read('archive/data.pkl');
    const storages = Object.fromEntries(zip.entries.filter((e) => /\/data\/\d+$/.test(e.name)).map((e) => [e.name.split('/').pop()!, zip.read(e.name).slice()]));
    const check = (bytes: Uint8Array) => {
      try {
        torchLoad(torchZip(bytes, storages));
      } catch (e) {
        if (!(e instanceof EngineError)) throw new Error(`untyped error: ${(e as Error).stack}`);
      }
    };
    for (let n = 0; n < pkl.length; n++) check(pkl.subarray(0, n));
    let s = 12345;
    const r = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let i = 0; i < 2000; i++) {
      const b = pkl.slice();
      const flips = 1 + Math.floor(r() * 3);
      for (let k = 0; k < flips; k++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
      check(b);
    }
  });
});

// ---------------------------------------------------------------- sample inputs

/** Our decoded value against a recorded one (tensors: dtype, shape and the data when recorded). */
function sameAsRecorded(ours: unknown, rec: Recorded, path: string): void {
  if (isRecordedTensor(rec)) {
    expect(ours, path).toBeInstanceOf(Tensor);
    const t = ours as Tensor;
    expect(t.dtype, path).toBe(rec.dtype);
    expect(t.shape, path).toEqual(rec.shape);
    if (rec.data) expect(t.toArray().map(Number), path).toEqual((rec.data as Array<number | boolean>).map(Number));
    return;
  }
  if ('py' in rec) return expect(ours instanceof PyFloat ? ours.value : ours, path).toEqual(rec.py);
  const items = 'seq' in rec ? rec.seq : 'list' in rec ? rec.list : undefined;
  if (items) {
    expect(Array.isArray(ours), path).toBe(true);
    expect((ours as unknown[]).length, path).toBe(items.length);
    return items.forEach((r, i) => sameAsRecorded((ours as unknown[])[i], r, `${path}[${i}]`));
  }
  const d = (rec as { dict: Record<string, Recorded> }).dict;
  expect(Object.keys(ours as object), path).toEqual(Object.keys(d));
  for (const [k, r] of Object.entries(d)) sameAsRecorded((ours as Record<string, unknown>)[k], r, `${path}['${k}']`);
}

describe.skipIf(!corpusAvailable)('sample inputs of corpus archives', () => {
  test('decode to the inputs cases.json recorded (every case archive, strict and non-strict)', () => {
    const cases = loadCases();
    let checked = 0;
    for (const f of readdirSync(join(CORPUS_DIR, 'cases'))) {
      const name = f.replace(/(\.nonstrict)?\.pt2$/, '');
      const c = cases[name];
      if (!c || !f.endsWith('.pt2')) continue;
      const ep = loadPt2(new Uint8Array(readFileSync(join(CORPUS_DIR, 'cases', f)))).programs.get('model')!;
      expect(programExtras.get(ep)!.sampleInputsError, f).toBeUndefined();
      const ex = ep.parts.exampleInputs!;
      expect(ex, f).toBeDefined();
      sameAsRecorded(ex.args, c.inputs, `${f} args`);
      sameAsRecorded(ex.kwargs, c.kwargs, `${f} kwargs`);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(20);
  });

  test('every corpus archive decodes its sample inputs, and a refused pickle only drops them', () => {
    const files: string[] = [];
    for (const dir of ['cases', 'models', 'exportdb']) if (existsSync(join(CORPUS_DIR, dir))) for (const f of readdirSync(join(CORPUS_DIR, dir))) if (f.endsWith('.pt2')) files.push(join(dir, f));
    for (const f of files) {
      const zip = new ZipReader(new Uint8Array(readFileSync(join(CORPUS_DIR, f))));
      const rec = zip.entries.find((e) => e.name.endsWith('data/sample_inputs/model.pt'))!;
      expect(decodeExampleInputs(zip.read(rec.name), { entry: rec.name }), f).toBeDefined();
    }
    // Sample inputs whose pickle names a forbidden global: the program loads, without example inputs.
    const src = new ZipReader(new Uint8Array(readFileSync(join(CORPUS_DIR, 'cases/cond_data.pt2'))));
    const evil = torchZip(pk('cos\nsystem\n', 'X', [2, 0, 0, 0], 'ls', [0x85, 0x52, 0x2e]));
    const recs = src.entries.map((e) => ({ name: e.name, data: e.name.endsWith('sample_inputs/model.pt') ? evil : src.read(e.name).slice() }));
    const ep = loadPt2(writeZip(recs)).programs.get('model')!;
    expect(ep.parts.exampleInputs).toBeUndefined();
    expect(programExtras.get(ep)!.sampleInputsError).toMatch(/pickle refers to global 'os\.system', which is not allowed/);
  });
});

// ---------------------------------------------------------------- torch ≤ 2.7

describe('torch ≤ 2.7 flat archives', () => {
  test('load: program, state dict, constants, example inputs, extra files', () => {
    const a = loadPt2(fixture('legacy_kwargs.pt2'));
    expect(a.root).toBe('');
    expect([...a.extraFiles]).toEqual([['note.txt', 'legacy']]);
    const ep = a.programs.get('model')!;
    expect([...ep.stateDict.keys()]).toEqual(['lin.weight', 'lin.bias', 'running']);
    expect([...ep.constants.keys()].sort()).toEqual(['const', 'scratch']);
    expect(ep.stateDict.get('lin.weight')!.requiresGrad).toBe(true);
    expect(ep.constants.get('const')!.toArray()).toEqual([2, 3, 4]);
    expect(ep.graphSignature.inputSpecs.map((s) => s.kind)).toEqual(['PARAMETER', 'PARAMETER', 'BUFFER', 'BUFFER', 'CONSTANT_TENSOR', 'USER_INPUT', 'USER_INPUT']);
    const ex = ep.parts.exampleInputs!;
    expect((ex.args[0] as Tensor).shape).toEqual([2, 4]);
    expect((ex.kwargs.y as Tensor).toArray()).toEqual([0.5, 0.5, 0.5]);
    // Runs on its own example inputs, and saves in today's layout.
    const out = ep.module()(...ex.args, ex.kwargs);
    expect((out instanceof Tensor ? out : (out as Tensor[])[0]!).shape).toEqual([2, 3]);
    const again = loadPt2(savePt2(ep)).programs.get('model')!;
    expect(again.toString()).toBe(ep.toString());
  });

  test('torch 2.8 layout (pickled data/weights/<m>.pt and data/constants/<m>.pt) loads the same program', () => {
    const src = new ZipReader(fixture('legacy_kwargs.pt2'));
    const rec = (n: string) => src.read(n).slice();
    const enc = new TextEncoder();
    const a28 = writeZip([
      { name: 'm28/data/weights/model.pt', data: rec('serialized_state_dict.pt') },
      { name: 'm28/data/constants/model.pt', data: rec('serialized_constants.pt') },
      { name: 'm28/models/model.json', data: rec('serialized_exported_program.json') },
      { name: 'm28/data/sample_inputs/model.pt', data: rec('serialized_example_inputs.pt') },
      { name: 'm28/archive_format', data: enc.encode('pt2') },
      { name: 'm28/archive_version', data: enc.encode('0') },
      { name: 'm28/.data/version', data: enc.encode('6\n') },
    ]);
    const ep = loadPt2(a28).programs.get('model')!;
    const legacy = loadPt2(fixture('legacy_kwargs.pt2')).programs.get('model')!;
    expect(ep.toString()).toBe(legacy.toString());
    expect([...ep.stateDict.keys()]).toEqual([...legacy.stateDict.keys()]);
    expect(ep.stateDict.get('lin.weight')!.toArray()).toEqual(legacy.stateDict.get('lin.weight')!.toArray());
    expect(ep.parts.exampleInputs).toBeDefined();
  });

  test('a wrong version record or a forbidden pickle in the state dict is a typed error', () => {
    const src = new ZipReader(fixture('legacy_kwargs.pt2'));
    const recs = src.entries.map((e) => ({ name: e.name, data: src.read(e.name).slice() }));
    const withRec = (name: string, data: Uint8Array) => writeZip(recs.map((r) => (r.name === name ? { name, data } : r)));
    expect(() => loadPt2(withRec('version', new TextEncoder().encode('7.1')))).toThrow(/schema version 7\.1/);
    expect(() => loadPt2(withRec('serialized_state_dict.pt', torchZip(pk('cbuiltins\neval\n', '.'))))).toThrow(/pickle refers to global 'builtins\.eval', which is not allowed/);
    expect(() => loadPt2(writeZip(recs.filter((r) => r.name !== 'version')))).toThrow(ArchiveErrorLike);
  });
});

const ArchiveErrorLike = EngineError;
