// The fleet flags every host command shares: several targets, --inventory, --limit, --parallel.
import type { Command } from 'commander';
import { parseWholeNumber } from './values.js';

export interface FleetFlags {
  inventory?: string;
  limit?: string;
  parallel: number;
  local?: boolean;
}

export function addFleetOptions(cmd: Command): Command {
  return cmd
    .option('--inventory <file>', 'hosts from a TOML or Ansible INI inventory (docs/inventory.md)')
    .option(
      '--limit <pattern>',
      'only these hosts: names, groups or globs, comma-separated; !x excludes (like ansible --limit)',
    )
    .option('--parallel <n>', 'hosts at once in a fleet run', parseWholeNumber('--parallel', 1, 256, 'hosts'), 5);
}

/** A fleet run: more than one target, or any --inventory. One target without it is a fleet of one. */
export function isFleet(targets: string[], flags: Partial<FleetFlags>): boolean {
  return targets.length > 1 || flags.inventory !== undefined;
}
