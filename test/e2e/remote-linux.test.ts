// `remote` on real systemd guests, for each generation where a remote connection is possible:
// first run converges and proves 101; second run changes nothing (bytes, mtimes, MainPID); after a real guest
// reboot the dashboard answers before any run, and a re-run is all ok.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLinuxHost, type LinuxHost } from '../hosts/linux-host.js';
import { prepareLinuxHost, type PreparedHost } from '../support/prepare-host.js';
import { runRemote, probeFromHere, mainPid } from '../support/remote-run.js';
import { snapshotTrees } from '../support/snapshot.js';

describe.each(['G1', 'G2', 'G3'] as const)('remote on a Linux systemd host, Hermes %s', (generation) => {
  let host: LinuxHost;
  let p: PreparedHost;
  beforeAll(async () => {
    host = await bootLinuxHost();
    p = await prepareLinuxHost(host, { generation });
  }, 240_000);
  afterAll(async () => host?.teardown());

  it('first run reports changes and ends with a 101 probe', async () => {
    const { code, report, stderr } = await runRemote(p);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(report.recap.changed).toBeGreaterThan(0);
    expect(report.recap.failed).toBe(0);
    expect(report.mode).toBe(generation === 'G1' ? 'token' : 'password');
    expect(report.probes[0]).toMatchObject({ ok: true, status: 101 });
    expect(report.urls).toContain(`http://${host.tailnetIp}:9119`);
    const env = await p.ssh('stat -c %a ~/.hermes ~/.hermes/.env');
    expect(env.stdout.split('\n').filter(Boolean)).toEqual(['700', '600']);
    const unit = (await p.ssh('cat ~/.config/systemd/user/hermes-dashboard.service')).stdout;
    expect(unit).toMatch(/^ExecStart=\/home\/deploy\/\.local\/bin\/hermes dashboard --host /m);
    expect(report.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(unit).not.toContain(report.token!);
    expect(unit).not.toMatch(/PASSWORD|SECRET/);
  });

  it('second run reports every step ok, writes no file and restarts nothing', async () => {
    const before = await snapshotTrees(p.ssh);
    const pid = await mainPid(p);
    const { code, report } = await runRemote(p);
    expect(code).toBe(0);
    expect(report.steps.filter((s) => s.status !== 'ok')).toEqual([]);
    expect(await snapshotTrees(p.ssh)).toBe(before);
    expect(await mainPid(p)).toBe(pid);
    expect(report.probes[0]).toMatchObject({ ok: true, status: 101 });
  });

  it('after a real guest reboot the dashboard answers before any run, and a re-run is all ok', async () => {
    const boot = await host.bootId();
    await host.reboot();
    expect(await host.bootId()).not.toBe(boot);
    expect(await probeFromHere(p, host.tailnetIp)).toMatchObject({ ok: true, status: 101 });
    const before = await snapshotTrees(p.ssh);
    const { code, report } = await runRemote(p);
    expect(code).toBe(0);
    expect(report.steps.filter((s) => s.status !== 'ok')).toEqual([]);
    expect(await snapshotTrees(p.ssh)).toBe(before);
  });
});
