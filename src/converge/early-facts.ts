// The first read of `remote` and `check` on a single host, started together with the SSH connection
// (transport/early-start.ts): the facts (from the exec that takes the lock later, for a real converge), while this
// process loads the rest.
// The heavy modules are imported inside the read, so the command line stays cheap to parse.
import type { Facts } from '../facts/parse-facts.js';
import type { PortSpec } from '../probe/port.js';
import type { EarlyRead } from '../transport/early-start.js';
import type { FactsChannel } from './locked-facts.js';

export const factsKind = (port: PortSpec): string => `facts:${JSON.stringify(port)}`;
export const factsChannelKind = (port: number, waitMs: number): string => `facts-channel:${port}:${waitMs}`;

/** What the converge reads first: the facts from the exec that takes the lock later, or (dry run) plain facts. */
export function earlyConvergeFacts(o: {
  dryRun: boolean;
  port: number;
  lockWaitMs: number;
}): EarlyRead<Facts | FactsChannel> {
  if (o.dryRun)
    return { kind: factsKind(o.port), read: async (r) => (await import('../facts/gather.js')).gatherFacts(r, o.port) };
  return {
    kind: factsChannelKind(o.port, o.lockWaitMs),
    read: async (r) => (await import('./locked-facts.js')).openFactsChannel(r, o.port, o.lockWaitMs),
    dispose: async (v) => (v as FactsChannel).close(),
  };
}

/** What check reads first: the facts, with the listeners of the recorded port unless --port is given. */
export function earlyHealthFacts(port: PortSpec): EarlyRead<Facts> {
  return { kind: factsKind(port), read: async (r) => (await import('../facts/gather.js')).gatherFacts(r, port) };
}
