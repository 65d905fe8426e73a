// The launchd adapter: a LaunchAgent (gui/ or user/) or a LaunchDaemon (system), its view, restart, logs, removal.
import { LAUNCHD_LABEL, PATHS } from '../../constants.js';
import type { Facts } from '../../facts/parse-facts.js';
import type { StepIo, StepOutcome } from '../../steps/step.js';
import type { ServiceLocation, ServiceManager, ServiceView } from '../service-types.js';
import { daemonLocation, duplicatesOf, jobIn, launchdInstalled, launchdTarget } from './launchd-domain.js';
import { bootoutAndWait, checkSudo, removeFile, targetOf } from './launchd-shell.js';
import { startupNote } from './launchd-startup.js';
import { launchdStep } from './launchd-step.js';

function view(f: Facts, loc: ServiceLocation): ServiceView {
  const { job, disabled } = jobIn(f, loc);
  const fileFact = loc.kind === 'launchd-daemon' ? f.plistDaemon : f.plistAgent;
  const file = fileFact.content?.toString('utf8');
  const duplicates = duplicatesOf(f, loc);
  const startup = startupNote(f, loc.kind);
  return {
    location: loc,
    installed: fileFact.type === 'file',
    loaded: job.loaded,
    enabled: !disabled.includes(LAUNCHD_LABEL),
    active: job.state === 'running' && (job.pid ?? 0) > 0,
    ...(job.pid ? { pid: job.pid } : {}),
    ...(job.runs !== undefined ? { restarts: Math.max(0, job.runs - 1) } : {}),
    ...(job.lastExitCode !== undefined ? { lastExit: job.lastExitCode } : {}),
    sub: job.loaded ? (job.state ?? 'loaded') : 'not loaded',
    ...(file !== undefined ? { file } : {}),
    ...(duplicates.length ? { duplicates } : {}),
    ...(startup ? { startup } : {}),
  };
}

const UNINSTALL_SUDO_HINT =
  'the LaunchDaemon needs root to remove: give this user passwordless sudo, or connect as root';

/**
 * Boots the job out of every domain it is loaded in (waiting out 36, "in progress") and removes both plists
 * hermes-setup may have written. The system domain is booted out whenever the daemon plist exists: without sudo its
 * job is not visible to the facts.
 */
async function remove(io: StepIo, f: Facts): Promise<StepOutcome[]> {
  const l = f.launchd;
  const daemon = daemonLocation(f);
  const agent = (scope: string): ServiceLocation => ({
    kind: 'launchd-agent',
    scope,
    path: PATHS.plistAgent,
    sudo: false,
  });
  const jobs: ServiceLocation[] = [];
  if (l?.gui.loaded) jobs.push(agent(`gui/${f.uid}`));
  if (l?.user.loaded) jobs.push(agent(`user/${f.uid}`));
  if (l?.system.loaded || f.plistDaemon.type !== 'missing') jobs.push(daemon);
  const files: ServiceLocation[] = [];
  if (f.plistAgent.type !== 'missing') files.push(agent(`user/${f.uid}`));
  if (f.plistDaemon.type !== 'missing') files.push(daemon);
  if (!jobs.length && !files.length) return [{ id: 'service', status: 'ok', detail: `no ${LAUNCHD_LABEL} job` }];
  if ([...jobs, ...files].some((x) => x.sudo))
    await checkSudo(io, `removing ${PATHS.plistDaemon}`, UNINSTALL_SUDO_HINT);
  const done: string[] = [];
  for (const loc of jobs)
    done.push(
      `${targetOf(loc)}${(await bootoutAndWait(io, loc, 'E_UNINSTALL')) ? ' (bootout 36: waited until it exited)' : ''}`,
    );
  for (const loc of files) await removeFile(io, loc, 'E_UNINSTALL');
  return [
    {
      id: 'service',
      status: 'changed',
      detail: `booted out ${done.join(', ') || 'nothing'}, removed ${files.map((x) => x.path).join(', ') || 'nothing'}`,
    },
  ];
}

export const launchdManager: ServiceManager = {
  name: 'launchd',
  target: launchdTarget,
  installed: launchdInstalled,
  view,
  step: launchdStep,
  restartCommand: (loc) => `${loc.sudo ? 'sudo ' : ''}launchctl kickstart -k ${loc.scope}/${LAUNCHD_LABEL}`,
  logHint: () => 'see ~/.hermes/logs/dashboard.error.log',
  remove: async (io, f) => [
    ...(await remove(io, f)),
    { id: 'linger', status: 'ok', detail: 'not applicable (launchd)' },
  ],
};
