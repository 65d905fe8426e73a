/** HTTP request pipeline: Host guard → CORS → auth → routes (§7). */
import type http from 'node:http';
import { ACCESS_COOKIE, REFRESH_COOKIE, type SessionInfo, parseCookies, verifySessionValue } from './auth.cjs';
import { buildSessionCookies, handleAuthRoute } from './auth-routes.cjs';
import { safeEqual } from './basic-provider.cjs';
import { handleApiRoute } from './api-routes.cjs';
import { getHostErrorDetail, isHostHeaderAllowed } from './guards.cjs';
import { getWebDistDir, renderHeadlessRoot, renderLoginPage, renderSpaIndex } from './html-pages.cjs';
import { applyCors, sendHtml, sendJson, sendRedirect } from './http-util.cjs';
import type { ServerConfig } from './server-config.cjs';

export const PUBLIC_API_PATHS = new Set([
  '/api/status',
  '/api/config/defaults',
  '/api/config/schema',
  '/api/model/info',
  '/api/dashboard/themes',
  '/api/dashboard/plugins',
  '/api/cron/fire',
]);

const HEADLESS_404 =
  'Headless backend (hermes serve): web UI disabled. Use Hermes Desktop or run `hermes dashboard` for the web UI.';

function isPublicApi(cfg: ServerConfig, path: string): boolean {
  if (PUBLIC_API_PATHS.has(path) || path.startsWith('/api/mcp/oauth/callback/')) return true;
  return cfg.gated && path === '/api/auth/providers';
}

function checkTokenAuth(cfg: ServerConfig, req: http.IncomingMessage, url: URL): boolean {
  const header = req.headers['x-hermes-session-token'];
  if (typeof header === 'string' && safeEqual(header, cfg.token)) return true;
  const authz = req.headers.authorization ?? '';
  if (/^Bearer /i.test(authz) && safeEqual(authz.slice(7).trim(), cfg.token)) return true;
  const q = url.searchParams.get('token');
  return url.pathname === '/api/files/download' && q !== null && safeEqual(q, cfg.token);
}

/** Gated: cookie session; an expired access cookie with a live refresh cookie is rotated server-side. */
function checkCookieAuth(
  cfg: ServerConfig,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): SessionInfo | { error: string } {
  const cookies = parseCookies(req.headers.cookie);
  const at = verifySessionValue(cfg.auth, 'at', cookies[ACCESS_COOKIE]);
  if (at !== null && at !== 'expired') return at;
  const rt = verifySessionValue(cfg.auth, 'rt', cookies[REFRESH_COOKIE]);
  if (rt !== null && rt !== 'expired') {
    res.setHeader('set-cookie', buildSessionCookies(cfg, req, rt.user));
    return { user: rt.user, exp: Math.floor(Date.now() / 1000) + cfg.auth.accessTtl };
  }
  return { error: at === 'expired' || rt === 'expired' ? 'session_expired' : 'unauthenticated' };
}

export function getSession(cfg: ServerConfig, req: http.IncomingMessage, res: http.ServerResponse): SessionInfo | null {
  const r = checkCookieAuth(cfg, req, res);
  return 'user' in r ? r : null;
}

function sendGated401(res: http.ServerResponse, url: URL, error: string): void {
  const next = encodeURIComponent(url.pathname + url.search);
  sendJson(res, 401, {
    error,
    detail: 'Unauthorized',
    reason: error === 'session_expired' ? 'Session expired; sign in again.' : 'Sign in required.',
    login_url: `/login?next=${next}`,
  });
}

function authorizeApi(cfg: ServerConfig, req: http.IncomingMessage, res: http.ServerResponse, url: URL): boolean {
  if (isPublicApi(cfg, url.pathname)) return true;
  if (!cfg.gated) {
    if (checkTokenAuth(cfg, req, url)) return true;
    sendJson(res, 401, { detail: 'Unauthorized' });
    return false;
  }
  const r = checkCookieAuth(cfg, req, res);
  if ('user' in r) return true;
  sendGated401(res, url, r.error);
  return false;
}

function handlePage(cfg: ServerConfig, req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
  if (cfg.gated && url.pathname === '/login') {
    sendHtml(res, 200, renderLoginPage());
    return;
  }
  if (cfg.headless) {
    if (url.pathname === '/' && !cfg.gated && req.method === 'GET') sendHtml(res, 200, renderHeadlessRoot(cfg.token));
    else sendJson(res, 404, { error: HEADLESS_404 });
    return;
  }
  if (cfg.gated && getSession(cfg, req, res) === null) {
    sendRedirect(res, `/login?next=${encodeURIComponent(url.pathname + url.search)}`);
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendJson(res, 405, { detail: 'Method Not Allowed' });
    return;
  }
  const dist = getWebDistDir(cfg.installDir, process.env);
  sendHtml(res, 200, renderSpaIndex(dist, cfg.gated ? null : cfg.token));
}

export function createRequestHandler(cfg: ServerConfig): http.RequestListener {
  return (req, res) => {
    void routeRequest(cfg, req, res).catch((err: unknown) => {
      process.stderr.write(`ERROR:    Exception in ASGI application: ${String(err)}\n`);
      if (!res.headersSent) sendJson(res, 500, { detail: 'Internal Server Error' });
      else res.destroy();
    });
  };
}

async function routeRequest(cfg: ServerConfig, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (!isHostHeaderAllowed(cfg, req.headers.host)) {
    sendJson(res, 400, { detail: getHostErrorDetail(cfg.generation) });
    return;
  }
  const url = new URL(req.url ?? '/', 'http://placeholder');
  const corsOk = applyCors(req, res);
  if (req.method === 'OPTIONS' && corsOk) {
    res.writeHead(200, {
      'access-control-allow-methods': 'GET, POST, PUT, DELETE, OPTIONS',
      'access-control-allow-headers': '*',
      'content-length': 0,
    });
    res.end();
    return;
  }
  if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
    if (!authorizeApi(cfg, req, res, url)) return;
    await handleApiRoute(cfg, req, res, url);
    return;
  }
  if (url.pathname.startsWith('/auth/') && cfg.gated) {
    await handleAuthRoute(cfg, req, res, url);
    return;
  }
  handlePage(cfg, req, res, url);
}
