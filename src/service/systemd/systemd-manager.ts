// The systemd adapter: user unit + linger (or a system unit as root), its view, restart, logs and removal.
import { UNIT_NAME } from '../../constants.js';
import { remoteCommandError } from '../../errors.js';
import type { Facts } from '../../facts/parse-facts.js';
import type { ConvergeState } from '../../state.js';
import type { StepIo, StepOutcome } from '../../steps/step.js';
import { quotePath } from '../../transport/shell.js';
import type { ServiceLocation, ServiceManager, ServiceView } from '../service-types.js';
import { systemctl, systemdLocation } from './systemd-paths.js';
import { systemdStep } from './systemd-step.js';

function view(f: Facts, loc: ServiceLocation): ServiceView {
  const system = loc.kind === 'systemd-system';
  const u = system ? f.systemdSystem : f.systemdUser;
  const fileFact = system ? f.unitSystem : f.unitUser;
  const file = fileFact.content?.toString('utf8');
  return {
    location: loc,
    installed: fileFact.type === 'file',
    loaded: u?.loadState === 'loaded',
    enabled: u?.unitFileState === 'enabled',
    active: u?.activeState === 'active',
    ...(u?.mainPid ? { pid: u.mainPid } : {}),
    restarts: u?.nRestarts ?? 0,
    ...(u ? { lastExit: u.execMainStatus } : {}),
    sub: u ? `${u.activeState}/${u.subState}` : f.userBus || system ? 'unknown' : 'no user bus',
    ...(file !== undefined ? { file } : {}),
  };
}

async function run(io: StepIo, cmd: string, what: string): Promise<void> {
  const r = await io.remote.exec(cmd);
  if (r.code !== 0)
    throw remoteCommandError(
      'E_UNINSTALL',
      what,
      r,
      'rerun with --debug; the host was left as it was after the last completed step',
    );
}

async function removeUnit(io: StepIo, f: Facts): Promise<StepOutcome> {
  const loc = systemdLocation(f);
  const v = view(f, loc);
  if (!v.installed && !v.loaded) return { id: 'service', status: 'ok', detail: `no ${UNIT_NAME}` };
  const sc = systemctl(loc.kind === 'systemd-system');
  await run(
    io,
    `${sc} disable --now ${UNIT_NAME} 2>/dev/null; rm -f ${quotePath(loc.path)} && ${sc} daemon-reload && ${sc} reset-failed ${UNIT_NAME} 2>/dev/null; true`,
    'removing the unit',
  );
  return { id: 'service', status: 'changed', detail: `stopped, disabled and removed ${UNIT_NAME}` };
}

/** Linger is reverted only when hermes-setup enabled it. */
async function revertLinger(io: StepIo, f: Facts, s: ConvergeState | undefined): Promise<StepOutcome> {
  if (!s?.lingerEnabledByUs || !f.linger)
    return {
      id: 'linger',
      status: 'ok',
      detail: s?.lingerEnabledByUs ? 'already off' : 'left as it was (hermes-setup did not enable it)',
    };
  await run(
    io,
    'loginctl disable-linger "$(id -un)" 2>/dev/null || sudo -n loginctl disable-linger "$(id -un)"',
    'loginctl disable-linger',
  );
  return { id: 'linger', status: 'changed', detail: 'disabled linger (hermes-setup had enabled it)' };
}

export const systemdManager: ServiceManager = {
  name: 'systemd',
  target: (f) => systemdLocation(f),
  installed: (f) => systemdLocation(f),
  view,
  step: systemdStep,
  restartCommand: (loc) =>
    loc.kind === 'systemd-system' ? `sudo systemctl restart ${UNIT_NAME}` : `systemctl --user restart ${UNIT_NAME}`,
  logHint: (loc) => `journalctl ${loc.kind === 'systemd-system' ? '' : '--user '}-u ${UNIT_NAME} -n 50`,
  remove: async (io, f, s) => [await removeUnit(io, f), await revertLinger(io, f, s)],
};
