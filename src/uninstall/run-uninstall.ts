// Uninstall: stop and remove the service, revert linger only if hermes-setup enabled it, unpin the token only
// when asked, remove the state file and the cron entry. Touches nothing else; a second run finds nothing to do.
import { stepError } from '../errors.js';
import { ENV_PATH, PLIST_PATH_AGENT, PLIST_PATH_DAEMON, STATE_PATH, UNIT_PATH_SYSTEM, UNIT_PATH_USER } from '../facts/facts-script.js';
import { gatherFacts } from '../facts/gather.js';
import type { Facts } from '../facts/parse-facts.js';
import { removeDotenvKey } from '../render/env-file.js';
import type { Remote } from '../transport/remote.js';
import { quotePath, USER_BUS_ENV } from '../transport/shell.js';
import { parseState, type ConvergeState } from '../state.js';
import { TOKEN_KEY } from '../secrets.js';
import { acquireLock } from '../converge/remote-lock.js';
import { decodeEnv, ENV_BACKUP_PATH } from '../steps/env.js';
import type { StepOutcome } from '../steps/context.js';

export interface UninstallOptions { unpinToken: boolean; lockWaitMs: number; port: number }


async function run(remote: Remote, cmd: string, what: string): Promise<void> {
  const r = await remote.exec(cmd);
  if (r.code !== 0) throw stepError('E_UNINSTALL', `${what} failed (exit ${r.code}): ${r.stderr.trim().split('\n').pop() ?? ''}`, 'rerun with --debug; the host was left as it was after the last completed step');
}

async function removeSystemd(remote: Remote, f: Facts): Promise<StepOutcome> {
  const system = f.uid === 0;
  const file = system ? f.unitSystem : f.unitUser;
  const unit = system ? f.systemdSystem : f.systemdUser;
  const loaded = unit !== undefined && unit.loadState === 'loaded';
  if (file.type === 'missing' && !loaded) return { id: 'service', status: 'ok', detail: 'no hermes-dashboard.service' };
  const sc = system ? 'systemctl' : `${USER_BUS_ENV} systemctl --user`;
  await run(remote, `${sc} disable --now hermes-dashboard.service 2>/dev/null; rm -f ${quotePath(system ? UNIT_PATH_SYSTEM : UNIT_PATH_USER)} && ${sc} daemon-reload && ${sc} reset-failed hermes-dashboard.service 2>/dev/null; true`, 'removing the unit');
  return { id: 'service', status: 'changed', detail: 'stopped, disabled and removed hermes-dashboard.service' };
}

async function removeLaunchd(remote: Remote, f: Facts): Promise<StepOutcome> {
  const l = f.launchd;
  const jobs: Array<[string, string]> = [];
  if (l?.gui.loaded) jobs.push([`gui/${f.uid}`, '']);
  if (l?.user.loaded) jobs.push([`user/${f.uid}`, '']);
  if (l?.system.loaded) jobs.push(['system', f.uid === 0 ? '' : 'sudo -n ']);
  const files = [f.plistAgent.type !== 'missing' ? [PLIST_PATH_AGENT, ''] : undefined, f.plistDaemon.type !== 'missing' ? [PLIST_PATH_DAEMON, f.uid === 0 ? '' : 'sudo -n '] : undefined].filter((x): x is string[] => x !== undefined);
  if (!jobs.length && !files.length) return { id: 'service', status: 'ok', detail: 'no ai.hermes.dashboard job' };
  for (const [domain, su] of jobs) await run(remote, `${su}launchctl bootout ${domain}/ai.hermes.dashboard`, `launchctl bootout ${domain}`);
  for (const [path, su] of files) await run(remote, `${su}rm -f ${quotePath(path!)}`, `removing ${path}`);
  return { id: 'service', status: 'changed', detail: `booted out ${jobs.map((j) => j[0]).join(', ') || 'nothing'}, removed ${files.map((x) => x[0]).join(', ')}` };
}

async function revertLinger(remote: Remote, f: Facts, s: ConvergeState | undefined): Promise<StepOutcome> {
  if (!s?.lingerEnabledByUs || !f.linger) return { id: 'linger', status: 'ok', detail: s?.lingerEnabledByUs ? 'already off' : 'left as it was (hermes-setup did not enable it)' };
  await run(remote, 'loginctl disable-linger "$(id -un)" 2>/dev/null || sudo -n loginctl disable-linger "$(id -un)"', 'loginctl disable-linger');
  return { id: 'linger', status: 'changed', detail: 'disabled linger (hermes-setup had enabled it)' };
}

async function unpin(remote: Remote, f: Facts, s: ConvergeState | undefined, opts: UninstallOptions): Promise<StepOutcome> {
  if (!opts.unpinToken) return { id: 'env', status: 'ok', detail: 'token left pinned (pass --unpin-token to remove it)' };
  const text = decodeEnv(f.env);
  let next = text;
  for (const k of s?.envKeys ?? [TOKEN_KEY]) {
    const e = removeDotenvKey(next, k);
    if (e.changed) next = e.text;
  }
  if (next === text) return { id: 'env', status: 'ok', detail: 'no pinned token' };
  await remote.writeFileAtomic(ENV_BACKUP_PATH, text, 0o600);
  await remote.writeFileAtomic(ENV_PATH, next, 0o600);
  return { id: 'env', status: 'changed', detail: `removed ${(s?.envKeys ?? [TOKEN_KEY]).join(', ')} from .env (backup kept)` };
}

export async function runUninstall(remote: Remote, opts: UninstallOptions, log: (l: string) => void): Promise<StepOutcome[]> {
  const lock = await acquireLock(remote, opts.lockWaitMs, log);
  try {
    const f = await gatherFacts(remote, opts.port);
    const s = parseState(f.state.content);
    const steps = [f.os === 'Darwin' ? await removeLaunchd(remote, f) : await removeSystemd(remote, f), await revertLinger(remote, f, s), await unpin(remote, f, s, opts)];
    if (f.state.type !== 'missing') {
      await run(remote, `rm -f ${quotePath(STATE_PATH)}`, 'removing the state file');
      steps.push({ id: 'record', status: 'changed', detail: `removed ${STATE_PATH}` });
    } else steps.push({ id: 'record', status: 'ok', detail: 'no state file' });
    return steps;
  } finally {
    await lock.release();
  }
}
