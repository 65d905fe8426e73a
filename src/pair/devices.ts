// `hermes-setup devices`: the relay's paired devices through its /sessions API (docs/hermes-contract.md#c16), with
// the bearer `pair` stored. What the relay allows, as observed (§18.7): listing and revoking any session; changing a
// lifetime only for the caller's own session and only to SHORTEN it (a longer or never-expiring TTL → 403 "operator
// approval required to extend session"; another device's → 403 "cannot modify another session"). A longer session
// takes a new pairing (`pair --ttl N`): minting on the host is the operator's approval.
import { usageError } from '../errors.js';
import { type RelayReply, type StoredRelay, relayRequest, selectStoredRelay, sessionsApiError } from './relay-http.js';
import { readRemoteSessions } from './session-store.js';

export interface DeviceTarget {
  host?: string;
  relayUrl?: string;
  sessionsPath?: string;
}

export interface DeviceList {
  relay: string;
  sessions: Array<Record<string, unknown>>;
}

async function stored(t: DeviceTarget): Promise<StoredRelay> {
  return selectStoredRelay(await readRemoteSessions(t.sessionsPath), {
    ...(t.host ? { host: t.host } : {}),
    ...(t.relayUrl ? { relayUrl: t.relayUrl } : {}),
  });
}

function expectOk(reply: RelayReply, prefix?: string): RelayReply {
  if (reply.status !== 200 && reply.status !== 204) throw sessionsApiError(reply, prefix);
  return reply;
}

export async function listDevices(t: DeviceTarget): Promise<DeviceList> {
  const reply = expectOk(await relayRequest(await stored(t), 'GET', '/sessions'));
  const sessions = Array.isArray(reply.json['sessions'])
    ? (reply.json['sessions'] as Array<Record<string, unknown>>)
    : [];
  return { relay: reply.via, sessions };
}

export interface RevokeResult {
  relay: string;
  prefix: string;
  self: boolean;
}

/** Revokes by prefix. Whether it was this machine's session is decided here (the 200 body is not in the contract). */
export async function revokeDevice(t: DeviceTarget, prefix: string): Promise<RevokeResult> {
  const s = await stored(t);
  const reply = expectOk(await relayRequest(s, 'DELETE', `/sessions/${encodeURIComponent(prefix)}`), prefix);
  return { relay: reply.via, prefix, self: s.session.token.startsWith(prefix) };
}

export interface ExtendResult {
  relay: string;
  prefix: string;
  expiresAt: number | null | undefined;
}

export function parseTtl(raw: string | undefined): number {
  const n = Number(raw);
  if (raw === undefined || !/^\d+$/.test(raw) || !Number.isSafeInteger(n))
    throw usageError('E_USAGE', `invalid --ttl "${raw ?? ''}"`, 'give seconds from now (0 = never expires)');
  return n;
}

/** PATCH {"ttl_seconds": N} for a session; the relay's refusal comes back as its own reason (see the note above). */
export async function extendDevice(t: DeviceTarget, prefix: string, ttlSeconds: number): Promise<ExtendResult> {
  const reply = expectOk(
    await relayRequest(await stored(t), 'PATCH', `/sessions/${encodeURIComponent(prefix)}`, {
      ttl_seconds: ttlSeconds,
    }),
    prefix,
  );
  const at = reply.json['expires_at'];
  return {
    relay: reply.via,
    prefix: typeof reply.json['token_prefix'] === 'string' ? reply.json['token_prefix'] : prefix,
    expiresAt: typeof at === 'number' || at === null ? at : undefined,
  };
}
