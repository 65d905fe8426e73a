// `hermes-setup doctor [target…]`: the troubleshooting table as diagnostics — symptom → cause → fix (a command).
import type { Command } from 'commander';
import { addConnectionOptions, toConnectOptions, type ConnectionFlags } from '../options/connection-options.js';
import { addFleetOptions, type FleetFlags } from '../options/fleet-options.js';
import { addHealthOptions, type HealthFlags } from '../options/health-options.js';

export function registerDoctor(program: Command): void {
  const cmd = program
    .command('doctor')
    .description('diagnose a dashboard that does not work: each finding is symptom → cause → fix (a command)')
    .argument(
      '[targets...]',
      'user@host, user@host:port, ssh://user@host:port or an ~/.ssh/config alias (several: a fleet run)',
    );
  addHealthOptions(addFleetOptions(addConnectionOptions(cmd))).addHelpText(
    'after',
    `
Exit codes: 0 no problem found (notes may be printed), 3 problems found, 4 unreachable (fleet: 4 wins over 3).

Examples:
  $ hermes-setup doctor deploy@mini.lan
  $ hermes-setup doctor mini --json
  $ hermes-setup doctor --local`,
  );
  cmd.action(async (targets: string[], flags: ConnectionFlags & HealthFlags & FleetFlags) => {
    const { runDoctorCommand } = await import('../doctor/run-doctor.js');
    await runDoctorCommand(targets, flags, toConnectOptions(flags));
  });
}
