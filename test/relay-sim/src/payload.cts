/** QR payload v3 (§16.2): built by the relay on /pairing/mint, signed with the host-local QR secret. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type SimConfig, hermesHome, secretPath } from './config.cjs';

export type Role = 'lan' | 'tailscale' | 'public';
export type PairMode = 'auto' | Role;

export interface Endpoint {
  role: Role;
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
    return `{${Object.keys(obj).filter((k) => obj[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalize(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function loadOrCreateSecret(): Buffer {
  const file = secretPath();
  try {
    const b = fs.readFileSync(file);
    if (b.length >= 32) return b;
  } catch { /* create below */ }
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

function endpointFor(role: Role, host: string, cfg: SimConfig, priority: number): Endpoint {
  const url = cfg.endpointOverrides[role] ?? `ws://${host}:${cfg.port}`;
  return { role, priority, api: { host, port: API_PORT, tls: false }, relay: { url, transport_hint: url.startsWith('wss:') ? 'wss' : 'ws' } };
}

function publicEndpoint(publicUrl: string, cfg: SimConfig, priority: number): Endpoint {
  const u = new URL(publicUrl);
  const tls = u.protocol === 'https:' || u.protocol === 'wss:';
  const url = cfg.endpointOverrides.public ?? `${tls ? 'wss' : 'ws'}://${u.host}${u.pathname.replace(/\/$/, '')}`;
  return { role: 'public', priority, api: { host: u.hostname, port: tls ? 443 : API_PORT, tls }, relay: { url, transport_hint: tls ? 'wss' : 'ws' } };
}

/** Ordered LAN → Tailscale → public, priorities 0.. in that order; `mode` keeps only one role. */
export function buildEndpoints(mode: PairMode, publicUrl: string | undefined, cfg: SimConfig): Endpoint[] {
  const roles: Array<[Role, string | undefined]> = [['lan', cfg.lanIp], ['tailscale', cfg.tailnetIp], ['public', publicUrl]];
  const out: Endpoint[] = [];
  for (const [role, host] of roles) {
    if (!host || (mode !== 'auto' && mode !== role)) continue;
    out.push(role === 'public' ? publicEndpoint(host, cfg, out.length) : endpointFor(role, host, cfg, out.length));
  }
  return out;
}

export interface PayloadInput { code: string; ttlSeconds: number; grants: Record<string, number>; endpoints: Endpoint[] }

export function buildPayload(i: PayloadInput): Record<string, unknown> {
  const first = i.endpoints[0];
  const payload: Record<string, unknown> = { hermes: 3 };
  if (first) Object.assign(payload, { host: first.api.host, port: first.api.port, key: readApiKey(), tls: first.api.tls });
  payload['relay'] = { url: first?.relay.url ?? '', code: i.code, ttl_seconds: i.ttlSeconds, grants: i.grants, transport_hint: first?.relay.transport_hint ?? 'ws' };
  payload['endpoints'] = i.endpoints;
  payload['sig'] = signPayload(payload, loadOrCreateSecret());
  return payload;
}
