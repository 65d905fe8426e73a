// The launchd adapter: a LaunchAgent (gui/ or user/) or a LaunchDaemon (system), its view, restart, logs, removal.
import { LAUNCHD_LABEL, PATHS } from '../../constants.js';
import { remoteCommandError } from '../../errors.js';
import type { Facts } from '../../facts/parse-facts.js';
import type { StepIo, StepOutcome } from '../../steps/step.js';
import { quotePath } from '../../transport/shell.js';
import type { ServiceLocation, ServiceManager, ServiceView } from '../service-types.js';
import { jobIn, launchdInstalled, launchdTarget } from './launchd-domain.js';
import { launchdStep } from './launchd-step.js';

function view(f: Facts, loc: ServiceLocation): ServiceView {
  const { job, disabled } = jobIn(f, loc);
  const fileFact = loc.kind === 'launchd-daemon' ? f.plistDaemon : f.plistAgent;
  const file = fileFact.content?.toString('utf8');
  return {
    location: loc, installed: fileFact.type === 'file', loaded: job.loaded, enabled: !disabled.includes(LAUNCHD_LABEL),
    active: job.state === 'running' && (job.pid ?? 0) > 0, ...(job.pid ? { pid: job.pid } : {}),
    ...(job.runs !== undefined ? { restarts: Math.max(0, job.runs - 1) } : {}), ...(job.lastExitCode !== undefined ? { lastExit: job.lastExitCode } : {}),
    sub: job.loaded ? job.state ?? 'loaded' : 'not loaded', ...(file !== undefined ? { file } : {}),
  };
}

async function run(io: StepIo, cmd: string, what: string): Promise<void> {
  const r = await io.remote.exec(cmd);
  if (r.code !== 0) throw remoteCommandError('E_UNINSTALL', what, r, 'rerun with --debug; the host was left as it was after the last completed step');
}

/** Boots the job out of every domain it is loaded in and removes both plists hermes-setup may have written. */
async function remove(io: StepIo, f: Facts): Promise<StepOutcome[]> {
  const l = f.launchd;
  const sudo = f.uid === 0 ? '' : 'sudo -n ';
  const jobs: Array<[string, string]> = [];
  if (l?.gui.loaded) jobs.push([`gui/${f.uid}`, '']);
  if (l?.user.loaded) jobs.push([`user/${f.uid}`, '']);
  if (l?.system.loaded) jobs.push(['system', sudo]);
  const files: Array<[string, string]> = [];
  if (f.plistAgent.type !== 'missing') files.push([PATHS.plistAgent, '']);
  if (f.plistDaemon.type !== 'missing') files.push([PATHS.plistDaemon, sudo]);
  if (!jobs.length && !files.length) return [{ id: 'service', status: 'ok', detail: `no ${LAUNCHD_LABEL} job` }];
  for (const [domain, s] of jobs) await run(io, `${s}launchctl bootout ${domain}/${LAUNCHD_LABEL}`, `launchctl bootout ${domain}`);
  for (const [path, s] of files) await run(io, `${s}rm -f ${quotePath(path)}`, `removing ${path}`);
  return [{ id: 'service', status: 'changed', detail: `booted out ${jobs.map((j) => j[0]).join(', ') || 'nothing'}, removed ${files.map((x) => x[0]).join(', ')}` }];
}

export const launchdManager: ServiceManager = {
  name: 'launchd',
  target: launchdTarget,
  installed: launchdInstalled,
  view,
  step: launchdStep,
  restartCommand: (loc) => `${loc.sudo ? 'sudo ' : ''}launchctl kickstart -k ${loc.scope}/${LAUNCHD_LABEL}`,
  logHint: () => 'see ~/.hermes/logs/dashboard.error.log',
  remove: async (io, f) => [...(await remove(io, f)), { id: 'linger', status: 'ok', detail: 'not applicable (launchd)' }],
};
