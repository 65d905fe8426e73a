// Runs `check` / `doctor` (--json) against a prepared host, and runs a finding's fix command the way a user
// would: `hermes-setup …` through the built CLI from this machine, anything else on the host over SSH.
import type { CheckReport } from '../../src/check/render-checks.js';
import type { Finding } from '../../src/doctor/finding.js';
import { runCli, type CliResult } from './cli.js';
import type { PreparedHost } from './prepare-host.js';

export async function runCheckJson(
  p: PreparedHost,
  extra: string[] = [],
): Promise<{ code: number; report: CheckReport; stderr: string }> {
  const r = await runCli(['check', ...p.args, '--json', ...extra], { HOME: p.cliHome }, { timeoutMs: 180_000 });
  try {
    return { code: r.code, report: JSON.parse(r.stdout) as CheckReport, stderr: r.stderr };
  } catch {
    throw new Error(`check printed no JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
}

export async function runDoctor(
  p: PreparedHost,
): Promise<{ code: number; findings: Finding[]; ids: string[]; stderr: string }> {
  const r = await runCli(['doctor', ...p.args, '--json'], { HOME: p.cliHome }, { timeoutMs: 120_000 });
  let doc: { findings: Finding[] };
  try {
    doc = JSON.parse(r.stdout) as { findings: Finding[] };
  } catch {
    throw new Error(`doctor printed no JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, findings: doc.findings, ids: doc.findings.map((f) => f.id), stderr: r.stderr };
}

export function statusOf(report: CheckReport, id: string): string | undefined {
  return report.checks.find((c) => c.id === id)?.status;
}

/** Runs a finding's fix. `hermes-setup <verb> <target> …` gets the host's connection flags appended. */
export async function runFix(p: PreparedHost, fix: string): Promise<CliResult> {
  if (fix.startsWith('hermes-setup ')) {
    const words = fix
      .split(/\s+/)
      .slice(1)
      .filter((w) => w !== p.target);
    const [verb, ...rest] = words;
    return runCli(
      [verb!, ...p.args, ...rest, ...(verb === 'remote' ? ['--json'] : [])],
      { HOME: p.cliHome },
      { timeoutMs: 180_000 },
    );
  }
  return p.ssh(fix);
}

/** Doctor names `id`; its fix runs successfully; doctor no longer names it. Returns the finding. */
export async function expectFixClears(
  p: PreparedHost,
  id: string,
  expect: (cond: boolean, msg: string) => void,
): Promise<Finding> {
  const before = await runDoctor(p);
  const f = before.findings.find((x) => x.id === id);
  expect(f !== undefined, `doctor should name ${id}; it named ${before.ids.join(', ') || 'nothing'}`);
  const r = await runFix(p, f!.fix);
  expect(r.code === 0, `fix "${f!.fix}" exited ${r.code}: ${r.stderr}${r.stdout.slice(-500)}`);
  const after = await runDoctor(p);
  expect(
    !after.ids.includes(id),
    `after the fix doctor still names ${id}: ${JSON.stringify(after.findings.find((x) => x.id === id))}`,
  );
  return f!;
}
