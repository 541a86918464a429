// Compares whose exported side runs on the window's WebGPU (Chromium's, in a renderer
// worker): app:compare-prepare runs nothing here but the eager model, keeps its outputs
// and hands the window the program and inputs (runtimes.ts windowRunPayload);
// app:compare-finish compares the outputs the window sends back with the kept ones,
// with the same pass rule and summaries as a compare that runs in the host.

import type { CompareFinishRequest, ComparePrepareRequest, ComparePrepareResponse, CompareResponse, OutputComparison, TensorSummary } from '../common/ipc-contract';
import type { ExportedProgram } from '../../engine/export/exported-program';
import { compareOutputs } from './compare';
import { cloneValue } from './example-values';
import { HostRequestError } from './host-errors';
import type { SerializerApi } from './engine-adapters';
import { EAGER_RUNTIME, WEBGPU_RUNTIME, windowRunOutputs, windowRunPayload } from './runtimes';

/** The eager side of a compare: its inputs, outputs and time. */
export interface EagerResult {
  args: unknown[];
  kwargs: Record<string, unknown>;
  out: unknown;
  ms: number;
  /** The inputs as the compare response lists them. */
  summaries: TensorSummary[];
}

interface Pending {
  sessionId: string;
  eagerOut: unknown;
  inputs: TensorSummary[];
  eagerMs: number;
  atol: number;
  rtol: number;
}

/** The verdict part of a compare response. */
export function verdict(outputs: OutputComparison[]): Pick<CompareResponse, 'outputs' | 'maxAbsDiff' | 'maxRelDiff' | 'pass'> {
  return {
    outputs,
    maxAbsDiff: outputs.reduce((m, o) => Math.max(m, o.maxAbsDiff), 0),
    maxRelDiff: outputs.reduce((m, o) => Math.max(m, o.maxRelDiff), 0),
    pass: outputs.every((o) => o.pass),
  };
}

/** Window compares between their two halves, by the prepare's taskId; the oldest go past `max`. */
export class WindowCompares {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly max = 4) {}

  /** Keep the eager side and build what the window runs. The program key names the session's program. */
  prepare(ep: ExportedProgram, ser: SerializerApi, sessionId: string, req: ComparePrepareRequest, eager: EagerResult): ComparePrepareResponse {
    const heldProgram = typeof req.heldProgram === 'string' ? req.heldProgram : undefined;
    const payload = windowRunPayload(ep, ser, `session:${sessionId}`, heldProgram, cloneValue(eager.args) as unknown[], cloneValue(eager.kwargs) as Record<string, unknown>);
    this.pending.set(req.taskId, { sessionId, eagerOut: eager.out, inputs: eager.summaries, eagerMs: eager.ms, atol: req.atol, rtol: req.rtol });
    for (const key of this.pending.keys()) if (this.pending.size > this.max) this.pending.delete(key);
    return { ...payload, eagerMs: eager.ms };
  }

  /** Compare the window's outputs with the kept eager ones; `programOf` finds the session's program (or throws). */
  finish(req: CompareFinishRequest, programOf: (sessionId: string) => ExportedProgram): CompareResponse {
    const pending = this.pending.get(req.taskId);
    if (!pending || pending.sessionId !== req.sessionId)
      throw new HostRequestError('This window compare is no longer pending (the host kept only the latest ones, or the program was closed); run Compare again.');
    this.pending.delete(req.taskId);
    const ep = programOf(req.sessionId);
    const adapter = req.adapter;
    if (!adapter || typeof adapter.label !== 'string' || typeof adapter.software !== 'boolean') throw new HostRequestError("The window's WebGPU run did not report its adapter.");
    let out: unknown;
    try {
      out = windowRunOutputs(ep, req.outputs);
    } catch (e) {
      if (e instanceof Error) e.message = `Exported program failed (${WEBGPU_RUNTIME} in the window): ${e.message}`;
      throw e;
    }
    return {
      ...verdict(compareOutputs(pending.eagerOut, out, pending.atol, pending.rtol)),
      backend: 'webgpu',
      inputs: pending.inputs,
      timings: { eagerMs: pending.eagerMs, exportedMs: Number(req.ms) || 0, loadMs: Number(req.loadMs) || 0 },
      eagerRuntime: EAGER_RUNTIME,
      runtime: WEBGPU_RUNTIME,
      adapter: { name: String(adapter.name), software: adapter.software, label: adapter.label },
      webgpuIn: 'window',
    };
  }

  /** Forget the compares of a closed session. */
  dropSession(sessionId: string): void {
    for (const [task, c] of this.pending) if (c.sessionId === sessionId) this.pending.delete(task);
  }
}
