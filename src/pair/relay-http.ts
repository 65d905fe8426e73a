// The relay's /sessions API (docs/hermes-contract.md#c16) with the bearer stored in ~/.hermes/remote-sessions.json.
// §18.7 "Error bodies": 401/403/404 are text/plain and the body is the relay's reason; 409 (ambiguous prefix) is
// JSON {"ok": false, "error": …} without a match list. Request bodies as the official client sends them
// (Codename-11/hermes-relay desktop/src/commands/devices.ts @100beed9: PATCH {"ttl_seconds": N}).
import { isHermesSetupError, stepError, usageError } from '../errors.js';
import { requestHttp } from '../probe/http-request.js';
import { toProbeFailure } from '../probe/dial.js';
import type { RouteCandidate } from './invite.js';
import { orderRoutes } from './route-pick.js';
import { certChanged } from './pair-errors.js';
import { parseRelayUrl, relayDial } from './relay-url.js';
import { type SessionsFile, type StoredSession, sessionsForHost } from './session-store.js';

export interface StoredRelay {
  url: string;
  session: StoredSession;
}

export interface RelayReply {
  status: number;
  json: Record<string, unknown>;
  text: string;
  via: string;
}

function notPaired(what: string): Error {
  return stepError(
    'E_NOT_PAIRED',
    `no stored relay session for ${what} in ~/.hermes/remote-sessions.json`,
    'pair first: hermes-setup pair <target>',
  );
}

/** The stored session for a relay URL or a host; without either, the only one there is. */
export function selectStoredRelay(file: SessionsFile, o: { host?: string; relayUrl?: string }): StoredRelay {
  const entries = Object.entries(file.sessions).filter(([, s]) => typeof s?.token === 'string' && s.token !== '');
  if (o.relayUrl) {
    const hit = entries.find(
      ([u, s]) => u === o.relayUrl || (s.route_candidates ?? []).some((c) => c.relay?.url === o.relayUrl),
    );
    if (!hit) throw notPaired(o.relayUrl);
    return { url: hit[0], session: hit[1] };
  }
  if (o.host) {
    const hits = sessionsForHost({ version: 1, sessions: Object.fromEntries(entries) }, o.host).sort(
      ([, a], [, b]) => b.paired_at - a.paired_at,
    );
    if (!hits[0]) throw notPaired(o.host);
    return { url: hits[0][0], session: hits[0][1] };
  }
  if (entries.length === 1) return { url: entries[0]![0], session: entries[0]![1] };
  if (entries.length === 0) throw notPaired('any relay');
  throw usageError(
    'E_USAGE',
    `${entries.length} relays are paired; which one?`,
    'pass the target (user@host) or --relay-url',
  );
}

/** The stored URL first, then the other routes of the same pairing in the order a connect tries them. */
export function routesOf(r: StoredRelay): string[] {
  const stored = (Array.isArray(r.session.route_candidates) ? r.session.route_candidates : []).filter(
    (c): c is RouteCandidate =>
      typeof c?.relay?.url === 'string' && typeof c.role === 'string' && typeof c.priority === 'number',
  );
  const urls = [r.url, ...orderRoutes(stored, r.session.prefer_secure_routes === true).map((c) => c.relay.url)];
  return urls.filter((u, i) => urls.indexOf(u) === i);
}

async function requestVia(
  url: string,
  r: StoredRelay,
  method: string,
  path: string,
  body?: unknown,
): Promise<RelayReply> {
  const addr = parseRelayUrl(url);
  const pinned = url === r.url ? r.session.cert_pin_sha256 : r.session.route_cert_pins?.[url];
  let seen: string | undefined;
  const prefix = addr.wsPath === '/ws' ? '' : addr.wsPath.replace(/\/ws$/, '');
  const res = await requestHttp({
    dial: relayDial(addr, 4000, (p) => {
      seen = p;
    }),
    host: addr.host,
    port: addr.port,
    method,
    path: `${prefix}${path}`,
    timeoutMs: 8000,
    headers: {
      Authorization: `Bearer ${r.session.token}`,
      Accept: 'application/json',
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (pinned && seen && pinned !== seen) throw certChanged(addr.hostPort, pinned, seen);
  let json: Record<string, unknown> = {};
  try {
    const v = JSON.parse(res.body) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) json = v as Record<string, unknown>;
  } catch {
    /* a text/plain body */
  }
  return { status: res.status, json, text: res.body.trim(), via: url };
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
  throw stepError(
    'E_RELAY_UNREACHABLE',
    `the relay did not answer (${failures.join('; ')})`,
    'check that the relay runs on the host and this machine can reach it',
  );
}

/** The relay's own reason: the text/plain body, or the JSON `error`, or the status. */
export function relayReason(reply: RelayReply): string {
  if (typeof reply.json['error'] === 'string' && reply.json['error'] !== '') return reply.json['error'];
  const text = reply.text.replace(/\s+/g, ' ').slice(0, 200);
  return text !== '' && !text.startsWith('{') ? text : `HTTP ${reply.status}`;
}

/** One error per refusal of the /sessions API, carrying the relay's reason. */
export function sessionsApiError(reply: RelayReply, prefix?: string): Error {
  const why = relayReason(reply);
  const p = prefix ?? '';
  if (reply.status === 401)
    return stepError(
      'E_RELAY_UNAUTHORIZED',
      `the relay refused the stored session ("${why}"): it was revoked or has expired`,
      'pair again: hermes-setup pair <target>',
    );
  if (reply.status === 403) return forbiddenError(why, p);
  if (reply.status === 404)
    return stepError(
      'E_DEVICE_NOT_FOUND',
      `no paired device matches "${p}" ("${why}")`,
      'list them with hermes-setup devices <target> and use a token prefix from there',
    );
  if (reply.status === 409)
    return stepError(
      'E_DEVICE_PREFIX_AMBIGUOUS',
      `the prefix "${p}" matches more than one device ("${why}")`,
      'give more characters of the token prefix (see hermes-setup devices <target>)',
    );
  return stepError(
    'E_RELAY_API',
    `the relay answered ${reply.status} ("${why}")`,
    'rerun with --debug; check the relay log on the host',
  );
}

/** A 403: an extension beyond the current expiry, another device's session, or anything else. */
function forbiddenError(why: string, p: string): Error {
  if (/operator approval/i.test(why)) {
    return stepError(
      'E_DEVICE_EXTEND_REFUSED',
      `the relay refused ("${why}"): a device may only shorten its own session`,
      "give a --ttl shorter than the time left (hermes-setup devices <target>); for a longer one, pair again with hermes-setup pair <target> --ttl N (minting on the host is the operator's approval)",
    );
  }
  if (/another session/i.test(why)) {
    return stepError(
      'E_DEVICE_NOT_OWN',
      `the relay refused ("${why}"): "${p}" is another device's session, and a device may only change its own`,
      'use the prefix marked (this machine) in hermes-setup devices <target>, or revoke the other device instead (devices revoke)',
    );
  }
  return stepError(
    'E_RELAY_FORBIDDEN',
    `the relay refused the request ("${why}")`,
    'check the prefix and the session (hermes-setup devices <target>)',
  );
}
