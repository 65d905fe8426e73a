// `hermes-setup pair <target> [code]`: pair this machine with the host's relay (docs/hermes-contract.md#c16)
// natively — mint a code over SSH (or take one by hand), pick a route, authenticate, store the session.
import { Option, type Command } from 'commander';
import { usageError } from '../errors.js';
import { colorsFor, out } from '../output.js';
import { addConnectionOptions, toConnectOptions, type ConnectionFlags } from '../options/connection-options.js';

export interface PairFlags extends ConnectionFlags {
  code?: string;
  mode: 'auto' | 'lan' | 'tailscale' | 'public';
  publicUrl?: string;
  ttl?: string;
  relayUrl?: string;
  preferSecureRoutes: boolean;
  json?: boolean;
}

function parseTtl(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n))
    throw usageError('E_USAGE', `invalid --ttl "${raw}"`, 'give the session lifetime in seconds (0 = never expires)');
  return n;
}

export function registerPair(program: Command): void {
  const cmd = program
    .command('pair')
    .description(
      "pair this machine with the host's Hermes relay: mint a one-time code over SSH, connect, store the session in ~/.hermes/remote-sessions.json",
    )
    .argument('[target]', 'user@host, user@host:port, ssh://user@host:port or an ~/.ssh/config alias')
    .argument('[code]', 'a pairing code you already have (pasted text is cleaned)');
  addPairOptions(cmd);
  addConnectionOptions(cmd).addHelpText(
    'after',
    `
Examples:
  $ hermes-setup pair deploy@mini.lan                 # mint a code on the host and pair
  $ hermes-setup pair mini --mode tailscale           # only over Tailscale; fails if the host has none
  $ hermes-setup pair mini F3W7EY                     # a code from \`hermes pair\` on the host`,
  );
  cmd.action(pairAction);
}

/** The pairing options (the connection options follow: connection-options.ts). */
function addPairOptions(cmd: Command): Command {
  return cmd
    .option('--code <code>', 'a pairing code you already have (same as the second argument)')
    .addOption(
      new Option('--mode <mode>', 'the route to pair over; anything but auto fails when the relay does not offer it')
        .choices(['auto', 'lan', 'tailscale', 'public'])
        .default('auto'),
    )
    .option('--public-url <url>', "the relay's public URL (needed for --mode public)")
    .option('--ttl <seconds>', "session lifetime (0 = never expires; default: the relay's, 30 days)")
    .option('--relay-url <url>', 'with a hand-given code: the relay URL (default ws://<host>:8767)')
    .option(
      '--no-prefer-secure-routes',
      "follow the invite's priority only (default: encrypted routes first, stored as prefer_secure_routes)",
    )
    .option('--json', 'print one JSON document');
}

async function pairAction(target: string | undefined, positional: string | undefined, flags: PairFlags): Promise<void> {
  if (positional !== undefined && flags.code !== undefined)
    throw usageError('E_USAGE', 'a code was given twice (argument and --code)', 'give the code once');
  const ttlSeconds = parseTtl(flags.ttl);
  const { pairCommand, renderPairResult } = await import('../pair/pair-command.js');
  const code = positional ?? flags.code;
  const r = await pairCommand({
    ...(target ? { target } : {}),
    ...(code !== undefined ? { code } : {}),
    ...(flags.relayUrl ? { relayUrl: flags.relayUrl } : {}),
    mint: {
      mode: flags.mode,
      ...(flags.publicUrl ? { publicUrl: flags.publicUrl } : {}),
      ...(ttlSeconds !== undefined ? { ttlSeconds } : {}),
    },
    preferSecure: flags.preferSecureRoutes !== false,
    connect: toConnectOptions(flags),
    log: (line) => {
      if (!flags.json) out.line(line);
    },
  });
  if (flags.json) return out.json({ ok: true, ...r });
  for (const line of renderPairResult(r, colorsFor(process.stdout).green)) out.line(line);
}
