/** WS auth (§16.3): first text frame within 30 s; session token → refresh token → pairing code. */
import crypto from 'node:crypto';
import { RELAY_VERSION, loadConfig, nowSec } from './config.cjs';
import type { PairingManager } from './pairing.cjs';
import type { BucketName, RateLimiter } from './rate-limit.cjs';
import { type DeviceInfo, type Session, createSession, liveSessions, updateSession } from './sessions.cjs';
import type { WsConnection } from './ws.cjs';

export const AUTH_TIMEOUT_MS = 30_000;
export const INVALID = 'Invalid pairing code or session token';
const DEFAULT_GRANTS_S = { terminal: 30 * 24 * 3600, bridge: 7 * 24 * 3600 };

export interface AuthDeps { pairing: PairingManager; limiter: RateLimiter }

type Payload = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function deviceOf(p: Payload): DeviceInfo {
  return {
    device_name: str(p['device_name']), device_id: str(p['device_id']), client_surface: str(p['client_surface']),
    device_form_factor: str(p['device_form_factor']), device_model: str(p['device_model']), device_platform: str(p['device_platform']),
  };
}

function okPayload(s: Session, refresh: boolean): Payload {
  return {
    session_token: s.token, server_version: RELAY_VERSION, profiles: [], expires_at: s.expires_at, grants: s.grants,
    transport_hint: s.transport_hint, client_surface: s.client_surface, device_form_factor: s.device_form_factor,
    ...(refresh ? { refresh_token: s.refresh_token } : {}),
  };
}

function trySession(p: Payload): Session | undefined {
  const token = str(p['session_token']);
  if (!token) return undefined;
  return updateSession(token, (s) => { s.last_seen = nowSec(); });
}

function tryRefresh(p: Payload): Session | undefined {
  const rt = str(p['refresh_token']);
  if (!rt) return undefined;
  const s = liveSessions().find((x) => x.refresh_token === rt);
  if (!s) return undefined;
  return updateSession(s.token, (x) => { x.refresh_token = crypto.randomBytes(32).toString('base64url'); x.last_seen = nowSec(); });
}

function tryCode(p: Payload, deps: AuthDeps): Session | undefined {
  const code = str(p['pairing_code']);
  if (!code) return undefined;
  const meta = deps.pairing.consume(code.toUpperCase());
  if (!meta) return undefined;
  const cfg = loadConfig();
  // TTL and grants come only from the loopback registration; whatever the client sent is ignored.
  return createSession({
    ttlSeconds: meta.ttlSeconds ?? cfg.sessionTtlSeconds, grants: meta.grants ?? DEFAULT_GRANTS_S,
    transportHint: meta.transportHint ?? 'ws', device: deviceOf(p), tokenPrefix: cfg.tokenPrefix,
  });
}

function bucketOf(p: Payload): BucketName {
  return str(p['pairing_code']) && !str(p['session_token']) && !str(p['refresh_token']) ? 'pairing' : 'session';
}

/** Handles the first text frame of a connection. Returns true when the connection is authenticated. */
export function handleAuthFrame(text: string, conn: WsConnection, ip: string, deps: AuthDeps): boolean {
  let msg: { channel?: unknown; type?: unknown; id?: unknown; payload?: unknown };
  try { msg = JSON.parse(text) as typeof msg; } catch { msg = {}; }
  const fail = (reason: string, extra: Payload = {}): false => {
    conn.sendJson({ channel: 'system', type: 'auth.fail', id: msg.id ?? null, payload: { reason, ...extra } });
    conn.close(4001, 'auth failed');
    return false;
  };
  if (msg.channel !== 'system' || msg.type !== 'auth' || !msg.payload || typeof msg.payload !== 'object') return fail('Expected an auth message first');
  const p = msg.payload as Payload;
  const bucket = bucketOf(p);
  const cfg = loadConfig();
  const blocked = deps.limiter.blockedFor(bucket, ip);
  if (blocked > 0) return fail(`Rate limited: too many failed attempts, try again in ${blocked}s`, { retry_after: blocked });
  const session = trySession(p) ?? tryRefresh(p) ?? tryCode(p, deps);
  if (!session) {
    deps.limiter.recordFailure(bucket, ip, cfg.rateLimits[bucket]);
    process.stderr.write(`Auth failed from ${ip}: ${INVALID}\n`);
    return fail(INVALID);
  }
  deps.limiter.recordSuccess(bucket, ip);
  conn.sendJson({ channel: 'system', type: 'auth.ok', id: msg.id ?? null, payload: okPayload(session, Boolean(str(p['refresh_token']) || str(p['pairing_code']))) });
  return true;
}
