// Minting without `hermes pair`: a loopback `POST /pairing/mint` (docs/hermes-contract.md#c16, loopback only) sent
// through a Dial that starts on the host (the SSH connection's direct-tcpip channel), so the relay sees 127.0.0.1.
// Used when `hermes pair` cannot mint — a TLS relay (§18.7 "TLS relay": the command probes plain http and gives up)
// or a text block without a code. Plain http first; when the bytes that come back are not HTTP (a TLS listener),
// https over a new stream (the certificate is not checked: the stream is the host's own loopback, carried by SSH).
//
// The request body is not in the contract. Sent: `ttl_seconds` (named as /pairing/register's, §16.1, and as pair.py
// `mint_relay_pairing` sends it) and `transport_hint`; no route list, so the relay answers with its own (a v2 payload
// with the LAN relay URL is fine): the requested route is checked on the answer, never assumed.
import { wrapTls } from './relay-url.js';
import { type Dial, ProbeFailure, toProbeFailure } from '../probe/dial.js';
import { requestHttp } from '../probe/http-request.js';

export interface LoopbackMintResult {
  /** The decoded JSON answer (ok, code, qr_payload, pairing_url, expires_at, …). */
  body: Record<string, unknown>;
  tls: boolean;
}

export type LoopbackMintFailure = { kind: 'refused' } | { kind: 'failed'; detail: string };

async function post(
  dial: Dial,
  port: number,
  body: Record<string, unknown>,
): Promise<{ status: number; text: string }> {
  const res = await requestHttp({
    dial,
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/pairing/mint',
    timeoutMs: 10_000,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: res.body };
}

function decode(r: { status: number; text: string }, tls: boolean): LoopbackMintResult | LoopbackMintFailure {
  let json: unknown;
  try {
    json = JSON.parse(r.text);
  } catch {
    json = undefined;
  }
  const body = json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
  if (r.status !== 200 || !body || body['ok'] !== true) {
    return {
      kind: 'failed',
      detail: `POST /pairing/mint answered HTTP ${r.status}${r.text.trim() ? ` (${r.text.trim().slice(0, 120)})` : ''}`,
    };
  }
  return { body, tls };
}

/** Mints over `dial` (a stream from the host): http, then https when the listener speaks TLS. Never throws. */
export async function mintOverLoopback(
  dial: Dial,
  port: number,
  body: Record<string, unknown>,
): Promise<LoopbackMintResult | LoopbackMintFailure> {
  try {
    return decode(await post(dial, port, body), false);
  } catch (err) {
    const f = toProbeFailure(err);
    if (f.kind === 'refused') return { kind: 'refused' };
    if (f.kind === 'unreachable' || f.kind === 'timeout') return { kind: 'failed', detail: f.message };
  }
  try {
    const tlsDial: Dial = async (h, p) => wrapTls(await dial(h, p), h);
    return decode(await post(tlsDial, port, body), true);
  } catch (err) {
    const f = err instanceof ProbeFailure ? err : toProbeFailure(err);
    return { kind: 'failed', detail: `neither http nor https worked on 127.0.0.1:${port} (${f.message})` };
  }
}
