// `hermes-setup devices [target]`, `devices revoke <prefix> [target]`, `devices extend <prefix> [target] --ttl N`:
// the relay's paired devices through its /sessions API, with the bearer stored by `pair` (no SSH needed).
import type { Command } from 'commander';
import { usageError } from '../errors.js';
import { colorsFor, out } from '../output.js';

interface DevicesFlags { json?: boolean; relayUrl?: string; sshConfig?: string; ttl?: string }

async function storedRelay(target: string | undefined, flags: DevicesFlags): Promise<import('../pair/relay-http.js').StoredRelay> {
  const [{ readRemoteSessions }, { selectStoredRelay }, { resolveTargetString }] = await Promise.all([
    import('../pair/session-store.js'), import('../pair/relay-http.js'), import('../transport/connect.js')]);
  const host = target ? (await resolveTargetString(target, { ...(flags.sshConfig ? { sshConfig: flags.sshConfig } : {}) })).host : undefined;
  return selectStoredRelay(await readRemoteSessions(), { ...(host ? { host } : {}), ...(flags.relayUrl ? { relayUrl: flags.relayUrl } : {}) });
}

function when(epoch: unknown): string {
  return typeof epoch === 'number' ? new Date(epoch * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') : epoch === null ? 'never' : '-';
}

function printDevices(sessions: Array<Record<string, unknown>>, via: string): void {
  const c = colorsFor(process.stdout);
  out.line(`${sessions.length} paired device(s) on ${via}`);
  out.line(c.dim('PREFIX    DEVICE                          LAST SEEN             EXPIRES'));
  for (const s of sessions) {
    const name = String(s['device_name'] ?? '-').slice(0, 30).padEnd(30);
    const mark = s['is_current'] === true ? c.green(' (this machine)') : '';
    out.line(`${String(s['token_prefix']).padEnd(8)}  ${name}  ${when(s['last_seen']).padEnd(20)}  ${when(s['expires_at'])}${mark}`);
  }
}

function quiet(cmd: Command): Command {
  return cmd.exitOverride().configureOutput({ writeErr: () => undefined, outputError: () => undefined });
}

function common(cmd: Command): Command {
  return cmd.option('--relay-url <url>', 'which paired relay (default: the one stored for the target)')
    .option('--ssh-config <file>', 'ssh config file for aliases (default: ~/.ssh/config)')
    .option('--json', 'print one JSON document');
}

export function registerDevices(program: Command): void {
  const devices = common(program.command('devices')
    .description('list the devices paired with the host\'s relay (revoke / extend: see the subcommands)')
    .argument('[target]', 'the host you paired with (user@host or an alias); optional when only one relay is paired'))
    .addHelpText('after', `
Examples:
  $ hermes-setup devices deploy@mini.lan
  $ hermes-setup devices revoke 3fA9kQ2x deploy@mini.lan
  $ hermes-setup devices extend 3fA9kQ2x deploy@mini.lan --ttl 2592000`);
  devices.action(async (target: string | undefined, flags: DevicesFlags) => {
    const { relayRequest, sessionsApiError } = await import('../pair/relay-http.js');
    const reply = await relayRequest(await storedRelay(target, flags), 'GET', '/sessions');
    if (reply.status !== 200) throw sessionsApiError(reply);
    const sessions = Array.isArray(reply.json['sessions']) ? (reply.json['sessions'] as Array<Record<string, unknown>>) : [];
    if (flags.json) out.json({ relay: reply.via, sessions });
    else printDevices(sessions, reply.via);
  });
  quiet(common(devices.command('revoke').description('revoke a paired device by its token prefix')
    .argument('<prefix>', 'token prefix from `hermes-setup devices` (one starting with - goes after --)').argument('[target]', 'the host you paired with')))
    .action(async (prefix: string, target: string | undefined, _f: DevicesFlags, self: Command) => {
      const flags = self.optsWithGlobals<DevicesFlags>();
      const { relayRequest, sessionsApiError } = await import('../pair/relay-http.js');
      const reply = await relayRequest(await storedRelay(target, flags), 'DELETE', `/sessions/${encodeURIComponent(prefix)}`);
      if (reply.status !== 200) throw sessionsApiError(reply, prefix);
      if (flags.json) return out.json({ ok: true, ...reply.json });
      out.line(`✔ revoked ${String(reply.json['revoked'] ?? prefix)}`);
      if (reply.json['revoked_self'] === true) out.line('! that was this machine\'s own session: pair again to reconnect (hermes-setup pair <target>)');
    });
  quiet(common(devices.command('extend').description('extend a paired device\'s session')
    .argument('<prefix>', 'token prefix from `hermes-setup devices` (one starting with - goes after --)').argument('[target]', 'the host you paired with')
    .requiredOption('--ttl <seconds>', 'new lifetime from now, in seconds (0 = never expires)')))
    .action(async (prefix: string, target: string | undefined, _f: DevicesFlags, self: Command) => {
      const flags = self.optsWithGlobals<DevicesFlags>();
      const ttl = Number(flags.ttl);
      if (!Number.isInteger(ttl) || ttl < 0) throw usageError('E_USAGE', `invalid --ttl "${flags.ttl}"`, 'give seconds from now (0 = never expires)');
      const { relayRequest, sessionsApiError } = await import('../pair/relay-http.js');
      const reply = await relayRequest(await storedRelay(target, flags), 'PATCH', `/sessions/${encodeURIComponent(prefix)}`, { ttl_seconds: ttl });
      if (reply.status !== 200) throw sessionsApiError(reply, prefix);
      if (flags.json) return out.json({ ok: true, ...reply.json });
      out.line(`✔ ${String(reply.json['token_prefix'] ?? prefix)} now expires: ${when(reply.json['expires_at'])}`);
    });
}
