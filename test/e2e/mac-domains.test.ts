// launchd domains on the emulated Mac (issue 13 items 2, 4, 8): the agent in gui/ and user/ at once after a GUI
// login on top of an SSH install; bootout answering 36 ("Operation now in progress"); macOS 26 refusing gui/ (5),
// and gui/ answering 125 with a GUI session — the automatic, stated fallback to user/; --launchd-domain gui there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMacHost, type MacHost, type MacHostOptions } from '../hosts/mac-host.js';
import { runCli } from '../support/cli.js';
import { runCheckJson, runDoctor } from '../support/health-run.js';
import { loadedInstances, portHolders, scopes, waitFor } from '../support/mac-instances.js';
import { prepareMacHost, type PreparedHost } from '../support/prepare-host.js';
import { probeFromHere, runRemote } from '../support/remote-run.js';

const macs: MacHost[] = [];
afterAll(async () => Promise.all(macs.map((m) => m.teardown())));

async function host(o: MacHostOptions): Promise<{ mac: MacHost; p: PreparedHost }> {
  const mac = await startMacHost(o);
  macs.push(mac);
  return { mac, p: await prepareMacHost(mac, { generation: 'G2' }) };
}

const serviceDetail = (r: Awaited<ReturnType<typeof runRemote>>) =>
  r.report.steps.find((s) => s.id === 'service')?.detail ?? '';

