/** The relay's session store, `$HERMES_HOME/hermes-relay-sessions.json` (0600), §16.3 step 6, §16.6, §18.7. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { nowSec, sessionsPath, writePrivateFile } from './config.cjs';

export interface DeviceInfo {
  device_name: string | null;
  device_id: string | null;
  client_surface: string | null;
  device_form_factor: string | null;
  device_model: string | null;
  device_platform: string | null;
}

export interface Session extends DeviceInfo {
  token: string;
  refresh_token: string;
  /** Float epoch seconds (§18.7 "Tokens"). */
  created_at: number;
  first_seen: number;
  last_seen: number;
  /** Float epoch seconds, or null = never. */
  expires_at: number | null;
  /** Channel → float epoch seconds or null. */
  grants: Record<string, number | null>;
  transport_hint: string;
}

/** §18.7 "Tokens": the 8 grant keys. */
export const GRANT_KEYS = [
  'chat',
  'terminal',
  'bridge',
  'tui',
  'voice:config',
  'voice:stt',
  'voice:tts',
  'voice:realtime',
] as const;

export function loadSessions(): Session[] {
  try {
    const v = JSON.parse(fs.readFileSync(sessionsPath(), 'utf8')) as { sessions?: unknown };
    return Array.isArray(v.sessions) ? (v.sessions as Session[]) : [];
  } catch {
    return [];
  }
}

export function saveSessions(list: Session[]): void {
  writePrivateFile(sessionsPath(), `${JSON.stringify({ version: 1, sessions: list }, null, 2)}\n`);
}

export function isLive(s: Session, now = nowSec()): boolean {
  return s.expires_at === null || s.expires_at > now;
}

/** Live sessions only; expired ones are dropped from the file as a side effect. */
export function liveSessions(): Session[] {
  const all = loadSessions();
  const live = all.filter((s) => isLive(s));
  if (live.length !== all.length) saveSessions(live);
  return live;
}

/** §18.7 "Tokens": session tokens are UUID v4. `hexPrefix` (test knob) overwrites the first hex digits. */
export function newToken(hexPrefix = ''): string {
  const id = crypto.randomUUID();
  return hexPrefix ? hexPrefix + id.slice(hexPrefix.length) : id;
}

/** Grant durations (seconds, 0 = never) → epoch expiries clamped to the session's own expiry; all 8 keys present. */
export function materializeGrants(
  durations: Record<string, number> | undefined,
  created: number,
  expires: number | null,
): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const ch of GRANT_KEYS) {
    const d = durations?.[ch];
    const at = d === undefined ? expires : d === 0 ? null : created + d;
    out[ch] = expires === null ? at : at === null ? expires : Math.min(at, expires);
  }
  return out;
}

export interface NewSessionInput {
  ttlSeconds: number;
  grants?: Record<string, number>;
  transportHint: string;
  device: DeviceInfo;
  hexPrefix: string;
}

/**
 * Creates a session from a consumed pairing code. §18.7 "Re-pair": every live session with the same non-empty
 * device_id is revoked first, and the relay logs "Re-pair replaced N session(s)".
 */
export function createSession(i: NewSessionInput): Session {
  const now = nowSec();
  const expires = i.ttlSeconds === 0 ? null : now + i.ttlSeconds;
  const s: Session = {
    token: newToken(i.hexPrefix),
    refresh_token: newToken(),
    ...i.device,
    created_at: now,
    first_seen: now,
    last_seen: now,
    expires_at: expires,
    grants: materializeGrants(i.grants, now, expires),
    transport_hint: i.transportHint,
  };
  const live = liveSessions();
  const keep = i.device.device_id ? live.filter((x) => x.device_id !== i.device.device_id) : live;
  if (keep.length !== live.length)
    process.stderr.write(`Re-pair replaced ${live.length - keep.length} session(s) for device ${i.device.device_id}\n`);
  saveSessions([...keep, s]);
  return s;
}

export function updateSession(token: string, change: (s: Session) => void): Session | undefined {
  const list = liveSessions();
  const s = list.find((x) => x.token === token);
  if (!s) return undefined;
  change(s);
  saveSessions(list);
  return s;
}

export function removeSession(token: string): void {
  saveSessions(liveSessions().filter((s) => s.token !== token));
}

/** What GET /sessions shows of a session (§16.6): never the full token. */
export function publicView(s: Session, currentToken: string | undefined): Record<string, unknown> {
  return {
    token_prefix: s.token.slice(0, 8),
    device_name: s.device_name,
    device_id: s.device_id,
    created_at: s.created_at,
    first_seen: s.first_seen,
    last_seen: s.last_seen,
    expires_at: s.expires_at,
    grants: s.grants,
    transport_hint: s.transport_hint,
    client_surface: s.client_surface,
    device_form_factor: s.device_form_factor,
    device_model: s.device_model,
    device_platform: s.device_platform,
    is_current: currentToken !== undefined && s.token === currentToken,
  };
}
