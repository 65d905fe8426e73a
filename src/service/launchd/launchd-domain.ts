// The one rule for the launchd domain, used by every command (converge, record, strays, check, doctor, uninstall).
// A LaunchDaemon lives in `system`. A LaunchAgent lives in the domain asked with --launchd-domain; else where it
// already serves (the instance holding the port, then a running one, then the recorded scope); else `gui/<uid>`
// while a GUI session exists and `user/<uid>` otherwise (peers.md §4.2). An installed service is found from the
// recorded state, then by looking in system, gui/<uid> and user/<uid>. Exactly one dashboard service per host
// (issue 13): every other loaded instance of the label (docs/hermes-contract.md#c14) and the other kind's plist
// are duplicates, which a converge removes and check/doctor name.
import { LAUNCHD_LABEL, PATHS } from '../../constants.js';
import type { Facts, FileFact } from '../../facts/parse-facts.js';
import type { LaunchdJob } from '../../facts/service-facts.js';
import type { ConvergeState } from '../../state.js';
import type { ServiceDuplicate, ServiceLocation, TargetOptions } from '../service-types.js';

export function daemonLocation(f: Facts): ServiceLocation {
  return { kind: 'launchd-daemon', scope: 'system', path: PATHS.plistDaemon, sudo: f.uid !== 0 };
}

export function agentLocation(f: Facts, scope?: string): ServiceLocation {
  return {
    kind: 'launchd-agent',
    scope: scope ?? (f.launchd?.guiAvailable ? `gui/${f.uid}` : `user/${f.uid}`),
    path: PATHS.plistAgent,
    sudo: false,
  };
}

export interface LaunchdInstance {
  loc: ServiceLocation;
  job: LaunchdJob;
}

/** Every domain the label may be loaded in, with its job as the facts saw it (gui before user). */
function allInstances(f: Facts): LaunchdInstance[] {
  const l = f.launchd;
  const none: LaunchdJob = { loaded: false };
  return [
    { loc: daemonLocation(f), job: l?.system ?? none },
    { loc: agentLocation(f, `gui/${f.uid}`), job: l?.gui ?? none },
    { loc: agentLocation(f, `user/${f.uid}`), job: l?.user ?? none },
  ];
}

/** 3: its pid holds the dashboard port; 2: running; 1: loaded. */
function rank(f: Facts, job: LaunchdJob): number {
  if (job.pid !== undefined && f.listeners.some((l) => l.pid === job.pid)) return 3;
  return job.state === 'running' && (job.pid ?? 0) > 0 ? 2 : 1;
}

function usable(f: Facts, scope: string): boolean {
  return !scope.startsWith('gui/') || f.launchd?.guiAvailable === true;
}

const recordedAgentScope = (f: Facts, state?: ConvergeState): string | undefined =>
  state?.serviceScope === `gui/${f.uid}` || state?.serviceScope === `user/${f.uid}` ? state.serviceScope : undefined;

/** The best of these instances: serving first, then the recorded scope, then gui/ before user/. */
function best(f: Facts, xs: LaunchdInstance[], recorded: string | undefined): LaunchdInstance | undefined {
  const score = (x: LaunchdInstance) => rank(f, x.job) * 2 + (x.loc.scope === recorded ? 1 : 0);
  return xs.reduce<LaunchdInstance | undefined>((b, x) => (b === undefined || score(x) > score(b) ? x : b), undefined);
}

/** Where the LaunchAgent belongs: asked, else where it serves, else recorded, else the GUI rule. */
export function agentScope(f: Facts, state?: ConvergeState, asked?: 'gui' | 'user'): string {
  if (asked) return `${asked}/${f.uid}`;
  const recorded = recordedAgentScope(f, state);
  const loaded = allInstances(f).filter(
    (x) => x.loc.kind === 'launchd-agent' && x.job.loaded && usable(f, x.loc.scope),
  );
  const b = best(f, loaded, recorded);
  if (b) return b.loc.scope;
  if (recorded && usable(f, recorded)) return recorded;
  return agentLocation(f).scope;
}

