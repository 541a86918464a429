import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ExportResponse, IpcError, IpcResult, ProgressEvent } from '../common/ipc-contract';
import { applySpecToSource, emptySpec } from '../common/dynamic-shapes-code';
import { HostService, notAnArchive } from './host-service';
import { SEEDS } from './seeds/catalog';
import { matchSeed } from './seeds/seed-export';
import { pythonModulePresent } from './engine-adapters';
import { threadCountFromEnv } from './cpu-threads';

/** A host on the seed twins only (no Pyodide): fast, and what a tree without engine/python gets. */
function service(events: ProgressEvent[] = []): HostService {
  return new HostService({
    host: 'web',
    dataDir: mkdtempSync(join(tmpdir(), 'pt2-host-')),
    emitProgress: (e) => events.push(e),
    checkCancelled: () => {},
    python: 'off',
  });
}

const seed = (id: string): string => SEEDS.find((s) => s.id === id)!.source;

function ok<T>(r: IpcResult<T>): T {
  if (!r.ok) throw new Error(`${r.error.name}: ${r.error.message}`);
  return r.value;
}
function err<T>(r: IpcResult<T>): IpcError {
  if (r.ok) throw new Error('expected an error');
  return r.error;
}

const exportReq = (source: string, extra: Partial<{ strict: boolean; decompose: boolean }> = {}) => ({
  taskId: 't1',
  source,
  strict: false,
  decompose: false,
  dynamicShapes: null,
  ...extra,
});

describe('host service: seeds', () => {
  it('every seed matches itself and no other', () => {
    for (const s of SEEDS) expect(matchSeed(s.source)?.id).toBe(s.id);
  });

  const expectedErrors: Record<string, string> = {
    shape_guard: 'ConstraintViolationError',
    specializes: 'ConstraintViolationError',
    data_dependent: 'GuardOnDataDependentError',
  };
  for (const s of SEEDS) {
    it(`exports ${s.id}`, async () => {
      const h = service();
      const r = await h.handle('app:export', exportReq(s.source));
      if (expectedErrors[s.id]) {
        expect(err(r).name).toBe(expectedErrors[s.id]);
        expect(err(r).location?.line).toBeGreaterThan(0);
        return;
      }
      const v = ok(r) as ExportResponse;
      expect(v.printed).toContain('ExportedProgram:');
      const calls = v.program.graph.nodes.filter((n) => n.op === 'call_function');
      expect(calls.length).toBeGreaterThan(0);
      // Stack traces point at the document's lines.
      const withSource = calls.filter((n) => n.source);
      // torch records no stack trace for sym_size nodes either.
      expect(withSource.length).toBe(calls.filter((n) => n.target !== 'aten.sym_size.int').length);
      const lines = s.source.split('\n');
      for (const n of withSource) expect(lines[n.source!.line - 1]!.trim()).toBe(n.source!.code);
      // Compare eager vs exported on the example inputs.
      const c = ok(await h.handle('app:compare', { taskId: 't2', sessionId: v.sessionId, backend: 'cpu', inputs: 'example', seed: 1, atol: 1e-5, rtol: 1e-5 }));
      expect(c.pass).toBe(true);
      expect(c.maxAbsDiff).toBeLessThanOrEqual(1e-5);
      expect(c.runtime).toBe('CPU runtime');
      expect(c.threads).toBe(threadCountFromEnv(process.env.PT2_CPU_THREADS));
      expect(c.adapter).toBeUndefined();
    });
  }
});

