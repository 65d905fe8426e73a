// `hermes-setup uninstall <target…>`: undo what `remote` did, and only that.
import type { Command } from 'commander';
import { DEFAULT_PORT } from '../constants.js';
import { addConnectionOptions, toConnectOptions, type ConnectionFlags } from '../options/connection-options.js';
import { addFleetOptions, type FleetFlags } from '../options/fleet-options.js';
import { parsePortValue, parseSeconds } from '../options/values.js';

interface UninstallFlags extends ConnectionFlags, FleetFlags {
  unpinToken?: boolean;
  json?: boolean;
  dryRun?: boolean;
  port: number;
  lockWait: number;
}

export function registerUninstall(program: Command): void {
  const cmd = program
    .command('uninstall')
    .description('stop and remove the dashboard service hermes-setup installed (and only that); idempotent')
    .argument('[targets...]', 'user@host, ssh://user@host:port or an ~/.ssh/config alias (several: a fleet run)')
    .option('--unpin-token', 'also remove the pinned token (and basic-auth keys) from ~/.hermes/.env')
    .option('--port <port>', 'dashboard port', parsePortValue('--port'), DEFAULT_PORT)
    .option(
      '--lock-wait <seconds>',
      'how long to wait for another hermes-setup run on the same host',
      parseSeconds('--lock-wait'),
      120,
    )
    .option('--dry-run', 'print what would be removed (with diffs) and change nothing')
    .option('--json', 'print one JSON document')
    .addHelpText(
      'after',
      `
Examples:
  $ hermes-setup uninstall deploy@mini.lan
  $ hermes-setup uninstall deploy@mini.lan --dry-run       # what would be removed, nothing changes
  $ hermes-setup uninstall deploy@mini.lan --unpin-token
  $ hermes-setup uninstall --local
  $ hermes-setup uninstall --inventory hosts.ini --limit old`,
    );
  addFleetOptions(addConnectionOptions(cmd)).action(async (targets: string[], flags: UninstallFlags) => {
    const { runUninstallCommand } = await import('../uninstall/uninstall-hosts.js');
    await runUninstallCommand(
      targets,
      flags,
      {
        unpinToken: flags.unpinToken === true,
        lockWaitMs: flags.lockWait * 1000,
        port: flags.port,
        dryRun: flags.dryRun === true,
      },
      toConnectOptions(flags),
    );
  });
}
