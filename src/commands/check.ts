// `hermes-setup check [target…|--local] [--repair]`: read-only health check over one SSH connection per host.
// --repair: when unhealthy, run the converge again (no `hermes update` unless --update), then check again.
import type { Command } from 'commander';
import { usageError } from '../errors.js';
import { addConnectionOptions, toConnectOptions, type ConnectionFlags } from '../options/connection-options.js';
import { DEFAULT_PORT } from '../constants.js';
import { earlyHealthFacts } from '../converge/early-facts.js';
import { addFleetOptions, isFleet, type FleetFlags } from '../options/fleet-options.js';
import { connectEarly } from '../transport/connect.js';
import { closeUntaken } from '../transport/early-start.js';
import { addHealthOptions, type HealthFlags } from '../options/health-options.js';

export function registerCheck(program: Command): void {
  const cmd = program
    .command('check')
    .description(
      'health check (read-only, one SSH connection): service, linger, port, WebSocket 101, token, tailscale, version drift, update in progress',
    )
    .argument(
      '[targets...]',
      'user@host, user@host:port, ssh://user@host:port or an ~/.ssh/config alias (several: a fleet run)',
    );
  addHealthOptions(addFleetOptions(addConnectionOptions(cmd)))
    .option('--repair', 'when unhealthy, run the converge again (never touches a healthy service), then check again')
    .option('--update', 'with --repair: let the converge run `hermes update` too')
    .option('--dry-run', 'with --repair: show what the repair would change (plan and diffs), change nothing')
    .addHelpText(
      'after',
      `
Exit codes: 0 healthy (or repaired), 3 unhealthy, 4 unreachable (fleet: 4 if any host is unreachable, else 3 if any is unhealthy).

Examples:
  $ hermes-setup check deploy@mini.lan
  $ hermes-setup check mini --json
  $ hermes-setup check mini --repair            # what the cron entry runs
  $ hermes-setup check mini --repair --dry-run  # what a repair would change, with diffs
  $ hermes-setup check --local
  $ hermes-setup check --inventory hosts.toml --limit lab`,
    );
  cmd.action(checkAction);
}

async function checkAction(targets: string[], flags: ConnectionFlags & HealthFlags & FleetFlags): Promise<void> {
  if (flags.update && !flags.repair) throw usageError('E_USAGE', '--update needs --repair', 'add --repair');
  if (flags.dryRun && !flags.repair)
    throw usageError(
      'E_USAGE',
      '--dry-run needs --repair (check itself changes nothing)',
      'add --repair to see what a repair would do',
    );
  const connect = toConnectOptions(flags);
  if (!isFleet(targets, flags) && targets[0] && !flags.local)
    await connectEarly(targets[0], connect, earlyHealthFacts(flags.port ?? { recordedOr: DEFAULT_PORT }));
  try {
    const { runCheckCommand } = await import('../check/run-check.js');
    await runCheckCommand(targets, flags, connect);
  } finally {
    await closeUntaken();
  }
}
