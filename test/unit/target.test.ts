// Table tests: target strings and ~/.ssh/config resolution.
import { describe, expect, it } from 'vitest';
import { HermesSetupError } from '../../src/errors.js';
import { resolveTarget } from '../../src/transport/ssh-config.js';
import { parseTarget } from '../../src/transport/target.js';

describe('parseTarget accepts', () => {
  it.each([
    ['deploy@mini.lan', { user: 'deploy', host: 'mini.lan' }],
    ['deploy@mini.lan:2222', { user: 'deploy', host: 'mini.lan', port: 2222 }],
    ['ssh://deploy@10.0.0.5:22', { user: 'deploy', host: '10.0.0.5', port: 22 }],
    ['ssh://deploy@10.0.0.5', { user: 'deploy', host: '10.0.0.5' }],
    ['SSH://deploy@box/', { user: 'deploy', host: 'box' }],
    ['[::1]', { host: '::1' }],
    ['deploy@[::1]:2222', { user: 'deploy', host: '::1', port: 2222 }],
    ['ssh://root@[fd7a:115c:a1e0::1]:22', { user: 'root', host: 'fd7a:115c:a1e0::1', port: 22 }],
    ['mini', { host: 'mini' }],
    ['mini:65535', { host: 'mini', port: 65535 }],
    ['a.b-c.example.com', { host: 'a.b-c.example.com' }],
    ['u_1.x-y@host', { user: 'u_1.x-y', host: 'host' }],
    ['  deploy@mini  ', { user: 'deploy', host: 'mini' }],
  ])('%s', (raw, want) => {
    const t = parseTarget(raw);
    expect({ user: t.user, host: t.host, port: t.port }).toEqual({ user: undefined, port: undefined, ...want });
  });
});

describe('parseTarget rejects with exit 2 and says what is wrong', () => {
  it.each([
    ['', /empty/],
    ['deploy@', /missing host/],
    ['@host', /empty user/],
    ['deploy@host:0', /must be 1-65535/],
    ['deploy@host:70000', /must be 1-65535/],
    ['deploy@host:abc', /not a number/],
    ['deploy@host:', /not a number/],
    ['::1', /bare IPv6/],
    ['deploy@[::1', /unclosed/],
    ['deploy@[nothex]:22', /not an IPv6/],
    ['deploy@[::1]x', /unexpected/],
    ['http://deploy@host', /unsupported scheme/],
    ['ssh://deploy@host/path', /no path/],
    ['deploy@ho st', /whitespace/],
    ['de ploy@host', /whitespace/],
    ['dep;loy@host', /not a valid user/],
    ['deploy@host;rm -rf', /whitespace|not a valid/],
    ['deploy@-oProxyCommand=x', /not a valid hostname/],
    ['deploy@bad_host!', /not a valid hostname/],
  ])('%j', (raw, why) => {
    let err: unknown;
    try {
      parseTarget(raw);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HermesSetupError);
    const e = err as HermesSetupError;
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(why);
    expect(e.toLine()).not.toContain('\n');
  });
});

const CONFIG = `
Host mini
  HostName 10.0.0.5
  User bob
  Port 2200
  IdentityFile ~/.ssh/mini_ed25519
  IdentityFile %d/.ssh/second

Host *.lab
  User labuser
  IdentityFile ~/.ssh/%h_key

Host jump-*
  ProxyJump bastion

Host direct
  HostName direct.example.com
  ProxyCommand none

Host *
  Port 2222
`;

describe('resolveTarget with ~/.ssh/config', () => {
  const ctx = { configText: CONFIG, localUser: 'me', home: '/home/me' };
  it.each([
    [
      'mini',
      {
        host: '10.0.0.5',
        user: 'bob',
        port: 2200,
        identityFiles: ['/home/me/.ssh/mini_ed25519', '/home/me/.ssh/second'],
        fromConfig: true,
      },
    ],
    ['alice@mini', { host: '10.0.0.5', user: 'alice', port: 2200 }],
    ['mini:22', { host: '10.0.0.5', user: 'bob', port: 22 }],
    [
      'box.lab',
      { host: 'box.lab', user: 'labuser', port: 2222, identityFiles: ['/home/me/.ssh/box.lab_key'], fromConfig: false },
    ],
    ['direct', { host: 'direct.example.com', user: 'me', port: 2222 }],
    ['other', { host: 'other', user: 'me', port: 2222, identityFiles: [] }],
  ])('%s', (raw, want) => {
    expect(resolveTarget(parseTarget(raw), ctx)).toMatchObject(want);
  });

  it('without a config file: local user, port 22', () => {
    expect(resolveTarget(parseTarget('box'), { localUser: 'me', home: '/home/me' })).toMatchObject({
      host: 'box',
      user: 'me',
      port: 22,
      identityFiles: [],
    });
  });

  it('ProxyJump is refused with exit 2 and a clear message', () => {
    expect(() => resolveTarget(parseTarget('jump-1'), ctx)).toThrow(/ProxyJump \(bastion\).*not supported/);
    try {
      resolveTarget(parseTarget('jump-1'), ctx);
    } catch (e) {
      expect((e as HermesSetupError).exitCode).toBe(2);
    }
  });

  it('a bad Port in the config is a usage error', () => {
    expect(() => resolveTarget(parseTarget('x'), { ...ctx, configText: 'Host x\n  Port abc\n' })).toThrow(
      /not a number/,
    );
  });
});
