/** Auth providers, signed session cookies and single-use WS tickets (§9). */
import crypto from 'node:crypto';

export interface BasicAuthConfig {
  username: string;
  password?: string;
  passwordHash?: string;
}

export interface AuthState {
  providers: string[];
  basic: BasicAuthConfig | null;
  secret: Buffer;
  accessTtl: number;
  refreshTtl: number;
  tickets: Map<string, number>;
}

export const ACCESS_COOKIE = 'hermes_session_at';
export const REFRESH_COOKIE = 'hermes_session_rt';
const TICKET_TTL_MS = 30_000;

function nonEmpty(v: string | undefined): string | undefined {
  return v !== undefined && v !== '' ? v : undefined;
}

export function createAuthState(env: NodeJS.ProcessEnv): AuthState {
  const username = nonEmpty(env['HERMES_DASHBOARD_BASIC_AUTH_USERNAME']);
  const password = nonEmpty(env['HERMES_DASHBOARD_BASIC_AUTH_PASSWORD']);
  const passwordHash = nonEmpty(env['HERMES_DASHBOARD_BASIC_AUTH_PASSWORD_HASH']);
  const basic = username && (password || passwordHash) ? { username, password, passwordHash } : null;
  const providers: string[] = [];
  if (basic) providers.push('basic');
  if (nonEmpty(env['HERMES_DASHBOARD_OAUTH_CLIENT_ID'])) providers.push('nous');
  if (nonEmpty(env['HERMES_DASHBOARD_OIDC_ISSUER']) && nonEmpty(env['HERMES_DASHBOARD_OIDC_CLIENT_ID'])) providers.push('oidc');
  const secretText = nonEmpty(env['HERMES_DASHBOARD_BASIC_AUTH_SECRET']);
  const ttl = Number(env['HERMES_DASHBOARD_BASIC_AUTH_TTL_SECONDS'] ?? '');
  return {
    providers,
    basic,
    secret: secretText ? Buffer.from(secretText) : crypto.randomBytes(32),
    accessTtl: Number.isFinite(ttl) && ttl > 0 ? ttl : 900,
    refreshTtl: 86_400,
    tickets: new Map(),
  };
}

function decodeB64(text: string): Buffer {
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

export function safeEqual(a: Buffer | string, b: Buffer | string): boolean {
  const x = Buffer.isBuffer(a) ? a : Buffer.from(a);
  const y = Buffer.isBuffer(b) ? b : Buffer.from(b);
  if (x.length !== y.length) {
    crypto.timingSafeEqual(x, x);
    return false;
  }
  return crypto.timingSafeEqual(x, y);
}

/** Assumed hash formats: `scrypt$N$r$p$<salt b64>$<key b64>` and `pbkdf2_sha256$<iter>$<salt>$<key b64>`. */
export function verifyPasswordHash(password: string, stored: string): boolean {
  const parts = stored.split('$');
  try {
    if (parts[0] === 'scrypt' && parts.length === 6) {
      const [, n, r, p, salt, key] = parts as [string, string, string, string, string, string];
      const expected = decodeB64(key);
      const N = Number(n);
      const derived = crypto.scryptSync(password, decodeB64(salt), expected.length, {
        N, r: Number(r), p: Number(p), maxmem: 256 * N * Number(r) + 1024 * 1024,
      });
      return safeEqual(derived, expected);
    }
    if (parts[0] === 'pbkdf2_sha256' && parts.length === 4) {
      const [, iter, salt, key] = parts as [string, string, string, string];
      const expected = decodeB64(key);
      const derived = crypto.pbkdf2Sync(password, salt, Number(iter), expected.length, 'sha256');
      return safeEqual(derived, expected);
    }
  } catch {
    return false;
  }
  return false;
}

export function checkBasicLogin(state: AuthState, username: string, password: string): boolean {
  const basic = state.basic;
  if (!basic) return false;
  const userOk = safeEqual(username, basic.username);
  const passOk = basic.passwordHash
    ? verifyPasswordHash(password, basic.passwordHash)
    : safeEqual(password, basic.password ?? '');
  return userOk && passOk;
}

function sign(state: AuthState, payload: string): string {
  return crypto.createHmac('sha256', state.secret).update(payload).digest('base64url');
}

export function mintSessionValue(state: AuthState, kind: 'at' | 'rt', username: string): string {
  const exp = Math.floor(Date.now() / 1000) + (kind === 'at' ? state.accessTtl : state.refreshTtl);
  const payload = Buffer.from(JSON.stringify({ u: username, k: kind, exp, n: crypto.randomBytes(6).toString('hex') })).toString('base64url');
  return `${payload}.${sign(state, payload)}`;
}

/** Returns the username, 'expired', or null for a bad/missing value. */
export function verifySessionValue(state: AuthState, kind: 'at' | 'rt', value: string | undefined): string | null | 'expired' {
  if (!value) return null;
  const [payload, sig] = value.split('.');
  if (!payload || !sig || !safeEqual(sig, sign(state, payload))) return null;
  const data = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { u: string; k: string; exp: number };
  if (data.k !== kind) return null;
  return data.exp * 1000 < Date.now() ? 'expired' : data.u;
}

export function issueTicket(state: AuthState): string {
  const ticket = crypto.randomBytes(24).toString('base64url');
  state.tickets.set(ticket, Date.now() + TICKET_TTL_MS);
  return ticket;
}

/** Single use: a ticket is consumed by the first attempt, valid or not. */
export function consumeTicket(state: AuthState, ticket: string | null): boolean {
  if (!ticket) return false;
  const exp = state.tickets.get(ticket);
  state.tickets.delete(ticket);
  return exp !== undefined && exp >= Date.now();
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim().replace(/^__(Host|Secure)-/, '');
    out[name] = decodeURIComponent(part.slice(eq + 1).trim());
  }
  return out;
}
