// Installs or removes the scheduled `check --repair` on THIS machine: a marked crontab line (crontab.ts), or
// (--timer) a systemd user timer (Linux, systemd-timer.ts) / a launchd StartInterval agent (macOS,
// launchd-timer.ts). Idempotent: one entry per target. What was there before is left as it was: the crontab
// byte for byte (or no crontab), and a failed install leaves no file behind.
import { platform } from 'node:os';
import type { ScheduleSpec } from '../render/cron-line.js';
import type { ScheduleResult } from './schedule-spec.js';

export async function applySchedule(
  spec: ScheduleSpec,
  o: { install: boolean; timer: boolean },
): Promise<ScheduleResult> {
  if (!o.timer) return (await import('./crontab.js')).applyCron(spec, o.install);
  if (platform() === 'darwin') return (await import('./launchd-timer.js')).applyLaunchdTimer(spec, o.install);
  return (await import('./systemd-timer.js')).applySystemdTimer(spec, o.install);
}
