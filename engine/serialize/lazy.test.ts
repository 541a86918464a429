// Lazy weights: loading through a ByteSource reads the directory, JSON and
// sample inputs only; a weight record is read (and its CRC checked) the first
// time its tensor's data is used; damage found then is an ArchiveError.

import { describe, expect, test } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_DIR } from '../../testing/corpus';
import { loadPt2 } from './read';
import { ArchiveError, type ByteSource, ZipReader } from './zip';
import { isLazyPending } from './tensor-data';

const GPT2 = join(CORPUS_DIR, 'models/gpt2_tiny.pt2');

function tracked(bytes: Uint8Array): ByteSource & { reads: Array<[number, number]> } {
  const reads: Array<[number, number]> = [];
  return {
    size: bytes.length,
    reads,
    read(offset, length) {
      reads.push([offset, length]);
      return bytes.slice(offset, offset + length);
    },
  };
}

describe.skipIf(!existsSync(GPT2))('lazy weights through a ByteSource', () => {
  const bytes = new Uint8Array(readFileSync(GPT2));
  const zip = new ZipReader(bytes);
  const weightRanges = zip.entries.filter((e) => /data\/weights\/weight_\d+$/.test(e.name)).map((e) => [e.dataOffset, e.dataOffset + e.compressedSize] as const);
  const touchesWeights = (reads: Array<[number, number]>) => reads.some(([o, l]) => weightRanges.some(([a, b]) => o < b && o + l > a && l > 0));

  test('opening reads no weight bytes; first use reads one record; results equal the eager load', () => {
    const src = tracked(bytes);
    const ep = loadPt2(src).programs.get('model')!;
    expect(touchesWeights(src.reads)).toBe(false);
    const readBytes = src.reads.reduce((a, [, l]) => a + l, 0);
    expect(readBytes).toBeLessThan(bytes.length / 2);
    expect([...ep.stateDict.values()].every((t) => isLazyPending(t.nd.storage))).toBe(true);
    const eager = loadPt2(bytes).programs.get('model')!;
    expect(ep.toString()).toBe(eager.toString());
    const key = 'm.transformer.h.0.mlp.c_fc.weight';
    src.reads.length = 0;
    const t = ep.stateDict.get(key)!;
    expect(t.toArray()).toEqual(eager.stateDict.get(key)!.toArray());
    expect(src.reads.length).toBe(1);
    expect(isLazyPending(t.nd.storage)).toBe(false);
    // Tied weights share one lazy storage.
    expect(ep.stateDict.get('m.lm_head.weight')?.nd.storage ?? ep.stateDict.get('m.transformer.wte.weight')!.nd.storage).toBe(ep.stateDict.get('m.transformer.wte.weight')!.nd.storage);
    for (const [k, v] of eager.stateDict) expect(ep.stateDict.get(k)!.toArray(), k).toEqual(v.toArray());
    // Eager is the default for bytes in memory; lazy can be asked for.
    expect(isLazyPending(eager.stateDict.get(key)!.nd.storage)).toBe(false);
    expect(isLazyPending(loadPt2(bytes, { lazyWeights: true }).programs.get('model')!.stateDict.get(key)!.nd.storage)).toBe(true);
  });

  test('a damaged weight record loads lazily and fails with ArchiveError (CRC) on first use', () => {
    const [a] = weightRanges[4]!;
    const bad = bytes.slice();
    bad[a + 3] ^= 0x10;
    expect(() => loadPt2(bad)).toThrow(/CRC32 mismatch/);
    const ep = loadPt2(tracked(bad)).programs.get('model')!;
    const hit = [...ep.stateDict.values()].filter((t) => {
      try {
        void t.nd.storage.data;
        return false;
      } catch (e) {
        expect(e).toBeInstanceOf(ArchiveError);
        expect((e as Error).message).toMatch(/CRC32 mismatch/);
        return true;
      }
    });
    expect(hit.length).toBeGreaterThan(0);
  });
});
