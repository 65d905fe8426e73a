// launchctl emulator, domains across logins and boots: a GUI login over an agent running in user/<uid> (L3),
// macOS 26's gui/ refusals (L5), power cycles with and without FileVault (L7). See emulators/README.md.
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMacHost, type MacHost } from './mac-host.js';
import { SERVER_JS, field, renderPlist, sleep, waitUntil, type PlistOpts } from './launchd-fixtures.js';

describe('launchctl emulator: a GUI login while the agent runs in user/<uid> (lenient session types)', () => {
  let h: MacHost;
  const lc = (args: string) => h.ssh(`launchctl ${args}`);
  const put = (label: string, o: PlistOpts) =>
    h.ssh(`mkdir -p ~/Library/LaunchAgents && cat > ~/Library/LaunchAgents/${label}.plist`, {
      stdin: renderPlist(label, o),
    });
  beforeAll(async () => {
    h = await startMacHost({ gui: false, strictSessionType: false });
    expect((await h.ssh('mkdir -p ~/bin && cat > ~/bin/srv.js', { stdin: SERVER_JS })).code).toBe(0);
  });
  afterAll(async () => {
    await h?.teardown();
  });

  it('launchd loads the agent into gui/<uid> too: a second instance fails to bind and KeepAlive keeps retrying it', async () => {
    await put('t.dup', { args: ['/usr/bin/node', `${h.home}/bin/srv.js`, '18300'], keepAlive: true, throttle: 1 });
    expect((await lc(`bootstrap user/${h.uid} ${h.home}/Library/LaunchAgents/t.dup.plist`)).code).toBe(0);
    const userPid = await waitUntil(async () => field((await lc(`print user/${h.uid}/t.dup`)).stdout, 'pid'));
    await h.setGuiSession(true);
    const g = await waitUntil(async () => {
      const p = (await lc(`print gui/${h.uid}/t.dup`)).stdout;
      return Number(field(p, 'runs') ?? 0) >= 2 && field(p, 'last exit code') === '1' ? p : undefined;
    }, 10_000);
    expect(field(g, 'domain')).toBe(`gui/${h.uid}`);
    expect((await h.ssh('/usr/sbin/lsof -nP -iTCP:18300 -sTCP:LISTEN -t')).stdout.trim()).toBe(userPid);
    expect(field((await lc(`print user/${h.uid}/t.dup`)).stdout, 'pid')).toBe(userPid);
  });

  it('strictSessionType: false accepts a plist without LimitLoadToSessionType in user/<uid>', async () => {
    await put('t.nosess', { args: ['/usr/bin/node', `${h.home}/bin/srv.js`], runAtLoad: false, sessions: null });
    expect((await lc(`bootstrap user/${h.uid} ${h.home}/Library/LaunchAgents/t.nosess.plist`)).code).toBe(0);
  });
});

describe('launchctl emulator: macOS 26', () => {
  let h: MacHost;
  const lc = (args: string) => h.ssh(`launchctl ${args}`);
  beforeAll(async () => {
    h = await startMacHost({ macosVersion: 26, bootoutEinprogressChance: 1 });
    const plist = renderPlist('t.m26', { args: ['/usr/bin/node', `${h.home}/bin/srv.js`, '18310'], runAtLoad: true });
    expect(
      (await h.ssh('mkdir -p ~/bin ~/Library/LaunchAgents && cat > ~/bin/srv.js', { stdin: SERVER_JS })).code,
    ).toBe(0);
    expect((await h.ssh('cat > ~/Library/LaunchAgents/t.m26.plist', { stdin: plist })).code).toBe(0);
  });
  afterAll(async () => {
    await h?.teardown();
  });

  it('reports 26.x; bootstrap gui/<uid> → 5 and kickstart gui/… → 125 although the GUI session exists; user/<uid> works', async () => {
    expect((await h.ssh('sw_vers -productVersion; uname -r; sysctl -n kern.osproductversion')).stdout).toBe(
      '26.4.1\n25.4.0\n26.4.1\n',
    );
    expect((await lc(`print gui/${h.uid}`)).code).toBe(0);
    expect((await lc('managername')).stdout).toBe('Background\n');
    const plist = `${h.home}/Library/LaunchAgents/t.m26.plist`;
    expect(await lc(`bootstrap gui/${h.uid} ${plist}`)).toMatchObject({
      code: 5,
      stderr: 'Bootstrap failed: 5: Input/output error\nTry re-running the command as root for richer errors.\n',
    });
    expect(await lc(`kickstart -k gui/${h.uid}/t.m26`)).toMatchObject({
      code: 125,
      stderr: 'Could not kickstart service "t.m26": 125: Domain does not support specified action\n',
    });
    expect((await lc(`bootstrap user/${h.uid} ${plist}`)).code).toBe(0);
    expect(await waitUntil(async () => field((await lc(`print user/${h.uid}/t.m26`)).stdout, 'pid'))).toMatch(/^\d+$/);
  });

  it('bootoutEinprogressChance: 1 answers 36 even for a job that exits at once; the bootout still completes', async () => {
    expect((await lc(`bootout user/${h.uid}/t.m26`)).code).toBe(36);
    await waitUntil(async () => ((await lc(`print user/${h.uid}/t.m26`)).code === 113 ? true : undefined));
  });
});

