// connection.json (hermes-behaviour.md §14.2): set the remote connection (global, or one profile) and keep every
// other key and profile as it was.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stepError, usageError } from '../errors.js';

export type AuthMode = 'token' | 'oauth';

export interface TokenEnvelope { encoding: 'safeStorage' | 'plain'; value: string }

export interface RemoteConnection {
  url: string;
  authMode: AuthMode;
  /** Set: write this envelope. undefined: keep the stored one when the URL is unchanged, else drop it. */
  token?: TokenEnvelope;
}

export type ConnectionDoc = Record<string, unknown>;

const PROFILE_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export function validateProfileName(name: string): string {
  if (name === 'default' || PROFILE_RE.test(name)) return name;
  throw usageError('E_PROFILE_NAME', `invalid profile name "${name}"`,
    'use "default" or 1-64 characters: a lowercase letter or digit first, then lowercase letters, digits, _ or -');
}

const asObject = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? { ...(v as Record<string, unknown>) } : {});

function mergeRemote(prev: Record<string, unknown>, c: RemoteConnection): Record<string, unknown> {
  const next: Record<string, unknown> = { ...prev, url: c.url, authMode: c.authMode };
  if (c.token) next['token'] = c.token;
  else if (prev['url'] !== c.url || c.authMode !== 'token') delete next['token'];
  return next;
}

/** The document with the connection applied: globally (mode + remote) or to `profiles.<profile>`. Pure. */
export function applyConnection(doc: ConnectionDoc, c: RemoteConnection, profile?: string): ConnectionDoc {
  const next: ConnectionDoc = { ...doc };
  if (profile !== undefined) {
    const profiles = asObject(doc['profiles']);
    const merged = mergeRemote(asObject(profiles[profile]), c);
    merged['mode'] = 'remote';
    profiles[profile] = 'mode' in asObject(profiles[profile]) ? merged : { mode: 'remote', ...merged };
    next['profiles'] = profiles;
    return next;
  }
  next['mode'] = 'remote';
  next['remote'] = mergeRemote(asObject(doc['remote']), c);
  return next;
}

export async function readConnectionFile(path: string): Promise<ConnectionDoc> {
  let text: string;
  try { text = await readFile(path, 'utf8'); } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  if (text.trim() === '') return {};
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as ConnectionDoc;
  } catch { /* below */ }
  throw stepError('E_DESKTOP_CONFIG_INVALID', `${path} is not a JSON object`, `fix it or move it aside (mv "${path}" "${path}.bak"), then rerun`);
}

/** Temp file (0600) beside it, then rename; the folder is created 0700 when missing. */
export async function writeConnectionFile(path: string, doc: ConnectionDoc): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await writeFile(tmp, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}
