// Pure RFC 6455 pieces for the probe: Accept computation, handshake validation (the checks `ws` makes),
// server-frame parsing and masked client frames.
import crypto from 'node:crypto';
import type { ChunkParser } from './byte-reader.js';
import { ProbeFailure } from './dial.js';
import { type ResponseHead, getHeader, getHeaders } from './http-raw.js';

export const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const MAX_MESSAGE = 1024 * 1024;

export function computeAccept(key: string): string {
  return crypto.createHash('sha1').update(key + WS_GUID).digest('base64');
}

/** Why a 101 response is not a valid handshake for `key`, or undefined when it is (peers.md §6.2). */
export function checkHandshake(head: ResponseHead, key: string): string | undefined {
  if (head.status !== 101) return `status ${head.status}, expected 101`;
  const upgrade = getHeader(head.headers, 'upgrade');
  if ((upgrade ?? '').toLowerCase() !== 'websocket') return `invalid Upgrade header: ${upgrade ?? '(missing)'}`;
  const connection = getHeaders(head.headers, 'connection').join(',').toLowerCase().split(',').map((t) => t.trim());
  if (!connection.includes('upgrade')) return `Connection header lacks "upgrade": ${connection.join(', ') || '(missing)'}`;
  const accept = getHeader(head.headers, 'sec-websocket-accept');
  if (accept !== computeAccept(key)) return `invalid Sec-WebSocket-Accept: ${accept ?? '(missing)'}`;
  const protocol = getHeader(head.headers, 'sec-websocket-protocol');
  if (protocol !== undefined) return `server sent a subprotocol (${protocol}) but none was requested`;
  const extensions = getHeader(head.headers, 'sec-websocket-extensions');
  if (extensions !== undefined) return `server sent extensions (${extensions}) but none were requested`;
  return undefined;
}

export interface Frame {
  fin: boolean;
  opcode: number;
  masked: boolean;
  payload: Buffer;
}

/** One frame, or undefined until all of it has arrived. */
export const parseFrame: ChunkParser<Frame> = (buf) => {
  if (buf.length < 2) return undefined;
  const b0 = buf[0] ?? 0;
  const b1 = buf[1] ?? 0;
  let len = b1 & 0x7f;
  let pos = 2;
  if (len === 126) {
    if (buf.length < 4) return undefined;
    len = buf.readUInt16BE(2); pos = 4;
  } else if (len === 127) {
    if (buf.length < 10) return undefined;
    const big = buf.readBigUInt64BE(2);
    if (big > BigInt(MAX_MESSAGE)) throw new ProbeFailure('protocol', `frame of ${big} bytes is too large`);
    len = Number(big); pos = 10;
  }
  if (len > MAX_MESSAGE) throw new ProbeFailure('protocol', `frame of ${len} bytes is too large`);
  const masked = (b1 & 0x80) !== 0;
  const dataAt = pos + (masked ? 4 : 0);
  if (buf.length < dataAt + len) return undefined;
  const payload = Buffer.from(buf.subarray(dataAt, dataAt + len));
  if (masked) for (let i = 0; i < len; i += 1) payload[i] = (payload[i] ?? 0) ^ (buf[pos + (i % 4)] ?? 0);
  return { value: { fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, masked, payload }, consumed: dataAt + len };
};

export type WsMessage =
  | { type: 'text'; text: string }
  | { type: 'binary'; bytes: number }
  | { type: 'close'; code?: number; reason: string };

/**
 * The first complete data message (continuation frames joined) or a close frame; pings and pongs are
 * skipped. A masked server frame is a protocol error (RFC 6455 §5.1).
 */
export const parseMessage: ChunkParser<WsMessage> = (buf) => {
  const parts: Buffer[] = [];
  let first: number | undefined;
  let off = 0;
  for (;;) {
    const out = parseFrame(buf.subarray(off), false);
    if (!out) return undefined;
    off += out.consumed;
    const f = out.value;
    if (f.masked) throw new ProbeFailure('protocol', 'server sent a masked frame');
    if (f.opcode === 0x8) {
      const code = f.payload.length >= 2 ? f.payload.readUInt16BE(0) : undefined;
      return { value: { type: 'close', code, reason: f.payload.subarray(2).toString('utf8') }, consumed: off };
    }
    if (f.opcode === 0x9 || f.opcode === 0xa) continue;
    first ??= f.opcode;
    parts.push(f.payload);
    if (!f.fin) continue;
    const data = Buffer.concat(parts);
    const value: WsMessage = first === 0x1 ? { type: 'text', text: data.toString('utf8') } : { type: 'binary', bytes: data.length };
    return { value, consumed: off };
  }
};

/** A client frame: FIN set, always masked (RFC 6455 §5.3). */
export function encodeClientFrame(opcode: number, payload: Buffer, mask: Buffer = crypto.randomBytes(4)): Buffer {
  const len = payload.length;
  let header: Buffer;
  if (len < 126) {
    header = Buffer.from([0x80 | opcode, 0x80 | len]);
  } else if (len < 65536) {
    header = Buffer.alloc(4);
    header[0] = 0x80 | opcode; header[1] = 0x80 | 126; header.writeUInt16BE(len, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x80 | opcode; header[1] = 0x80 | 127; header.writeBigUInt64BE(BigInt(len), 2);
  }
  const body = Buffer.alloc(len);
  for (let i = 0; i < len; i += 1) body[i] = (payload[i] ?? 0) ^ (mask[i % 4] ?? 0);
  return Buffer.concat([header, mask.subarray(0, 4), body]);
}

export function encodeCloseFrame(code = 1000, reason = ''): Buffer {
  const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
  payload.writeUInt16BE(code, 0);
  payload.write(reason, 2);
  return encodeClientFrame(0x8, payload);
}
