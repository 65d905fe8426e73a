// The facts and the remote lock in one exec (src/converge/locked-facts.ts): nothing on the host changes until the
// lock is asked for (after the preflight), the lock is then held while the channel stays open and removed when it
// closes (also when the connection drops), a busy lock is waited for inside the shell (or reported at once with
// --lock-wait 0) and the facts are read again under it, stale locks are taken over, and ~/.hermes is created only
// when the lock is taken. Real shells (dash as sh, bash) and a real OpenSSH sshd on loopback.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFactsChannel, parseLockLines, renderFactsChannelScript } from '../../src/converge/locked-facts.js';
import { LocalRemote } from '../../src/transport/local-remote.js';
import { SshRemote } from '../../src/transport/ssh-remote.js';
import { startSshd, type Sshd } from '../hosts/sshd.js';

const bootId = (): string => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();

function scratchHome(withHermes = true): string {
  const h = mkdtempSync('/var/tmp/hs-lockfacts-');
  if (withHermes) mkdirSync(join(h, '.hermes'), { mode: 0o700 });
  return h;
}

const lockFile = (home: string): string => join(home, '.hermes', '.hermes-setup.lock');
const readLock = (home: string): string[] => readFileSync(lockFile(home), 'utf8').trim().split(' ');
const local = (home: string): LocalRemote => new LocalRemote({ ...process.env, HOME: home });
const mtime = (p: string): number => statSync(p).mtimeMs;

describe('the lock taken on the facts exec (local shells)', () => {
  it.each(['sh', 'bash'])(
    '%s: facts first, nothing written; the lock on request, held until stdin closes',
    async (shell) => {
      const home = scratchHome();
      const before = mtime(join(home, '.hermes'));
      const run = await local(home).holdUntil(`${shell} -s`, {
        stdin: renderFactsChannelScript(9119, 'me:pid1', 0),
        until: '@@facts-end',
        timeoutMs: 60_000,
      });
      expect(run.code).toBeUndefined(); // still running, waiting for its stdin
      expect(run.stdout).toMatch(/^done:yes$/m);
      expect(existsSync(lockFile(home))).toBe(false);
      expect(mtime(join(home, '.hermes')), '~/.hermes untouched before the lock').toBe(before);
      const part = await run.next('lock\n', { until: '@@lock-end', timeoutMs: 60_000 });
      expect(part.stdout).toMatch(/^@@lock LOCKED fresh$/m);
      const [pid, boot, holder] = readLock(home);
      expect(boot).toBe(bootId());
      expect(holder).toBe('me:pid1');
      expect(() => process.kill(Number(pid), 0)).not.toThrow(); // the holding shell is alive
      await run.release();
      expect(existsSync(lockFile(home))).toBe(false);
      rmSync(home, { recursive: true, force: true });
    },
  );

  it('closed without asking for the lock (dry run, a refused preflight): the host is untouched', async () => {
    const home = scratchHome();
    const before = mtime(join(home, '.hermes'));
    const ch = await openFactsChannel(local(home), 9119, 0);
    expect(ch.facts.complete).toBe(true);
    await ch.close();
    expect(mtime(join(home, '.hermes'))).toBe(before);
    expect(existsSync(lockFile(home))).toBe(false);
    rmSync(home, { recursive: true, force: true });
  });

  it('a busy lock: --lock-wait 0 reports the holder at once and leaves the lock alone', async () => {
    const home = scratchHome();
    const first = await openFactsChannel(local(home), 9119, 0);
    expect((await first.lock(() => undefined)).state).toBe('held');
    const held = readFileSync(lockFile(home), 'utf8');
    const second = await openFactsChannel(local(home), 9119, 0);
    expect(await second.lock(() => undefined)).toEqual({
      state: 'busy',
      pid: held.split(' ')[0],
      holder: held.trim().split(' ')[2],
    });
    await second.close();
    expect(readFileSync(lockFile(home), 'utf8')).toBe(held);
    await first.close();
    expect(existsSync(lockFile(home))).toBe(false);
    rmSync(home, { recursive: true, force: true });
  });

  it('a busy lock is waited for in the shell, with one progress line; the facts are read again under the lock', async () => {
    const home = scratchHome();
    const first = await openFactsChannel(local(home), 9119, 0);
    await first.lock(() => undefined);
    const second = await openFactsChannel(local(home), 9119, 20_000);
    expect(second.facts.env.type).toBe('missing');
    const lines: string[] = [];
    const waiting = second.lock((l) => lines.push(l));
    await new Promise((r) => setTimeout(r, 1500));
    writeFileSync(join(home, '.hermes', '.env'), 'WRITTEN_UNDER_THE_FIRST_LOCK=1\n'); // a change made by the other run
    await first.close();
    const r = await waiting;
    expect(r).toMatchObject({ state: 'held' });
    expect(r.state === 'held' && r.waitedMs).toBeGreaterThan(1000);
    expect(lines).toEqual([expect.stringMatching(/^waiting for another hermes-setup run \(.+:pid\d+\) to finish$/)]);
    expect(r.state === 'held' && r.facts?.env.content?.toString()).toBe('WRITTEN_UNDER_THE_FIRST_LOCK=1\n');
    await second.close();
    expect(existsSync(lockFile(home))).toBe(false);
    rmSync(home, { recursive: true, force: true });
  });

  it('takes over a lock whose process is gone, and one from before a reboot', async () => {
    const home = scratchHome();
    writeFileSync(lockFile(home), `999999 ${bootId()} ghost:pid1\n`);
    const dead = await openFactsChannel(local(home), 9119, 0);
    expect(await dead.lock(() => undefined)).toEqual({ state: 'held', stale: '999999' });
    await dead.close();
    writeFileSync(lockFile(home), `${process.pid} 00000000-old-boot ghost:pid1\n`);
    const rebooted = await openFactsChannel(local(home), 9119, 0);
    expect(await rebooted.lock(() => undefined)).toEqual({ state: 'held', stale: String(process.pid) });
    await rebooted.close();
    expect(existsSync(lockFile(home))).toBe(false);
    rmSync(home, { recursive: true, force: true });
  });

  it('a ~/.hermes this user cannot write: an error (E_LOCK), not a busy lock', async () => {
    const home = scratchHome();
    execFileSync('chmod', ['755', home]);
    execFileSync('chown', ['nobody', join(home, '.hermes')]);
    execFileSync('chmod', ['500', join(home, '.hermes')]);
    const run = await local(home).holdUntil(
      `setpriv --reuid=nobody --regid=nogroup --clear-groups sh -c ${JSON.stringify('exec sh -s')}`,
      { stdin: renderFactsChannelScript(9119, 'me:pid1', 0), until: '@@facts-end', timeoutMs: 60_000 },
    );
    const part = await run.next('lock\n', { until: '@@lock-end', timeoutMs: 60_000 });
    await run.release();
    const lockLines = part.stdout.split('\n').filter((l) => l.startsWith('@@lock '));
    expect(lockLines).toEqual([
      expect.stringMatching(/^@@lock ERROR cannot create .*\/\.hermes\/\.hermes-setup\.lock$/),
    ]);
    expect(parseLockLines(lockLines)).toMatchObject({ state: 'error' });
    rmSync(home, { recursive: true, force: true });
  });

  it('without ~/.hermes: the facts, and the directory (0700) only once the lock is taken', async () => {
    const home = scratchHome(false);
    const ch = await openFactsChannel(local(home), 9119, 0);
    expect(ch.facts.hermesDir.type).toBe('missing');
    expect(existsSync(join(home, '.hermes'))).toBe(false);
    expect((await ch.lock(() => undefined)).state).toBe('held');
    expect((statSync(join(home, '.hermes')).mode & 0o777).toString(8)).toBe('700');
    await ch.close();
    rmSync(home, { recursive: true, force: true });
  });
});

