// `remote` on one host or a fleet: each host's converge under its own listr2 parent task, then the host's summary
// (one host) or the recap (a fleet).
import { resolveHosts, type FleetTarget } from '../fleet/fleet-targets.js';
import { convergeHostTask } from '../fleet/converge-host-task.js';
import { finishFleet, finishOne, runFleet } from '../fleet/run-fleet.js';
import type { ConvergeFlags } from '../options/converge-options.js';
import { toConvergeOptions } from '../options/converge-options.js';
import type { FleetFlags } from '../options/fleet-options.js';
import type { ConnectOptions } from '../transport/connect.js';
import { colorsFor, paintDiff, terminalWidth } from '../output.js';
import type { Remote } from '../transport/remote.js';
import { renderSummary, type ConvergeReport } from './report.js';
import type { ConvergeSession } from './session.js';

type Flags = ConvergeFlags & Partial<FleetFlags> & { local?: boolean };

function hostFlags(f: Flags, t: FleetTarget): Flags {
  return {
    ...f,
    ...(t.mode ? { mode: t.mode } : {}),
    ...(t.bind ? { bind: t.bind } : {}),
    ...(t.daemon !== undefined ? { daemon: t.daemon } : {}),
  };
}

async function configureDesktop(remote: Remote, s: ConvergeSession, flags: Flags) {
  if (s.opts.dryRun) return { lines: [], report: {} };
  const { configureDesktop: run } = await import('../desktop/configure.js');
  const desktop = await run(remote, {
    sshTarget: s.opts.sshTarget,
    ...(flags.profile ? { profile: flags.profile } : {}),
    ...(flags.storeTokenPlain ? { storeTokenPlain: true } : {}),
  });
  const { renderDesktopSummary } = await import('../desktop/desktop-steps.js');
  const lines = [...renderDesktopSummary(desktop, 'Desktop app:'), ...desktop.warnings.map((w) => `Warning:     ${w}`)];
  return { lines, report: { desktop } };
}

export async function runRemote(targets: string[], flags: Flags, connect: ConnectOptions): Promise<void> {
  const hosts = await resolveHosts(targets, flags);
  const single = hosts.length === 1 && targets.length <= 1 && flags.inventory === undefined;
  const json = flags.json === true;
  const results = await runFleet(hosts, { parallel: flags.parallel ?? 5, json, single, tree: true }, (t, io) =>
    convergeHostTask(t, connect, io, {
      options: (host, label) =>
        toConvergeOptions(hostFlags(flags, host), label, {
          ...(host.target !== undefined ? { typed: host.target } : {}),
          identity: host.identity ? [host.identity] : (connect.identity ?? []),
        }),
      report: { showToken: flags.showToken === true, showSecrets: flags.showSecrets === true },
      ...(flags.configureDesktop
        ? { after: (remote: Remote, s: ConvergeSession) => configureDesktop(remote, s, flags) }
        : {}),
    }),
  );
  if (!single) return finishFleet(results, { json });
  const r = results[0]!;
  const report = r.report as ConvergeReport;
  const reached = report.schema && report.steps[0]?.id !== 'connect';
  const c = colorsFor(process.stdout);
  const summary = reached ? renderSummary(report, { c, width: terminalWidth() }) : [];
  const lines = [...(report.diffs ? [paintDiff(c, report.diffs)] : []), ...summary, ...(r.lines ?? [])];
  finishOne({ ...r, lines }, { json });
}
