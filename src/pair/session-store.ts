// The client store ~/.hermes/remote-sessions.json (docs/hermes-contract.md#c16), shared with the hermes-relay CLI,
// the Android app and the TUI: 0600 in a 0700 directory, written atomically. Only the entry being saved changes;
// every other byte of the file is kept (the edit is made in the text, not by re-serialising the document).
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { stepError } from '../errors.js';
import type { RouteCandidate } from './invite.js';
import { scanObject, setMember, skipWs } from './json-spans.js';
import { readLocalText } from './read-local-text.js';

export interface StoredSession {
  token: string;
  server_version: string | null;
  paired_at: number;
  cert_pin_sha256: string | null;
  grants: Record<string, number | null> | null;
  ttl_expires_at: number | null;
  endpoint_role: string | null;
  route_candidates?: RouteCandidate[];
  prefer_secure_routes: boolean;
  route_cert_pins?: Record<string, string>;
  tools_consented: boolean;
  computer_use_consented: boolean;
}

export interface SessionsFile {
  version: number;
  sessions: Record<string, StoredSession>;
}

export function remoteSessionsPath(home = homedir()): string {
  return join(home, '.hermes', 'remote-sessions.json');
}

function invalid(path: string, why: string): Error {
  return stepError(
    'E_SESSIONS_FILE_INVALID',
    `${path} is not a valid sessions file (${why})`,
    `fix it or move it aside (mv ${path} ${path}.bak), then pair again`,
  );
}

export async function readRemoteSessions(path = remoteSessionsPath()): Promise<SessionsFile> {
  const text = await readLocalText(path);
  if (text === undefined || text.trim() === '') return { version: 1, sessions: {} };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw invalid(path, 'not JSON');
  }
  const sessions = (doc as { sessions?: unknown } | null)?.sessions;
  if (!sessions || typeof sessions !== 'object' || Array.isArray(sessions)) throw invalid(path, 'no "sessions" object');
  return { version: 1, sessions: sessions as Record<string, StoredSession> };
}

/** The new text of the file with `url` set to `record`; other entries keep their exact bytes. Pure. */
export function upsertSessionText(text: string | undefined, url: string, record: StoredSession): string {
  if (text === undefined || text.trim() === '')
    return JSON.stringify({ version: 1, sessions: { [url]: record } }, null, 2);
  const doc = JSON.parse(text) as unknown;
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('the top level is not an object');
  const top = scanObject(text, skipWs(text, 0));
  const sessions = top.members.find((m) => m.key === 'sessions');
  if (!sessions) return setMember(text, top, 'sessions', { [url]: record });
  if (text[sessions.valueStart] !== '{') throw new Error('"sessions" is not an object');
  return setMember(text, scanObject(text, sessions.valueStart), url, record);
}

/** Writes the entry for `url`: temp file (0600) in the same directory (0700), then rename. */
export async function saveRemoteSession(
  url: string,
  record: StoredSession,
  path = remoteSessionsPath(),
): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const before = await readLocalText(path);
  let next: string;
  try {
    next = upsertSessionText(before, url, record);
  } catch (err) {
    throw invalid(path, (err as Error).message);
  }
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await writeFile(tmp, next, { mode: 0o600 });
  await rename(tmp, path);
}

/**
 * The entry a pairing over `url` belongs to: the one keyed by `url`, else one listing `url` among its route
 * candidates (Codename-11/hermes-relay desktop/src/remoteSessions.ts `saveSession` owner lookup, @47b471ac).
 */
export function findOwner(file: SessionsFile, urls: string[]): [string, StoredSession] | undefined {
  const entries = Object.entries(file.sessions);
  for (const url of urls) {
    const hit =
      entries.find(([key]) => key === url) ??
      entries.find(([, s]) => (s?.route_candidates ?? []).some((c) => c?.relay?.url === url));
    if (hit) return hit;
  }
  return undefined;
}

/** Sessions whose key URL or any route candidate points at `host` (case-insensitive). */
export function sessionsForHost(file: SessionsFile, host: string): Array<[string, StoredSession]> {
  const want = host.toLowerCase().replace(/^\[|\]$/g, '');
  const hostOf = (u: string): string => {
    try {
      return new URL(u).hostname.toLowerCase().replace(/^\[|\]$/g, '');
    } catch {
      return '';
    }
  };
  return Object.entries(file.sessions).filter(
    ([url, s]) => hostOf(url) === want || (s.route_candidates ?? []).some((c) => hostOf(c.relay?.url ?? '') === want),
  );
}

/** The stored pin for a `host:port` (lower-case), from any entry's cert_pin_sha256 or route_cert_pins. */
export function findCertPin(file: SessionsFile, hostPort: string): string | undefined {
  const key = (u: string): string => {
    try {
      const x = new URL(u);
      return `${x.hostname}:${x.port || (x.protocol === 'wss:' ? '443' : '80')}`.toLowerCase();
    } catch {
      return '';
    }
  };
  for (const [url, s] of Object.entries(file.sessions)) {
    if (key(url) === hostPort && s.cert_pin_sha256) return s.cert_pin_sha256;
    for (const [u, pin] of Object.entries(s.route_cert_pins ?? {})) if (key(u) === hostPort) return pin;
  }
  return undefined;
}
