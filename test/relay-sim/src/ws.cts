/** Minimal RFC 6455 server side for the relay simulator: handshake, unmasked server frames, masked client frames. */
import crypto from 'node:crypto';
import type { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export function computeAccept(key: string): string {
  return crypto
    .createHash('sha1')
    .update(key + GUID)
    .digest('base64');
}

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

interface Frame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

function decodeFrames(buf: Buffer): { frames: Frame[]; rest: Buffer } {
  const frames: Frame[] = [];
  let off = 0;
  while (buf.length - off >= 2) {
    const b0 = buf[off] ?? 0;
    const b1 = buf[off + 1] ?? 0;
    let len = b1 & 0x7f;
    let pos = off + 2;
    if (len === 126) {
      if (buf.length < pos + 2) break;
      len = buf.readUInt16BE(pos);
      pos += 2;
    } else if (len === 127) {
      if (buf.length < pos + 8) break;
      len = Number(buf.readBigUInt64BE(pos));
      pos += 8;
    }
    const masked = (b1 & 0x80) !== 0;
    const dataAt = pos + (masked ? 4 : 0);
    if (buf.length < dataAt + len) break;
    const payload = Buffer.from(buf.subarray(dataAt, dataAt + len));
    if (masked) for (let i = 0; i < payload.length; i += 1) payload[i] = (payload[i] ?? 0) ^ (buf[pos + (i % 4)] ?? 0);
    frames.push({ fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, payload });
    off = dataAt + len;
  }
  return { frames, rest: buf.subarray(off) };
}

export interface WsConnection {
  sendJson(value: unknown): void;
  close(code: number, reason?: string): void;
  readonly closed: boolean;
}

/** Writes the 101 response and drives the connection: pings → pongs, close handshake, text → onText. */
export function acceptWebSocket(
  socket: Duplex,
  key: string,
  head: Buffer,
  onText: (text: string, conn: WsConnection) => void,
): WsConnection {
  socket.write(
    [
      'HTTP/1.1 101 Switching Protocols',
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Accept: ${computeAccept(key)}`,
      '',
      '',
    ].join('\r\n'),
  );
  let pending = Buffer.from(head);
  let closed = false;
  let fragments: Buffer[] = [];
  const conn: WsConnection = {
    get closed() {
      return closed;
    },
    sendJson: (value) => {
      if (!closed) socket.write(encodeFrame(0x1, Buffer.from(JSON.stringify(value))));
    },
    close: (code, reason = '') => {
      if (closed) return;
      closed = true;
      const p = Buffer.alloc(2 + Buffer.byteLength(reason));
      p.writeUInt16BE(code, 0);
      p.write(reason, 2);
      socket.end(encodeFrame(0x8, p));
      setTimeout(() => socket.destroy(), 500).unref();
    },
  };
  const handle = (f: Frame): void => {
    if (f.opcode === 0x9) {
      socket.write(encodeFrame(0xa, f.payload));
      return;
    }
    if (f.opcode === 0x8) {
      if (!closed) {
        closed = true;
        socket.end(encodeFrame(0x8, f.payload.subarray(0, 2)));
      }
      return;
    }
    if (f.opcode === 0x1 || f.opcode === 0x0 || f.opcode === 0x2) {
      fragments.push(f.payload);
      if (!f.fin) return;
      const text = Buffer.concat(fragments).toString('utf8');
      fragments = [];
      onText(text, conn);
    }
  };
  const onData = (chunk: Buffer): void => {
    pending = Buffer.concat([pending, chunk]);
    const { frames, rest } = decodeFrames(pending);
    pending = Buffer.from(rest);
    for (const f of frames) handle(f);
  };
  socket.on('data', onData);
  socket.on('error', () => socket.destroy());
  socket.on('end', () => {
    closed = true;
  });
  if (pending.length > 0) {
    const h = pending;
    pending = Buffer.alloc(0);
    onData(h);
  }
  return conn;
}
