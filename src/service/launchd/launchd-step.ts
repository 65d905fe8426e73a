// The converge step for launchd: the LaunchAgent ai.hermes.dashboard (or a LaunchDaemon with --daemon /
// --launchd-domain system), in the domain of the one rule (launchd-domain.ts). Exactly one dashboard service per
// host: the plan boots out every other instance of the label and removes the other kind's plist, and says so.
// Enables before bootstrap, waits out an asynchronous bootout (36 included), retries exit 5 a bounded number of
// times, kickstarts -k when only a dependency changed (peers.md §4.2). When gui/<uid> refuses the agent (125, or 5
// again and again, as macOS 26 does) and no domain was asked for, it falls back to user/<uid> and says so.
import { LAUNCHD_LABEL } from '../../constants.js';
import type { ConvergeInputs } from '../../converge/inputs.js';
import { fail, isHermesSetupError, remoteCommandError, stepError } from '../../errors.js';
import type { FileFact } from '../../facts/parse-facts.js';
import type { LaunchdJob } from '../../facts/service-facts.js';
import { HOMEBREW_PATH, renderLaunchdPlist } from '../../render/launchd-plist.js';
import type { ChangeStep, Plan, StepIo } from '../../steps/step.js';
import { readTemplate } from '../../templates.js';
import { quote, quotePath } from '../../transport/shell.js';
import { desiredSpec } from '../desired-spec.js';
import { backupServiceFile } from '../backup.js';
import { dependencyChanged, planTakeover, restartReasons } from '../drift.js';
import type { ServiceLocation } from '../service-types.js';
import { jobIn, launchdTarget, otherInstances, type OtherInstances } from './launchd-domain.js';
import { bootoutAndWait, bootstrapOnce, checkSudo, removeFile, su, targetOf } from './launchd-shell.js';
import { startInDomain, verifyRunning, type Started } from './launchd-start.js';
import { startupWarning } from './launchd-startup.js';

export interface LaunchdObserved {
  loc: ServiceLocation;
  current: FileFact;
  job: LaunchdJob;
  disabled: boolean;
  desired: string;
  others: OtherInstances;
  /** The domain was asked for (--launchd-domain): no fallback. */
  asked: boolean;
}
export interface LaunchdActions {
  loc: ServiceLocation;
  text: string;
  /** Back up the plist there before replacing it (a hand-made plist, or --force). */
  backup?: string;
  note?: string;
  writePlist: boolean;
  enable: boolean;
  bootout: boolean;
  bootstrap: boolean;
  kickstart: boolean;
  reasons: string[];
  others: OtherInstances;
  asked: boolean;
}

async function readLaunchd(_io: StepIo, i: ConvergeInputs): Promise<LaunchdObserved> {
  const f = i.facts;
  const loc = launchdTarget(f, i.opts, i.state);
  const daemon = loc.kind === 'launchd-daemon';
  const { job, disabled } = jobIn(f, loc);
  const template = await readTemplate(
    daemon ? 'launchd/ai.hermes.dashboard.daemon.plist' : 'launchd/ai.hermes.dashboard.plist',
  );
  const desired = renderLaunchdPlist(
    template,
    desiredSpec(i, (bin) => `${bin}:${f.home}/.local/bin:${HOMEBREW_PATH}`, daemon ? f.user : undefined),
  );
  return {
    loc,
    current: daemon ? f.plistDaemon : f.plistAgent,
    job,
    disabled: disabled.includes(LAUNCHD_LABEL),
    desired,
    others: otherInstances(f, loc),
    asked: i.opts.launchdDomain !== undefined,
  };
}

function describeOthers(o: OtherInstances): string[] {
  return [
    ...o.bootout.map((x) => `boot out ${targetOf(x.loc)}${x.job.loaded ? '' : ' (if loaded)'}`),
    ...o.remove.map((r) => `remove ${r.path}`),
  ];
}

