// Step (Linux): the systemd unit hermes-dashboard.service — user unit + linger, or a system unit with User=
// when connected as root. daemon-reload only when the unit changed; restart only when a dependency changed.
import { USER_BUS_ENV } from '../transport/shell.js';
import { stepError } from '../errors.js';
import { UNIT_PATH_SYSTEM, UNIT_PATH_USER } from '../facts/facts-script.js';
import type { FileFact, SystemdUnitState } from '../facts/parse-facts.js';
import { buildDashboardArgv } from '../hermes/dashboard-argv.js';
import { renderSystemdUnit, UNIT_NAME } from '../render/systemd-unit.js';
import { sha256 } from '../state.js';
import { readTemplate } from '../templates.js';
import type { Converge, Step } from './context.js';
import { checkDrift, tokenDrift } from './drift.js';

export interface SystemdState { system: boolean; current: FileFact; unit?: SystemdUnitState; desired: string; linger: boolean; userBus: boolean }
export interface SystemdPlan {
  writeUnit: boolean; enableLinger: boolean; reload: boolean; enable: boolean; start: boolean; restart: boolean; reasons: string[];
}


export function unitPath(system: boolean): string {
  return system ? UNIT_PATH_SYSTEM : UNIT_PATH_USER;
}

async function readSystemd(c: Converge): Promise<SystemdState> {
  const f = c.facts;
  const system = f.uid === 0;
  const h = f.hermes!;
  const spec = {
    programArguments: buildDashboardArgv({ hermesPath: h.path, mode: c.decision!.mode, bind: c.decision!.bind, port: c.opts.port, caps: c.build!.caps, skipBuild: !f.npm }),
    hermesHome: `${f.home}/.hermes`, home: f.home, logDir: `${f.home}/.hermes/logs`, mode: c.decision!.mode,
    path: [h.path.replace(/\/[^/]+$/, ''), `${f.home}/.local/bin`, '/usr/local/bin', '/usr/bin', '/bin'].filter((v, i, a) => a.indexOf(v) === i).join(':'),
    ...(system ? { user: f.user } : {}),
  };
  const template = await readTemplate(system ? 'systemd/hermes-dashboard.system.service' : 'systemd/hermes-dashboard.service');
  return { system, current: system ? f.unitSystem : f.unitUser, unit: system ? f.systemdSystem : f.systemdUser, desired: renderSystemdUnit(template, spec), linger: f.linger, userBus: f.userBus };
}

export function planSystemd(s: SystemdState, c: Converge): SystemdPlan | undefined {
  const current = s.current.content?.toString('utf8');
  const writeUnit = current !== s.desired;
  if (writeUnit) checkDrift(current, c, unitPath(s.system));
  const active = s.unit?.activeState === 'active';
  const dependencyChanged = c.changed.env || c.changed.version || tokenDrift(c) || (c.state !== undefined && c.state.hermesVersion !== c.build!.version);
  const reasons = [writeUnit ? 'unit changed' : '', c.changed.env ? '.env changed' : '', dependencyChanged && !c.changed.env ? 'Hermes version changed' : ''].filter(Boolean);
  const p: SystemdPlan = {
    writeUnit, enableLinger: !s.system && !s.linger, reload: writeUnit,
    // A changed unit or dependency always means restart (it also starts a stopped unit, and replaces a process
    // systemd is bringing back with the old arguments); a plain start only when nothing changed.
    enable: s.unit?.unitFileState !== 'enabled', start: !active && !(writeUnit || dependencyChanged), restart: writeUnit || dependencyChanged, reasons,
  };
  if (p.writeUnit) c.files.push({ path: unitPath(s.system), ...(current !== undefined ? { before: current } : {}), after: s.desired, mode: 0o644 });
  return Object.entries(p).some(([k, v]) => k !== 'reasons' && v === true) ? p : undefined;
}

