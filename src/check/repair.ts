// check --repair: the converge again with what the state file recorded (mode, bind, port, domain), update off unless
// asked. Runs only when a check failed. A token edited in .env without a restart needs no special case: the converge
// restarts whenever the pinned token differs from the one it last converged (src/service/drift.ts).
import { runConverge } from '../converge/run-converge.js';
import { repairOptions } from '../options/converge-options.js';
import type { Remote } from '../transport/remote.js';
import type { StepOutcome } from '../steps/step.js';
import type { HealthInput } from './health-input.js';

export interface RepairRun { steps: StepOutcome[]; error?: string }

export async function runRepair(remote: Remote, i: HealthInput, o: { passwordFile: string; update: boolean; port?: number }): Promise<RepairRun> {
  const opts = repairOptions(i.state, { ...o, targetLabel: remote.label });
  const s = await runConverge(remote, opts);
  return { steps: s.outcomes, ...(s.error ? { error: s.error.toLine() } : {}) };
}
