// Installs or removes the scheduled `check --repair` on THIS machine: a marked crontab line, or (--timer) a
// systemd user timer (Linux) / a launchd StartInterval agent (macOS). Idempotent: one entry per target.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { stepError } from '../errors.js';
import { renderCheckCommand, renderCronLine, renderLaunchdTimer, renderSystemdTimer, replaceCronEntry, timerName, type ScheduleSpec } from '../render/cron-line.js';

export interface ScheduleResult { kind: 'cron' | 'systemd-timer' | 'launchd'; changed: boolean; entry?: string; files: string[] }

async function readCrontab(): Promise<string> {
  const r = await execa('crontab', ['-l'], { reject: false });
  if (r.exitCode === 0) return String(r.stdout).length ? `${String(r.stdout)}\n` : '';
  if (/no crontab/i.test(String(r.stderr))) return '';
  throw stepError('E_CRONTAB', `crontab -l failed (exit ${r.exitCode}): ${String(r.stderr).trim()}`, 'install cron (Debian: apt-get install cron), or use --timer');
}

export async function applyCron(spec: ScheduleSpec, install: boolean): Promise<ScheduleResult> {
  const current = await readCrontab().catch((e: unknown) => { if ((e as { code?: string }).code === 'ENOENT') throw stepError('E_CRONTAB', 'crontab is not installed on this machine', 'install cron, or use --timer'); throw e; });
  const line = install ? renderCronLine(spec) : undefined;
  const next = replaceCronEntry(current, spec.label, line);
  if (next === current) return { kind: 'cron', changed: false, ...(line ? { entry: line } : {}), files: [] };
  const r = await execa('crontab', ['-'], { input: next, reject: false });
  if (r.exitCode !== 0) throw stepError('E_CRONTAB', `crontab - failed (exit ${r.exitCode}): ${String(r.stderr).trim()}`, 'check `crontab -l` by hand');
  return { kind: 'cron', changed: true, ...(line ? { entry: line } : {}), files: [] };
}

async function writeScript(spec: ScheduleSpec, name: string): Promise<string> {
  const script = join(homedir(), '.config', 'hermes-setup', `${name}.sh`);
  await mkdir(dirname(script), { recursive: true, mode: 0o700 });
  await writeFile(script, `#!/bin/sh\n# Managed by hermes-setup cron --timer\n${renderCheckCommand(spec)}\n`, { mode: 0o700 });
  return script;
}

async function sh(cmd: string): Promise<{ code: number; stderr: string }> {
  const env = { XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? `/run/user/${process.getuid?.() ?? 0}` };
  const r = await execa('sh', ['-c', `export DBUS_SESSION_BUS_ADDRESS=unix:path=$XDG_RUNTIME_DIR/bus; ${cmd}`], { reject: false, env: { ...process.env, ...env } });
  return { code: r.exitCode ?? 1, stderr: String(r.stderr) };
}

async function applySystemdTimer(spec: ScheduleSpec, install: boolean): Promise<ScheduleResult> {
  const name = timerName(spec.label);
  const dir = join(homedir(), '.config', 'systemd', 'user');
  const files = [join(dir, `${name}.service`), join(dir, `${name}.timer`)];
  const existed = (await Promise.all(files.map((f) => readFile(f, 'utf8').then((t) => t, () => undefined))));
  if (!install) {
    if (existed.every((t) => t === undefined)) return { kind: 'systemd-timer', changed: false, files: [] };
    await sh(`systemctl --user disable --now ${name}.timer 2>/dev/null; true`);
    await Promise.all([...files, join(homedir(), '.config', 'hermes-setup', `${name}.sh`)].map((f) => rm(f, { force: true })));
    await sh('systemctl --user daemon-reload');
    return { kind: 'systemd-timer', changed: true, files };
  }
  const script = await writeScript(spec, name);
  const u = renderSystemdTimer(spec, script);
  if (existed[0] === u.service && existed[1] === u.timer) return { kind: 'systemd-timer', changed: false, entry: `${name}.timer`, files: [...files, script] };
  await mkdir(dir, { recursive: true });
  await writeFile(files[0]!, u.service);
  await writeFile(files[1]!, u.timer);
  const r = await sh(`systemctl --user daemon-reload && systemctl --user enable --now ${name}.timer`);
  if (r.code !== 0) throw stepError('E_TIMER', `systemctl --user enable --now ${name}.timer failed: ${r.stderr.trim()}`, 'enable linger and log in directly as this user (not su/sudo), or use cron');
  return { kind: 'systemd-timer', changed: true, entry: `${name}.timer`, files: [...files, script] };
}

async function applyLaunchdTimer(spec: ScheduleSpec, install: boolean): Promise<ScheduleResult> {
  const name = timerName(spec.label);
  const label = `ai.hermes-setup.${name}`;
  const plist = join(homedir(), 'Library', 'LaunchAgents', `${label}.plist`);
  const uid = process.getuid?.() ?? 0;
  const domain = (await sh(`launchctl print gui/${uid} >/dev/null 2>&1`)).code === 0 ? `gui/${uid}` : `user/${uid}`;
  await sh(`launchctl bootout ${domain}/${label} 2>/dev/null; for i in $(seq 40); do launchctl print ${domain}/${label} >/dev/null 2>&1 || exit 0; sleep 0.25; done`);
  if (!install) {
    const had = await readFile(plist).then(() => true, () => false);
    await rm(plist, { force: true });
    return { kind: 'launchd', changed: had, files: had ? [plist] : [] };
  }
  const script = await writeScript(spec, name);
  await mkdir(dirname(plist), { recursive: true });
  await writeFile(plist, renderLaunchdTimer(spec, label, script), { mode: 0o644 });
  const r = await sh(`launchctl enable ${domain}/${label}; launchctl bootstrap ${domain} '${plist}'`);
  if (r.code !== 0) throw stepError('E_TIMER', `launchctl bootstrap ${domain} failed: ${r.stderr.trim()}`, 'use cron instead (hermes-setup cron install without --timer)');
  return { kind: 'launchd', changed: true, entry: `${domain}/${label}`, files: [plist, script] };
}

export function applySchedule(spec: ScheduleSpec, o: { install: boolean; timer: boolean }): Promise<ScheduleResult> {
  if (!o.timer) return applyCron(spec, o.install);
  return platform() === 'darwin' ? applyLaunchdTimer(spec, o.install) : applySystemdTimer(spec, o.install);
}
