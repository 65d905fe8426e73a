// The facts read under the remote lock, in one exec: the script takes the lock first (or waits for it inside the
// shell, up to --lock-wait, saying so in one line), prints the facts, and then keeps the lock until its stdin
// closes. The facts are read under the lock, so they never need reading again after a wait; a dry run and the
// read-only commands read them without the lock (gatherFacts). With no ~/.hermes yet there is nothing to lock
// without writing: the facts come without the lock and the caller takes it the old way (acquireLock), after
// its preflight.
import { factsFromOutput, gatherFacts } from '../facts/gather.js';
import { renderFactsScript } from '../facts/facts-script.js';
import type { Facts } from '../facts/parse-facts.js';
import type { Remote } from '../transport/remote.js';
import { quote } from '../transport/shell.js';
import { stepError, type HermesSetupError } from '../errors.js';
import { acquireLock, LOCK_PATH, lockedError, lockHolder, type LockHandle } from './remote-lock.js';

const FACTS_END = '@@facts-end';
const LOCK_LINE = '@@lock ';

/** The lock functions, as in LOCK_SCRIPT: the file records the shell's PID, the boot and the holder; a lock whose
 * PID is gone or whose boot differs is stale and taken over. */
const LOCK_FUNCTIONS = String.raw`hs_take() { ( set -C; printf '%s %s %s\n' "$$" "$hs_b" "$1" > "$hs_l" ) 2>/dev/null; }
hs_lock() { # holder wait-seconds → one @@lock line per event; 0 locked, 1 gave up, 2 no ~/.hermes, 3 cannot write
  hs_l="$HOME/.hermes/.hermes-setup.lock"
  hs_b=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || sysctl -n kern.boottime 2>/dev/null | tr -cd '0-9')
  [ -d "$HOME/.hermes" ] || { echo "@@lock NONE no ~/.hermes yet"; return 2; }
  hs_end=$(( $(date +%s) + $2 )); hs_said=; hs_stale=fresh
  while :; do
    if hs_take "$1"; then echo "@@lock LOCKED $hs_stale"; return 0; fi
    if [ ! -e "$hs_l" ] && ! hs_take "$1" && [ ! -e "$hs_l" ]; then echo "@@lock ERROR cannot create $hs_l"; return 3; fi
    hs_p=; hs_pb=; hs_h=; read -r hs_p hs_pb hs_h < "$hs_l" 2>/dev/null
    if [ -z "$hs_p" ] || [ "$hs_pb" != "$hs_b" ] || ! kill -0 "$hs_p" 2>/dev/null; then
      rm -f "$hs_l"; hs_stale="stale:$hs_p"
      if hs_take "$1"; then echo "@@lock LOCKED $hs_stale"; return 0; fi
    fi
    [ -n "$hs_said" ] || { echo "@@lock BUSY $hs_p $hs_h"; hs_said=1; }
    [ "$(date +%s)" -lt "$hs_end" ] || { echo "@@lock GAVEUP $hs_p $hs_h"; return 1; }
    sleep 0.5 2>/dev/null || sleep 1
  done
}
hs_unlock() { hs_p=; read -r hs_p hs_pb < "$hs_l" 2>/dev/null; [ "$hs_p" != "$$" ] || rm -f "$hs_l"; }`;

/**
 * Pure: the script for `sh -s`. Everything is inside one function called on the last line, so the shell has read
 * the whole script before it runs (bash reads a pipe byte by byte); `cat` then reads the rest of stdin, which is
 * nothing until the client closes it. The facts never read stdin (</dev/null).
 */
export function renderLockedFactsScript(port: number, holder: string, waitSec: number): string {
  return `${LOCK_FUNCTIONS}
hs_locked_facts() {
  hs_lock "$1" "$2"; hs_r=$?
  {
${renderFactsScript(port)}
  } </dev/null
  echo "${FACTS_END}"
  [ "$hs_r" = 0 ] || return 0
  cat >/dev/null
  hs_unlock
}
hs_locked_facts ${quote(holder)} ${Math.max(0, Math.ceil(waitSec))}
`;
}

type NotHeld = { state: 'busy'; pid: string; holder: string } | { state: 'none'; detail: string } | { state: 'error'; detail: string };
export type LockState = { state: 'held'; handle: LockHandle; stale?: string; waitedMs?: number } | NotHeld;

/** Pure: what the @@lock lines say (the last one decides). */
export function parseLockLines(lines: string[]): { state: 'locked'; stale?: string } | NotHeld {
  const words = (lines.at(-1) ?? '').slice(LOCK_LINE.length).split(' ');
  const [word = '', a = '', ...rest] = words;
  if (word === 'LOCKED') return { state: 'locked', ...(a.startsWith('stale:') ? { stale: a.slice(6) } : {}) };
  if (word === 'GAVEUP' || word === 'BUSY') return { state: 'busy', pid: a, holder: rest.join(' ') };
  if (word === 'NONE') return { state: 'none', detail: words.slice(1).join(' ') };
  return { state: 'error', detail: words.slice(1).join(' ') || 'the lock script printed nothing' };
}

/** The error for a lock that could not be taken (busy past --lock-wait, or not writable). */
export function lockFailure(s: Exclude<NotHeld, { state: 'none' }>): HermesSetupError {
  return s.state === 'busy' ? lockedError(s.pid, s.holder)
    : stepError('E_LOCK', `cannot take the lock ${LOCK_PATH}: ${s.detail}`, 'check that ~/.hermes is writable by this user');
}

/** The facts, read while taking the lock (see the top of this file). A held lock is released by the caller. */
export async function readFactsLocked(remote: Remote, port: number, waitMs: number, log: (l: string) => void): Promise<{ facts: Facts; lock: LockState }> {
  let busySince: number | undefined;
  const run = await remote.holdUntil(`sh -c ${JSON.stringify('exec sh -s')}`, {
    stdin: renderLockedFactsScript(port, lockHolder(), waitMs / 1000), until: FACTS_END, timeoutMs: waitMs + 180_000,
    onLine: (l) => {
      const busy = /^@@lock BUSY \S* ?(.*)$/.exec(l);
      if (busy && busySince === undefined) { busySince = Date.now(); log(`waiting for another hermes-setup run (${busy[1]}) to finish`); }
    },
  });
  try {
    const lines = run.stdout.split('\n');
    const facts = factsFromOutput({ code: run.code ?? 0, stdout: lines.filter((l) => !l.startsWith(LOCK_LINE)).join('\n'), stderr: run.stderr }, port, remote.label);
    const said = parseLockLines(lines.filter((l) => l.startsWith(LOCK_LINE)));
    if (said.state !== 'locked') return { facts, lock: said };
    const handle: LockHandle = { release: () => run.release() };
    return { facts, lock: { state: 'held', handle, ...(said.stale ? { stale: said.stale } : {}), ...(busySince !== undefined ? { waitedMs: Date.now() - busySince } : {}) } };
  } catch (err) {
    await run.release();
    throw err;
  }
}

/** For commands with no preflight (uninstall): the facts under a held lock, or E_LOCKED. */
export async function readFactsHoldingLock(remote: Remote, port: number, waitMs: number, log: (l: string) => void): Promise<{ facts: Facts; lock: LockHandle }> {
  const r = await readFactsLocked(remote, port, waitMs, log);
  if (r.lock.state === 'held') return { facts: r.facts, lock: r.lock.handle };
  if (r.lock.state !== 'none') throw lockFailure(r.lock);
  const lock = await acquireLock(remote, waitMs, log);
  try {
    return { facts: await gatherFacts(remote, port), lock };
  } catch (err) {
    await lock.release();
    throw err;
  }
}
