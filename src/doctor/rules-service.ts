// Doctor rules about the service itself: dead after `hermes update`, crash loops, linger and the user bus, a stale
// hermes path; launchd exit codes, disabled overrides and duplicates are in rules-launchd.ts. Pure: findings out.
import { serviceProgram, type HealthInput } from '../check/health-input.js';
import { UNIT_NAME } from '../constants.js';
import type { ServiceView } from '../service/service-types.js';
import { note, problem, type Finding } from './finding.js';
import { duplicates, isLaunchd, launchdExit } from './rules-launchd.js';

const CLEAN_EXITS = new Set([0, 15, 143]);

// systemd 247+ logs "Started hermes-dashboard.service - <Description>", older ones the description only.
const STARTED = /: Started (hermes-dashboard\.service|Hermes Agent dashboard)/;
const STOPPING = /: Stopping (hermes-dashboard\.service|Hermes Agent dashboard)/;

/** What the unit's journal says about its last start and stop (`<epoch> host systemd[pid]: <message>`). */
export function readJournal(lines: string[]): { lastStart?: number; stopJob?: number } {
  const at = (l: string): number => Number(l.split(' ')[0]);
  const starts = lines.filter((l) => STARTED.test(l));
  const lastStart = starts.length ? at(starts[starts.length - 1]!) : undefined;
  const stop = lines.filter((l) => STOPPING.test(l) && (lastStart === undefined || at(l) >= lastStart)).pop();
  return { ...(lastStart !== undefined ? { lastStart } : {}), ...(stop ? { stopJob: at(stop) } : {}) };
}

const when = (t: number): string =>
  new Date(t * 1000)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');

/** Evidence that `hermes update` ran since the dashboard last started. */
function updateEvidence(i: HealthInput, lastStart: number | undefined): string[] {
  const out: string[] = [];
  if (i.state && i.facts.hermes && !i.facts.hermes.cached)
    out.push('the Hermes install changed since the last converge');
  const u = i.deep?.evidence?.updateLog;
  if (u && (lastStart === undefined || u.mtime >= lastStart)) {
    const said = u.tail.find((l) => /Stopping \d+ dashboard process/.test(l));
    out.push(
      `~/.hermes/logs/update.log was written at ${when(u.mtime)}${said ? ` ("${said.replace(/^\W+/, '').trim()}")` : ''}`,
    );
  }
  return out;
}

/** An enabled unit that is down: why, from the journal, the unit's Restart= and the update's traces. */
function serviceDown(i: HealthInput, v: ServiceView): Finding[] {
  if (isLaunchd(v) || !v.loaded || v.active || !v.enabled || i.facts.updateMarker || !/^inactive/.test(v.sub))
    return [];
  const ev = i.deep?.evidence;
  const fileRestart = /^Restart=(\S+)/m.exec(v.file ?? '')?.[1];
  const restart = ev?.restart || fileRestart;
  const dropIn =
    fileRestart && restart && fileRestart !== restart
      ? ` (a drop-in overrides the unit's Restart=${fileRestart}: systemctl --user cat ${UNIT_NAME})`
      : '';
  const fix = `hermes-setup check --repair ${i.target}`;
  const j = readJournal(ev?.log ?? []);
  const stopped = (cause: string): Finding[] => [
    problem('stopped', `the dashboard is stopped (${v.sub}); \`${fix}\` starts it`, cause, fix),
  ];
  if (j.stopJob !== undefined) {
    return stopped(
      `it was stopped at ${when(j.stopJob)} (journal: "Stopping ${UNIT_NAME}", e.g. systemctl stop); a stop is not a failure, so Restart=${restart ?? '?'} does not undo it and it stays down until the next boot`,
    );
  }
  const clean = CLEAN_EXITS.has(v.lastExit ?? 0);
  const updated = updateEvidence(i, j.lastStart);
  if (clean && restart && restart !== 'always') return [cleanExit(v, restart, dropIn, updated, fix)];
  return stopped(
    restart === 'always'
      ? 'with Restart=always systemd restarts every exit, so only a stop (systemctl stop) leaves it inactive'
      : 'the journal does not say why (no access to it?)',
  );
}