function describeLaunchd(a: LaunchdActions): string {
  return [
    a.note ?? '',
    ...describeOthers(a.others),
    a.writePlist ? 'write plist' : '',
    a.enable ? 'enable' : '',
    a.bootout ? 'bootout' : '',
    a.bootstrap ? 'bootstrap' : '',
    a.kickstart ? `kickstart -k (${a.reasons.join(', ') || 'not running'})` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

function refuseMissingDomain(o: LaunchdObserved, i: ConvergeInputs): void {
  const f = i.facts;
  if (i.opts.launchdDomain !== 'gui' || f.launchd?.guiAvailable !== false) return;
  throw stepError(
    'E_LAUNCHD_DOMAIN',
    `--launchd-domain gui: ${o.loc.scope} does not exist (${f.user} has no GUI login on this Mac)`,
    'log in at the Mac (console or Screen Sharing) first, or use --launchd-domain user (runs without a GUI session) or --daemon',
  );
}

/** Pure: why the job is (re)started: a changed dependency or plist, and a loaded job that is not running. */
function kickstartReasons(i: ConvergeInputs, writePlist: boolean, stopped: boolean): string[] {
  return [...restartReasons(i, writePlist ? 'plist changed' : undefined), stopped ? 'not running' : ''].filter(Boolean);
}

/** Pure: what to do with the plist, the job and every other instance of the label. */
export function planLaunchd(o: LaunchdObserved, i: ConvergeInputs): Plan<LaunchdActions> {
  refuseMissingDomain(o, i);
  const current = o.current.content?.toString('utf8');
  const writePlist = current !== o.desired;
  const take = writePlist ? planTakeover(current, i, o.loc.path) : { warnings: [] };
  const warnings = [...take.warnings, ...startupWarning(i.facts, o.loc.kind)];
  const running = o.job.loaded && o.job.state === 'running' && (o.job.pid ?? 0) > 0;
  const bootstrap = writePlist || !o.job.loaded;
  const a: LaunchdActions = {
    loc: o.loc,
    text: o.desired,
    ...(take.backup ? { backup: take.backup.path } : {}),
    ...(take.note ? { note: take.note } : {}),
    writePlist,
    enable: o.disabled || bootstrap,
    bootout: o.job.loaded && writePlist,
    bootstrap,
    kickstart: !bootstrap && (dependencyChanged(i) || !running),
    others: o.others,
    asked: o.asked,
    reasons: kickstartReasons(i, writePlist, !running && o.job.loaded),
  };
  const removes = a.others.bootout.length + a.others.remove.length > 0;
  return {
    ...(a.writePlist || a.enable || a.bootstrap || a.kickstart || removes ? { actions: a } : {}),
    describe: describeLaunchd(a),
    okDetail: `${targetOf(o.loc)} running (pid ${o.job.pid})`,
    implies: {
      serviceText: o.desired,
      warnings,
      changed: { unit: writePlist },
      ...(o.job.pid ? { service: { pid: o.job.pid } } : {}),
      files: writePlist
        ? [{ path: o.loc.path, ...(current !== undefined ? { before: current } : {}), after: o.desired, mode: 0o644 }]
        : [],
    },
  };
}

async function writePlist(io: StepIo, loc: ServiceLocation, text: string): Promise<void> {
  if (!loc.sudo) return io.remote.writeFileAtomic(loc.path, text, 0o644);
  const r = await io.remote.exec(
    `sudo -n sh -c ${quote('set -e; t=$(mktemp "$1.XXXXXX"); cat > "$t"; chmod 644 "$t"; chown 0:0 "$t" 2>/dev/null || true; mv -f "$t" "$1"')} sh ${quotePath(loc.path)}`,
    { stdin: text },
  );
  if (r.code !== 0)
    throw remoteCommandError('E_SUDO', `installing ${loc.path} needs root and \`sudo -n\``, r, SUDO_HINT);
}

const SUDO_HINT =
  'a LaunchDaemon needs passwordless sudo for this user (or connect as root); without --daemon a LaunchAgent needs no sudo';

/** Root is checked before anything changes: installing the daemon, or removing it when converging as an agent. */
async function checkRoot(io: StepIo, a: LaunchdActions): Promise<void> {
  if (a.loc.sudo && (a.writePlist || a.bootstrap || a.kickstart || a.enable))
    return checkSudo(io, `installing ${a.loc.path}`, SUDO_HINT);
  const daemon = [...a.others.bootout.map((x) => x.loc), ...a.others.remove].find((l) => l.sudo);
  if (daemon) {
    return checkSudo(
      io,
      `removing the LaunchDaemon ${daemon.path} (one dashboard service per host)`,
      'connect as root or give this user passwordless sudo once; or keep the LaunchDaemon with --daemon',
    );
  }
}

/**
 * Starts ours after booting the other instances out (they hold the port). The other kind's plist is removed only
 * once ours started; when ours cannot start, the instances booted out are loaded again from their plists, so a
 * failed switch leaves the dashboard as it was.
 */
async function startReplacing(io: StepIo, a: LaunchdActions): Promise<Started> {
  for (const x of a.others.bootout) await bootoutAndWait(io, x.loc, 'E_LAUNCHCTL');
  try {
    if (a.enable) await io.remote.exec(`${su(a.loc)}launchctl enable ${targetOf(a.loc)}`);
    if (a.bootout) await bootoutAndWait(io, a.loc, 'E_LAUNCHCTL');
    return a.bootstrap || a.kickstart ? await startInDomain(io, a) : { loc: a.loc, notes: [] };
  } catch (err) {
    const back = await restoreOthers(io, a.others);
    if (isHermesSetupError(err) && back.length)
      throw fail(err.code, `${err.message}; ${back.join(', ')} loaded again as before`, err.hint);
    throw err;
  }
}

async function restoreOthers(io: StepIo, o: OtherInstances): Promise<string[]> {
  const back: string[] = [];
  for (const x of o.bootout.filter((b) => b.job.loaded)) {
    if ((await bootstrapOnce(io, x.loc, 3)).code === 0) back.push(targetOf(x.loc));
  }
  return back;
}

async function applyLaunchd(io: StepIo, a: LaunchdActions) {
  await checkRoot(io, a);
  const mk = await io.remote.exec('mkdir -p ~/.hermes/logs && chmod 700 ~/.hermes');
  if (mk.code !== 0)
    throw remoteCommandError(
      'E_LOG_DIR',
      'creating ~/.hermes/logs',
      mk,
      'launchd exits 78 when the log directory is missing; fix ~/.hermes ownership',
    );
  if (a.backup) await backupServiceFile(io, a.loc.path, a.loc.sudo);
  if (a.writePlist) await writePlist(io, a.loc, a.text);
  const started = await startReplacing(io, a);
  for (const r of a.others.remove) await removeFile(io, r, 'E_LAUNCHCTL');
  const restarted = a.bootstrap || a.kickstart || a.others.bootout.length > 0;
  return { implies: { service: { restarted, scope: started.loc.scope }, warnings: started.notes } };
}

async function verifyLaunchd(io: StepIo, a: LaunchdActions, i: ConvergeInputs) {
  const loc = i.service.scope && i.service.scope !== a.loc.scope ? { ...a.loc, scope: i.service.scope } : a.loc;
  const pid = await verifyRunning(io, loc);
  const fellBack = loc.scope !== a.loc.scope ? `; fell back from ${a.loc.scope} to ${loc.scope}` : '';
  return {
    detail: `${describeLaunchd(a)}${fellBack}; ${targetOf(loc)} running (pid ${pid})`,
    implies: { service: { pid } },
  };
}

export const launchdStep: ChangeStep<LaunchdObserved, LaunchdActions> = {
  kind: 'change',
  id: 'service',
  title: 'Install the launchd job',
  read: readLaunchd,
  plan: planLaunchd,
  apply: applyLaunchd,
  verify: verifyLaunchd,
};
