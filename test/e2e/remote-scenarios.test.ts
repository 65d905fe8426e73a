// `remote` scenarios on real systemd guests: crossing the 2026-06-21 hardening through `hermes update`,
// --dry-run changing no byte, a G0 host that stays too old, and tunnel mode.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLinuxHost, type LinuxHost } from '../hosts/linux-host.js';
import { presetTailscaleState } from '../hosts/emulators/tailscale-state.js';
import { prepareLinuxHost, type PreparedHost } from '../support/prepare-host.js';
import { runRemote } from '../support/remote-run.js';
import { runCli } from '../support/cli.js';
import { snapshotTrees } from '../support/snapshot.js';

const hosts: LinuxHost[] = [];
afterAll(async () => {
  await Promise.all(hosts.map((h) => h.teardown()));
});

async function host(o: Parameters<typeof prepareLinuxHost>[1]): Promise<{ h: LinuxHost; p: PreparedHost }> {
  const h = await bootLinuxHost();
  hosts.push(h);
  return { h, p: await prepareLinuxHost(h, o) };
}

describe('update moves a G1 host to G2', () => {
  let h: LinuxHost;
  let p: PreparedHost;
  beforeAll(async () => ({ h, p } = await host({ generation: 'G1', updateTo: 'G2' })), 240_000);

  it('the old 0.0.0.0 token set-up is replaced by password mode on the tailnet IP, and the probe passes', async () => {
    const first = await runRemote(p, ['--no-update', '--bind', 'all']);
    expect(first.code).toBe(0);
    expect(first.report).toMatchObject({ mode: 'token', bind: '0.0.0.0' });
    expect((await p.ssh('ss -Hltn "sport = :9119"')).stdout).toMatch(/0\.0\.0\.0:9119/);
    const second = await runRemote(p);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(second.report.hermes).toMatchObject({ generation: 'G2', version: '0.18.0' });
    expect(second.report).toMatchObject({ mode: 'password', bind: h.tailnetIp });
    expect(second.report.steps.find((s) => s.id === 'update')?.status).toBe('changed');
    expect(second.report.probes[0]).toMatchObject({ ok: true, status: 101 });
    const listening = (await p.ssh('ss -Hltn "sport = :9119"')).stdout;
    expect(listening).toContain(`${h.tailnetIp}:9119`);
    expect(listening).not.toMatch(/0\.0\.0\.0:9119/);
    expect((await p.ssh('cat ~/.config/systemd/user/hermes-dashboard.service')).stdout).not.toMatch(
      /--insecure|0\.0\.0\.0/,
    );
  });
});

describe('--dry-run', () => {
  let p: PreparedHost;
  beforeAll(async () => ({ p } = await host({ generation: 'G2' })), 240_000);

  it('on a fresh host prints the plan with redacted diffs and changes no byte', async () => {
    const before = await snapshotTrees(p.ssh);
    const r = await runCli(['remote', ...p.args, '--dry-run'], { HOME: p.cliHome });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\+\+\+ ~\/\.hermes\/\.env\s+planned/);
    expect(r.stdout).toMatch(/\+HERMES_DASHBOARD_SESSION_TOKEN=<redacted sha256:[0-9a-f]{12}>/);
    expect(r.stdout).toMatch(/\+ExecStart=\/home\/deploy\/\.local\/bin\/hermes dashboard/);
    expect(r.stdout).toMatch(/dry run: nothing was changed/);
    expect(await snapshotTrees(p.ssh)).toBe(before);
    expect((await p.ssh('systemctl --user is-active hermes-dashboard.service')).stdout.trim()).not.toBe('active');
    expect((await p.ssh('test -e ~/.config/systemd/user/hermes-dashboard.service')).code).not.toBe(0);
  });

  it('on a configured host changes no byte and reports nothing to do', async () => {
    expect((await runRemote(p)).code).toBe(0);
    const before = await snapshotTrees(p.ssh);
    const r = await runCli(['remote', ...p.args, '--dry-run', '--json'], { HOME: p.cliHome });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { steps: Array<{ status: string }> };
    expect(report.steps.filter((s) => s.status === 'changed')).toEqual([]);
    expect(await snapshotTrees(p.ssh)).toBe(before);
  });
});

describe('a G0 host', () => {
  let p: PreparedHost;
  beforeAll(async () => ({ p } = await host({ generation: 'G0' })), 240_000);

  it('that stays G0 after update fails with "too old" and the fix, and changes nothing', async () => {
    const before = await snapshotTrees(p.ssh);
    const r = await runCli(['remote', ...p.args], { HOME: p.cliHome });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^E_HERMES_TOO_OLD: Hermes v0\.15\.2 .* too old.* — hint: update Hermes on the host \(`hermes update`; hermes-setup runs it first unless --no-update\)/m,
    );
    expect(await snapshotTrees(p.ssh)).toBe(before);
  });
});

