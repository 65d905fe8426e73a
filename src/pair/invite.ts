// Reading what `hermes pair --json` prints: the QR payload v1–v3 (hermes-behaviour.md §16.2), the /pairing/mint
// response that wraps it (§16.1), or a hermes-relay://pair?payload= invite URL. Pure.
import { isPrivate, isTailnet, isLoopback } from '../probe/address.js';

export type RouteRole = 'lan' | 'tailscale' | 'public' | 'custom';

export interface RouteCandidate {
  role: RouteRole;
  priority: number;
  api?: { host: string; port: number; tls: boolean };
  relay: { url: string; transportHint?: string };
}

export interface PairInvite {
  code: string;
  /** Session lifetime the relay registered (seconds; 0 = never), when the payload says. */
  sessionTtlSeconds?: number;
  /** Code expiry (epoch seconds) when the minting side said. */
  codeExpiresAt?: number;
  candidates: RouteCandidate[];
  signed: boolean;
}

const TIER: Record<RouteRole, number> = { lan: 0, tailscale: 1, public: 2, custom: 3 };

export function tierOf(role: RouteRole): number {
  return TIER[role];
}

/** The role a relay URL's host suggests: private → lan, 100.64/10 or *.ts.net → tailscale, else public. */
export function roleForUrl(url: string): RouteRole {
  let host: string;
  try { host = new URL(url).hostname.replace(/^\[|\]$/g, ''); } catch { return 'custom'; }
  if (host.endsWith('.ts.net') || isTailnet(host)) return 'tailscale';
  if (isPrivate(host) || isLoopback(host) || host === 'localhost' || host.endsWith('.local') || host.endsWith('.lan')) return 'lan';
  return 'public';
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  const t = text.trim();
  const m = /^hermes-relay:\/\/pair\?(?:.*&)?payload=([A-Za-z0-9_-]+)/.exec(t);
  try {
    return asRecord(JSON.parse(m ? Buffer.from(m[1]!, 'base64url').toString('utf8') : t));
  } catch {
    return undefined;
  }
}

function toCandidate(e: Record<string, unknown>): RouteCandidate | undefined {
  const relay = asRecord(e['relay']);
  const url = relay?.['url'];
  if (typeof url !== 'string' || !/^wss?:\/\//i.test(url)) return undefined;
  const role = typeof e['role'] === 'string' && e['role'] in TIER ? (e['role'] as RouteRole) : roleForUrl(url);
  const api = asRecord(e['api']);
  const hint = relay?.['transport_hint'];
  return {
    role, priority: typeof e['priority'] === 'number' ? e['priority'] : 0,
    ...(api && typeof api['host'] === 'string' ? { api: { host: api['host'], port: Number(api['port'] ?? 8642), tls: api['tls'] === true } } : {}),
    relay: { url, ...(typeof hint === 'string' ? { transportHint: hint } : {}) },
  };
}

/** Strict order: LAN, then Tailscale, then public (then custom); the payload's priority orders within a role. */
export function sortCandidates(list: RouteCandidate[]): RouteCandidate[] {
  return [...list].sort((a, b) => tierOf(a.role) - tierOf(b.role) || a.priority - b.priority);
}

/** Parses the minting output. undefined when it holds no pairing payload with a code and a relay URL. */
export function parseInvite(text: string): PairInvite | undefined {
  const outer = parseJsonObject(text.split('\n').find((l) => l.trim().startsWith('{') || l.trim().startsWith('hermes-relay:')) ?? text);
  if (!outer) return undefined;
  const payload = asRecord(outer['qr_payload']) ?? outer;
  const relay = asRecord(payload['relay']);
  const code = relay?.['code'];
  if (typeof code !== 'string') return undefined;
  const listed = Array.isArray(payload['endpoints']) ? payload['endpoints'].map(asRecord).filter((e): e is Record<string, unknown> => !!e) : [];
  let candidates = listed.map(toCandidate).filter((c): c is RouteCandidate => !!c);
  if (candidates.length === 0) {
    const single = toCandidate({ relay });
    candidates = single ? [single] : [];
  }
  if (candidates.length === 0) return undefined;
  const ttl = relay?.['ttl_seconds'];
  const expires = outer['expires_at'];
  return {
    code, candidates: sortCandidates(candidates), signed: typeof payload['sig'] === 'string',
    ...(typeof ttl === 'number' ? { sessionTtlSeconds: ttl } : {}),
    ...(typeof expires === 'number' ? { codeExpiresAt: expires } : {}),
  };
}

/** `Pairing code ABC123 expires at 1795263157` on the minting command's stderr, when it says. */
export function parseCodeExpiry(stderr: string): number | undefined {
  const m = /expires at (\d{9,})/.exec(stderr);
  return m ? Number(m[1]) : undefined;
}
