// The zip layer on its own: inflate against zlib, PyTorch's record layout, zip64
// end records, and refusal of unsafe names, bad sizes and corrupt data.

import { describe, expect, test } from 'vitest';
import { deflateRawSync } from 'node:zlib';
import { ArchiveError, ZipReader, crc32, inflateRaw, unsafeNameReason, writeZip } from './zip';

const enc = new TextEncoder();

function rand(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = (s >>> 16) & (i % 3 ? 0x0f : 0xff); // compressible but not trivial
  }
  return out;
}

/** A classic zip (no data descriptor) with one deflated entry, as Python's zipfile writes. */
function deflatedZip(name: string, data: Uint8Array): Uint8Array {
  const comp = new Uint8Array(deflateRawSync(data));
  const nm = enc.encode(name);
  const out = new Uint8Array(30 + nm.length + comp.length + 46 + nm.length + 22);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0x04034b50, true);
  v.setUint16(8, 8, true);
  v.setUint32(14, crc32(data), true);
  v.setUint32(18, comp.length, true);
  v.setUint32(22, data.length, true);
  v.setUint16(26, nm.length, true);
  out.set(nm, 30);
  out.set(comp, 30 + nm.length);
  const cd = 30 + nm.length + comp.length;
  v.setUint32(cd, 0x02014b50, true);
  v.setUint16(cd + 10, 8, true);
  v.setUint32(cd + 16, crc32(data), true);
  v.setUint32(cd + 20, comp.length, true);
  v.setUint32(cd + 24, data.length, true);
  v.setUint16(cd + 28, nm.length, true);
  out.set(nm, cd + 46);
  const e = cd + 46 + nm.length;
  v.setUint32(e, 0x06054b50, true);
  v.setUint16(e + 8, 1, true);
  v.setUint16(e + 10, 1, true);
  v.setUint32(e + 12, 46 + nm.length, true);
  v.setUint32(e + 16, cd, true);
  return out;
}

describe('inflate', () => {
  test.each([0, 1, 100, 5000, 70000])('round trips %i bytes through zlib', (n) => {
    const data = rand(n, n + 1);
    for (const level of [0, 1, 6, 9]) {
      const comp = new Uint8Array(deflateRawSync(data, { level }));
      expect(Buffer.from(inflateRaw(comp, n)).equals(Buffer.from(data))).toBe(true);
    }
  });
  test('refuses output beyond the declared size and truncated streams', () => {
    const data = rand(1000, 3);
    const comp = new Uint8Array(deflateRawSync(data));
    expect(() => inflateRaw(comp, 999)).toThrow(/beyond its declared size|inflates to/);
    expect(() => inflateRaw(comp, 1001)).toThrow(/inflates to 1000/);
    expect(() => inflateRaw(comp.slice(0, comp.length >> 1), 1000)).toThrow(ArchiveError);
  });
  test('deflated entries read through ZipReader, with CRC checked', () => {
    const data = rand(3000, 9);
    const z = deflatedZip('root/x.bin', data);
    expect(Buffer.from(new ZipReader(z).read('root/x.bin')).equals(Buffer.from(data))).toBe(true);
    const bad = z.slice();
    new DataView(bad.buffer).setUint32(bad.length - 22 - 46 - 10 + 16, 0xdeadbeef, true);
    expect(() => new ZipReader(bad).read('root/x.bin')).toThrow(/CRC32 mismatch/);
  });
});

describe('writer layout', () => {
  const recs = [
    { name: 'a/data/weights/model_weights_config.json', data: enc.encode('{"config": {}}') },
    { name: 'a/x', data: rand(100, 1) },
    { name: 'a/empty', data: new Uint8Array(0) },
  ];
  test('data is 64-byte aligned behind FB padding; zip64 end records are present', () => {
    const z = writeZip(recs);
    const r = new ZipReader(z);
    expect(r.entries.map((e) => e.name)).toEqual(recs.map((x) => x.name));
    for (const e of r.entries) expect(e.dataOffset % 64).toBe(0);
    // The PT2-FORMAT worked example: a 41-byte name at offset 0 puts data at 128.
    expect(r.entries[0]!.dataOffset).toBe(128);
    const v = new DataView(z.buffer);
    expect(v.getUint16(6, true)).toBe(0x0808);
    expect(z[30 + recs[0]!.name.length]).toBe(0x46);
    expect(v.getUint32(z.length - 22 - 20, true)).toBe(0x07064b50);
    expect(v.getUint32(z.length - 22 - 20 - 56, true)).toBe(0x06064b50);
    recs.forEach((x) => expect(Buffer.from(r.read(x.name)).equals(Buffer.from(x.data))).toBe(true));
  });
  test('refuses unsafe or duplicate names', () => {
    expect(() => writeZip([{ name: 'a/../b', data: new Uint8Array(1) }])).toThrow(ArchiveError);
    expect(() => writeZip([recs[1]!, recs[1]!])).toThrow(/duplicate/);
  });
});

describe('reader checks', () => {
  test('unsafe names', () => {
    expect(unsafeNameReason('a/../b')).toMatch(/\.\./);
    expect(unsafeNameReason('/etc/passwd')).toMatch(/absolute/);
    expect(unsafeNameReason('C:/x')).toMatch(/absolute/);
    expect(unsafeNameReason('a\\b')).toMatch(/backslash/);
    expect(unsafeNameReason('a/b.json')).toBeUndefined();
  });
  test('declared sizes beyond the file or the limit', () => {
    const z = writeZip([{ name: 'r/x', data: rand(200, 2) }]);
    expect(() => new ZipReader(z, { maxEntrySize: 100 })).toThrow(/exceeds the limit of 100/);
    const bad = z.slice();
    const cd = bad.length - 22 - 20 - 56 - 46 - 3;
    new DataView(bad.buffer).setUint32(cd + 20, 0x7fffffff, true);
    new DataView(bad.buffer).setUint32(cd + 24, 0x7fffffff, true);
    expect(() => new ZipReader(bad)).toThrow(ArchiveError);
  });
  test('not a zip, truncated', () => {
    expect(() => new ZipReader(new Uint8Array(10))).toThrow(/too small/);
    const z = writeZip([{ name: 'r/x', data: rand(200, 2) }]);
    expect(() => new ZipReader(z.slice(0, z.length - 5))).toThrow(/end-of-central-directory/);
  });
});
