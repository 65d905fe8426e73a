// Start-up overlap for a single host. Most of a short run's start-up is importing modules while the host sits
// idle, and then the host's answer (the facts) is waited for while this process sits idle. So a command may start
// its SSH connection, and its first read on it, as soon as its command line is valid; its modules load meanwhile.
// connectTarget() and the first read take over what was started (same target and options, same read); whatever is
// not taken is closed by closeUntaken(). Fault injection (HERMES_SETUP_FAULT) needs exact step boundaries: no
// early start then.
import type { Remote } from './remote.js';

interface FirstRead {
  kind: string;
  value: Promise<unknown>;
  /** Progress lines printed before the reader took over (replayed to it), then its own log. */
  lines: string[];
  sink?: (line: string) => void;
  taken: boolean;
  /** Releases what an untaken result holds (a lock). */
  dispose?: (value: unknown) => Promise<void>;
}

interface Early {
  key: string;
  remote: Promise<Remote>;
  resolved?: Remote;
  remoteTaken: boolean;
  first?: FirstRead;
}

let early: Early | undefined;

export interface EarlyRead<T> {
  /** Names the read: the reader asks for the same kind (e.g. facts of the same port). */
  kind: string;
  read(remote: Remote, log: (line: string) => void): Promise<T>;
  dispose?: (value: T) => Promise<void>;
}

/** Starts connecting (`dial`) and, once connected, `first`; the connection's promise, or undefined when not started
 * (one early start per process). */
export function startEarly<T>(
  key: string,
  dial: () => Promise<Remote>,
  first?: EarlyRead<T>,
): Promise<Remote> | undefined {
  if (early || process.env.HERMES_SETUP_FAULT) return undefined;
  const remote = dial();
  const e: Early = { key, remote, remoteTaken: false };
  remote.then(
    (r) => {
      e.resolved = r;
    },
    () => undefined,
  );
  if (first) {
    const f: FirstRead = {
      kind: first.kind,
      lines: [],
      taken: false,
      value: Promise.resolve(),
      ...(first.dispose ? { dispose: first.dispose as (v: unknown) => Promise<void> } : {}),
    };
    f.value = remote.then((r) => first.read(r, (l) => (f.sink ? f.sink(l) : f.lines.push(l))));
    f.value.catch(() => undefined);
    e.first = f;
  }
  early = e;
  return remote;
}

/** The connection started early for `key`, once. */
export function takeEarlyRemote(key: string): Promise<Remote> | undefined {
  if (!early || early.key !== key || early.remoteTaken) return undefined;
  early.remoteTaken = true;
  return early.remote;
}

/** The first read started early on `remote`, if it is of `kind`; its progress lines go to `log` from now on. */
export function takeEarlyRead<T>(remote: Remote, kind: string, log: (line: string) => void): Promise<T> | undefined {
  const f = early?.first;
  if (!f || f.taken || f.kind !== kind || early?.resolved !== remote) return undefined;
  f.taken = true;
  for (const l of f.lines.splice(0)) log(l);
  f.sink = log;
  return f.value as Promise<T>;
}

/** Closes what was started early and not taken (the connection, a lock held by an untaken read). */
export async function closeUntaken(): Promise<void> {
  const e = early;
  early = undefined;
  if (!e) return;
  const f = e.first;
  if (f && !f.taken && f.dispose)
    await f.value.then(
      (v) => f.dispose?.(v),
      () => undefined,
    );
  if (!e.remoteTaken)
    await e.remote.then(
      (r) => r.close(),
      () => undefined,
    );
}
