/**
 * `~/.hermes/.hermes-update-in-progress` (§18.2, corrects §10.3): two numeric lines, the updater's PID and its start
 * time (epoch seconds, float). Stale — not gating — when the PID is dead or the marker is older than 20 minutes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isAlive } from './process-table.cjs';

export const MARKER_NAME = '.hermes-update-in-progress';
export const MARKER_MAX_AGE_SECONDS = 20 * 60;

export interface MarkerHolder {
  pid: number;
  ageSeconds: number | null;
}

export function getMarkerPath(hermesHome: string): string {
  return path.join(hermesHome, MARKER_NAME);
}

/** The live holder, or null when absent, malformed (PID not an integer), dead-PID or older than 20 minutes. */
export function readLiveMarker(file: string): MarkerHolder | null {
  let lines: string[];
  try {
    lines = fs
      .readFileSync(file, 'utf8')
      .replace(/^\uFEFF/, '')
      .split(/\r?\n/);
  } catch {
    return null;
  }
  const pidText = (lines[0] ?? '').trim();
  const pid = /^\d+$/.test(pidText) ? Number(pidText) : -1;
  if (pid <= 0 || !isAlive(pid)) return null;
  const started = Number((lines[1] ?? '').trim());
  // An unreadable start time leaves the age unknown: a live PID still gates (README assumption).
  const ageSeconds = (lines[1] ?? '').trim() !== '' && Number.isFinite(started) ? Date.now() / 1000 - started : null;
  if (ageSeconds !== null && ageSeconds > MARKER_MAX_AGE_SECONDS) return null;
  return { pid, ageSeconds };
}

export function renderMarker(pid: number, startedAt: number): string {
  return `${pid}\n${startedAt}\n`;
}

/** Claims the marker unless a live holder has it; a stale marker is replaced. Returns the holder on refusal. */
export function acquireMarker(file: string): { ok: true } | { ok: false; holder: MarkerHolder } {
  const body = renderMarker(process.pid, Date.now() / 1000);
  try {
    fs.writeFileSync(file, body, { flag: 'wx' });
    return { ok: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const holder = readLiveMarker(file);
  if (holder) return { ok: false, holder };
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, body);
  fs.renameSync(tmp, file);
  return { ok: true };
}

/** Removes the marker only while it still names this process. */
export function releaseMarker(file: string): void {
  try {
    const first = fs.readFileSync(file, 'utf8').split('\n')[0]?.trim();
    if (first === String(process.pid)) fs.rmSync(file, { force: true });
  } catch {
    /* gone */
  }
}

/** Wording of upstream `hermes_cli/update_lock.py` `describe_holder` (not in the contract; README assumption). */
export function describeHolder(h: MarkerHolder): string {
  const age =
    h.ageSeconds === null
      ? 'start time unavailable'
      : (() => {
          const s = Math.max(0, Math.floor(h.ageSeconds));
          return `started ${s >= 60 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${s}s`} ago`;
        })();
  return `✗ Another Hermes update is already running (PID ${h.pid}, ${age}).\n\n  Two updates running at once can corrupt Hermes. Wait for the update to finish, then try again.`;
}
