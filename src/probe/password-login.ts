// Gated (basic-auth) dashboards (docs/hermes-contract.md#c6): POST /auth/password-login → session cookies →
// POST /api/auth/ws-ticket → {ticket, ttl_seconds} (the simulator says expires_in; either is read). The caller
// then probes /api/ws?ticket=. Both requests go through node:http over the same Dial, one connection each.
// Secrets never leave this file in a string: details name statuses and reasons, not the password or cookie values.
import { type Dial, toProbeFailure } from './dial.js';
import { type HttpRequestOptions, type HttpResponse, requestHttp } from './http-request.js';
import { redactSecrets } from './redact.js';

export interface FetchWsTicketOptions {
  dial: Dial;
  host: string;
  port: number;
  hostHeader?: string;
  username: string;
  password: string;
  /** Per request. Default 5000. */
  timeoutMs?: number;
  /** Sign in once per run: a later probe reuses the session cookie (Hermes allows 10 sign-ins a minute per address). */
  session?: LoginSession;
}

/** The session cookie of this run's one sign-in, shared by every probe of the run. */
export interface LoginSession {
  cookie?: string;
  values?: string[];
  logins: number;
}

export type TicketFailureReason =
  | 'bad-credentials'
  | 'rate-limited'
  | 'provider-unreachable'
  | 'no-cookie'
  | 'ticket-refused'
  | 'http'
  | 'network'
  | 'protocol';

export type FetchWsTicketResult =
  | { ok: true; ticket: string; /** From `ttl_seconds` or `expires_in`, when the server says. */ ttlSeconds?: number }
  | { ok: false; status?: number; reason: TicketFailureReason; detail: string };

/** `name=value` pairs from Set-Cookie headers, joined for a Cookie header. Attributes are dropped. */
export function buildCookieHeader(setCookies: string[]): { header: string; values: string[] } {
  const pairs = setCookies.map((c) => (c.split(';')[0] ?? '').trim()).filter((p) => p.includes('='));
  return { header: pairs.join('; '), values: pairs.map((p) => p.slice(p.indexOf('=') + 1)).filter((v) => v !== '') };
}

function loginFailure(r: HttpResponse, secrets: string[]): FetchWsTicketResult {
  const s = r.status;
  const detail = (text: string): string => redactSecrets(`POST /auth/password-login: HTTP ${s}: ${text}`, secrets);
  if (s === 401 || s === 403)
    return { ok: false, status: s, reason: 'bad-credentials', detail: detail('username or password rejected') };
  if (s === 429) {
    return {
      ok: false,
      status: s,
      reason: 'rate-limited',
      detail: detail(
        'too many sign-ins from this address (Hermes allows 10 a minute per client IP; hermes-setup signs in once per run): wait a minute, then rerun',
      ),
    };
  }
  if (s === 503)
    return { ok: false, status: s, reason: 'provider-unreachable', detail: detail('the auth provider is unreachable') };
  if (s === 404)
    return {
      ok: false,
      status: s,
      reason: 'http',
      detail: detail('no password login here (dashboard not gated by basic auth, or too old)'),
    };
  if (s === 400)
    return { ok: false, status: s, reason: 'http', detail: detail(`rejected (Host guard? ${r.body.slice(0, 120)})`) };
  return { ok: false, status: s, reason: 'http', detail: detail(r.body.slice(0, 160) || 'unexpected answer') };
}

type Common = Omit<HttpRequestOptions, 'method' | 'path' | 'headers' | 'body'>;

/** POST /auth/password-login: the session's Cookie header (its values join `secrets`), or the failure. */
async function signIn(
  o: FetchWsTicketOptions,
  common: Common,
  secrets: string[],
): Promise<string | FetchWsTicketResult> {
  const body = JSON.stringify({ provider: 'basic', username: o.username, password: o.password, next: '/' });
  const jsonHeaders = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (o.session) o.session.logins += 1;
  const login = await requestHttp({
    ...common,
    method: 'POST',
    path: '/auth/password-login',
    headers: jsonHeaders,
    body,
  });
  if (login.status < 200 || login.status >= 400) return loginFailure(login, secrets);
  const cookie = buildCookieHeader(login.headers['set-cookie'] ?? []);
  if (cookie.header === '') {
    return {
      ok: false,
      status: login.status,
      reason: 'no-cookie',
      detail: `POST /auth/password-login: HTTP ${login.status} but no session cookie was set`,
    };
  }
  if (o.session) Object.assign(o.session, { cookie: cookie.header, values: cookie.values });
  secrets.push(...cookie.values);
  return cookie.header;
}

/** The run's session cookie if it signed in already, else a new sign-in. */
async function sessionCookie(
  o: FetchWsTicketOptions,
  common: Common,
  secrets: string[],
): Promise<string | FetchWsTicketResult> {
  const header = o.session?.cookie;
  if (header === undefined) return signIn(o, common, secrets);
  secrets.push(...(o.session?.values ?? []));
  return header;
}

export async function fetchWsTicket(o: FetchWsTicketOptions): Promise<FetchWsTicketResult> {
  const secrets = [o.password];
  const common = { dial: o.dial, host: o.host, port: o.port, hostHeader: o.hostHeader, timeoutMs: o.timeoutMs ?? 5000 };
  try {
    const header = await sessionCookie(o, common, secrets);
    if (typeof header !== 'string') return header;
    const res = await requestHttp({
      ...common,
      method: 'POST',
      path: '/api/auth/ws-ticket',
      headers: { Cookie: header, Accept: 'application/json' },
      body: '',
    });
    return readTicket(res, secrets);
  } catch (err) {
    const f = toProbeFailure(err);
    return {
      ok: false,
      reason: f.kind === 'protocol' ? 'protocol' : 'network',
      detail: redactSecrets(`password login to ${o.host}:${o.port}: ${f.kind}: ${f.message}`, secrets),
    };
  }
}

function readTicket(res: HttpResponse, secrets: string[]): FetchWsTicketResult {
  const where = `POST /api/auth/ws-ticket: HTTP ${res.status}`;
  if (res.status === 401 || res.status === 403) {
    return {
      ok: false,
      status: res.status,
      reason: 'ticket-refused',
      detail: `${where}: the session cookie from the login was not accepted (see hermes-agent#117314)`,
    };
  }
  if (res.status !== 200)
    return {
      ok: false,
      status: res.status,
      reason: 'http',
      detail: redactSecrets(`${where}: ${res.body.slice(0, 160)}`, secrets),
    };
  const { ticket, ttl } = parseTicketBody(res.body);
  if (typeof ticket !== 'string' || ticket === '')
    return { ok: false, status: 200, reason: 'protocol', detail: `${where} but no "ticket" string in the JSON body` };
  return { ok: true, ticket, ...(typeof ttl === 'number' && ttl > 0 ? { ttlSeconds: ttl } : {}) };
}

/** `{"ticket", "ttl_seconds"}` (the contract) or `{"ticket", "expires_in"}` (what the simulator sends). */
export function parseTicketBody(text: string): { ticket?: unknown; ttl?: unknown } {
  try {
    const j = JSON.parse(text) as unknown;
    if (j !== null && typeof j === 'object') {
      const o = j as Record<string, unknown>;
      return { ticket: o['ticket'], ttl: o['ttl_seconds'] ?? o['expires_in'] };
    }
  } catch {
    /* not JSON: no ticket */
  }
  return {};
}
