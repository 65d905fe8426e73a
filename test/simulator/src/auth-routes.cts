/** Gated-mode `/auth/*` routes: password login and logout (§9, §18.1). */
import type http from 'node:http';
import { ACCESS_COOKIE, PROVIDER_COOKIE, REFRESH_COOKIE, isLoginThrottled, mintSessionValue } from './auth.cjs';
import { checkBasicCredentials } from './basic-provider.cjs';
import { isServeEra } from './generations.cjs';
import { isLoopbackPeer } from './guards.cjs';
import { readBody, sendJson } from './http-util.cjs';
import type { ServerConfig } from './server-config.cjs';

/** §18.1: `__Host-` names and `Secure` only over HTTPS (X-Forwarded-Proto from a trusted loopback proxy), else bare. */
function isHttps(cfg: ServerConfig, req: http.IncomingMessage): boolean {
  return (
    cfg.gated &&
    isLoopbackPeer(req.socket.remoteAddress) &&
    String(req.headers['x-forwarded-proto'] ?? '').toLowerCase() === 'https'
  );
}

export function buildCookie(name: string, value: string, maxAge: number, https: boolean): string {
  return `${https ? '__Host-' : ''}${name}=${value}; HttpOnly; Max-Age=${maxAge}; Path=/; SameSite=lax${https ? '; Secure' : ''}`;
}

/** Access (12 h default) + refresh (30 d) cookies; G3 builds also set the provider cookie (§18.1 "newer"). */
export function buildSessionCookies(cfg: ServerConfig, req: http.IncomingMessage, user: string): string[] {
  const https = isHttps(cfg, req);
  const cookies = [
    buildCookie(ACCESS_COOKIE, mintSessionValue(cfg.auth, 'at', user), cfg.auth.accessTtl, https),
    buildCookie(REFRESH_COOKIE, mintSessionValue(cfg.auth, 'rt', user), cfg.auth.refreshTtl, https),
  ];
  if (isServeEra(cfg.generation)) cookies.push(buildCookie(PROVIDER_COOKIE, 'basic', cfg.auth.refreshTtl, https));
  return cookies;
}

interface LoginBody {
  provider: string;
  username: string;
  password: string;
  next: string;
}

/** FastAPI + pydantic: JSON only (a form body is not parsed), required string fields → 422 otherwise. */
function parseLoginBody(text: string, contentType: string | undefined): LoginBody | { errors: unknown[] } {
  const ct = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const jsonType = ct === '' || ct === 'application/json' || (ct.startsWith('application/') && ct.endsWith('+json'));
  let obj: unknown;
  try {
    obj = jsonType ? JSON.parse(text) : text;
  } catch {
    return { errors: [{ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {} }] };
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    return {
      errors: [
        {
          type: 'model_attributes_type',
          loc: ['body'],
          msg: 'Input should be a valid dictionary or object to extract fields from',
          input: obj,
        },
      ],
    };
  }
  const rec = obj as Record<string, unknown>;
  const errors: unknown[] = [];
  for (const f of ['provider', 'username', 'password', 'next']) {
    const v = rec[f];
    if (v === undefined && f !== 'next')
      errors.push({ type: 'missing', loc: ['body', f], msg: 'Field required', input: rec });
    else if (v !== undefined && typeof v !== 'string')
      errors.push({ type: 'string_type', loc: ['body', f], msg: 'Input should be a valid string', input: v });
  }
  if (errors.length > 0) return { errors };
  return {
    provider: String(rec['provider']),
    username: String(rec['username']),
    password: String(rec['password']),
    next: typeof rec['next'] === 'string' ? rec['next'] : '',
  };
}

/** `_validate_post_login_target`: same-origin path, not /login, /auth/, /api/. */
function validateNext(raw: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    decoded = raw;
  }
  if (!decoded.startsWith('/') || decoded.startsWith('//')) return '';
  if (['/login', '/auth/', '/api/auth/'].some((p) => decoded.startsWith(p))) return '';
  if (decoded === '/api' || decoded.startsWith('/api/')) return '';
  return decoded;
}

function clientIp(req: http.IncomingMessage): string {
  const fwd = String(req.headers['x-forwarded-for'] ?? '');
  if (fwd !== '') return fwd.split(',')[0]?.trim() ?? '';
  return req.socket.remoteAddress ?? '';
}

/** §18.1 login: 422 bad body, 429 throttled, 404 unknown/non-password provider, 401 bad credentials, 200 + cookies. */
async function handlePasswordLogin(
  cfg: ServerConfig,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const body = parseLoginBody(await readBody(req), req.headers['content-type']);
  if ('errors' in body) {
    sendJson(res, 422, { detail: body.errors });
    return;
  }
  if (isLoginThrottled(cfg.auth, clientIp(req))) {
    sendJson(res, 429, { detail: 'Too many login attempts. Try again shortly.' });
    return;
  }
  const provider = cfg.auth.providers.find((p) => p.name === body.provider);
  if (!provider || !provider.supportsPassword || !cfg.auth.basic) {
    sendJson(res, 404, { detail: 'Unknown provider' });
    return;
  }
  if (!checkBasicCredentials(cfg.auth.basic, body.username, body.password)) {
    sendJson(res, 401, { detail: 'Invalid credentials' });
    return;
  }
  sendJson(
    res,
    200,
    { ok: true, next: validateNext(body.next) || '/' },
    { 'set-cookie': buildSessionCookies(cfg, req, cfg.auth.basic.username) },
  );
}

export async function handleAuthRoute(
  cfg: ServerConfig,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
): Promise<void> {
  const p = url.pathname;
  if (p === '/auth/password-login' && req.method === 'POST') {
    await handlePasswordLogin(cfg, req, res);
    return;
  }
  if (p === '/auth/logout' && req.method === 'POST') {
    const clear = [ACCESS_COOKIE, REFRESH_COOKIE, PROVIDER_COOKIE].map((n) => buildCookie(n, '""', 0, false));
    res.writeHead(302, { location: '/login', 'set-cookie': clear, 'content-length': 0 });
    res.end();
    return;
  }
  if ((p === '/auth/login' || p === '/auth/callback') && req.method === 'GET') {
    const oauth = cfg.auth.providers.some((x) => !x.supportsPassword);
    sendJson(res, oauth ? 503 : 404, { detail: oauth ? 'Provider unreachable: simulator has no IDP' : 'Not Found' });
    return;
  }
  sendJson(res, 404, { detail: 'Not Found' });
}
