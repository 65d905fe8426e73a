// The converge step for systemd: hermes-dashboard.service as a user unit + linger, or a system unit with User=
// when connected as root. daemon-reload only when the unit changed; restart only when a dependency changed.
import { UNIT_NAME } from '../../constants.js';
import type { ConvergeInputs } from '../../converge/inputs.js';
import { remoteCommandError, stepError } from '../../errors.js';
import type { FileFact } from '../../facts/parse-facts.js';
import type { SystemdUnitState } from '../../facts/service-facts.js';
import { renderSystemdUnit } from '../../render/systemd-unit.js';
import { sha256 } from '../../state.js';
import { readTemplate } from '../../templates.js';
import { USER_BUS_ENV } from '../../transport/shell.js';
import type { ChangeStep, Plan, StepIo } from '../../steps/step.js';
import { desiredSpec } from '../desired-spec.js';
import { backupServiceFile } from '../backup.js';
import { dependencyChanged, planTakeover, restartReasons } from '../drift.js';
import { systemctl, systemdLocation } from './systemd-paths.js';

export interface SystemdObserved {
  system: boolean;
  path: string;
  current: FileFact;
  unit?: SystemdUnitState;
  desired: string;
  linger: boolean;
}

export interface SystemdActions {
  system: boolean;
  path: string;
  text: string;
  /** Back up the file there before replacing it (a hand-made unit, or --force); then `reenable` resets its [Install] links. */
  backup?: string;
  note?: string;
  writeUnit: boolean;
  enableLinger: boolean;
  reload: boolean;
  enable: boolean;
  start: boolean;
  restart: boolean;
  reasons: string[];
}

async function readSystemd(_io: StepIo, i: ConvergeInputs): Promise<SystemdObserved> {
  const f = i.facts;
  const loc = systemdLocation(f);
  const system = loc.kind === 'systemd-system';
  const spec = desiredSpec(
    i,
    (bin) =>
      [bin, `${f.home}/.local/bin`, '/usr/local/bin', '/usr/bin', '/bin']
        .filter((v, n, a) => a.indexOf(v) === n)
        .join(':'),
    system ? f.user : undefined,
  );
  const template = await readTemplate(
    system ? 'systemd/hermes-dashboard.system.service' : 'systemd/hermes-dashboard.service',
  );
  return {
    system,
    path: loc.path,
    current: system ? f.unitSystem : f.unitUser,
    ...(system ? (f.systemdSystem ? { unit: f.systemdSystem } : {}) : f.systemdUser ? { unit: f.systemdUser } : {}),
    desired: renderSystemdUnit(template, spec),
    linger: f.linger,
  };
}

