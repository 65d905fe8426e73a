// From the command line (several targets, --inventory, --limit, --parallel) to the list of hosts of a fleet run.
import { homedir } from 'node:os';
import { type Command } from 'commander';
import { usageError } from '../errors.js';
import type { HostOverrides } from '../inventory/inventory.js';

export interface FleetFlags { inventory?: string; limit?: string; parallel: string; local?: boolean }

export interface FleetTarget extends HostOverrides {
  /** Shown in output, the recap and JSON. */
  name: string;
  /** What connectTarget receives: user@host:port, or a name/alias. */
  target: string;
}

export function addFleetOptions(cmd: Command): Command {
  return cmd
    .option('--inventory <file>', 'hosts from a TOML or Ansible INI inventory (docs/inventory.md)')
    .option('--limit <pattern>', 'only these hosts: names, groups or globs, comma-separated; !x excludes (like ansible --limit)')
    .option('--parallel <n>', 'hosts at once in a fleet run', '5');
}

/** A fleet run: more than one target, or any --inventory. One target without it keeps the single-host command. */
export function isFleet(targets: string[], flags: FleetFlags): boolean {
  return targets.length > 1 || flags.inventory !== undefined;
}

export function parseParallel(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw usageError('E_USAGE', `invalid --parallel "${text}"`, 'give a whole number of hosts between 1 and 256');
  return n;
}

function expandHome(p: string): string {
  return p === '~' ? homedir() : p.startsWith('~/') ? `${homedir()}${p.slice(1)}` : p;
}

export function targetString(h: { address: string; user?: string; port?: number }): string {
  const host = h.address.includes(':') && !h.address.startsWith('[') ? `[${h.address}]` : h.address;
  return `${h.user ? `${h.user}@` : ''}${host}${h.port ? `:${h.port}` : ''}`;
}

export async function resolveFleet(targets: string[], flags: FleetFlags): Promise<FleetTarget[]> {
  if (flags.local) throw usageError('E_USAGE', '--local cannot be combined with several targets or --inventory', 'run --local on its own');
  const out: FleetTarget[] = targets.map((t) => ({ name: t, target: t }));
  if (flags.inventory !== undefined) {
    const [{ loadInventory }, { applyLimit }] = await Promise.all([import('../inventory/load-inventory.js'), import('../inventory/limit.js')]);
    const inv = await loadInventory(flags.inventory);
    inv.hosts.push(...out.map((t) => ({ name: t.name, address: t.target })));
    out.length = 0;
    for (const h of applyLimit(inv, flags.limit)) {
      const adHoc = targets.includes(h.name) && h.address === h.name;
      out.push({ ...h, name: h.name, target: adHoc ? h.name : targetString(h), ...(h.identity ? { identity: expandHome(h.identity) } : {}) });
    }
  } else if (flags.limit !== undefined) {
    const { applyLimit } = await import('../inventory/limit.js');
    const keep = new Set(applyLimit({ hosts: out.map((t) => ({ name: t.name, address: t.target })), groups: new Map() }, flags.limit).map((h) => h.name));
    return out.filter((t) => keep.has(t.name));
  }
  const seen = new Set<string>();
  for (const t of out) {
    if (seen.has(t.name)) throw usageError('E_USAGE', `host "${t.name}" is given twice`, 'name each host once');
    seen.add(t.name);
  }
  if (out.length === 0) throw usageError('E_USAGE', 'no hosts to run on', 'pass targets, or an --inventory with hosts');
  return out;
}
