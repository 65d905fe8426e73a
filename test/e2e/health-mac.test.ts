// check / doctor on the emulated macOS host: launchd disabled override, exit 78, no GUI session (125),
// installed-but-not-loaded (bootstrap 5). Each fault is made with the real launchctl emulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMacHost, type MacHost } from '../hosts/mac-host.js';
import { prepareMacHost, type PreparedHost } from '../support/prepare-host.js';
import { runRemote } from '../support/remote-run.js';
import { expectFixClears, runCheckJson } from '../support/health-run.js';

const ok = (cond: boolean, msg: string): void => {
  expect(cond, msg).toBe(true);
};

describe('health on the emulated macOS host, Hermes G2', () => {
  let mac: MacHost;
  let p: PreparedHost;
  const target = () => `gui/${mac.uid}/ai.hermes.dashboard`;
  beforeAll(async () => {
    mac = await startMacHost();
    p = await prepareMacHost(mac, { generation: 'G2' });
    expect((await runRemote(p, ['--no-update'])).code).toBe(0);
  }, 120_000);
  afterAll(async () => mac?.teardown());

  it('healthy: check exits 0 (launchd loaded, enabled, running; linger not applicable)', async () => {
    const c = await runCheckJson(p);
    expect(c.code, JSON.stringify(c.report.checks)).toBe(0);
    expect(c.report.checks.find((l) => l.id === 'service')?.detail).toMatch(
      /^launchd gui\/\d+\/ai\.hermes\.dashboard loaded, enabled, running/,
    );
    expect(c.report.checks.find((l) => l.id === 'linger')?.status).toBe('skip');
  });

  it('a persistent disabled override (launchctl disable): check 3, doctor names it, launchctl enable clears it', async () => {
    expect((await p.ssh(`launchctl disable ${target()}`)).code).toBe(0);
    expect((await runCheckJson(p)).code).toBe(3);
    const f = await expectFixClears(p, 'launchd-disabled', ok);
    expect(f.fix).toBe(`launchctl enable ${target()}`);
    expect((await runCheckJson(p)).code).toBe(0);
  });

  it('exit 78 (log directory gone): doctor names it; check --repair clears it', async () => {
    expect(
      (
        await p.ssh(
          `rm -rf ~/.hermes/logs && launchctl kickstart -k ${target()}; sleep 0.5; launchctl print ${target()} | grep "last exit code"`,
        )
      ).stdout,
    ).toMatch(/78/);
    expect((await runCheckJson(p)).code).toBe(3);
    await expectFixClears(p, 'launchd-exit-78', ok);
    expect((await runCheckJson(p)).code).toBe(0);
  });

  it('installed but not loaded (bootstrap 5 territory): doctor names it; check --repair clears it', async () => {
    expect((await p.ssh(`launchctl bootout ${target()}`)).code).toBe(0);
    await new Promise((r) => setTimeout(r, 2000));
    expect((await runCheckJson(p)).code).toBe(3);
    await expectFixClears(p, 'launchd-exit-5', ok);
  });

  it('no GUI session (gui/<uid> answers 125): doctor names it; a converge loads it in user/<uid>', async () => {
    await mac.setGuiSession(false);
    await expectFixClears(p, 'launchd-exit-125', ok);
    const c = await runCheckJson(p);
    expect(c.code, JSON.stringify(c.report.checks)).toBe(0);
    expect(c.report.checks.find((l) => l.id === 'service')?.detail).toMatch(/^launchd user\//);
  });
});
