// The `pair` and `devices` commands' one call each: reach the target (SSH for minting; only its host name for a
// hand-given code or the /sessions API), run, and the lines to print. src/commands/{pair,devices}.ts only parse flags.
import { usageError } from '../errors.js';
import { count } from '../output.js';
import type { ConnectOptions } from '../transport/connect.js';
import type { DeviceTarget } from './devices.js';
import type { MintOptions } from './mint.js';
import { handCodeOptions } from './pair-errors.js';
import { type PairResult, runPair } from './run-pair.js';

export interface PairCommandInput {
  target?: string;
  code?: string;
  relayUrl?: string;
  mint: MintOptions;
  preferSecure: boolean;
  connect: ConnectOptions;
  log: (line: string) => void;
}

export async function pairCommand(i: PairCommandInput): Promise<PairResult> {
  if (i.mint.publicUrl && i.mint.mode !== 'public' && i.mint.mode !== 'auto')
    throw usageError(
      'E_USAGE',
      `--public-url goes with --mode public or auto, not --mode ${i.mint.mode}`,
      'drop one of them',
    );
  if (i.mint.mode === 'public' && !i.mint.publicUrl)
    throw usageError('E_USAGE', '--mode public needs --public-url', 'add --public-url https://relay.example.com');
  const { connectTarget, resolveTargetString } = await import('../transport/connect.js');
  const base = {
    mint: i.mint,
    preferSecure: i.preferSecure,
    log: i.log,
    ...(i.relayUrl ? { relayUrl: i.relayUrl } : {}),
  };
  if (i.code !== undefined) {
    if (i.mint.mode !== 'auto' || i.mint.publicUrl || i.mint.ttlSeconds !== undefined) throw handCodeOptions();
    if (!i.target && !i.relayUrl)
      throw usageError('E_USAGE', 'no target given', 'pass user@host (or --relay-url ws://host:8767)');
    const host = i.target ? (await resolveTargetString(i.target, i.connect)).host : '';
    return runPair({ ...base, targetHost: host, code: i.code });
  }
  const remote = await connectTarget(i.target, i.connect);
  try {
    return await runPair({ ...base, remote, targetHost: '' });
  } finally {
    await remote.close();
  }
}

export function renderPairResult(r: PairResult, check: (s: string) => string): string[] {
  const expiry =
    r.expiresAt === null
      ? 'never expires'
      : `expires ${new Date(r.expiresAt * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')}`;
  const lines = [
    `${check('✔')} Connected via ${r.route}: ${r.url}`,
    `  session ${r.tokenPrefix}… stored in ${r.sessionsFile} (${expiry})`,
  ];
  if (r.hostAccess === 'create' || r.hostAccess === 'add')
    lines.push('  host access policy for the desktop client: ask every time (~/.hermes/desktop-host-access.json)');
  return lines;
}

/** Which stored relay `devices` talks to: the target's host name (no SSH), or --relay-url. */
export async function deviceTarget(
  target: string | undefined,
  o: { relayUrl?: string; sshConfig?: string },
): Promise<DeviceTarget> {
  const { resolveTargetString } = await import('../transport/connect.js');
  const host = target
    ? (await resolveTargetString(target, { ...(o.sshConfig ? { sshConfig: o.sshConfig } : {}) })).host
    : undefined;
  return { ...(host ? { host } : {}), ...(o.relayUrl ? { relayUrl: o.relayUrl } : {}) };
}

function when(epoch: unknown): string {
  return typeof epoch === 'number'
    ? new Date(epoch * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')
    : epoch === null
      ? 'never'
      : '-';
}

export function renderDeviceList(
  sessions: Array<Record<string, unknown>>,
  via: string,
  c: { dim: (s: string) => string; green: (s: string) => string },
): string[] {
  const lines = [
    `${count(sessions.length, 'paired device')} on ${via}`,
    c.dim('PREFIX    DEVICE                          LAST SEEN             EXPIRES'),
  ];
  for (const s of sessions) {
    const name = (typeof s['device_name'] === 'string' ? s['device_name'] : '-').slice(0, 30).padEnd(30);
    const mark = s['is_current'] === true ? c.green(' (this machine)') : '';
    lines.push(
      `${String(s['token_prefix']).padEnd(8)}  ${name}  ${when(s['last_seen']).padEnd(20)}  ${when(s['expires_at'])}${mark}`,
    );
  }
  return lines;
}

export function renderExpiry(prefix: string, expiresAt: number | null | undefined): string {
  return expiresAt === undefined ? `✔ ${prefix}: lifetime changed` : `✔ ${prefix} now expires: ${when(expiresAt)}`;
}
