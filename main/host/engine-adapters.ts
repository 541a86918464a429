// The parts of the engine that are built concurrently with the studio, found at run
// time: the .pt2 serializer (engine/serialize: loadPt2 / savePt2), the Python front
// end (engine/python, driven by python-frontend.ts) and the WebGPU runtime. Each
// probe resolves to the module's API or to a NotAvailableError naming what is
// missing; the host turns the latter into the UI's "not available yet" state and
// never substitutes a fake result.

import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Availability, WebGpuAvailability } from '../common/ipc-contract';
import { webGpuAvailability } from './runtimes';
import type { ExportedProgram } from '../../engine/export/exported-program';
import type { LoadedArchive } from '../../engine/serialize/read';
import type { ByteSource } from '../../engine/serialize/zip';
import type { Storage } from '../../engine/core/ndarray';
import { NotAvailableError } from './host-errors';

const ENGINE_DIR = fileURLToPath(new URL('../../engine/', import.meta.url));

async function importFirst(candidates: readonly string[], has: readonly string[]): Promise<Record<string, unknown> | null> {
  for (const rel of candidates) {
    const file = ENGINE_DIR + rel;
    if (!existsSync(file)) continue;
    const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    if (has.every((name) => typeof mod[name] === 'function')) return mod;
  }
  return null;
}

//#region serializer
export interface SerializerApi {
  /** `input`: the file's bytes, or a random-access ByteSource (then weights are read lazily, on first use). */
  loadPt2(input: Uint8Array | ByteSource, opts?: { copyTensors?: boolean; lazyWeights?: boolean }): LoadedArchive;
  savePt2(ep: ExportedProgram, opts?: { rootName?: string; modelName?: string }): Uint8Array;
  /** Whether a storage is a lazily loaded one not read yet (absent: every storage is in memory). */
  isLazyPending?(storage: Storage): boolean;
  /** Why a loaded program's sample inputs could not be decoded, if they could not. */
  sampleInputsError?(ep: ExportedProgram): string | undefined;
}

const SERIALIZER_PENDING = 'engine/serialize';
let serializer: Promise<SerializerApi | NotAvailableError> | undefined;

/** engine/serialize's read.ts (loadPt2) and write.ts (savePt2), imported lazily so a broken or missing serializer only disables Open/Save. */
export function loadSerializer(): Promise<SerializerApi | NotAvailableError> {
  serializer ??= (async () => {
    try {
      const reader = await importFirst(['serialize/read.ts'], ['loadPt2']);
      const writer = await importFirst(['serialize/write.ts'], ['savePt2']);
      if (reader && writer) {
        const api = { loadPt2: reader.loadPt2, savePt2: writer.savePt2 } as unknown as SerializerApi;
        const data = await importFirst(['serialize/tensor-data.ts'], ['isLazyPending']);
        if (data) api.isLazyPending = data.isLazyPending as SerializerApi['isLazyPending'];
        const extras = (await importFirst(['serialize/extras.ts'], [])) as { programExtras?: WeakMap<ExportedProgram, { sampleInputsError?: string }> } | null;
        const table = extras?.programExtras;
        if (table instanceof WeakMap) api.sampleInputsError = (ep) => table.get(ep)?.sampleInputsError;
        return api;
      }
    } catch (e) {
      return new NotAvailableError(`The .pt2 serializer (engine/serialize) failed to load: ${(e as Error).message}`, SERIALIZER_PENDING);
    }
    return new NotAvailableError(
      'Reading and writing .pt2 archives needs the serializer (engine/serialize: loadPt2 / savePt2), which is not available yet.',
      SERIALIZER_PENDING,
    );
  })();
  return serializer;
}
//#endregion

//#region python
/** Whether engine/python (the Python front end's bridge) is in the tree. */
export function pythonModulePresent(): boolean {
  return existsSync(ENGINE_DIR + 'python/bridge.ts');
}
//#endregion

export async function availability(pythonOff = false): Promise<{ python: Availability; serializer: Availability; webgpu: WebGpuAvailability; strict: Availability }> {
  const s = await loadSerializer();
  return {
    python: pythonOff
      ? { available: false, reason: 'The Python front end is switched off for this host (PT2_STUDIO_PYTHON=off): the built-in examples export through their TypeScript twins.' }
      : pythonModulePresent()
        ? { available: true }
        : { available: false, reason: 'The Python front end (engine/python) is not available yet: the built-in examples export through their TypeScript twins.' },
    serializer: s instanceof NotAvailableError ? { available: false, reason: s.message } : { available: true },
    webgpu: existsSync(ENGINE_DIR + 'runtime/webgpu/webgpu-runtime.ts')
      ? await webGpuAvailability()
      : { available: false, reason: 'The WebGPU runtime (engine/runtime/webgpu) is not available yet.' },
    strict: existsSync(ENGINE_DIR + 'strict') ? { available: true } : { available: false, reason: 'strict=True capture (engine/strict) is not available yet; export reports it as an error.' },
  };
}
