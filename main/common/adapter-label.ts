// How a WebGPU adapter is named to the user, the same in the host and in the window:
// `NAME (GPU)` or `NAME (software adapter, not a GPU)`. Types only: the UI thread
// imports it without pulling in the engine.

import type { AdapterDescription } from '../../engine/runtime/webgpu/device';
import type { AdapterInfo } from './ipc-contract';

export function adapterInfo(a: AdapterDescription): AdapterInfo {
  const name = [a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' ') || 'unknown adapter';
  return { name, software: a.software, label: a.software ? `${name} (software adapter, not a GPU)` : `${name} (GPU)` };
}
