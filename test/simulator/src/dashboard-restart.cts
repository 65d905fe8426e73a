/** What `hermes update` does to running dashboards (§10.3). */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SimContext } from './context.cjs';
import { isServeEra } from './generations.cjs';
import {
  type ProcInfo,
  findDashboardProcesses,
  getDashboardKind,
  readOwningUnit,
  terminateProcesses,
} from './process-table.cjs';

export const CANONICAL_UNIT = 'hermes-dashboard.service';

function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

function getDesktopChildPids(): number[] {
  return (process.env['HERMES_DESKTOP_CHILD_PID'] ?? '')
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0);
}

function findTargets(ctx: SimContext): ProcInfo[] {
  return findDashboardProcesses({
    scope: ctx.state.processScope ?? 'host',
    installDir: ctx.installDir,
    entry: ctx.entryPath,
    excludePids: getDesktopChildPids(),
  });
}

/** 0.18.0 and earlier: SIGTERM, no restart. */
function killDashboards(ctx: SimContext, say: (line: string) => void): void {
  const procs = findTargets(ctx);
  if (procs.length === 0) return;
  say(`⟲ Stopping ${procs.length} dashboard process(es) (the running backend no longer matches the updated frontend)`);
  for (const p of procs) {
    try {
      process.kill(p.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
}

/** `systemctl [--user] show -p LoadState,ActiveState`: restarted only when loaded and running (README assumption). */
function isUnitRunning(scope: string[], unit: string): boolean {
  const r = spawnSync('systemctl', [...scope, 'show', '-p', 'LoadState', '-p', 'ActiveState', unit], {
    encoding: 'utf8',
  });
  return (
    r.status === 0 && /LoadState=loaded/.test(r.stdout) && /ActiveState=(active|activating|reloading)/.test(r.stdout)
  );
}

/** Upstream requires `MainPID` equality before treating a unit as the owner. */
function isUnitMainPid(unit: string, pid: number): boolean {
  return [['--user'], []].some((scope) => {
    const r = spawnSync('systemctl', [...scope, 'show', '-p', 'MainPID', unit], { encoding: 'utf8' });
    return r.status === 0 && r.stdout.trim() === `MainPID=${pid}`;
  });
}

/** System scope: plain `systemctl` as root, else `sudo -n systemctl` (§10.3). */
function systemScopeCommand(args: string[]): [string, string[]] {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return root ? ['systemctl', args] : ['sudo', ['-n', 'systemctl', ...args]];
}

/** §10.3 step 1: `systemctl --user restart`, then system scope. True when the unit was found running. */
function restartUnit(unit: string, say: (line: string) => void): boolean {
  if (isUnitRunning(['--user'], unit)) {
    const r = spawnSync('systemctl', ['--user', 'restart', unit], { stdio: 'ignore' });
    say(r.status === 0 ? `⟲ Restarted ${unit} (systemd --user)` : `⚠ Could not restart ${unit} (systemd --user)`);
    return true;
  }
  if (isUnitRunning([], unit)) {
    const [cmd, args] = systemScopeCommand(['restart', unit]);
    const r = spawnSync(cmd, args, { stdio: 'ignore' });
    say(
      r.status === 0
        ? `⟲ Restarted ${unit} (systemd)`
        : `⚠ Could not restart ${unit}: run \`sudo systemctl restart ${unit}\``,
    );
    return true;
  }
  return false;
}

interface LaunchdJob {
  label: string;
  args: string[];
}

function readLaunchdJobs(): LaunchdJob[] {
  const dir = path.join(os.homedir(), 'Library', 'LaunchAgents');
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.plist'));
  } catch {
    return [];
  }
  const jobs: LaunchdJob[] = [];
  for (const name of names) {
    const xml = fs.readFileSync(path.join(dir, name), 'utf8');
    const label = /<key>Label<\/key>\s*<string>([^<]*)<\/string>/.exec(xml)?.[1];
    const arr = /<key>ProgramArguments<\/key>\s*<array>([\s\S]*?)<\/array>/.exec(xml)?.[1] ?? '';
    const args = [...arr.matchAll(/<string>([^<]*)<\/string>/g)].map((m) => m[1] ?? '');
    if (label && getDashboardKind({ pid: 0, ppid: 0, args, cmdline: args.join(' ') })) jobs.push({ label, args });
  }
  return jobs;
}

function kickstartLaunchdJobs(procs: ProcInfo[], handled: Set<number>, say: (line: string) => void): void {
  if (!hasCommand('launchctl')) return;
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  for (const job of readLaunchdJobs()) {
    const domain = [`gui/${uid}`, `user/${uid}`].find(
      (d) => spawnSync('launchctl', ['print', `${d}/${job.label}`], { stdio: 'ignore' }).status === 0,
    );
    if (!domain) continue;
    spawnSync('launchctl', ['kickstart', '-k', `${domain}/${job.label}`], { stdio: 'ignore' });
    say(`⟲ Restarted launchd job ${job.label}`);
    for (const p of procs) if (p.cmdline === job.args.join(' ')) handled.add(p.pid);
  }
}

async function respawnManual(ctx: SimContext, procs: ProcInfo[], say: (line: string) => void): Promise<void> {
  if (procs.length === 0) return;
  const logPath = path.join(ctx.hermesHome, 'logs', 'dashboard-restart.log');
  fs.mkdirSync(path.dirname(logPath), { recursive: true });
  say(`⟲ Restarting ${procs.length} dashboard process(es) (log: ${logPath})`);
  await terminateProcesses(
    procs.map((p) => p.pid),
    3000,
  );
  for (const p of procs) {
    const argv = p.args.includes('--no-open') ? [...p.args] : [...p.args, '--no-open'];
    const fd = fs.openSync(logPath, 'a');
    const child = spawn(argv[0] ?? 'hermes', argv.slice(1), {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: process.env,
    });
    child.unref();
    fs.closeSync(fd);
  }
}

/**
 * §10.3 newer updaters: 1. `hermes-dashboard.service` (user, then system scope); 2. any other unit owning a dashboard
 * PID (cgroup `.service` + MainPID); 3. launchd jobs kickstarted; 4. manual backends killed and respawned with
 * `--no-open` into dashboard-restart.log; 5. SSH-owned (`--ssh-owner-nonce`) backends spared.
 */
async function restartDashboards(ctx: SimContext, say: (line: string) => void): Promise<void> {
  const procs = findTargets(ctx).filter((p) => !p.args.includes('--ssh-owner-nonce'));
  const handled = new Set<number>();
  const systemd = hasCommand('systemctl');
  const restarted = new Set<string>();
  const canonicalPids = systemd
    ? procs.filter((p) => readOwningUnit(p.pid) === CANONICAL_UNIT && isUnitMainPid(CANONICAL_UNIT, p.pid))
    : [];
  if (systemd && restartUnit(CANONICAL_UNIT, say)) {
    restarted.add(CANONICAL_UNIT);
    for (const p of canonicalPids) handled.add(p.pid);
  }
  for (const p of procs) {
    const unit = systemd && !handled.has(p.pid) ? readOwningUnit(p.pid) : null;
    if (!unit || !isUnitMainPid(unit, p.pid)) continue;
    handled.add(p.pid);
    if (!restarted.has(unit) && restartUnit(unit, say)) restarted.add(unit);
  }
  kickstartLaunchdJobs(procs, handled, say);
  await respawnManual(
    ctx,
    procs.filter((p) => !handled.has(p.pid)),
    say,
  );
}

export async function handleDashboardsAfterUpdate(ctx: SimContext, say: (line: string) => void): Promise<void> {
  if (isServeEra(ctx.build.generation)) await restartDashboards(ctx, say);
  else killDashboards(ctx, say);
}
