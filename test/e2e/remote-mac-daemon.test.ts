// `remote --daemon` on a headless emulated Mac: a LaunchDaemon (system domain, UserName) through sudo -n,
// which comes back after a login cycle with no GUI session; and a clear error when sudo is refused.
import { rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMacHost, type MacHost } from '../hosts/mac-host.js';
import { prepareMacHost, type PreparedHost } from '../support/prepare-host.js';
import { probeFromHere, runRemote } from '../support/remote-run.js';
import { runCli } from '../support/cli.js';

const sudoers: string[] = [];
const macs: MacHost[] = [];
afterAll(async () => {
  for (const f of sudoers) rmSync(f, { force: true });
  await Promise.all(macs.map((m) => m.teardown()));
});

describe('remote --daemon on a headless Mac', () => {
  let mac: MacHost; let p: PreparedHost;
  beforeAll(async () => {
    mac = await startMacHost({ gui: false });
    macs.push(mac);
    p = await prepareMacHost(mac, { generation: 'G2' });
    const f = `/etc/sudoers.d/hs-test-${mac.user}`;
    writeFileSync(f, `${mac.user} ALL=(ALL) NOPASSWD:ALL\n`, { mode: 0o440 });
    sudoers.push(f);
  }, 120_000);

  it('installs a LaunchDaemon with UserName in the system domain and proves 101', async () => {
    const r = await runRemote(p, ['--daemon']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.report.probes[0]).toMatchObject({ ok: true, status: 101 });
    const plist = (await p.ssh('cat /Library/LaunchDaemons/ai.hermes.dashboard.plist')).stdout;
    expect(plist).toContain(`<key>UserName</key>\n    <string>${mac.user}</string>`);
    expect((await p.ssh('test -e ~/Library/LaunchAgents/ai.hermes.dashboard.plist')).code).not.toBe(0);
    expect(r.report.warnings.join('\n')).not.toMatch(/starts at login/);
    const again = await runRemote(p, ['--daemon']);
    expect(again.report.steps.filter((s) => s.status !== 'ok')).toEqual([]);
  });

  it('comes back after a login cycle without any GUI session', async () => {
    await mac.loginCycle();
    expect(await probeFromHere(p, mac.tailnetIp)).toMatchObject({ ok: true, status: 101 });
  });
});

describe('remote --daemon without sudo', () => {
  let p: PreparedHost;
  beforeAll(async () => {
    const mac = await startMacHost({ gui: false });
    macs.push(mac);
    p = await prepareMacHost(mac, { generation: 'G2' });
  }, 120_000);

  it('fails with E_SUDO and the fix', async () => {
    const r = await runCli(['remote', ...p.args, '--daemon'], { HOME: p.cliHome });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^E_SUDO: installing \/Library\/LaunchDaemons\/ai\.hermes\.dashboard\.plist needs root .* — hint: a LaunchDaemon needs passwordless sudo/m);
  });
});
