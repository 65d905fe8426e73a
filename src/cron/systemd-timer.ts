// --timer on Linux: a systemd user timer + oneshot service running ~/.config/hermes-setup/<name>.sh.
// Install first checks that this user has a systemd user manager (else E_TIMER and nothing is written); if
// enabling still fails, every file is put back as it was (new ones and new directories removed).
import { homedir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { stepError } from '../errors.js';
import { renderSystemdTimer, renderTimerScript, timerName, type ScheduleSpec } from '../render/cron-line.js';
import type { ScheduleResult } from './schedule-spec.js';
import { makeDirs, removeDirIfEmpty, restoreFiles, snapshotFiles, writeFileIfChanged } from './local-files.js';

const HINT =
  'log in directly as this user (ssh, not su/sudo) with linger enabled (loginctl enable-linger), or use cron (drop --timer)';

/** `systemctl --user …` with the bus of this user (sessions from su/sudo/cron lack it in their environment). */
async function userctl(args: string): Promise<{ code: number; stderr: string }> {
  const env = { XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? `/run/user/${process.getuid?.() ?? 0}` };
  const r = await execa(
    'sh',
    ['-c', `export DBUS_SESSION_BUS_ADDRESS=unix:path=$XDG_RUNTIME_DIR/bus; systemctl --user ${args}`],
    { reject: false, env },
  );
  return { code: r.exitCode ?? 1, stderr: String(r.stderr) };
}

async function requireUserManager(): Promise<void> {
  const r = await userctl('show-environment >/dev/null');
  if (r.code === 0) return;
  const why = r.stderr.trim().split('\n')[0] || `exit ${r.code}`;
  throw stepError(
    'E_TIMER',
    `this user has no systemd user manager (systemctl --user: ${why}); nothing was written`,
    HINT,
  );
}

function paths(label: string) {
  const name = timerName(label);
  const unitDir = join(homedir(), '.config', 'systemd', 'user');
  const scriptDir = join(homedir(), '.config', 'hermes-setup');
  return {
    name,
    unitDir,
    scriptDir,
    service: join(unitDir, `${name}.service`),
    timer: join(unitDir, `${name}.timer`),
    script: join(scriptDir, `${name}.sh`),
  };
}

async function removeSystemdTimer(spec: ScheduleSpec): Promise<ScheduleResult> {
  const p = paths(spec.label);
  const files = [p.service, p.timer, p.script];
  if ((await snapshotFiles(files)).every((s) => s.bytes === undefined))
    return { kind: 'systemd-timer', changed: false, files: [] };
  await userctl(`disable --now ${p.name}.timer 2>/dev/null; true`);
  await restoreFiles(
    files.map((path) => ({ path, bytes: undefined, mode: 0 })),
    [],
  );
  await removeDirIfEmpty(p.scriptDir);
  await userctl('daemon-reload');
  return { kind: 'systemd-timer', changed: true, files };
}

export async function applySystemdTimer(spec: ScheduleSpec, install: boolean): Promise<ScheduleResult> {
  if (!install) return removeSystemdTimer(spec);
  const p = paths(spec.label);
  await requireUserManager();
  const units = renderSystemdTimer(spec, p.script);
  const want: Array<[string, string, number]> = [
    [p.script, renderTimerScript(spec), 0o700],
    [p.service, units.service, 0o644],
    [p.timer, units.timer, 0o644],
  ];
  const before = await snapshotFiles(want.map(([f]) => f));
  const result = { kind: 'systemd-timer' as const, entry: `${p.name}.timer`, files: [p.service, p.timer, p.script] };
  const same = want.every(
    ([, text, mode], i) => before[i]!.bytes?.equals(Buffer.from(text)) && before[i]!.mode === mode,
  );
  if (same && (await userctl(`is-enabled --quiet ${p.name}.timer`)).code === 0) return { ...result, changed: false };
  const made = [...(await makeDirs(p.scriptDir, 0o700)), ...(await makeDirs(p.unitDir, 0o755))];
  try {
    for (const [f, text, mode] of want) await writeFileIfChanged(f, text, mode);
    const r = await userctl(`daemon-reload && systemctl --user enable --now ${p.name}.timer`);
    if (r.code !== 0)
      throw stepError(
        'E_TIMER',
        `systemctl --user enable --now ${p.name}.timer failed: ${r.stderr.trim().split('\n')[0] ?? ''}; nothing was left behind`,
        HINT,
      );
  } catch (err) {
    await restoreFiles(before, made);
    await userctl('daemon-reload');
    throw err;
  }
  return { ...result, changed: true };
}
