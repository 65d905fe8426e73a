// "Nothing on the host changed": the managed trees' files (snapshotTrees: bytes, modes, mtimes) plus the
// directories themselves (existence, mode, owner, mtime — a file created and removed again, like the lock, moves the
// directory's mtime), the linger flag and the remote lock. Also the one-line error shape every refusal must have.
import { expect } from 'vitest';
import type { LinuxHost } from '../hosts/linux-host.js';
import type { CliResult } from './cli.js';
import { snapshotTrees } from './snapshot.js';

const DIRS = ['.hermes', '.config', '.config/systemd', '.config/systemd/user', 'Library', 'Library/LaunchAgents'];

/** Everything `remote` may write on a Linux test host, as one comparable string. */
export async function hostState(h: LinuxHost): Promise<string> {
  // One SSH round trip: snapshotTrees' own command (captured, not run separately), then the directories and linger.
  let files = '';
  await snapshotTrees((cmd) => {
    files = cmd;
    return Promise.resolve({ code: 0, stdout: '', stderr: '' });
  });
  const r = await h.ssh(`${files}\necho '--- dirs'\ncd "$HOME" && for d in . ${DIRS.join(' ')}; do
  if [ -e "$d" ]; then find "$d" -maxdepth 0 -printf '%p %y %m %u %g %T@\\n'; else echo "$d absent"; fi
done
find .hermes .config/systemd Library -mindepth 1 -type d -not -path '.hermes/logs*' -printf '%p %m %u %T@\\n' 2>/dev/null | sort
ls -la --time-style=full-iso .hermes .config/systemd/user 2>&1 | grep -v ' logs$' | sed -e 's/^total .*//'
if [ -e .hermes/.hermes-setup.lock ]; then echo 'LOCK FILE PRESENT'; fi
echo '--- system'
ls -la --time-style=full-iso /var/lib/systemd/linger 2>&1; ls /etc/systemd/system | grep -i hermes || true`);
  if (!r.stdout.includes('--- system')) throw new Error(`host state: ssh failed (${r.code}): ${r.stderr}`);
  return `${r.stdout}${r.stderr}`;
}

export const ONE_LINE_ERROR = /^E_[A-Z_]+: .+ — hint: .+$/;

/** Exactly one stderr line `E_CODE: cause — hint: fix`, the expected code and exit status, and no stack trace. */
export function expectRefusal(r: CliResult, code: string | RegExp, exit: number, detail?: RegExp): void {
  const lines = r.stderr.replace(/\n$/, '').split('\n');
  const summary = `exit ${r.code}, stderr:\n${r.stderr}`;
  expect(lines, summary).toHaveLength(1);
  expect(lines[0], summary).toMatch(ONE_LINE_ERROR);
  if (typeof code === 'string') expect(lines[0]!.split(':')[0], summary).toBe(code);
  else expect(lines[0]!.split(':')[0], summary).toMatch(code);
  expect(r.stderr, summary).not.toMatch(/^\s+at /m);
  if (detail) expect(lines[0], summary).toMatch(detail);
  expect(r.code, summary).toBe(exit);
}
