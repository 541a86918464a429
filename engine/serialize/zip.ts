// ZIP container for .pt2 archives, over bytes the caller supplies: a bounded
// reader (central directory, zip64 records, stored and deflate entries with a
// small inflate of our own, CRC32 check, unsafe names refused) and a writer that
// lays records out as PyTorch's PyTorchStreamWriter does (stored, 64-byte
// aligned data through an "FB" padding extra field, data descriptors, zip64 end
// records). See Note [PyTorch zip layout].
//
// Note [PyTorch zip layout]
// Every local header has version 0, flags 0x0808 (data descriptor + UTF-8), time
// and date 0, zeroed CRC/sizes (the real values follow the data in a 16-byte
// descriptor) and an extra field `FB <u16 pad> 'Z'*pad` that moves the data to
// a multiple of 64. The central directory repeats the real values with no extra
// field, then come a zip64 end record, its locator and the classic end record.

import { EngineError } from '../core/errors';

/** A malformed or unsupported archive (RuntimeError in torch's PyTorchStreamReader). */
export class ArchiveError extends EngineError {
  readonly pythonType = 'RuntimeError';
  constructor(
    /** The entry the problem is about, when there is one. */
    readonly entry: string | undefined,
    readonly problem: string,
  ) {
    super(entry !== undefined ? `PT2 archive entry '${entry}': ${problem}` : `PT2 archive: ${problem}`);
  }
}

// ---------------------------------------------------------------- CRC32

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** Slicing-by-8 tables: CRC_8[k * 256 + b] is the CRC of byte b followed by k zero bytes. */
const CRC_8 = (() => {
  const t = new Uint32Array(8 * 256);
  t.set(CRC_TABLE);
  for (let k = 1; k < 8; k++)
    for (let i = 0; i < 256; i++) {
      const prev = t[(k - 1) * 256 + i]!;
      t[k * 256 + i] = (prev >>> 8) ^ CRC_TABLE[prev & 0xff]!;
    }
  return t;
})();