describe('host service: export', () => {
  it('sin_cos: three ops, f32[10, 10] types, line-mapped', async () => {
    const v = ok(await service().handle('app:export', exportReq(seed('sin_cos'))));
    const calls = v.program.graph.nodes.filter((n) => n.op === 'call_function');
    expect(calls.map((n) => n.target)).toEqual(['aten.sin.default', 'aten.cos.default', 'aten.add.Tensor']);
    expect(calls[0]!.type).toBe('f32[10, 10]');
    expect(calls[0]!.source).toMatchObject({ file: 'model.py', code: 'a = torch.sin(x)' });
    expect(v.printed).toContain('# File: model.py:');
  });

  it('dynamic batch: symbolic shapes and range constraints', async () => {
    const v = ok(await service().handle('app:export', exportReq(seed('dynamic_batch'))));
    expect(v.program.rangeConstraints).toEqual([{ symbol: 's0', min: 0, max: null, text: 'VR[0, int_oo]', sources: ["x1.size()[0]", "x2.size()[0]"] }]);
    expect(v.program.graph.nodes.find((n) => n.name === 'x1')!.type).toBe('f32[s0, 64]');
    expect(v.program.signature.inputs.map((i) => i.kind)).toContain('PARAMETER');
    expect(v.program.weights.find((w) => w.name === 'branch1.0.weight')).toMatchObject({ kind: 'parameter', shape: [32, 64] });
  });

  it('the Dim panel spec overrides the source and fixes a violation', async () => {
    const h = service();
    const source = seed('specializes');
    const e = err(await h.handle('app:export', exportReq(source)));
    expect(e.violations?.[0]).toMatchObject({ dimName: 'b', suggestedFix: 'b = 4' });
    expect(e.location?.code).toBe('b = Dim("b")');
    const analyzed = ok(await h.handle('app:analyze', { source }));
    const spec = emptySpec(analyzed.inputs); // b = 4: the dim becomes static
    const fixed = applySpecToSource(source, spec, analyzed.args, analyzed.inputs);
    expect(fixed).toContain('dynamic_shapes = None');
    const v = ok(await h.handle('app:export', { ...exportReq(fixed), dynamicShapes: spec }));
    expect(v.program.graph.nodes.some((n) => n.target === 'aten.add.Tensor')).toBe(true);
  });

  it('Dim.AUTO / Dim.STATIC hints from the panel', async () => {
    const h = service();
    const source = seed('sin_cos');
    const a = ok(await h.handle('app:analyze', { source }));
    const spec = emptySpec(a.inputs);
    spec.inputs.x = [{ kind: 'auto' }, { kind: 'static' }];
    spec.inputs.y = [{ kind: 'auto' }, { kind: 'none' }];
    const v = ok(await h.handle('app:export', { ...exportReq(applySpecToSource(source, spec, a.args, a.inputs)), dynamicShapes: spec }));
    expect(v.program.graph.nodes.find((n) => n.name === 'x')!.type).toBe('f32[s0, 10]');
    // Equal example sizes share a symbol (duck sizing), as in torch.
    expect(v.program.graph.nodes.find((n) => n.name === 'y')!.type).toBe('f32[s0, 10]');
  });

  it('a range violation suggests the narrowed Dim', async () => {
    const e = err(await service().handle('app:export', exportReq(seed('shape_guard'))));
    expect(e.violations?.[0]?.suggestedFix).toBe("n = Dim('n', min=6)");
    const fixed = seed('shape_guard').replace('n = Dim("n")', 'n = Dim("n", min=6)');
    const v = ok(await service().handle('app:export', exportReq(fixed)));
    expect(v.program.rangeConstraints[0]!.text).toBe('VR[6, int_oo]');
  });

  it('a data-dependent branch points at its line', async () => {
    const e = err(await service().handle('app:export', exportReq(seed('data_dependent'))));
    expect(e.pythonType).toBe('torch.fx.experimental.symbolic_shapes.GuardOnDataDependentSymNode');
    expect(e.location?.code).toBe('if x.sum() > 0:');
    expect(e.message).toContain('File "model.py"');
  });

  it('cond: subgraphs travel with the graph', async () => {
    const v = ok(await service().handle('app:export', exportReq(seed('cond'))));
    expect(Object.keys(v.program.graph.subgraphs).sort()).toEqual(['false_graph_0', 'true_graph_0']);
    const condNode = v.program.graph.nodes.find((n) => n.target === 'cond')!;
    expect(condNode.subgraphs).toEqual(['true_graph_0', 'false_graph_0']);
  });

  it('deep_mlp honours N_BLOCKS and decomposes', async () => {
    const events: ProgressEvent[] = [];
    const src = seed('deep_mlp').replace('N_BLOCKS = 240', 'N_BLOCKS = 3');
    const v = ok(await service(events).handle('app:export', exportReq(src, { decompose: true })));
    expect(v.decomposed).toBe(true);
    expect(v.program.graph.nodes.filter((n) => n.target.startsWith('aten.native_layer_norm')).length).toBe(3);
    expect(events.map((e) => e.label)).toContain('Tracing forward');
  });

  it('strict=True is the engine error, not a fake result', async () => {
    const e = err(await service().handle('app:export', exportReq(seed('sin_cos'), { strict: true })));
    expect(e.message).toContain('strict=True');
  });

  it('edited code needs the Python front end (here switched off)', async () => {
    const e = err(await service().handle('app:export', exportReq(seed('sin_cos').replace('torch.sin(x)', 'torch.tan(x)'))));
    expect(e.name).toBe('NotAvailableError');
    expect(e.pending).toBe('engine/python');
  });

  it('example inputs are read from the document', async () => {
    const h = service();
    const src = seed('sin_cos').replace('torch.randn(10, 10), torch.randn(10, 10)', 'torch.randn(3, 5), torch.ones(3, 5)');
    const v = ok(await h.handle('app:export', exportReq(src)));
    expect(v.program.graph.nodes.find((n) => n.name === 'x')!.type).toBe('f32[3, 5]');
    const bad = seed('sin_cos').replace('torch.randn(10, 10), torch.randn(10, 10)', 'make_inputs()');
    const e = err(await h.handle('app:export', exportReq(bad)));
    expect(e.location?.code).toContain('example_args');
  });

  it('random compare inputs stay inside the range constraints', async () => {
    const h = service();
    const v = ok(await h.handle('app:export', exportReq(seed('derived_dim'))));
    for (let s = 1; s < 6; s++) {
      const c = ok(await h.handle('app:compare', { taskId: 't', sessionId: v.sessionId, backend: 'cpu', inputs: 'random', seed: s, atol: 1e-5, rtol: 1e-5 }));
      const [x, y] = c.inputs;
      expect(x!.shape[0]).toBeGreaterThanOrEqual(3);
      expect(x!.shape[0]).toBeLessThanOrEqual(6);
      expect(y!.shape[0]).toBe(x!.shape[0]! + 1);
      expect(c.pass).toBe(true);
    }
  });
});

