// Step (macOS): the LaunchAgent ai.hermes.dashboard (or a LaunchDaemon with --daemon). Picks gui/ or user/,
// enables before bootstrap, waits for an asynchronous bootout, retries exit 5 a bounded number of times,
// and kickstarts -k when only a dependency changed (peers.md §4.2).
import { stepError } from '../errors.js';
import { PLIST_PATH_AGENT, PLIST_PATH_DAEMON } from '../facts/facts-script.js';
import { parseLaunchctlPrint, type FileFact, type LaunchdJob } from '../facts/parse-facts.js';
import { buildDashboardArgv } from '../hermes/dashboard-argv.js';
import { HOMEBREW_PATH, LAUNCHD_LABEL, renderLaunchdPlist } from '../render/launchd-plist.js';
import { quote, quotePath } from '../transport/shell.js';
import { readTemplate } from '../templates.js';
import type { Converge, Step } from './context.js';
import { checkDrift, tokenDrift } from './drift.js';

export interface LaunchdState { domain: string; plistPath: string; current: FileFact; job: LaunchdJob; disabled: boolean; desired: string }
export interface LaunchdPlan { writePlist: boolean; enable: boolean; bootout: boolean; bootstrap: boolean; kickstart: boolean; reasons: string[] }

/** `sudo -n ` for system-domain work by a non-root user (a LaunchDaemon), else nothing. */
export function privilege(c: Converge): string {
  return c.opts.daemon && c.facts.uid !== 0 ? 'sudo -n ' : '';
}

async function writePlist(c: Converge, path: string, text: string): Promise<void> {
  if (!privilege(c)) return c.remote.writeFileAtomic(path, text, 0o644);
  const r = await c.remote.exec(`sudo -n sh -c ${quote('set -e; t=$(mktemp "$1.XXXXXX"); cat > "$t"; chmod 644 "$t"; chown 0:0 "$t" 2>/dev/null || true; mv -f "$t" "$1"')} sh ${quotePath(path)}`, { stdin: text });
  if (r.code !== 0) {
    throw stepError('E_SUDO', `installing ${path} needs root and \`sudo -n\` was refused: ${r.stderr.trim().split('\n').pop() ?? ''}`,
      'a LaunchDaemon needs passwordless sudo for this user (or connect as root); without --daemon a LaunchAgent needs no sudo');
  }
}

export function chooseDomain(c: Converge): string {
  if (c.opts.daemon) return 'system';
  return c.facts.launchd?.guiAvailable ? `gui/${c.facts.uid}` : `user/${c.facts.uid}`;
}

async function readLaunchd(c: Converge): Promise<LaunchdState> {
  const f = c.facts;
  const domain = chooseDomain(c);
  if (!c.opts.daemon) c.warnings.push('a LaunchAgent starts at login: after a reboot the dashboard comes back only when this user logs in (auto-login, or --daemon for a headless Mac)');
  const l = f.launchd;
  const job = domain === 'system' ? l?.system : domain.startsWith('gui/') ? l?.gui : l?.user;
  const disabledList = domain === 'system' ? l?.disabledSystem : domain.startsWith('gui/') ? l?.disabledGui : l?.disabledUser;
  const h = f.hermes!;
  const template = await readTemplate(c.opts.daemon ? 'launchd/ai.hermes.dashboard.daemon.plist' : 'launchd/ai.hermes.dashboard.plist');
  const desired = renderLaunchdPlist(template, {
    programArguments: buildDashboardArgv({ hermesPath: h.path, mode: c.decision!.mode, bind: c.decision!.bind, port: c.opts.port, caps: c.build!.caps, skipBuild: !f.npm }),
    hermesHome: `${f.home}/.hermes`, home: f.home, logDir: `${f.home}/.hermes/logs`, mode: c.decision!.mode,
    path: `${h.path.replace(/\/[^/]+$/, '')}:${f.home}/.local/bin:${HOMEBREW_PATH}`, ...(c.opts.daemon ? { user: f.user } : {}),
  });
  return {
    domain, plistPath: c.opts.daemon ? PLIST_PATH_DAEMON : PLIST_PATH_AGENT, current: c.opts.daemon ? f.plistDaemon : f.plistAgent,
    job: job ?? { loaded: false }, disabled: (disabledList ?? []).includes(LAUNCHD_LABEL), desired,
  };
}

