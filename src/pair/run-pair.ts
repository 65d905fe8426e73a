// `hermes-setup pair`: get a code (minted on the host, or given by hand), keep only the route the user asked for,
// pick a route as the relay signs them (secure first), authenticate with this install's device id, and store the
// session the way the official client reads it (~/.hermes/remote-sessions.json + the host access policy).
import type { Remote } from '../transport/remote.js';
import { cleanPairingCode, isPairingCode } from './clean-code.js';
import { lookupCode, recordCode } from './code-ledger.js';
import { readOrCreateDeviceId } from './device-id.js';
import { deviceInfo } from './device-info.js';
import { initHostAccessPolicy, type HostAccessPlan } from './host-access.js';
import { type PairInvite, type RouteCandidate, parseInvite, roleForUrl, roleKind } from './invite.js';
import { type MintOptions, mintOnHost } from './mint.js';
import {
  allUnreachable,
  certChanged,
  codeExpired,
  codeFormat,
  codeRejected,
  codeReused,
  rateLimited,
  routeMissing,
  ttlMismatch,
} from './pair-errors.js';
import { parseRelayUrl, RELAY_PORT } from './relay-url.js';
import { type RelaySocket, authenticate, closeRelaySocket } from './relay-socket.js';
import { type Opener, isSecureRoute, pickRoute } from './route-pick.js';
import {
  type StoredSession,
  findCertPin,
  findOwner,
  readRemoteSessions,
  remoteSessionsPath,
  saveRemoteSession,
} from './session-store.js';

export interface PairRequest {
  /** Connected host, for minting; not needed with a hand-given code. */
  remote?: Remote;
  targetHost: string;
  code?: string;
  relayUrl?: string;
  mint: MintOptions;
  /** Store prefer_secure_routes and try encrypted routes first (default true, as the official client). */
  preferSecure: boolean;
  sessionsPath?: string;
  ledgerPath?: string;
  deviceIdPath?: string;
  hostAccessPath?: string;
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
  deviceId: string;
  hostAccess: HostAccessPlan['action'];
}

const now = (): number => Math.floor(Date.now() / 1000);

/** "Tailscale (secure)", "LAN (plain)", … */
export function describeRoute(c: RouteCandidate): string {
  const kind = roleKind(c.role);
  const name =
    kind === 'lan'
      ? 'LAN'
      : kind === 'tailscale'
        ? 'Tailscale'
        : kind === 'public'
          ? 'public URL'
          : `custom route ${c.role}`;
  return `${name} (${isSecureRoute(c) ? 'secure' : 'plain'})`;
}

async function handCode(r: PairRequest, raw: string): Promise<PairInvite> {
  const { code, changed } = cleanPairingCode(raw);
  r.log(changed ? `Using pairing code ${code} (cleaned from what was pasted)` : `Using pairing code ${code}`);
  if (!isPairingCode(code)) throw codeFormat(code);
  const seen = await lookupCode(code, r.ledgerPath);
  if (seen?.usedAt) throw codeReused(code, seen.usedAt);
  if (seen?.expiresAt && seen.expiresAt <= now()) throw codeExpired(code, now() - seen.expiresAt);
  const url = r.relayUrl ?? `ws://${r.targetHost.includes(':') ? `[${r.targetHost}]` : r.targetHost}:${RELAY_PORT}`;
  const invite = parseInvite({ relay: { url, code } }, seen?.expiresAt)!;
  return {
    ...invite,
    candidates: invite.candidates.map((c) => ({ ...c, role: r.relayUrl ? 'custom' : roleForUrl(url) })),
  };
}

async function mintedCode(r: PairRequest): Promise<PairInvite> {
  if (!r.remote) throw new Error('minting needs a connected host');
  const { invite, note } = await mintOnHost(r.remote, r.mint);
  if (note) r.log(note);
  await recordCode(
    invite.code,
    { mintedAt: now(), ...(invite.codeExpiresAt ? { expiresAt: invite.codeExpiresAt } : {}) },
    r.ledgerPath,
  );
  const left = invite.codeExpiresAt ? ` (expires in ${invite.codeExpiresAt - now()} s)` : '';
  r.log(`Minted pairing code ${invite.code} on ${r.remote.label}${left}`);
  return invite;
}

/** §18.7: `--mode tailscale` on a host without Tailscale still exits 0 with a LAN route; refuse instead of pairing over it. */
export function requireMode(invite: PairInvite, o: MintOptions): PairInvite {
  if (o.mode === 'auto') return invite;
  const wanted = invite.candidates.filter((c) => roleKind(c.role) === o.mode);
  if (wanted.length === 0) throw routeMissing(o.mode, [...new Set(invite.candidates.map((c) => c.role))]);
  return { ...invite, candidates: wanted };
}

