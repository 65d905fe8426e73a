import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { startMacHost, type MacHost } from './mac-host.js';

function pidsInMntNs(ns: string): number[] {
  return readdirSync('/proc')
    .map(Number)
    .filter((p) => {
      if (!Number.isInteger(p)) return false;
      try {
        return readlinkSync(`/proc/${p}/ns/mnt`) === ns;
      } catch {
        return false;
      }
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
    const r = await a.ssh(
      'uname -s; uname -m; uname -r; uname -sm; sw_vers; sw_vers -productVersion; id -u; echo $HOME; hostname; command -v node lsof launchctl tailscale; ls -d /opt/homebrew/bin /Applications /Library/LaunchDaemons; test -x /bin/launchctl && echo bin-launchctl; test -x /usr/sbin/lsof && echo sbin-lsof',
    );
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
    const r = await b.ssh('ls /Users; cat /Users/' + a.user + '/marker 2>&1; ifconfig en0 | grep -c "inet "');
    expect(r.stdout).toContain(b.user);
    expect(r.stdout).not.toContain(a.user + '\n');
    expect(r.stdout).toMatch(/No such file or directory/);
    const cross = await b.ssh(
      `node -e "const s=require('net').connect(22,'${a.ip}');s.setTimeout(2000,()=>{console.log('noreach');process.exit()});s.on('connect',()=>{console.log('reach');process.exit()});s.on('error',()=>{console.log('noreach');process.exit()})"`,
    );
    expect(cross.stdout.trim()).toBe('noreach');
    const self = await a.ssh(
      `node -e "require('net').connect(22,'${a.ip}').on('connect',()=>{console.log('reach');process.exit()})"`,
    );
    expect(self.stdout.trim()).toBe('reach');
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

// macOS userland where the tool shells out (issue 13 item 7): each rule and its source in emulators/README.md.
describe('emulated macOS userland', () => {
  let h: MacHost;
  const STAT_USAGE = 'usage: stat [-FLnq] [-f format | -l | -r | -s | -x] [-t timefmt] [file ...]\n';
  const LS_USAGE = 'usage: ls [-@ABCFGHILOPRSTUWabcdefghiklmnopqrstuvwxy1%,] [--color=when] [-D format] [file ...]\n';
  const SED_USAGE =
    'usage: sed script [-Ealnru] [-i extension] [file ...]\n\tsed [-Ealnu] [-i extension] [-e script] ... [-f script_file] ... [file ...]\n';
  beforeAll(async () => {
    h = await startMacHost();
    const r = await h.ssh(
      'mkdir -p ~/t && cd ~/t && printf hello > f && chmod 640 f && printf "hello\\n" > d.txt && printf "hello\\n" > main.py',
    );
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => {
    await h?.teardown();
  });

  it('has no timeout, setsid, flock, ip, ss, systemctl, getent (GNU/Linux only); has lsof, ifconfig, sysctl, fdesetup', async () => {
    const r = await h.ssh(
      'for c in timeout setsid flock ip ss systemctl loginctl getent nproc; do command -v $c || echo "no $c"; done; ls /usr/bin/timeout /bin/timeout 2>&1 | grep -c "No such"',
    );
    expect(r.stdout).toBe(
      'no timeout\nno setsid\nno flock\nno ip\nno ss\nno systemctl\nno loginctl\nno getent\nno nproc\n2\n',
    );
    const have = await h.ssh(
      'command -v lsof ifconfig sysctl fdesetup; /usr/sbin/lsof -v >/dev/null 2>&1; echo lsof=$?',
    );
    expect(have.stdout).toBe('/usr/bin/lsof\n/usr/sbin/ifconfig\n/usr/sbin/sysctl\n/usr/bin/fdesetup\nlsof=0\n');
  });

  it('stat: GNU -c fails with BSD usage and exit 1; -f %Lp %u %z %m answers mode, uid, size, mtime', async () => {
    const gnu = await h.ssh('stat -c "%a %u %s %Y" ~/t/f');
    expect(gnu).toEqual({ code: 1, stdout: '', stderr: `stat: illegal option -- c\n${STAT_USAGE}` });
    expect((await h.ssh('stat --format=%a ~/t/f')).stderr).toBe(`stat: illegal option -- -\n${STAT_USAGE}`);
    const bsd = await h.ssh('stat -f "%Lp %u %z %m" ~/t/f');
    const st = statSync(`${h.root}/Users/${h.user}/t/f`);
    expect(bsd).toEqual({ code: 0, stdout: `640 ${h.uid} 5 ${Math.floor(st.mtimeMs / 1000)}\n`, stderr: '' });
    expect((await h.ssh('stat -f "%Sp %HT" ~/t ~/t/f')).stdout).toBe('drwxr-xr-x Directory\n-rw-r----- Regular File\n');
    expect(await h.ssh('stat -f %z ~/t/nope')).toEqual({
      code: 1,
      stdout: '',
      stderr: `stat: ${h.home}/t/nope: stat: No such file or directory\n`,
    });
  });

  it('ls: --full-time fails the BSD way; -lAT shows the full time; no option permutation', async () => {
    expect(await h.ssh('ls -lA --full-time ~/t')).toEqual({
      code: 1,
      stdout: '',
      stderr: `ls: unrecognized option \`--full-time'\n${LS_USAGE}`,
    });
    expect((await h.ssh('ls -z ~/t')).stderr).toBe(`ls: invalid option -- z\n${LS_USAGE}`);
    const t = await h.ssh('ls -lAT ~/t/f');
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(
      /^-rw-r----- 1 \S+ \S+ +5 [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4} \/Users\/\S+\/t\/f\n$/,
    );
    expect((await h.ssh('cd ~/t && ls f -l')).code).toBe(1);
  });

  it('sed: -i takes the next argument as suffix, so `sed -i s/a/b/ file` fails like macOS and leaves the file; `-i ""` works', async () => {
    const gnu = await h.ssh(
      'cd ~/t && sed -i "s/hello/bye/" d.txt; echo "rc=$?"; sed -i "s/hello/bye/" main.py; cat d.txt main.py; ls',
    );
    expect(gnu.stdout).toBe('rc=1\nhello\nhello\nd.txt\nf\nmain.py\n');
    expect(gnu.stderr).toBe(
      'sed: 1: "d.txt": extra characters at the end of d command\nsed: 1: "main.py": invalid command code m\n',
    );
    const bsd = await h.ssh(
      'cd ~/t && sed -i "" "s/hello/bye/" d.txt && sed -i -e "s/hello/hi/" main.py && cat d.txt main.py && ls',
    );
    expect(bsd.stdout).toBe('bye\nhi\nd.txt\nf\nmain.py\nmain.py-e\n');
    expect((await h.ssh('sed --version')).stderr).toBe(`sed: illegal option -- -\n${SED_USAGE}`);
    expect((await h.ssh('echo aab | sed "s/a\\+/X/"; echo ab | sed -n -e "s/a/A/p" -e "s/b/B/p"')).stdout).toBe(
      'aab\nAb\nAB\n',
    );
  });

  it('base64 does not wrap, reads files only with -i, decodes with -D; readlink -f works, -e does not', async () => {
    const long = await h.ssh('head -c 300 /dev/zero | base64 | wc -l; base64 -D <<< aGk=; base64 -i ~/t/f');
    expect(long.stdout).toBe('       0\nhiaGVsbG8=');
    const file = await h.ssh('base64 ~/t/f');
    expect(file.code).toBe(64);
    expect(file.stderr).toMatch(/^base64: invalid argument \/Users\/\S+\/t\/f\nUsage:\tbase64 \[-Ddh\]/);
    expect((await h.ssh('cd ~/t && ln -sf f l && readlink -f l')).stdout).toBe(`${h.home}/t/f\n`);
    expect(await h.ssh('readlink -e ~/t/l')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'readlink: illegal option -- e\nusage: readlink [-fn] [file ...]\n',
    });
  });

  it('wc pads counts to 8 columns; mktemp -t prefix; find -printf and date -d fail; date +%s works', async () => {
    expect((await h.ssh('wc -c < ~/t/f; wc -l ~/t/d.txt')).stdout).toBe(`       5\n       1 ${h.home}/t/d.txt\n`);
    const mk = await h.ssh('mktemp -d -t hs; mktemp --tmpdir=/tmp x.XXX; echo rc=$?');
    expect(mk.stdout).toMatch(/^\/tmp\/hs\.[A-Za-z0-9]{8}\nrc=1\n$/);
    expect((await h.ssh('find ~/t -maxdepth 1 -name "d.*"')).stdout).toBe(`${h.home}/t/d.txt\n`);
    expect(await h.ssh('find ~/t -printf %p')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'find: -printf: unknown primary or operator\n',
    });
    expect((await h.ssh('find -name x')).stderr).toMatch(/^find: illegal option -- n\nusage: find /);
    const d = await h.ssh('date +%s; date -d yesterday');
    expect(d.code).toBe(1);
    expect(Math.abs(Number(d.stdout.trim()) - Date.now() / 1000)).toBeLessThan(60);
    expect(d.stderr).toMatch(/^date: illegal option -- d\nusage: date /);
  });

  it('no /proc boot_id; sysctl -n kern.boottime in the macOS format; ifconfig lists en0 and the tailnet utun', async () => {
    const r = await h.ssh(
      'cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo none; sysctl -n kern.boottime; sysctl kern.osrelease',
    );
    expect(r.stdout).toMatch(
      /^none\n\{ sec = \d{10}, usec = \d+ \} [A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\nkern\.osrelease: 24\.5\.0\n$/,
    );
    expect((await h.ssh('sysctl -n kern.nope')).stderr).toBe("sysctl: unknown oid 'kern.nope'\n");
    const ifc = (await h.ssh('ifconfig')).stdout;
    expect(ifc).toContain(`\tinet ${h.ip} netmask 0xffffff00 broadcast ${h.ip.replace(/\.\d+$/, '.255')}\n`);
    expect(ifc).toContain(
      `utun4: flags=8051<UP,POINTOPOINT,RUNNING,MULTICAST> mtu 1280\n\tinet ${h.tailnetIp} --> ${h.tailnetIp} netmask 0xffffffff\n`,
    );
    expect((await h.ssh('fdesetup status')).stdout).toBe('FileVault is Off.\n');
  });

  it("a login shell gets path_helper's PATH (with /usr/sbin), not Debian's", async () => {
    expect((await h.ssh("bash -lc 'echo $PATH'")).stdout).toBe(
      '/usr/local/bin:/System/Cryptexes/App/usr/bin:/usr/bin:/bin:/usr/sbin:/sbin\n',
    );
  });
});

describe('emulated Mac: node/npm only where nvm, volta, Homebrew or the Hermes installer put them', () => {
  const layouts = ['nvm', 'volta', 'hermes', 'homebrew'] as const;
  const hosts: MacHost[] = [];
  beforeAll(async () => {
    hosts.push(...(await Promise.all(layouts.map((node) => startMacHost({ node })))));
  });
  afterAll(async () => {
    await Promise.all(hosts.map((m) => m.teardown()));
  });

  it.each(layouts.map((l, i) => [l, i] as const))(
    '%s: not on the SSH PATH; found where the installer put it',
    async (layout, i) => {
      const m = hosts[i]!;
      const dir = {
        nvm: `${m.home}/.nvm/versions/node/v20.19.0/bin`,
        volta: `${m.home}/.volta/bin`,
        hermes: `${m.home}/.hermes/node/bin`,
        homebrew: '/opt/homebrew/bin',
      }[layout];
      const plain = await m.ssh('command -v node npm || echo none; test -e /usr/bin/node || echo no-usr-bin-node');
      expect(plain.stdout).toBe('none\nno-usr-bin-node\n');
      const login = await m.ssh('bash -lc "command -v npm" || echo none');
      expect(login.stdout).toBe(layout === 'homebrew' ? '/opt/homebrew/bin/npm\n' : 'none\n');
      const run = await m.ssh(`PATH=${dir}:$PATH npm --version && ${m.nodePath} -e "console.log(process.version)"`);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^\d+\.\d+\.\d+\nv\d+\./);
      const bare = await m.ssh(`${dir}/npm --version`);
      expect(bare.code).not.toBe(0); // npm's `#!/usr/bin/env node` needs node on PATH, as on a Mac
      expect((await m.launchctl(['print', `gui/${m.uid}`])).code).toBe(0); // the emulator's own node still works
    },
  );
});