function describeSystemd(a: SystemdActions): string {
  return [
    a.note ?? '',
    a.enableLinger ? 'enable linger' : '',
    a.writeUnit ? 'write unit' : '',
    a.reload ? 'daemon-reload' : '',
    a.enable ? 'enable' : '',
    a.start ? 'start' : '',
    a.restart ? `restart (${a.reasons.join(', ')})` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

/** Pure: what to do with the unit, linger and the running service. */
export function planSystemd(o: SystemdObserved, i: ConvergeInputs): Plan<SystemdActions> {
  const current = o.current.content?.toString('utf8');
  const writeUnit = current !== o.desired;
  const take = writeUnit ? planTakeover(current, i, o.path) : { warnings: [] };
  const warnings = take.warnings;
  const active = o.unit?.activeState === 'active';
  const depChanged = dependencyChanged(i);
  // A changed unit or dependency always means restart (it also starts a stopped unit, and replaces a process
  // systemd is bringing back with the old arguments); a plain start only when nothing changed.
  const restart = writeUnit || depChanged;
  const a: SystemdActions = {
    system: o.system,
    path: o.path,
    text: o.desired,
    ...(take.backup ? { backup: take.backup.path } : {}),
    ...(take.note ? { note: take.note } : {}),
    writeUnit,
    enableLinger: !o.system && !o.linger,
    reload: writeUnit,
    enable: o.unit?.unitFileState !== 'enabled' || take.backup !== undefined,
    start: !active && !restart,
    restart,
    reasons: restartReasons(i, writeUnit ? 'unit changed' : undefined),
  };
  const any = a.writeUnit || a.enableLinger || a.enable || a.start || a.restart;
  return {
    ...(any ? { actions: a } : {}),
    describe: describeSystemd(a),
    okDetail: `${UNIT_NAME} active and enabled (pid ${o.unit?.mainPid}), ${o.system ? 'system scope' : 'linger on'}, unchanged ${sha256(o.desired).slice(0, 8)}`,
    implies: {
      serviceText: o.desired,
      warnings,
      changed: { unit: writeUnit, linger: a.enableLinger },
      ...(o.unit?.mainPid ? { service: { pid: o.unit.mainPid } } : {}),
      files: writeUnit
        ? [{ path: o.path, ...(current !== undefined ? { before: current } : {}), after: o.desired, mode: 0o644 }]
        : [],
    },
  };
}

async function enableLinger(io: StepIo, user: string): Promise<void> {
  const r = await io.remote.exec(
    `{ loginctl enable-linger "$(id -un)" 2>/dev/null || sudo -n loginctl enable-linger "$(id -un)" 2>/dev/null; } || exit 4; ${USER_BUS_ENV} for i in $(seq 50); do [ -S "$XR/bus" ] && exit 0; sleep 0.1; done; echo "no user bus at $XR/bus" >&2; exit 3`,
  );
  if (r.code === 3)
    throw stepError(
      'E_USER_BUS',
      `linger is on but the user systemd manager did not start (${r.stderr.trim()})`,
      'check `loginctl show-user $USER` and `systemctl status user@$(id -u)` on the host',
    );
  if (r.code !== 0) {
    throw stepError(
      'E_LINGER',
      `cannot enable linger for ${user}: loginctl was refused and sudo -n is not allowed`,
      `ask an admin to run: sudo loginctl enable-linger ${user} (without linger the dashboard stops at logout and does not start at boot)`,
    );
  }
}

function systemctlScript(a: SystemdActions): string {
  const sc = systemctl(a.system);
  const cmds = [
    a.reload ? `${sc} daemon-reload` : '',
    a.start || a.restart ? `${sc} reset-failed ${UNIT_NAME} 2>/dev/null || true` : '',
    a.enable || a.start ? `${sc} ${a.backup ? 'reenable' : 'enable'} ${a.start ? '--now ' : ''}${UNIT_NAME}` : '',
    a.restart ? `${sc} restart ${UNIT_NAME}` : '',
  ].filter(Boolean);
  return `set -e; ${cmds.join('; ')}`;
}

export const systemdStep: ChangeStep<SystemdObserved, SystemdActions> = {
  kind: 'change',
  id: 'service',
  title: 'Install the systemd unit',
  read: readSystemd,
  plan: planSystemd,
  async apply(io, a, i) {
    if (a.enableLinger) await enableLinger(io, i.facts.user);
    const backup = a.backup ? await backupServiceFile(io, a.path, false) : undefined;
    if (a.writeUnit) await io.remote.writeFileAtomic(a.path, a.text, 0o644);
    const r = await io.remote.exec(systemctlScript(a));
    if (r.code !== 0) {
      throw remoteCommandError(
        'E_SYSTEMCTL',
        'systemctl',
        r,
        /bus/i.test(r.stderr)
          ? 'the user bus is missing ("Failed to connect to bus"): log in directly as this user (not su/sudo) and enable linger'
          : `see: journalctl ${a.system ? '' : '--user '}-u ${UNIT_NAME}`,
      );
    }
    return {
      ...(backup && a.backup !== backup
        ? { detail: describeSystemd({ ...a, note: a.note?.replace(a.backup ?? '', backup) ?? '' }) }
        : {}),
      implies: { service: { restarted: a.restart || a.start }, ...(a.enableLinger ? { lingerEnabledByUs: true } : {}) },
    };
  },
  async verify(io, a) {
    const r = await io.remote.exec(`${systemctl(a.system)} show ${UNIT_NAME} -p ActiveState,MainPID,UnitFileState`);
    const state = Object.fromEntries(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    if (state.ActiveState !== 'active' || state.UnitFileState !== 'enabled') {
      throw stepError(
        'E_SERVICE_INACTIVE',
        `${UNIT_NAME} is ${state.ActiveState ?? 'unknown'} / ${state.UnitFileState ?? 'unknown'} after starting it`,
        `see: journalctl ${a.system ? '' : '--user '}-u ${UNIT_NAME} -n 50`,
      );
    }
    return {
      detail: `${describeSystemd(a)}; ${UNIT_NAME} active (pid ${state.MainPID})`,
      implies: { service: { pid: Number(state.MainPID) } },
    };
  },
};
