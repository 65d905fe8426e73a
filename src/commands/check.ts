// `hermes-setup check [target|--local] [--repair]`: read-only health check over one SSH connection.
// --repair: when unhealthy, run the converge again (no `hermes update` unless --update), then check again.
import type { Command } from 'commander';
import { EXIT, HermesSetupError, usageError } from '../errors.js';
import { out } from '../output.js';
import { connectTarget } from '../transport/connect.js';
import type { Remote } from '../transport/remote.js';
import { parsePort } from '../transport/target.js';
import { addConnectionOptions, toConnectOptions, type ConnectionFlags } from './connection-options.js';
import { defaultPasswordFile } from './remote.js';
import { addFleetOptions, isFleet, parseParallel, resolveFleet, type FleetFlags } from '../fleet/fleet-targets.js';

export interface CheckFlags extends ConnectionFlags, Partial<FleetFlags> {
  json?: boolean;
  repair?: boolean;
  update?: boolean;
  port?: string;
  passwordFile?: string;
}

export function addHealthOptions(cmd: Command): Command {
  return addFleetOptions(addConnectionOptions(cmd))
    .option('--json', 'print one JSON document (schema: docs/json-output.md, "check")')
    .option('--port <port>', 'dashboard port (default: the one recorded at the last converge, else 9119)')
    .option('--password-file <file>', 'password mode: the basic-auth password on this machine (default ~/.config/hermes-setup/passwords/<target>)');
}

export function targetWord(target: string | undefined, flags: ConnectionFlags): string {
  return flags.local ? '--local' : target ?? '--local';
}

export async function openHealth(target: string | undefined, flags: CheckFlags): Promise<{ remote: Remote; opts: { port?: number; passwordFile: string; target: string } }> {
  const port = flags.port === undefined ? undefined : parsePort(`--port ${flags.port}`, flags.port);
  const remote = await connectTarget(target, toConnectOptions(flags));
  return { remote, opts: { ...(port ? { port } : {}), passwordFile: flags.passwordFile ?? defaultPasswordFile(remote.label), target: targetWord(target, flags) } };
}

export function registerCheck(program: Command): void {
  const cmd = program.command('check')
    .description('health check (read-only, one SSH connection): service, linger, port, WebSocket 101, token, tailscale, version drift, update in progress')
    .argument('[targets...]', 'user@host, user@host:port, ssh://user@host:port or an ~/.ssh/config alias (several: a fleet run)');
  addHealthOptions(cmd)
    .option('--repair', 'when unhealthy, run the converge again (never touches a healthy service), then check again')
    .option('--update', 'with --repair: let the converge run `hermes update` too')
    .addHelpText('after', `
Exit codes: 0 healthy (or repaired), 3 unhealthy, 4 unreachable (fleet: 4 if any host is unreachable, else 3 if any is unhealthy).

Examples:
  $ hermes-setup check deploy@mini.lan
  $ hermes-setup check mini --json
  $ hermes-setup check mini --repair            # what the cron entry runs
  $ hermes-setup check --local
  $ hermes-setup check --inventory hosts.toml --limit lab`);
  cmd.action(async (targets: string[], flags: CheckFlags) => {
    if (flags.update && !flags.repair) throw usageError('E_USAGE', '--update needs --repair', 'add --repair');
    if (isFleet(targets, { parallel: '5', ...flags })) return runHealthFleet(targets, flags, 'check');
    const target = targets[0];
    const { runCheck } = await import('../health/run-check.js');
    const { remote, opts } = await openHealth(target, flags);
    try {
      const report = await runCheck(remote, opts, { repair: flags.repair === true, update: flags.update === true, json: flags.json === true });
      if (!report.healthy) {
        const failed = report.checks.filter((l) => l.status === 'FAIL').map((l) => l.id).join(', ');
        throw new HermesSetupError('E_UNHEALTHY', `${remote.label} is unhealthy (${failed})`, flags.repair ? `hermes-setup doctor ${opts.target}` : `run the fixes above, or hermes-setup check --repair ${opts.target}`, EXIT.UNHEALTHY);
      }
    } finally {
      await remote.close();
    }
  });
}

/** check or doctor on several hosts: per-host lines, a recap; exit 4 if any is unreachable, else 3 if any is unhealthy. */
export async function runHealthFleet(targets: string[], flags: CheckFlags, which: 'check' | 'doctor'): Promise<void> {
  const [{ actionHostTask }, { checkHost, doctorHost }, { runFleet, finishFleet }] = await Promise.all([
    import('../fleet/fleet-hosts.js'), import('../fleet/fleet-health.js'), import('../fleet/run-fleet.js')]);
  const parallel = parseParallel(flags.parallel ?? '5');
  if (flags.port !== undefined) parsePort(`--port ${flags.port}`, flags.port);
  const hosts = await resolveFleet(targets, { parallel: String(parallel), ...flags });
  const connect = toConnectOptions(flags);
  const action = which === 'check' ? checkHost : doctorHost;
  const results = await runFleet(hosts, { parallel, json: flags.json === true }, (t, io) => actionHostTask(t, connect, io, (r, h) => action(r, h, flags)));
  finishFleet(results, { json: flags.json === true, failCode: EXIT.UNHEALTHY, failWord: which === 'check' ? 'unhealthy' : 'problems' });
}
