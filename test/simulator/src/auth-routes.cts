/** Gated-mode `/auth/*` routes (§9). Login body format is an assumption (README). */
import type http from 'node:http';
import { ACCESS_COOKIE, REFRESH_COOKIE, checkBasicLogin, mintSessionValue } from './auth.cjs';
import { parseFormOrJson, readBody, sendJson } from './http-util.cjs';
import type { ServerConfig } from './server-config.cjs';

function buildCookie(name: string, value: string, maxAge: number): string {
  return `${name}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}`;
}

async function handlePasswordLogin(cfg: ServerConfig, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (!cfg.auth.basic) { sendJson(res, 404, { detail: 'Password login is not enabled' }); return; }
  const body = parseFormOrJson(await readBody(req), req.headers['content-type']);
  const provider = body['provider'];
  if (provider !== undefined && provider !== 'basic') { sendJson(res, 400, { detail: `Unknown provider: ${provider}` }); return; }
  const username = body['username'] ?? '';
  const password = body['password'] ?? '';
  if (!checkBasicLogin(cfg.auth, username, password)) {
    sendJson(res, 401, { error: 'invalid_credentials', detail: 'Invalid username or password' });
    return;
  }
  const at = mintSessionValue(cfg.auth, 'at', username);
  const rt = mintSessionValue(cfg.auth, 'rt', username);
  const next = body['next'] && body['next'].startsWith('/') ? body['next'] : '/';
  sendJson(res, 200, { ok: true, user: { username, provider: 'basic' }, next }, {
    'set-cookie': [buildCookie(ACCESS_COOKIE, at, cfg.auth.accessTtl), buildCookie(REFRESH_COOKIE, rt, cfg.auth.refreshTtl)],
  });
}

export async function handleAuthRoute(cfg: ServerConfig, req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
  const p = url.pathname;
  if (p === '/auth/password-login' && req.method === 'POST') { await handlePasswordLogin(cfg, req, res); return; }
  if (p === '/auth/logout' && req.method === 'POST') {
    sendJson(res, 200, { ok: true }, { 'set-cookie': [buildCookie(ACCESS_COOKIE, '', 0), buildCookie(REFRESH_COOKIE, '', 0)] });
    return;
  }
  if ((p === '/auth/login' || p === '/auth/callback') && req.method === 'GET') {
    const oauth = cfg.auth.providers.some((x) => x === 'nous' || x === 'oidc');
    sendJson(res, oauth ? 503 : 404, { detail: oauth ? 'Auth provider unreachable' : 'Not Found' });
    return;
  }
  sendJson(res, 404, { detail: 'Not Found' });
}
