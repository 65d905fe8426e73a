// From a target string and CLI options to a connected Remote.
import { readFile } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { usageError } from '../errors.js';
import { startEarly, takeEarlyRemote, type EarlyRead } from './early-start.js';
import type { Remote } from './remote.js';
import { resolveTarget, type ResolvedTarget } from './ssh-config.js';
import { parseTarget } from './target.js';

export interface ConnectOptions {
  local?: boolean;
  identity?: string[];
  acceptNewHostKey?: boolean;
  knownHosts?: string;
  sshConfig?: string;
  connectTimeoutMs?: number;
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw usageError('E_SSH_CONFIG', `cannot read ${path} (${code})`, `fix the permissions of ${path}`);
  }
}

export async function resolveTargetString(target: string, opts: ConnectOptions): Promise<ResolvedTarget> {
  const home = homedir();
  const configText = await readOptional(opts.sshConfig ?? join(home, '.ssh', 'config'));
  return resolveTarget(parseTarget(target), { configText, localUser: userInfo().username, home });
}

/**
 * connectTarget, started now (with an optional first read) for a command that will ask for it: see early-start.ts.
 * Resolves once the TCP connection is being made (SSH's modules loaded, keys read), so that the caller loads its
 * own modules while the handshake and the first read are under way, not before they start.
 */
export function connectEarly<T>(target: string, opts: ConnectOptions, first?: EarlyRead<T>): Promise<void> {
  if (opts.local) return Promise.resolve();
  return new Promise((dialing) => {
    const started = startEarly(earlyKey(target, opts), () => dialTarget(target, opts, dialing), first);
    if (!started) dialing();
    else
      started.then(
        () => dialing(),
        () => dialing(),
      );
  });
}

function earlyKey(target: string, opts: ConnectOptions): string {
  return JSON.stringify([target, opts]);
}

export async function connectTarget(target: string | undefined, opts: ConnectOptions): Promise<Remote> {
  return (target !== undefined ? takeEarlyRemote(earlyKey(target, opts)) : undefined) ?? dialTarget(target, opts);
}

async function dialTarget(target: string | undefined, opts: ConnectOptions, onDial?: () => void): Promise<Remote> {
  if (opts.local) {
    if (target)
      throw usageError('E_USAGE', `both a target (${target}) and --local were given`, 'use either a target or --local');
    const { LocalRemote } = await import('./local-remote.js');
    return new LocalRemote();
  }
  if (!target)
    throw usageError(
      'E_USAGE',
      'no target given',
      'pass user@host (or an ~/.ssh/config alias), or --local for this machine',
    );
  const r = await resolveTargetString(target, opts);
  const home = homedir();
  const { SshRemote } = await import('./ssh-remote.js');
  return SshRemote.connect({
    host: r.host,
    port: r.port,
    user: r.user,
    auth: {
      home,
      explicit: opts.identity,
      fromConfig: r.identityFiles,
      agentSocket: process.env.SSH_AUTH_SOCK || undefined,
    },
    hostKeys: {
      knownHostsPath: opts.knownHosts ?? join(home, '.ssh', 'known_hosts'),
      acceptNew: opts.acceptNewHostKey ?? false,
    },
    connectTimeoutMs: opts.connectTimeoutMs,
    ...(onDial ? { onDial } : {}),
  });
}
