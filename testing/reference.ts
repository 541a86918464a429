// The reference PyTorch (a venv at /tmp/ref, or $PT2_REF_PYTHON), used by tests
// that compare against real torch. Tests skip with a message when it is absent.

import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

export const REF_PYTHON = process.env.PT2_REF_PYTHON ?? '/tmp/ref/bin/python';

let available: boolean | undefined;
export function referenceTorchAvailable(): boolean {
  if (available === undefined) {
    available = false;
    if (existsSync(REF_PYTHON)) {
      try {
        execFileSync(REF_PYTHON, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 });
        available = true;
      } catch {
        available = false;
      }
    }
    if (!available) console.warn(`reference PyTorch not found at ${REF_PYTHON}: tests that need it are skipped (set PT2_REF_PYTHON or run .ci/run to create /tmp/ref)`);
  }
  return available;
}

/** Run a Python snippet in the reference venv; stdin is passed as JSON text. */
export function runReference(code: string, input: unknown = null, timeoutMs = 120_000): string {
  return execFileSync(REF_PYTHON, ['-c', code], { input: JSON.stringify(input), encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 });
}
