/** Relay HTTP routes: loopback-only /pairing/register and /pairing/mint (§16.1), /sessions (§16.6 as corrected by §18.7). */
import type http from 'node:http';
import { RELAY_VERSION, loadConfig, nowSec, relayEnv } from './config.cjs';
import { API_PORT, type Endpoint, buildPayload, inviteUrl, lanRelayUrl } from './payload.cjs';
import { CODE_RE, type PairingManager } from './pairing.cjs';
import type { RateLimiter } from './rate-limit.cjs';
import { type Session, liveSessions, publicView, removeSession, updateSession } from './sessions.cjs';

export interface RouteDeps {
  pairing: PairingManager;
  limiter: RateLimiter;
}

export function isLoopback(addr: string | undefined): boolean {
  return addr === '127.0.0.1' || addr === '::1' || addr === '::ffff:127.0.0.1';
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** §18.7 "Error bodies": 401/403/404 of /sessions are text/plain and the reason is the body. */
export function sendText(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const v = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as unknown;
        resolve(v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
      } catch {
        resolve({});
      }
    });
    req.on('error', () => resolve({}));
  });
}

const numOr = (v: unknown, d: number): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : d);
const grantsOf = (v: unknown): Record<string, number> | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, number>) : undefined;

async function register(req: http.IncomingMessage, res: http.ServerResponse, pairing: PairingManager): Promise<void> {
  const body = await readBody(req);
  const code = typeof body['code'] === 'string' ? body['code'].toUpperCase() : '';
  if (!CODE_RE.test(code)) return sendJson(res, 400, { ok: false, error: 'code must be 6 characters A-Z 0-9' });
  const cfg = loadConfig();
  const grants = grantsOf(body['grants']);
  pairing.register({
    code,
    expiresAt: nowSec() + cfg.codeTtlSeconds,
    ttlSeconds: numOr(body['ttl_seconds'], cfg.sessionTtlSeconds),
    ...(grants ? { grants } : {}),
    transportHint: typeof body['transport_hint'] === 'string' ? body['transport_hint'] : 'ws',
  });
  sendJson(res, 200, { ok: true, code });
}

/**
 * §16.1 `POST /pairing/mint`. The request body is not in the contract; as pair.py's `mint_relay_pairing` sends it,
 * `endpoints` (the client-built route list) and `ttl_seconds`/`grants`/`transport_hint` are read when present; without
 * `endpoints` the payload is v2 with the LAN relay URL as its only route (as `hermes pair --mode tailscale` on a host
 * without Tailscale shows, §18.7). The response's `qr_payload` is a JSON string (pair.py
 * parses it with json.loads). §18.7: a mint clears every rate-limit block.
 */
async function mint(req: http.IncomingMessage, res: http.ServerResponse, deps: RouteDeps): Promise<void> {
  const body = await readBody(req);
  const cfg = loadConfig();
  const tls = Boolean(relayEnv('RELAY_SSL_CERT'));
  const endpoints = Array.isArray(body['endpoints']) ? (body['endpoints'] as Endpoint[]) : [];
  const code = deps.pairing.generateCode();
  const ttlSeconds = cfg.mintIgnoresTtl ? cfg.sessionTtlSeconds : numOr(body['ttl_seconds'], cfg.sessionTtlSeconds);
  const grants = grantsOf(body['grants']);
  const transportHint = typeof body['transport_hint'] === 'string' ? body['transport_hint'] : tls ? 'wss' : 'ws';
  const expiresAt = nowSec() + cfg.codeTtlSeconds;
  deps.pairing.register({ code, expiresAt, ttlSeconds, ...(grants ? { grants } : {}), transportHint });
  deps.limiter.clearAll();
  const api = {
    host: typeof body['host'] === 'string' ? body['host'] : (cfg.lanIp ?? '127.0.0.1'),
    port: typeof body['port'] === 'number' ? body['port'] : API_PORT,
    tls: body['tls'] === true,
  };
  const relayUrl = lanRelayUrl(cfg, tls);
  const payload = buildPayload({
    code,
    ttlSeconds,
    ...(grants ? { grants } : {}),
    transportHint,
    relayUrl,
    endpoints,
    api,
  });
  sendJson(res, 200, {
    ok: true,
    code,
    qr_payload: JSON.stringify(payload),
    pairing_url: inviteUrl(payload),
    expires_at: expiresAt,
    host: api.host,
    port: api.port,
    tls: api.tls,
    relay_url: relayUrl,
  });
}

