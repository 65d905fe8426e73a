// The user's crontab through the `crontab` command, byte for byte (the text is latin1: one char per byte), and
// the marked entry installed or removed in it (the edit rules are in src/render/crontab-edit.ts).
//
// Reading: `crontab -l` (exit 1 "no crontab for …" = none). Debian's crontab -l shows a CR as the two characters
// `\r` and a backspace as `\b` without escaping backslashes (Debian cron 3.0pl1-149, #585552), so a listing that
// contains `\r` or `\b` is ambiguous: the exact bytes are then read through `crontab -e` with an editor that only
// copies the file (no change made, nothing installed), and checked against the listing.
// Writing: `crontab -` with the exact bytes; `crontab -r` when the edit says "no crontab".
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { stepError } from '../errors.js';
import { renderCronLine, type ScheduleSpec } from '../render/cron-line.js';
import { editCrontab } from '../render/crontab-edit.js';
import type { ScheduleResult } from './schedule-spec.js';

const latin1 = (b: Uint8Array | string): string => Buffer.from(b).toString('latin1');
const firstLine = (s: string): string => s.trim().split('\n')[0] ?? '';

async function crontab(args: string[], o: { input?: Buffer; env?: Record<string, string> } = {}) {
  const r = await execa('crontab', args, {
    reject: false,
    encoding: 'buffer',
    stripFinalNewline: false,
    input: o.input ?? Buffer.alloc(0),
    env: o.env ?? {},
  });
  if (r.exitCode === undefined) {
    const code = (r as { code?: string }).code;
    if (code === 'ENOENT')
      throw stepError(
        'E_CRONTAB',
        'no `crontab` command on this machine',
        'install cron (Debian/Ubuntu: sudo apt-get install cron), or use --timer',
      );
    throw stepError(
      'E_CRONTAB',
      `could not run \`crontab ${args.join(' ')}\` (${code ?? firstLine(r.shortMessage ?? 'failed')})`,
      'check `crontab -l` by hand, or use --timer',
    );
  }
  return { code: r.exitCode, stdout: latin1(r.stdout), stderr: Buffer.from(r.stderr).toString('utf8') };
}

/** Debian's `crontab -l` rendering of the raw bytes. */
function escapeLikeDebian(raw: string): string {
  return raw.replace(/\r/g, '\\r').replace(/\x08/g, '\\b');
}

/** The raw bytes through `crontab -e` and an editor that copies the file it is given and changes nothing. */
async function readThroughEditor(): Promise<string> {
  const base = /^[A-Za-z0-9/._-]+$/.test(tmpdir()) ? tmpdir() : '/tmp';
  const dir = await mkdtemp(join(base, 'hermes-setup-crontab-'));
  try {
    const editor = join(dir, 'copy.sh');
    await writeFile(
      editor,
      `#!/bin/sh\n# hermes-setup: copy the crontab being edited, change nothing\nfor f; do :; done\ncat "$f" > ${join(dir, 'copy')}\n`,
      { mode: 0o700 },
    );
    const r = await crontab(['-e'], { env: { VISUAL: editor, EDITOR: editor } });
    const copy = await readFile(join(dir, 'copy')).catch(() => undefined);
    if (r.code !== 0 || !copy)
      throw stepError(
        'E_CRONTAB',
        `could not read the crontab byte for byte (crontab -e: exit ${r.code} ${firstLine(r.stderr)})`,
        'nothing was changed; edit the crontab by hand, or use --timer',
      );
    return latin1(copy);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The crontab's exact bytes (latin1), or null when the user has none. */
export async function readCrontab(): Promise<string | null> {
  const r = await crontab(['-l']);
  if (r.code !== 0) {
    if (/no crontab for/i.test(r.stderr)) return null;
    throw stepError(
      'E_CRONTAB',
      `crontab -l failed (exit ${r.code}): ${firstLine(r.stderr)}`,
      'check `crontab -l` by hand (cron.allow / cron.deny?), or use --timer',
    );
  }
  if (!/\\[rb]/.test(r.stdout)) return r.stdout;
  const raw = await readThroughEditor();
  if (raw !== r.stdout && escapeLikeDebian(raw) !== r.stdout)
    throw stepError('E_CRONTAB', 'the crontab changed while it was being read', 'rerun');
  return raw;
}

async function writeCrontab(next: string | null): Promise<void> {
  const r = next === null ? await crontab(['-r']) : await crontab(['-'], { input: Buffer.from(next, 'latin1') });
  if (r.code !== 0)
    throw stepError(
      'E_CRONTAB',
      `crontab ${next === null ? '-r' : '-'} failed (exit ${r.code}): ${firstLine(r.stderr)}`,
      'nothing was changed; check `crontab -l` by hand',
    );
}

/** A crontab whose last line has no newline: crontab refuses to install it, and adding one changes that line. */
function refuseUnterminated(current: string | null, next: string | null, install: boolean): void {
  const open = (t: string | null): boolean => t !== null && t !== '' && !t.endsWith('\n');
  if (open(next) || (install && open(current))) {
    throw stepError(
      'E_CRONTAB',
      "the crontab's last line has no newline at its end; `crontab` refuses such a file, and adding one would change that line",
      'end the last line with a newline (crontab -e), then rerun',
    );
  }
}

export async function applyCron(spec: ScheduleSpec, install: boolean): Promise<ScheduleResult> {
  const current = await readCrontab();
  const line = install ? renderCronLine(spec) : undefined;
  const next = editCrontab(current, spec.label, line === undefined ? undefined : latin1(Buffer.from(line, 'utf8')));
  const result = { kind: 'cron' as const, ...(line ? { entry: line } : {}), files: [] };
  if (next === current) return { ...result, changed: false };
  refuseUnterminated(current, next, install);
  await writeCrontab(next);
  return { ...result, changed: true };
}
