// `remote` paths on real systemd guests: root gets a system unit with User=; linger falls back to sudo -n
// and fails clearly when neither works; an update already in progress is waited for (or reported).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLinuxHost, type LinuxHost } from '../hosts/linux-host.js';
import { installSimulator } from '../simulator/install.js';
import { prepareLinuxHost, type PreparedHost } from '../support/prepare-host.js';
import { runRemote } from '../support/remote-run.js';
import { runCli } from '../support/cli.js';
import { snapshotTrees } from '../support/snapshot.js';
import { writeLiveMarker, writeStaleMarker } from '../support/update-marker.js';

const hosts: LinuxHost[] = [];
afterAll(async () => {
  await Promise.all(hosts.map((h) => h.teardown()));
});

async function boot(): Promise<LinuxHost> {
  const h = await bootLinuxHost();
  hosts.push(h);
  return h;
}

describe('as root', () => {
  let h: LinuxHost;
  let p: PreparedHost;
  beforeAll(async () => {
    h = await boot();
    p = await prepareLinuxHost(h, { generation: 'G2' });
    const r = await h.root(
      'install -d -m 700 /root/.ssh && cp /home/deploy/.ssh/authorized_keys /root/.ssh/ && chmod 600 /root/.ssh/authorized_keys',
    );
    expect(r.code).toBe(0);
    await installSimulator((cmd, stdin) => h.root(cmd, stdin === undefined ? {} : { stdin: stdin.toString() }), {
      generation: 'G2',
      home: '/root',
      layout: 'root-fhs',
    });
    p = {
      ...p,
      args: [`root@${h.ip}`, '-i', h.keyPath],
      target: `root@${h.ip}`,
      ssh: (cmd, stdin) => h.root(cmd, stdin === undefined ? {} : { stdin }),
    };
  }, 240_000);

  it('installs a system unit with User=root, and a second run changes nothing', async () => {
    const first = await runRemote(p);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.report.probes[0]).toMatchObject({ ok: true, status: 101 });
    const unit = (await h.root('cat /etc/systemd/system/hermes-dashboard.service')).stdout;
    expect(unit).toMatch(/^User=root$/m);
    expect(unit).toMatch(/^ExecStart=\/usr\/local\/bin\/hermes dashboard /m);
    expect(
      (
        await h.root('systemctl is-active hermes-dashboard.service; systemctl is-enabled hermes-dashboard.service')
      ).stdout
        .split('\n')
        .slice(0, 2),
    ).toEqual(['active', 'enabled']);
    expect((await h.root('test -e /root/.config/systemd/user/hermes-dashboard.service')).code).not.toBe(0);
    const pid = (await h.root('systemctl show -p MainPID --value hermes-dashboard.service')).stdout;
    const second = await runRemote(p);
    expect(second.report.steps.filter((s) => s.status !== 'ok')).toEqual([]);
    expect((await h.root('systemctl show -p MainPID --value hermes-dashboard.service')).stdout).toBe(pid);
  });
});

describe('linger', () => {
  let h: LinuxHost;
  let p: PreparedHost;
  beforeAll(async () => {
    h = await boot();
    p = await prepareLinuxHost(h, { generation: 'G3' });
    await h.root(
      'systemctl mask --now polkit.service && loginctl disable-linger deploy; mv /etc/sudoers.d/deploy /root/deploy.sudoers',
    );
  }, 240_000);

  it('fails with a clear message when neither loginctl nor sudo -n may enable it', async () => {
    const r = await runCli(['remote', ...p.args], { HOME: p.cliHome });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^E_LINGER: cannot enable linger for deploy.* — hint: ask an admin to run: sudo loginctl enable-linger deploy/m,
    );
    expect((await h.root('test -e /var/lib/systemd/linger/deploy')).code).not.toBe(0);
  });

  it('falls back to sudo -n when self-linger is refused (no polkit), and records that it enabled linger', async () => {
    await h.root('mv /root/deploy.sudoers /etc/sudoers.d/deploy');
    const r = await runRemote(p);
    expect(r.code).toBe(0);
    expect((await h.root('test -e /var/lib/systemd/linger/deploy')).code).toBe(0);
    expect(JSON.parse((await p.ssh('cat ~/.hermes/.hermes-setup-state.json')).stdout)).toMatchObject({
      lingerEnabledByUs: true,
    });
  });
});

describe('an update already in progress (a live two-line marker, docs/hermes-contract.md#c11)', () => {
  let p: PreparedHost;
  let holder: Awaited<ReturnType<typeof writeLiveMarker>>;
  beforeAll(async () => {
    p = await prepareLinuxHost(await boot(), { generation: 'G2' });
    holder = await writeLiveMarker(p);
  }, 240_000);

  it('is reported after --update-wait, changing nothing', async () => {
    const before = await snapshotTrees(p.ssh);
    const r = await runCli(['remote', ...p.args, '--update-wait', '1'], { HOME: p.cliHome });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `^E_UPDATE_IN_PROGRESS: an update is still in progress on the host after 1 s \\(.*pid ${holder.pid}`,
        'm',
      ),
    );
    expect(await snapshotTrees(p.ssh)).toBe(before);
  });

  it('is waited for: the run goes on once the updater is gone (the marker left behind is stale)', async () => {
    const run = runRemote(p);
    await new Promise((r) => setTimeout(r, 2500));
    await holder.release();
    const r = await run;
    expect(r.code, r.stderr).toBe(0);
    expect(r.report.probes[0]).toMatchObject({ ok: true });
  });

  it('a stale marker is not waited on: --update-wait 0 goes straight on to `hermes update`', async () => {
    await writeStaleMarker(p);
    const r = await runRemote(p, ['--update-wait', '0']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.report.steps.find((s) => s.id === 'update')?.status).not.toBe('failed');
  });
});
