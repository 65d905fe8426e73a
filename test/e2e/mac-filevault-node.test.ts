// On the emulated Mac (issue 13 items 3, 5, 6, 8): FileVault — the result and doctor say, once, that nothing starts
// after a power cut before the disk is unlocked, whatever the domain, which the power cycle then shows; node/npm
// only under nvm, Volta, ~/.hermes/node or Homebrew (found by the login shell) — the plist's PATH reaches them (each
// directory once), no --skip-build, and npm runs with exactly that PATH; ProcessType Interactive.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMacHost, type MacHost } from '../hosts/mac-host.js';
import type { MacNodeLayout } from '../hosts/mac-host.js';
import { runDoctor } from '../support/health-run.js';
import { grantSudo, scopes } from '../support/mac-instances.js';
import { prepareMacHost, type PreparedHost } from '../support/prepare-host.js';
import { probeFromHere, runRemote } from '../support/remote-run.js';

const macs: MacHost[] = [];
const cleanups: Array<() => void> = [];
afterAll(async () => {
  cleanups.forEach((c) => c());
  await Promise.all(macs.map((m) => m.teardown()));
});

describe('FileVault on', () => {
  let mac: MacHost;
  let p: PreparedHost;
  beforeAll(async () => {
    mac = await startMacHost({ fileVault: true });
    macs.push(mac);
    cleanups.push(grantSudo(mac));
    p = await prepareMacHost(mac, { generation: 'G2' });
  }, 120_000);

  it('a LaunchAgent: one warning, no auto-login, not even a daemon before the unlock; doctor has it as a note and exits 0', async () => {
    const r = await runRemote(p, ['--no-update']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const fv = r.report.warnings.filter((w) => /FileVault|starts at login/.test(w));
    expect(fv).toHaveLength(1);
    expect(fv[0]).toMatch(
      /^a LaunchAgent starts at login, and FileVault is on: .*FileVault unlock screen .*not even a LaunchDaemon.*auto-login is impossible with FileVault.*fdesetup authrestart/,
    );
    const d = await runDoctor(p);
    expect(d.code).toBe(0);
    expect(d.findings.filter((f) => f.id === 'filevault').map((f) => f.severity)).toEqual(['note']);
  });

  it('--daemon: the warning says even the LaunchDaemon waits for the unlock, and a power cut shows it', async () => {
    const r = await runRemote(p, ['--no-update', '--daemon']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.report.warnings.filter((w) => /FileVault/.test(w))).toEqual([
      expect.stringMatching(
        /^FileVault is on: .*even this LaunchDaemon starts only after someone types a password there/,
      ),
    ]);
    expect((await runDoctor(p)).findings.find((f) => f.id === 'filevault')?.cause).toMatch(/even this LaunchDaemon/);
    await mac.powerCycle();
    expect((await probeFromHere(p, mac.tailnetIp, 9119, 3000)).ok, 'nothing answers before the unlock').toBe(false);
    await mac.unlockDisk();
    expect(await probeFromHere(p, mac.tailnetIp)).toMatchObject({ ok: true, status: 101 });
    expect(await scopes(mac)).toEqual(['system']);
  });
});

describe.each<[MacNodeLayout, string, string]>([
  ['nvm', '~/.nvm/versions/node/v20.19.0/bin', ''],
  ['volta', '~/.volta/bin', ''],
  ['hermes', '~/.hermes/node/bin', ''],
  ['homebrew', '/opt/homebrew/bin', '/opt/homebrew/bin/npm'],
])('node only in the %s layout', (node, rel, loginShellFinds) => {
  let mac: MacHost;
  let p: PreparedHost;
  beforeAll(async () => {
    mac = await startMacHost({ node });
    macs.push(mac);
    p = await prepareMacHost(mac, { generation: 'G2' });
  }, 120_000);

  it('the plist PATH reaches node and npm (each directory once), no --skip-build, npm runs with that PATH; ProcessType Interactive', async () => {
    expect((await p.ssh('command -v npm; bash -lc "command -v npm"')).stdout.trim(), 'where a shell finds npm').toBe(
      loginShellFinds,
    );
    const r = await runRemote(p, ['--no-update']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const plist = (await p.ssh('cat ~/Library/LaunchAgents/ai.hermes.dashboard.plist')).stdout;
    const path = /<key>PATH<\/key>\s*<string>([^<]*)<\/string>/.exec(plist)?.[1] ?? '';
    const dirs = path.split(':');
    expect(dirs).toContain(rel.replace('~', mac.home));
    expect(
      dirs.filter((d, i) => dirs.indexOf(d) !== i),
      'repeated PATH entries',
    ).toEqual([]);
    expect(dirs.filter((d) => d === `${mac.home}/.local/bin`)).toHaveLength(1);
    expect(plist).not.toContain('--skip-build');
    expect(plist).toMatch(/<key>ProcessType<\/key>\s*<string>Interactive<\/string>/);
    const npm = await p.ssh(`env -i HOME="$HOME" PATH='${path}' npm --version`);
    expect(npm.code, npm.stderr).toBe(0);
    expect(npm.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
