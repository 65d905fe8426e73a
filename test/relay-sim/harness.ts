/** Test helpers for the pairing e2e tests: a guest with Hermes + the relay simulator, codes, raw auth, CLI homes. */
import { copyFile, mkdir, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import type { LinuxHost } from '../hosts/linux-host.js';
import { prepareLinuxHost, type PreparedHost } from '../support/prepare-host.js';
import { runCli, type CliResult } from '../support/cli.js';
import { parseRelayUrl } from '../../src/pair/relay-url.js';
import { authenticate, closeRelaySocket, openRelaySocket, type AuthOutcome } from '../../src/pair/relay-socket.js';
import { installRelaySim, type RelayInstallOptions } from './install.js';

export const HOME_ON_GUEST = '/home/deploy';

export interface RelayHost {
  host: LinuxHost;
  p: PreparedHost;
  exec: (cmd: string, stdin?: Buffer | string) => Promise<{ code: number; stdout: string; stderr: string }>;
  base: RelayInstallOptions;
}

export async function prepareRelayHost(host: LinuxHost, withRelay = true): Promise<RelayHost> {
  const p = await prepareLinuxHost(host, { generation: 'G3' });
  const exec = (cmd: string, stdin?: Buffer | string): ReturnType<RelayHost['exec']> =>
    host.ssh(cmd, stdin === undefined ? {} : { stdin: stdin.toString() });
  // The contract's own rate limits (§18.7) are in force: a mint clears them, and tests that need a block earn it.
  const base: RelayInstallOptions = { home: HOME_ON_GUEST, lanIp: host.ip, tailnetIp: host.tailnetIp };
  if (withRelay) await installRelaySim(exec, base);
  return { host, p, exec, base };
}

/**
 * Mints a code on the guest the way a user would (`hermes pair --no-qr` in a shell there) and reads the text block
 * with its own regexes (independent of the product's parser).
 */
export async function mintOnGuest(
  r: RelayHost,
  args = '',
): Promise<{ code: string; payload: Record<string, unknown>; stdout: string }> {
  const out = await r.exec(`~/.local/bin/hermes pair --no-qr ${args}`);
  if (out.code !== 0) throw new Error(`hermes pair failed (${out.code}): ${out.stderr}`);
  const code = /^ {2}Code : ([A-Z0-9]{6}) /m.exec(out.stdout)?.[1];
  const invite = /^ {2}URL {2}: hermes-relay:\/\/pair\?payload=([A-Za-z0-9_-]+)$/m.exec(out.stdout)?.[1];
  if (!code || !invite) throw new Error(`hermes pair printed no code/invite: ${out.stdout}`);
  return {
    code,
    payload: JSON.parse(Buffer.from(invite, 'base64url').toString('utf8')) as Record<string, unknown>,
    stdout: out.stdout,
  };
}

/** A fresh HOME for the CLI with the guest's host key (so pairings of one test don't see another's). */
export async function freshCliHome(r: RelayHost): Promise<string> {
  const home = await mkdtemp('/var/tmp/hs-pair-home-');
  await mkdir(join(home, '.ssh'), { mode: 0o700 });
  await copyFile(join(r.p.cliHome, '.ssh', 'known_hosts'), join(home, '.ssh', 'known_hosts'));
  return home;
}

export function pairCli(r: RelayHost, home: string, extra: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const [target, ...conn] = r.p.args;
  return runCli(['pair', target!, ...extra, ...conn], { HOME: home, ...env }, { timeoutMs: 60_000 });
}

/** One WS auth straight to a relay URL from this machine (no CLI). */
export async function rawAuth(url: string, payload: Record<string, unknown>): Promise<AuthOutcome> {
  const opened = await openRelaySocket(parseRelayUrl(url), 4000);
  if (!opened.ok) return { ok: false, reason: `${opened.kind}: ${opened.detail}` };
  try {
    return await authenticate(opened.socket, payload);
  } finally {
    closeRelaySocket(opened.socket);
  }
}

export function sessionsFile(home: string): string {
  return join(home, '.hermes', 'remote-sessions.json');
}