/** A clean exit that Restart= (not always) left down: after `hermes update` when there is evidence of one. */
function cleanExit(v: ServiceView, restart: string, dropIn: string, updated: string[], fix: string): Finding {
  if (updated.length)
    return problem(
      'dead-after-update',
      `the dashboard is down (${v.sub}, clean exit ${v.lastExit ?? 0}) although the unit is enabled`,
      `${updated.join('; ')}: \`hermes update\` (0.18 and older) SIGTERMs every dashboard and does not restart it, and a SIGTERM exit is clean, so Restart=${restart}${dropIn} leaves it dead`,
      fix,
    );
  return problem(
    'exited-clean',
    `the dashboard exited cleanly (exit ${v.lastExit ?? 0}) and stayed down although the unit is enabled`,
    `Restart=${restart}${dropIn} does not restart a clean exit (or a SIGTERM from another process); hermes-setup's unit has Restart=always`,
    fix,
  );
}

function crashLoop(i: HealthInput, v: ServiceView): Finding[] {
  if (isLaunchd(v)) return [];
  if (
    (v.restarts ?? 0) < 3 &&
    !(v.sub.includes('auto-restart') && !CLEAN_EXITS.has(v.lastExit ?? 0)) &&
    !v.sub.startsWith('failed')
  )
    return [];
  return [
    problem(
      'crash-loop',
      `hermes-dashboard.service keeps restarting (${v.restarts ?? 0} restarts, ${v.sub}, last exit ${v.lastExit ?? '?'})`,
      `the dashboard exits right after start (see ${i.logHint}); re-converging restores the unit and .env it needs`,
      `hermes-setup check --repair ${i.target}`,
    ),
  ];
}

function linger(i: HealthInput, v: ServiceView): Finding[] {
  if (v.location.kind !== 'systemd-user') return [];
  if (!i.facts.linger)
    return [
      problem(
        'no-linger',
        `linger is off for ${i.facts.user}`,
        'without linger systemd stops the user manager (and the dashboard) at the last logout and does not start it at boot',
        `sudo loginctl enable-linger ${i.facts.user}`,
      ),
    ];
  if (!i.facts.userBus)
    return [
      problem(
        'no-user-bus',
        'systemctl --user fails with "Failed to connect to bus"',
        `the user manager is not running (no ${i.facts.xdgRuntimeDir || `/run/user/${i.facts.uid}`}/bus): logind GC, or a session from su/sudo`,
        `sudo systemctl start user@${i.facts.uid}.service`,
      ),
    ];
  return [];
}

function stalePath(i: HealthInput, v: ServiceView): Finding[] {
  const program = serviceProgram(v.file);
  const found = i.facts.hermes?.path;
  if (!program || !i.state) return [];
  if (!found)
    return [
      problem(
        'hermes-missing',
        `the service runs ${program}, but hermes is not found on the host`,
        'Hermes was uninstalled or moved',
        'reinstall Hermes Agent on the host, then hermes-setup remote ' + i.target,
      ),
    ];
  if (program === found || /\/(node|python3?)$/.test(program)) return [];
  return [
    problem(
      'stale-hermes-path',
      `the service runs ${program}, but hermes is now ${found}`,
      'Hermes was reinstalled elsewhere; the absolute path in the unit/plist is stale (launchd: exit 78, systemd: exit 203/EXEC)',
      `hermes-setup remote ${i.target} --no-update`,
    ),
  ];
}

/** What happens after a reboot or power cut (a note: doctor still exits 0). */
function startup(v: ServiceView): Finding[] {
  return v.startup ? [note(v.startup.id, v.startup.symptom, v.startup.cause, v.startup.fix)] : [];
}

export function serviceRules(i: HealthInput): Finding[] {
  const v = i.service;
  if (!v) return [];
  return [
    ...serviceDown(i, v),
    ...crashLoop(i, v),
    ...launchdExit(i, v),
    ...duplicates(i, v),
    ...linger(i, v),
    ...stalePath(i, v),
    ...startup(v),
  ];
}
