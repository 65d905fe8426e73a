// The per-host actions of `check` and `doctor` in a fleet run (same reads and rules as the single-host commands).
import type { CheckFlags } from '../commands/check.js';
import { defaultPasswordFile } from '../commands/remote.js';
import type { Remote } from '../transport/remote.js';
import { parsePort } from '../transport/target.js';
import type { FleetTarget } from './fleet-targets.js';
import type { HostOutcome } from './fleet-hosts.js';

function healthOptions(remote: Remote, t: FleetTarget, flags: CheckFlags): { port?: number; passwordFile: string; target: string } {
  const port = flags.port === undefined ? undefined : parsePort(`--port ${flags.port}`, flags.port);
  return { ...(port ? { port } : {}), passwordFile: flags.passwordFile ?? defaultPasswordFile(remote.label), target: t.target };
}

export async function checkHost(remote: Remote, t: FleetTarget, flags: CheckFlags): Promise<HostOutcome> {
  const [{ readHealth }, { planChecks, isHealthy }, { renderCheckLines, renderVerdict }] = await Promise.all([
    import('../health/read-health.js'), import('../health/plan-checks.js'), import('../health/render-checks.js')]);
  const opts = healthOptions(remote, t, flags);
  const input = await readHealth(remote, opts);
  let checks = planChecks(input);
  const lines = [...renderCheckLines(checks)];
  let repair: { before: typeof checks; ran: boolean; steps: Array<{ id: string; status: string; detail: string }>; error?: string } | undefined;
  if (!isHealthy(checks) && flags.repair) {
    const { runRepair } = await import('../health/repair.js');
    const run = await runRepair(remote, input, { passwordFile: opts.passwordFile, update: flags.update === true, ...(opts.port ? { port: opts.port } : {}), quiet: true });
    repair = { before: checks, ran: true, ...run };
    checks = planChecks(await readHealth(remote, opts));
    lines.push(...run.steps.filter((x) => x.status !== 'ok').map((s) => `repair ${s.id}: ${s.status} — ${s.detail}`), ...renderCheckLines(checks));
  }
  const report = { target: remote.label, healthy: isHealthy(checks), checks, ...(repair ? { repair } : {}) };
  lines.push(renderVerdict(report));
  const n = (s: string) => checks.filter((c) => c.status === s).length;
  return { ok: report.healthy, counts: { ok: n('ok'), changed: repair?.steps.filter((s) => s.status === 'changed').length ?? 0, failed: n('FAIL') }, lines, report };
}

export async function doctorHost(remote: Remote, t: FleetTarget, flags: CheckFlags): Promise<HostOutcome> {
  const [{ readHealth }, { diagnose, renderFinding }] = await Promise.all([import('../health/read-health.js'), import('../doctor/diagnose.js')]);
  const findings = diagnose(await readHealth(remote, { ...healthOptions(remote, t, flags), deep: true }));
  const problems = findings.filter((f) => f.severity === 'problem');
  const lines = [...findings.flatMap(renderFinding), problems.length === 0 ? `no problem found on ${remote.label}` : `${problems.length} problem(s) on ${remote.label}`];
  return { ok: problems.length === 0, counts: { ok: findings.length - problems.length, changed: 0, failed: problems.length }, lines, report: { target: remote.label, ok: problems.length === 0, findings } };
}
