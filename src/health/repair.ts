// check --repair: the converge again with what the state file recorded (mode, bind, port, daemon), update
// off unless asked. Runs only when a check failed. A token edited in .env without a restart needs no special case:
// the converge restarts whenever the pinned token differs from the one it last converged (steps/drift.ts).
import { toConvergeOptions, type RemoteFlags } from '../commands/remote.js';
import { newConverge, runConverge } from '../converge/run-converge.js';
import { PLIST_PATH_DAEMON } from '../facts/facts-script.js';
import { isTailnet } from '../probe/address.js';
import type { Remote } from '../transport/remote.js';
import type { ConvergeState } from '../state.js';
import type { HealthInput } from './health-input.js';


export interface RepairRun { steps: Array<{ id: string; status: string; detail: string }>; error?: string }

function flagsFrom(state: ConvergeState | undefined, o: { port?: number; passwordFile: string; update: boolean }): RemoteFlags {
  const bind = !state ? 'tailnet' : state.bind === '0.0.0.0' ? 'all' : isTailnet(state.bind) ? 'tailnet' : state.bind;
  const mode = !state || state.mode === 'token' ? 'auto' : state.mode as RemoteFlags['mode'];
  return {
    mode, bind, port: String(o.port ?? state?.port ?? 9119), update: o.update, username: 'hermes', updateTimeout: '1800', updateWait: '120',
    passwordFile: o.passwordFile, allowPublic: true, daemon: state?.servicePath === PLIST_PATH_DAEMON,
  };
}

export async function runRepair(remote: Remote, i: HealthInput, o: { passwordFile: string; update: boolean; port?: number; quiet: boolean }): Promise<RepairRun> {
  const steps: RepairRun['steps'] = [];
  const opts = toConvergeOptions(flagsFrom(i.state, o), remote.label);
  const c = newConverge(remote, opts, () => undefined);
  const run = await runConverge(c, o.quiet || !process.stdout.isTTY ? 'silent' : 'simple');
  steps.push(...run.outcomes.map((s) => ({ id: s.id, status: s.status, detail: s.detail })));
  return { steps, ...(run.error ? { error: run.error.toLine() } : {}) };
}
