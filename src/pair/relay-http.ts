// The relay's /sessions API (hermes-behaviour.md §16.6) with the bearer stored in ~/.hermes/remote-sessions.json.
import { isHermesSetupError, stepError, usageError } from '../errors.js';
import { toProbeFailure } from '../probe/dial.js';
import { requestHttp } from '../probe/http-request.js';
import { sortCandidates } from './invite.js';
import { certChanged } from './pair-errors.js';
import { parseRelayUrl, relayDial } from './relay-url.js';
import { type SessionsFile, type StoredSession, sessionsForHost } from './session-store.js';

export interface StoredRelay { url: string; session: StoredSession }

export interface RelayReply { status: number; json: Record<string, unknown>; via: string }

function notPaired(what: string): Error {
  return stepError('E_NOT_PAIRED', `no stored relay session for ${what} in ~/.hermes/remote-sessions.json`, 'pair first: hermes-setup pair <target>');
}

/** The stored session for a relay URL or a host; without either, the only one there is. */
export function selectStoredRelay(file: SessionsFile, o: { host?: string; relayUrl?: string }): StoredRelay {
  const entries = Object.entries(file.sessions).filter(([, s]) => typeof s?.token === 'string' && s.token !== '');
  if (o.relayUrl) {
    const hit = entries.find(([u, s]) => u === o.relayUrl || (s.route_candidates ?? []).some((c) => c.relay?.url === o.relayUrl));
    if (!hit) throw notPaired(o.relayUrl);
    return { url: hit[0], session: hit[1] };
  }
  if (o.host) {
    const hits = sessionsForHost({ version: 1, sessions: Object.fromEntries(entries) }, o.host).sort(([, a], [, b]) => b.paired_at - a.paired_at);
    if (!hits[0]) throw notPaired(o.host);
    return { url: hits[0][0], session: hits[0][1] };
  }
  if (entries.length === 1) return { url: entries[0]![0], session: entries[0]![1] };
  if (entries.length === 0) throw notPaired('any relay');
  throw usageError('E_USAGE', `${entries.length} relays are paired; which one?`, 'pass the target (user@host) or --relay-url');
}

/** The stored URL first, then the other routes of the same pairing in tier order. */
export function routesOf(r: StoredRelay): string[] {
  const urls = [r.url, ...sortCandidates(r.session.route_candidates ?? []).map((c) => c.relay.url)];
  return urls.filter((u, i) => urls.indexOf(u) === i);
}

async function requestVia(url: string, r: StoredRelay, method: string, path: string, body?: unknown): Promise<RelayReply> {
  const addr = parseRelayUrl(url);
  const pinned = url === r.url ? r.session.cert_pin_sha256 : r.session.route_cert_pins?.[url];
  let seen: string | undefined;
  const prefix = addr.wsPath === '/ws' ? '' : addr.wsPath.replace(/\/ws$/, '');
  const res = await requestHttp({
    dial: relayDial(addr, 4000, (p) => { seen = p; }), host: addr.host, port: addr.port, method, path: `${prefix}${path}`, timeoutMs: 8000,
    headers: { Authorization: `Bearer ${r.session.token}`, Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (pinned && seen && pinned !== seen) throw certChanged(addr.hostPort, pinned, seen);
  let json: Record<string, unknown> = {};
  try { json = JSON.parse(res.body) as Record<string, unknown>; } catch { /* leave empty */ }
  return { status: res.status, json, via: url };
}

/** Tries each route until one answers HTTP at all. */
export async function relayRequest(r: StoredRelay, method: string, path: string, body?: unknown): Promise<RelayReply> {
  const failures: string[] = [];
  for (const url of routesOf(r)) {
    try {
      return await requestVia(url, r, method, path, body);
    } catch (err) {
      if (isHermesSetupError(err)) throw err;
      failures.push(`${url}: ${toProbeFailure(err).message}`);
    }
  }
  throw stepError('E_RELAY_UNREACHABLE', `the relay did not answer (${failures.join('; ')})`, 'check that the relay runs on the host and this machine can reach it');
}

/** One error per refusal of the /sessions API. */
export function sessionsApiError(reply: RelayReply, prefix?: string): Error {
  const msg = typeof reply.json['error'] === 'string' ? reply.json['error'] : `HTTP ${reply.status}`;
  if (reply.status === 401) return stepError('E_RELAY_UNAUTHORIZED', `the relay refused the stored session (${msg}): it was revoked or has expired`, 'pair again: hermes-setup pair <target>');
  if (reply.status === 404) return stepError('E_DEVICE_NOT_FOUND', `no paired device matches "${prefix ?? ''}"`, 'list them with hermes-setup devices <target> and use a token prefix from there');
  if (reply.status === 409) {
    const n = typeof reply.json['matches'] === 'number' ? `${reply.json['matches']} devices` : 'several devices';
    return stepError('E_DEVICE_PREFIX_AMBIGUOUS', `the prefix "${prefix ?? ''}" matches ${n}`, 'give more characters of the token prefix (see hermes-setup devices <target>)');
  }
  return stepError('E_RELAY_API', `the relay answered ${reply.status} (${msg})`, 'rerun with --debug; check the relay log on the host');
}
