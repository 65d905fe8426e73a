import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { startMacHost, type MacHost } from './mac-host.js';

function pidsInMntNs(ns: string): number[] {
  return readdirSync('/proc').map(Number).filter((p) => {
    if (!Number.isInteger(p)) return false;
    try { return readlinkSync(`/proc/${p}/ns/mnt`) === ns; } catch { return false; }
  });
}

describe('emulated macOS host', () => {
  let a: MacHost;
  let b: MacHost;
  beforeAll(async () => {
    const t0 = Date.now();
    [a, b] = await Promise.all([startMacHost(), startMacHost()]);
    console.info(`mac-host timing: two hosts started concurrently in ${Date.now() - t0} ms`);
  });
  afterAll(async () => {
    await Promise.all([a?.teardown(), b?.teardown()]);
  });

  it('looks like macOS over real SSH', async () => {
    const t1 = Date.now();
    for (let i = 0; i < 5; i++) expect((await a.ssh('true')).code).toBe(0);
    const t2 = Date.now();
    expect((await a.ssh('true', { fresh: true })).code).toBe(0);
    console.info(`mac-host timing: ssh (multiplexed) ${(t2 - t1) / 5} ms, fresh login ${Date.now() - t2} ms`);
    const r = await a.ssh('uname -s; uname -m; uname -r; uname -sm; sw_vers; sw_vers -productVersion; id -u; echo $HOME; hostname; command -v node lsof launchctl tailscale; ls -d /opt/homebrew/bin /Applications /Library/LaunchDaemons; test -x /bin/launchctl && echo bin-launchctl; test -x /usr/sbin/lsof && echo sbin-lsof');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.slice(0, 4)).toEqual(['Darwin', 'arm64', '24.5.0', 'Darwin arm64']);
    expect(r.stdout).toMatch(/ProductName:\s+macOS\nProductVersion:\s+15\.5\nBuildVersion:\s+24F74/);
    expect(r.stdout).toContain(`\n15.5\n${a.uid}\n/Users/${a.user}\n${a.name}\n`);
    expect(r.stdout).toContain('/usr/bin/node');
    expect(r.stdout).toContain('/usr/local/bin/launchctl');
    expect(r.stdout).toContain('/usr/local/bin/tailscale');
    expect(r.stdout).toContain('bin-launchctl');
    expect(r.stdout).toContain('sbin-lsof');
    expect(existsSync('/Users/' + a.user)).toBe(false); // per-host mount, invisible on the test machine
  });

  it('keeps two hosts isolated (users, files, network)', async () => {
    expect(a.ip).not.toBe(b.ip);
    expect(a.uid).not.toBe(b.uid);
    const w = await a.ssh('echo a-only > ~/marker; touch /Library/Logs/x 2>/dev/null; ls /Users');
    expect(w.code, w.stderr).toBe(0);
    expect(w.stdout.trim()).toBe(a.user);
    const r = await b.ssh('ls /Users; cat /Users/' + a.user + '/marker 2>&1; ip -4 -o addr show en0 | wc -l');
    expect(r.stdout).toContain(b.user);
    expect(r.stdout).not.toContain(a.user + '\n');
    expect(r.stdout).toMatch(/No such file or directory/);
    const cross = await b.ssh(`timeout 2 bash -c 'exec 3<>/dev/tcp/${a.ip}/22' && echo reach || echo noreach`);
    expect(cross.stdout.trim()).toBe('noreach');
  });

  it('teardown leaves no netns, mount namespace process, user or directory behind', async () => {
    const c = await startMacHost();
    const ns = readFileSync(`${c.root}/mntns`, 'utf8').trim();
    const bg = await c.ssh('nohup sleep 300 >/dev/null 2>&1 & echo started');
    expect(bg.stdout).toContain('started');
    expect(pidsInMntNs(ns).length).toBeGreaterThan(1);
    const t0 = Date.now();
    await c.teardown();
    const ms = Date.now() - t0;
    console.info(`mac-host timing: teardown ${ms} ms`);
    expect(pidsInMntNs(ns)).toEqual([]);
    expect(execFileSync('ip', ['netns', 'list']).toString()).not.toMatch(new RegExp(`\\b${c.name}\\b`));
    expect(execFileSync('ip', ['link', 'show']).toString()).not.toContain(`hsm${c.idx}-h`);
    expect(() => execFileSync('id', ['-u', c.user], { stdio: 'ignore' })).toThrow();
    expect(existsSync(c.root)).toBe(false);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(c.root);
    expect(ms).toBeLessThan(5000);
  });
});
