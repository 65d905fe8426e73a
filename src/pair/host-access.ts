// The official client's per-host access policy, ~/.hermes/desktop-host-access.json (docs/hermes-contract.md#c16 "Host
// access policy"). Its own pair writes `ask_every_time` for a freshly paired host and never rewrites an existing
// policy; without an entry the client falls back to its stricter default. Shapes and rules from
// Codename-11/hermes-relay desktop/src/lib/hostAccessPolicy.ts (@24e767e7): `{version: 2, hosts: {<canonical relay
// URL>: {access_mode, capabilities, updated_at}}}`, key = `canonicalRelayUrl`, path overridable with
// HERMES_RELAY_HOST_ACCESS_POLICY_PATH; `initializePairedHostAccessPolicy` runs only on a fresh pairing
// (desktop/src/remoteSessions.ts `saveSession`, `!prev`).
//
// Here: an entry is added only when the host has none, and only the `hosts` member is touched (every other byte of
// an existing file stays). A file in an older shape (no `hosts` object) or unreadable is left alone.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { scanObject, setMember, skipWs } from './json-spans.js';
import { readLocalText } from './read-local-text.js';

export function hostAccessPath(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  return env['HERMES_RELAY_HOST_ACCESS_POLICY_PATH'] ?? join(home, '.hermes', 'desktop-host-access.json');
}

/** hostAccessPolicy.ts `canonicalRelayUrl`: ws(s) only, no credentials/query/fragment, no trailing slash. */
export function canonicalRelayUrl(raw: string): string | undefined {
  try {
    const url = new URL(raw.trim());
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:') return undefined;
    if (!url.hostname || url.username || url.password || url.search || url.hash) return undefined;
    url.pathname = url.pathname.replace(/\/+$/, '') || '/';
    const canonical = url.toString();
    return url.pathname === '/' ? canonical.replace(/\/$/, '') : canonical;
  } catch {
    return undefined;
  }
}

/** The `ask_every_time` preset (hostAccessPolicy.ts `PRESET_CAPABILITY_POLICIES`). */
export function askEveryTimePolicy(now: Date): Record<string, unknown> {
  return {
    access_mode: 'ask_every_time',
    capabilities: {
      commands: 'ask',
      files: 'ask',
      screen_input: 'ask',
      usb: 'ask',
      microphone: 'disabled',
      camera: 'disabled',
    },
    updated_at: now.toISOString(),
  };
}

export type HostAccessPlan = { action: 'create' | 'add'; text: string; key: string } | { action: 'keep'; why: string };

/** What to write for `relayUrl`, given the file's current text (undefined = no file). Pure. */
export function planHostAccess(text: string | undefined, relayUrl: string, now: Date): HostAccessPlan {
  const key = canonicalRelayUrl(relayUrl);
  if (!key) return { action: 'keep', why: `${relayUrl} is not a ws(s) URL` };
  const policy = askEveryTimePolicy(now);
  if (text === undefined || text.trim() === '')
    return { action: 'create', key, text: `${JSON.stringify({ version: 2, hosts: { [key]: policy } }, null, 2)}\n` };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { action: 'keep', why: 'the file is not JSON' };
  }
  const hosts = (doc as { hosts?: unknown } | null)?.hosts;
  if (
    !doc ||
    typeof doc !== 'object' ||
    Array.isArray(doc) ||
    !hosts ||
    typeof hosts !== 'object' ||
    Array.isArray(hosts)
  ) {
    return { action: 'keep', why: 'the file has no "hosts" object (an older shape)' };
  }
  if (Object.keys(hosts).some((k) => canonicalRelayUrl(k) === key))
    return { action: 'keep', why: 'the host already has a policy' };
  const top = scanObject(text, skipWs(text, 0));
  const member = top.members.find((m) => m.key === 'hosts')!;
  return { action: 'add', key, text: setMember(text, scanObject(text, member.valueStart), key, policy) };
}

/** Adds the host's `ask_every_time` policy when it has none. Returns what was done. */
export async function initHostAccessPolicy(relayUrl: string, path = hostAccessPath()): Promise<HostAccessPlan> {
  const plan = planHostAccess(await readLocalText(path), relayUrl, new Date());
  if (plan.action === 'keep') return plan;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await writeFile(tmp, plan.text, { mode: 0o600 });
  await rename(tmp, path);
  return plan;
}
