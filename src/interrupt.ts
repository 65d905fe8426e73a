// Ctrl-C (SIGINT): what is in progress registers a cleanup (the remote lock's release, the task tree's last frame);
// src/cli.ts runs them once, newest first, then says so and exits 130. Every write on a host is temp file + rename,
// so stopping between any two commands leaves no file half-written; the next run finishes the work.
type Cleanup = () => void | Promise<unknown>;

const cleanups: Cleanup[] = [];

/** Registers a cleanup for an interrupt; returns the function that unregisters it (call it when done). */
export function onInterrupt(fn: Cleanup): () => void {
  cleanups.push(fn);
  return () => {
    const n = cleanups.lastIndexOf(fn);
    if (n >= 0) cleanups.splice(n, 1);
  };
}

/** Runs every registered cleanup, newest first (inner work before the renderer), waiting at most `ms` in all. */
export async function runInterruptCleanups(ms: number): Promise<void> {
  const pending: Array<Promise<unknown>> = [];
  for (const fn of [...cleanups].reverse()) {
    try {
      const r = fn();
      if (r instanceof Promise) pending.push(r.catch(() => undefined));
    } catch {
      // a cleanup that fails must not keep the others from running
    }
  }
  cleanups.length = 0;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(pending),
    new Promise((res) => {
      timer = setTimeout(res, ms);
    }),
  ]);
  clearTimeout(timer);
}

export const INTERRUPTED_LINE = 'interrupted; rerun to finish (nothing half-written)';
