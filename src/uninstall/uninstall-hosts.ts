// `uninstall` on one host or a fleet: the host's own removal, then this machine's cron entry for it.
import { resolveHosts, type FleetTarget } from '../fleet/fleet-targets.js';
import { actionHostTask, type HostOutcome } from '../fleet/host-task.js';
import { finishFleet, finishOne, runFleet } from '../fleet/run-fleet.js';
import { stepError } from '../errors.js';
import type { FleetFlags } from '../options/fleet-options.js';
import type { StepOutcome } from '../steps/step.js';
import type { ConnectOptions } from '../transport/connect.js';
import type { Remote } from '../transport/remote.js';
import { runUninstall, type UninstallOptions } from './run-uninstall.js';
import { planUninstall } from './plan-uninstall.js';
import { renderDiffs } from '../converge/report.js';
import { renderStepLine } from '../converge/step-line.js';
import { colorsFor, paintDiff, type Colors } from '../output.js';

async function removeCron(t: FleetTarget): Promise<StepOutcome> {
  try {
    const [{ applySchedule }, { toScheduleSpec }] = await Promise.all([
      import('../cron/apply-schedule.js'),
      import('../cron/schedule-spec.js'),
    ]);
    const spec = toScheduleSpec(t.target, { local: t.target === undefined, every: '5' });
    const changed = (
      await Promise.all(
        [false, true].map((timer) =>
          applySchedule(spec, { install: false, timer }).then(
            (r) => r.changed,
            () => false,
          ),
        ),
      )
    ).some(Boolean);
    return {
      id: 'cron',
      status: changed ? 'changed' : 'ok',
      detail: changed ? 'removed the health-check entry on this machine' : 'no health-check entry',
    };
  } catch (err) {
    return { id: 'cron', status: 'skipped', detail: (err as Error).message };
  }
}

async function uninstallHost(remote: Remote, t: FleetTarget, opts: UninstallOptions, c: Colors): Promise<HostOutcome> {
  let steps: StepOutcome[];
  let diffs: string | undefined;
  if (opts.dryRun) {
    const plan = await planUninstall(remote, t, opts);
    steps = plan.steps;
    diffs = plan.files.length ? await renderDiffs(plan.files, []) : undefined;
  } else {
    steps = await runUninstall(remote, opts, () => undefined);
    steps.push(await removeCron(t));
  }
  const n = (s: StepOutcome['status']) => steps.filter((x) => x.status === s).length;
  const failed = steps.find((s) => s.status === 'failed');
  const lines = [
    ...steps.map((s) => renderStepLine(s, c)),
    ...(diffs ? [paintDiff(c, diffs)] : []),
    ...(opts.dryRun ? ['(dry run: nothing was changed)'] : []),
  ];
  return {
    ok: !failed,
    counts: { ok: n('ok'), changed: n('changed'), failed: n('failed') },
    lines,
    report: {
      schema: 'hermes-setup/uninstall@1',
      target: remote.label,
      ok: !failed,
      dryRun: opts.dryRun === true,
      steps,
      ...(diffs ? { diffs } : {}),
    },
    ...(failed ? { error: stepError('E_UNINSTALL', failed.detail, 'rerun with --debug') } : {}),
  };
}

export async function runUninstallCommand(
  targets: string[],
  flags: Partial<FleetFlags> & { json?: boolean },
  opts: UninstallOptions,
  connect: ConnectOptions,
): Promise<void> {
  const hosts = await resolveHosts(targets, flags);
  const single = targets.length <= 1 && flags.inventory === undefined;
  const json = flags.json === true;
  const c = colorsFor(process.stdout);
  const results = await runFleet(hosts, { parallel: flags.parallel ?? 5, json, single, tree: false }, (t, io) =>
    actionHostTask(t, connect, io, (remote) => uninstallHost(remote, t, opts, c)),
  );
  if (single) return finishOne(results[0]!, { json });
  finishFleet(results, { json });
}
