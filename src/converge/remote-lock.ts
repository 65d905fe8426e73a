// The remote lock ~/.hermes/.hermes-setup.lock: one converge per host at a time (remote, check --repair, cron).
// A keeper process, held open over an exec channel, owns it: the file records the keeper's PID and the
// boot_id; the keeper deletes it when the channel closes. A lock whose PID is dead or whose boot_id differs
// (the host rebooted) is stale and taken over.
import { hostname } from 'node:os';
import { stepError, type HermesSetupError } from '../errors.js';
import type { Held, Remote } from '../transport/remote.js';
import { quote } from '../transport/shell.js';

export const LOCK_PATH = '~/.hermes/.hermes-setup.lock';

export const LOCK_SCRIPT = String.raw`L="$HOME/.hermes/.hermes-setup.lock"
B=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || sysctl -n kern.boottime 2>/dev/null | tr -cd '0-9')
[ -d "$HOME/.hermes" ] || { mkdir -p "$HOME/.hermes" && chmod 700 "$HOME/.hermes"; } || { echo "ERROR cannot create ~/.hermes"; exit 1; }
take() { ( set -C; printf '%s %s %s\n' "$$" "$B" "$1" > "$L" ) 2>/dev/null; }
keep() { echo "LOCKED $1"; cat >/dev/null; rm -f "$L"; exit 0; }
take "$2" && keep fresh
read P PB H < "$L" 2>/dev/null
if [ -z "$P" ] || [ "$PB" != "$B" ] || ! kill -0 "$P" 2>/dev/null; then rm -f "$L"; take "$2" && keep "stale:$P"; fi
echo "BUSY $P $H"`;

export function lockHolder(): string {
  return `${hostname().replace(/\s+/g, '-')}:pid${process.pid}`;
}

export interface LockHandle { release(): Promise<void>; tookOverStale?: string }

export function parseLockReply(line: string): { state: 'locked'; stale?: string } | { state: 'busy'; pid: string; holder: string } | { state: 'error'; detail: string } {
  const [word, a = '', ...rest] = line.trim().split(' ');
  if (word === 'LOCKED') return a.startsWith('stale:') ? { state: 'locked', stale: a.slice(6) } : { state: 'locked' };
  if (word === 'BUSY') return { state: 'busy', pid: a, holder: rest.join(' ') };
  return { state: 'error', detail: line.trim() || 'no answer' };
}

async function tryLock(remote: Remote, holder: string): Promise<{ held: Held; reply: ReturnType<typeof parseLockReply> }> {
  const held = await remote.hold(`sh -c ${quote(LOCK_SCRIPT)} sh lock ${quote(holder)}`);
  return { held, reply: parseLockReply(held.firstLine) };
}

export function lockedError(pid: string, holder: string): HermesSetupError {
  return stepError('E_LOCKED', `another hermes-setup run (${holder}, remote pid ${pid}) is working on this host`,
    'wait for it to finish (or pass --lock-wait SECONDS); a lock whose process is gone is taken over automatically');
}

export async function acquireLock(remote: Remote, waitMs: number, log: (l: string) => void): Promise<LockHandle> {
  const holder = lockHolder();
  const deadline = Date.now() + waitMs;
  let said = false;
  for (;;) {
    const { held, reply } = await tryLock(remote, holder);
    if (reply.state === 'locked') return { release: () => held.release(), ...(reply.stale ? { tookOverStale: reply.stale } : {}) };
    await held.release();
    if (reply.state === 'error') throw stepError('E_LOCK', `cannot take the lock ${LOCK_PATH}: ${reply.detail}`, 'check that ~/.hermes is writable by this user');
    if (Date.now() >= deadline) throw lockedError(reply.pid, reply.holder);
    if (!said) { log(`waiting for another hermes-setup run (${reply.holder}) to finish`); said = true; }
    await new Promise((r) => setTimeout(r, 500));
  }
}
