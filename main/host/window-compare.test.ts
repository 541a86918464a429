// The host's half of a compare whose exported side runs in the window
// (app:compare-prepare / app:compare-finish). The window is played here by what its
// worker does, on the CPU runtime instead of WebGPU: load the archive the host sent
// (once per program key), set the mutable buffers, run the inputs, send the flat
// outputs back as wire values.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ComparePrepareResponse, CompareResponse, ExportResponse, IpcResult } from '../common/ipc-contract';
import { decodeValue, decodeValues, encodeValues, keptInputs } from '../common/compare-wire';
import { NDArray } from '../../engine/core/ndarray';
import type { ExportedProgram } from '../../engine/export/exported-program';
import { CpuRuntime } from '../../engine/runtime/cpu/cpu-runtime';
import { programInputs, userOutputs } from '../../engine/runtime/program';
import { loadPt2 } from '../../engine/serialize/read';
import { HostService } from './host-service';
import { SEEDS } from './seeds/catalog';
import { nodeBase64 } from './runtimes';

function service(): HostService {
  return new HostService({ host: 'web', dataDir: mkdtempSync(join(tmpdir(), 'pt2-window-')), emitProgress: () => {}, checkCancelled: () => {}, python: 'off' });
}

function ok<T>(r: IpcResult<T>): T {
  if (!r.ok) throw new Error(`${r.error.name}: ${r.error.message}`);
  return r.value;
}

async function exported(h: HostService, id: string): Promise<ExportResponse> {
  const source = SEEDS.find((s) => s.id === id)!.source;
  return ok(await h.handle('app:export', { taskId: 'e', source, strict: false, decompose: false, dynamicShapes: null }));
}

/** What the window's worker does with a prepare, on the CPU runtime. */
class FakeWindow {
  held: { key: string; ep: ExportedProgram; rt: CpuRuntime } | undefined;
  loads = 0;
  run(prep: ComparePrepareResponse, tamper?: (flat: unknown[]) => void): ReturnType<typeof encodeValues> {
    if (prep.archive !== undefined) {
      const ep = [...loadPt2(nodeBase64.decode(prep.archive)).programs.values()][0]!;
      this.held = { key: prep.programKey, ep, rt: new CpuRuntime(ep.graph, { frozenInputs: keptInputs(ep) }) };
      this.loads++;
    }
    const { ep, rt } = this.held!;
    expect(this.held!.key).toBe(prep.programKey);
    for (const [name, w] of Object.entries(prep.mutableBuffers)) ep.parts.stateDict.get(name)!.nd.copyFrom(decodeValue(w, name) as NDArray);
    const user = decodeValues(prep.inputs, 'input');
    const flat = userOutputs(ep, rt.run(programInputs(ep, user)), user);
    tamper?.(flat);
    return encodeValues(flat, 'output');
  }
}

async function windowCompare(h: HostService, win: FakeWindow, sessionId: string, taskId: string, extra: { inputs?: 'example' | 'random'; seed?: number } = {}, tamper?: (flat: unknown[]) => void): Promise<CompareResponse> {
  const prep = ok(await h.handle('app:compare-prepare', { taskId, sessionId, backend: 'webgpu', inputs: extra.inputs ?? 'example', seed: extra.seed ?? 1, atol: 1e-5, rtol: 1e-5, heldProgram: win.held?.key }));
  const outputs = win.run(prep, tamper);
  const adapter = { name: 'google swiftshader', software: true, label: 'google swiftshader (software adapter, not a GPU)' };
  return ok(await h.handle('app:compare-finish', { taskId, sessionId, outputs, ms: 1.5, adapter }));
}

describe('host: compare with the exported side in the window', () => {
  it('passes on example and random inputs; the archive is sent once per program', async () => {
    const h = service();
    const ex = await exported(h, 'dynamic_batch');
    const win = new FakeWindow();
    const a = await windowCompare(h, win, ex.sessionId, 't1');
    expect(a).toMatchObject({ pass: true, backend: 'webgpu', runtime: 'WebGPU runtime', webgpuIn: 'window' });
    expect(a.adapter?.label).toContain('software adapter, not a GPU');
    expect(a.timings).toMatchObject({ exportedMs: 1.5, loadMs: 0 });
    expect(a.outputs).toHaveLength(2);
    const b = await windowCompare(h, win, ex.sessionId, 't2', { inputs: 'random', seed: 5 });
    expect(b.pass).toBe(true);
    expect(win.loads).toBe(1);
  });

  it('a mutated buffer starts from the host state on every run', async () => {
    const h = service();
    const ex = await exported(h, 'buffer_mutation');
    const win = new FakeWindow();
    const prep = ok(await h.handle('app:compare-prepare', { taskId: 'm0', sessionId: ex.sessionId, backend: 'webgpu', inputs: 'example', seed: 1, atol: 1e-5, rtol: 1e-5 }));
    expect(Object.keys(prep.mutableBuffers)).toEqual(['count']);
    for (const task of ['m1', 'm2', 'm3']) {
      const r = await windowCompare(h, win, ex.sessionId, task);
      expect(r.pass, `${task}: max |Δ| ${r.maxAbsDiff}`).toBe(true);
    }
    expect(win.loads).toBe(1);
  });

  it('nested inputs and outputs cross flat and come back in their structure', async () => {
    const h = service();
    const ex = await exported(h, 'nested_io');
    const r = await windowCompare(h, new FakeWindow(), ex.sessionId, 'n1');
    expect(r.pass).toBe(true);
    expect(r.outputs.length).toBeGreaterThan(1);
  });

  it('wrong numbers fail the compare; a stale or unknown task is refused with what to do', async () => {
    const h = service();
    const ex = await exported(h, 'dynamic_batch');
    const win = new FakeWindow();
    const bad = await windowCompare(h, win, ex.sessionId, 'w1', {}, (flat) => (flat[0] as NDArray).storage.data.fill(7));
    expect(bad.pass).toBe(false);
    const again = await h.handle('app:compare-finish', { taskId: 'w1', sessionId: ex.sessionId, outputs: [], ms: 0, adapter: { name: 'x', software: false, label: 'x (GPU)' } });
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.error.message).toContain('run Compare again');
    const cpu = await h.handle('app:compare-prepare', { taskId: 'c', sessionId: ex.sessionId, backend: 'cpu', inputs: 'example', seed: 1, atol: 1e-5, rtol: 1e-5 });
    expect(cpu.ok).toBe(false);
  });

  it('outputs that do not match the program are refused', async () => {
    const h = service();
    const ex = await exported(h, 'dynamic_batch');
    ok(await h.handle('app:compare-prepare', { taskId: 'x1', sessionId: ex.sessionId, backend: 'webgpu', inputs: 'example', seed: 1, atol: 1e-5, rtol: 1e-5 }));
    const r = await h.handle('app:compare-finish', { taskId: 'x1', sessionId: ex.sessionId, outputs: [{ kind: 'int', value: 3 }], ms: 0, adapter: { name: 'x', software: false, label: 'x (GPU)' } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/sent back 1 outputs; the program has 2/);
  });
});
