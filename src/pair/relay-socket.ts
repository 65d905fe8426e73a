// One WebSocket to a relay (docs/hermes-contract.md#c16): an upgrade over a Dial (plain TCP, or TLS with the key
// pinned, see relay-url.ts) by the `ws` package, then the first text frame is the auth frame and the relay answers
// auth.ok or auth.fail. HTTP 429 on the upgrade means the IP is blocked (§18.7 "Rate limits": text/plain, no
// Retry-After — so no wait time is known here).
import crypto from 'node:crypto';
import { Deadline, toProbeFailure } from '../probe/dial.js';
import { type WsConnection, openWebSocket } from '../probe/ws-open.js';
import { type RelayAddress, relayDial } from './relay-url.js';

export interface RelaySocket {
  addr: RelayAddress;
  conn: WsConnection;
  certPin?: string;
}

export type OpenResult =
  { ok: true; socket: RelaySocket } | { ok: false; kind: 'unreachable' | 'rate-limited' | 'rejected'; detail: string };

/** Dials and upgrades within `timeoutMs`. Never throws. */
export async function openRelaySocket(addr: RelayAddress, timeoutMs: number): Promise<OpenResult> {
  const deadline = new Deadline(timeoutMs);
  let certPin: string | undefined;
  try {
    const r = await openWebSocket({
      dial: relayDial(addr, timeoutMs, (p) => {
        certPin = p;
      }),
      host: addr.host,
      port: addr.port,
      path: addr.wsPath,
      deadline,
    });
    if (r.kind === 'rejected') {
      const text = r.body.trim().slice(0, 120);
      if (r.status === 429)
        return { ok: false, kind: 'rate-limited', detail: `${addr.url}: HTTP 429${text ? ` (${text})` : ''}` };
      return { ok: false, kind: 'rejected', detail: `${addr.url}: HTTP ${r.status}${text ? ` ${text}` : ''}` };
    }
    if (r.kind === 'bad-handshake') return { ok: false, kind: 'rejected', detail: `${addr.url}: ${r.problem}` };
    return { ok: true, socket: { addr, conn: r.conn, ...(certPin ? { certPin } : {}) } };
  } catch (err) {
    return { ok: false, kind: 'unreachable', detail: `${addr.url}: ${toProbeFailure(err).message}` };
  } finally {
    deadline.clear();
  }
}

export type AuthOutcome = { ok: true; payload: Record<string, unknown> } | { ok: false; reason: string };

/** Sends `{"channel":"system","type":"auth","id","payload"}` and reads the answer (auth.ok / auth.fail). */
export async function authenticate(
  s: RelaySocket,
  payload: Record<string, unknown>,
  timeoutMs = 10_000,
): Promise<AuthOutcome> {
  const id = crypto.randomUUID();
  s.conn.send(JSON.stringify({ channel: 'system', type: 'auth', id, payload }));
  const deadline = new Deadline(timeoutMs);
  try {
    for (;;) {
      const msg = await s.conn.next(deadline, 'the auth answer');
      if (msg.type === 'close')
        return { ok: false, reason: `the relay closed the connection (${msg.code ?? 'no code'} ${msg.reason})` };
      if (msg.type !== 'text') continue;
      let frame: { type?: unknown; payload?: unknown };
      try {
        frame = JSON.parse(msg.text) as typeof frame;
      } catch {
        continue;
      }
      const p = (frame.payload && typeof frame.payload === 'object' ? frame.payload : {}) as Record<string, unknown>;
      if (frame.type === 'auth.ok') return { ok: true, payload: p };
      if (frame.type === 'auth.fail')
        return { ok: false, reason: typeof p['reason'] === 'string' ? p['reason'] : 'auth.fail' };
    }
  } catch (err) {
    return { ok: false, reason: toProbeFailure(err).message };
  } finally {
    deadline.clear();
  }
}

export function closeRelaySocket(s: RelaySocket): void {
  s.conn.close();
}
