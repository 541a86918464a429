// Messages between the renderer and its WebGPU worker (webgpu-run.worker.ts). Requests
// carry an id; every request gets exactly one answer with the same id. Values cross as
// the wire values of main/common/compare-wire.ts, so the worker's outputs go to the host
// unchanged.

import type { AdapterInfo, WireValue } from '../../main/common/ipc-contract';

export interface RunProgramMessage {
  type: 'run';
  id: number;
  /** Names the program; the worker keeps the last one compiled. */
  programKey: string;
  /** The .pt2 archive, base64; absent when the worker should already hold programKey. */
  archive?: string;
  mutableBuffers: Record<string, WireValue>;
  inputs: WireValue[];
}

export type ToWebGpuWorker = RunProgramMessage;

export interface RunProgramResult {
  type: 'result';
  id: number;
  outputs: WireValue[];
  /** The run itself (uploads, dispatches, readback). */
  ms: number;
  /** Loading the archive and building the runtime, when this run did (0 when cached). */
  loadMs: number;
  adapter: AdapterInfo;
  /** The program the worker now holds. */
  held: string;
}

export interface WorkerFailure {
  type: 'error';
  id: number;
  name: string;
  message: string;
  /** The worker does not hold the program the run named: send the archive again. */
  missingProgram?: boolean;
}

export type FromWebGpuWorker = RunProgramResult | WorkerFailure;

/** The worker's error for a run that named a program it does not hold. */
export const MISSING_PROGRAM = 'MissingProgramError';