export function crc32(data: Uint8Array, seed = 0): number {
  let c = (seed ^ 0xffffffff) >>> 0;
  const n = data.length;
  const t = CRC_8;
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const a = (c ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24))) >>> 0;
    const b = data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24);
    c =
      t[1792 + (a & 0xff)]! ^ t[1536 + ((a >>> 8) & 0xff)]! ^ t[1280 + ((a >>> 16) & 0xff)]! ^ t[1024 + (a >>> 24)]! ^
      t[768 + (b & 0xff)]! ^ t[512 + ((b >>> 8) & 0xff)]! ^ t[256 + ((b >>> 16) & 0xff)]! ^ t[(b >>> 24) & 0xff]!;
  }
  for (; i < n; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// ---------------------------------------------------------------- inflate (RFC 1951)

interface Huffman {
  readonly counts: Uint16Array; // codes per length
  readonly symbols: Uint16Array; // symbols ordered by code
}

function buildHuffman(lengths: ArrayLike<number>, n: number): Huffman {
  const counts = new Uint16Array(16);
  for (let i = 0; i < n; i++) counts[lengths[i]!]!++;
  counts[0] = 0;
  const offs = new Uint16Array(16);
  for (let i = 1; i < 16; i++) offs[i] = offs[i - 1]! + counts[i - 1]!;
  const symbols = new Uint16Array(n);
  for (let i = 0; i < n; i++) if (lengths[i]) symbols[offs[lengths[i]!]!++] = i;
  return { counts, symbols };
}

const LEN_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LEN_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

const FIXED = (() => {
  const l = new Uint8Array(288);
  l.fill(8, 0, 144);
  l.fill(9, 144, 256);
  l.fill(7, 256, 280);
  l.fill(8, 280, 288);
  const d = new Uint8Array(30).fill(5);
  return { lit: buildHuffman(l, 288), dist: buildHuffman(d, 30) };
})();

/** Raw DEFLATE decoder producing exactly `expectedSize` bytes, or throwing `fail(problem)`. */
export function inflateRaw(src: Uint8Array, expectedSize: number, fail: (problem: string) => Error = (p) => new ArchiveError(undefined, p)): Uint8Array {
  const out = new Uint8Array(expectedSize);
  let op = 0;
  let bitBuf = 0;
  let bitCnt = 0;
  let ip = 0;
  const bits = (n: number): number => {
    while (bitCnt < n) {
      if (ip >= src.length) throw fail('deflate stream is truncated');
      bitBuf |= src[ip++]! << bitCnt;
      bitCnt += 8;
    }
    const v = bitBuf & ((1 << n) - 1);
    bitBuf >>>= n;
    bitCnt -= n;
    return v;
  };
  const decode = (h: Huffman): number => {
    let code = 0;
    let first = 0;
    let index = 0;
    for (let len = 1; len < 16; len++) {
      code |= bits(1);
      const count = h.counts[len]!;
      if (code - first < count) return h.symbols[index + code - first]!;
      index += count;
      first = (first + count) << 1;
      code <<= 1;
    }
    throw fail('deflate stream has an invalid Huffman code');
  };
  let final = 0;
  while (!final) {
    final = bits(1);
    const type = bits(2);
    if (type === 0) {
      bitBuf = 0;
      bitCnt = 0;
      if (ip + 4 > src.length) throw fail('deflate stream is truncated');
      const len = src[ip]! | (src[ip + 1]! << 8);
      const nlen = src[ip + 2]! | (src[ip + 3]! << 8);
      ip += 4;
      if ((len ^ 0xffff) !== nlen) throw fail('deflate stored block has a corrupt length');
      if (ip + len > src.length) throw fail('deflate stream is truncated');
      if (op + len > out.length) throw fail(`inflates beyond its declared size ${expectedSize}`);
      out.set(src.subarray(ip, ip + len), op);
      ip += len;
      op += len;
      continue;
    }
    if (type === 3) throw fail('deflate stream has an invalid block type');
    let lit = FIXED.lit;
    let dist = FIXED.dist;
    if (type === 2) {
      const hlit = bits(5) + 257;
      const hdist = bits(5) + 1;
      const hclen = bits(4) + 4;
      if (hlit > 286 || hdist > 30) throw fail('deflate stream has too many codes');
      const cl = new Uint8Array(19);
      for (let i = 0; i < hclen; i++) cl[CL_ORDER[i]!] = bits(3);
      const clh = buildHuffman(cl, 19);
      const lens = new Uint8Array(hlit + hdist);
      for (let i = 0; i < hlit + hdist; ) {
        const sym = decode(clh);
        if (sym < 16) lens[i++] = sym;
        else {
          let rep: number;
          let val = 0;
          if (sym === 16) {
            if (i === 0) throw fail('deflate stream repeats a length with no previous length');
            val = lens[i - 1]!;
            rep = 3 + bits(2);
          } else if (sym === 17) rep = 3 + bits(3);
          else rep = 11 + bits(7);
          if (i + rep > hlit + hdist) throw fail('deflate stream has too many code lengths');
          lens.fill(val, i, i + rep);
          i += rep;
        }
      }
      lit = buildHuffman(lens.subarray(0, hlit), hlit);
      dist = buildHuffman(lens.subarray(hlit), hdist);
    }
    for (;;) {
      const sym = decode(lit);
      if (sym < 256) {
        if (op >= out.length) throw fail(`inflates beyond its declared size ${expectedSize}`);
        out[op++] = sym;
      } else if (sym === 256) break;
      else {
        const li = sym - 257;
        if (li >= 29) throw fail('deflate stream has an invalid length code');
        const len = LEN_BASE[li]! + bits(LEN_EXTRA[li]!);
        const di = decode(dist);
        if (di >= 30) throw fail('deflate stream has an invalid distance code');
        const d = DIST_BASE[di]! + bits(DIST_EXTRA[di]!);
        if (d > op) throw fail('deflate stream refers before the start of the output');
        if (op + len > out.length) throw fail(`inflates beyond its declared size ${expectedSize}`);
        for (let k = 0; k < len; k++, op++) out[op] = out[op - d]!;
      }
    }
  }
  if (op !== expectedSize) throw fail(`inflates to ${op} bytes but declares ${expectedSize}`);
  return out;
}

// ---------------------------------------------------------------- reader

export interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflate. */
  readonly method: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
  /** Absolute offset of the entry's data in the file. */
  readonly dataOffset: number;
}

