/** Resolves bind, gate, token and feature switches for one server start (§2–§6). */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ParsedArgs } from './args.cjs';
import { type AuthState, createAuthState } from './auth.cjs';
import { type Generation, hasFailClosedBind, isServeEra, needsTuiForChat } from './generations.cjs';
import { isLoopbackHost } from './guards.cjs';

export interface ServerConfig {
  generation: Generation;
  command: 'dashboard' | 'serve';
  headless: boolean;
  bindHost: string;
  port: number;
  gated: boolean;
  token: string;
  auth: AuthState;
  publicHostname: string | null;
  chatEnabled: boolean;
  desktopOwned: boolean;
  hermesHome: string;
  installDir: string;
}

export class StartupExit extends Error {
  constructor(readonly code: number, message: string) { super(message); }
}

/** Reads `dashboard.public_url` from config.yaml with a line-based scan (no YAML dependency). */
function readConfigPublicUrl(hermesHome: string): string | undefined {
  let text: string;
  try { text = fs.readFileSync(path.join(hermesHome, 'config.yaml'), 'utf8'); } catch { return undefined; }
  let inDashboard = false;
  for (const line of text.split(/\r?\n/)) {
    if (/^\S/.test(line)) inDashboard = /^dashboard:\s*$/.test(line);
    const m = inDashboard ? /^\s+public_url:\s*["']?([^"'#\s]+)["']?/.exec(line) : null;
    if (m) return m[1];
  }
  return undefined;
}

function resolvePublicHostname(env: NodeJS.ProcessEnv, hermesHome: string): string | null {
  const raw = env['HERMES_DASHBOARD_PUBLIC_URL'] || readConfigPublicUrl(hermesHome);
  if (!raw) return null;
  try { return new URL(raw).hostname.replace(/^\[|\]$/g, '').toLowerCase() || null; } catch { return null; }
}

export function getRefusalMessage(host: string, gen: Generation): string {
  const head = `Refusing to bind dashboard to ${host} — the auth gate engages on non-loopback binds, but no auth providers are registered.`;
  const mid = ' Configure one (for example HERMES_DASHBOARD_BASIC_AUTH_USERNAME and HERMES_DASHBOARD_BASIC_AUTH_PASSWORD_HASH in ~/.hermes/.env).';
  const tail = hasFailClosedBind(gen)
    ? ' There is no unauthenticated public-bind option — to keep it local, bind 127.0.0.1 and tunnel in (SSH / Tailscale).'
    : ' Or pass --insecure to disable the gate (DANGEROUS).';
  return head + mid + tail;
}

function computeGate(gen: Generation, args: ParsedArgs, host: string, publicHost: string | null, desktopOwned: boolean): boolean {
  const publicBind = !isLoopbackHost(host);
  if (!hasFailClosedBind(gen)) return publicBind && args['insecure'] !== true;
  if (publicBind) return true;
  return isServeEra(gen) && publicHost !== null && !isLoopbackHost(publicHost) && !desktopOwned;
}

export function resolveServerConfig(gen: Generation, command: 'dashboard' | 'serve', args: ParsedArgs, env: NodeJS.ProcessEnv, dirs: { hermesHome: string; installDir: string }, sshToken: string | null): ServerConfig {
  const bindHost = typeof args['host'] === 'string' ? args['host'] : '127.0.0.1';
  const port = typeof args['port'] === 'number' ? args['port'] : 9119;
  const auth = createAuthState(env);
  const desktopOwned = typeof args['ssh_owner_nonce'] === 'string';
  const publicHostname = isServeEra(gen) ? resolvePublicHostname(env, dirs.hermesHome) : null;
  const gated = computeGate(gen, args, bindHost, publicHostname, desktopOwned);
  if (gated && !isLoopbackHost(bindHost) && auth.providers.length === 0) {
    throw new StartupExit(1, getRefusalMessage(bindHost, gen));
  }
  const pinned = env['HERMES_DASHBOARD_SESSION_TOKEN'];
  const token = sshToken ?? (pinned && pinned !== '' ? pinned : crypto.randomBytes(32).toString('base64url'));
  const tuiEnv = env['HERMES_DASHBOARD_TUI'] === '1';
  return {
    generation: gen,
    command,
    headless: isServeEra(gen) && command === 'serve',
    bindHost,
    port,
    gated,
    token,
    auth,
    publicHostname,
    chatEnabled: !needsTuiForChat(gen) || args['tui'] === true || tuiEnv,
    desktopOwned,
    ...dirs,
  };
}