describe('host service: files', () => {
  it('refuses non-archives with a clear message', async () => {
    const e = err(await service().handle('app:open', { fileName: 'notes.pt2', data: Buffer.from('hello world').toString('base64') }));
    expect(e.message).toBe('notes.pt2 is not a .pt2 archive: a .pt2 file is a zip archive (it starts with the bytes 50 4b 03 04, "PK"), but this file starts with 68 65 6c 6c and looks like text.');
    expect(notAnArchive('e.pt2', new Uint8Array())).toContain('is empty');
  });

  it('opens a .py file as text and lists it as recent', async () => {
    const h = service();
    const r = ok(await h.handle('app:open', { fileName: 'm.py', data: Buffer.from('print(1)\n').toString('base64') }));
    expect(r).toMatchObject({ kind: 'python', text: 'print(1)\n' });
    const recent = ok(await h.handle('app:recent', {}));
    expect(recent.map((x) => x.fileName)).toEqual(['m.py']);
    const again = ok(await h.handle('app:open', { recentId: recent[0]!.id }));
    expect(again.text).toBe('print(1)\n');
  });

  it('saves and reopens an exported program', async () => {
    const h = service();
    const v = ok(await h.handle('app:export', exportReq(seed('dynamic_batch'))));
    const saved = await h.handle('app:save', { sessionId: v.sessionId, fileName: 'branches' });
    if (!saved.ok) {
      expect(saved.error.name).toBe('NotAvailableError'); // serializer not there yet
      return;
    }
    expect(saved.value.fileName).toBe('branches.pt2');
    const opened = ok(await h.handle('app:open', { fileName: 'branches.pt2', data: saved.value.data! }));
    expect(opened.kind).toBe('pt2');
    expect(opened.program!.program.graph.nodes.filter((n) => n.op === 'call_function').length).toBe(
      v.program.graph.nodes.filter((n) => n.op === 'call_function').length,
    );
    const run = ok(await h.handle('app:run', { taskId: 'r', sessionId: opened.program!.sessionId, backend: 'cpu', inputs: 'random', seed: 3 }));
    expect(run.outputs.length).toBe(2);
    expect(run.runtime).toBe('CPU runtime');
    expect(run.threads).toBe(threadCountFromEnv(process.env.PT2_CPU_THREADS));
  });
});

