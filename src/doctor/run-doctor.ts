// `doctor` on one host or a fleet: read deeply, diagnose (pure rules), print findings.
import { readHealth } from '../check/read-check.js';
import { HermesSetupError } from '../errors.js';
import type { HostOutcome } from '../fleet/host-task.js';
import type { FleetFlags } from '../options/fleet-options.js';
import type { HealthFlags, HealthOptions } from '../options/health-options.js';
import type { ConnectOptions } from '../transport/connect.js';
import type { Remote } from '../transport/remote.js';
import { diagnose, renderFinding } from './diagnose.js';
import type { View } from '../check/render-checks.js';
import { count, plain } from '../output.js';
import { runHealthFleet } from '../check/run-health-fleet.js';

export async function doctorHost(remote: Remote, opts: HealthOptions, v: View = { c: plain }): Promise<HostOutcome> {
  const findings = diagnose(await readHealth(remote, { ...opts, deep: true }));
  const problems = findings.filter((f) => f.severity === 'problem');
  const n = problems.length;
  const lines = [
    ...findings.flatMap((f) => renderFinding(f, v)),
    n === 0 ? `no problem found on ${remote.label}` : `${count(n, 'problem')} on ${remote.label}`,
  ];
  const error =
    n === 0
      ? undefined
      : new HermesSetupError(
          'E_FINDINGS',
          `${count(n, 'problem')}: ${problems.map((f) => f.id).join(', ')}`,
          'run each fix above, then hermes-setup doctor again',
        );
  return {
    ok: n === 0,
    counts: { ok: findings.length - n, changed: 0, failed: n },
    lines,
    report: { target: remote.label, ok: n === 0, findings },
    ...(error ? { error } : {}),
  };
}

export async function runDoctorCommand(
  targets: string[],
  flags: HealthFlags & Partial<FleetFlags>,
  connect: ConnectOptions,
): Promise<void> {
  await runHealthFleet(targets, flags, connect, { failWord: 'problems', host: doctorHost });
}