describe('the lock taken on the facts exec (OpenSSH)', () => {
  let sshd: Sshd;
  let home: string;
  const connect = () =>
    SshRemote.connect({
      host: sshd.host,
      port: sshd.port,
      user: sshd.user,
      auth: { home, explicit: [sshd.keyPath], fromConfig: [] },
      hostKeys: { knownHostsPath: join(home, 'known_hosts'), acceptNew: false },
    });
  beforeAll(async () => {
    sshd = await startSshd({ user: 'hs-lockfacts' });
    home = mkdtempSync('/var/tmp/hs-lockfacts-cli-');
    writeFileSync(join(home, 'known_hosts'), `${sshd.knownHostsLine}\n`);
    mkdirSync(join(sshd.home, '.hermes'), { recursive: true, mode: 0o700 });
    execFileSync('chown', [`${sshd.user}:`, join(sshd.home, '.hermes')]);
  }, 60_000);
  afterAll(async () => {
    await sshd?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('is one exec; released on close, and removed when the connection drops', async () => {
    const remote = await connect();
    const ch = await openFactsChannel(remote, 9119, 0);
    expect((await ch.lock(() => undefined)).state).toBe('held');
    expect(remote.stats).toEqual({ execs: 1, channels: 0 });
    expect(existsSync(lockFile(sshd.home))).toBe(true);
    await ch.close();
    expect(existsSync(lockFile(sshd.home))).toBe(false);
    const again = await openFactsChannel(remote, 9119, 0);
    expect((await again.lock(() => undefined)).state).toBe('held');
    remote.dropConnection();
    const deadline = Date.now() + 5000;
    while (existsSync(lockFile(sshd.home)) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
    expect(existsSync(lockFile(sshd.home))).toBe(false);
    await remote.close();
  });
});
