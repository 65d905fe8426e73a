// The pairing payload (docs/hermes-contract.md#c16): v1–v3, from a `hermes-relay://pair?payload=` invite, a bare JSON
// payload, or a loopback /pairing/mint response (§16.1) whose `qr_payload` is a JSON string (as pair.py
// `mint_relay_pairing` reads it, Codename-11/hermes-relay plugin/pair.py @01533337) or an object. Pure.
//
// Every route candidate carries `api{host,port,tls}`: the official client drops a candidate without it when parsing
// an invite (desktop/src/pairingQr.ts `parseCandidate`, @100beed9) and its readers require it on stored candidates
// (§18.7 "Route candidates"). A candidate that comes without one gets the payload's top-level API server, or else
// the relay's host on the API port 8642 (what `payloadToCandidates` synthesizes for v1/v2 payloads).
import { isPrivate, isTailnet, isLoopback } from '../probe/address.js';

export type RouteRole = 'lan' | 'tailscale' | 'public' | 'custom';

export interface ApiEndpoint {
  host: string;
  port: number;
  tls: boolean;
}

/** One route as the official client stores it (desktop/src/endpoint.ts `EndpointCandidate`, @29bf9a08). */
export interface RouteCandidate {
  /** The role exactly as the invite names it (the signature covers it); see roleKind() for display. */
  role: string;
  priority: number;
  api: ApiEndpoint;
  relay: { url: string; transportHint?: string };
}

export interface PairInvite {
  code: string;
  /** Session lifetime the relay registered (seconds; 0 = never), when the payload says. */
  sessionTtlSeconds?: number;
  /** Code expiry (epoch seconds) when the minting side said. */
  codeExpiresAt?: number;
  /** In the invite's (signed) order. */
  candidates: RouteCandidate[];
  signed: boolean;
}

export const API_PORT = 8642;

/** The role a relay URL's host suggests: private → lan, 100.64/10 or *.ts.net → tailscale, else public. */
export function roleForUrl(url: string): RouteRole {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return 'custom';
  }
  if (host.endsWith('.ts.net') || isTailnet(host)) return 'tailscale';
  if (isPrivate(host) || isLoopback(host) || host === 'localhost' || host.endsWith('.local') || host.endsWith('.lan'))
    return 'lan';
  return 'public';
}

/** A known role for display; anything else is `custom` (desktop/src/endpoint.ts `parseRawRole`). */
export function roleKind(role: string): RouteRole {
  const r = role.toLowerCase();
  return r === 'lan' || r === 'tailscale' || r === 'public' ? r : 'custom';
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    return asRecord(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** The payload object inside an invite URL, a JSON payload, or a mint response. */
export function payloadOf(input: string | Record<string, unknown>): Record<string, unknown> | undefined {
  if (typeof input === 'string') {
    const t = input.trim();
    const m = /hermes-relay:\/\/pair\?(?:[^\s]*&)?payload=([A-Za-z0-9_-]+)/.exec(t);
    return payloadOf((m ? jsonObject(Buffer.from(m[1]!, 'base64url').toString('utf8')) : jsonObject(t)) ?? {});
  }
  const inner = input['qr_payload'];
  if (typeof inner === 'string') return jsonObject(inner);
  return asRecord(inner) ?? (asRecord(input['relay']) ? input : undefined);
}

function apiOf(v: unknown): ApiEndpoint | undefined {
  const a = asRecord(v);
  if (!a || typeof a['host'] !== 'string' || a['host'] === '') return undefined;
  const port = Number(a['port'] ?? API_PORT);
  return { host: a['host'], port: Number.isInteger(port) && port > 0 ? port : API_PORT, tls: a['tls'] === true };
}

function fallbackApi(payload: Record<string, unknown>, relayUrl: string): ApiEndpoint {
  const top = apiOf(payload);
  if (top) return top;
  let host = '';
  try {
    host = new URL(relayUrl).hostname.replace(/^\[|\]$/g, '');
  } catch {
    /* stays empty */
  }
  return { host, port: API_PORT, tls: false };
}

function toCandidate(
  e: Record<string, unknown>,
  payload: Record<string, unknown>,
  index: number,
): RouteCandidate | undefined {
  const relay = asRecord(e['relay']);
  const url = relay?.['url'];
  if (typeof url !== 'string' || !/^wss?:\/\//i.test(url)) return undefined;
  const hint = relay?.['transport_hint'] ?? relay?.['transportHint'];
  return {
    role: typeof e['role'] === 'string' && e['role'] !== '' ? e['role'] : roleForUrl(url),
    priority: typeof e['priority'] === 'number' ? e['priority'] : index,
    api: apiOf(e['api']) ?? fallbackApi(payload, url),
    relay: { url, ...(typeof hint === 'string' ? { transportHint: hint } : {}) },
  };
}

/** The payload's routes: v3 `endpoints`, else one synthesized from `relay.url` (v1/v2). */
export function candidatesOf(payload: Record<string, unknown>): RouteCandidate[] {
  const listed = Array.isArray(payload['endpoints'])
    ? payload['endpoints'].map(asRecord).filter((e): e is Record<string, unknown> => !!e)
    : [];
  const routes = listed.map((e, i) => toCandidate(e, payload, i)).filter((c): c is RouteCandidate => !!c);
  if (routes.length > 0) return routes;
  const relay = asRecord(payload['relay']);
  const single = relay ? toCandidate({ relay, priority: 0 }, payload, 0) : undefined;
  return single ? [single] : [];
}

/** Reads an invite (any form above). undefined when it holds no pairing code or no relay route. */
export function parseInvite(input: string | Record<string, unknown>, expiresAt?: number): PairInvite | undefined {
  const payload = payloadOf(input);
  const relay = payload ? asRecord(payload['relay']) : undefined;
  const code = relay?.['code'];
  if (!payload || typeof code !== 'string') return undefined;
  const candidates = candidatesOf(payload);
  if (candidates.length === 0) return undefined;
  const ttl = relay?.['ttl_seconds'];
  const outerExpiry =
    typeof input === 'object' && typeof input['expires_at'] === 'number' ? input['expires_at'] : undefined;
  const codeExpiresAt = expiresAt ?? outerExpiry;
  return {
    code: code.toUpperCase(),
    candidates,
    signed: typeof payload['sig'] === 'string',
    ...(typeof ttl === 'number' ? { sessionTtlSeconds: ttl } : {}),
    ...(codeExpiresAt !== undefined ? { codeExpiresAt: Math.floor(codeExpiresAt) } : {}),
  };
}
