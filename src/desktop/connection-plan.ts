// What to change in the desktop app's connection.json (docs/hermes-contract.md#c15), checked against the app's reader,
// NousResearch/hermes-agent apps/desktop/electron: `readDesktopConnectionConfig` / `sanitizeConnectionProfiles`
// (main.ts storage runtime), `profileRemoteOverride` (connection-config.ts @03b762d2), `coerceDesktopConnectionConfig`
// and `buildRemoteConnection`: `mode` local|remote|cloud|ssh; `remote{url, authMode, token, headers?}` (in ssh mode
// `remote` is the SSH block); `profiles.<name>{mode, url, authMode, token}`; a token is an envelope
// `{encoding: "safeStorage"|"plain", value}` (`decryptDesktopSecret` uses a plain value as-is). A remote-like mode with
// token auth and no token is a boot error ("Remote Hermes gateway is selected, but no session token is saved").
//
// Rules: the remote connection becomes the active one only with a token the app can use (or when it already was,
// for sign-in auth); otherwise it is saved beside the active connection (the `remote` block with `mode` left alone,
// or a profile entry left on `local`) and the user finishes in Settings. An active connection to something else is
// never replaced without a token. A plain token that no longer matches the host's is updated. Pure.

export type AuthMode = 'token' | 'oauth';
export interface TokenEnvelope {
  encoding: 'safeStorage' | 'plain';
  value: string;
}
export type ConnectionDoc = Record<string, unknown>;

export interface ConnectionInput {
  url: string;
  authMode: AuthMode;
  /** The host's current session token, when known. */
  hostToken?: string;
  /** Write the token as {"encoding":"plain"} (--store-token-plain). */
  storePlain: boolean;
  profile?: string;
}

/** stored: written now · kept: the same plain token was there · kept-encrypted: an app-encrypted token for this URL was
 *  kept (cannot be checked) · updated: a stale plain token replaced · removed: a token dropped (sign-in auth). */
export type TokenAction = 'stored' | 'kept' | 'kept-encrypted' | 'updated' | 'removed' | 'none';

export interface ConnectionPlan {
  doc: ConnectionDoc;
  /** The app (or the profile) uses this connection after the write. */
  active: boolean;
  /** Our connection is in the file (active or saved beside the active one). */
  written: boolean;
  tokenAction: TokenAction;
  /** The existing connection this write replaces or changes (a backup is due). */
  replaces?: string;
  /** The active connection left alone, when nothing could be written without breaking it. */
  keptActive?: string;
  notes: string[];
}

const asObject = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? { ...(v as Record<string, unknown>) } : {};
const remoteLike = (mode: unknown): boolean => mode === 'remote' || mode === 'cloud';
const norm = (u: unknown): string => (typeof u === 'string' ? u.trim().replace(/\/+$/, '') : '');

function envelopeOf(v: unknown): TokenEnvelope | undefined {
  const o = asObject(v);
  const value = typeof o['value'] === 'string' ? o['value'] : '';
  if (!value) return undefined;
  return { encoding: o['encoding'] === 'safeStorage' ? 'safeStorage' : 'plain', value };
}

/** "remote http://h:9119", "SSH deploy@mini", "cloud …". */
export function describeConnection(mode: unknown, block: Record<string, unknown>): string {
  const text = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '?');
  if (mode === 'ssh') return `SSH ${block['user'] ? `${text(block['user'])}@` : ''}${text(block['host'])}`;
  return `${mode === 'cloud' ? 'cloud' : 'remote'} ${text(block['url'])}`;
}

export function decideToken(
  prev: Record<string, unknown>,
  i: ConnectionInput,
): { token?: TokenEnvelope; action: TokenAction } {
  const old = envelopeOf(prev['token']);
  const sameUrl = norm(prev['url']) === norm(i.url);
  if (i.authMode === 'oauth') return { action: old ? 'removed' : 'none' };
  if (i.storePlain && i.hostToken)
    return {
      token: { encoding: 'plain', value: i.hostToken },
      action: old?.encoding === 'plain' && old.value === i.hostToken ? 'kept' : 'stored',
    };
  if (!old) return { action: 'none' };
  if (old.encoding === 'plain') {
    if (i.hostToken !== undefined && old.value === i.hostToken) return { token: old, action: 'kept' };
    if (!sameUrl) return { action: 'none' };
    return i.hostToken === undefined
      ? { token: old, action: 'kept' }
      : { token: { encoding: 'plain', value: i.hostToken }, action: 'updated' };
  }
  return sameUrl ? { token: old, action: 'kept-encrypted' } : { action: 'none' };
}

function block(
  base: Record<string, unknown>,
  i: ConnectionInput,
  token: TokenEnvelope | undefined,
): Record<string, unknown> {
  const next: Record<string, unknown> = { ...base, url: i.url, authMode: i.authMode };
  if (token) next['token'] = token;
  else delete next['token'];
  return next;
}

