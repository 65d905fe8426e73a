// The scheduled health check: the sh command (absolute node + CLI, size-capped log), the crontab line with
// its marker, and the systemd timer / launchd plist variants. Pure. Editing the crontab: crontab-edit.ts.

export const LOG_CAP_BYTES = 1024 * 1024;

export interface ScheduleSpec {
  /** Absolute path of node. */
  node: string;
  /** Absolute path of dist/cli.js. */
  cli: string;
  /** Arguments after `check --repair` (target or --local, connection flags). */
  args: string[];
  /** Absolute log file; rotated to <log>.1 when over LOG_CAP_BYTES. */
  log: string;
  /** Minutes between runs. */
  every: number;
  /** The target label in the marker (`local`, `deploy@mini.lan`). */
  label: string;
}

/** POSIX single-quoting. */
export function shq(s: string): string {
  return /^[A-Za-z0-9@%+=:,./_-]+$/.test(s) && !s.includes('%') ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function cronMarker(label: string): string {
  return `# hermes-setup:${label.replace(/[^A-Za-z0-9@._:[\]-]+/g, '_')}`;
}

/**
 * For a crontab line: cron turns every unescaped `%` into a newline (crontab(5)), so each `%` (always inside a
 * single-quoted word, see shq) leaves the quotes as `\%`: `'/a%b'` becomes `'/a'\%'b'`. Vixie/Debian cron, cronie
 * and macOS cron remove the backslash and pass `%`; a cron that leaves `%` alone (busybox) passes `\%`, which sh
 * reads as `%` outside quotes. Either way sh gets the same word.
 */
export function cronWord(s: string): string {
  return shq(s).replace(/%/g, `'\\%'`);
}

/** The shell command a schedule runs; `q` quotes each word (cronWord for a crontab line). */
export function renderCheckCommand(s: ScheduleSpec, q: (word: string) => string = shq): string {
  for (const p of [s.node, s.cli, s.log]) if (!p.startsWith('/')) throw new Error(`${p} must be an absolute path`);
  const log = q(s.log);
  const rotate = `[ -f ${log} ] && [ "$(wc -c < ${log})" -gt ${LOG_CAP_BYTES} ] && mv -f ${log} ${log}.1`;
  const run = [s.node, s.cli, 'check', '--repair', ...s.args].map(q).join(' ');
  return `mkdir -p ${q(s.log.replace(/\/[^/]+$/, '') || '/')}; ${rotate}; { date -u; ${run}; } >> ${log} 2>&1`;
}

export function cronSchedule(every: number): string {
  if (!Number.isInteger(every) || every < 1) throw new Error(`bad interval: ${every}`);
  if (every < 60) return `*/${every} * * * *`;
  if (every % 60 === 0 && every / 60 < 24) return `0 */${every / 60} * * *`;
  throw new Error(`--every ${every}: use 1-59 minutes or whole hours below 24`);
}

/** The crontab line: schedule, command (every `%` escaped for cron), marker. */
export function renderCronLine(s: ScheduleSpec): string {
  return `${cronSchedule(s.every)} ${renderCheckCommand(s, cronWord)} ${cronMarker(s.label)}`;
}

/** The script a --timer unit or agent runs (a file, so `%` needs no escaping). */
export function renderTimerScript(s: ScheduleSpec): string {
  return `#!/bin/sh\n# Managed by hermes-setup cron --timer\n${renderCheckCommand(s)}\n`;
}

export function timerName(label: string): string {
  return `hermes-setup-check-${label
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase()}`;
}

export function renderSystemdTimer(s: ScheduleSpec, script: string): { service: string; timer: string } {
  return {
    service: `# Managed by hermes-setup cron --timer\n[Unit]\nDescription=hermes-setup check --repair (${s.label})\n\n[Service]\nType=oneshot\nExecStart=/bin/sh ${script}\n`,
    timer: `# Managed by hermes-setup cron --timer\n[Unit]\nDescription=hermes-setup check --repair every ${s.every} min (${s.label})\n\n[Timer]\nOnBootSec=2min\nOnUnitActiveSec=${s.every}min\nPersistent=true\n\n[Install]\nWantedBy=timers.target\n`,
  };
}

const xml = (t: string): string => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function renderLaunchdTimer(s: ScheduleSpec, label: string, script: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>${xml(label)}</string>
  <key>ProgramArguments</key>
  <array>
    <string>/bin/sh</string>
    <string>${xml(script)}</string>
  </array>
  <key>StartInterval</key>
  <integer>${s.every * 60}</integer>
  <key>RunAtLoad</key>
  <false/>
  <key>LimitLoadToSessionType</key>
  <array>
    <string>Aqua</string>
    <string>Background</string>
  </array>
</dict>
</plist>
`;
}
