import { describe, expect, it } from 'vitest';
import { probeWindowWebGpu } from './probe';

const adapter = (info: Partial<GPUAdapterInfo>) => ({ info }) as unknown as GPUAdapter;
const gpu = (requestAdapter: () => Promise<GPUAdapter | null>) => ({ gpu: { requestAdapter } as unknown as GPU });

describe("the window's WebGPU probe", () => {
  it('labels SwiftShader (a fallback adapter) as software, never as a GPU', async () => {
    const r = await probeWindowWebGpu(gpu(async () => adapter({ vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true })), true);
    expect(r).toEqual({ available: true, adapter: { name: 'google swiftshader', software: true, label: 'google swiftshader (software adapter, not a GPU)' } });
  });

  it('a hardware adapter is a GPU', async () => {
    const r = await probeWindowWebGpu(gpu(async () => adapter({ vendor: 'nvidia', architecture: 'hopper' })), true);
    expect(r.adapter?.label).toBe('nvidia hopper (GPU)');
  });

  it('says why when there is no navigator.gpu, no adapter, a failing request, or no workers', async () => {
    const missing = await probeWindowWebGpu({ gpu: undefined as unknown as GPU }, true);
    expect(missing.available).toBe(false);
    expect(missing.reason).toMatch(/^WebGPU is not available in this window: navigator\.gpu is missing/);
    const none = await probeWindowWebGpu(gpu(async () => null), true);
    expect(none.reason).toMatch(/requestAdapter\(\) found no adapter.*--enable-unsafe-webgpu/);
    const failed = await probeWindowWebGpu(gpu(() => Promise.reject(new Error('GPU process crashed'))), true);
    expect(failed.reason).toContain('requestAdapter() failed (GPU process crashed)');
    const noWorkers = await probeWindowWebGpu(gpu(async () => adapter({})), false);
    expect(noWorkers.reason).toContain('cannot start workers');
  });
});