describe('tunnel mode', () => {
  let p: PreparedHost;
  beforeAll(
    async () => ({ p } = await host({ generation: 'G3', tailscale: presetTailscaleState('NeedsLogin') })),
    240_000,
  );

  it('auto picks tunnel when Tailscale is logged out: loopback bind, ssh -N -L command, probe through SSH', async () => {
    const r = await runRemote(p);
    expect(r.code).toBe(0);
    expect(r.report).toMatchObject({ mode: 'tunnel', bind: '127.0.0.1' });
    expect(r.report.reason).toMatch(/NeedsLogin/);
    expect(r.report.tunnel?.command).toMatch(/^ssh -N -L 19119:127\.0\.0\.1:9119 -i \S+id_ed25519 deploy@/); // the key the run was given
    expect(r.report.probes[0]).toMatchObject({ ok: true, status: 101, via: 'ssh → 127.0.0.1:9119' });
    expect((await p.ssh('ss -Hltn "sport = :9119"')).stdout).toContain('127.0.0.1:9119');
  });
});

describe('the port', () => {
  let p: PreparedHost;
  beforeAll(async () => ({ p } = await host({ generation: 'G2' })), 240_000);

  it('a foreign process holding it fails the run, names it, and is left alone', async () => {
    await p.ssh(
      'nohup python3 -m http.server 9119 --bind 0.0.0.0 </dev/null >/dev/null 2>&1 & echo $! > /tmp/foreign.pid',
    );
    await new Promise((r) => setTimeout(r, 500));
    const r = await runCli(['remote', ...p.args], { HOME: p.cliHome });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^E_PORT_FOREIGN: port 9119 is held by pid \d+ \(python3 -m http\.server 9119/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect((await p.ssh('kill -0 $(cat /tmp/foreign.pid)')).code).toBe(0);
    await p.ssh('kill $(cat /tmp/foreign.pid)');
  });

  it('a stray hand-started dashboard is stopped by PID and the service takes over', async () => {
    await p.ssh(
      'cd ~; nohup ~/.local/bin/hermes dashboard --host 127.0.0.1 --port 9119 --no-open </dev/null >/dev/null 2>&1 & echo $! > /tmp/stray.pid',
    );
    await new Promise((r) => setTimeout(r, 1500));
    const stray = (await p.ssh('cat /tmp/stray.pid')).stdout.trim();
    const r = await runRemote(p);
    expect(r.code).toBe(0);
    expect(r.report.steps.find((s) => s.id === 'strays')).toMatchObject({
      status: 'changed',
      detail: expect.stringContaining(`pid ${stray}`),
    });
    expect((await p.ssh(`kill -0 ${stray}`)).code).not.toBe(0);
    expect(r.report.probes[0]).toMatchObject({ ok: true, status: 101 });
  });
});

describe('remote --configure-desktop', () => {
  let p: PreparedHost;
  beforeAll(async () => ({ p } = await host({ generation: 'G1' })), 240_000);

  it('writes connection.json for the converged host, keeping other keys, token only with --store-token-plain', async () => {
    const { mkdtemp, readFile, writeFile } = await import('node:fs/promises');
    const dir = await mkdtemp('/var/tmp/hs-desktop-');
    await writeFile(
      `${dir}/connection.json`,
      JSON.stringify({
        mode: 'local',
        profiles: { work: { mode: 'remote', url: 'http://10.0.0.1:9119', authMode: 'token' } },
        extra: 42,
      }),
    );
    const r = await runCli(
      ['remote', ...p.args, '--configure-desktop', '--store-token-plain', '--json', '--show-token'],
      { HOME: p.cliHome, HERMES_DESKTOP_USER_DATA_DIR: dir },
    );
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { urls: string[]; token: string; desktop: { file: string } };
    const conn = JSON.parse(await readFile(`${dir}/connection.json`, 'utf8')) as { remote: unknown };
    expect(conn).toMatchObject({ mode: 'remote', extra: 42, profiles: { work: { url: 'http://10.0.0.1:9119' } } });
    expect(conn.remote).toMatchObject({
      url: report.urls[0],
      authMode: 'token',
      token: { encoding: 'plain', value: report.token },
    });
    expect(report.desktop.file).toBe(`${dir}/connection.json`);
  });
});
