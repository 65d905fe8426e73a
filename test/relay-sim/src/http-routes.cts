/** Relay HTTP routes: loopback-only /pairing/register and /pairing/mint (§16.1), /sessions management (§16.6). */
import type http from 'node:http';
import { RELAY_VERSION, loadConfig, nowSec } from './config.cjs';
import { type PairMode, buildEndpoints, buildPayload } from './payload.cjs';
import { CODE_RE, type PairingManager } from './pairing.cjs';
import { liveSessions, publicView, removeSession, updateSession } from './sessions.cjs';

const DEFAULT_GRANTS_S = { terminal: 30 * 24 * 3600, bridge: 7 * 24 * 3600 };

export function isLoopback(addr: string | undefined): boolean {
  return addr === '127.0.0.1' || addr === '::1' || addr === '::ffff:127.0.0.1';
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
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
      } catch { resolve({}); }
    });
    req.on('error', () => resolve({}));
  });
}

const numOr = (v: unknown, d: number): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : d);
const grantsOr = (v: unknown): Record<string, number> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, number>) : undefined);

async function register(req: http.IncomingMessage, res: http.ServerResponse, pairing: PairingManager): Promise<void> {
  const body = await readBody(req);
  const code = typeof body['code'] === 'string' ? body['code'].toUpperCase() : '';
  if (!CODE_RE.test(code)) return sendJson(res, 400, { error: 'code must be 6 characters A-Z 0-9' });
  const cfg = loadConfig();
  pairing.register({
    code, expiresAt: nowSec() + cfg.codeTtlSeconds, ttlSeconds: numOr(body['ttl_seconds'], cfg.sessionTtlSeconds),
    grants: grantsOr(body['grants']) ?? DEFAULT_GRANTS_S, transportHint: typeof body['transport_hint'] === 'string' ? body['transport_hint'] : 'ws',
  });
  sendJson(res, 200, { ok: true, code });
}

async function mint(req: http.IncomingMessage, res: http.ServerResponse, pairing: PairingManager): Promise<void> {
  const body = await readBody(req);
  const cfg = loadConfig();
  const mode = (typeof body['mode'] === 'string' ? body['mode'] : 'auto') as PairMode;
  if (!['auto', 'lan', 'tailscale', 'public'].includes(mode)) return sendJson(res, 400, { error: `invalid mode ${mode}` });
  const publicUrl = typeof body['public_url'] === 'string' && body['public_url'] ? body['public_url'] : undefined;
  if (mode === 'public' && !publicUrl) return sendJson(res, 400, { error: 'mode public requires public_url' });
  const endpoints = buildEndpoints(mode, publicUrl, cfg);
  if (endpoints.length === 0) return sendJson(res, 400, { error: `no ${mode} address available on this host` });
  const code = pairing.generateCode();
  const ttlSeconds = numOr(body['ttl_seconds'], cfg.sessionTtlSeconds);
  const grants = grantsOr(body['grants']) ?? DEFAULT_GRANTS_S;
  const expiresAt = nowSec() + cfg.codeTtlSeconds;
  pairing.register({ code, expiresAt, ttlSeconds, grants, transportHint: endpoints[0]?.relay.transport_hint ?? 'ws' });
  const payload = buildPayload({ code, ttlSeconds, grants, endpoints });
  const b64 = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const first = endpoints[0];
  sendJson(res, 200, {
    ok: true, code, qr_payload: payload, pairing_url: `hermes-relay://pair?payload=${b64}`, expires_at: expiresAt,
    host: first?.api.host, port: first?.api.port, tls: first?.api.tls, relay_url: first?.relay.url,
  });
}

/** Bearer session token, or loopback without a header. undefined = unauthorised; '' = loopback. */
function caller(req: http.IncomingMessage): string | undefined {
  const auth = req.headers['authorization'];
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    const token = m?.[1];
    return token && liveSessions().some((s) => s.token === token) ? token : undefined;
  }
  return isLoopback(req.socket.remoteAddress) ? '' : undefined;
}

async function sessionsRoute(req: http.IncomingMessage, res: http.ServerResponse, prefix: string | undefined): Promise<void> {
  const me = caller(req);
  if (me === undefined) return sendJson(res, 401, { error: 'Unauthorized' });
  const current = me === '' ? undefined : me;
  if (prefix === undefined) {
    if (req.method !== 'GET') return sendJson(res, 405, { error: 'Method not allowed' });
    return sendJson(res, 200, { sessions: liveSessions().map((s) => publicView(s, current)) });
  }
  const matches = prefix === '' ? [] : liveSessions().filter((s) => s.token.startsWith(prefix));
  if (matches.length === 0) return sendJson(res, 404, { error: 'No session matches that prefix' });
  if (matches.length > 1) return sendJson(res, 409, { error: 'Prefix is ambiguous', matches: matches.length });
  const target = matches[0]!;
  if (req.method === 'DELETE') {
    removeSession(target.token);
    return sendJson(res, 200, { ok: true, revoked: target.token.slice(0, 8), revoked_self: target.token === current });
  }
  if (req.method === 'PATCH') {
    const body = await readBody(req);
    const ttl = numOr(body['ttl_seconds'], -1);
    if (ttl < 0) return sendJson(res, 400, { error: 'ttl_seconds (seconds, 0 = never) is required' });
    const s = updateSession(target.token, (x) => { x.expires_at = ttl === 0 ? null : nowSec() + ttl; });
    return sendJson(res, 200, { ok: true, token_prefix: target.token.slice(0, 8), expires_at: s?.expires_at ?? null });
  }
  return sendJson(res, 405, { error: 'Method not allowed' });
}

export async function routeHttp(req: http.IncomingMessage, res: http.ServerResponse, pairing: PairingManager): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://relay');
  const p = url.pathname;
  if (p === '/pairing/register' || p === '/pairing/mint') {
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'Method not allowed' });
    if (!isLoopback(req.socket.remoteAddress)) return sendJson(res, 403, { error: `${p} is restricted to localhost callers` });
    return p === '/pairing/register' ? register(req, res, pairing) : mint(req, res, pairing);
  }
  if (p === '/sessions' || p.startsWith('/sessions/')) {
    return sessionsRoute(req, res, p === '/sessions' ? undefined : decodeURIComponent(p.slice('/sessions/'.length)));
  }
  if (p === '/health') return sendJson(res, 200, { status: 'ok', version: RELAY_VERSION });
  if (p === '/ws' || p === '/') return sendJson(res, 426, { error: 'WebSocket upgrade required' });
  return sendJson(res, 404, { error: 'Not found' });
}