describe('power cycle and FileVault', () => {
  let plain: MacHost;
  let fv: MacHost;
  const setup = async (m: MacHost) => {
    expect(
      (await m.ssh('mkdir -p ~/bin ~/Library/LaunchAgents && cat > ~/bin/srv.js', { stdin: SERVER_JS })).code,
    ).toBe(0);
    const agent = renderPlist('t.agent', { args: ['/usr/bin/node', `${m.home}/bin/srv.js`, '18401'], runAtLoad: true });
    expect((await m.ssh('cat > ~/Library/LaunchAgents/t.agent.plist', { stdin: agent })).code).toBe(0);
    const daemon = renderPlist('t.daemon', {
      args: ['/usr/bin/node', `${m.home}/bin/srv.js`, '18400'],
      runAtLoad: true,
      userName: m.user,
    });
    writeFileSync(`${m.root}/Library/LaunchDaemons/t.daemon.plist`, daemon, { mode: 0o644 });
    expect((await m.launchctl(['bootstrap', 'system', '/Library/LaunchDaemons/t.daemon.plist'])).code).toBe(0);
    expect((await m.ssh(`launchctl bootstrap gui/${m.uid} ~/Library/LaunchAgents/t.agent.plist`)).code).toBe(0);
  };
  const answers = (m: MacHost, port: number) =>
    fetch(`http://${m.ip}:${port}/`, { signal: AbortSignal.timeout(1500) }).then(
      (r) => r.ok,
      () => false,
    );
  const boottime = async (m: MacHost) => (await m.ssh('sysctl -n kern.boottime')).stdout;
  beforeAll(async () => {
    [plain, fv] = await Promise.all([startMacHost(), startMacHost({ fileVault: true })]);
    await Promise.all([setup(plain), setup(fv)]);
  });
  afterAll(async () => {
    await Promise.all([plain?.teardown(), fv?.teardown()]);
  });

  it('without FileVault: a power cycle starts LaunchDaemons, LaunchAgents only with auto-login; boottime changes, not on a login cycle', async () => {
    const b0 = await boottime(plain);
    await plain.loginCycle();
    expect(await boottime(plain)).toBe(b0);
    await sleep(1100);
    await plain.powerCycle();
    expect(await waitUntil(async () => ((await answers(plain, 18400)) ? true : undefined))).toBe(true);
    expect(await boottime(plain)).not.toBe(b0);
    expect((await plain.ssh(`launchctl print gui/${plain.uid}`)).code).toBe(125);
    expect(await answers(plain, 18401)).toBe(false);
    await plain.powerCycle({ autoLogin: true });
    expect(await waitUntil(async () => ((await answers(plain, 18401)) ? true : undefined))).toBe(true);
    expect(await answers(plain, 18400)).toBe(true);
  });

  it('with FileVault: fdesetup says On; after a power cut nothing runs, not even LaunchDaemons, until the disk is unlocked', async () => {
    expect((await fv.ssh('fdesetup status')).stdout).toBe('FileVault is On.\n');
    expect(await answers(fv, 18400)).toBe(true);
    await fv.powerCycle();
    await sleep(1500);
    expect(await answers(fv, 18400)).toBe(false);
    await expect(fv.launchctl(['print', 'system'])).rejects.toThrow();
    const reach = await new Promise<string>((resolve) => {
      const s = connect(22, fv.ip);
      s.setTimeout(1500, () => {
        s.destroy();
        resolve('timeout');
      });
      s.on('connect', () => {
        s.destroy();
        resolve('connected');
      });
      s.on('error', (e) => resolve(`error ${(e as NodeJS.ErrnoException).code}`));
    });
    expect(reach).not.toBe('connected');
    await fv.unlockDisk();
    expect(await waitUntil(async () => ((await answers(fv, 18400)) ? true : undefined))).toBe(true);
    expect(await waitUntil(async () => ((await answers(fv, 18401)) ? true : undefined))).toBe(true); // the unlock logged the user in
  });
});
