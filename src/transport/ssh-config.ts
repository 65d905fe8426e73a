// Resolves a parsed target against ~/.ssh/config (HostName, User, Port, IdentityFile, Host patterns).
// Parsing uses the maintained `ssh-config` package; this module only applies precedence and expansion.
import SSHConfig from 'ssh-config';
import { usageError } from '../errors.js';
import { parsePort, type ParsedTarget } from './target.js';

export interface ResolvedTarget {
  /** What the user typed (or the alias). */
  label: string;
  /** Name used for known_hosts (HostName if set, else the host typed). */
  host: string;
  port: number;
  user: string;
  identityFiles: string[];
  /** True when the alias matched a non-wildcard Host entry in ~/.ssh/config. */
  fromConfig: boolean;
}

export interface ResolveContext {
  /** Contents of ~/.ssh/config, or undefined if there is none. */
  configText?: string;
  localUser: string;
  home: string;
}

const UNSUPPORTED = ['ProxyJump', 'ProxyCommand'] as const;

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function all(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

export function expandTokens(
  path: string,
  t: { home: string; localUser: string; host: string; user: string; port: number },
): string {
  let p = path.replace(/^~(?=\/|$)/, t.home);
  p = p.replace(/%([%dhurp])/g, (_m, c: string) => {
    switch (c) {
      case '%':
        return '%';
      case 'd':
        return t.home;
      case 'h':
        return t.host;
      case 'u':
        return t.localUser;
      case 'r':
        return t.user;
      default:
        return String(t.port);
    }
  });
  return p;
}

export function parseSshConfig(text: string, path = '~/.ssh/config'): SSHConfig {
  try {
    return SSHConfig.parse(text);
  } catch (err) {
    throw usageError(
      'E_SSH_CONFIG',
      `cannot parse ${path}: ${(err as Error).message.split('\n')[0]}`,
      `fix the syntax of ${path} (try: ssh -G <host>)`,
    );
  }
}

function hasExactHost(config: SSHConfig, host: string): boolean {
  return config.some(
    (line) =>
      'param' in line &&
      /^host$/i.test(line.param) &&
      all(typeof line.value === 'string' ? line.value.split(/\s+/) : line.value.map((v) => v.val)).some(
        (h) => h === host,
      ),
  );
}

export function resolveTarget(target: ParsedTarget, ctx: ResolveContext): ResolvedTarget {
  const config = ctx.configText === undefined ? undefined : parseSshConfig(ctx.configText);
  const computed = config ? config.compute(target.host) : {};
  for (const key of UNSUPPORTED) {
    const v = first(computed[key]);
    if (v !== undefined && v.toLowerCase() !== 'none') {
      throw usageError(
        'E_SSH_CONFIG_UNSUPPORTED',
        `${key} (${v}) in ~/.ssh/config for "${target.host}" is not supported`,
        `connect to the final host directly (e.g. over Tailscale), or set "${key} none" for it`,
      );
    }
  }
  const host = first(computed.HostName) ?? target.host;
  const portText = first(computed.Port);
  const port =
    target.port ?? (portText === undefined ? 22 : parsePort(`${target.host} (Port in ~/.ssh/config)`, portText));
  const user = target.user ?? first(computed.User) ?? ctx.localUser;
  const expandedHost = host.replace(/%h/g, target.host);
  const tokens = { home: ctx.home, localUser: ctx.localUser, host: expandedHost, user, port };
  const identityFiles = all(computed.IdentityFile).map((p) => expandTokens(p.replace(/^"|"$/g, ''), tokens));
  return {
    label: target.raw,
    host: expandedHost,
    port,
    user,
    identityFiles,
    fromConfig: config ? hasExactHost(config, target.host) : false,
  };
}
