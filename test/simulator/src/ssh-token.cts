/** `--ssh-session-token-file` validation (§4.3): read, unlink, or SystemExit. */
import fs from 'node:fs';
import path from 'node:path';
import { StartupExit } from './server-config.cjs';

function fail(msg: string): never {
  throw new StartupExit(1, msg);
}

function assertNoSymlinks(file: string, stopAt: string): void {
  let cur = file;
  while (cur.startsWith(stopAt) && cur !== stopAt) {
    if (fs.lstatSync(cur).isSymbolicLink()) fail('--ssh-session-token-file must not involve symlinks');
    cur = path.dirname(cur);
  }
}

export function readSshTokenFile(file: string, home: string): string {
  const base = path.join(home, '.hermes', 'desktop-ssh');
  const abs = path.resolve(file);
  const rel = path.relative(base, abs).split(path.sep);
  if (rel.length !== 2 || !/^[0-9a-f]{32}$/.test(rel[0] ?? '') || !/^[0-9a-f]{16}\.token$/.test(rel[1] ?? '')) {
    fail('--ssh-session-token-file must be under the desktop-ssh directory');
  }
  let st: fs.Stats;
  try {
    st = fs.lstatSync(abs);
  } catch {
    fail('--ssh-session-token-file does not exist');
  }
  assertNoSymlinks(abs, path.join(home, '.hermes'));
  if (!st.isFile()) fail('--ssh-session-token-file must be a regular file');
  if ((st.mode & 0o777) !== 0o600) fail('--ssh-session-token-file must have mode 0600');
  if (typeof process.getuid === 'function' && st.uid !== process.getuid())
    fail('--ssh-session-token-file must be owned by the current user');
  if ((fs.lstatSync(path.dirname(abs)).mode & 0o777) !== 0o700)
    fail('--ssh-session-token-file parent directory must have mode 0700');
  const content = fs.readFileSync(abs, 'utf8');
  fs.unlinkSync(abs);
  if (!/^[0-9a-f]{64}$/i.test(content)) fail('--ssh-session-token-file must contain exactly 64 hex characters');
  return content;
}
