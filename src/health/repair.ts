// check --repair: the converge again with what the state file recorded (mode, bind, port, daemon), update
// off unless asked. Runs only when a check failed; a token edited without a restart gets the restart it needs
// first (the converge keeps an existing pinned token and restarts only when it changed the .env itself).
import { USER_BUS_ENV } from '../remote/shell.js';
import { toConvergeOptions, type RemoteFlags } from '../commands/remote.js';
import { newConverge, runConverge } from '../converge/run-converge.js';
import { PLIST_PATH_DAEMON } from '../facts/facts-script.js';
import { isTailnet } from '../probe/address.js';
import type { Remote } from '../remote/remote.js';
import type { ConvergeState } from '../state.js';
import { readServiceView, type HealthInput } from './health-input.js';
import type { CheckLine } from './plan-checks.js';


export interface RepairRun { steps: Array<{ id: string; status: string; detail: string }>; error?: string }

function flagsFrom(state: ConvergeState | undefined, o: { port?: number; passwordFile: string; update: boolean }): RemoteFlags {
  const bind = !state ? 'tailnet' : state.bind === '0.0.0.0' ? 'all' : isTailnet(state.bind) ? 'tailnet' : state.bind;
  const mode = !state || state.mode === 'token' ? 'auto' : state.mode as RemoteFlags['mode'];
  return {
    mode, bind, port: String(o.port ?? state?.port ?? 9119), update: o.update, username: 'hermes', updateTimeout: '1800', updateWait: '120',
    passwordFile: o.passwordFile, allowPublic: true, daemon: state?.servicePath === PLIST_PATH_DAEMON,
  };
}

async function restartForToken(remote: Remote, i: HealthInput, lines: CheckLine[]): Promise<RepairRun['steps']> {
  const token = lines.find((l) => l.id === 'token');
  if (token?.status !== 'FAIL' || !/changed without restart/.test(token.detail)) return [];
  const v = readServiceView(i.facts);
  const cmd = v.kind === 'launchd' ? `launchctl kickstart -k ${v.domain}/ai.hermes.dashboard`
    : v.kind === 'systemd-system' ? 'systemctl restart hermes-dashboard.service' : `${USER_BUS_ENV} systemctl --user restart hermes-dashboard.service`;
  const r = await remote.exec(cmd);
  return [{ id: 'restart', status: r.code === 0 ? 'changed' : 'failed', detail: `restart to load the token in .env (${r.code === 0 ? 'done' : r.stderr.trim()})` }];
}

export async function runRepair(remote: Remote, i: HealthInput, lines: CheckLine[], o: { passwordFile: string; update: boolean; port?: number; quiet: boolean }): Promise<RepairRun> {
  const steps = await restartForToken(remote, i, lines);
  const opts = toConvergeOptions(flagsFrom(i.state, o), remote.label);
  const c = newConverge(remote, opts, () => undefined);
  const run = await runConverge(c, o.quiet || !process.stdout.isTTY ? 'silent' : 'simple');
  steps.push(...run.outcomes.map((s) => ({ id: s.id, status: s.status, detail: s.detail })));
  return { steps, ...(run.error ? { error: run.error.toLine() } : {}) };
}