function changes(prev: Record<string, unknown>, mode: unknown, next: Record<string, unknown>): boolean {
  if (mode === 'ssh' || mode === 'cloud' || prev['savedSsh'] !== undefined) return true;
  if (!prev['url'] && !prev['token']) return false;
  return (
    norm(prev['url']) !== norm(next['url']) ||
    JSON.stringify(prev['token'] ?? null) !== JSON.stringify(next['token'] ?? null)
  );
}

interface Scope {
  mode: unknown;
  prev: Record<string, unknown>;
}

/** The decision for one scope (global `mode`+`remote`, or one profile entry). */
function decide(
  s: Scope,
  i: ConnectionInput,
): { entry?: Record<string, unknown>; mode?: string; plan: Omit<ConnectionPlan, 'doc'> } {
  const ssh = s.mode === 'ssh';
  const t = decideToken(ssh ? {} : s.prev, i);
  const sameUrl = !ssh && norm(s.prev['url']) === norm(i.url);
  const base = sameUrl ? s.prev : {};
  const entry = block(base, i, t.token);
  const describePrev = (): string | undefined =>
    changes(s.prev, s.mode, entry) ? describeConnection(s.mode, s.prev) : undefined;
  const plan = (p: Partial<Omit<ConnectionPlan, 'doc'>>): Omit<ConnectionPlan, 'doc'> => ({
    active: false,
    written: true,
    tokenAction: t.action,
    notes: [],
    ...p,
  });
  if (i.authMode === 'token' && t.token) {
    const replaces = describePrev();
    return { entry, mode: 'remote', plan: plan({ active: true, ...(replaces ? { replaces } : {}) }) };
  }
  if (ssh || (remoteLike(s.mode) && !sameUrl)) {
    return { plan: plan({ written: false, keptActive: describeConnection(s.mode, s.prev), tokenAction: 'none' }) };
  }
  if (remoteLike(s.mode) && i.authMode === 'oauth') return { entry, plan: plan({ active: true }) };
  if (remoteLike(s.mode)) {
    const notes = [
      'the active connection to this host had no token (the app cannot start on it): switched it back to local until a token is saved',
    ];
    return { entry, mode: 'local', plan: plan({ notes, replaces: describeConnection(s.mode, s.prev) }) };
  }
  const replaces = describePrev();
  return { entry, plan: plan(replaces ? { replaces } : {}) };
}

/** Other scopes holding a plain token for the same URL that no longer matches the host's: updated, with a note. */
function refreshStale(doc: ConnectionDoc, i: ConnectionInput, notes: string[]): void {
  if (i.hostToken === undefined || i.authMode !== 'token') return;
  const fix = (b: Record<string, unknown>, where: string): Record<string, unknown> => {
    const old = envelopeOf(b['token']);
    if (norm(b['url']) !== norm(i.url) || old?.encoding !== 'plain' || old.value === i.hostToken) return b;
    notes.push(`${where}: updated its plain-text token, which no longer matched the host's`);
    return { ...b, token: { encoding: 'plain', value: i.hostToken } };
  };
  if (i.profile !== undefined && doc['mode'] !== 'ssh' && doc['remote'])
    doc['remote'] = fix(asObject(doc['remote']), 'the global connection');
  const profiles = asObject(doc['profiles']);
  for (const [name, entry] of Object.entries(profiles))
    if (name !== i.profile && entry && typeof entry === 'object')
      profiles[name] = fix(asObject(entry), `profile ${name}`);
  if (doc['profiles'] !== undefined) doc['profiles'] = profiles;
}

export function planConnection(doc: ConnectionDoc, i: ConnectionInput): ConnectionPlan {
  const next: ConnectionDoc = { ...doc };
  let result: Omit<ConnectionPlan, 'doc'>;
  if (i.profile === undefined) {
    const d = decide({ mode: doc['mode'] ?? 'local', prev: asObject(doc['remote']) }, i);
    if (d.entry) next['remote'] = d.entry;
    if (d.mode) next['mode'] = d.mode;
    result = d.plan;
  } else {
    const profiles = asObject(doc['profiles']);
    const prev = asObject(profiles[i.profile]);
    const d = decide({ mode: prev['mode'] ?? 'local', prev }, i);
    if (d.entry) {
      const mode = d.mode ?? (remoteLike(prev['mode']) ? prev['mode'] : 'local');
      const { mode: _old, ...rest } = d.entry;
      // A local entry's saved SSH details stay with it (sanitizeConnectionProfiles keeps `savedSsh` on local entries).
      profiles[i.profile] = {
        mode,
        ...rest,
        ...(mode === 'local' && prev['savedSsh'] !== undefined ? { savedSsh: prev['savedSsh'] } : {}),
      };
      next['profiles'] = profiles;
    }
    result = d.plan;
  }
  const notes = [...result.notes];
  refreshStale(next, i, notes);
  return { ...result, doc: next, notes };
}
