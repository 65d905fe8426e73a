// The one rule for the launchd domain, used by every command: a LaunchDaemon lives in `system`; a LaunchAgent in
// `gui/<uid>` while a GUI session exists, else `user/<uid>`. An installed job is found from the recorded state,
// then by looking in system, gui/<uid> and user/<uid>.
import { PATHS } from '../../constants.js';
import type { Facts, LaunchdJob } from '../../facts/parse-facts.js';
import type { ConvergeState } from '../../state.js';
import type { ServiceLocation } from '../service-types.js';

export function daemonLocation(f: Facts): ServiceLocation {
  return { kind: 'launchd-daemon', scope: 'system', path: PATHS.plistDaemon, sudo: f.uid !== 0 };
}

export function agentLocation(f: Facts, scope?: string): ServiceLocation {
  return { kind: 'launchd-agent', scope: scope ?? (f.launchd?.guiAvailable ? `gui/${f.uid}` : `user/${f.uid}`), path: PATHS.plistAgent, sudo: false };
}

export function launchdTarget(f: Facts, o: { daemon: boolean }): ServiceLocation {
  return o.daemon ? daemonLocation(f) : agentLocation(f);
}

function recordedKind(state: ConvergeState | undefined): 'launchd-agent' | 'launchd-daemon' | undefined {
  if (state?.serviceKind === 'launchd-agent' || state?.serviceKind === 'launchd-daemon') return state.serviceKind;
  if (state?.servicePath === PATHS.plistDaemon) return 'launchd-daemon';
  if (state?.servicePath === PATHS.plistAgent) return 'launchd-agent';
  return undefined;
}

export function launchdInstalled(f: Facts, state?: ConvergeState): ServiceLocation {
  const l = f.launchd;
  const kind = recordedKind(state)
    ?? (l?.system.loaded || (f.plistDaemon.type === 'file' && f.plistAgent.type !== 'file') ? 'launchd-daemon' : 'launchd-agent');
  if (kind === 'launchd-daemon') return daemonLocation(f);
  if (l?.gui.loaded) return agentLocation(f, `gui/${f.uid}`);
  if (l?.user.loaded) return agentLocation(f, `user/${f.uid}`);
  return agentLocation(f, state?.serviceScope && /^(gui|user)\/\d+$/.test(state.serviceScope) ? state.serviceScope : undefined);
}

/** The job and the disabled overrides of a location's domain, from the facts. */
export function jobIn(f: Facts, loc: ServiceLocation): { job: LaunchdJob; disabled: string[] } {
  const l = f.launchd;
  if (loc.scope === 'system') return { job: l?.system ?? { loaded: false }, disabled: l?.disabledSystem ?? [] };
  if (loc.scope.startsWith('gui/')) return { job: l?.gui ?? { loaded: false }, disabled: l?.disabledGui ?? [] };
  return { job: l?.user ?? { loaded: false }, disabled: l?.disabledUser ?? [] };
}