async function enableLinger(c: Converge): Promise<void> {
  const r = await c.remote.exec(`{ loginctl enable-linger "$(id -un)" 2>/dev/null || sudo -n loginctl enable-linger "$(id -un)" 2>/dev/null; } || exit 4; ${USER_BUS_ENV} for i in $(seq 50); do [ -S "$XR/bus" ] && exit 0; sleep 0.1; done; echo "no user bus at $XR/bus" >&2; exit 3`);
  if (r.code === 3) throw stepError('E_USER_BUS', `linger is on but the user systemd manager did not start (${r.stderr.trim()})`, 'check `loginctl show-user $USER` and `systemctl status user@$(id -u)` on the host');
  if (r.code !== 0) {
    throw stepError('E_LINGER', `cannot enable linger for ${c.facts.user}: loginctl was refused and sudo -n is not allowed`,
      `ask an admin to run: sudo loginctl enable-linger ${c.facts.user} (without linger the dashboard stops at logout and does not start at boot)`);
  }
  c.lingerEnabledByUs = true;
  c.changed.linger = true;
}

function systemctlScript(p: SystemdPlan, system: boolean): string {
  const sc = system ? 'systemctl' : `${USER_BUS_ENV} systemctl --user`;
  const cmds = [p.reload ? `${sc} daemon-reload` : '', p.start || p.restart ? `${sc} reset-failed ${UNIT_NAME} 2>/dev/null || true` : '',
    p.enable || p.start ? `${sc} enable ${p.start ? '--now ' : ''}${UNIT_NAME}` : '',
    p.restart ? `${sc} restart ${UNIT_NAME}` : ''].filter(Boolean);
  return `set -e; ${cmds.join('; ')}`;
}

export const systemdStep: Step<SystemdState, SystemdPlan> = {
  id: 'service',
  title: 'Install the systemd unit',
  read: readSystemd,
  plan: planSystemd,
  describe: (p) => [p.enableLinger ? 'enable linger' : '', p.writeUnit ? 'write unit' : '', p.reload ? 'daemon-reload' : '', p.enable ? 'enable' : '',
    p.start ? 'start' : '', p.restart ? `restart (${p.reasons.join(', ')})` : ''].filter(Boolean).join(', '),
  async apply(c, p) {
    const system = c.facts.uid === 0;
    if (p.enableLinger) await enableLinger(c);
    if (p.writeUnit) await c.remote.writeFileAtomic(unitPath(system), (c.files.find((f) => f.path === unitPath(system))?.after) ?? '', 0o644);
    c.changed.unit = p.writeUnit;
    const r = await c.remote.exec(systemctlScript(p, system));
    if (r.code !== 0) {
      throw stepError('E_SYSTEMCTL', `systemctl failed (exit ${r.code}): ${r.stderr.trim().split('\n').pop() ?? ''}`,
        /bus/i.test(r.stderr) ? 'the user bus is missing ("Failed to connect to bus"): log in directly as this user (not su/sudo) and enable linger' : `see: journalctl ${system ? '' : '--user '}-u ${UNIT_NAME}`);
    }
    c.service.restarted = p.restart || p.start;
  },
  async verify(c) {
    const system = c.facts.uid === 0;
    const sc = system ? 'systemctl' : `${USER_BUS_ENV} systemctl --user`;
    const r = await c.remote.exec(`${sc} show ${UNIT_NAME} -p ActiveState,MainPID,UnitFileState`);
    const state = Object.fromEntries(r.stdout.trim().split('\n').map((l) => l.split('=') as [string, string]));
    if (state.ActiveState !== 'active' || state.UnitFileState !== 'enabled') {
      throw stepError('E_SERVICE_INACTIVE', `${UNIT_NAME} is ${state.ActiveState ?? 'unknown'} / ${state.UnitFileState ?? 'unknown'} after starting it`,
        `see: journalctl ${system ? '' : '--user '}-u ${UNIT_NAME} -n 50`);
    }
    c.service.pid = Number(state.MainPID);
  },
  okDetail: (s, c) => {
    c.service.pid = s.unit?.mainPid;
    return `${UNIT_NAME} active and enabled (pid ${s.unit?.mainPid}), ${s.system ? 'system scope' : 'linger on'}, unchanged ${sha256(s.desired).slice(0, 8)}`;
  },
};
