/**
 * The relay side's own reader of ~/.hermes/remote-sessions.json (hermes-behaviour.md §16.4, §18.7 "Route
 * candidates"), written independently of the product's store, to prove that what hermes-setup writes is what the
 * relay's clients read: the official client (Codename-11/hermes-relay desktop/src/remoteSessions.ts, endpoint.ts)
 * requires `api{host,port,tls}` and `relay.url` on every stored route candidate. Strict: any field of the wrong
 * type throws.
 */
import fs from 'node:fs';

export interface RelayClientRecord {
  url: string;
  token: string;
  serverVersion: string | null;
  pairedAt: number;
  certPinSha256: string | null;
  grants: Record<string, number | null> | null;
  ttlExpiresAt: number | null;
  endpointRole: 'lan' | 'tailscale' | 'public' | 'custom' | null;
  routeCandidates: Array<{
    role: string;
    priority: number;
    api: { host: string; port: number; tls: boolean };
    relay: { url: string; transportHint?: string };
  }>;
  preferSecureRoutes: boolean;
  toolsConsented: boolean;
  computerUseConsented: boolean;
}

function expect(cond: boolean, what: string): void {
  if (!cond) throw new Error(`remote-sessions.json: ${what}`);
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const numOrNull = (v: unknown): boolean => v === null || v === undefined || isNum(v);

/** desktop/src/endpoint.ts `isApiEndpointShape` / `isRelayEndpointShape`, plus role and priority. */
function readCandidate(where: string, c: Record<string, unknown>): void {
  const api = c['api'] as Record<string, unknown> | undefined;
  const relay = c['relay'] as Record<string, unknown> | undefined;
  expect(typeof c['role'] === 'string' && c['role'] !== '', `${where}.role`);
  expect(isNum(c['priority']), `${where}.priority`);
  expect(
    !!api && typeof api['host'] === 'string' && isNum(api['port']) && typeof api['tls'] === 'boolean',
    `${where}.api{host,port,tls} missing or mistyped`,
  );
  expect(!!relay && typeof relay['url'] === 'string' && /^wss?:\/\//.test(relay['url']), `${where}.relay.url`);
  expect(
    relay?.['transportHint'] === undefined || typeof relay['transportHint'] === 'string',
    `${where}.relay.transportHint`,
  );
}

function readRecord(url: string, raw: Record<string, unknown>): RelayClientRecord {
  expect(/^wss?:\/\//.test(url), `key ${url} is not a ws(s) URL`);
  expect(typeof raw['token'] === 'string' && raw['token'] !== '', `${url}.token missing`);
  expect(isNum(raw['paired_at']), `${url}.paired_at is not epoch seconds`);
  expect(numOrNull(raw['ttl_expires_at']), `${url}.ttl_expires_at`);
  const pin = raw['cert_pin_sha256'];
  expect(
    pin === null || pin === undefined || (typeof pin === 'string' && /^sha256\/[A-Za-z0-9+/]{43}=$/.test(pin)),
    `${url}.cert_pin_sha256 format`,
  );
  const role = raw['endpoint_role'] ?? null;
  expect(
    role === null || ['lan', 'tailscale', 'public', 'custom'].includes(role as string),
    `${url}.endpoint_role ${typeof role === 'string' ? role : JSON.stringify(role)}`,
  );
  const grants = raw['grants'] ?? null;
  expect(grants === null || (typeof grants === 'object' && Object.values(grants).every(numOrNull)), `${url}.grants`);
  const routes = raw['route_candidates'] ?? [];
  expect(Array.isArray(routes), `${url}.route_candidates is not a list`);
  for (const [i, c] of (routes as Array<Record<string, unknown>>).entries())
    readCandidate(`${url}.route_candidates[${i}]`, c);
  for (const k of ['prefer_secure_routes', 'tools_consented', 'computer_use_consented'])
    expect(raw[k] === undefined || typeof raw[k] === 'boolean', `${url}.${k}`);
  return {
    url,
    token: raw['token'] as string,
    serverVersion: (raw['server_version'] as string | null | undefined) ?? null,
    pairedAt: raw['paired_at'] as number,
    certPinSha256: (pin as string | null | undefined) ?? null,
    grants: grants as RelayClientRecord['grants'],
    ttlExpiresAt: (raw['ttl_expires_at'] as number | null | undefined) ?? null,
    endpointRole: role as RelayClientRecord['endpointRole'],
    routeCandidates: routes as RelayClientRecord['routeCandidates'],
    preferSecureRoutes: raw['prefer_secure_routes'] === true,
    toolsConsented: raw['tools_consented'] === true,
    computerUseConsented: raw['computer_use_consented'] === true,
  };
}

export function readRelayClientSessions(path: string): RelayClientRecord[] {
  const doc = JSON.parse(fs.readFileSync(path, 'utf8')) as { version?: unknown; sessions?: unknown };
  expect(doc.version === 1, 'version is not 1');
  expect(!!doc.sessions && typeof doc.sessions === 'object' && !Array.isArray(doc.sessions), 'no sessions object');
  return Object.entries(doc.sessions as Record<string, Record<string, unknown>>).map(([url, raw]) =>
    readRecord(url, raw),
  );
}
