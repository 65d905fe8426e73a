// The fleet shape shared by `check` and `doctor`: resolve the hosts, run one read-only host task each (at most
// --parallel at once), then finish as one host (its own lines and exit code) or as a fleet (recap, exit 3 if any
// host is unhealthy or has problems).
import { EXIT } from '../errors.js';
import { resolveHosts } from '../fleet/fleet-targets.js';
import { actionHostTask, type HostOutcome } from '../fleet/host-task.js';
import { finishFleet, finishOne, runFleet } from '../fleet/run-fleet.js';
import type { FleetFlags } from '../options/fleet-options.js';
import { toHealthOptions, type HealthFlags, type HealthOptions } from '../options/health-options.js';
import { colorsFor, terminalWidth } from '../output.js';
import type { ConnectOptions } from '../transport/connect.js';
import type { Remote } from '../transport/remote.js';
import type { View } from './render-checks.js';

export type HealthHostFn = (remote: Remote, opts: HealthOptions, view: View) => Promise<HostOutcome>;

export async function runHealthFleet(
  targets: string[],
  flags: HealthFlags & Partial<FleetFlags>,
  connect: ConnectOptions,
  o: { failWord: string; host: HealthHostFn },
): Promise<void> {
  const hosts = await resolveHosts(targets, flags);
  const single = targets.length <= 1 && flags.inventory === undefined;
  const json = flags.json === true;
  const view: View = { c: colorsFor(process.stdout), ...(single ? { width: terminalWidth() } : {}) };
  const results = await runFleet(hosts, { parallel: flags.parallel ?? 5, json, single, tree: false }, (t, io) =>
    actionHostTask(t, connect, io, (remote) => o.host(remote, toHealthOptions(flags, t.target, remote.label), view)),
  );
  if (single) return finishOne(results[0]!, { json });
  finishFleet(results, { json, failCode: EXIT.UNHEALTHY, failWord: o.failWord });
}
