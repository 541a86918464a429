// A minimal server-side WebSocket (RFC 6455) for the web host's event stream: the
// handshake, unfragmented text frames from server to client, and the control frames a
// browser sends (close, ping). Client data frames are not part of the protocol and
// are ignored. No extensions, no subprotocols.

import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const MAX_CONTROL_PAYLOAD = 125;

export function acceptKey(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/** Encode one unmasked server frame. */
export function encodeFrame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  let header: Buffer;
  if (len < 126) header = Buffer.from([0x80 | opcode, len]);
  else if (len < 65536) {
    header = Buffer.alloc(4);
    header[0] = 0x80 | opcode;
    header[1] = 126;
    header.writeUInt16BE(len, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(len), 2);
  }
  return Buffer.concat([header, payload]);
}

export class EventSocket {
  private buffered = Buffer.alloc(0);
  private open = true;

  constructor(
    private readonly socket: Duplex,
    private readonly onClose: (s: EventSocket) => void,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => this.closed());
    socket.on('error', () => this.closed());
  }

  sendText(text: string): void {
    if (this.open) this.socket.write(encodeFrame(0x1, Buffer.from(text, 'utf8')));
  }

  close(): void {
    if (!this.open) return;
    this.socket.write(encodeFrame(0x8, Buffer.alloc(0)));
    this.socket.end();
    this.closed();
  }

  private closed(): void {
    if (!this.open) return;
    this.open = false;
    this.onClose(this);
  }

  private onData(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    for (;;) {
      const b = this.buffered;
      if (b.length < 2) return;
      const opcode = b[0]! & 0x0f;
      const masked = (b[1]! & 0x80) !== 0;
      let len = b[1]! & 0x7f;
      let off = 2;
      if (len === 126) {
        if (b.length < 4) return;
        len = b.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (b.length < 10) return;
        const big = b.readBigUInt64BE(2);
        if (big > 1n << 20n) return this.close(); // clients send nothing large on this channel
        len = Number(big);
        off = 10;
      }
      if (!masked) return this.close(); // RFC 6455 §5.1: client frames must be masked
      if (b.length < off + 4 + len) return;
      const mask = b.subarray(off, off + 4);
      const payload = Buffer.from(b.subarray(off + 4, off + 4 + len));
      for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i & 3]!;
      this.buffered = b.subarray(off + 4 + len);
      if (opcode === 0x8) return this.close();
      if (opcode === 0x9 && payload.length <= MAX_CONTROL_PAYLOAD) this.socket.write(encodeFrame(0xa, payload));
    }
  }
}

/** Complete the handshake; returns null (and rejects the socket) when the request is not a valid upgrade. */
export function upgradeToEventSocket(req: IncomingMessage, socket: Duplex, onClose: (s: EventSocket) => void): EventSocket | null {
  const key = req.headers['sec-websocket-key'];
  const version = req.headers['sec-websocket-version'];
  if (typeof key !== 'string' || version !== '13' || String(req.headers.upgrade).toLowerCase() !== 'websocket') {
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    return null;
  }
  socket.write(
    ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${acceptKey(key)}`, '', ''].join('\r\n'),
  );
  return new EventSocket(socket, onClose);
}
