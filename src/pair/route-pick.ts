// Which relay route to use (hermes-behaviour.md §16.2 endpoints): strict priority by tier — LAN, then Tailscale,
// then public. Inside a tier every candidate is tried at once (4 s each) and the first to complete the WebSocket
// upgrade wins; a later tier is only tried when nothing in the earlier one answered.
import { type RouteCandidate, tierOf } from './invite.js';
import { parseRelayUrl } from './relay-url.js';
import { type OpenResult, type RelaySocket, closeRelaySocket, openRelaySocket } from './relay-socket.js';

export const PER_TRY_MS = 4000;

export interface Attempt {
  candidate: RouteCandidate;
  kind: 'unreachable' | 'rate-limited' | 'rejected';
  detail: string;
  retryAfter?: number;
}

export type PickResult =
  | { ok: true; socket: RelaySocket; candidate: RouteCandidate; failures: Attempt[] }
  | { ok: false; failures: Attempt[] };

export type Opener = (c: RouteCandidate) => Promise<OpenResult>;

const defaultOpener = (ms: number): Opener => (c) => openRelaySocket(parseRelayUrl(c.relay.url), ms);

/** Groups candidates by tier, in tier order. */
export function groupByTier(candidates: RouteCandidate[]): RouteCandidate[][] {
  const tiers = new Map<number, RouteCandidate[]>();
  for (const c of candidates) tiers.set(tierOf(c.role), [...(tiers.get(tierOf(c.role)) ?? []), c]);
  return [...tiers.entries()].sort(([a], [b]) => a - b).map(([, list]) => list);
}

/** Races one tier: the first successful upgrade, or every failure. Losers that connect later are closed. */
export function raceTier(tier: RouteCandidate[], open: Opener): Promise<{ winner?: { socket: RelaySocket; candidate: RouteCandidate }; failures: Attempt[] }> {
  return new Promise((resolve) => {
    const failures: Attempt[] = [];
    let pending = tier.length;
    let done = false;
    for (const candidate of tier) {
      open(candidate).then((r) => {
        pending -= 1;
        if (r.ok) {
          if (done) { closeRelaySocket(r.socket); return; }
          done = true;
          resolve({ winner: { socket: r.socket, candidate }, failures });
          return;
        }
        failures.push({ candidate, kind: r.kind, detail: r.detail, ...(r.retryAfter !== undefined ? { retryAfter: r.retryAfter } : {}) });
        if (!done && pending === 0) { done = true; resolve({ failures }); }
      }, (err: unknown) => {
        pending -= 1;
        failures.push({ candidate, kind: 'unreachable', detail: String(err) });
        if (!done && pending === 0) { done = true; resolve({ failures }); }
      });
    }
    if (tier.length === 0) resolve({ failures });
  });
}

export async function pickRoute(candidates: RouteCandidate[], open: Opener = defaultOpener(PER_TRY_MS)): Promise<PickResult> {
  const failures: Attempt[] = [];
  for (const tier of groupByTier(candidates)) {
    const r = await raceTier(tier, open);
    failures.push(...r.failures);
    if (r.winner) return { ok: true, ...r.winner, failures };
  }
  return { ok: false, failures };
}
