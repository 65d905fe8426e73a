// Where node/npm are (issue 13 item 6), FileVault (item 5), the service PATH built from them, launchctl's
// meaningful error line, and the --launchd-domain flag. The lookup script runs in a real sh over a fake home.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseFactLines } from '../../src/facts/facts-script.js';
import { parseFileVault, pickNode, renderHostToolsScript } from '../../src/facts/host-tools-facts.js';
import { toConvergeOptions, type ConvergeFlags } from '../../src/options/converge-options.js';
import { servicePath } from '../../src/service/desired-spec.js';
import { launchctlError } from '../../src/service/launchd/launchd-shell.js';

const facts = (o: Record<string, string>) => new Map(Object.entries(o));

describe('pickNode', () => {
  it.each([
    [
      'the session PATH has both',
      { 'node.session': 'node=/usr/bin/node\nnpm=/usr/bin/npm' },
      { node: '/usr/bin/node', npm: '/usr/bin/npm', via: 'session', dirs: ['/usr/bin'] },
    ],
    [
      'the login shell (Homebrew in ~/.zprofile)',
      { 'node.login': 'node=/opt/homebrew/bin/node\nnpm=/opt/homebrew/bin/npm' },
      { npm: '/opt/homebrew/bin/npm', via: 'login-shell', dirs: ['/opt/homebrew/bin'] },
    ],
    [
      'nvm only: the newest version',
      {
        'node.dirs':
          '/Users/a/.nvm/versions/node/v9.11.2/bin node npm\n/Users/a/.nvm/versions/node/v20.19.0/bin node npm\n/Users/a/.nvm/versions/node/v18.20.4/bin node npm\n',
      },
      {
        node: '/Users/a/.nvm/versions/node/v20.19.0/bin/node',
        npm: '/Users/a/.nvm/versions/node/v20.19.0/bin/npm',
        via: 'install-dir',
        dirs: ['/Users/a/.nvm/versions/node/v20.19.0/bin'],
      },
    ],
    [
      "volta before Hermes's own node",
      { 'node.dirs': '/Users/a/.volta/bin node npm\n/Users/a/.hermes/node/bin node npm\n' },
      { npm: '/Users/a/.volta/bin/npm', dirs: ['/Users/a/.volta/bin'] },
    ],
    [
      'node on PATH, npm only in an install dir',
      { 'node.session': 'node=/usr/local/bin/node', 'node.dirs': '/Users/a/.hermes/node/bin npm\n' },
      {
        node: '/usr/local/bin/node',
        npm: '/Users/a/.hermes/node/bin/npm',
        dirs: ['/usr/local/bin', '/Users/a/.hermes/node/bin'],
      },
    ],
    [
      'no npm anywhere: node alone (the dashboard gets --skip-build)',
      { 'node.dirs': '/usr/local/bin node\n' },
      { node: '/usr/local/bin/node', dirs: ['/usr/local/bin'] },
    ],
    ['npm without any node cannot run', { 'node.dirs': '/opt/homebrew/bin npm\n' }, { dirs: [] }],
    ['nothing', {}, { dirs: [] }],
  ])('%s', (_n, m, want) => {
    const got = pickNode(facts(m));
    expect(got).toMatchObject(want);
    if (!('npm' in want)) expect(got.npm).toBeUndefined();
  });
});

describe('the lookup script in a real sh', () => {
  const home = mkdtempSync(join(tmpdir(), 'hs-node-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  const exe = (p: string) => {
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, '#!/bin/sh\n');
    chmodSync(p, 0o755);
  };

  it('finds the newest nvm node and npm where no shell PATH has them', () => {
    for (const v of ['v18.20.4', 'v20.19.0', 'v9.11.2'])
      for (const t of ['node', 'npm']) exe(join(home, '.nvm/versions/node', v, 'bin', t));
    exe(join(home, 'bin/quiet-shell'));
    const prelude =
      "val() { printf '%s=' \"$1\"; printf '%s' \"$2\" | /usr/bin/base64 | /usr/bin/tr -d '\\n'; printf '\\n'; }\n";
    const out = execFileSync('/bin/sh', ['-c', prelude + renderHostToolsScript()], {
      env: { HOME: home, PATH: join(home, 'bin'), SHELL: join(home, 'bin/quiet-shell') },
      encoding: 'utf8',
    });
    const m = parseFactLines(out);
    expect(pickNode(m)).toMatchObject({
      npm: join(home, '.nvm/versions/node/v20.19.0/bin/npm'),
      via: 'install-dir',
      dirs: [join(home, '.nvm/versions/node/v20.19.0/bin')],
    });
    expect(m.has('filevault')).toBe(false);
  });
});

describe('parseFileVault', () => {
  it.each([
    ['FileVault is On.', true],
    ['FileVault is Off.', false],
    ['Encryption in progress: Percent completed = 12.3', true],
    ['', undefined],
    ['fdesetup: command not found', undefined],
  ])('%s', (text, want) => {
    expect(parseFileVault(text)).toBe(want);
  });
});

describe('servicePath', () => {
  it('puts the node directory in front when missing and drops repeats (~/.local/bin was there twice)', () => {
    const base = '/Users/a/.local/bin:/Users/a/.local/bin:/opt/homebrew/bin:/usr/bin:/bin';
    expect(servicePath(base, ['/Users/a/.nvm/versions/node/v20.19.0/bin'])).toBe(
      '/Users/a/.nvm/versions/node/v20.19.0/bin:/Users/a/.local/bin:/opt/homebrew/bin:/usr/bin:/bin',
    );
    expect(servicePath(base, ['/opt/homebrew/bin'])).toBe('/Users/a/.local/bin:/opt/homebrew/bin:/usr/bin:/bin');
  });
});

describe('launchctl failures', () => {
  it('name launchctl\'s own line, not its "re-run as root" advice', () => {
    const e = launchctlError(
      'E_LAUNCHCTL',
      'launchctl bootstrap gui/501',
      {
        code: 5,
        stderr: 'Bootstrap failed: 5: Input/output error\nTry re-running the command as root for richer errors.\n',
      },
      'h',
    );
    expect(e.toLine()).toBe(
      'E_LAUNCHCTL: launchctl bootstrap gui/501 failed (exit 5): Bootstrap failed: 5: Input/output error — hint: h',
    );
  });
});

describe('--launchd-domain', () => {
  const flags = (o: Partial<ConvergeFlags>): ConvergeFlags => ({
    mode: 'auto',
    port: 9119,
    bind: 'tailnet',
    update: true,
    username: 'hermes',
    updateTimeout: 1,
    updateWait: 1,
    lockWait: 1,
    ...o,
  });
  it.each([
    [{ launchdDomain: 'system' as const }, { daemon: true }],
    [{ launchdDomain: 'user' as const }, { daemon: false, launchdDomain: 'user' }],
    [{ daemon: true, launchdDomain: 'system' as const }, { daemon: true }],
    [{}, { daemon: false }],
  ])('%j', (f, want) => {
    expect(toConvergeOptions(flags(f), 'box')).toMatchObject(want);
  });

  it('refuses --daemon with a LaunchAgent domain', () => {
    expect(() => toConvergeOptions(flags({ daemon: true, launchdDomain: 'gui' }), 'box')).toThrow(
      /--daemon installs a LaunchDaemon .* --launchd-domain gui asks for a LaunchAgent/,
    );
  });
});
