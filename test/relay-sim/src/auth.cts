/** WS auth (§16.3): first text frame within 30 s; session token → refresh token → pairing code. */
import { RELAY_VERSION, loadConfig, nowSec } from './config.cjs';
import type { PairingManager } from './pairing.cjs';
import type { BucketName, RateLimiter } from './rate-limit.cjs';
import { type DeviceInfo, type Session, createSession, liveSessions, newToken, updateSession } from './sessions.cjs';
import type { WsConnection } from './ws.cjs';

export const AUTH_TIMEOUT_MS = 30_000;
/** §16.3 step 5: the one failure reason, whatever was wrong. */
export const INVALID = 'Invalid pairing code or session token';

export interface AuthDeps {
  pairing: PairingManager;
  limiter: RateLimiter;
}

type Payload = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function deviceOf(p: Payload): DeviceInfo {
  return {
    device_name: str(p['device_name']),
    device_id: str(p['device_id']),
    client_surface: str(p['client_surface']),
    device_form_factor: str(p['device_form_factor']),
    device_model: str(p['device_model']),
    device_platform: str(p['device_platform']),
  };
}

/** §16.3 step 4. */
function okPayload(s: Session, refresh: boolean): Payload {
  return {
    session_token: s.token,
    server_version: RELAY_VERSION,
    profiles: [],
    expires_at: s.expires_at,
    grants: s.grants,
    transport_hint: s.transport_hint,
    client_surface: s.client_surface,
    device_form_factor: s.device_form_factor,
    ...(refresh ? { refresh_token: s.refresh_token } : {}),
  };
}

function trySession(p: Payload): Session | undefined {
  const token = str(p['session_token']);
  if (!token) return undefined;
  return updateSession(token, (s) => {
    s.last_seen = nowSec();
  });
}

/** §16.3 step 3: a refresh token is rotated on success. */
function tryRefresh(p: Payload): Session | undefined {
  const rt = str(p['refresh_token']);
  if (!rt) return undefined;
  const s = liveSessions().find((x) => x.refresh_token === rt);
  if (!s) return undefined;
  return updateSession(s.token, (x) => {
    x.refresh_token = newToken();
    x.last_seen = nowSec();
  });
}

/** §16.3 step 3: TTL and grants come only from the loopback registration; what the client sent is ignored. */
function tryCode(p: Payload, deps: AuthDeps): Session | undefined {
  const code = str(p['pairing_code']);
  if (!code) return undefined;
  const meta = deps.pairing.consume(code.toUpperCase());
  if (!meta) return undefined;
  const cfg = loadConfig();
  return createSession({
    ttlSeconds: meta.ttlSeconds ?? cfg.sessionTtlSeconds,
    ...(meta.grants ? { grants: meta.grants } : {}),
    transportHint: meta.transportHint ?? 'ws',
    device: deviceOf(p),
    hexPrefix: cfg.tokenHexPrefix,
  });
}

function bucketOf(p: Payload): BucketName {
  return str(p['pairing_code']) && !str(p['session_token']) && !str(p['refresh_token']) ? 'pairing' : 'session';
}

/**
 * Handles the first text frame of a connection. Returns true when the connection is authenticated. A failure is
 * counted for the IP (§18.7: the block it may earn is enforced at the next upgrade, not here).
 */
export function handleAuthFrame(text: string, conn: WsConnection, ip: string, deps: AuthDeps): boolean {
  let msg: { channel?: unknown; type?: unknown; id?: unknown; payload?: unknown };
  try {
    msg = JSON.parse(text) as typeof msg;
  } catch {
    msg = {};
  }
  const fail = (reason: string): false => {
    conn.sendJson({ channel: 'system', type: 'auth.fail', id: msg.id ?? null, payload: { reason } });
    conn.close(4001, 'auth failed');
    return false;
  };
  if (msg.channel !== 'system' || msg.type !== 'auth' || !msg.payload || typeof msg.payload !== 'object')
    return fail('Expected an auth message first');
  const p = msg.payload as Payload;
  const session = trySession(p) ?? tryRefresh(p) ?? tryCode(p, deps);
  if (!session) {
    const bucket = bucketOf(p);
    deps.limiter.recordFailure(bucket, ip, loadConfig().rateLimits[bucket]);
    process.stderr.write(`Auth failed from ${ip}: ${INVALID}\n`);
    return fail(INVALID);
  }
  conn.sendJson({
    channel: 'system',
    type: 'auth.ok',
    id: msg.id ?? null,
    payload: okPayload(session, Boolean(str(p['refresh_token']) || str(p['pairing_code']))),
  });
  return true;
}
