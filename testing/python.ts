// The Python front end for tests: Pyodide from node_modules with engine/python's
// torch installed, through the same loader `pt2 py` uses.

import { loadPythonRuntime } from '../main/cli/py-command';
import { type PythonRuntime } from '../engine/python/bridge';

/** Load and warm up (import torch); returns the runtime and the cold-start time. */
export async function loadTestPython(): Promise<{ rt: PythonRuntime; coldMs: number }> {
  const t0 = performance.now();
  const rt = await loadPythonRuntime();
  const r = rt.runPython('import torch, torch.nn, torch.export');
  if (r.error) throw new Error(r.error.traceback);
  return { rt, coldMs: performance.now() - t0 };
}
