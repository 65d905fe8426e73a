// Files a --timer install writes on this machine, written so that a failed install can put everything back:
// snapshot first, write (temp + rename, only when content or mode differs), restore the snapshot on failure
// (old bytes and mode back, new files and the directories this run created removed).
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** rmdir when empty; anything else in it (a password file, the user's own) keeps it. */
export async function removeDirIfEmpty(dir: string): Promise<void> {
  await rmdir(dir).catch(() => undefined);
}

export interface FileSnapshot {
  path: string;
  bytes: Buffer | undefined;
  mode: number;
}

export async function snapshotFiles(paths: string[]): Promise<FileSnapshot[]> {
  return Promise.all(
    paths.map(async (path) => {
      const bytes = await readFile(path).catch(() => undefined);
      const mode = bytes ? (await stat(path)).mode & 0o7777 : 0;
      return { path, bytes, mode };
    }),
  );
}

/** mkdir -p; returns the directories it created, outermost first. */
export async function makeDirs(dir: string, mode: number): Promise<string[]> {
  const first = await mkdir(dir, { recursive: true, mode });
  if (!first) return [];
  const made: string[] = [];
  for (let d = dir; d.length >= first.length; d = dirname(d)) made.unshift(d);
  return made;
}

/** Temp file + rename when the content or mode differs; true when it wrote. */
export async function writeFileIfChanged(path: string, content: string | Buffer, mode: number): Promise<boolean> {
  const [old] = await snapshotFiles([path]);
  if (old?.bytes?.equals(Buffer.from(content)) && old.mode === mode) return false;
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(tmp, content, { mode });
    await chmod(tmp, mode);
    await rename(tmp, path);
  } finally {
    await rm(tmp, { force: true });
  }
  return true;
}

/** Puts the snapshot back and removes the (then empty) directories listed in `made`. */
export async function restoreFiles(snapshot: FileSnapshot[], made: string[]): Promise<void> {
  for (const s of snapshot) {
    if (s.bytes === undefined) await rm(s.path, { force: true });
    else await writeFileIfChanged(s.path, s.bytes, s.mode).catch(() => undefined);
  }
  for (const d of [...made].reverse()) await rmdir(d).catch(() => undefined);
}
