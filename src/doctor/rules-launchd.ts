// Doctor rules about a launchd service: a disabled override, exit 78 (EX_CONFIG), installed but not loaded (no GUI
// session, or bootstrap failed), exits at start, and a second dashboard service. Pure: HealthInput in, findings out.
import type { HealthInput } from '../check/health-input.js';
import { LAUNCHD_LABEL } from '../constants.js';
import type { ServiceView } from '../service/service-types.js';
import { problem, type Finding } from './finding.js';

export const isLaunchd = (v: ServiceView): boolean => v.location.kind.startsWith('launchd');

export function launchdExit(i: HealthInput, v: ServiceView): Finding[] {
  if (!isLaunchd(v)) return [];
  const out: Finding[] = [];
  const target = `${v.location.scope}/${LAUNCHD_LABEL}`;
  if (!v.enabled) out.push(disabledOverride(target));
  if (v.lastExit === 78 && !v.active) out.push(exitConfig(i, target));
  const unloaded = notLoaded(i, v, target);
  if (unloaded) out.push(unloaded);
  if (v.loaded && !v.active && v.lastExit !== undefined && v.lastExit !== 0 && v.lastExit !== 78) {
    out.push(
      problem(
        'launchd-exits',
        `${target} is loaded but not running (last exit ${v.lastExit})`,
        `the dashboard exits at start${errorLogEnd(i)}`,
        `hermes-setup check --repair ${i.target}`,
      ),
    );
  }
  return out;
}

function disabledOverride(target: string): Finding {
  return problem(
    'launchd-disabled',
    `${target} has a persistent disabled override`,
    '`launchctl disable` / `unload -w` wrote an override that survives reboots and plist deletion; bootstrap then fails with exit 5 (Input/output error)',
    `launchctl enable ${target}`,
  );
}

function exitConfig(i: HealthInput, target: string): Finding {
  return problem(
    'launchd-exit-78',
    `${target} exits 78 (EX_CONFIG) with no log`,
    'launchd could not open StandardOutPath/StandardErrorPath (missing or unwritable log directory) or argv[0] is not an absolute, existing path (the repair recreates ~/.hermes/logs and rewrites the plist)',
    `hermes-setup check --repair ${i.target}`,
  );
}

/** Installed but not loaded: no GUI session for a LaunchAgent (125), else a failed bootstrap (5). */
function notLoaded(i: HealthInput, v: ServiceView, target: string): Finding | undefined {
  if (!v.loaded && v.file && i.facts.launchd && !i.facts.launchd.guiAvailable && i.facts.plistAgent.type === 'file') {
    return problem(
      'launchd-exit-125',
      `${target} is not loaded and gui/${i.facts.uid} does not exist`,
      'no GUI login session: launchctl bootstrap/kickstart gui/<uid> fail with 125 ("Domain does not support specified action")',
      `hermes-setup remote ${i.target}`,
    );
  }
  if (!v.loaded && v.file && v.enabled) {
    return problem(
      'launchd-exit-5',
      `${target} is installed but not loaded`,
      'launchctl bootstrap failed (exit 5: still draining after a bootout, a disabled override, or a wrong domain)',
      `hermes-setup check --repair ${i.target}`,
    );
  }
  return undefined;
}

/** `; its error log ends: "…"` from the StandardErrorPath tail doctor read, when there is one. */
function errorLogEnd(i: HealthInput): string {
  const last = i.deep?.evidence?.log.filter((l) => l.trim()).pop();
  return last
    ? `; its error log (${i.logHint.replace(/^see /, '')}) ends: "${last.trim().slice(0, 200)}"`
    : ` (see ${i.logHint.replace(/^see /, '')})`;
}

/** Two dashboard services on one host (issue 13): they race for the port and both load after a reboot. */
export function duplicates(i: HealthInput, v: ServiceView): Finding[] {
  if (!v.duplicates?.length) return [];
  return [
    problem(
      'duplicate-service',
      `besides ${v.location.scope}/${LAUNCHD_LABEL}, the dashboard is also ${v.duplicates.map((d) => d.what).join(', ')}`,
      'a GUI login loads the LaunchAgent into gui/<uid> although it already runs in user/<uid> (installed over SSH), or a switch between a LaunchAgent and a LaunchDaemon left the other; the instances race for the port and all load after a reboot',
      `hermes-setup check --repair ${i.target}`,
    ),
  ];
}
