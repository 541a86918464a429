// A WebGPU device for tests, from the `webgpu` package (Dawn) in Node: the system
// Vulkan driver, or Chromium's SwiftShader when none is configured. Tests skip with
// `why` when no adapter can be had.

import { existsSync } from 'node:fs';
import { afterAll, beforeAll, it } from 'vitest';
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

/** A test file's WebGPU device: acquired before its tests, destroyed after them. */
export interface TestDevice {
  readonly dev: GpuDevice | undefined;
  /** Why there is no device (the skip message). */
  readonly why: string;
  /** A test that runs with the device, or is skipped saying why there is none. */
  gpuIt(name: string, fn: () => Promise<void>, timeout?: number): void;
}

/** Registers the hooks that acquire and destroy a test device; call at the top level of a test file. */
export function useTestDevice(): TestDevice {
  let dev: GpuDevice | undefined;
  let why = '';
  beforeAll(async () => {
    ({ dev, why } = await acquireTestDevice());
    if (!dev) console.warn(`WebGPU tests skipped: ${why}`);
  });
  afterAll(() => dev?.device.destroy());
  return {
    get dev() {
      return dev;
    },
    get why() {
      return why;
    },
    gpuIt: (name, fn, timeout) => it(name, async (ctx) => (dev ? fn() : ctx.skip(why)), timeout),
  };
}
