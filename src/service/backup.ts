// A 0600 backup of a service file hermes-setup is about to replace, next to itself (`<file>.hermes-setup.bak`; an
// existing backup of another file is never overwritten: the new one gets the time in its name). The name ends in
// `.bak`, so neither systemd (unit suffixes only) nor launchd (`*.plist`) loads it, and the tidy step's pattern
// (`.hermes-setup.XXXXXX` temp files) does not match it.
import { remoteCommandError } from '../errors.js';
import type { StepIo } from '../steps/step.js';
import { quote, quotePath } from '../transport/shell.js';

const SCRIPT = `set -e; p=$1; case $p in "~/"*) p="$HOME/\${p#"~/"}";; esac
b=$p.hermes-setup.bak
if [ -e "$b" ] && ! cmp -s "$p" "$b"; then b=$p.hermes-setup.$(date +%Y%m%d%H%M%S).bak; fi
umask 077; cp -p "$p" "$b.tmp.$$"; chmod 600 "$b.tmp.$$"; mv -f "$b.tmp.$$" "$b"; printf '%s\\n' "$b"`;

/** Copies the file on the host (its bytes as they are there); returns where the backup went. */
export async function backupServiceFile(io: StepIo, path: string, sudo: boolean): Promise<string> {
  const r = await io.remote.exec(`${sudo ? 'sudo -n ' : ''}sh -c ${quote(SCRIPT)} sh ${quotePath(path)}`);
  if (r.code !== 0)
    throw remoteCommandError(
      'E_REMOTE_IO',
      `backing up ${path}`,
      r,
      'check the permissions of its directory; nothing was replaced',
    );
  return r.stdout.trim().split('\n').pop() ?? `${path}.hermes-setup.bak`;
}