export interface ZipReadOptions {
  /** Largest uncompressed size accepted for one entry (default 2 GiB). */
  readonly maxEntrySize?: number;
  /** Largest number of entries (default 100 000). */
  readonly maxEntries?: number;
  /** Check CRC32 when an entry is read (default true). */
  readonly verifyCrc?: boolean;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_DESCRIPTOR = 0x08074b50;

function u64(v: DataView, off: number, what: string): number {
  const lo = v.getUint32(off, true);
  const hi = v.getUint32(off + 4, true);
  const n = hi * 2 ** 32 + lo;
  if (hi >= 2 ** 21) throw new ArchiveError(undefined, `${what} ${hi}:${lo} is too large`);
  return n;
}

/** Why a record name is unsafe to use, or undefined when it is fine. */
export function unsafeNameReason(name: string): string | undefined {
  if (name.length === 0) return 'empty entry name';
  if (name.includes('\0')) return 'entry name contains a NUL byte';
  if (name.includes('\\')) return 'entry name contains a backslash';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'entry name is an absolute path';
  if (name.split('/').some((p) => p === '..')) return "entry name contains a '..' component";
  return undefined;
}

/**
 * Random access to a file's bytes. `read` returns exactly `length` bytes at
 * `offset` (a view or a fresh buffer); the reader never asks outside [0, size).
 */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Uint8Array;
}

/** A ByteSource over bytes in memory (reads are views, no copies). */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: (offset, length) => bytes.subarray(offset, offset + length) };
}

const dv = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** Largest deflate expansion (a deflate stream cannot encode more than ~1032 bytes per input byte). */
const MAX_DEFLATE_RATIO = 1040;

export class ZipReader {
  readonly entries: ZipEntry[] = [];
  readonly source: ByteSource;
  private readonly byName = new Map<string, ZipEntry>();
  private readonly verifyCrc: boolean;

