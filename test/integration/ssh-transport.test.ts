// The SSH transport and its exit codes, against a real OpenSSH sshd started by the suite on loopback.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshRemote } from '../../src/transport/ssh-remote.js';
import { LocalRemote } from '../../src/transport/local-remote.js';
import type { Remote } from '../../src/transport/remote.js';
import { findFreePort, startSshd, type Sshd } from '../hosts/sshd.js';
import { runCli } from '../support/cli.js';

let sshd: Sshd;
let sshd6: Sshd;
let home: string;
const USER = 'hs-transport';

function freshHome(): string {
  const h = mkdtempSync('/var/tmp/hs-home-');
  mkdirSync(join(h, '.ssh'), { mode: 0o700 });
  return h;
}

beforeAll(async () => {
  sshd = await startSshd({ user: USER });
  sshd6 = await startSshd({ user: USER, listen: '::1' });
  home = freshHome();
});

afterAll(async () => {
  await sshd?.stop();
  await sshd6?.stop();
  rmSync(home, { recursive: true, force: true });
});

const target = () => `${USER}@127.0.0.1:${sshd.port}`;

describe('host keys (CLI exit codes)', () => {
  it('refuses an unknown host key with exit 5, accepts it with --accept-new-host-key and records it', async () => {
    const h = freshHome();
    const refused = await runCli(['ping', target(), '-i', sshd.keyPath], { HOME: h });
    expect(refused.code).toBe(5);
    expect(refused.stderr).toMatch(/^E_HOSTKEY_UNKNOWN: .*hint: .*--accept-new-host-key/);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    const accepted = await runCli(['ping', target(), '-i', sshd.keyPath, '--accept-new-host-key'], { HOME: h });
    expect(accepted.stderr).toBe('');
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toMatch(/recorded the new host key/);
    const kh = readFileSync(join(h, '.ssh/known_hosts'), 'utf8');
    expect(kh).toContain(sshd.knownHostsLine);
    const again = await runCli(['ping', target(), '-i', sshd.keyPath], { HOME: h });
    expect(again.code).toBe(0);
    expect(again.stdout).not.toMatch(/recorded/);
    // OpenSSH itself accepts the line we wrote.
    const ssh = spawnSync('ssh', [
      '-p',
      String(sshd.port),
      '-i',
      sshd.keyPath,
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      `UserKnownHostsFile=${join(h, '.ssh/known_hosts')}`,
      `${USER}@127.0.0.1`,
      'true',
    ]);
    expect(ssh.status).toBe(0);
  });

  it('refuses a changed host key with exit 5, even with --accept-new-host-key', async () => {
    const h = freshHome();
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(h, 'other')]);
    const otherPub = readFileSync(join(h, 'other.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
    writeFileSync(join(h, '.ssh/known_hosts'), `[127.0.0.1]:${sshd.port} ${otherPub}\n`);
    const r = await runCli(['ping', target(), '-i', sshd.keyPath, '--accept-new-host-key'], { HOME: h });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(
      /^E_HOSTKEY_CHANGED: the host key for \[127\.0\.0\.1\]:\d+ changed.*hint: .*ssh-keygen -R/,
    );
    expect(readFileSync(join(h, '.ssh/known_hosts'), 'utf8')).toBe(`[127.0.0.1]:${sshd.port} ${otherPub}\n`);
  });

  it('a malformed known_hosts is a usage error (exit 2) naming the line', async () => {
    const h = freshHome();
    writeFileSync(join(h, '.ssh/known_hosts'), `${sshd.knownHostsLine}\ngarbage-without-key\n`);
    const r = await runCli(['ping', target(), '-i', sshd.keyPath], { HOME: h });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^E_KNOWN_HOSTS_MALFORMED: .*line 2/);
  });
});