export function launchdTarget(f: Facts, o: TargetOptions, state?: ConvergeState): ServiceLocation {
  return o.daemon ? daemonLocation(f) : agentLocation(f, agentScope(f, state, o.launchdDomain));
}

function recordedKind(state: ConvergeState | undefined): 'launchd-agent' | 'launchd-daemon' | undefined {
  if (state?.serviceKind === 'launchd-agent' || state?.serviceKind === 'launchd-daemon') return state.serviceKind;
  if (state?.servicePath === PATHS.plistDaemon) return 'launchd-daemon';
  if (state?.servicePath === PATHS.plistAgent) return 'launchd-agent';
  return undefined;
}

function lookedUpKind(f: Facts): 'launchd-agent' | 'launchd-daemon' {
  const b = best(
    f,
    allInstances(f).filter((x) => x.job.loaded),
    undefined,
  );
  if (b) return b.loc.kind as 'launchd-agent' | 'launchd-daemon';
  return f.plistDaemon.type === 'file' && f.plistAgent.type !== 'file' ? 'launchd-daemon' : 'launchd-agent';
}

export function launchdInstalled(f: Facts, state?: ConvergeState): ServiceLocation {
  const kind = recordedKind(state) ?? lookedUpKind(f);
  return kind === 'launchd-daemon' ? daemonLocation(f) : agentLocation(f, agentScope(f, state));
}

/** The job and the disabled overrides of a location's domain, from the facts. */
export function jobIn(f: Facts, loc: ServiceLocation): { job: LaunchdJob; disabled: string[] } {
  const l = f.launchd;
  if (loc.scope === 'system') return { job: l?.system ?? { loaded: false }, disabled: l?.disabledSystem ?? [] };
  if (loc.scope.startsWith('gui/')) return { job: l?.gui ?? { loaded: false }, disabled: l?.disabledGui ?? [] };
  return { job: l?.user ?? { loaded: false }, disabled: l?.disabledUser ?? [] };
}

/** What else of the label is on the host besides `loc`: domains to boot out, plists to remove. */
export interface OtherInstances {
  /** Loaded elsewhere (the system domain also whenever the daemon plist exists: without sudo its job is not visible). */
  bootout: LaunchdInstance[];
  /** The other kind's plist (the agent's when installing the daemon, and vice versa). */
  remove: ServiceLocation[];
}

const present = (x: FileFact): boolean => x.type !== 'missing';

export function otherInstances(f: Facts, loc: ServiceLocation): OtherInstances {
  const bootout = allInstances(f).filter(
    (x) => x.loc.scope !== loc.scope && (x.job.loaded || (x.loc.kind === 'launchd-daemon' && present(f.plistDaemon))),
  );
  const remove: ServiceLocation[] = [];
  if (loc.kind === 'launchd-agent' && present(f.plistDaemon)) remove.push(daemonLocation(f));
  if (loc.kind === 'launchd-daemon' && present(f.plistAgent)) remove.push(agentLocation(f));
  return { bootout, remove };
}

function describeJob(x: LaunchdInstance): string {
  return `${x.loc.scope}/${LAUNCHD_LABEL} (${x.job.state ?? 'loaded'}${x.job.pid ? `, pid ${x.job.pid}` : ''})`;
}

/** The duplicates of `loc` as check and doctor name them. */
export function duplicatesOf(f: Facts, loc: ServiceLocation): ServiceDuplicate[] {
  const o = otherInstances(f, loc);
  const loaded = o.bootout.filter((x) => x.job.loaded);
  const jobs = loaded.map((x) => ({ what: describeJob(x), ...(x.job.pid ? { pid: x.job.pid } : {}) }));
  const files = o.remove
    .filter((r) => !loaded.some((x) => x.loc.kind === r.kind))
    .map((r) => ({
      what: `${r.path} (not loaded now; loads at the next ${r.kind === 'launchd-daemon' ? 'boot' : 'login'})`,
    }));
  return [...jobs, ...files];
}
