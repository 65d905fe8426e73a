// One WebSocket to a relay (hermes-behaviour.md §16.3): raw upgrade over a Dial, then the first text frame is the
// auth frame and the relay answers auth.ok or auth.fail. HTTP 429 on the upgrade means the IP is blocked (§18.7
// "Rate limits": text/plain, no Retry-After — so no wait time is known here).
import crypto from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { ByteReader } from '../probe/byte-reader.js';
import { Deadline, toProbeFailure } from '../probe/dial.js';
import { bodyParser, openExchange } from '../probe/http-raw.js';
import { checkHandshake, encodeClientFrame, encodeCloseFrame, parseMessage } from '../probe/ws-frame.js';
import { type RelayAddress, relayDial } from './relay-url.js';

export interface RelaySocket {
  addr: RelayAddress;
  stream: Duplex;
  reader: ByteReader;
  certPin?: string;
}

export type OpenResult =
  | { ok: true; socket: RelaySocket }
  | { ok: false; kind: 'unreachable' | 'rate-limited' | 'rejected'; detail: string };

/** Dials and upgrades within `timeoutMs`. Never throws. */
export async function openRelaySocket(addr: RelayAddress, timeoutMs: number): Promise<OpenResult> {
  const deadline = new Deadline(timeoutMs);
  let certPin: string | undefined;
  const key = crypto.randomBytes(16).toString('base64');
  try {
    const ex = await openExchange({
      dial: relayDial(addr, timeoutMs, (p) => { certPin = p; }), host: addr.host, port: addr.port, path: addr.wsPath,
      headers: [['Upgrade', 'websocket'], ['Connection', 'Upgrade'], ['Sec-WebSocket-Version', '13'], ['Sec-WebSocket-Key', key]],
    }, deadline);
    if (ex.head.status !== 101) {
      let body = '';
      try { body = (await ex.reader.read(bodyParser(ex.head, 'GET'), deadline, 'the body')).toString('utf8'); } catch { /* status decides */ }
      ex.stream.destroy();
      const text = body.trim().slice(0, 120);
      if (ex.head.status === 429) return { ok: false, kind: 'rate-limited', detail: `${addr.url}: HTTP 429${text ? ` (${text})` : ''}` };
      return { ok: false, kind: 'rejected', detail: `${addr.url}: HTTP ${ex.head.status}${text ? ` ${text}` : ''}` };
    }
    const problem = checkHandshake(ex.head, key);
    if (problem) { ex.stream.destroy(); return { ok: false, kind: 'rejected', detail: `${addr.url}: ${problem}` }; }
    return { ok: true, socket: { addr, stream: ex.stream, reader: ex.reader, ...(certPin ? { certPin } : {}) } };
  } catch (err) {
    return { ok: false, kind: 'unreachable', detail: `${addr.url}: ${toProbeFailure(err).message}` };
  } finally {
    deadline.clear();
  }
}

export type AuthOutcome =
  | { ok: true; payload: Record<string, unknown> }
  | { ok: false; reason: string };

/** Sends `{"channel":"system","type":"auth","id","payload"}` and reads the answer (auth.ok / auth.fail). */
export async function authenticate(s: RelaySocket, payload: Record<string, unknown>, timeoutMs = 10_000): Promise<AuthOutcome> {
  const id = crypto.randomUUID();
  s.stream.write(encodeClientFrame(0x1, Buffer.from(JSON.stringify({ channel: 'system', type: 'auth', id, payload }))));
  const deadline = new Deadline(timeoutMs);
  try {
    for (;;) {
      const msg = await s.reader.read(parseMessage, deadline, 'the auth answer');
      if (msg.type === 'close') return { ok: false, reason: `the relay closed the connection (${msg.code ?? 'no code'} ${msg.reason})` };
      if (msg.type !== 'text') continue;
      let frame: { type?: unknown; payload?: unknown };
      try { frame = JSON.parse(msg.text) as typeof frame; } catch { continue; }
      const p = (frame.payload && typeof frame.payload === 'object' ? frame.payload : {}) as Record<string, unknown>;
      if (frame.type === 'auth.ok') return { ok: true, payload: p };
      if (frame.type === 'auth.fail') return { ok: false, reason: String(p['reason'] ?? 'auth.fail') };
    }
  } catch (err) {
    return { ok: false, reason: toProbeFailure(err).message };
  } finally {
    deadline.clear();
  }
}

export function closeRelaySocket(s: RelaySocket): void {
  try { s.stream.end(encodeCloseFrame(1000)); } catch { /* gone */ }
  setTimeout(() => s.stream.destroy(), 200).unref();
}