const CORPUS = join(fileURLToPath(new URL('../../../shared/corpus/torch-2.11/models/', import.meta.url)));
const hasCorpus = existsSync(join(CORPUS, 'gpt2_tiny.pt2'));

describe.skipIf(!hasCorpus)('host service: PyTorch archives from the corpus', () => {
  it('runs an archive on its embedded example inputs and matches torch\'s output', async () => {
    const h = service();
    const bytes = readFileSync(join(CORPUS, 'gpt2_tiny.pt2'));
    const opened = ok(await h.handle('app:open', { fileName: 'gpt2_tiny.pt2', data: bytes.toString('base64') }));
    const p = opened.program!;
    expect(p.lazy).toBe(false);
    expect(p.exampleInputs?.map((t) => [t.path, t.dtype, t.shape])).toEqual([['args[0]', 'int64', [1, 16]]]);
    const run = ok(await h.handle('app:run', { taskId: 'r', sessionId: p.sessionId, backend: 'cpu', inputs: 'example', seed: 1 }));
    const out = run.outputs[0]!;
    expect(out).toMatchObject({ dtype: 'float32', shape: [1, 16, 1000], nonFinite: 0 });
    const torchOut = new Float32Array(new Uint8Array(readFileSync(join(CORPUS, 'gpt2_tiny.out.float32.bin'))).buffer);
    out.preview.forEach((v, i) => expect(v).toBeCloseTo(torchOut[i]!, 5));
  });

  it('opens an archive on disk lazily (recent files): signature and graph first, weights when run', async () => {
    const h = service();
    const bytes = readFileSync(join(CORPUS, 'mobilenet_v3_small.pt2'));
    ok(await h.handle('app:open', { fileName: 'mobilenet_v3_small.pt2', data: bytes.toString('base64') }));
    const [entry] = ok(await h.handle('app:recent', {}));
    const reopened = ok(await h.handle('app:open', { recentId: entry!.id })).program!;
    expect(reopened.lazy).toBe(true);
    expect(reopened.program.weights.length).toBeGreaterThan(100);
    expect(reopened.program.weights.every((w) => w.onDisk && !w.stats)).toBe(true);
    const run = ok(await h.handle('app:run', { taskId: 'r', sessionId: reopened.sessionId, backend: 'cpu', inputs: 'example', seed: 1 }));
    expect(run.outputs[0]).toMatchObject({ shape: [1, 1000], nonFinite: 0 });
    const torchOut = new Float32Array(new Uint8Array(readFileSync(join(CORPUS, 'mobilenet_v3_small.out.float32.bin'))).buffer);
    run.outputs[0]!.preview.forEach((v, i) => expect(v).toBeCloseTo(torchOut[i]!, 5));
    // A trusted caller's path (Electron's dialog) opens the same way.
    const byPath = ok(await h.handle('app:open', { path: join(CORPUS, 'transformer_encoder_layer.pt2') }));
    expect(byPath).toMatchObject({ fileName: 'transformer_encoder_layer.pt2', kind: 'pt2', program: { lazy: true } });
    ok(await h.handle('app:close-session', { sessionId: byPath.program!.sessionId }));
  });
});

