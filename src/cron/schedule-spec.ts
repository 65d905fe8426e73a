// From the cron command's flags to the schedule: what runs (absolute node and CLI paths, the check's own flags),
// how often, and where it logs. Also used by uninstall to find the entry of a target.
import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { usageError } from '../errors.js';
import type { ScheduleSpec } from '../render/cron-line.js';

/** What installing or removing a schedule did. */
export interface ScheduleResult {
  kind: 'cron' | 'systemd-timer' | 'launchd';
  changed: boolean;
  entry?: string;
  files: string[];
}

export interface CronFlags {
  local?: boolean;
  every: string;
  timer?: boolean;
  log?: string;
  json?: boolean;
  identity?: string[];
  knownHosts?: string;
  sshConfig?: string;
  port?: string;
  passwordFile?: string;
}

function passThrough(f: CronFlags): string[] {
  const abs = (p: string) => resolve(p);
  return [
    ...(f.identity ?? []).flatMap((i) => ['-i', abs(i)]),
    ...(f.knownHosts ? ['--known-hosts', abs(f.knownHosts)] : []),
    ...(f.sshConfig ? ['--ssh-config', abs(f.sshConfig)] : []),
    ...(f.port ? ['--port', f.port] : []),
    ...(f.passwordFile ? ['--password-file', abs(f.passwordFile)] : []),
  ];
}

export function toScheduleSpec(target: string | undefined, f: CronFlags): ScheduleSpec {
  if (!f.local && !target)
    throw usageError(
      'E_USAGE',
      'give a target or --local',
      'hermes-setup cron install deploy@mini.lan (or --local on the server)',
    );
  if (f.local && target) throw usageError('E_USAGE', 'give either a target or --local, not both', 'drop one of them');
  const every = Number(f.every);
  if (!Number.isInteger(every) || every < 1 || (every >= 60 && (every % 60 !== 0 || every >= 1440)))
    throw usageError('E_USAGE', `invalid --every "${f.every}"`, 'give minutes 1-59, or whole hours (60, 120, …)');
  if (target && /\s/.test(target)) throw usageError('E_USAGE', `invalid target "${target}"`, 'a target has no spaces');
  const label = f.local ? 'local' : target!;
  const log = f.log
    ? resolve(f.log)
    : join(homedir(), '.local', 'state', 'hermes-setup', `check-${label.replace(/[^A-Za-z0-9@._-]+/g, '_')}.log`);
  const cli = realpathSync(process.argv[1] ?? '');
  return {
    node: process.execPath,
    cli,
    args: [...(f.local ? ['--local'] : [target!]), ...passThrough(f)],
    log,
    every,
    label,
  };
}
