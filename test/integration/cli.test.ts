// The CLI as a user meets it: help, version, usage errors with "did you mean", colour rules, --debug.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../support/cli.js';

const home = mkdtempSync('/var/tmp/hs-cli-');
mkdirSync(join(home, '.ssh'));
afterAll(() => rmSync(home, { recursive: true, force: true }));
const ANSI = /\x1b\[[0-9;]*m/;

/** Runs the CLI under a real pseudo-terminal (util-linux `script`), returning what the terminal showed. */
function onTty(args: string[], env: Record<string, string> = {}): string {
  const cmd = ['node', CLI, ...args].map((a) => `'${a}'`).join(' ');
  const r = spawnSync('script', ['-qec', cmd, '/dev/null'], {
    env: { ...process.env, HOME: home, TERM: 'xterm', NO_COLOR: '', FORCE_COLOR: '', ...env },
    encoding: 'utf8',
  });
  return r.stdout;
}

describe('help and version', () => {
  it('--help lists the commands, examples and the exit codes; every listed command has its own --help with examples', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: hermes-setup/);
    expect(r.stdout).toMatch(/Examples:\n\s+\$ hermes-setup remote/);
    expect(r.stdout).toMatch(/4\s+host unreachable/);
    const listed = [
      ...r.stdout
        .split('Commands:')[1]!
        .split('Examples:')[0]!
        .matchAll(/^ {2}([a-z]+) /gm),
    ]
      .map((m) => m[1]!)
      .filter((c) => c !== 'help');
    expect(listed).toEqual(expect.arrayContaining(['remote', 'check', 'doctor', 'cron', 'ping']));
    for (const cmd of listed) {
      const h = await runCli([cmd, '--help']);
      expect(h.code, cmd).toBe(0);
      expect(h.stdout, cmd).toMatch(/Examples:\n\s+\$ hermes-setup /);
    }
  });

  it('each command has --help with examples', async () => {
    const r = await runCli(['ping', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Examples:\n\s+\$ hermes-setup ping deploy@/);
    expect(r.stdout).toMatch(/--accept-new-host-key/);
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as {
      version: string;
    };
    const r = await runCli(['--version']);
    expect(r).toMatchObject({ code: 0, stdout: pkg.version });
  });

  it('no command prints usage to stderr and exits 2', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Usage: hermes-setup/);
  });
});

describe('usage errors: one line, exit 2, a suggestion', () => {
  it.each([
    [['pign'], /^E_UNKNOWN_COMMAND: unknown command 'pign' \(did you mean ping\?\) — hint: /],
    [
      ['ping', '--acept-new-host-key', 'a@b'],
      /^E_UNKNOWN_FLAG: unknown option '--acept-new-host-key' \(did you mean --accept-new-host-key\?\)/,
    ],
    [['ping', 'a@b', 'extra'], /^E_USAGE: too many arguments/],
    [['ping', 'deploy@host:70000'], /^E_TARGET_PORT: invalid port 70000/],
    [['ping', 'deploy@host:0'], /^E_TARGET_PORT: invalid port 0/],
    [['ping', 'deploy@host:abc'], /^E_TARGET_PORT: invalid port "abc"/],
    [['ping', '::1'], /^E_TARGET_INVALID: .*bare IPv6/],
    [['ping'], /^E_USAGE: no target given/],
    [['ping', 'a@b', '--local'], /^E_USAGE: both a target/],
    [['ping', 'a@b', '--connect-timeout', 'soon'], /^E_USAGE: invalid --connect-timeout/],
    [
      ['remote', 'a@b', '--launchd-domain', 'aqua'],
      /^E_USAGE: .*'aqua' is invalid\. Allowed choices are gui, user, system/,
    ],
    [
      ['remote', 'a@b', '--daemon', '--launchd-domain', 'user'],
      /^E_USAGE: --daemon installs a LaunchDaemon in the system domain; --launchd-domain user asks for a LaunchAgent — hint: /,
    ],
  ])('%j', async (args, want) => {
    const r = await runCli(args, { HOME: home });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(want);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('ProxyJump in ~/.ssh/config is refused with exit 2', async () => {
    writeFileSync(join(home, '.ssh', 'config'), 'Host bastioned\n  HostName 10.9.9.9\n  ProxyJump jump.example\n');
    const r = await runCli(['ping', 'bastioned'], { HOME: home });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^E_SSH_CONFIG_UNSUPPORTED: ProxyJump \(jump.example\)/);
    rmSync(join(home, '.ssh', 'config'));
  });
});

describe('colour and --debug', () => {
  it('no ANSI colour when stderr is not a terminal', async () => {
    const r = await runCli(['pign'], { NO_COLOR: '' });
    expect(r.stderr).not.toMatch(ANSI);
  });

  it('colour on a terminal, none on a terminal with NO_COLOR', () => {
    expect(onTty(['pign'])).toMatch(ANSI);
    expect(onTty(['pign'], { NO_COLOR: '1' })).not.toMatch(ANSI);
    expect(onTty(['pign'], { NO_COLOR: '1' })).toMatch(/E_UNKNOWN_COMMAND/);
  });

  it('--debug adds a stack trace; nothing else ever shows one', async () => {
    const plain = await runCli(['ping', 'bad host'], { HOME: home });
    expect(plain.stderr).not.toMatch(/\n\s+at /);
    const debug = await runCli(['--debug', 'ping', 'bad host'], { HOME: home });
    expect(debug.code).toBe(2);
    expect(debug.stderr).toMatch(/^E_TARGET_INVALID/);
    expect(debug.stderr).toMatch(/\n\s+at .*target\.(ts|js)/);
  });
});

it('the built CLI is executable with a node shebang', () => {
  expect(readFileSync(CLI, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
  expect(execFileSync('node', [CLI, '--version'], { encoding: 'utf8' })).toMatch(/^\d+\.\d+\.\d+\n$/);
});
