// A random-access ByteSource over a file (engine/serialize stays free of node:*):
// loadPt2(openFileSource(path)) reads only the archive's directory, JSON and
// sample inputs; weight records are read (and CRC-checked) when first used.
// Keep the source open while the loaded tensors may still be read.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { ByteSource } from '../../engine/serialize/zip';

export interface FileSource extends ByteSource {
  readonly path: string;
  /** Bytes read so far (for tests and benches). */
  readonly bytesRead: number;
  close(): void;
}

export function openFileSource(path: string): FileSource {
  let fd: number | undefined = openSync(path, 'r');
  const size = fstatSync(fd).size;
  let bytesRead = 0;
  return {
    path,
    size,
    get bytesRead() {
      return bytesRead;
    },
    read(offset: number, length: number): Uint8Array {
      if (fd === undefined) throw new Error(`${path}: file source is closed`);
      if (offset < 0 || length < 0 || offset + length > size) throw new RangeError(`${path}: read of ${length} bytes at ${offset} is outside the file (${size} bytes)`);
      // Not from Node's shared pool: a fresh, 0-offset buffer that typed arrays can view.
      const buf = new Uint8Array(Buffer.allocUnsafeSlow(length).buffer, 0, length);
      let done = 0;
      while (done < length) {
        const n = readSync(fd, buf, done, length - done, offset + done);
        if (n === 0) throw new Error(`${path}: file ended at ${offset + done} (was it truncated while open?)`);
        done += n;
      }
      bytesRead += length;
      return buf;
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
