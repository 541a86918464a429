/// <reference types="@webgpu/types" />
// Acquiring a WebGPU device through an injected `navigator.gpu`-like object:
// Node passes the `webgpu` package's GPU (Dawn), a browser or Electron renderer
// passes navigator.gpu. The adapter is described as reported, and software
// rasterizers (SwiftShader, llvmpipe, WARP, any fallback adapter) are flagged so
// that callers never present them as a GPU.

/** The part of `navigator.gpu` the runtime needs. */
export interface GpuLike {
  requestAdapter(options?: GPURequestAdapterOptions): Promise<GPUAdapter | null>;
}

export interface AdapterDescription {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** A CPU implementation of WebGPU (not a GPU). */
  readonly software: boolean;
}

export interface GpuDevice {
  readonly device: GPUDevice;
  readonly adapter: AdapterDescription;
  /**
   * The GPU (instance) and adapter objects, kept alive as long as the device:
   * in Dawn for Node, a collected GPU object destroys the instance while the
   * device's pending callbacks still run through it (a crash in
   * CallbackTaskManager::Flush from InstanceBase::ProcessEvents).
   */
  readonly owners: readonly unknown[];
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|warp|microsoft basic render|software/i;

export function describeAdapterInfo(info: Partial<GPUAdapterInfo> | undefined): AdapterDescription {
  const vendor = info?.vendor ?? '';
  const architecture = info?.architecture ?? '';
  const device = info?.device ?? '';
  const description = info?.description ?? '';
  const software = Boolean(info?.isFallbackAdapter) || SOFTWARE.test(`${vendor} ${architecture} ${device} ${description}`);
  return { vendor, architecture, device, description, software };
}

/** A device with the adapter's largest storage-buffer limits, or undefined when there is no adapter. */
export async function acquireDevice(gpu: GpuLike, options: GPURequestAdapterOptions = { powerPreference: 'high-performance' }): Promise<GpuDevice | undefined> {
  const adapter = await gpu.requestAdapter(options);
  if (!adapter) return undefined;
  const l = adapter.limits;
  const device = await adapter.requestDevice({
    // Time stamps for profiling (GpuExecutor.enableProfiling) where the adapter has them.
    requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
    requiredLimits: {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxStorageBuffersPerShaderStage: Math.min(l.maxStorageBuffersPerShaderStage, 10),
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
    },
  });
  return { device, adapter: describeAdapterInfo(adapter.info), owners: [gpu, adapter] };
}
