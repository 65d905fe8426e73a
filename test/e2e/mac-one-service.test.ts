// Exactly one dashboard service per Mac (issue 13 items 1, 2, 8), on the emulated Mac with a GUI session:
// agent → daemon → agent. Each switch removes the other service and says so, the port is held by the one left,
// check exits 0 and doctor finds no problem after each, and a login cycle (boot + login) leaves one instance.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMacHost, type MacHost } from '../hosts/mac-host.js';
import { runCheckJson, runDoctor } from '../support/health-run.js';
import { grantSudo, loadedInstances, portHolders, scopes, waitFor } from '../support/mac-instances.js';
import { prepareMacHost, type PreparedHost } from '../support/prepare-host.js';
import { probeFromHere, runRemote } from '../support/remote-run.js';

const AGENT = '~/Library/LaunchAgents/ai.hermes.dashboard.plist';
const DAEMON = '/Library/LaunchDaemons/ai.hermes.dashboard.plist';

describe('agent → daemon → agent on one Mac', () => {
  let mac: MacHost;
  let p: PreparedHost;
  let revoke = (): void => undefined;
  const gui = () => `gui/${mac.uid}`;
  const exists = async (path: string) => (await p.ssh(`test -e ${path.replace('~/', '"$HOME"/')}`)).code === 0;
  /** One instance, in `scope`, running, and the pid holding the port is its pid. */
  const expectOnly = async (scope: string) => {
    const inst = await loadedInstances(mac);
    expect(inst.map((i) => `${i.scope} ${i.state}`)).toEqual([`${scope} running`]);
    expect(
      await waitFor(async () => (await portHolders(mac)).join() === String(inst[0]!.pid), 10_000),
      `port holders ${(await portHolders(mac)).join()} vs ${inst[0]!.pid}`,
    ).toBe(true);
  };
  const expectHealthy = async (scope: string) => {
    const c = await runCheckJson(p);
    expect(c.code, JSON.stringify(c.report.checks)).toBe(0);
    expect(c.report.checks.find((l) => l.id === 'service')?.detail).toMatch(
      new RegExp(`^launchd ${scope}/ai\\.hermes\\.dashboard loaded, enabled, running`),
    );
    const d = await runDoctor(p);
    expect(
      d.findings.filter((f) => f.severity === 'problem'),
      JSON.stringify(d.findings),
    ).toEqual([]);
    expect(d.code).toBe(0);
  };

  beforeAll(async () => {
    mac = await startMacHost();
    revoke = grantSudo(mac);
    p = await prepareMacHost(mac, { generation: 'G2' });
  }, 120_000);
  afterAll(async () => {
    revoke();
    await mac?.teardown();
  });

  it('a LaunchAgent first, in gui/<uid>', async () => {
    const r = await runRemote(p, ['--no-update']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    await expectOnly(gui());
  });

  it('remote --daemon boots the agent out, removes its plist and says so; the daemon holds the port; check 0, doctor clean', async () => {
    const r = await runRemote(p, ['--no-update', '--daemon']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const service = r.report.steps.find((s) => s.id === 'service')?.detail ?? '';
    expect(service).toContain(`boot out ${gui()}/ai.hermes.dashboard`);
    expect(service).toContain(`remove ${AGENT}`);
    expect(
      r.report.steps.find((s) => s.id === 'strays')?.status,
      'the agent holding the port is not a stray to kill',
    ).toBe('ok');
    expect(await exists(AGENT)).toBe(false);
    expect(await exists(DAEMON)).toBe(true);
    await expectOnly('system');
    await expectHealthy('system');
  });

  it('a login cycle leaves the daemon alone', async () => {
    await mac.loginCycle();
    expect(await probeFromHere(p, mac.tailnetIp)).toMatchObject({ ok: true, status: 101 });
    await expectOnly('system');
  });

  it('remote (an agent again) boots the daemon out, removes its plist and says so; check 0, doctor clean; a login cycle leaves one', async () => {
    const r = await runRemote(p, ['--no-update']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const service = r.report.steps.find((s) => s.id === 'service')?.detail ?? '';
    expect(service).toContain('boot out system/ai.hermes.dashboard');
    expect(service).toContain(`remove ${DAEMON}`);
    expect(await exists(DAEMON)).toBe(false);
    await expectOnly(gui());
    await expectHealthy(gui());
    await mac.loginCycle();
    expect(await probeFromHere(p, mac.tailnetIp)).toMatchObject({ ok: true, status: 101 });
    expect(await scopes(mac)).toEqual([gui()]);
  });
});
