// Which relay route to use. The relay signs its routes Tailscale → public → LAN last (docs/hermes-contract.md#c16
// "Route order"); the official client keeps that priority and, with `prefer_secure_routes`, first moves encrypted
// routes (wss://, or a Tailscale/WireGuard overlay) ahead of plain ws:// — priority and invite order break ties
// (Codename-11/hermes-relay desktop/src/pairingQr.ts `secureFirstCandidates`, desktop/src/transportSecurity.ts
// `describeTransportSecurity` @cdeccd69). Candidates of one tier (same security class and priority) are tried at
// once (4 s each); a later tier is tried only when nothing in the earlier one completed the upgrade.
import { isTailnet } from '../probe/address.js';
import type { RouteCandidate } from './invite.js';
import { parseRelayUrl } from './relay-url.js';
import { type OpenResult, type RelaySocket, closeRelaySocket, openRelaySocket } from './relay-socket.js';

export const PER_TRY_MS = 4000;

export interface Attempt {
  candidate: RouteCandidate;
  kind: 'unreachable' | 'rate-limited' | 'rejected';
  detail: string;
}

export type PickResult =
  | { ok: true; socket: RelaySocket; candidate: RouteCandidate; failures: Attempt[] }
  | { ok: false; failures: Attempt[] };

export type Opener = (c: RouteCandidate) => Promise<OpenResult>;

const defaultOpener =
  (ms: number): Opener =>
  (c) =>
    openRelaySocket(parseRelayUrl(c.relay.url), ms);

/** Encrypted: wss://, or a Tailscale/WireGuard route (by role, *.ts.net or 100.64/10). */
export function isSecureRoute(c: RouteCandidate): boolean {
  let host: string;
  try {
    const u = new URL(c.relay.url);
    if (u.protocol === 'wss:') return true;
    host = u.hostname.toLowerCase();
  } catch {
    return false;
  }
  const role = c.role.toLowerCase();
  return role === 'tailscale' || role.startsWith('wireguard') || host.endsWith('.ts.net') || isTailnet(host);
}

/** The order routes are tried in: secure first (when preferred), then priority, then invite order. Pure. */
export function orderRoutes(list: RouteCandidate[], preferSecure: boolean): RouteCandidate[] {
  const rank = (c: RouteCandidate): number => (preferSecure && !isSecureRoute(c) ? 1 : 0);
  return list
    .map((c, i) => ({ c, i }))
    .sort((a, b) => rank(a.c) - rank(b.c) || a.c.priority - b.c.priority || a.i - b.i)
    .map((x) => x.c);
}

/** Consecutive candidates of the same security class and priority, in the given order. */
export function tiersOf(ordered: RouteCandidate[], preferSecure: boolean): RouteCandidate[][] {
  const key = (c: RouteCandidate): string => `${preferSecure ? isSecureRoute(c) : ''}|${c.priority}`;
  const tiers: RouteCandidate[][] = [];
  for (const c of ordered) {
    const last = tiers[tiers.length - 1];
    if (last && key(last[0]!) === key(c)) last.push(c);
    else tiers.push([c]);
  }
  return tiers;
}

/** Races one tier: the first successful upgrade, or every failure. Losers that connect later are closed. */
export function raceTier(
  tier: RouteCandidate[],
  open: Opener,
): Promise<{ winner?: { socket: RelaySocket; candidate: RouteCandidate }; failures: Attempt[] }> {
  return new Promise((resolve) => {
    const failures: Attempt[] = [];
    let pending = tier.length;
    let done = false;
    const settle = (): void => {
      if (!done && pending === 0) {
        done = true;
        resolve({ failures });
      }
    };
    for (const candidate of tier) {
      open(candidate).then(
        (r) => {
          pending -= 1;
          if (!r.ok) {
            failures.push({ candidate, kind: r.kind, detail: r.detail });
            settle();
            return;
          }
          if (done) {
            closeRelaySocket(r.socket);
            return;
          }
          done = true;
          resolve({ winner: { socket: r.socket, candidate }, failures });
        },
        (err: unknown) => {
          pending -= 1;
          failures.push({ candidate, kind: 'unreachable', detail: String(err) });
          settle();
        },
      );
    }
    if (tier.length === 0) resolve({ failures });
  });
}

export async function pickRoute(
  candidates: RouteCandidate[],
  preferSecure: boolean,
  open: Opener = defaultOpener(PER_TRY_MS),
): Promise<PickResult> {
  const failures: Attempt[] = [];
  for (const tier of tiersOf(orderRoutes(candidates, preferSecure), preferSecure)) {
    const r = await raceTier(tier, open);
    failures.push(...r.failures);
    if (r.winner) return { ok: true, ...r.winner, failures };
  }
  return { ok: false, failures };
}
