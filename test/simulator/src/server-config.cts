/** Resolves bind, gate, token and feature switches for one server start (§2–§6, §18). */
import crypto from 'node:crypto';
import type { ParsedArgs } from './args.cjs';
import { type AuthState, createAuthState } from './auth.cjs';
import { type BuildInfo, envKey } from './builds.cjs';
import { type ConfigMap, getIn } from './config-yaml.cjs';
import { type Generation, hasFailClosedBind, isServeEra } from './generations.cjs';
import { isLoopbackHost } from './guards.cjs';

export interface ServerConfig {
  generation: Generation;
  build: BuildInfo;
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
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** §3: `HERMES_DASHBOARD_PUBLIC_URL`, else `dashboard.public_url` in config.yaml. */
function resolvePublicHostname(build: BuildInfo, env: NodeJS.ProcessEnv, cfg: ConfigMap): string | null {
  const fromCfg = getIn(cfg, 'dashboard', 'public_url');
  const raw = env[envKey(build, 'DASHBOARD_PUBLIC_URL')] || (typeof fromCfg === 'string' ? fromCfg : '');
  if (!raw) return null;
  try {
    return new URL(raw).hostname.replace(/^\[|\]$/g, '').toLowerCase() || null;
  } catch {
    return null;
  }
}

/** §6.3; with the reason a configured basic provider did not register (§18.1 skip reason / plugins.disabled hint). */
export function getRefusalMessage(host: string, gen: Generation, note: string | null): string {
  const head = `Refusing to bind dashboard to ${host} — the auth gate engages on non-loopback binds, but no auth providers are registered.`;
  const mid = note
    ? ` ${note[0]?.toUpperCase()}${note.slice(1)}.`
    : ' Configure one (for example HERMES_DASHBOARD_BASIC_AUTH_USERNAME and HERMES_DASHBOARD_BASIC_AUTH_PASSWORD_HASH in ~/.hermes/.env).';
  const tail = hasFailClosedBind(gen)
    ? ' There is no unauthenticated public-bind option — to keep it local, bind 127.0.0.1 and tunnel in (SSH / Tailscale).'
    : ' Or pass --insecure to disable the gate (DANGEROUS).';
  return head + mid + tail;
}

function computeGate(
  gen: Generation,
  args: ParsedArgs,
  host: string,
  publicHost: string | null,
  desktopOwned: boolean,
): boolean {
  const publicBind = !isLoopbackHost(host);
  if (!hasFailClosedBind(gen)) return publicBind && args['insecure'] !== true;
  if (publicBind) return true;
  return isServeEra(gen) && publicHost !== null && !isLoopbackHost(publicHost) && !desktopOwned;
}

export interface ConfigInputs {
  build: BuildInfo;
  command: 'dashboard' | 'serve';
  args: ParsedArgs;
  env: NodeJS.ProcessEnv;
  config: ConfigMap;
  dirs: { hermesHome: string; installDir: string };
  sshToken: string | null;
}

export function resolveServerConfig(i: ConfigInputs): ServerConfig {
  const { build, args, env } = i;
  const gen = build.generation;
  const bindHost = typeof args['host'] === 'string' ? args['host'] : '127.0.0.1';
  const port = typeof args['port'] === 'number' ? args['port'] : 9119;
  const auth = createAuthState(build, env, i.config);
  const desktopOwned = typeof args['ssh_owner_nonce'] === 'string';
  const publicHostname = isServeEra(gen) ? resolvePublicHostname(build, env, i.config) : null;
  const gated = computeGate(gen, args, bindHost, publicHostname, desktopOwned);
  if (gated && !isLoopbackHost(bindHost) && auth.providers.length === 0) {
    throw new StartupExit(1, getRefusalMessage(bindHost, gen, auth.basicNote));
  }
  const pinned = env[envKey(build, 'DASHBOARD_SESSION_TOKEN')];
  const token = i.sshToken ?? (pinned && pinned !== '' ? pinned : crypto.randomBytes(32).toString('base64url'));
  // §1.1 / §18.3: before 06-04 chat needs --tui or HERMES_DASHBOARD_TUI=1; from 06-04 it is always on.
  const tuiEnv = env[envKey(build, 'DASHBOARD_TUI')] === '1';
  return {
    generation: gen,
    build,
    command: i.command,
    headless: isServeEra(gen) && i.command === 'serve',
    bindHost,
    port,
    gated,
    token,
    auth,
    publicHostname,
    chatEnabled: !build.chatNeedsTui || args['tui'] === true || tuiEnv,
    desktopOwned,
    ...i.dirs,
  };
}
