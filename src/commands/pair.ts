// `hermes-setup pair <target> [code]`: pair this machine with the host's relay (hermes-behaviour.md §16) natively —
// mint a code over SSH (or take one by hand), pick a route, authenticate, store the session.
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
  json?: boolean;
}

function parseTtl(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw usageError('E_USAGE', `invalid --ttl "${raw}"`, 'give the session lifetime in seconds (0 = never expires)');
  return n;
}

export function registerPair(program: Command): void {
  const cmd = program
    .command('pair')
    .description('pair this machine with the host\'s Hermes relay: mint a one-time code over SSH, connect, store the session in ~/.hermes/remote-sessions.json')
    .argument('[target]', 'user@host, user@host:port, ssh://user@host:port or an ~/.ssh/config alias')
    .argument('[code]', 'a pairing code you already have (pasted text is cleaned)')
    .option('--code <code>', 'a pairing code you already have (same as the second argument)')
    .addOption(new Option('--mode <mode>', 'which routes the code advertises').choices(['auto', 'lan', 'tailscale', 'public']).default('auto'))
    .option('--public-url <url>', 'the relay\'s public URL (needed for --mode public)')
    .option('--ttl <seconds>', 'session lifetime (0 = never expires; default: the relay\'s, 30 days)')
    .option('--relay-url <url>', 'with a hand-given code: the relay URL (default ws://<host>:8767)')
    .option('--json', 'print one JSON document');
  addConnectionOptions(cmd).addHelpText('after', `
Examples:
  $ hermes-setup pair deploy@mini.lan                 # mint a code on the host and pair
  $ hermes-setup pair mini --mode tailscale
  $ hermes-setup pair mini F3W7EY                     # a code from \`hermes pair\` on the host`);
  cmd.action(async (target: string | undefined, positional: string | undefined, flags: PairFlags) => {
    if (positional !== undefined && flags.code !== undefined) throw usageError('E_USAGE', 'a code was given twice (argument and --code)', 'give the code once');
    if (flags.mode === 'public' && !flags.publicUrl) throw usageError('E_USAGE', '--mode public needs --public-url', 'add --public-url https://relay.example.com');
    const code = positional ?? flags.code;
    const ttlSeconds = parseTtl(flags.ttl);
    const connect = toConnectOptions(flags);
    const [{ runPair }, { connectTarget, resolveTargetString }] = await Promise.all([import('../pair/run-pair.js'), import('../transport/connect.js')]);
    const log = (line: string): void => { if (!flags.json) out.line(line); };
    const mint = { mode: flags.mode, ...(flags.publicUrl ? { publicUrl: flags.publicUrl } : {}), ...(ttlSeconds !== undefined ? { ttlSeconds } : {}) };
    if (code !== undefined) {
      if (!target && !flags.relayUrl) throw usageError('E_USAGE', 'no target given', 'pass user@host (or --relay-url ws://host:8767)');
      const host = target ? (await resolveTargetString(target, connect)).host : '';
      const result = await runPair({ targetHost: host, code, mint, log, ...(flags.relayUrl ? { relayUrl: flags.relayUrl } : {}) });
      return printResult(result, flags.json === true);
    }
    const remote = await connectTarget(target, connect);
    try {
      const result = await runPair({ remote, targetHost: '', mint, log });
      printResult(result, flags.json === true);
    } finally {
      await remote.close();
    }
  });
}

function printResult(r: import('../pair/run-pair.js').PairResult, json: boolean): void {
  if (json) return out.json({ ok: true, ...r });
  const c = colorsFor(process.stdout);
  out.line(`${c.green('✔')} Connected via ${r.route}: ${r.url}`);
  const expiry = r.expiresAt === null ? 'never expires' : `expires ${new Date(r.expiresAt * 1000).toISOString()}`;
  out.line(`  session ${r.tokenPrefix}… stored in ${r.sessionsFile} (${expiry})`);
}
