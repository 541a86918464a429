import { describe, expect, it } from 'vitest';
import { childFailure } from './runtimes';

describe("the host's WebGPU child: why it failed", () => {
  it("keeps the child's own pt2 lines, not the SwiftShader fallback note", () => {
    const stderr = 'pt2: no system WebGPU adapter; using the SwiftShader (software) Vulkan driver\npt2: internal error: WebGPU could not compile pointwise|relu\n    at ValidateObject (Device.cpp:877)\n';
    expect(childFailure(stderr, 2)).toBe('pt2: internal error: WebGPU could not compile pointwise|relu');
  });

  it('falls back to the last lines (never only the fallback note), then to the exit code', () => {
    const stderr = 'pt2: no system WebGPU adapter; using the SwiftShader (software) Vulkan driver\nSegmentation fault\n';
    expect(childFailure(stderr, 139)).toBe('Segmentation fault');
    expect(childFailure('', 2)).toBe('exit 2');
  });
});
