// check --repair: the converge again with what the state file recorded (mode, bind, port, domain), update off unless
// asked. Runs only when a check failed. A token edited in .env without a restart needs no special case: the converge
// restarts whenever the pinned token differs from the one it last converged (src/service/drift.ts).
// --dry-run: the same converge, planned only (what it would change, with diffs); nothing is written.
import { renderDiffs } from '../converge/report.js';
import { runConverge } from '../converge/run-converge.js';
import { repairOptions } from '../options/converge-options.js';
import type { Remote } from '../transport/remote.js';
import type { StepOutcome } from '../steps/step.js';
import type { HealthInput } from './health-input.js';

export interface RepairRun {
  steps: StepOutcome[];
  error?: string;
  diffs?: string;
}

export async function runRepair(
  remote: Remote,
  i: HealthInput,
  o: { passwordFile: string; update: boolean; port?: number; dryRun?: boolean; sshTarget?: string },
): Promise<RepairRun> {
  const opts = repairOptions(i.state, { ...o, targetLabel: remote.label });
  const s = await runConverge(remote, opts);
  const files = s.inputs?.files ?? [];
  const diffs = o.dryRun && files.length ? await renderDiffs(files, s.inputs?.redact ?? []) : undefined;
  return { steps: s.outcomes, ...(s.error ? { error: s.error.toLine() } : {}), ...(diffs ? { diffs } : {}) };
}
