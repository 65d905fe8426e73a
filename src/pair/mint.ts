// Minting a code on the host over SSH: `hermes pair --json` (the hermes-relay plugin, hermes-behaviour.md §16.1).
// Without the plugin, `hermes pair` is an unknown argparse choice (exit 2, "invalid choice: 'pair'").
import { stepError } from '../errors.js';
import type { Remote } from '../transport/remote.js';
import { quote } from '../transport/shell.js';
import { type PairInvite, parseCodeExpiry, parseInvite } from './invite.js';
import { mintFailed, pluginMissing } from './pair-errors.js';

export const HERMES_CANDIDATES = ['~/.local/bin/hermes', '/usr/local/bin/hermes', '~/.hermes/hermes-agent/venv/bin/hermes'];

export interface MintOptions {
  mode: 'auto' | 'lan' | 'tailscale' | 'public';
  publicUrl?: string;
  ttlSeconds?: number;
}

export function mintArgs(o: MintOptions): string[] {
  return ['pair', '--json', '--mode', o.mode, ...(o.publicUrl ? ['--public-url', o.publicUrl] : []),
    ...(o.ttlSeconds !== undefined ? ['--ttl', String(o.ttlSeconds)] : [])];
}

/** True when the output is argparse refusing the `pair` subcommand itself. */
export function isMissingPlugin(code: number, stderr: string): boolean {
  return code === 2 && /invalid choice: '?pair'?/.test(stderr);
}

export async function mintOnHost(remote: Remote, o: MintOptions): Promise<PairInvite> {
  const hermes = await remote.which('hermes', HERMES_CANDIDATES);
  if (!hermes) {
    throw stepError('E_HERMES_MISSING', `hermes is not installed on ${remote.label}`, 'install Hermes on the host first (hermes-setup remote <target>)');
  }
  const mintedAt = Math.floor(Date.now() / 1000);
  const r = await remote.exec([hermes.path, ...mintArgs(o)].map(quote).join(' '), { timeoutMs: 30_000 });
  if (isMissingPlugin(r.code, r.stderr)) throw pluginMissing(remote.label);
  const detail = (r.stderr.trim().split('\n').pop() ?? '') || `exit ${r.code}`;
  if (r.code !== 0) throw mintFailed(remote.label, detail);
  const invite = parseInvite(r.stdout);
  if (!invite) throw mintFailed(remote.label, `no pairing payload in its output (${r.stdout.trim().slice(0, 80) || 'empty'})`);
  const expiresAt = invite.codeExpiresAt ?? parseCodeExpiry(r.stderr) ?? mintedAt + 600;
  return { ...invite, codeExpiresAt: expiresAt };
}
