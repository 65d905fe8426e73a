// Starting the job in its domain, with the one fallback launchd needs: gui/<uid> may refuse a LaunchAgent although
// a GUI session exists — bootstrap 5 again and again, or 125, and kickstart 125 (macOS 26: hermes-agent #23387,
// #95758, #42376; upstream now defaults to user/ there) — and 125 also means "no GUI session" (peers.md §4.2).
// Unless a domain was asked for (--launchd-domain), the agent then goes to user/<uid>, which exists after any login
// and takes the plist because its LimitLoadToSessionType lists Background; the run says so, and the recorded scope
// keeps the next runs there. Then: wait for a running main PID.
import { LAUNCHD_LABEL } from '../../constants.js';
import { parseLaunchctlPrint, type LaunchdJob } from '../../facts/service-facts.js';
import type { StepIo } from '../../steps/step.js';
import type { ServiceLocation } from '../service-types.js';
import {
  bootoutAndWait,
  bootstrapOnce,
  launchctlError,
  meaningfulLines,
  notRunning,
  su,
  targetOf,
} from './launchd-shell.js';

interface StartActions {
  loc: ServiceLocation;
  bootstrap: boolean;
  kickstart: boolean;
  asked: boolean;
}
export interface Started {
  loc: ServiceLocation;
  notes: string[];
}

/** Tries in gui/ before falling back: 5 more than twice is not the drain a retry waits out. */
const GUI_TRIES = 3;
const TRIES = 6;

const mayFallBack = (a: StartActions): boolean =>
  a.loc.kind === 'launchd-agent' && a.loc.scope.startsWith('gui/') && !a.asked;

function bootstrapHint(loc: ServiceLocation, code: number): string {
  const t = targetOf(loc);
  if (code === 125)
    return `${loc.scope} does not accept the job (no GUI session, or macOS 26 refusing gui/): use --launchd-domain user, or --daemon for a headless Mac`;
  if (code === 5) {
    return `check \`launchctl print-disabled ${loc.scope}\` and \`launchctl print ${t}\`${loc.scope.startsWith('gui/') ? '; if gui/ keeps refusing (macOS 26), use --launchd-domain user' : ''}`;
  }
  return 'see `log show --last 5m --predicate \'subsystem == "com.apple.xpc.launchd"\'`';
}

function lastLine(r: { code: number; stderr: string }): string {
  return meaningfulLines(r).stderr.split('\n').pop() ?? '';
}

/** gui/ refused: boot out whatever gui/ holds, then bootstrap in user/<uid>. */
async function fallBack(io: StepIo, from: ServiceLocation, why: string): Promise<Started> {
  const user: ServiceLocation = { ...from, scope: from.scope.replace(/^gui\//, 'user/') };
  await bootoutAndWait(io, from, 'E_LAUNCHCTL');
  await io.remote.exec(`launchctl enable ${targetOf(user)}`);
  const r = await bootstrapOnce(io, user, TRIES);
  if (r.code !== 0)
    throw launchctlError(
      'E_LAUNCHCTL',
      `launchctl bootstrap ${user.scope} (after ${from.scope} refused: ${why})`,
      r,
      bootstrapHint(user, r.code),
    );
  return {
    loc: user,
    notes: [
      `${from.scope} refused the LaunchAgent (${why}); it runs in ${user.scope} instead, which needs no GUI session — choose with --launchd-domain gui|user`,
    ],
  };
}

async function bootstrap(io: StepIo, a: StartActions): Promise<Started> {
  const fallback = mayFallBack(a);
  const r = await bootstrapOnce(io, a.loc, fallback ? GUI_TRIES : TRIES);
  if (r.code === 0) return { loc: a.loc, notes: [] };
  if (fallback && (r.code === 125 || r.code === 5))
    return fallBack(io, a.loc, `bootstrap exit ${r.code}: ${lastLine(r)}`);
  throw launchctlError('E_LAUNCHCTL', `launchctl bootstrap ${a.loc.scope}`, r, bootstrapHint(a.loc, r.code));
}

async function kickstart(io: StepIo, a: StartActions): Promise<Started> {
  const k = await io.remote.exec(`${su(a.loc)}launchctl kickstart -k ${targetOf(a.loc)}`);
  if (k.code === 0) return { loc: a.loc, notes: [] };
  if (mayFallBack(a) && k.code === 125) return fallBack(io, a.loc, `kickstart exit 125: ${lastLine(k)}`);
  throw launchctlError(
    'E_LAUNCHCTL',
    `launchctl kickstart -k ${targetOf(a.loc)}`,
    k,
    `see \`launchctl print ${targetOf(a.loc)}\``,
  );
}

/** Bootstraps or kickstarts the job; where it ended up, and what to tell the user about it. */
export async function startInDomain(io: StepIo, a: StartActions): Promise<Started> {
  return a.bootstrap ? bootstrap(io, a) : kickstart(io, a);
}

/** Waits (≤ 10 s) for `state = running` with a pid; returns the pid. */
export async function verifyRunning(io: StepIo, loc: ServiceLocation): Promise<number> {
  const target = `${loc.scope}/${LAUNCHD_LABEL}`;
  let job: LaunchdJob = { loaded: false };
  for (let n = 0; n < 40; n++) {
    job = parseLaunchctlPrint((await io.remote.exec(`${su(loc)}launchctl print ${target}`)).stdout);
    if (job.state === 'running' && job.pid) return job.pid;
    await new Promise((res) => setTimeout(res, 250));
  }
  throw notRunning(
    target,
    job,
    job.lastExitCode === 78
      ? 'exit 78 (EX_CONFIG): the log directory or the program path is missing; check ~/.hermes/logs and the hermes path'
      : `see ~/.hermes/logs/dashboard.error.log and \`launchctl print ${target}\``,
  );
}