describe.skipIf(!pythonModulePresent())('host service: the Python front end', () => {
  let h: HostService;
  beforeAll(async () => {
    h = new HostService({ host: 'web', dataDir: mkdtempSync(join(tmpdir(), 'pt2-py-')), emitProgress: () => {}, checkCancelled: () => {} });
    expect(await h.python()).not.toBeInstanceOf(Error);
  }, 120_000);

  it('exports any model code, with stack traces on the document\'s lines', async () => {
    const edited = seed('sin_cos').replace('torch.sin(x)', 'torch.tan(x)');
    const v = ok(await h.handle('app:export', exportReq(edited)));
    expect(v.via).toBe('python');
    const tan = v.program.graph.nodes.find((n) => n.target === 'aten.tan.default')!;
    expect(tan.source).toMatchObject({ line: 7, code: 'a = torch.tan(x)' });
    // Inside nn.Module code, the node points at the user's line, not torch's.
    const lin = ok(await h.handle('app:export', exportReq(seed('dynamic_batch')))).program.graph.nodes.find((n) => n.target === 'aten.linear.default')!;
    expect(lin.source?.code).toBe('out1 = self.branch1(x1)');
  });

  it('compares the eager Python model with the exported program', async () => {
    for (const id of ['dynamic_batch', 'buffer_mutation', 'nested_io', 'cond']) {
      const v = ok(await h.handle('app:export', exportReq(seed(id))));
      for (const inputs of ['example', 'random'] as const) {
        const c = ok(await h.handle('app:compare', { taskId: 'c', sessionId: v.sessionId, backend: 'cpu', inputs, seed: 5, atol: 1e-5, rtol: 1e-5 }));
        expect(c.pass, `${id} ${inputs}`).toBe(true);
      }
    }
  });

  it('Python errors keep their type, traceback, line and suggested fixes', async () => {
    const dd = err(await h.handle('app:export', exportReq(seed('data_dependent'))));
    expect(dd.pythonType).toBe('torch.fx.experimental.symbolic_shapes.GuardOnDataDependentSymNode');
    expect(dd.location?.code).toBe('if x.sum() > 0:');
    expect(dd.stack).toContain('Traceback');
    const cv = err(await h.handle('app:export', exportReq(seed('specializes'))));
    expect(cv.violations?.[0]).toMatchObject({ dimName: 'b', suggestedFix: 'b = 4' });
    expect(cv.location?.code).toBe('b = Dim("b")');
    const syntax = err(await h.handle('app:export', exportReq(seed('sin_cos').replace('return a + b', 'return a +'))));
    expect(syntax.name).toBe('SyntaxError');
    expect(syntax.location?.line).toBe(9);
  });

  it('reads example inputs by running the file when it has to', async () => {
    const src = seed('sin_cos').replace('example_args = (torch.randn(10, 10), torch.randn(10, 10))', 'def make():\n    return torch.randn(3, 4), torch.ones(3, 4)\n\nexample_args = make()');
    const a = ok(await h.handle('app:analyze', { source: src }));
    expect(a.via).toBe('python');
    expect(a.inputs.map((i) => [i.path, i.shape])).toEqual([
      ['x', [3, 4]],
      ['y', [3, 4]],
    ]);
  });
});

describe('host service: WebGPU (through the pt2 CLI in a child process)', () => {
  it('compares on the adapter the host found at 1e-4, or reports why there is none', async () => {
    const h = service();
    const hello = ok(await h.handle('app:hello', {}));
    const gpu = hello.capabilities.webgpu;
    const v = ok(await h.handle('app:export', exportReq(seed('dynamic_batch'))));
    const r = await h.handle('app:compare', { taskId: 'g', sessionId: v.sessionId, backend: 'webgpu', inputs: 'example', seed: 1, atol: 1e-4, rtol: 1e-4 });
    if (!gpu.available) {
      expect(gpu.reason).toMatch(/WebGPU/);
      expect(err(r).message).toBe(gpu.reason);
      return;
    }
    expect(gpu.adapter!.label).toMatch(gpu.adapter!.software ? /software adapter, not a GPU/ : /\(GPU\)$/);
    const c = ok(r);
    expect(c.pass).toBe(true);
    expect(c.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    expect(c.runtime).toBe('WebGPU runtime');
    expect(c.adapter).toEqual(gpu.adapter);
  }, 120_000);
});
