// `check` (and --repair) on one host or a fleet: read, plan the checks, report; with --repair and only when
// unhealthy, converge and check again.
import { HermesSetupError } from '../errors.js';
import type { HostOutcome } from '../fleet/host-task.js';
import type { FleetFlags } from '../options/fleet-options.js';
import type { HealthFlags, HealthOptions } from '../options/health-options.js';
import type { ConnectOptions } from '../transport/connect.js';
import type { Remote } from '../transport/remote.js';
import { isHealthy, planChecks } from './plan-checks.js';
import { readHealth } from './read-check.js';
import { renderCheckLines, renderVerdict, type CheckReport, type View } from './render-checks.js';
import { renderStepLine } from '../converge/step-line.js';
import { paintDiff, plain } from '../output.js';
import { runHealthFleet } from './run-health-fleet.js';

interface CheckRun {
  repair: boolean;
  update: boolean;
  dryRun?: boolean;
  view?: View;
}

/** Pure: the report of a repair skipped because `hermes update` holds the host. */
function updateInProgress(report: CheckReport): CheckReport {
  return {
    ...report,
    repair: {
      before: report.checks,
      ran: false,
      steps: [],
      error: '`hermes update` is in progress; not touching the service',
    },
  };
}

async function repairIfNeeded(
  remote: Remote,
  opts: HealthOptions,
  report: CheckReport,
  o: CheckRun,
  lines: string[],
): Promise<CheckReport> {
  const v = o.view ?? { c: plain };
  const input = await readHealth(remote, opts);
  lines.push(
    ...renderCheckLines(report.checks, v),
    `${renderVerdict(report, v.c)} — ${o.dryRun ? 'a repair would (dry run, nothing is changed):' : 'repairing'}`,
  );
  if (input.facts.updateMarker) return updateInProgress(report);
  const { runRepair } = await import('./repair.js');
  const run = await runRepair(remote, input, {
    passwordFile: opts.passwordFile,
    update: o.update,
    dryRun: o.dryRun === true,
    ...(opts.port ? { port: opts.port } : {}),
  });
  lines.push(
    ...run.steps.filter((x) => x.status !== 'ok').map((s) => `repair ${renderStepLine(s, v.c)}`),
    ...(run.diffs ? [paintDiff(v.c, run.diffs)] : []),
  );
  if (o.dryRun) return { ...report, repair: { before: report.checks, ran: false, dryRun: true, ...run } };
  const after = planChecks(await readHealth(remote, opts));
  return {
    target: remote.label,
    healthy: isHealthy(after),
    checks: after,
    repair: { before: report.checks, ran: true, ...run },
  };
}

export async function checkHost(remote: Remote, opts: HealthOptions, o: CheckRun): Promise<HostOutcome> {
  const v = o.view ?? { c: plain };
  const checks = planChecks(await readHealth(remote, opts));
  const lines: string[] = [];
  let report: CheckReport = { target: remote.label, healthy: isHealthy(checks), checks };
  if (!report.healthy && o.repair) report = await repairIfNeeded(remote, opts, report, o, lines);
  lines.push(...(report.repair?.dryRun ? [] : renderCheckLines(report.checks, v)), renderVerdict(report, v.c));
  const failed = report.checks.filter((l) => l.status === 'FAIL').map((l) => l.id);
  const hint = report.repair?.dryRun
    ? `run it: hermes-setup check --repair ${opts.target}`
    : o.repair
      ? `hermes-setup doctor ${opts.target}`
      : `run the fixes above, or hermes-setup check --repair ${opts.target}`;
  const error = report.healthy
    ? undefined
    : new HermesSetupError('E_UNHEALTHY', `${remote.label} is unhealthy (${failed.join(', ')})`, hint);
  const n = (s: string) => report.checks.filter((l) => l.status === s).length;
  return {
    ok: report.healthy,
    counts: { ok: n('ok'), changed: report.repair?.ran ? 1 : 0, failed: n('FAIL') },
    lines,
    report: { ...report },
    ...(error ? { error } : {}),
  };
}

export async function runCheckCommand(
  targets: string[],
  flags: HealthFlags & Partial<FleetFlags>,
  connect: ConnectOptions,
): Promise<void> {
  await runHealthFleet(targets, flags, connect, {
    failWord: 'unhealthy',
    host: (remote, opts, view) =>
      checkHost(remote, opts, {
        repair: flags.repair === true,
        update: flags.update === true,
        dryRun: flags.dryRun === true,
        view,
      }),
  });
}
