// Minting a code on the host over SSH with the real `hermes pair` (the hermes-relay plugin;
// docs/hermes-contract.md#c16): `--no-qr` and only flags it has (`--mode`, `--public-url`, `--ttl`; there is no `--json`), then the code and
// invite are read from its text. When it mints nothing (a TLS relay, or no code in its text), a loopback
// `POST /pairing/mint` over the same SSH connection (./mint-http.ts). Without the plugin, `hermes pair` is an unknown
// argparse choice (exit 2, "invalid choice: 'pair'").
import { stepError } from '../errors.js';
import type { Remote } from '../transport/remote.js';
import { quote } from '../transport/shell.js';
import { type PairInvite, parseInvite } from './invite.js';
import { mintOverLoopback } from './mint-http.js';
import { type MintText, parseMintText } from './mint-text.js';
import { mintFailed, pluginMissing, relayNotRunning } from './pair-errors.js';
import { RELAY_PORT } from './relay-url.js';

export const HERMES_CANDIDATES = [
  '~/.local/bin/hermes',
  '/usr/local/bin/hermes',
  '~/.hermes/hermes-agent/venv/bin/hermes',
];

/** Codes live 600 s (§16.1 `_PAIRING_CODE_TTL`); `hermes pair` prints no machine-readable expiry (§18.7). */
const CODE_TTL_S = 600;

export interface MintOptions {
  mode: 'auto' | 'lan' | 'tailscale' | 'public';
  publicUrl?: string;
  /** Seconds (0 = never). `hermes pair --ttl` takes plain seconds (pair.py `parse_duration`). */
  ttlSeconds?: number;
}

export interface Minted {
  invite: PairInvite;
  via: 'hermes pair' | 'loopback mint';
  note?: string;
}

export function mintArgs(o: MintOptions): string[] {
  return [
    'pair',
    '--no-qr',
    ...(o.mode !== 'auto' ? ['--mode', o.mode] : []),
    ...(o.publicUrl ? ['--public-url', o.publicUrl] : []),
    ...(o.ttlSeconds !== undefined ? ['--ttl', String(o.ttlSeconds)] : []),
  ];
}

/** True when the output is argparse refusing the `pair` subcommand itself. */
export function isMissingPlugin(code: number, stderr: string): boolean {
  return code === 2 && /invalid choice: '?pair'?/.test(stderr);
}

/** The invite from the text: the hermes-relay:// payload, else the printed code + relay URL as one route. */
export function inviteFromText(t: MintText, mintedAt: number): PairInvite | undefined {
  if (!t.code) return undefined;
  const expiresAt = mintedAt + (t.codeTtlSeconds ?? CODE_TTL_S);
  const fromPayload = t.inviteUrl ? parseInvite(t.inviteUrl, expiresAt) : undefined;
  if (fromPayload) return { ...fromPayload, code: t.code };
  if (!t.relayUrl) return undefined;
  return parseInvite({ relay: { url: t.relayUrl, code: t.code } }, expiresAt);
}

async function mintOverSsh(remote: Remote, o: MintOptions, port: number): Promise<Minted> {
  const body = { ...(o.ttlSeconds !== undefined ? { ttl_seconds: o.ttlSeconds } : {}) };
  const r = await mintOverLoopback((h, p) => remote.dial(h, p), port, body);
  if ('kind' in r)
    throw r.kind === 'refused' ? relayNotRunning(remote.label, port) : mintFailed(remote.label, r.detail);
  const invite = parseInvite(
    r.body,
    typeof r.body['expires_at'] === 'number' ? r.body['expires_at'] : Math.floor(Date.now() / 1000) + CODE_TTL_S,
  );
  if (!invite) throw mintFailed(remote.label, "the relay's /pairing/mint answer holds no code or route");
  return {
    invite,
    via: 'loopback mint',
    note: `\`hermes pair\` minted no code; minted over the SSH connection with a loopback POST /pairing/mint (${r.tls ? 'https: a TLS relay' : 'http'})`,
  };
}

export async function mintOnHost(remote: Remote, o: MintOptions): Promise<Minted> {
  const hermes = await remote.which('hermes', HERMES_CANDIDATES);
  if (!hermes)
    throw stepError(
      'E_HERMES_MISSING',
      `hermes is not installed on ${remote.label}`,
      'install Hermes on the host first (hermes-setup remote <target>)',
    );
  const mintedAt = Math.floor(Date.now() / 1000);
  const r = await remote.exec([hermes.path, ...mintArgs(o)].map(quote).join(' '), { timeoutMs: 30_000 });
  if (isMissingPlugin(r.code, r.stderr)) throw pluginMissing(remote.label);
  if (r.code !== 0)
    throw mintFailed(
      remote.label,
      `\`hermes pair\` exited ${r.code}: ${(r.stderr.trim().split('\n').pop() ?? '') || 'no message'}`,
    );
  const text = parseMintText(r.stdout);
  const invite = inviteFromText(text, mintedAt);
  if (invite) return { invite, via: 'hermes pair' };
  return mintOverSsh(remote, o, text.relayNotRunning?.port ?? RELAY_PORT);
}