describe('authentication and reachability (CLI exit codes)', () => {
  it('a wrong client key gives exit 4', async () => {
    const h = freshHome();
    writeFileSync(join(h, '.ssh/known_hosts'), `${sshd.knownHostsLine}\n`);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(h, 'wrong')]);
    const r = await runCli(['ping', target(), '-i', join(h, 'wrong')], { HOME: h });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^E_SSH_AUTH: SSH authentication as .* failed/);
  });

  it('a passphrase-locked key and no agent gives exit 4 with the ssh-add hint', async () => {
    const h = freshHome();
    writeFileSync(join(h, '.ssh/known_hosts'), `${sshd.knownHostsLine}\n`);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'sekrit', '-f', join(h, 'locked')]);
    const r = await runCli(['ping', target(), '-i', join(h, 'locked')], { HOME: h });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/passphrase-protected \(add it to ssh-agent: ssh-add/);
  });

  it('an unreadable --identity is a usage error (exit 2)', async () => {
    const h = freshHome();
    const r = await runCli(['ping', target(), '-i', join(h, 'nope')], { HOME: h });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^E_IDENTITY_UNREADABLE: cannot read identity file .*ENOENT/);
  });

  it('a closed port gives exit 4', async () => {
    const port = await findFreePort();
    const r = await runCli(['ping', `${USER}@127.0.0.1:${port}`, '-i', sshd.keyPath], { HOME: freshHome() });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^E_UNREACHABLE: cannot connect to .*connection refused/);
  });

  it('authenticates through ssh-agent when no key file is given', async () => {
    const h = freshHome();
    writeFileSync(join(h, '.ssh/known_hosts'), `${sshd.knownHostsLine}\n`);
    const sock = join(h, 'agent.sock');
    const agent = execFileSync('ssh-agent', ['-s', '-a', sock], { encoding: 'utf8' });
    const pid = /SSH_AGENT_PID=(\d+)/.exec(agent)?.[1];
    try {
      execFileSync('ssh-add', [sshd.keyPath], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
      const r = await runCli(['ping', target(), '--json'], { HOME: h, SSH_AUTH_SOCK: sock });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ user: USER, os: 'Linux', home: sshd.home });
    } finally {
      if (pid) process.kill(Number(pid));
    }
  });

  it('resolves an ~/.ssh/config alias (HostName, User, Port, IdentityFile)', async () => {
    const h = freshHome();
    writeFileSync(join(h, '.ssh/known_hosts'), `${sshd.knownHostsLine}\n`);
    writeFileSync(
      join(h, '.ssh/config'),
      `Host mini\n  HostName 127.0.0.1\n  User ${USER}\n  Port ${sshd.port}\n  IdentityFile ${sshd.keyPath}\n`,
    );
    const r = await runCli(['ping', 'mini', '--json'], { HOME: h });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ user: USER, target: `${USER}@127.0.0.1:${sshd.port}` });
  });

  it('connects to [::1] with an IPv6 known_hosts entry', async () => {
    const h = freshHome();
    const r = await runCli(
      ['ping', `${USER}@[::1]:${sshd6.port}`, '-i', sshd6.keyPath, '--accept-new-host-key', '--json'],
      { HOME: h },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(join(h, '.ssh/known_hosts'), 'utf8')).toContain(`[::1]:${sshd6.port} ${sshd6.hostKeyPub}`);
  });
});

function describeRemoteOps(name: string, open: () => Promise<{ remote: Remote; home: string }>): void {
  describe(`Remote operations (${name})`, () => {
    let remote: Remote;
    let rhome: string;
    beforeAll(async () => ({ remote, home: rhome } = await open()));
    afterAll(async () => remote?.close());

    it('exec returns exit code, stdout and stderr, and passes stdin (binary-safe)', async () => {
      const r = await remote.exec('echo out; echo err >&2; exit 7');
      expect(r).toEqual({ code: 7, stdout: 'out\n', stderr: 'err\n' });
      const bytes = Buffer.from([0, 1, 2, 255, 254, 10, 13, 0xc3]);
      const echoed = await remote.exec('od -An -tx1 | tr -s " \\n" " "', { stdin: bytes });
      expect(echoed.stdout.trim()).toBe('00 01 02 ff fe 0a 0d c3');
    });

    it('writeFileAtomic writes the exact bytes with the requested mode, via temp + rename', async () => {
      const content = Buffer.from('KEY=value\r\nlatin1:\xe9\n', 'latin1');
      await remote.writeFileAtomic('~/.hermes/test.env', content, 0o600);
      expect(await remote.readFile('~/.hermes/test.env')).toEqual(content);
      expect(await remote.stat('~/.hermes/test.env')).toMatchObject({
        type: 'file',
        mode: 0o600,
        size: content.length,
      });
      expect(await remote.stat('~/.hermes')).toMatchObject({ type: 'dir', mode: 0o700 });
      await remote.writeFileAtomic('~/.hermes/test.env', 'second', 0o640);
      expect((await remote.readFile('~/.hermes/test.env'))?.toString()).toBe('second');
      expect((await remote.stat('~/.hermes/test.env'))?.mode).toBe(0o640);
      const leftovers = await remote.exec('ls -A ~/.hermes');
      expect(leftovers.stdout.trim().split('\n').sort()).toEqual(['test.env']);
    });

    it('readFile and stat report a missing file as undefined', async () => {
      expect(await remote.readFile('~/nope/missing')).toBeUndefined();
      expect(await remote.stat('~/nope/missing')).toBeUndefined();
    });

    it('which finds a binary through the login shell, then candidates', async () => {
      await remote.writeFileAtomic('~/opt/tool', '#!/bin/sh\n', 0o755);
      expect(await remote.which('sh', [])).toMatchObject({ via: 'login-shell' });
      expect(await remote.which('tool', ['~/missing/tool', '~/opt/tool'])).toEqual({
        via: 'candidate',
        path: `${rhome}/opt/tool`,
      });
      expect(await remote.which('definitely-not-here', ['~/nope'])).toBeUndefined();
    });
  });
}

describeRemoteOps('SSH', async () => {
  const kh = join(home, '.ssh/known_hosts');
  writeFileSync(kh, `${sshd.knownHostsLine}\n`);
  const remote = await SshRemote.connect({
    host: '127.0.0.1',
    port: sshd.port,
    user: USER,
    auth: { home, explicit: [sshd.keyPath], fromConfig: [] },
    hostKeys: { knownHostsPath: kh, acceptNew: false },
  });
  return { remote, home: sshd.home };
});

describeRemoteOps('local', () => {
  const h = freshHome();
  return Promise.resolve({ remote: new LocalRemote({ ...process.env, HOME: h, SHELL: '/bin/sh' }), home: h });
});
