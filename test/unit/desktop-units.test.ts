// connection.json rules (hermes-behaviour.md §14.2, checked against the app's reader): where it lives per OS and
// build, profile names, and the plan that never leaves the app unable to start; the running-app check; the steps.
import { describe, expect, it } from 'vitest';
import { parsePsOutput, parseTasklist } from '../../src/desktop/app-process.js';
import { validateProfileName } from '../../src/desktop/connection-file.js';
import { type ConnectionDoc, planConnection } from '../../src/desktop/connection-plan.js';
import { renderSteps } from '../../src/desktop/desktop-steps.js';
import { dashboardUrl, hostOfLabel } from '../../src/desktop/host-facts.js';
import { connectionFilePath, desktopUserDataDir, otherAppFolders } from '../../src/desktop/user-data.js';

const URL = 'http://100.100.7.2:9119';
const TOKEN = 'tok-new';
const input = { url: URL, authMode: 'token' as const, hostToken: TOKEN, storePlain: false };
const plainTok = (value: string): { encoding: 'plain'; value: string } => ({ encoding: 'plain', value });

/** The app's own resolution (main.ts resolveRemoteBackend / buildRemoteConnection): does it start on this doc? */
function appBoots(doc: ConnectionDoc, profile?: string): boolean {
  const entry = profile
    ? (doc['profiles'] as Record<string, Record<string, unknown>> | undefined)?.[profile]
    : undefined;
  const [mode, block] =
    entry && (entry['mode'] === 'remote' || entry['mode'] === 'cloud')
      ? [entry['mode'], entry]
      : [doc['mode'], doc['remote'] as Record<string, unknown> | undefined];
  if (mode !== 'remote' && mode !== 'cloud') return true;
  if (block?.['authMode'] === 'oauth') return true;
  return typeof (block?.['token'] as { value?: unknown } | undefined)?.value === 'string';
}