  /**
   * Reads the end records, the central directory and every local header (the
   * directory is checked against them); entry data is read only by `read`.
   */
  constructor(input: Uint8Array | ByteSource, opts: ZipReadOptions = {}) {
    const src = (this.source = input instanceof Uint8Array ? bytesSource(input) : input);
    const maxEntrySize = opts.maxEntrySize ?? 2 ** 31;
    const maxEntries = opts.maxEntries ?? 100_000;
    this.verifyCrc = opts.verifyCrc ?? true;
    const len = src.size;
    if (!Number.isSafeInteger(len) || len < 0) throw new ArchiveError(undefined, `source size ${len} is not a byte count`);
    if (len < 22) throw new ArchiveError(undefined, `file of ${len} bytes is too small to be a zip archive`);
    // The tail: end record (+ comment), zip64 locator before it.
    const tailStart = Math.max(0, len - 22 - 0xffff - 20);
    const tail = src.read(tailStart, len - tailStart);
    const tv = dv(tail);
    // End of central directory: the last signature within the comment window.
    let eocd = -1;
    for (let i = tail.length - 22; i >= Math.max(0, tail.length - 22 - 0xffff); i--) {
      if (tv.getUint32(i, true) === SIG_EOCD && i + 22 + tv.getUint16(i + 20, true) === tail.length) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new ArchiveError(undefined, 'no end-of-central-directory record (not a zip archive, or truncated)');
    let count = tv.getUint16(eocd + 10, true);
    let cdSize = tv.getUint32(eocd + 12, true);
    let cdOffset = tv.getUint32(eocd + 16, true);
    if (tv.getUint16(eocd + 4, true) !== 0 || tv.getUint16(eocd + 6, true) !== 0) throw new ArchiveError(undefined, 'multi-disk archives are not supported');
    const loc = eocd - 20;
    const eocdAbs = tailStart + eocd;
    if (loc >= 0 && tv.getUint32(loc, true) === SIG_ZIP64_LOCATOR) {
      const z = u64(tv, loc + 8, 'zip64 end record offset');
      if (z + 56 > tailStart + loc) throw new ArchiveError(undefined, `zip64 end record offset ${z} is outside the file`);
      const zr = dv(src.read(z, 56));
      if (zr.getUint32(0, true) !== SIG_ZIP64_EOCD) throw new ArchiveError(undefined, 'zip64 locator does not point at a zip64 end record');
      const count64 = u64(zr, 32, 'zip64 entry count');
      const size64 = u64(zr, 40, 'zip64 central directory size');
      const off64 = u64(zr, 48, 'zip64 central directory offset');
      if (count === 0xffff || count64 !== count) count = count64;
      if (cdSize === 0xffffffff || size64 !== cdSize) cdSize = size64;
      if (cdOffset === 0xffffffff || off64 !== cdOffset) cdOffset = off64;
    }
    const cdEnd = cdOffset + cdSize;
    if (cdEnd > eocdAbs) throw new ArchiveError(undefined, `central directory (offset ${cdOffset}, size ${cdSize}) extends beyond the end records`);
    if (count > maxEntries) throw new ArchiveError(undefined, `${count} entries exceed the limit of ${maxEntries}`);
    if (count * 46 > cdSize) throw new ArchiveError(undefined, `central directory of ${cdSize} bytes cannot hold ${count} entries`);
    const cd = src.read(cdOffset, cdSize);
    const v = dv(cd);
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (p + 46 > cdSize) throw new ArchiveError(undefined, `central directory entry ${i} is truncated`);
      if (v.getUint32(p, true) !== SIG_CENTRAL) throw new ArchiveError(undefined, `central directory entry ${i} has a bad signature`);
      const flags = v.getUint16(p + 8, true);
      const method = v.getUint16(p + 10, true);
      const crc = v.getUint32(p + 16, true);
      let csize = v.getUint32(p + 20, true);
      let usize = v.getUint32(p + 24, true);
      const nameLen = v.getUint16(p + 28, true);
      const extraLen = v.getUint16(p + 30, true);
      const commentLen = v.getUint16(p + 32, true);
      let offset = v.getUint32(p + 42, true);
      const next = p + 46 + nameLen + extraLen + commentLen;
      if (next > cdSize) throw new ArchiveError(undefined, `central directory entry ${i} is truncated`);
      const centralName = cd.subarray(p + 46, p + 46 + nameLen);
      let name: string;
      try {
        name = decoder.decode(centralName);
      } catch {
        throw new ArchiveError(undefined, `central directory entry ${i} has a name that is not UTF-8`);
      }
      // zip64 extended information: the 0xffffffff fields, in order.
      let e = p + 46 + nameLen;
      const eEnd = e + extraLen;
      while (e + 4 <= eEnd) {
        const id = v.getUint16(e, true);
        const sz = v.getUint16(e + 2, true);
        if (e + 4 + sz > eEnd) throw new ArchiveError(name, 'extra field is truncated');
        if (id === 0x0001) {
          let q = e + 4;
          const take = (what: string): number => {
            if (q + 8 > e + 4 + sz) throw new ArchiveError(name, 'zip64 extra field is truncated');
            const r = u64(v, q, what);
            q += 8;
            return r;
          };
          if (usize === 0xffffffff) usize = take('zip64 size');
          if (csize === 0xffffffff) csize = take('zip64 compressed size');
          if (offset === 0xffffffff) offset = take('zip64 offset');
        }
        e += 4 + sz;
      }
      const bad = unsafeNameReason(name);
      if (bad) throw new ArchiveError(name, bad);
      if (flags & 1) throw new ArchiveError(name, 'encrypted entries are not supported');
      if (method !== 0 && method !== 8) throw new ArchiveError(name, `compression method ${method} is not supported (only stored and deflate)`);
      if (usize > maxEntrySize) throw new ArchiveError(name, `declared size ${usize} exceeds the limit of ${maxEntrySize} bytes`);
      if (csize > len) throw new ArchiveError(name, `declared compressed size ${csize} exceeds the file size ${len}`);
      if (method === 0 && csize !== usize) throw new ArchiveError(name, `stored entry declares compressed size ${csize} but size ${usize}`);
      if (method === 8 && usize > csize * MAX_DEFLATE_RATIO + 64) throw new ArchiveError(name, `declared size ${usize} is more than deflate can produce from ${csize} bytes`);
      if (offset + 30 > cdOffset) throw new ArchiveError(name, `local header offset ${offset} is outside the data area`);
      const lh = src.read(offset, Math.min(30 + nameLen, cdOffset - offset));
      const lv = dv(lh);
      if (lv.getUint32(0, true) !== SIG_LOCAL) throw new ArchiveError(name, `no local header at offset ${offset}`);
      const lNameLen = lv.getUint16(26, true);
      const lExtraLen = lv.getUint16(28, true);
      if (lNameLen !== nameLen || lh.length < 30 + nameLen) throw new ArchiveError(name, 'local header name length differs from the central directory');
      const dataOffset = offset + 30 + lNameLen + lExtraLen;
      if (dataOffset + csize > cdOffset) throw new ArchiveError(name, `data (offset ${dataOffset}, size ${csize}) extends beyond the data area`);
      for (let k = 0; k < nameLen; k++) if (lh[30 + k] !== centralName[k]) throw new ArchiveError(name, 'local header name differs from the central directory');
      if (this.byName.has(name)) throw new ArchiveError(name, 'duplicate entry name');
      const entry: ZipEntry = { name, method, crc32: crc, compressedSize: csize, size: usize, localHeaderOffset: offset, dataOffset };
      this.entries.push(entry);
      this.byName.set(name, entry);
      p = next;
    }
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  entry(name: string): ZipEntry | undefined {
    return this.byName.get(name);
  }

  /** The entry's bytes: what the source gives for stored entries (a view for in-memory bytes), inflated otherwise; CRC checked. */
  read(name: string): Uint8Array {
    const e = this.byName.get(name);
    if (!e) throw new ArchiveError(name, 'no such entry');
    const raw = this.source.read(e.dataOffset, e.compressedSize);
    if (raw.length !== e.compressedSize) throw new ArchiveError(name, `source returned ${raw.length} bytes, expected ${e.compressedSize}`);
    const data = e.method === 0 ? raw : inflateRaw(raw, e.size, (problem) => new ArchiveError(name, problem));
    if (this.verifyCrc) {
      const c = crc32(data);
      if (c !== e.crc32) throw new ArchiveError(name, `CRC32 mismatch (recorded ${hex(e.crc32)}, computed ${hex(c)})`);
    }
    return data;
  }

  readText(name: string): string {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(this.read(name));
    } catch (err) {
      if (err instanceof ArchiveError) throw err;
      throw new ArchiveError(name, 'is not valid UTF-8 text');
    }
  }
}

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