describe('two domains: a GUI login on top of an install made over SSH', () => {
  let mac: MacHost;
  let p: PreparedHost;
  beforeAll(async () => ({ mac, p } = await host({ gui: false })), 120_000);

  it('installs in user/<uid> (no GUI session)', async () => {
    expect((await runRemote(p, ['--no-update'])).code).toBe(0);
    expect(await scopes(mac)).toEqual([`user/${mac.uid}`]);
  });

  it('the GUI login loads a second instance into gui/: check 3 names both, doctor names duplicate-service (not foreign-port)', async () => {
    await mac.setGuiSession(true);
    expect(await waitFor(async () => (await scopes(mac)).length === 2, 10_000)).toBe(true);
    const c = await runCheckJson(p);
    expect(c.code).toBe(3);
    expect(c.report.checks.find((l) => l.id === 'service')?.detail).toMatch(
      new RegExp(
        `^launchd user/${mac.uid}/ai\\.hermes\\.dashboard has another instance: gui/${mac.uid}/ai\\.hermes\\.dashboard`,
      ),
    );
    const d = await runDoctor(p);
    expect(d.ids).toContain('duplicate-service');
    expect(d.ids).not.toContain('foreign-port');
  });

  it('remote reduces it to one (user/, which holds the port) and says what it booted out; check 0', async () => {
    const r = await runRemote(p, ['--no-update']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(serviceDetail(r)).toContain(`boot out gui/${mac.uid}/ai.hermes.dashboard`);
    const inst = await loadedInstances(mac);
    expect(inst.map((i) => i.scope)).toEqual([`user/${mac.uid}`]);
    expect(await portHolders(mac)).toEqual([inst[0]!.pid]);
    expect((await runCheckJson(p)).code).toBe(0);
    expect((await runDoctor(p)).code).toBe(0);
  });

  it('a login cycle (with the GUI session) leaves one instance, in gui/, and a converge keeps it there', async () => {
    await mac.loginCycle();
    expect(await probeFromHere(p, mac.tailnetIp)).toMatchObject({ ok: true, status: 101 });
    expect(await scopes(mac)).toEqual([`gui/${mac.uid}`]);
    expect((await runRemote(p, ['--no-update'])).code).toBe(0);
    expect(await scopes(mac)).toEqual([`gui/${mac.uid}`]);
    expect((await runCheckJson(p)).code).toBe(0);
  });
});

describe('bootout answers 36 ("Operation now in progress") every time', () => {
  let mac: MacHost;
  let p: PreparedHost;
  beforeAll(async () => ({ mac, p } = await host({ bootoutEinprogressChance: 1 })), 120_000);

  it('a plist change boots out (36), waits, bootstraps', async () => {
    expect((await runRemote(p, ['--no-update'])).code).toBe(0);
    const r = await runRemote(p, ['--no-update', '--mode', 'tunnel']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(serviceDetail(r)).toMatch(
      /write plist, enable, bootout, bootstrap; gui\/\d+\/ai\.hermes\.dashboard running/,
    );
    expect(await scopes(mac)).toEqual([`gui/${mac.uid}`]);
  });

  it('uninstall waits it out: exit 0, no plist, nothing loaded, the port free; a second uninstall finds nothing', async () => {
    const r = await runCli(['uninstall', ...p.args], { HOME: p.cliHome }, { timeoutMs: 120_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /service: changed — booted out gui\/\d+\/ai\.hermes\.dashboard \(bootout 36: waited until it exited\), removed ~\/Library\/LaunchAgents\/ai\.hermes\.dashboard\.plist/,
    );
    expect((await p.ssh('test -e ~/Library/LaunchAgents/ai.hermes.dashboard.plist')).code).not.toBe(0);
    expect(await scopes(mac)).toEqual([]);
    expect(await portHolders(mac)).toEqual([]);
    const again = await runCli(['uninstall', ...p.args], { HOME: p.cliHome });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/service: ok — no ai\.hermes\.dashboard job/);
  });
});

describe.each<[string, MacHostOptions, number, string]>([
  [
    'macOS 26 (bootstrap gui/ → 5 with a GUI session)',
    { macosVersion: 26 },
    5,
    'Bootstrap failed: 5: Input/output error',
  ],
  [
    'gui/ answering 125 with a GUI session',
    { guiBootstrapFails: 125 },
    125,
    'Bootstrap failed: 125: Domain does not support specified action',
  ],
])('%s', (_n, opts, code, line) => {
  let mac: MacHost;
  let p: PreparedHost;
  beforeAll(async () => ({ mac, p } = await host(opts)), 120_000);

  it('falls back to user/<uid>, says so once, and records it; check 0, doctor clean', async () => {
    const r = await runRemote(p, ['--no-update']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const said = r.report.warnings.filter((w) => /refused the LaunchAgent/.test(w));
    expect(said).toEqual([
      `gui/${mac.uid} refused the LaunchAgent (bootstrap exit ${code}: ${line}); it runs in user/${mac.uid} instead, which needs no GUI session — choose with --launchd-domain gui|user`,
    ]);
    expect(serviceDetail(r)).toMatch(
      new RegExp(`fell back from gui/${mac.uid} to user/${mac.uid}; user/${mac.uid}/ai\\.hermes\\.dashboard running`),
    );
    expect(await scopes(mac)).toEqual([`user/${mac.uid}`]);
    expect((await p.ssh('cat ~/.hermes/.hermes-setup-state.json')).stdout).toContain(
      `"serviceScope": "user/${mac.uid}"`,
    );
    expect((await runCheckJson(p)).code).toBe(0);
    expect((await runDoctor(p)).code).toBe(0);
  });

  it('a rerun stays in user/ and changes nothing', async () => {
    const r = await runRemote(p, ['--no-update']);
    expect(r.code).toBe(0);
    expect(r.report.steps.filter((s) => s.status !== 'ok' && s.id !== 'update')).toEqual([]);
  });

  it('after a login cycle launchd loads it into gui/; a restart there (kickstart 125) falls back to user/ again', async () => {
    await mac.loginCycle();
    expect(await waitFor(async () => (await scopes(mac)).join() === `gui/${mac.uid}`, 10_000)).toBe(true);
    const r = await runRemote(p, ['--no-update', '--rotate-token']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.report.warnings).toContain(
      `gui/${mac.uid} refused the LaunchAgent (kickstart exit 125: Could not kickstart service "ai.hermes.dashboard": 125: Domain does not support specified action); it runs in user/${mac.uid} instead, which needs no GUI session — choose with --launchd-domain gui|user`,
    );
    expect(await scopes(mac)).toEqual([`user/${mac.uid}`]);
    expect(await probeFromHere(p, mac.tailnetIp)).toMatchObject({ ok: true, status: 101 });
  });

  it("--launchd-domain gui fails with launchctl's own line and a hint that does not loop; user/ is loaded again", async () => {
    const r = await runCli(
      ['remote', ...p.args, '--no-update', '--launchd-domain', 'gui'],
      { HOME: p.cliHome },
      { timeoutMs: 120_000 },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `E_LAUNCHCTL: launchctl bootstrap gui/${mac.uid} failed (exit ${code}): ${line}; user/${mac.uid}/ai.hermes.dashboard loaded again as before — hint: `,
    );
    expect(r.stderr).toMatch(/--launchd-domain user/);
    expect(r.stderr).not.toMatch(/rerun \(hermes-setup picks user|re-running the command as root/);
    expect(
      await waitFor(async () =>
        (await loadedInstances(mac)).some((i) => i.scope === `user/${mac.uid}` && i.state === 'running'),
      ),
    ).toBe(true);
  });
});