describe('desktop userData folder', () => {
  it('per OS; HERMES_DESKTOP_USER_DATA_DIR, HERMES_DATA_DIR_SUFFIX and --user-data-dir as the app resolves them', () => {
    expect(desktopUserDataDir({}, 'darwin', '/Users/a')).toBe('/Users/a/Library/Application Support/Hermes');
    expect(desktopUserDataDir({}, 'linux', '/home/a')).toBe('/home/a/.config/Hermes');
    expect(desktopUserDataDir({ XDG_CONFIG_HOME: '/x' }, 'linux', '/home/a')).toBe('/x/Hermes');
    expect(desktopUserDataDir({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32', 'C:\\Users\\a')).toBe(
      'C:\\Users\\a\\AppData\\Roaming\\Hermes',
    );
    expect(connectionFilePath('C:\\U\\Hermes', 'win32')).toBe('C:\\U\\Hermes\\connection.json');
    expect(desktopUserDataDir({ HERMES_DESKTOP_USER_DATA_DIR: '/t' }, 'darwin', '/Users/a')).toBe('/t');
    expect(desktopUserDataDir({ HERMES_DATA_DIR_SUFFIX: '-canary' }, 'linux', '/home/a')).toBe(
      '/home/a/.config/Hermes-canary',
    );
    expect(
      desktopUserDataDir({ HERMES_DESKTOP_USER_DATA_DIR: '/t' }, 'linux', '/home/a', '/home/a/.config/HermesLight'),
    ).toBe('/home/a/.config/HermesLight');
    expect(otherAppFolders('/h/.config/Hermes', {}, 'linux', '/h', (p) => p.endsWith('HermesLight'))).toEqual([
      { dir: '/h/.config/HermesLight', build: 'Hermes Light' },
    ]);
  });
});

describe('profile names', () => {
  it.each(['default', 'a', 'work-2', 'x_y', '9lives', 'a'.repeat(64)])('accepts %s', (n) =>
    expect(validateProfileName(n)).toBe(n),
  );
  it.each(['', 'Work', '-a', '_a', 'a b', 'a'.repeat(65), 'ünï'])('refuses %j', (n) =>
    expect(() => validateProfileName(n)).toThrow(/invalid profile name/),
  );
});

describe('planConnection: the app always starts', () => {
  const local = { mode: 'local', profiles: { p: { mode: 'local' } }, other: true };

  it('no token: a working local set-up stays active; the remote block is saved beside it', () => {
    const plan = planConnection(local, input);
    expect(plan).toMatchObject({ active: false, written: true, tokenAction: 'none' });
    expect(plan.doc).toEqual({ ...local, remote: { url: URL, authMode: 'token' } });
    expect(appBoots(plan.doc)).toBe(true);
  });

  it('with --store-token-plain: active, token envelope {"encoding":"plain"}', () => {
    const plan = planConnection(local, { ...input, storePlain: true });
    expect(plan).toMatchObject({ active: true, tokenAction: 'stored' });
    expect(plan.doc).toMatchObject({ mode: 'remote', remote: { url: URL, authMode: 'token', token: plainTok(TOKEN) } });
  });

  it('an active remote/ssh/cloud connection to something else is never replaced without a token; with one, it is (backup due)', () => {
    for (const doc of [
      { mode: 'remote', remote: { url: 'http://other:9119', authMode: 'token', token: plainTok('x') } },
      { mode: 'ssh', remote: { mode: 'ssh', host: 'mini', user: 'deploy' } },
      { mode: 'cloud', remote: { url: 'https://c.example', authMode: 'oauth' } },
    ]) {
      const plan = planConnection(doc, input);
      expect(plan).toMatchObject({ written: false, active: false });
      expect(plan.doc).toEqual(doc);
      const stored = planConnection(doc, { ...input, storePlain: true });
      expect(stored.replaces).toBeDefined();
      expect(stored.doc).toMatchObject({ mode: 'remote', remote: { url: URL, token: plainTok(TOKEN) } });
      expect(stored.doc['remote']).not.toHaveProperty('host');
    }
  });

  it('the old broken state (mode remote, no token) is repaired back to local', () => {
    const plan = planConnection({ mode: 'remote', remote: { url: URL, authMode: 'token' } }, input);
    expect(plan.doc['mode']).toBe('local');
    expect(appBoots(plan.doc)).toBe(true);
    expect(plan.notes[0]).toMatch(/switched it back to local/);
  });

  it('after a token rotation a stale plain token is updated (global and other scopes), a matching one kept, an encrypted one kept', () => {
    const doc = {
      mode: 'remote',
      remote: { url: URL, authMode: 'token', token: plainTok('old') },
      profiles: { w: { mode: 'remote', url: URL, authMode: 'token', token: plainTok('old') } },
    };
    const plan = planConnection(doc, input);
    expect(plan).toMatchObject({ active: true, tokenAction: 'updated' });
    expect(plan.doc).toMatchObject({ remote: { token: plainTok(TOKEN) }, profiles: { w: { token: plainTok(TOKEN) } } });
    expect(plan.notes).toEqual(["profile w: updated its plain-text token, which no longer matched the host's"]);
    expect(
      planConnection({ mode: 'remote', remote: { url: URL, authMode: 'token', token: plainTok(TOKEN) } }, input)
        .tokenAction,
    ).toBe('kept');
    const enc = planConnection(
      {
        mode: 'remote',
        remote: {
          url: URL,
          authMode: 'token',
          token: { encoding: 'safeStorage', value: 'Y2lwaGVy' },
          headers: { A: 'b' },
        },
      },
      input,
    );
    expect(enc).toMatchObject({
      active: true,
      tokenAction: 'kept-encrypted',
      doc: { remote: { token: { encoding: 'safeStorage' }, headers: { A: 'b' } } },
    });
  });

  it('profiles: a token makes the profile remote; without one the entry stays local (savedSsh kept); others untouched', () => {
    const doc = {
      mode: 'local',
      profiles: {
        home: { mode: 'local', savedSsh: { mode: 'ssh', host: 'h' } },
        work: { mode: 'remote', url: 'https://w:9119', authMode: 'oauth' },
      },
    };
    const saved = planConnection(doc, { ...input, profile: 'home' });
    expect(saved.doc['profiles']).toEqual({
      home: { mode: 'local', url: URL, authMode: 'token', savedSsh: { mode: 'ssh', host: 'h' } },
      work: doc.profiles.work,
    });
    expect(appBoots(saved.doc, 'home')).toBe(true);
    const active = planConnection(doc, { ...input, profile: 'fresh', storePlain: true });
    expect((active.doc['profiles'] as Record<string, unknown>)['fresh']).toEqual({
      mode: 'remote',
      url: URL,
      authMode: 'token',
      token: plainTok(TOKEN),
    });
    expect(active.doc['mode']).toBe('local');
  });

  it('password (sign-in) hosts: no token is ever written; an active sign-in remote at this URL stays active', () => {
    const oauth = { ...input, authMode: 'oauth' as const, storePlain: true };
    expect(planConnection({}, oauth)).toMatchObject({
      active: false,
      doc: { remote: { url: URL, authMode: 'oauth' } },
    });
    expect(
      planConnection({ mode: 'remote', remote: { url: URL, authMode: 'token', token: plainTok('x') } }, oauth),
    ).toMatchObject({
      active: true,
      tokenAction: 'removed',
      doc: { mode: 'remote', remote: { url: URL, authMode: 'oauth' } },
    });
  });
});

describe('steps', () => {
  const base = {
    url: URL,
    hostMode: 'token' as const,
    authMode: 'token' as const,
    active: false,
    written: true,
    tokenFingerprint: 'sha256:abcd',
    sshTarget: 'deploy@mini',
    appRunning: false,
  };
  it('global, not active: Settings with the fingerprint, the token command, the env pair', () => {
    const s = renderSteps(base).join('\n');
    expect(s).toContain('without making it active (the app keeps its current connection, so it still starts)');
    expect(s).toContain(
      'Settings > Gateway > Remote connection — the URL http://100.100.7.2:9119 is filled in; paste the token (fingerprint sha256:abcd)',
    );
    expect(s).toContain('HERMES_DESKTOP_REMOTE_URL=http://100.100.7.2:9119');
  });
  it('a profile: its own Settings scope, and the env pair said not to apply', () => {
    const s = renderSteps({ ...base, profile: 'work', appRunning: true }).join('\n');
    expect(s).toContain('1. Quit the Hermes desktop app first.');
    expect(s).toContain('switch to profile work, then Settings > Gateway (this profile) > Remote');
    expect(s).toContain('does not help for a profile');
    expect(s).not.toContain('HERMES_DESKTOP_REMOTE_URL=');
    expect(s).toContain('--store-token-plain --profile work');
  });
});

describe('running app check', () => {
  it('finds Hermes / Hermes Light (Linux comm, macOS path, Windows image), not the CLI or Electron helpers', () => {
    const ps = [
      '  1 systemd',
      ' 812 Hermes',
      ' 813 hermes',
      ' 900 Hermes Light',
      '1000 /Applications/Hermes.app/Contents/MacOS/Hermes',
      '1001 /Applications/Hermes.app/Contents/Frameworks/Hermes Helper (Renderer).app/Contents/MacOS/Hermes Helper (Renderer)',
      '1002 python3',
    ].join('\n');
    expect(parsePsOutput(ps).map((p) => p.pid)).toEqual([812, 900, 1000]);
    expect(
      parseTasklist('"Hermes.exe","4242","Console","1","120,000 K"\r\n"hermes-setup.exe","1","Console","1","1 K"').map(
        (p) => p.pid,
      ),
    ).toEqual([4242]);
  });
});

describe('dashboard URL', () => {
  it('bind address, SSH host for a wildcard bind, the tunnel end for tunnel mode', () => {
    const f = { mode: 'password' as const, bind: '100.100.7.2', port: 9119, tokenMismatch: false };
    expect(dashboardUrl(f, 'mini')).toBe('http://100.100.7.2:9119');
    expect(dashboardUrl({ ...f, bind: '0.0.0.0' }, 'fd00::1')).toBe('http://[fd00::1]:9119');
    expect(dashboardUrl({ ...f, mode: 'tunnel', bind: '127.0.0.1' }, 'mini')).toBe('http://127.0.0.1:19119');
    expect(hostOfLabel('deploy@10.0.0.5:22')).toBe('10.0.0.5');
    expect(hostOfLabel('deploy@[fd00::1]:22')).toBe('fd00::1');
  });
});