// ---------------------------------------------------------------- writer

export interface ZipRecord {
  /** Full name inside the archive (including the root folder). */
  readonly name: string;
  readonly data: Uint8Array;
}

const ALIGN = 64;

/** Bytes of a zip laid out as PyTorchStreamWriter lays it out (Note [PyTorch zip layout]). */
export function writeZip(records: readonly ZipRecord[]): Uint8Array {
  const enc = new TextEncoder();
  const names = records.map((r) => enc.encode(r.name));
  const seen = new Set<string>();
  for (const r of records) {
    const bad = unsafeNameReason(r.name);
    if (bad) throw new ArchiveError(r.name, bad);
    if (seen.has(r.name)) throw new ArchiveError(r.name, 'duplicate entry name');
    seen.add(r.name);
  }
  // Layout pass.
  const offsets: number[] = [];
  const pads: number[] = [];
  let cursor = 0;
  records.forEach((r, i) => {
    const start = cursor + 30 + names[i]!.length + 4;
    const pad = (ALIGN - (start % ALIGN)) % ALIGN;
    offsets.push(cursor);
    pads.push(pad);
    cursor = start + pad + r.data.length + 16;
  });
  const cdOffset = cursor;
  const cdSize = names.reduce((a, n) => a + 46 + n.length, 0);
  const total = cdOffset + cdSize + 56 + 20 + 22;
  if (total >= 0xffffffff || records.some((r) => r.data.length >= 0xffffffff)) throw new ArchiveError(undefined, 'archives of 4 GiB or more are not supported by this writer');
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  const crcs = records.map((r) => crc32(r.data));
  records.forEach((r, i) => {
    let p = offsets[i]!;
    const n = names[i]!;
    v.setUint32(p, SIG_LOCAL, true);
    v.setUint16(p + 4, 0, true);
    v.setUint16(p + 6, 0x0808, true);
    v.setUint16(p + 26, n.length, true);
    v.setUint16(p + 28, 4 + pads[i]!, true);
    out.set(n, p + 30);
    p += 30 + n.length;
    out[p] = 0x46; // 'F'
    out[p + 1] = 0x42; // 'B'
    v.setUint16(p + 2, pads[i]!, true);
    out.fill(0x5a, p + 4, p + 4 + pads[i]!);
    p += 4 + pads[i]!;
    out.set(r.data, p);
    p += r.data.length;
    v.setUint32(p, SIG_DESCRIPTOR, true);
    v.setUint32(p + 4, crcs[i]!, true);
    v.setUint32(p + 8, r.data.length, true);
    v.setUint32(p + 12, r.data.length, true);
  });
  let p = cdOffset;
  records.forEach((r, i) => {
    const n = names[i]!;
    v.setUint32(p, SIG_CENTRAL, true);
    v.setUint16(p + 8, 0x0808, true);
    v.setUint32(p + 16, crcs[i]!, true);
    v.setUint32(p + 20, r.data.length, true);
    v.setUint32(p + 24, r.data.length, true);
    v.setUint16(p + 28, n.length, true);
    v.setUint32(p + 42, offsets[i]!, true);
    out.set(n, p + 46);
    p += 46 + n.length;
  });
  const z64 = p;
  v.setUint32(p, SIG_ZIP64_EOCD, true);
  v.setUint32(p + 4, 44, true);
  v.setUint16(p + 12, 0x031e, true);
  v.setUint16(p + 14, 0x002d, true);
  v.setUint32(p + 24, records.length, true);
  v.setUint32(p + 32, records.length, true);
  v.setUint32(p + 40, cdSize, true);
  v.setUint32(p + 48, cdOffset, true);
  p += 56;
  v.setUint32(p, SIG_ZIP64_LOCATOR, true);
  v.setUint32(p + 8, z64, true);
  v.setUint32(p + 16, 1, true);
  p += 20;
  v.setUint32(p, SIG_EOCD, true);
  v.setUint16(p + 8, Math.min(records.length, 0xffff), true);
  v.setUint16(p + 10, Math.min(records.length, 0xffff), true);
  v.setUint32(p + 12, cdSize, true);
  v.setUint32(p + 16, cdOffset, true);
  return out;
}
