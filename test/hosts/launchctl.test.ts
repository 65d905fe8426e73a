// launchctl emulator semantics, exercised over real SSH on an emulated mac host.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMacHost, type MacHost } from './mac-host.js';
import { SERVER_JS, field, renderPlist, sleep, type PlistOpts } from './launchd-fixtures.js';

describe('launchctl emulator over SSH', () => {
  let h: MacHost;
  let gui: string;
  const la = () => `${h.home}/Library/LaunchAgents`;
  const lc = (args: string) => h.ssh(`launchctl ${args}`);
  const put = (label: string, o: PlistOpts) =>
    h.ssh(`mkdir -p ~/Library/LaunchAgents ~/Library/Logs/t && cat > ~/Library/LaunchAgents/${label}.plist`, {
      stdin: renderPlist(label, o),
    });
  const boot = (label: string, domain = gui) => lc(`bootstrap ${domain} ${la()}/${label}.plist`);
  async function waitFor<T>(fn: () => Promise<T | undefined>, ms = 5000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = await fn();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error('timed out');
      await sleep(50);
    }
  }
  const pidOf = async (label: string, domain = gui) => field((await lc(`print ${domain}/${label}`)).stdout, 'pid');

  beforeAll(async () => {
    h = await startMacHost({ drainMs: 1500 });
    gui = `gui/${h.uid}`;
    const r = await h.ssh('mkdir -p ~/bin && cat > ~/bin/srv.js', { stdin: SERVER_JS });
    expect(r.code).toBe(0);
  });
  afterAll(async () => {
    await h?.teardown();
  });

  it('bootstraps a node HTTP server: port listens (lsof shows the pid), print shows running; second bootstrap → 5', async () => {
    await put('t.web', {
      args: ['/usr/bin/node', `${h.home}/bin/srv.js`, '18080'],
      runAtLoad: true,
      out: `${h.home}/Library/Logs/t/web.log`,
    });
    await put('t.fresh', { args: ['/usr/bin/node', `${h.home}/bin/srv.js`, '18090'], runAtLoad: true });
    const b = await boot('t.web');
    expect(b).toMatchObject({ code: 0, stderr: '' });
    const lsofPid = await waitFor(
      async () => (await h.ssh('/usr/sbin/lsof -nP -iTCP:18080 -sTCP:LISTEN -t')).stdout.trim() || undefined,
    );
    const p = await lc(`print ${gui}/t.web`);
    expect(p.code).toBe(0);
    expect(p.stdout).toContain(`${gui}/t.web = {`);
    expect(field(p.stdout, 'state')).toBe('running');
    expect(field(p.stdout, 'pid')).toBe(lsofPid);
    expect(field(p.stdout, 'path')).toBe(`${la()}/t.web.plist`);
    expect(field(p.stdout, 'runs')).toBe('1');
    expect(field(p.stdout, 'last exit code')).toBe('(never exited)');
    expect(p.stdout).toContain('PATH => /usr/bin:/bin:/usr/sbin:/sbin');
    const res = await fetch(`http://${h.ip}:18080/`);
    expect(await res.text()).toBe(`ok ${lsofPid}`);
    const again = await boot('t.web');
    expect(again).toMatchObject({ code: 5 });
    expect(again.stderr).toContain('Bootstrap failed: 5: Input/output error');
  });

  it('jobs survive the SSH login that started them', async () => {
    const b = await h.ssh(
      `launchctl bootstrap ${gui} ${la()}/t.fresh.plist; launchctl print ${gui}/t.fresh | sed -n 's/^\tpid = //p'`,
      { fresh: true, stdin: '' },
    );
    expect(b.code).toBe(0);
    const pid = b.stdout.trim();
    expect(pid).toMatch(/^\d+$/);
    const r = await h.ssh(`kill -0 ${pid} && ps -o user=,args= -p ${pid}`, { fresh: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${h.user}`);
    expect(r.stdout).toContain('srv.js 18090');
    expect((await lc(`bootout ${gui}/t.fresh`)).code).toBe(0);
  });

  it('bootout is asynchronous: immediate bootstrap → 5 while draining, then 0', async () => {
    const out = await lc(`bootout ${gui}/t.web`);
    expect(out.code).toBe(0);
    const t0 = Date.now();
    expect((await boot('t.web')).code).toBe(5);
    await waitFor(async () => ((await lc(`print ${gui}/t.web`)).code === 113 ? true : undefined));
    const drained = Date.now() - t0;
    expect(drained).toBeGreaterThan(800);
    expect((await boot('t.web')).code).toBe(0);
    const notLoaded = await lc(`bootout ${gui}/t.nope`);
    expect(notLoaded).toMatchObject({ code: 3, stderr: 'Boot-out failed: 3: No such process\n' });
  });

  it('disable is a persistent override: bootstrap → 5, print-disabled shows it, enable → 0', async () => {
    await put('t.dis', { args: ['/usr/bin/node', `${h.home}/bin/srv.js`], runAtLoad: true });
    expect((await lc(`disable ${gui}/t.dis`)).code).toBe(0);
    const b = await boot('t.dis');
    expect(b.code).toBe(5);
    expect(b.stderr).toContain('Bootstrap failed: 5: Input/output error');
    const pd = await lc(`print-disabled ${gui}`);
    expect(pd.stdout).toContain('"t.dis" => disabled');
    const file = await h.ssh(`cat /var/db/com.apple.xpc.launchd/disabled.${h.uid}.plist`);
    expect(file.stdout).toMatch(/<key>t\.dis<\/key>\s*<true\/>/);
    expect((await lc(`enable ${gui}/t.dis`)).code).toBe(0);
    expect((await lc(`print-disabled ${gui}`)).stdout).toContain('"t.dis" => enabled');
    expect((await boot('t.dis')).code).toBe(0);
    expect((await lc(`bootout ${gui}/t.dis`)).code).toBe(0);
  });

  it('kickstart -k gives a new pid; kickstart of an unloaded label → 113', async () => {
    const before = await waitFor(() => pidOf('t.web'));
    const k = await lc(`kickstart -k ${gui}/t.web`);
    expect(k.code).toBe(0);
    const after = await pidOf('t.web');
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    const p = (await lc(`print ${gui}/t.web`)).stdout;
    expect(field(p, 'runs')).toBe('2');
    expect(field(p, 'last terminating signal')).toBe('Killed: 9'); // SIGKILL, not SIGTERM (README rule 3)
    const missing = await lc(`kickstart -k ${gui}/t.missing`);
    expect(missing.code).toBe(113);
    expect(missing.stderr).toContain('Could not find service "t.missing"');
  });

  it('missing StandardOutPath directory → last exit code 78 and nothing runs', async () => {
    await put('t.nolog', {
      args: ['/usr/bin/node', `${h.home}/bin/srv.js`, '18081'],
      runAtLoad: true,
      out: `${h.home}/Library/Logs/absent/x.log`,
    });
    expect((await boot('t.nolog')).code).toBe(0);
    const p = await lc(`print ${gui}/t.nolog`);
    expect(field(p.stdout, 'last exit code')).toBe('78: EX_CONFIG');
    expect(field(p.stdout, 'state')).toBe('not running');
    expect(field(p.stdout, 'pid')).toBeUndefined();
    expect((await h.ssh('pgrep -f "srv[.]js 18081" || echo none')).stdout.trim()).toBe('none');
    const rel = await put('t.relprog', { args: ['node', `${h.home}/bin/srv.js`], runAtLoad: true });
    expect(rel.code).toBe(0);
    await boot('t.relprog');
    expect(field((await lc(`print ${gui}/t.relprog`)).stdout, 'last exit code')).toBe('78: EX_CONFIG');
  });

  it('KeepAlive respawns after kill -9, throttled by ThrottleInterval', async () => {
    const stamp = `${h.home}/stamps`;
    await put('t.keep', {
      args: ['/usr/bin/node', `${h.home}/bin/srv.js`],
      keepAlive: true,
      throttle: 2,
      env: { STAMP: stamp },
    });
    expect((await boot('t.keep')).code).toBe(0);
    const pid1 = await waitFor(() => pidOf('t.keep'));
    // node must have written its stamp before the kill (under load it can take over a second to start)
    await waitFor(async () => ((await h.ssh(`cat ${stamp}`)).stdout.includes(` ${pid1}\n`) ? true : undefined));
    await h.ssh(`kill -9 ${pid1}`);
    const pid2 = await waitFor(async () => {
      const p = await pidOf('t.keep');
      return p && p !== pid1 ? p : undefined;
    });
    const stamps = await waitFor(async () => {
      const lines = (await h.ssh(`cat ${stamp}`)).stdout
        .trim()
        .split('\n')
        .map((l) => l.split(' '));
      return lines.length >= 2 ? lines : undefined;
    });
    expect(stamps.map((s) => s[1])).toEqual([pid1, pid2]);
    const delay = Number(stamps[1]![0]) - Number(stamps[0]![0]);
    expect(delay).toBeGreaterThanOrEqual(1950);
    const p = await lc(`print ${gui}/t.keep`);
    expect(field(p.stdout, 'runs')).toBe('2');
    expect(field(p.stdout, 'last terminating signal')).toBe('Killed: 9');
  });

  it('without a GUI session gui/<uid> operations fail with 125 and user/<uid> works', async () => {
    await h.setGuiSession(false);
    const b = await boot('t.web');
    expect(b).toMatchObject({ code: 125, stderr: 'Bootstrap failed: 125: Domain does not support specified action\n' });
    expect((await lc(`print ${gui}`)).code).toBe(125);
    expect((await lc(`kickstart -k ${gui}/t.web`)).code).toBe(125);
    expect((await lc('managername')).stdout.trim()).toBe('Background');
    await put('t.bg', { args: ['/usr/bin/node', `${h.home}/bin/srv.js`, '18082'], runAtLoad: true });
    expect((await boot('t.bg', `user/${h.uid}`)).code).toBe(0);
    expect(await waitFor(() => pidOf('t.bg', `user/${h.uid}`))).toMatch(/^\d+$/);
    await h.setGuiSession(true);
    expect((await lc(`print ${gui}`)).code).toBe(0);
  });

  it('loginCycle restarts RunAtLoad agents and keeps disabled ones down', async () => {
    await put('t.idle', { args: ['/usr/bin/node', `${h.home}/bin/srv.js`], runAtLoad: false });
    expect((await lc(`disable ${gui}/t.bg`)).code).toBe(0);
    const oldPid = await waitFor(() => pidOf('t.web'));
    const t0 = Date.now();
    await h.loginCycle();
    const cycleMs = Date.now() - t0;
    const newPid = await waitFor(() => pidOf('t.web'));
    expect(newPid).not.toBe(oldPid);
    // gone, or at most an unreaped zombie
    expect((await h.ssh(`ps -o stat= -p ${oldPid} | grep -v '^Z' || echo dead`)).stdout.trim()).toBe('dead');
    expect((await lc(`print ${gui}/t.bg`)).code).toBe(113);
    const idle = await lc(`print ${gui}/t.idle`);
    expect(idle.code).toBe(0);
    expect(field(idle.stdout, 'state')).toBe('not running');
    expect(
      await waitFor(
        async () => (await h.ssh('/usr/sbin/lsof -nP -iTCP:18080 -sTCP:LISTEN -t')).stdout.trim() || undefined,
      ),
    ).toBe(newPid);
    expect(cycleMs).toBeLessThan(3000);
  });
  it('kickstart -k SIGKILLs: a job that traps SIGTERM never sees it and is replaced at once', async () => {
    const mark = `${h.home}/term-kick`;
    await put('t.trap', {
      args: ['/usr/bin/node', `${h.home}/bin/srv.js`],
      runAtLoad: true,
      env: { IGNORE_TERM: mark },
    });
    expect((await boot('t.trap')).code).toBe(0);
    const before = await waitFor(() => pidOf('t.trap'));
    expect((await lc(`kickstart -k ${gui}/t.trap`)).code).toBe(0);
    expect(await pidOf('t.trap')).not.toBe(before);
    expect((await h.ssh(`cat ${mark} 2>/dev/null || echo none`)).stdout).toBe('none\n');
  });

  it('bootout of a job that does not exit in time answers 36 (EINPROGRESS) and completes in the background', async () => {
    const mark = `${h.home}/term-bootout`;
    await put('t.slow', {
      args: ['/usr/bin/node', `${h.home}/bin/srv.js`],
      runAtLoad: true,
      exitTimeOut: 3,
      env: { IGNORE_TERM: mark },
    });
    expect((await boot('t.slow')).code).toBe(0);
    const pid = await waitFor(() => pidOf('t.slow'));
    const t0 = Date.now();
    expect(await lc(`bootout ${gui}/t.slow`)).toMatchObject({
      code: 36,
      stderr: 'Boot-out failed: 36: Operation now in progress\n',
    });
    expect(Date.now() - t0).toBeGreaterThan(800); // it waited for the job first
    expect((await lc(`bootout ${gui}/t.slow`)).code).toBe(36); // still exiting (brew loops on this)
    expect(field((await lc(`print ${gui}/t.slow`)).stdout, 'pid')).toBe(pid);
    await waitFor(async () => ((await lc(`print ${gui}/t.slow`)).code === 113 ? true : undefined), 10_000);
    expect((await h.ssh(`cat ${mark}; kill -0 ${pid} 2>/dev/null || echo gone`)).stdout).toBe('TERM\ngone\n');
    expect((await lc(`bootout ${gui}/t.slow`)).code).toBe(3);
  });

  it('ProcessType is accepted and print shows the spawn type', async () => {
    const types: [string | undefined, string][] = [
      ['Interactive', 'interactive (4)'],
      ['Background', 'background (5)'],
      ['Adaptive', 'adaptive (6)'],
      ['Standard', 'daemon (3)'],
      [undefined, 'daemon (3)'],
    ];
    for (const [pt, want] of types) {
      const label = `t.pt${pt ?? 'none'}`;
      await put(label, {
        args: ['/usr/bin/node', `${h.home}/bin/srv.js`],
        runAtLoad: false,
        ...(pt ? { processType: pt } : {}),
      });
      expect((await boot(label)).code).toBe(0);
      expect(field((await lc(`print ${gui}/${label}`)).stdout, 'spawn type')).toBe(want);
    }
  });

  it('a plist without LimitLoadToSessionType is an Aqua agent: bootstrap user/<uid> → 5, gui/<uid> → 0', async () => {
    await put('t.nosess', { args: ['/usr/bin/node', `${h.home}/bin/srv.js`], runAtLoad: false, sessions: null });
    await put('t.bgonly', {
      args: ['/usr/bin/node', `${h.home}/bin/srv.js`],
      runAtLoad: false,
      sessions: ['Background'],
    });
    const user = `user/${h.uid}`;
    expect(await boot('t.nosess', user)).toMatchObject({
      code: 5,
      stderr: 'Bootstrap failed: 5: Input/output error\nTry re-running the command as root for richer errors.\n',
    });
    expect((await boot('t.bgonly', user)).code).toBe(0);
    expect((await boot('t.nosess', gui)).code).toBe(0);
    expect((await boot('t.bgonly', gui)).code).toBe(5);
  });
});