async function diagnoseFailure(r: PairRequest, invite: PairInvite, reason: string): Promise<Error> {
  const seen = await lookupCode(invite.code, r.ledgerPath);
  if (seen?.usedAt) return codeReused(invite.code, seen.usedAt);
  const expires = seen?.expiresAt ?? invite.codeExpiresAt;
  if (expires !== undefined && expires <= now()) return codeExpired(invite.code, now() - expires);
  return codeRejected(invite.code, reason);
}

function toRecord(
  p: Record<string, unknown>,
  s: RelaySocket,
  c: RouteCandidate,
  invite: PairInvite,
  preferSecure: boolean,
  owner?: [string, StoredSession],
): StoredSession {
  const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
  const prev = owner?.[1];
  const alternate = owner !== undefined && owner[0] !== c.relay.url;
  const pins = { ...(prev?.route_cert_pins ?? {}), ...(alternate && s.certPin ? { [c.relay.url]: s.certPin } : {}) };
  return {
    token: String(p['session_token']),
    server_version: typeof p['server_version'] === 'string' ? p['server_version'] : null,
    paired_at: now(),
    cert_pin_sha256: alternate ? (prev?.cert_pin_sha256 ?? null) : (s.certPin ?? null),
    grants: p['grants'] && typeof p['grants'] === 'object' ? (p['grants'] as Record<string, number | null>) : null,
    ttl_expires_at: num(p['expires_at']),
    endpoint_role: c.role,
    route_candidates: invite.candidates,
    prefer_secure_routes: preferSecure,
    ...(Object.keys(pins).length > 0 ? { route_cert_pins: pins } : {}),
    tools_consented: prev?.tools_consented ?? false,
    computer_use_consented: prev?.computer_use_consented ?? false,
  };
}

async function openRoute(
  r: PairRequest,
  invite: PairInvite,
): Promise<{ socket: RelaySocket; candidate: RouteCandidate }> {
  const picked = await pickRoute(invite.candidates, r.preferSecure, r.opener);
  if (picked.ok) return picked;
  if (picked.failures.some((f) => f.kind === 'rate-limited')) throw rateLimited();
  throw allUnreachable(picked.failures.map((f) => f.detail));
}

/** The invite to pair with: a hand-given code, or one minted on the host and held to the asked route and TTL. */
async function readInvite(r: PairRequest): Promise<PairInvite> {
  const got = r.code !== undefined ? await handCode(r, r.code) : await mintedCode(r);
  const invite = r.code !== undefined ? got : requireMode(got, r.mint);
  if (
    r.code === undefined &&
    r.mint.ttlSeconds !== undefined &&
    invite.sessionTtlSeconds !== undefined &&
    invite.sessionTtlSeconds !== r.mint.ttlSeconds
  ) {
    throw ttlMismatch(r.mint.ttlSeconds, invite.sessionTtlSeconds);
  }
  return invite;
}

/** Pure: what `pair` reports about the stored session. */
function pairResult(
  candidate: RouteCandidate,
  invite: PairInvite,
  record: StoredSession,
  stored: Pick<PairResult, 'sessionsFile' | 'deviceId' | 'hostAccess'>,
): PairResult {
  return {
    url: candidate.relay.url,
    role: candidate.role,
    secure: parseRelayUrl(candidate.relay.url).secure || isSecureRoute(candidate),
    route: describeRoute(candidate),
    code: invite.code,
    tokenPrefix: record.token.slice(0, 8),
    serverVersion: record.server_version,
    expiresAt: record.ttl_expires_at,
    ...stored,
  };
}

export async function runPair(r: PairRequest): Promise<PairResult> {
  const invite = await readInvite(r);
  const sessionsPath = r.sessionsPath ?? remoteSessionsPath();
  const { id: deviceId } = await readOrCreateDeviceId(r.deviceIdPath);
  const { socket, candidate } = await openRoute(r, invite);
  try {
    const store = await readRemoteSessions(sessionsPath);
    const pinned = findCertPin(store, socket.addr.hostPort);
    if (socket.certPin && pinned && pinned !== socket.certPin)
      throw certChanged(socket.addr.hostPort, pinned, socket.certPin);
    const auth = await authenticate(socket, { pairing_code: invite.code, ...deviceInfo(deviceId) });
    if (!auth.ok) throw await diagnoseFailure(r, invite, auth.reason);
    if (typeof auth.payload['session_token'] !== 'string')
      throw codeRejected(invite.code, 'auth.ok without a session token');
    await recordCode(invite.code, { usedAt: now() }, r.ledgerPath);
    const owner = findOwner(store, [candidate.relay.url, ...invite.candidates.map((c) => c.relay.url)]);
    const key = owner?.[0] ?? candidate.relay.url;
    const record = toRecord(auth.payload, socket, candidate, invite, r.preferSecure, owner);
    await saveRemoteSession(key, record, sessionsPath);
    const access = owner
      ? { action: 'keep' as const, why: 're-pair' }
      : await initHostAccessPolicy(key, r.hostAccessPath);
    return pairResult(candidate, invite, record, { sessionsFile: sessionsPath, deviceId, hostAccess: access.action });
  } finally {
    closeRelaySocket(socket);
  }
}
