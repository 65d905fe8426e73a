// The converge step for launchd: the LaunchAgent ai.hermes.dashboard (or a LaunchDaemon with --daemon). Enables
// before bootstrap, waits for an asynchronous bootout, retries exit 5 a bounded number of times, and
// kickstarts -k when only a dependency changed (peers.md §4.2).
import { LAUNCHD_LABEL } from '../../constants.js';
import type { ConvergeInputs } from '../../converge/inputs.js';
import { remoteCommandError, stepError } from '../../errors.js';
import { parseLaunchctlPrint, type FileFact, type LaunchdJob } from '../../facts/parse-facts.js';
import { HOMEBREW_PATH, renderLaunchdPlist } from '../../render/launchd-plist.js';
import type { ChangeStep, Plan, StepIo } from '../../steps/step.js';
import { readTemplate } from '../../templates.js';
import { quote, quotePath } from '../../transport/shell.js';
import { desiredSpec } from '../desired-spec.js';
import { backupServiceFile } from '../backup.js';
import { dependencyChanged, planTakeover, restartReasons } from '../drift.js';
import type { ServiceLocation } from '../service-types.js';
import { jobIn, launchdTarget } from './launchd-domain.js';

export interface LaunchdObserved { loc: ServiceLocation; current: FileFact; job: LaunchdJob; disabled: boolean; desired: string }
export interface LaunchdActions {
  loc: ServiceLocation; text: string;
  /** Back up the plist there before replacing it (a hand-made plist, or --force). */
  backup?: string; note?: string;
  writePlist: boolean; enable: boolean; bootout: boolean; bootstrap: boolean; kickstart: boolean; reasons: string[] }

const LOGIN_WARNING = 'a LaunchAgent starts at login: after a reboot the dashboard comes back only when this user logs in (auto-login, or --daemon for a headless Mac)';

async function readLaunchd(_io: StepIo, i: ConvergeInputs): Promise<LaunchdObserved> {
  const f = i.facts;
  const loc = launchdTarget(f, { daemon: i.opts.daemon });
  const daemon = loc.kind === 'launchd-daemon';
  const { job, disabled } = jobIn(f, loc);
  const template = await readTemplate(daemon ? 'launchd/ai.hermes.dashboard.daemon.plist' : 'launchd/ai.hermes.dashboard.plist');
  const desired = renderLaunchdPlist(template, desiredSpec(i, (bin) => `${bin}:${f.home}/.local/bin:${HOMEBREW_PATH}`, daemon ? f.user : undefined));
  return { loc, current: daemon ? f.plistDaemon : f.plistAgent, job, disabled: disabled.includes(LAUNCHD_LABEL), desired };
}

function describeLaunchd(a: LaunchdActions): string {
  return [a.note ?? '', a.writePlist ? 'write plist' : '', a.enable ? 'enable' : '', a.bootout ? 'bootout' : '', a.bootstrap ? 'bootstrap' : '',
    a.kickstart ? `kickstart -k (${a.reasons.join(', ') || 'not running'})` : ''].filter(Boolean).join(', ');
}

/** Pure: what to do with the plist and the job. */
export function planLaunchd(o: LaunchdObserved, i: ConvergeInputs): Plan<LaunchdActions> {
  const current = o.current.content?.toString('utf8');
  const writePlist = current !== o.desired;
  const take = writePlist ? planTakeover(current, i, o.loc.path) : { warnings: [] };
  const warnings = [...take.warnings, ...(o.loc.kind === 'launchd-agent' ? [LOGIN_WARNING] : [])];
  const running = o.job.loaded && o.job.state === 'running' && (o.job.pid ?? 0) > 0;
  const bootstrap = writePlist || !o.job.loaded;
  const a: LaunchdActions = {
    loc: o.loc, text: o.desired, ...(take.backup ? { backup: take.backup.path } : {}), ...(take.note ? { note: take.note } : {}), writePlist, enable: o.disabled || bootstrap, bootout: o.job.loaded && writePlist, bootstrap,
    kickstart: !bootstrap && (dependencyChanged(i) || !running),
    reasons: [...restartReasons(i, writePlist ? 'plist changed' : undefined), !running && o.job.loaded ? 'not running' : ''].filter(Boolean),
  };
  const target = `${o.loc.scope}/${LAUNCHD_LABEL}`;
  return {
    ...(a.writePlist || a.enable || a.bootstrap || a.kickstart ? { actions: a } : {}), describe: describeLaunchd(a), okDetail: `${target} running (pid ${o.job.pid})`,
    implies: {
      serviceText: o.desired, warnings, changed: { unit: writePlist }, ...(o.job.pid ? { service: { pid: o.job.pid } } : {}),
      files: writePlist ? [{ path: o.loc.path, ...(current !== undefined ? { before: current } : {}), after: o.desired, mode: 0o644 }] : [],
    },
  };
}

const su = (loc: ServiceLocation): string => (loc.sudo ? 'sudo -n ' : '');

