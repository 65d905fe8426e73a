// The first read of `remote` and `check` on a single host, started together with the SSH connection
// (transport/early-start.ts): the facts (under the lock for a real converge), while this process loads the rest.
// The heavy modules are imported inside the read, so the command line stays cheap to parse.
import type { Facts } from '../facts/parse-facts.js';
import type { PortSpec } from '../probe/port.js';
import type { EarlyRead } from '../transport/early-start.js';
import type { readFactsLocked } from './locked-facts.js';

export type LockedFacts = Awaited<ReturnType<typeof readFactsLocked>>;

export const factsKind = (port: PortSpec): string => `facts:${JSON.stringify(port)}`;
export const lockedFactsKind = (port: number, waitMs: number): string => `locked-facts:${port}:${waitMs}`;

/** What the converge reads first: the facts under the lock, or (dry run) without it. */
export function earlyConvergeFacts(o: { dryRun: boolean; port: number; lockWaitMs: number }): EarlyRead<Facts | LockedFacts> {
  if (o.dryRun) return { kind: factsKind(o.port), read: async (r) => (await import('../facts/gather.js')).gatherFacts(r, o.port) };
  return {
    kind: lockedFactsKind(o.port, o.lockWaitMs),
    read: async (r, log) => (await import('./locked-facts.js')).readFactsLocked(r, o.port, o.lockWaitMs, log),
    dispose: async (v) => { const l = (v as LockedFacts).lock; if (l.state === 'held') await l.handle.release(); },
  };
}

/** What check reads first: the facts, with the listeners of the recorded port unless --port is given. */
export function earlyHealthFacts(port: PortSpec): EarlyRead<Facts> {
  return { kind: factsKind(port), read: async (r) => (await import('../facts/gather.js')).gatherFacts(r, port) };
}
