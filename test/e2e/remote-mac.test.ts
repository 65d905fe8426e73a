// `remote` on the emulated macOS host (real sshd login, launchctl emulator), for G1, G2, G3:
// first run converges and proves 101; second run changes nothing (bytes, mtimes, pid); after the emulator's
// login cycle the dashboard answers before any run, and a re-run is all ok.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMacHost, type MacHost } from '../hosts/mac-host.js';
import { prepareMacHost, type PreparedHost } from '../support/prepare-host.js';
import { mainPid, probeFromHere, runRemote } from '../support/remote-run.js';
import { snapshotTrees } from '../support/snapshot.js';

describe.each(['G1', 'G2', 'G3'] as const)('remote on an emulated macOS host, Hermes %s', (generation) => {
  let mac: MacHost;
  let p: PreparedHost;
  beforeAll(async () => {
    mac = await startMacHost();
    p = await prepareMacHost(mac, { generation });
  }, 120_000);
  afterAll(async () => mac?.teardown());

  it('first run installs the LaunchAgent and ends with a 101 probe', async () => {
    const { code, report, stderr } = await runRemote(p);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(report.recap.changed).toBeGreaterThan(0);
    expect(report.probes[0]).toMatchObject({ ok: true, status: 101 });
    const plist = (await p.ssh('cat ~/Library/LaunchAgents/ai.hermes.dashboard.plist')).stdout;
    expect(plist).toContain('<string>ai.hermes.dashboard</string>');
    expect(plist).not.toContain(report.token!);
    expect(report.warnings.join('\n')).toMatch(/starts at login/);
    expect(report.steps.find((s) => s.id === 'service')?.detail).toMatch(/bootstrap/);
  });

  it('second run reports every step ok, writes no file and restarts nothing', async () => {
    const before = await snapshotTrees(p.ssh);
    const pid = await mainPid(p);
    expect(pid).toMatch(/^\d+$/);
    const { code, report } = await runRemote(p);
    expect(code).toBe(0);
    expect(report.steps.filter((s) => s.status !== 'ok')).toEqual([]);
    expect(await snapshotTrees(p.ssh)).toBe(before);
    expect(await mainPid(p)).toBe(pid);
  });

  it('after a login cycle the dashboard answers before any run, and a re-run is all ok', async () => {
    await mac.loginCycle();
    expect(await probeFromHere(p, mac.tailnetIp)).toMatchObject({ ok: true, status: 101 });
    const before = await snapshotTrees(p.ssh);
    const { code, report } = await runRemote(p);
    expect(code).toBe(0);
    expect(report.steps.filter((s) => s.status !== 'ok')).toEqual([]);
    expect(await snapshotTrees(p.ssh)).toBe(before);
  });
});
