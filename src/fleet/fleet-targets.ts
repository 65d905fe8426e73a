// From the command line (targets, --inventory, --limit) to the hosts of a run. One target is a fleet of one.
import { homedir } from 'node:os';
import { usageError } from '../errors.js';
import type { HostOverrides } from '../inventory/inventory.js';
import { isFleet, type FleetFlags } from '../options/fleet-options.js';

export interface FleetTarget extends HostOverrides {
  /** Shown in output, the recap and JSON. */
  name: string;
  /** What connectTarget receives: user@host:port, or a name/alias; undefined = this machine (--local). */
  target?: string;
}

function expandHome(p: string): string {
  return p === '~' ? homedir() : p.startsWith('~/') ? `${homedir()}${p.slice(1)}` : p;
}

export function targetString(h: { address: string; user?: string; port?: number }): string {
  const host = h.address.includes(':') && !h.address.startsWith('[') ? `[${h.address}]` : h.address;
  return `${h.user ? `${h.user}@` : ''}${host}${h.port ? `:${h.port}` : ''}`;
}

async function fromInventory(targets: string[], flags: Partial<FleetFlags>): Promise<FleetTarget[]> {
  const [{ loadInventory }, { applyLimit }] = await Promise.all([
    import('../inventory/load-inventory.js'),
    import('../inventory/limit.js'),
  ]);
  const inv = await loadInventory(flags.inventory!);
  inv.hosts.push(...targets.map((t) => ({ name: t, address: t })));
  return applyLimit(inv, flags.limit).map((h) => {
    const adHoc = targets.includes(h.name) && h.address === h.name;
    return {
      ...h,
      name: h.name,
      target: adHoc ? h.name : targetString(h),
      ...(h.identity ? { identity: expandHome(h.identity) } : {}),
    };
  });
}

async function fromTargets(targets: string[], limit: string | undefined): Promise<FleetTarget[]> {
  const out: FleetTarget[] = targets.map((t) => ({ name: t, target: t }));
  if (limit === undefined) return out;
  const { applyLimit } = await import('../inventory/limit.js');
  const keep = new Set(
    applyLimit({ hosts: out.map((t) => ({ name: t.name, address: t.target! })), groups: new Map() }, limit).map(
      (h) => h.name,
    ),
  );
  return out.filter((t) => keep.has(t.name));
}

/** The hosts to run on: one (a target, or --local), or a fleet. */
export async function resolveHosts(targets: string[], flags: Partial<FleetFlags>): Promise<FleetTarget[]> {
  if (!isFleet(targets, flags)) {
    if (flags.local && targets[0])
      throw usageError(
        'E_USAGE',
        `both a target (${targets[0]}) and --local were given`,
        'use either a target or --local',
      );
    if (!flags.local && !targets[0])
      throw usageError(
        'E_USAGE',
        'no target given',
        'pass user@host (or an ~/.ssh/config alias), or --local for this machine',
      );
    return [flags.local ? { name: 'local' } : { name: targets[0]!, target: targets[0]! }];
  }
  if (flags.local)
    throw usageError(
      'E_USAGE',
      '--local cannot be combined with several targets or --inventory',
      'run --local on its own',
    );
  const out =
    flags.inventory !== undefined ? await fromInventory(targets, flags) : await fromTargets(targets, flags.limit);
  const seen = new Set<string>();
  for (const t of out) {
    if (seen.has(t.name)) throw usageError('E_USAGE', `host "${t.name}" is given twice`, 'name each host once');
    seen.add(t.name);
  }
  if (out.length === 0) throw usageError('E_USAGE', 'no hosts to run on', 'pass targets, or an --inventory with hosts');
  return out;
}
