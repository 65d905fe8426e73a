// `remote --daemon` on a headless emulated Mac: a LaunchDaemon (system domain, UserName) through sudo -n,
// which comes back after a login cycle with no GUI session; and a clear error when sudo is refused.
// Every command agrees on the domain after --daemon (issue 13 items 1, 8), on a host whose userland is BSD's (no
// GNU tools, no timeout): check exits 0, doctor finds nothing, the `cron --timer` agent's check --repair (run on
// the Mac itself, --local) is healthy without repairing, uninstall removes it.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMacHost, type MacHost } from '../hosts/mac-host.js';
import { prepareMacHost, type PreparedHost } from '../support/prepare-host.js';
import { probeFromHere, runRemote } from '../support/remote-run.js';
import { runCli } from '../support/cli.js';
import { runCheckJson, runDoctor } from '../support/health-run.js';
import { scopes, waitFor } from '../support/mac-instances.js';

const DIST = join(import.meta.dirname, '..', '..', 'dist');
const TIMER = 'ai.hermes-setup.hermes-setup-check-local';

const sudoers: string[] = [];
const macs: MacHost[] = [];
afterAll(async () => {
  for (const f of sudoers) rmSync(f, { force: true });
  await Promise.all(macs.map((m) => m.teardown()));
});

describe('remote --daemon on a headless Mac', () => {
  let mac: MacHost;
  let p: PreparedHost;
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

  it('check exits 0 reading the system domain, doctor finds nothing, check --repair repairs nothing', async () => {
    const c = await runCheckJson(p);
    expect(c.code, JSON.stringify(c.report.checks)).toBe(0);
    expect(c.report.checks.find((l) => l.id === 'service')?.detail).toMatch(
      /^launchd system\/ai\.hermes\.dashboard loaded, enabled, running/,
    );
    const d = await runDoctor(p);
    expect(d.code, JSON.stringify(d.findings)).toBe(0);
    expect(d.findings.filter((f) => f.severity === 'problem')).toEqual([]);
    const r = await runCheckJson(p, ['--repair']);
    expect(r.code).toBe(0);
    expect(r.report.repair).toBeUndefined();
  });

  it('the cron --timer agent on the Mac runs check --repair --local: healthy, nothing repaired', async () => {
    // The CLI picks launchd by os.platform() (linux here), so this calls what `cron install --timer --local` calls on a Mac.
    const log = `${mac.home}/Library/Logs/hs-check.log`;
    const t = await mac.ssh(`node --input-type=module -e '
      const m = await import("${DIST}/cron/launchd-timer.js");
      const spec = { node: "/usr/bin/node", cli: "${DIST}/cli.js", args: ["--local"], log: "${log}", every: 5, label: "local" };
      console.log(JSON.stringify(await m.applyLaunchdTimer(spec, true)));'`);
    expect(t.code, t.stderr).toBe(0);
    expect((await mac.ssh(`launchctl kickstart user/${mac.uid}/${TIMER}`)).code).toBe(0);
    expect(await waitFor(async () => /^(healthy|unhealthy)/m.test((await mac.ssh(`cat ${log}`)).stdout), 60_000)).toBe(
      true,
    );
    const out = (await mac.ssh(`cat ${log}`)).stdout;
    expect(out).toMatch(/ok\s+service\s+launchd system\/ai\.hermes\.dashboard loaded, enabled, running/);
    expect(out).toMatch(/^healthy$/m);
    expect(out).not.toMatch(/repair|illegal option|usage:|command not found/);
  });

  it('uninstall boots the daemon out and removes its plist; nothing is left loaded', async () => {
    const r = await runCli(['uninstall', ...p.args], { HOME: p.cliHome }, { timeoutMs: 120_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /service: changed — booted out system\/ai\.hermes\.dashboard, removed \/Library\/LaunchDaemons\/ai\.hermes\.dashboard\.plist/,
    );
    expect((await p.ssh('test -e /Library/LaunchDaemons/ai.hermes.dashboard.plist')).code).not.toBe(0);
    expect((await scopes(mac)).filter((s) => s !== `user/${mac.uid}`)).toEqual([]);
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
    expect(r.stderr).toMatch(
      /^E_SUDO: installing \/Library\/LaunchDaemons\/ai\.hermes\.dashboard\.plist needs root .* — hint: a LaunchDaemon needs passwordless sudo/m,
    );
  });
});
