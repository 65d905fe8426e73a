// The facts read while taking the remote lock, in one exec (src/converge/locked-facts.ts): the lock is held while
// the channel stays open and removed when it closes (also when the client vanishes), a busy lock is waited for
// inside the shell (or reported at once with --lock-wait 0), stale locks are taken over, and a host without
// ~/.hermes gets no lock and no new directory. Real shells (dash as sh, bash) and a real OpenSSH sshd on loopback.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLockLines, readFactsLocked, renderLockedFactsScript } from '../../src/converge/locked-facts.js';
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

describe('the lock taken in the facts channel (local shells)', () => {
  it.each(['sh', 'bash'])('%s: reads every fact, holds the lock until stdin closes, then removes it', async (shell) => {
    const home = scratchHome();
    const run = await local(home).holdUntil(`${shell} -s`, { stdin: renderLockedFactsScript(9119, 'me:pid1', 0), until: '@@facts-end', timeoutMs: 60_000 });
    expect(run.code).toBeUndefined(); // still running
    expect(run.stdout).toMatch(/^@@lock LOCKED fresh$/m);
    expect(run.stdout).toMatch(/^done:yes$/m);
    const [pid, boot, holder] = readLock(home);
    expect(boot).toBe(bootId());
    expect(holder).toBe('me:pid1');
    expect(() => process.kill(Number(pid), 0)).not.toThrow(); // the holding shell is alive
    await run.release();
    expect(existsSync(lockFile(home))).toBe(false);
    rmSync(home, { recursive: true, force: true });
  });

  it('a busy lock: --lock-wait 0 reports the holder at once, with the facts, and leaves the lock alone', async () => {
    const home = scratchHome();
    const first = await readFactsLocked(local(home), 9119, 0, () => undefined);
    expect(first.lock.state).toBe('held');
    const before = readFileSync(lockFile(home), 'utf8');
    const second = await readFactsLocked(local(home), 9119, 0, () => undefined);
    expect(second.lock).toMatchObject({ state: 'busy', pid: before.split(' ')[0], holder: before.trim().split(' ')[2] });
    expect(second.facts.complete).toBe(true);
    expect(readFileSync(lockFile(home), 'utf8')).toBe(before);
    if (first.lock.state === 'held') await first.lock.handle.release();
    expect(existsSync(lockFile(home))).toBe(false);
    rmSync(home, { recursive: true, force: true });
  });

  it('a busy lock is waited for inside the shell, with one progress line; the facts come after the other run ends', async () => {
    const home = scratchHome();
    const first = await readFactsLocked(local(home), 9119, 0, () => undefined);
    const lines: string[] = [];
    const t0 = Date.now();
    const waiting = readFactsLocked(local(home), 9119, 20_000, (l) => lines.push(l));
    await new Promise((r) => setTimeout(r, 1500));
    writeFileSync(join(home, '.hermes', '.env'), 'WRITTEN_UNDER_THE_FIRST_LOCK=1\n'); // a change made by the other run
    if (first.lock.state === 'held') await first.lock.handle.release();
    const second = await waiting;
    expect(second.lock).toMatchObject({ state: 'held' });
    expect(second.lock.state === 'held' && second.lock.waitedMs).toBeGreaterThan(1000);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(lines).toEqual([expect.stringMatching(/^waiting for another hermes-setup run \(.+:pid\d+\) to finish$/)]);
    expect(second.facts.env.content?.toString()).toBe('WRITTEN_UNDER_THE_FIRST_LOCK=1\n'); // read after the wait
    if (second.lock.state === 'held') await second.lock.handle.release();
    expect(existsSync(lockFile(home))).toBe(false);
    rmSync(home, { recursive: true, force: true });
  });

  it('takes over a lock whose process is gone, and one from before a reboot', async () => {
    const home = scratchHome();
    writeFileSync(lockFile(home), `999999 ${bootId()} ghost:pid1\n`);
    const dead = await readFactsLocked(local(home), 9119, 0, () => undefined);
    expect(dead.lock).toMatchObject({ state: 'held', stale: '999999' });
    if (dead.lock.state === 'held') await dead.lock.handle.release();
    writeFileSync(lockFile(home), `${process.pid} 00000000-old-boot ghost:pid1\n`);
    const rebooted = await readFactsLocked(local(home), 9119, 0, () => undefined);
    expect(rebooted.lock).toMatchObject({ state: 'held', stale: String(process.pid) });
    if (rebooted.lock.state === 'held') await rebooted.lock.handle.release();
    expect(existsSync(lockFile(home))).toBe(false);
    rmSync(home, { recursive: true, force: true });
  });

  it('a ~/.hermes this user cannot write: an error state (E_LOCK), not a busy lock', async () => {
    const home = scratchHome();
    const r = await readFactsLocked(local(home), 9119, 0, () => undefined);
    if (r.lock.state === 'held') await r.lock.handle.release();
    execFileSync('chmod', ['755', home]);
    execFileSync('chown', ['nobody', join(home, '.hermes')]);
    execFileSync('chmod', ['500', join(home, '.hermes')]);
    const asNobody = await new LocalRemote({ ...process.env, HOME: home }).exec(`setpriv --reuid=nobody --regid=nogroup --clear-groups sh -c ${JSON.stringify('exec sh -s')}`, { stdin: renderLockedFactsScript(9119, 'me:pid1', 0) });
    expect(asNobody.stdout).toMatch(/^@@lock ERROR cannot create .*\/\.hermes\/\.hermes-setup\.lock$/m);
    expect(asNobody.stdout).toMatch(/^done:yes$/m);
    expect(parseLockLines(asNobody.stdout.split('\n').filter((l) => l.startsWith('@@lock ')))).toMatchObject({ state: 'error' });
    rmSync(home, { recursive: true, force: true });
  });

  it('without ~/.hermes: the facts, no lock, and no directory created', async () => {
    const home = scratchHome(false);
    const r = await readFactsLocked(local(home), 9119, 0, () => undefined);
    expect(r.lock).toEqual({ state: 'none', detail: 'no ~/.hermes yet' });
    expect(r.facts.complete).toBe(true);
    expect(existsSync(join(home, '.hermes'))).toBe(false);
    rmSync(home, { recursive: true, force: true });
  });
});

describe('the lock taken in the facts channel (OpenSSH)', () => {
  let sshd: Sshd;
  let home: string;
  const connect = () => SshRemote.connect({ host: sshd.host, port: sshd.port, user: sshd.user, auth: { home, explicit: [sshd.keyPath], fromConfig: [] }, hostKeys: { knownHostsPath: join(home, 'known_hosts'), acceptNew: false } });
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
    const r = await readFactsLocked(remote, 9119, 0, () => undefined);
    expect(remote.stats).toEqual({ execs: 1, channels: 0 });
    expect(r.lock.state).toBe('held');
    expect(existsSync(lockFile(sshd.home))).toBe(true);
    if (r.lock.state === 'held') await r.lock.handle.release();
    expect(existsSync(lockFile(sshd.home))).toBe(false);
    const again = await readFactsLocked(remote, 9119, 0, () => undefined);
    expect(again.lock.state).toBe('held');
    remote.dropConnection();
    const deadline = Date.now() + 5000;
    while (existsSync(lockFile(sshd.home)) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
    expect(existsSync(lockFile(sshd.home))).toBe(false);
    await remote.close();
  });
});
