import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const { chromiumSwitches } = createRequire(import.meta.url)('./switches.cjs') as { chromiumSwitches: (p: string, env: Record<string, string | undefined>) => string[] };

describe('Electron Chromium switches', () => {
  it('enables WebGPU on Linux, where Chromium keeps it behind a flag, unless opted out', () => {
    expect(chromiumSwitches('linux', {})).toEqual(['enable-unsafe-webgpu']);
    expect(chromiumSwitches('linux', { PT2_NO_UNSAFE_WEBGPU: '1' })).toEqual([]);
    expect(chromiumSwitches('darwin', {})).toEqual([]);
    expect(chromiumSwitches('win32', {})).toEqual([]);
  });
});
