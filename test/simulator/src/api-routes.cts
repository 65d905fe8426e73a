/** `/api/*` routes after authentication (§7.1, §7.4, §9). */
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { TICKET_TTL_SECONDS, issueTicket } from './auth.cjs';
import { resolveVersion } from './builds.cjs';
import { isServeEra, omitsGatedStatusFields } from './generations.cjs';
import { isLoopbackHost } from './guards.cjs';
import { getSession } from './http-app.cjs';
import { parseJsonObject, readBody, sendJson } from './http-util.cjs';
import type { ServerConfig } from './server-config.cjs';

export function buildStatus(cfg: ServerConfig): Record<string, unknown> {
  const status: Record<string, unknown> = {
    version: resolveVersion(cfg.build, cfg.installDir),
    release_date: cfg.build.releaseDate,
    config_version: cfg.build.configVersion,
    latest_config_version: cfg.build.configVersion,
    can_update_hermes: true,
    gateway_running: false,
    gateway_state: 'stopped',
    gateway_platforms: {},
    gateway_exit_reason: null,
    gateway_updated_at: null,
    active_agents: 0,
    gateway_busy: false,
    gateway_drainable: false,
    restart_drain_timeout: 0,
    active_sessions: 0,
    auth_required: cfg.gated,
    auth_providers: cfg.gated ? cfg.auth.providers.map((p) => p.name) : [],
  };
  if (!cfg.gated || !omitsGatedStatusFields(cfg.generation)) {
    Object.assign(status, {
      hermes_home: cfg.hermesHome,
      config_path: path.join(cfg.hermesHome, 'config.yaml'),
      env_path: path.join(cfg.hermesHome, '.env'),
      gateway_pid: null,
      gateway_health_url: process.env['GATEWAY_HEALTH_URL'] ?? null,
    });
  }
  if (isServeEra(cfg.generation)) {
    const native = !cfg.gated && isLoopbackHost(cfg.bindHost);
    status['native_loopback_auth'] = native;
    if (native) status['session_token'] = cfg.token;
  }
  return status;
}

/** PUT /api/env: rewrites one key in ~/.hermes/.env; the live token is not rotated (§4.2). */
async function handlePutEnv(cfg: ServerConfig, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const body = parseJsonObject(await readBody(req));
  const key = body['key'];
  const value = body['value'] ?? '';
  if (!key || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
    sendJson(res, 400, { detail: 'Invalid key' });
    return;
  }
  const file = path.join(cfg.hermesHome, '.env');
  let lines: string[] = [];
  try {
    lines = fs.readFileSync(file, 'utf8').split('\n');
  } catch {
    /* new file */
  }
  const re = new RegExp(`^\\s*(export\\s+)?${key}\\s*=`);
  const kept = lines.filter((l) => !re.test(l) && l !== '');
  kept.push(`${key}=${/[#"'\s]/.test(value) ? JSON.stringify(value) : value}`);
  fs.mkdirSync(cfg.hermesHome, { recursive: true });
  fs.writeFileSync(file, kept.join('\n') + '\n', { mode: 0o600 });
  sendJson(res, 200, { ok: true, key });
}

/** §18.1 / routes.py: providers list (503 when none), identity, ws-ticket `{ticket, ttl_seconds}`. */
function handleAuthApi(cfg: ServerConfig, req: http.IncomingMessage, res: http.ServerResponse, p: string): boolean {
  if (p === '/api/auth/providers') {
    if (cfg.auth.providers.length === 0) {
      sendJson(res, 503, { detail: 'no auth providers registered' });
      return true;
    }
    sendJson(res, 200, {
      providers: cfg.auth.providers.map((x) => ({
        name: x.name,
        display_name: x.displayName,
        supports_password: x.supportsPassword,
      })),
    });
    return true;
  }
  if (!cfg.gated) return false;
  const session = getSession(cfg, req, res);
  if (p === '/api/auth/me' && session) {
    sendJson(res, 200, {
      user_id: session.user,
      email: '',
      display_name: session.user,
      org_id: '',
      provider: 'basic',
      expires_at: session.exp,
    });
    return true;
  }
  if (p === '/api/auth/ws-ticket' && req.method === 'POST') {
    sendJson(res, 200, { ticket: issueTicket(cfg.auth), ttl_seconds: TICKET_TTL_SECONDS });
    return true;
  }
  return false;
}

export async function handleApiRoute(
  cfg: ServerConfig,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
): Promise<void> {
  const p = url.pathname;
  const get = req.method === 'GET' || req.method === 'HEAD';
  if (p === '/api/status' && get) {
    sendJson(res, 200, buildStatus(cfg));
    return;
  }
  if (p.startsWith('/api/auth/') && handleAuthApi(cfg, req, res, p)) return;
  if (p === '/api/env' && req.method === 'PUT') {
    await handlePutEnv(cfg, req, res);
    return;
  }
  if (p === '/api/env' && get) {
    sendJson(res, 200, { env_path: path.join(cfg.hermesHome, '.env') });
    return;
  }
  if (p === '/api/config' && get) {
    sendJson(res, 200, {});
    return;
  }
  if ((p === '/api/config/defaults' || p === '/api/config/schema') && get) {
    sendJson(res, 200, {});
    return;
  }
  if (p === '/api/model/info' && get) {
    sendJson(res, 200, { model: null, provider: null });
    return;
  }
  if (p === '/api/dashboard/themes' && get) {
    sendJson(res, 200, { themes: [] });
    return;
  }
  if (p === '/api/dashboard/plugins' && get) {
    sendJson(res, 200, { plugins: [] });
    return;
  }
  if (p === '/api/cron/fire' && req.method === 'POST') {
    sendJson(res, 200, { fired: 0 });
    return;
  }
  if (p === '/api/sessions' && get) {
    sendJson(res, 200, { sessions: [] });
    return;
  }
  if (p === '/api/files/download') {
    sendJson(res, 404, { detail: 'File not found' });
    return;
  }
  if (p.startsWith('/api/plugins/')) {
    sendJson(res, 404, { detail: 'Plugin not found' });
    return;
  }
  sendJson(res, 404, { detail: `No such API endpoint: ${p}` });
}
