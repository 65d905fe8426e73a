// connection.json rules (hermes-behaviour.md §14.2): where it lives per OS, profile names, what is kept.
import { describe, expect, it } from 'vitest';
import { applyConnection, validateProfileName } from '../../src/desktop/connection-file.js';
import { dashboardUrl, hostOfLabel } from '../../src/desktop/host-facts.js';
import { connectionFilePath, desktopUserDataDir } from '../../src/desktop/user-data.js';

describe('desktop userData folder', () => {
  it('per OS, with HERMES_DESKTOP_USER_DATA_DIR winning', () => {
    expect(desktopUserDataDir({}, 'darwin', '/Users/a')).toBe('/Users/a/Library/Application Support/Hermes');
    expect(desktopUserDataDir({}, 'linux', '/home/a')).toBe('/home/a/.config/Hermes');
    expect(desktopUserDataDir({ XDG_CONFIG_HOME: '/x' }, 'linux', '/home/a')).toBe('/x/Hermes');
    expect(desktopUserDataDir({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32', 'C:\\Users\\a')).toBe('C:\\Users\\a\\AppData\\Roaming\\Hermes');
    expect(connectionFilePath('C:\\U\\Hermes', 'win32')).toBe('C:\\U\\Hermes\\connection.json');
    expect(desktopUserDataDir({ HERMES_DESKTOP_USER_DATA_DIR: '/t' }, 'darwin', '/Users/a')).toBe('/t');
  });
});

describe('profile names', () => {
  it.each(['default', 'a', 'work-2', 'x_y', '9lives', 'a'.repeat(64)])('accepts %s', (n) => expect(validateProfileName(n)).toBe(n));
  it.each(['', 'Work', '-a', '_a', 'a b', 'a'.repeat(65), 'ünï'])('refuses %j', (n) => expect(() => validateProfileName(n)).toThrow(/invalid profile name/));
});

describe('applyConnection', () => {
  const doc = { mode: 'local', remote: { url: 'http://h:9119', authMode: 'token', token: { encoding: 'safeStorage', value: 'c2VjcmV0' }, headers: { A: 'b' } },
    profiles: { p: { mode: 'local' } }, other: true };
  it('keeps the stored (encrypted) token while the URL is the same, drops it when the URL changes', () => {
    expect(applyConnection(doc, { url: 'http://h:9119', authMode: 'token' })).toEqual({ ...doc, mode: 'remote' });
    expect(applyConnection(doc, { url: 'http://new:9119', authMode: 'token' })).toEqual({ ...doc, mode: 'remote', remote: { url: 'http://new:9119', authMode: 'token', headers: { A: 'b' } } });
  });
  it('writes a profile without touching the global connection', () => {
    const out = applyConnection(doc, { url: 'http://n:1', authMode: 'oauth' }, 'p');
    expect(out).toEqual({ ...doc, profiles: { p: { mode: 'remote', url: 'http://n:1', authMode: 'oauth' } } });
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