export function planLaunchd(s: LaunchdState, c: Converge): LaunchdPlan | undefined {
  const current = s.current.content?.toString('utf8');
  const writePlist = current !== s.desired;
  if (writePlist) checkDrift(current, c, s.plistPath);
  const running = s.job.loaded && s.job.state === 'running' && (s.job.pid ?? 0) > 0;
  const dependencyChanged = c.changed.env || c.changed.version || tokenDrift(c) || (c.state !== undefined && c.state.hermesVersion !== c.build!.version);
  const bootstrap = writePlist || !s.job.loaded;
  const p: LaunchdPlan = {
    writePlist, enable: s.disabled || bootstrap, bootout: s.job.loaded && writePlist, bootstrap,
    kickstart: !bootstrap && (dependencyChanged || !running),
    reasons: [writePlist ? 'plist changed' : '', c.changed.env ? '.env changed' : '', !running && s.job.loaded ? 'not running' : ''].filter(Boolean),
  };
  if (writePlist) c.files.push({ path: s.plistPath, ...(current !== undefined ? { before: current } : {}), after: s.desired, mode: 0o644 });
  return p.writePlist || p.enable || p.bootstrap || p.kickstart ? p : undefined;
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

async function bootstrap(c: Converge, s: { domain: string; path: string }): Promise<void> {
  const r = await c.remote.exec(`sh -c ${quote(BOOT_SCRIPT)} sh ${quote(s.domain)} ${quotePath(s.path)} ${LAUNCHD_LABEL} ${quote(privilege(c).trim())}`);
  if (r.code === 0) return;
  const hint = r.code === 125 ? 'no GUI session for this user: rerun (hermes-setup picks user/<uid>) or use --daemon for a headless Mac'
    : r.code === 5 ? `check \`launchctl print-disabled ${s.domain}\` and \`launchctl print ${s.domain}/${LAUNCHD_LABEL}\`; macOS may need a reboot after repeated failures`
      : 'see `log show --last 5m --predicate \'subsystem == "com.apple.xpc.launchd"\'`';
  throw stepError('E_LAUNCHCTL', `launchctl bootstrap ${s.domain} failed (exit ${r.code}): ${r.stderr.trim().split('\n').pop() ?? ''}`, hint);
}

export const launchdStep: Step<LaunchdState, LaunchdPlan> = {
  id: 'service',
  title: 'Install the launchd job',
  read: readLaunchd,
  plan: planLaunchd,
  describe: (p) => [p.writePlist ? 'write plist' : '', p.enable ? 'enable' : '', p.bootout ? 'bootout' : '', p.bootstrap ? 'bootstrap' : '',
    p.kickstart ? `kickstart -k (${p.reasons.join(', ') || 'dependency changed'})` : ''].filter(Boolean).join(', '),
  async apply(c, p) {
    const domain = chooseDomain(c);
    const path = c.opts.daemon ? PLIST_PATH_DAEMON : PLIST_PATH_AGENT;
    const target = `${domain}/${LAUNCHD_LABEL}`;
    const mk = await c.remote.exec('mkdir -p ~/.hermes/logs && chmod 700 ~/.hermes');
    if (mk.code !== 0) throw stepError('E_LOG_DIR', `cannot create ~/.hermes/logs: ${mk.stderr.trim()}`, 'launchd exits 78 when the log directory is missing; fix ~/.hermes ownership');
    const su = privilege(c);
    if (p.writePlist) await writePlist(c, path, c.files.find((f) => f.path === path)?.after ?? '');
    c.changed.unit = p.writePlist;
    if (p.enable) await c.remote.exec(`${su}launchctl enable ${target}`);
    if (p.bootout) {
      await c.remote.exec(`${su}launchctl bootout ${target}`);
      const w = await c.remote.exec(`sh -c ${quote(WAIT_GONE)} sh ${domain} ${LAUNCHD_LABEL} ${quote(su.trim())}`);
      if (w.code !== 0) throw stepError('E_LAUNCHCTL', `${target} did not finish booting out within 15 s`, `run \`launchctl bootout ${target}\` on the Mac and rerun`);
    }
    if (p.bootstrap) await bootstrap(c, { domain, path });
    if (p.kickstart) {
      const k = await c.remote.exec(`${su}launchctl kickstart -k ${target}`);
      if (k.code !== 0) throw stepError('E_LAUNCHCTL', `launchctl kickstart -k ${target} failed (exit ${k.code}): ${k.stderr.trim()}`, `see \`launchctl print ${target}\``);
    }
    c.service.restarted = true;
  },
  async verify(c) {
    const target = `${chooseDomain(c)}/${LAUNCHD_LABEL}`;
    let job: LaunchdJob = { loaded: false };
    for (let i = 0; i < 40; i++) {
      const r = await c.remote.exec(`${privilege(c)}launchctl print ${target}`);
      job = parseLaunchctlPrint(r.stdout);
      if (job.state === 'running' && job.pid) break;
      await new Promise((res) => setTimeout(res, 250));
    }
    if (!(job.state === 'running' && job.pid)) {
      const hint = job.lastExitCode === 78 ? 'exit 78 (EX_CONFIG): the log directory or the program path is missing; check ~/.hermes/logs and the hermes path'
        : `see ~/.hermes/logs/dashboard.error.log and \`launchctl print ${target}\``;
      throw stepError('E_SERVICE_INACTIVE', `${target} is not running (state ${job.state ?? 'unloaded'}, last exit code ${job.lastExitCode ?? 'none'})`, hint);
    }
    c.service.pid = job.pid;
  },
  okDetail: (s, c) => {
    c.service.pid = s.job.pid;
    return `${s.domain}/${LAUNCHD_LABEL} running (pid ${s.job.pid})`;
  },
};
