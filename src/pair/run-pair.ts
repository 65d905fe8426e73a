// `hermes-setup pair`: get a code (minted on the host, or given by hand), pick a route, authenticate with the code,
// store the session in ~/.hermes/remote-sessions.json on this machine.
import type { Remote } from '../transport/remote.js';
import { cleanPairingCode, isPairingCode } from './clean-code.js';
import { lookupCode, recordCode } from './code-ledger.js';
import { deviceInfo } from './device-info.js';
import { type PairInvite, type RouteCandidate, roleForUrl } from './invite.js';
import { type MintOptions, mintOnHost } from './mint.js';
import { allUnreachable, certChanged, codeExpired, codeFormat, codeRejected, codeReused, rateLimited } from './pair-errors.js';
import { parseRelayUrl, RELAY_PORT } from './relay-url.js';
import { type RelaySocket, authenticate, closeRelaySocket } from './relay-socket.js';
import { type Opener, pickRoute } from './route-pick.js';
import { type StoredSession, findCertPin, readRemoteSessions, remoteSessionsPath, saveRemoteSession } from './session-store.js';

export interface PairRequest {
  /** Connected host, for minting; not needed with a hand-given code. */
  remote?: Remote;
  targetHost: string;
  code?: string;
  relayUrl?: string;
  mint: MintOptions;
  sessionsPath?: string;
  ledgerPath?: string;
  opener?: Opener;
  log: (line: string) => void;
}

export interface PairResult {
  url: string;
  role: string;
  secure: boolean;
  route: string;
  code: string;
  tokenPrefix: string;
  serverVersion: string | null;
  expiresAt: number | null;
  sessionsFile: string;
}

const now = (): number => Math.floor(Date.now() / 1000);

/** "Tailscale (secure)", "LAN (plain)", … */
export function describeRoute(role: string, tls: boolean): string {
  const name = role === 'lan' ? 'LAN' : role === 'tailscale' ? 'Tailscale' : role === 'public' ? 'public URL' : 'custom URL';
  return `${name} (${tls || role === 'tailscale' ? 'secure' : 'plain'})`;
}

async function handCode(r: PairRequest, raw: string): Promise<PairInvite> {
  const { code, changed } = cleanPairingCode(raw);
  r.log(changed ? `Using pairing code ${code} (cleaned from what was pasted)` : `Using pairing code ${code}`);
  if (!isPairingCode(code)) throw codeFormat(code);
  const seen = await lookupCode(code, r.ledgerPath);
  if (seen?.usedAt) throw codeReused(code, seen.usedAt);
  if (seen?.expiresAt && seen.expiresAt <= now()) throw codeExpired(code, now() - seen.expiresAt);
  const url = r.relayUrl ?? `ws://${r.targetHost.includes(':') ? `[${r.targetHost}]` : r.targetHost}:${RELAY_PORT}`;
  const candidate: RouteCandidate = { role: r.relayUrl ? 'custom' : roleForUrl(url), priority: 0, relay: { url } };
  return { code, candidates: [candidate], signed: false, ...(seen?.expiresAt ? { codeExpiresAt: seen.expiresAt } : {}) };
}

async function mintedCode(r: PairRequest): Promise<PairInvite> {
  if (!r.remote) throw new Error('minting needs a connected host');
  const invite = await mintOnHost(r.remote, r.mint);
  await recordCode(invite.code, { mintedAt: now(), ...(invite.codeExpiresAt ? { expiresAt: invite.codeExpiresAt } : {}) }, r.ledgerPath);
  const left = invite.codeExpiresAt ? ` (expires in ${invite.codeExpiresAt - now()} s)` : '';
  r.log(`Minted pairing code ${invite.code} on ${r.remote.label}${left}`);
  return invite;
}

async function diagnoseFailure(r: PairRequest, invite: PairInvite, reason: string, retryAfter?: number): Promise<Error> {
  if (/rate.?limit|too many/i.test(reason)) return rateLimited(retryAfter);
  const seen = await lookupCode(invite.code, r.ledgerPath);
  if (seen?.usedAt) return codeReused(invite.code, seen.usedAt);
  const expires = seen?.expiresAt ?? invite.codeExpiresAt;
  if (expires !== undefined && expires <= now()) return codeExpired(invite.code, now() - expires);
  return codeRejected(invite.code, reason);
}

function toRecord(p: Record<string, unknown>, s: RelaySocket, c: RouteCandidate, invite: PairInvite, prev?: StoredSession): StoredSession {
  const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
  return {
    token: String(p['session_token']), server_version: typeof p['server_version'] === 'string' ? p['server_version'] : null,
    paired_at: now(), cert_pin_sha256: s.certPin ?? null,
    grants: p['grants'] && typeof p['grants'] === 'object' ? (p['grants'] as Record<string, number | null>) : null,
    ttl_expires_at: num(p['expires_at']), endpoint_role: c.role, route_candidates: invite.candidates, prefer_secure_routes: false,
    ...(prev?.route_cert_pins ? { route_cert_pins: prev.route_cert_pins } : {}),
    tools_consented: prev?.tools_consented ?? false, computer_use_consented: prev?.computer_use_consented ?? false,
  };
}

export async function runPair(r: PairRequest): Promise<PairResult> {
  const invite = r.code !== undefined ? await handCode(r, r.code) : await mintedCode(r);
  const sessionsPath = r.sessionsPath ?? remoteSessionsPath();
  const picked = await pickRoute(invite.candidates, r.opener);
  if (!picked.ok) {
    const limited = picked.failures.find((f) => f.kind === 'rate-limited');
    if (limited) throw rateLimited(limited.retryAfter);
    throw allUnreachable(picked.failures.map((f) => f.detail));
  }
  const { socket, candidate } = picked;
  try {
    const store = await readRemoteSessions(sessionsPath);
    const pinned = findCertPin(store, socket.addr.hostPort);
    if (socket.certPin && pinned && pinned !== socket.certPin) throw certChanged(socket.addr.hostPort, pinned, socket.certPin);
    const auth = await authenticate(socket, { pairing_code: invite.code, ...deviceInfo() });
    if (!auth.ok) throw await diagnoseFailure(r, invite, auth.reason, auth.retryAfter);
    if (typeof auth.payload['session_token'] !== 'string') throw codeRejected(invite.code, 'auth.ok without a session token');
    await recordCode(invite.code, { usedAt: now() }, r.ledgerPath);
    const record = toRecord(auth.payload, socket, candidate, invite, store.sessions[candidate.relay.url]);
    await saveRemoteSession(candidate.relay.url, record, sessionsPath);
    const secure = parseRelayUrl(candidate.relay.url).secure;
    return {
      url: candidate.relay.url, role: candidate.role, secure, route: describeRoute(candidate.role, secure), code: invite.code,
      tokenPrefix: record.token.slice(0, 8), serverVersion: record.server_version, expiresAt: record.ttl_expires_at, sessionsFile: sessionsPath,
    };
  } finally {
    closeRelaySocket(socket);
  }
}
