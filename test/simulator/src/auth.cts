/** Auth providers registered through plugin discovery, signed session cookies, WS tickets, login throttle (§9, §18.1). */
import crypto from 'node:crypto';
import { type BuildInfo, envKey } from './builds.cjs';
import { type BasicProvider, REFRESH_TTL, resolveBasicProvider } from './basic-provider.cjs';
import { type ConfigMap, readDisabledPlugins } from './config-yaml.cjs';

export interface ProviderInfo {
  name: string;
  displayName: string;
  supportsPassword: boolean;
}

export interface AuthState {
  providers: ProviderInfo[];
  basic: BasicProvider | null;
  /** Why a configured basic provider did not register (for the §6.3 refusal). */
  basicNote: string | null;
  secret: Buffer;
  accessTtl: number;
  refreshTtl: number;
  tickets: Map<string, number>;
  loginAttempts: Map<string, number[]>;
}

export const ACCESS_COOKIE = 'hermes_session_at';
export const REFRESH_COOKIE = 'hermes_session_rt';
export const PROVIDER_COOKIE = 'hermes_session_provider';
/** §8.1: single use, 30 s; §18.1: reported as `ttl_seconds`. */
export const TICKET_TTL_SECONDS = 30;
/** §18.1: 429 after 10 attempts per client IP in 60 s. */
const LOGIN_MAX_ATTEMPTS = 10;
const LOGIN_WINDOW_MS = 60_000;

function nonEmpty(v: string | undefined): string | undefined {
  return v !== undefined && v !== '' ? v : undefined;
}

const DISABLED_HINT =
  "the 'basic' plugin is disabled (plugins.disabled in config.yaml), so its credentials are ignored — remove 'basic' from plugins.disabled, or run `hermes plugins enable basic`";

/** §18.1 "Registration": providers register only through plugin discovery, honouring `plugins.disabled`. */
export function createAuthState(build: BuildInfo, env: NodeJS.ProcessEnv, cfg: ConfigMap): AuthState {
  const disabled = new Set(readDisabledPlugins(cfg));
  const providers: ProviderInfo[] = [];
  let basic: BasicProvider | null = null;
  let basicNote: string | null = null;
  if (build.basicProvider) {
    const r = resolveBasicProvider(build, env, cfg);
    if ('provider' in r && disabled.has('basic')) basicNote = DISABLED_HINT;
    else if ('provider' in r) basic = r.provider;
    else if ('skipReason' in r) basicNote = disabled.has('basic') ? DISABLED_HINT : `basic: ${r.skipReason}`;
  }
  if (basic) providers.push({ name: 'basic', displayName: 'Username & Password', supportsPassword: true });
  if (nonEmpty(env[envKey(build, 'DASHBOARD_OAUTH_CLIENT_ID')]) && !disabled.has('nous')) {
    providers.push({ name: 'nous', displayName: 'Nous Portal', supportsPassword: false });
  }
  if (
    nonEmpty(env[envKey(build, 'DASHBOARD_OIDC_ISSUER')]) &&
    nonEmpty(env[envKey(build, 'DASHBOARD_OIDC_CLIENT_ID')])
  ) {
    providers.push({ name: 'oidc', displayName: 'OpenID Connect', supportsPassword: false });
  }
  return {
    providers,
    basic,
    basicNote,
    secret: basic ? basic.secret : crypto.randomBytes(32),
    accessTtl: basic ? basic.ttlSeconds : 12 * 60 * 60,
    refreshTtl: REFRESH_TTL,
    tickets: new Map(),
    loginAttempts: new Map(),
  };
}

function sign(state: AuthState, payload: string): string {
  return crypto.createHmac('sha256', state.secret).update(payload).digest('base64url');
}

export function mintSessionValue(state: AuthState, kind: 'at' | 'rt', username: string): string {
  const exp = Math.floor(Date.now() / 1000) + (kind === 'at' ? state.accessTtl : state.refreshTtl);
  const payload = Buffer.from(JSON.stringify({ sub: username, kind, exp })).toString('base64url');
  return `${payload}.${sign(state, payload)}`;
}

export interface SessionInfo {
  user: string;
  exp: number;
}

/** Returns the session, 'expired', or null for a bad or missing value. */
export function verifySessionValue(
  state: AuthState,
  kind: 'at' | 'rt',
  value: string | undefined,
): SessionInfo | null | 'expired' {
  if (!value) return null;
  const [payload, sig] = value.split('.');
  if (!payload || !sig) return null;
  const expected = sign(state, payload);
  if (sig.length !== expected.length || !crypto.timingSafeEqual(Buffer.from(sig), Buffer.from(expected))) return null;
  const data = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { sub: string; kind: string; exp: number };
  if (data.kind !== kind) return null;
  return data.exp * 1000 <= Date.now() ? 'expired' : { user: data.sub, exp: data.exp };
}

/** Sliding window per client IP; records the attempt when allowed. True = throttled (429). */
export function isLoginThrottled(state: AuthState, ip: string): boolean {
  const now = Date.now();
  const key = ip || '_unknown_';
  const bucket = (state.loginAttempts.get(key) ?? []).filter((t) => t >= now - LOGIN_WINDOW_MS);
  state.loginAttempts.set(key, bucket);
  if (bucket.length >= LOGIN_MAX_ATTEMPTS) return true;
  bucket.push(now);
  return false;
}

export function issueTicket(state: AuthState): string {
  const ticket = crypto.randomBytes(24).toString('base64url');
  state.tickets.set(ticket, Date.now() + TICKET_TTL_SECONDS * 1000);
  return ticket;
}

/** Single use: a ticket is consumed by the first attempt, valid or not. */
export function consumeTicket(state: AuthState, ticket: string | null): boolean {
  if (!ticket) return false;
  const exp = state.tickets.get(ticket);
  state.tickets.delete(ticket);
  return exp !== undefined && exp >= Date.now();
}

/** Cookie map; `__Host-` / `__Secure-` prefixes are read as the bare name (§18.1). */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part
      .slice(0, eq)
      .trim()
      .replace(/^__(Host|Secure)-/, '');
    try {
      out[name] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      out[name] = part.slice(eq + 1).trim();
    }
  }
  return out;
}
