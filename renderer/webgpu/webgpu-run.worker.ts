/// <reference types="@webgpu/types" />
// The window's WebGPU worker: runs an exported program on Chromium's own WebGPU
// (navigator.gpu in a dedicated worker, so a long run or shader compilation never
// blocks the UI). It loads the program from the .pt2 bytes the host writes for Save,
// builds a WebGpuRuntime once per program and keeps it, sets the mutable buffers the
// host sent (so the kept program starts from the host's state, as a fresh load would),
// runs the user inputs and answers the flat user outputs as wire values.
// The device is acquired once (engine/runtime/webgpu/device.ts flags software
// adapters) and again after it is lost.

import { acquireDevice, type GpuDevice } from '../../engine/runtime/webgpu/device';
import { WebGpuRuntime } from '../../engine/runtime/webgpu/webgpu-runtime';
import { programInputs, userOutputs } from '../../engine/runtime/program';
import { loadPt2 } from '../../engine/serialize/read';
import type { ExportedProgram } from '../../engine/export/exported-program';
import { NDArray } from '../../engine/core/ndarray';
import { adapterInfo, decodeValue, decodeValues, encodeValues, keptInputs, portableBase64 } from '../../main/common/compare-wire';
import { MISSING_PROGRAM, type FromWebGpuWorker, type RunProgramMessage, type ToWebGpuWorker } from './protocol';

const scope = self as unknown as { postMessage(m: FromWebGpuWorker): void; onmessage: ((e: MessageEvent<ToWebGpuWorker>) => void) | null; navigator: Navigator };

class WindowWebGpuError extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

let gpu: Promise<GpuDevice> | undefined;
let program: { key: string; ep: ExportedProgram; rt: WebGpuRuntime } | undefined;
let lost: string | undefined;

function device(): Promise<GpuDevice> {
  gpu ??= (async () => {
    const nav = scope.navigator;
    if (!nav.gpu)
      throw new WindowWebGpuError(
        'NotAvailableError',
        'WebGPU is not available in this window: navigator.gpu is missing in its worker (Chromium on Linux needs --enable-unsafe-webgpu; the page must be a secure context). Use the host\'s WebGPU or the CPU backend.',
      );
    const dev = await acquireDevice(nav.gpu);
    if (!dev) throw new WindowWebGpuError('NotAvailableError', 'WebGPU is not available in this window: navigator.gpu.requestAdapter() found no adapter. Use the host\'s WebGPU or the CPU backend.');
    void dev.device.lost.then((info) => {
      lost = `the WebGPU device was lost (${info.reason}: ${info.message})`;
      gpu = undefined;
      program?.rt.destroy();
      program = undefined;
    });
    return dev;
  })();
  const p = gpu;
  p.catch(() => {
    if (gpu === p) gpu = undefined;
  });
  return p;
}

function load(key: string, archiveB64: string, dev: GpuDevice): NonNullable<typeof program> {
  program?.rt.destroy();
  program = undefined;
  const archive = loadPt2(portableBase64.decode(archiveB64));
  const ep = archive.programs.get('model') ?? [...archive.programs.values()][0];
  if (!ep) throw new WindowWebGpuError('ArchiveError', 'The archive the host sent holds no program.');
  program = { key, ep, rt: new WebGpuRuntime(ep.graph, dev, { frozenInputs: keptInputs(ep) }) };
  return program;
}

async function run(m: RunProgramMessage): Promise<FromWebGpuWorker> {
  const dev = await device();
  let loadMs = 0;
  let p = program;
  if (m.archive !== undefined) {
    const t0 = performance.now();
    p = load(m.programKey, m.archive, dev);
    loadMs = performance.now() - t0;
  } else if (!p || p.key !== m.programKey) {
    return { type: 'error', id: m.id, name: MISSING_PROGRAM, message: `The window's WebGPU worker does not hold ${m.programKey}${lost ? ` (${lost})` : ''}.`, missingProgram: true };
  }
  const { ep, rt } = p;
  for (const [name, w] of Object.entries(m.mutableBuffers)) {
    const target = ep.parts.stateDict.get(name) ?? ep.parts.constants.get(name);
    const value = decodeValue(w, `buffer ${name}`);
    if (!target || !(value instanceof NDArray)) throw new WindowWebGpuError('ProgramError', `The program has no tensor buffer ${name} to set.`);
    target.nd.copyFrom(value);
  }
  const user = decodeValues(m.inputs, 'input');
  const t0 = performance.now();
  const flat = userOutputs(ep, await rt.run(programInputs(ep, user)), user);
  const ms = performance.now() - t0;
  return { type: 'result', id: m.id, outputs: encodeValues(flat, 'output'), ms, loadMs, adapter: adapterInfo(dev.adapter), held: p.key };
}

// One run at a time, in arrival order (the runtime and the device are shared).
let queue: Promise<void> = Promise.resolve();
scope.onmessage = (e) => {
  const m = e.data;
  if (m?.type !== 'run') return;
  queue = queue.then(async () => {
    try {
      scope.postMessage(await run(m));
    } catch (err) {
      const name = err instanceof Error ? err.name : 'Error';
      const message = err instanceof Error ? err.message : String(err);
      scope.postMessage({ type: 'error', id: m.id, name, message });
    }
  });
};