/** Bearer session token, or loopback without a header (§16.6). undefined = unauthorised; '' = loopback operator. */
function caller(req: http.IncomingMessage): string | undefined {
  const auth = req.headers['authorization'];
  if (typeof auth === 'string') {
    const token = /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
    return token && liveSessions().some((s) => s.token === token) ? token : undefined;
  }
  return isLoopback(req.socket.remoteAddress) ? '' : undefined;
}

/**
 * §18.7 "PATCH /sessions/{prefix} (extend)": only the caller's own session, and only shortening. The loopback
 * operator (no bearer) may set any TTL — an assumption, the contract is silent on it.
 */
async function extend(req: http.IncomingMessage, res: http.ServerResponse, target: Session, me: string): Promise<void> {
  const ttl = numOr((await readBody(req))['ttl_seconds'], -1);
  if (ttl < 0) return sendText(res, 400, 'ttl_seconds (seconds, 0 = never) is required');
  if (me !== '' && target.token !== me) return sendText(res, 403, 'cannot modify another session');
  const next = ttl === 0 ? null : nowSec() + ttl;
  const longer = next === null || (target.expires_at !== null && next > target.expires_at);
  if (me !== '' && longer) return sendText(res, 403, 'operator approval required to extend session');
  const s = updateSession(target.token, (x) => {
    x.expires_at = next;
  });
  sendJson(res, 200, { ok: true, token_prefix: target.token.slice(0, 8), expires_at: s?.expires_at ?? null });
}

async function sessionsRoute(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  prefix: string | undefined,
): Promise<void> {
  const me = caller(req);
  if (me === undefined) return sendText(res, 401, 'invalid or expired session token');
  if (prefix === undefined) {
    if (req.method !== 'GET') return sendText(res, 405, 'method not allowed');
    return sendJson(res, 200, { sessions: liveSessions().map((s) => publicView(s, me === '' ? undefined : me)) });
  }
  const matches = prefix === '' ? [] : liveSessions().filter((s) => s.token.startsWith(prefix));
  if (matches.length === 0) return sendText(res, 404, `no session matches prefix ${prefix}`);
  // §18.7 "Error bodies": 409 is JSON {"ok": false, "error": …} without a match list.
  if (matches.length > 1)
    return sendJson(res, 409, { ok: false, error: `prefix ${prefix} matches more than one session` });
  const target = matches[0]!;
  if (req.method === 'DELETE') {
    removeSession(target.token);
    return sendJson(res, 200, { ok: true });
  }
  if (req.method === 'PATCH') return extend(req, res, target, me);
  return sendText(res, 405, 'method not allowed');
}

export async function routeHttp(req: http.IncomingMessage, res: http.ServerResponse, deps: RouteDeps): Promise<void> {
  const p = new URL(req.url ?? '/', 'http://relay').pathname;
  if (p === '/pairing/register' || p === '/pairing/mint') {
    if (req.method !== 'POST') return sendText(res, 405, 'method not allowed');
    if (!isLoopback(req.socket.remoteAddress)) return sendText(res, 403, `${p} is restricted to localhost callers`);
    return p === '/pairing/register' ? register(req, res, deps.pairing) : mint(req, res, deps);
  }
  if (p === '/sessions' || p.startsWith('/sessions/')) {
    return sessionsRoute(req, res, p === '/sessions' ? undefined : decodeURIComponent(p.slice('/sessions/'.length)));
  }
  if (p === '/health') return sendJson(res, 200, { status: 'ok', version: RELAY_VERSION });
  if (p === '/ws' || p === '/') return sendText(res, 426, 'websocket upgrade required');
  return sendText(res, 404, '404: Not Found');
}
