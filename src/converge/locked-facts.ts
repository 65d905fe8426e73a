// The facts and the remote lock in one exec. The script prints the facts and then waits on its stdin: a dry run,
// or a run that stops at its preflight, closes stdin and the shell ends having written nothing; a run that goes on
// writes `lock`, and the shell takes ~/.hermes/.hermes-setup.lock (or waits for it in the shell, up to --lock-wait,
// saying so in one line, and then reads the facts again, under the lock) and holds it until stdin closes. So the
// lock needs no round trip of its own, and nothing on the host changes before the preflight has passed.
import { factsFromOutput } from '../facts/gather.js';
import { renderFactsScript } from '../facts/facts-script.js';
import type { Facts } from '../facts/parse-facts.js';
import type { HeldRun } from '../transport/held-run.js';
import type { Remote } from '../transport/remote.js';
import { quote } from '../transport/shell.js';
import { LOCK_FUNCTIONS, lockError, lockedError, lockHolder, type LockHandle } from './remote-lock.js';

const FACTS_END = '@@facts-end';
const LOCK_END = '@@lock-end';
const LOCK_LINE = '@@lock ';

/**
 * Pure: the script for `sh -s`. Everything is inside functions called on the last line, so the shell has read the
 * whole script before it runs (bash reads a pipe byte by byte); `read` and `cat` then read what the client sends
 * later. The facts never read stdin (</dev/null).
 */
export function renderFactsChannelScript(port: number, holder: string, waitSec: number): string {
  return `${LOCK_FUNCTIONS}
hs_facts() {
  {
${renderFactsScript(port)}
  } </dev/null
}
hs_channel() {
  hs_facts
  echo "${FACTS_END}"
  IFS= read -r hs_cmd || return 0
  [ "$hs_cmd" = lock ] || return 0
  hs_lock "$1" "$2"; hs_r=$?
  if [ "$hs_r" = 0 ] && [ -n "$hs_waited" ]; then rm -rf "$T"; hs_facts; fi
  echo "${LOCK_END}"
  [ "$hs_r" = 0 ] || return 0
  cat >/dev/null
  hs_unlock
}
hs_channel ${quote(holder)} ${Math.max(0, Math.ceil(waitSec))}
`;
}

export type LockResult =
  | { state: 'held'; stale?: string; waitedMs?: number; /** read again under the lock after a wait */ facts?: Facts }
  | { state: 'busy'; pid: string; holder: string }
  | { state: 'error'; detail: string };

/** Pure: what the @@lock lines say (the last one decides). */
export function parseLockLines(
  lines: string[],
): { state: 'locked'; stale?: string } | Exclude<LockResult, { state: 'held' }> {
  const words = (lines.at(-1) ?? '').slice(LOCK_LINE.length).split(' ');
  const [word = '', a = '', ...rest] = words;
  if (word === 'LOCKED') return { state: 'locked', ...(a.startsWith('stale:') ? { stale: a.slice(6) } : {}) };
  if (word === 'GAVEUP' || word === 'BUSY') return { state: 'busy', pid: a, holder: rest.join(' ') };
  return { state: 'error', detail: words.slice(1).join(' ') || 'the lock script printed nothing' };
}

/** The error for a lock that could not be taken. */
export function lockFailure(r: Exclude<LockResult, { state: 'held' }>): Error {
  return r.state === 'busy' ? lockedError(r.pid, r.holder) : lockError(r.detail);
}

export interface FactsChannel {
  facts: Facts;
  /** Takes the lock (see the top of this file). */
  lock(log: (line: string) => void): Promise<LockResult>;
  /** Ends the exec: releases the lock if it was taken. */
  close(): Promise<void>;
}

/** The facts, read by an exec that stays open for the lock. */
export async function openFactsChannel(remote: Remote, port: number, waitMs: number): Promise<FactsChannel> {
  const run = await remote.holdUntil(`sh -c ${JSON.stringify('exec sh -s')}`, {
    stdin: renderFactsChannelScript(port, lockHolder(), waitMs / 1000),
    until: FACTS_END,
    timeoutMs: 180_000,
  });
  let facts: Facts;
  try {
    facts = factsFromOutput({ code: run.code ?? 0, stdout: run.stdout, stderr: run.stderr }, port, remote.label);
  } catch (err) {
    await run.release();
    throw err;
  }
  return {
    facts,
    close: () => run.release(),
    lock: (log) => takeChannelLock(run, port, waitMs, remote.label, log),
  };
}

/** Writes `lock` to the facts exec and reads what the shell says; after a wait, the facts it read again. */
async function takeChannelLock(
  run: HeldRun,
  port: number,
  waitMs: number,
  label: string,
  log: (line: string) => void,
): Promise<LockResult> {
  let busySince: number | undefined;
  const part = await run.next('lock\n', {
    until: LOCK_END,
    timeoutMs: waitMs + 180_000,
    onLine: (l) => {
      const busy = /^@@lock BUSY \S* ?(.*)$/.exec(l);
      if (busy && busySince === undefined) {
        busySince = Date.now();
        log(`waiting for another hermes-setup run (${busy[1]}) to finish`);
      }
    },
  });
  const lines = part.stdout.split('\n');
  const said = parseLockLines(lines.filter((l) => l.startsWith(LOCK_LINE)));
  if (said.state !== 'locked')
    return part.code !== undefined && said.state === 'error'
      ? { state: 'error', detail: `the facts exec ended (exit ${part.code})` }
      : said;
  if (busySince === undefined) return { state: 'held', ...(said.stale ? { stale: said.stale } : {}) };
  const again = factsFromOutput(
    { code: 0, stdout: lines.filter((l) => !l.startsWith(LOCK_LINE)).join('\n'), stderr: part.stderr },
    port,
    label,
  );
  return {
    state: 'held',
    ...(said.stale ? { stale: said.stale } : {}),
    waitedMs: Date.now() - busySince,
    facts: again,
  };
}

/** For a command with no preflight (uninstall): the facts read under a held lock, or E_LOCKED / E_LOCK. */
export async function readFactsHoldingLock(
  remote: Remote,
  port: number,
  waitMs: number,
  log: (l: string) => void,
): Promise<{ facts: Facts; lock: LockHandle }> {
  const ch = await openFactsChannel(remote, port, waitMs);
  const r = await ch.lock(log).catch(async (err: unknown) => {
    await ch.close();
    throw err;
  });
  if (r.state !== 'held') {
    await ch.close();
    throw lockFailure(r);
  }
  return { facts: r.facts ?? ch.facts, lock: { release: () => ch.close() } };
}
