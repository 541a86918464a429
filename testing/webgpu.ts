// A WebGPU device for tests, from the `webgpu` package (Dawn) in Node: the system
// Vulkan driver, or Chromium's SwiftShader when none is configured. Tests skip with
// `why` when no adapter can be had.

import { existsSync } from 'node:fs';
import { type GpuDevice, acquireDevice } from '../engine/runtime/webgpu/device';

const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';

export async function acquireTestDevice(): Promise<{ dev?: GpuDevice; why: string }> {
  // Before Dawn loads: fall back to SwiftShader when no ICD is configured.
  if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER)) process.env.VK_ICD_FILENAMES = SWIFTSHADER;
  try {
    const webgpu = (await import('webgpu')) as { create: (o: string[]) => Parameters<typeof acquireDevice>[0]; globals: object };
    Object.assign(globalThis, webgpu.globals);
    const dev = await acquireDevice(webgpu.create([]));
    return dev ? { dev, why: '' } : { why: 'no WebGPU adapter (no GPU driver; install chromium for SwiftShader)' };
  } catch (e) {
    return { why: `the webgpu package did not load: ${(e as Error).message}` };
  }
}
