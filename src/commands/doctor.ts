// `hermes-setup doctor [target]`: the troubleshooting table as diagnostics — symptom → cause → fix (a command).
import type { Command } from 'commander';
import { EXIT, HermesSetupError } from '../errors.js';
import { out } from '../output.js';
import { addHealthOptions, openHealth, runHealthFleet, type CheckFlags } from './check.js';
import { isFleet } from '../fleet/fleet-targets.js';

export function registerDoctor(program: Command): void {
  const cmd = program.command('doctor')
    .description('diagnose a dashboard that does not work: each finding is symptom → cause → fix (a command)')
    .argument('[targets...]', 'user@host, user@host:port, ssh://user@host:port or an ~/.ssh/config alias (several: a fleet run)');
  addHealthOptions(cmd).addHelpText('after', `
Exit codes: 0 no problem found (notes may be printed), 3 problems found, 4 unreachable (fleet: 4 wins over 3).

Examples:
  $ hermes-setup doctor deploy@mini.lan
  $ hermes-setup doctor mini --json
  $ hermes-setup doctor --local`);
  cmd.action(async (targets: string[], flags: CheckFlags) => {
    if (isFleet(targets, { parallel: '5', ...flags })) return runHealthFleet(targets, flags, 'doctor');
    const target = targets[0];
    const [{ readHealth }, { diagnose, renderFinding }] = await Promise.all([import('../health/read-health.js'), import('../doctor/diagnose.js')]);
    const { remote, opts } = await openHealth(target, flags);
    try {
      const findings = diagnose(await readHealth(remote, { ...opts, deep: true }));
      const problems = findings.filter((f) => f.severity === 'problem');
      if (flags.json) out.json({ target: remote.label, ok: problems.length === 0, findings });
      else {
        for (const f of findings) for (const l of renderFinding(f)) out.line(l);
        out.line(problems.length === 0 ? `no problem found on ${remote.label}` : `${problems.length} problem(s) on ${remote.label}`);
      }
      if (problems.length > 0) {
        throw new HermesSetupError('E_FINDINGS', `${problems.length} problem(s): ${problems.map((f) => f.id).join(', ')}`, 'run each fix above, then hermes-setup doctor again', EXIT.UNHEALTHY);
      }
    } finally {
      await remote.close();
    }
  });
}