async function writePlist(io: StepIo, loc: ServiceLocation, text: string): Promise<void> {
  if (!loc.sudo) return io.remote.writeFileAtomic(loc.path, text, 0o644);
  const r = await io.remote.exec(`sudo -n sh -c ${quote('set -e; t=$(mktemp "$1.XXXXXX"); cat > "$t"; chmod 644 "$t"; chown 0:0 "$t" 2>/dev/null || true; mv -f "$t" "$1"')} sh ${quotePath(loc.path)}`, { stdin: text });
  if (r.code !== 0) {
    throw remoteCommandError('E_SUDO', `installing ${loc.path} needs root and \`sudo -n\``, r,
      'a LaunchDaemon needs passwordless sudo for this user (or connect as root); without --daemon a LaunchAgent needs no sudo');
  }
}

const BOOT_SCRIPT = `D=$1; P=$2; L=$3; S=$4
for i in 1 2 3 4 5 6; do
  $S launchctl bootstrap "$D" "$P" 2>/tmp/.hs-boot.$$; rc=$?
  [ $rc -eq 0 ] && { rm -f /tmp/.hs-boot.$$; exit 0; }
  if [ $rc -ne 5 ] && [ $rc -ne 37 ]; then cat /tmp/.hs-boot.$$ >&2; rm -f /tmp/.hs-boot.$$; exit $rc; fi
  $S launchctl enable "$D/$L" 2>/dev/null; sleep 1
done
cat /tmp/.hs-boot.$$ >&2; rm -f /tmp/.hs-boot.$$; exit 5`;

const WAIT_GONE = `D=$1; L=$2; S=$3; for i in $(seq 60); do $S launchctl print "$D/$L" >/dev/null 2>&1 || exit 0; sleep 0.25; done; exit 1`;

async function bootstrap(io: StepIo, loc: ServiceLocation): Promise<void> {
  const r = await io.remote.exec(`sh -c ${quote(BOOT_SCRIPT)} sh ${quote(loc.scope)} ${quotePath(loc.path)} ${LAUNCHD_LABEL} ${quote(su(loc).trim())}`);
  if (r.code === 0) return;
  const hint = r.code === 125 ? 'no GUI session for this user: rerun (hermes-setup picks user/<uid>) or use --daemon for a headless Mac'
    : r.code === 5 ? `check \`launchctl print-disabled ${loc.scope}\` and \`launchctl print ${loc.scope}/${LAUNCHD_LABEL}\`; macOS may need a reboot after repeated failures`
      : 'see `log show --last 5m --predicate \'subsystem == "com.apple.xpc.launchd"\'`';
  throw remoteCommandError('E_LAUNCHCTL', `launchctl bootstrap ${loc.scope}`, r, hint);
}

async function bootout(io: StepIo, loc: ServiceLocation): Promise<void> {
  const target = `${loc.scope}/${LAUNCHD_LABEL}`;
  await io.remote.exec(`${su(loc)}launchctl bootout ${target}`);
  const w = await io.remote.exec(`sh -c ${quote(WAIT_GONE)} sh ${loc.scope} ${LAUNCHD_LABEL} ${quote(su(loc).trim())}`);
  if (w.code !== 0) throw stepError('E_LAUNCHCTL', `${target} did not finish booting out within 15 s`, `run \`launchctl bootout ${target}\` on the Mac and rerun`);
}

async function applyLaunchd(io: StepIo, a: LaunchdActions) {
  const target = `${a.loc.scope}/${LAUNCHD_LABEL}`;
  const mk = await io.remote.exec('mkdir -p ~/.hermes/logs && chmod 700 ~/.hermes');
  if (mk.code !== 0) throw remoteCommandError('E_LOG_DIR', 'creating ~/.hermes/logs', mk, 'launchd exits 78 when the log directory is missing; fix ~/.hermes ownership');
  if (a.backup) await backupServiceFile(io, a.loc.path, a.loc.sudo);
  if (a.writePlist) await writePlist(io, a.loc, a.text);
  if (a.enable) await io.remote.exec(`${su(a.loc)}launchctl enable ${target}`);
  if (a.bootout) await bootout(io, a.loc);
  if (a.bootstrap) await bootstrap(io, a.loc);
  if (a.kickstart) {
    const k = await io.remote.exec(`${su(a.loc)}launchctl kickstart -k ${target}`);
    if (k.code !== 0) throw remoteCommandError('E_LAUNCHCTL', `launchctl kickstart -k ${target}`, k, `see \`launchctl print ${target}\``);
  }
  return { implies: { service: { restarted: true } } };
}

async function verifyLaunchd(io: StepIo, a: LaunchdActions) {
  const target = `${a.loc.scope}/${LAUNCHD_LABEL}`;
  let job: LaunchdJob = { loaded: false };
  for (let n = 0; n < 40; n++) {
    job = parseLaunchctlPrint((await io.remote.exec(`${su(a.loc)}launchctl print ${target}`)).stdout);
    if (job.state === 'running' && job.pid) return { implies: { service: { pid: job.pid } } };
    await new Promise((res) => setTimeout(res, 250));
  }
  const hint = job.lastExitCode === 78 ? 'exit 78 (EX_CONFIG): the log directory or the program path is missing; check ~/.hermes/logs and the hermes path'
    : `see ~/.hermes/logs/dashboard.error.log and \`launchctl print ${target}\``;
  throw stepError('E_SERVICE_INACTIVE', `${target} is not running (state ${job.state ?? 'unloaded'}, last exit code ${job.lastExitCode ?? 'none'})`, hint);
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
