/** QR payload (§16.2) and its route list (§18.7 "Route order", "Public URL"), signed with the host-local QR secret. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type SimConfig, hermesHome, secretPath } from './config.cjs';

export type Role = 'lan' | 'tailscale' | 'public';
export type PairMode = 'auto' | Role;

export interface Endpoint {
  role: string;
  priority: number;
  api: { host: string; port: number; tls: boolean };
  relay: { url: string; transport_hint: string };
}

export const API_PORT = 8642;

/** Python's json.dumps(sort_keys=True, separators=(",", ":")) for plain JSON values. */
export function canonicalize(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalize).join(',')}]`;
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalize(obj[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** §16.2 `sig`: secret `~/.hermes/hermes-relay-qr-secret` (0600, 32 bytes). */
export function loadOrCreateSecret(): Buffer {
  const file = secretPath();
  try {
    const b = fs.readFileSync(file);
    if (b.length >= 32) return b;
  } catch {
    /* create below */
  }
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const secret = crypto.randomBytes(32);
  fs.writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

export function signPayload(payload: Record<string, unknown>, secret: Buffer): string {
  const { sig: _sig, ...rest } = payload;
  return crypto.createHmac('sha256', secret).update(canonicalize(rest)).digest('base64');
}

export function readApiKey(): string {
  try {
    const text = fs.readFileSync(path.join(hermesHome(), '.env'), 'utf8');
    const m = /^\s*(?:export\s+)?API_SERVER_KEY\s*=\s*(.*)$/m.exec(text);
    return (m?.[1] ?? '').trim().replace(/^(['"])(.*)\1$/, '$2');
  } catch {
    return '';
  }
}

const hostPart = (h: string): string => (h.includes(':') ? `[${h}]` : h);

function directEndpoint(role: Role, host: string, cfg: SimConfig, tls: boolean, priority: number): Endpoint {
  const scheme = tls ? 'wss' : 'ws';
  const url = cfg.endpointOverrides[role] ?? `${scheme}://${hostPart(host)}:${cfg.port}`;
  return {
    role,
    priority,
    api: { host, port: API_PORT, tls: false },
    relay: { url, transport_hint: url.startsWith('wss:') ? 'wss' : 'ws' },
  };
}

/**
 * §18.7 "Public URL": `--public-url https://host` gives `wss://host:8767`; with a path, `wss://host/path`
 * (plain http gives ws://).
 */
export function publicRelayUrl(publicUrl: string, relayPort: number): string {
  const u = new URL(publicUrl);
  const scheme = u.protocol === 'https:' || u.protocol === 'wss:' ? 'wss' : 'ws';
  const pathPart = u.pathname.replace(/\/+$/, '');
  return pathPart ? `${scheme}://${u.host}${pathPart}` : `${scheme}://${hostPart(u.hostname)}:${relayPort}`;
}

function publicEndpoint(publicUrl: string, cfg: SimConfig, priority: number): Endpoint {
  const u = new URL(publicUrl);
  const tls = u.protocol === 'https:' || u.protocol === 'wss:';
  const url = cfg.endpointOverrides.public ?? publicRelayUrl(publicUrl, cfg.port);
  return {
    role: 'public',
    priority,
    api: { host: u.hostname, port: tls ? 443 : API_PORT, tls },
    relay: { url, transport_hint: url.startsWith('wss:') ? 'wss' : 'ws' },
  };
}

/**
 * §18.7 "Route order": Tailscale, then public, then plain LAN last; priorities 0.. in that order. `mode` keeps one
 * role; §18.7 "--mode tailscale without Tailscale": no candidate at all (the caller then emits a v2 payload whose
 * only route is the LAN relay URL, exit 0).
 */
export function buildEndpoints(
  mode: PairMode,
  publicUrl: string | undefined,
  cfg: SimConfig,
  relayTls: boolean,
): Endpoint[] {
  const out: Endpoint[] = [];
  const want = (r: Role): boolean => mode === 'auto' || mode === r;
  if (want('tailscale') && cfg.tailnetIp)
    out.push(directEndpoint('tailscale', cfg.tailnetIp, cfg, relayTls, out.length));
  if (want('public') && publicUrl) out.push(publicEndpoint(publicUrl, cfg, out.length));
  if (want('lan') && cfg.lanIp) out.push(directEndpoint('lan', cfg.lanIp, cfg, relayTls, out.length));
  return out;
}

/** The direct LAN relay URL (pair.py `_relay_lan_base_url`): the `relay.url` of every payload. */
export function lanRelayUrl(cfg: SimConfig, relayTls: boolean): string {
  return cfg.endpointOverrides.lan ?? `${relayTls ? 'wss' : 'ws'}://${hostPart(cfg.lanIp ?? '127.0.0.1')}:${cfg.port}`;
}

export interface PayloadInput {
  code: string;
  ttlSeconds: number;
  grants?: Record<string, number>;
  transportHint: string;
  relayUrl: string;
  endpoints: Endpoint[];
  api: { host: string; port: number; tls: boolean };
}

/** §16.2: v3 with `endpoints`, v2 without (a v2 client synthesizes one route from `relay.url`). */
export function buildPayload(i: PayloadInput): Record<string, unknown> {
  const payload: Record<string, unknown> = {
    hermes: i.endpoints.length > 0 ? 3 : 2,
    host: i.api.host,
    port: i.api.port,
    key: readApiKey(),
    tls: i.api.tls,
  };
  payload['relay'] = {
    url: i.relayUrl,
    code: i.code,
    ttl_seconds: i.ttlSeconds,
    ...(i.grants ? { grants: i.grants } : {}),
    transport_hint: i.transportHint,
  };
  if (i.endpoints.length > 0) payload['endpoints'] = i.endpoints;
  payload['sig'] = signPayload(payload, loadOrCreateSecret());
  return payload;
}

/** §16.2: `hermes-relay://pair?payload=<base64url without padding>`. */
export function inviteUrl(payload: Record<string, unknown>): string {
  return `hermes-relay://pair?payload=${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
}
