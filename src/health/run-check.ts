// Runs `check` (and --repair): gather, plan, print; on --repair and only when unhealthy, converge and re-check.
import { out } from '../output.js';
import type { Remote } from '../transport/remote.js';
import { planChecks, isHealthy } from './plan-checks.js';
import { readHealth, type HealthOptions } from './read-health.js';
import { renderCheckLines, renderVerdict, type CheckReport } from './render-checks.js';

export async function runCheck(remote: Remote, opts: HealthOptions, o: { repair: boolean; update: boolean; json: boolean }): Promise<CheckReport> {
  const input = await readHealth(remote, opts);
  const checks = planChecks(input);
  let report: CheckReport = { target: remote.label, healthy: isHealthy(checks), checks };
  if (!report.healthy && o.repair) {
    if (!o.json) for (const l of [...renderCheckLines(checks), `${renderVerdict(report)} — repairing`]) out.line(l);
    if (input.facts.updateMarker) {
      report.repair = { before: checks, ran: false, steps: [], error: '`hermes update` is in progress; not touching the service' };
    } else {
      const { runRepair } = await import('./repair.js');
      const run = await runRepair(remote, input, { passwordFile: opts.passwordFile, update: o.update, ...(opts.port ? { port: opts.port } : {}), quiet: o.json });
      const after = planChecks(await readHealth(remote, opts));
      report = { target: remote.label, healthy: isHealthy(after), checks: after, repair: { before: checks, ran: true, ...run } };
      if (!o.json) for (const s of run.steps.filter((x) => x.status !== 'ok')) out.line(`repair ${s.id}: ${s.status} — ${s.detail}`);
    }
  }
  if (o.json) out.json(report);
  else for (const l of [...renderCheckLines(report.checks), renderVerdict(report)]) out.line(l);
  return report;
}
