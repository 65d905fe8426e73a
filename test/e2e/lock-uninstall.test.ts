// Concurrency on one host (two `remote` runs; `remote` + `check --repair`; stale and busy locks) and `uninstall`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFactsChannel } from '../../src/converge/locked-facts.js';
import { SshRemote } from '../../src/transport/ssh-remote.js';
import { bootLinuxHost, type LinuxHost } from '../hosts/linux-host.js';
import { startMacHost, type MacHost } from '../hosts/mac-host.js';
import { prepareLinuxHost, prepareMacHost, type PreparedHost } from '../support/prepare-host.js';
import { runRemote } from '../support/remote-run.js';
import { runCli } from '../support/cli.js';
import { join } from 'node:path';

let h: LinuxHost;
let p: PreparedHost;
beforeAll(async () => {
  h = await bootLinuxHost();
  p = await prepareLinuxHost(h, { generation: 'G2' });
}, 240_000);
afterAll(async () => h?.teardown());

const lockDetail = (r: Awaited<ReturnType<typeof runRemote>>) =>
  r.report.steps.find((s) => s.id === 'lock')?.detail ?? '';

describe('the remote lock', () => {
  it('two remote runs at the same moment: one waits for the other, both succeed, one unit', async () => {
    const [a, b] = await Promise.all([runRemote(p), runRemote(p)]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect([lockDetail(a), lockDetail(b)].some((d) => /after waiting/.test(d))).toBe(true);
    expect((await p.ssh('ls ~/.config/systemd/user/*.service | wc -l; ls -A ~/.hermes')).stdout).toMatch(
      /^1\n(?![\s\S]*hermes-setup\.lock)/,
    );
    expect(b.report.probes[0]).toMatchObject({ ok: true });
  });

  it('remote and check --repair at the same moment both end healthy', async () => {
    await p.ssh('systemctl --user stop hermes-dashboard.service');
    const [r, c] = await Promise.all([
      runRemote(p, ['--no-update']),
      runCli(['check', ...p.args, '--repair'], { HOME: p.cliHome }, { timeoutMs: 120_000 }),
    ]);
    expect(r.code).toBe(0);
    expect(c.code, c.stdout + c.stderr).toBe(0);
    expect((await p.ssh('systemctl --user is-active hermes-dashboard.service')).stdout.trim()).toBe('active');
  });

  it('a lock left by a dead process, or from before a reboot, is taken over', async () => {
    await p.ssh(
      'B=$(cat /proc/sys/kernel/random/boot_id); printf "999999 %s ghost:pid1\\n" "$B" > ~/.hermes/.hermes-setup.lock',
    );
    const dead = await runRemote(p, ['--no-update']);
    expect(dead.code).toBe(0);
    expect(lockDetail(dead)).toMatch(/took over a stale lock \(pid 999999 is gone\)/);
    await p.ssh('printf "1 00000000-old-boot ghost:pid1\\n" > ~/.hermes/.hermes-setup.lock');
    const rebooted = await runRemote(p, ['--no-update']);
    expect(rebooted.code).toBe(0);
    expect(lockDetail(rebooted)).toMatch(/took over a stale lock/);
    expect((await p.ssh('ls -A ~/.hermes')).stdout).not.toMatch(/hermes-setup\.lock/);
  });

  it('a live lock and --lock-wait 0: a clear one-line error, exit 1, the host untouched', async () => {
    const kh = join(p.cliHome, '.ssh', 'known_hosts');
    const holder = await SshRemote.connect({
      host: h.ip,
      port: 22,
      user: 'deploy',
      auth: { home: p.cliHome, explicit: [h.keyPath], fromConfig: [] },
      hostKeys: { knownHostsPath: kh, acceptNew: false },
    });
    const lock = await openFactsChannel(holder, 9119, 0);
    expect((await lock.lock(() => undefined)).state).toBe('held');
    try {
      const r = await runCli(['remote', ...p.args, '--lock-wait', '0'], { HOME: p.cliHome });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /^E_LOCKED: another hermes-setup run \(.+:pid\d+, remote pid \d+\) is working on this host — hint: /,
      );
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      await lock.close();
      await holder.close();
    }
    expect((await p.ssh('ls -A ~/.hermes')).stdout).not.toMatch(/hermes-setup\.lock/);
  });
});

describe('uninstall (Linux)', () => {
  it('removes the service, the state and the linger it enabled, keeps the token; a second run changes nothing', async () => {
    const before = (await p.ssh('cat ~/.hermes/.env')).stdout;
    const r = await runCli(['uninstall', ...p.args, '--json'], { HOME: p.cliHome });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { steps } = JSON.parse(r.stdout) as { steps: Array<{ id: string; status: string }> };
    expect(steps.find((s) => s.id === 'service')?.status).toBe('changed');
    expect(steps.find((s) => s.id === 'linger')?.status).toBe('changed');
    expect(
      (
        await p.ssh(
          'test -e ~/.config/systemd/user/hermes-dashboard.service || test -e ~/.hermes/.hermes-setup-state.json',
        )
      ).code,
    ).not.toBe(0);
    expect((await p.ssh('systemctl --user is-active hermes-dashboard.service')).stdout.trim()).not.toBe('active');
    expect((await h.root('test -e /var/lib/systemd/linger/deploy')).code).not.toBe(0);
    expect((await p.ssh('cat ~/.hermes/.env')).stdout).toBe(before);
    const again = await runCli(['uninstall', ...p.args, '--json'], { HOME: p.cliHome });
    expect(again.code).toBe(0);
    expect(
      (JSON.parse(again.stdout) as { steps: Array<{ status: string }> }).steps.filter((s) => s.status === 'changed'),
    ).toEqual([]);
  });

  it('--unpin-token removes only our keys, keeps a 0600 backup, and leaves linger it did not enable', async () => {
    await h.root('loginctl enable-linger deploy');
    await p.ssh('printf "OTHER=1\\n" >> ~/.hermes/.env');
    expect((await runRemote(p, ['--no-update'])).code).toBe(0);
    const r = await runCli(['uninstall', ...p.args, '--unpin-token'], { HOME: p.cliHome });
    expect(r.code).toBe(0);
    const env = (await p.ssh('cat ~/.hermes/.env')).stdout;
    expect(env).not.toMatch(/HERMES_DASHBOARD_/);
    expect(env).toMatch(/^OTHER=1$/m);
    expect((await p.ssh('stat -c %a ~/.hermes/.env.hermes-setup.bak')).stdout.trim()).toBe('600');
    expect((await h.root('test -e /var/lib/systemd/linger/deploy')).code).toBe(0);
  });
});

describe('uninstall (macOS)', () => {
  let mac: MacHost;
  let m: PreparedHost;
  beforeAll(async () => {
    mac = await startMacHost();
    m = await prepareMacHost(mac, { generation: 'G3' });
  }, 120_000);
  afterAll(async () => mac?.teardown());

  it('boots out and removes the LaunchAgent, and is idempotent', async () => {
    expect((await runRemote(m)).code).toBe(0);
    const r = await runCli(['uninstall', ...m.args], { HOME: m.cliHome });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^service: changed — booted out gui\/\d+/m);
    expect((await m.ssh('test -e ~/Library/LaunchAgents/ai.hermes.dashboard.plist')).code).not.toBe(0);
    expect((await m.ssh('launchctl print gui/$(id -u)/ai.hermes.dashboard')).code).not.toBe(0);
    const again = await runCli(['uninstall', ...m.args], { HOME: m.cliHome });
    expect(again.stdout).not.toMatch(/: changed/);
  });
});
