/// <reference types="@webgpu/types" />
// Whether this window has WebGPU (Chromium's navigator.gpu), and on which adapter: an
// adapter request only, on the UI thread, no device. A software adapter (SwiftShader,
// a fallback adapter) is labelled so, never as a GPU. Every "no" says why.

import type { WebGpuAvailability } from '../../main/common/ipc-contract';
import { adapterInfo } from '../../main/common/adapter-label';
import { describeAdapterInfo } from '../../engine/runtime/webgpu/device';

/** Whether this window has WebGPU, and on which adapter (a software adapter is labelled so). */
export async function probeWindowWebGpu(nav: Pick<Navigator, 'gpu'> = navigator, canStartWorkers = typeof Worker !== 'undefined'): Promise<WebGpuAvailability> {
  if (!canStartWorkers) return { available: false, reason: 'WebGPU is not available in this window: it cannot start workers.' };
  if (!nav.gpu)
    return {
      available: false,
      reason: `WebGPU is not available in this window: navigator.gpu is missing (${
        globalThis.isSecureContext === false ? 'the page is not a secure context' : 'Chromium on Linux enables it with --enable-unsafe-webgpu'
      }). The host's WebGPU (Dawn) may still be available.`,
    };
  try {
    const adapter = await nav.gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return { available: false, reason: "WebGPU is not available in this window: navigator.gpu.requestAdapter() found no adapter (no GPU Chromium accepts, and its software fallback is off; on Linux, Chromium and Electron need --enable-unsafe-webgpu). The host's WebGPU (Dawn) may still be available." };
    return { available: true, adapter: adapterInfo(describeAdapterInfo(adapter.info)) };
  } catch (e) {
    return { available: false, reason: `WebGPU is not available in this window: requestAdapter() failed (${e instanceof Error ? e.message : String(e)}).` };
  }
}
