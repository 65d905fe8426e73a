// `hermes-setup remote <target…>`: the one-shot, idempotent converge (a fleet when several hosts are given).
import type { Command } from 'commander';
import { earlyConvergeFacts } from '../converge/early-facts.js';
import { usageError } from '../errors.js';
import { addConnectionOptions, toConnectOptions, type ConnectionFlags } from '../options/connection-options.js';
import { addConvergeOptions, toConvergeOptions, type ConvergeFlags } from '../options/converge-options.js';
import { addFleetOptions, isFleet, type FleetFlags } from '../options/fleet-options.js';
import { connectEarly } from '../transport/connect.js';
import { closeUntaken } from '../transport/early-start.js';

export type RemoteFlags = ConnectionFlags & ConvergeFlags & Partial<FleetFlags>;

export function registerRemote(program: Command): void {
  const cmd = program
    .command('remote')
    .description(
      'set up (or re-check) the Hermes dashboard on a host: update, pin the token, install the service, prove the WebSocket',
    )
    .argument(
      '[targets...]',
      'user@host, user@host:port, ssh://user@host:port or an ~/.ssh/config alias (several: a fleet run)',
    );
  addFleetOptions(addConvergeOptions(addConnectionOptions(cmd))).addHelpText(
    'after',
    `
Examples:
  $ hermes-setup remote deploy@mini.lan --accept-new-host-key
  $ hermes-setup remote mini --dry-run            # show the plan and diffs, change nothing
  $ hermes-setup remote mini --mode tunnel        # loopback bind, reach it with ssh -N -L
  $ hermes-setup remote --local --no-update       # on this machine
  $ hermes-setup remote mini vps --parallel 2     # a fleet: per-host lines, then a recap
  $ hermes-setup remote --inventory hosts.toml --limit 'lab,!lab-3'`,
  );
  cmd.action(async (targets: string[], flags: RemoteFlags) => {
    const fleet = isFleet(targets, flags);
    if (fleet && flags.configureDesktop)
      throw usageError(
        'E_USAGE',
        '--configure-desktop sets up one host; it cannot be used with a fleet',
        'run remote <target> --configure-desktop for the host the desktop app should use',
      );
    const o = toConvergeOptions(flags, targets[0] ?? 'local'); // bad flags fail here, before any connection is opened
    const connect = toConnectOptions(flags);
    if (!fleet && targets[0] && !flags.local) await connectEarly(targets[0], connect, earlyConvergeFacts(o));
    try {
      const { runRemote } = await import('../converge/run-remote.js');
      await runRemote(targets, flags, connect);
    } finally {
      await closeUntaken();
    }
  });
}
