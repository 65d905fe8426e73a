// --timer on macOS: a LaunchAgent with StartInterval running ~/.config/hermes-setup/<name>.sh, in gui/<uid>
// when the user has a GUI session, else user/<uid>. Install first checks that one of these domains answers (else
// E_TIMER, nothing written); when bootstrap still fails, the plist and script are put back as they were (new ones
// and new directories removed) and a previous agent is bootstrapped again (once launchd has let go of the label).
import { homedir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { stepError } from '../errors.js';
import { renderLaunchdTimer, renderTimerScript, shq, timerName, type ScheduleSpec } from '../render/cron-line.js';
import type { ScheduleResult } from './schedule-spec.js';
import { makeDirs, removeDirIfEmpty, restoreFiles, snapshotFiles, writeFileIfChanged } from './local-files.js';

async function sh(cmd: string): Promise<{ code: number; stderr: string }> {
  const r = await execa('sh', ['-c', cmd], { reject: false });
  return { code: r.exitCode ?? 1, stderr: String(r.stderr) };
}

async function pickDomain(uid: number): Promise<string | undefined> {
  for (const d of [`gui/${uid}`, `user/${uid}`])
    if ((await sh(`launchctl print ${d} >/dev/null 2>&1`)).code === 0) return d;
  return undefined;
}

function noDomain(uid: number): never {
  throw stepError(
    'E_TIMER',
    `launchd has no gui/${uid} or user/${uid} domain for this user; nothing was written`,
    'use cron instead (hermes-setup cron install without --timer)',
  );
}

/** bootout, then wait (≤ 10 s) until launchd has let go of the label. */
async function bootout(target: string): Promise<void> {
  await sh(
    `launchctl bootout ${target} 2>/dev/null; end=$(($(date +%s) + 10)); while launchctl print ${target} >/dev/null 2>&1 && [ "$(date +%s)" -lt "$end" ]; do sleep 0.25; done`,
  );
}

function paths(label: string) {
  const name = timerName(label);
  const agent = `ai.hermes-setup.${name}`;
  const agentDir = join(homedir(), 'Library', 'LaunchAgents');
  const scriptDir = join(homedir(), '.config', 'hermes-setup');
  return { agent, agentDir, scriptDir, plist: join(agentDir, `${agent}.plist`), script: join(scriptDir, `${name}.sh`) };
}

async function removeLaunchdTimer(spec: ScheduleSpec, domain: string): Promise<ScheduleResult> {
  const p = paths(spec.label);
  const had = (await snapshotFiles([p.plist, p.script])).some((s) => s.bytes !== undefined);
  await bootout(`${domain}/${p.agent}`);
  await restoreFiles(
    [p.plist, p.script].map((path) => ({ path, bytes: undefined, mode: 0 })),
    [],
  );
  await removeDirIfEmpty(p.scriptDir);
  return { kind: 'launchd', changed: had, files: had ? [p.plist, p.script] : [] };
}

export async function applyLaunchdTimer(spec: ScheduleSpec, install: boolean): Promise<ScheduleResult> {
  const uid = process.getuid?.() ?? 0;
  const domain = await pickDomain(uid);
  if (!install) return removeLaunchdTimer(spec, domain ?? `user/${uid}`);
  if (!domain) noDomain(uid);
  const p = paths(spec.label);
  const target = `${domain}/${p.agent}`;
  const want: Array<[string, string, number]> = [
    [p.script, renderTimerScript(spec), 0o700],
    [p.plist, renderLaunchdTimer(spec, p.agent, p.script), 0o644],
  ];
  const before = await snapshotFiles(want.map(([f]) => f));
  const result = { kind: 'launchd' as const, entry: target, files: [p.plist, p.script] };
  const same = want.every(
    ([, text, mode], i) => before[i]!.bytes?.equals(Buffer.from(text)) && before[i]!.mode === mode,
  );
  if (same && (await sh(`launchctl print ${target} >/dev/null 2>&1`)).code === 0) return { ...result, changed: false };
  await bootout(target);
  const made = [...(await makeDirs(p.scriptDir, 0o700)), ...(await makeDirs(p.agentDir, 0o755))];
  try {
    for (const [f, text, mode] of want) await writeFileIfChanged(f, text, mode);
    const r = await sh(`launchctl enable ${target}; launchctl bootstrap ${domain} ${shq(p.plist)}`);
    if (r.code !== 0)
      throw stepError(
        'E_TIMER',
        `launchctl bootstrap ${domain} failed: ${r.stderr.trim().split('\n')[0] ?? ''}; the files are as they were`,
        'rerun in a minute (launchd may still be removing the old agent), or use cron (drop --timer)',
      );
  } catch (err) {
    await restoreFiles(before, made);
    if (before[1]!.bytes !== undefined) {
      await bootout(target);
      await sh(`launchctl bootstrap ${domain} ${shq(p.plist)} 2>/dev/null`);
    }
    throw err;
  }
  return { ...result, changed: true };
}
