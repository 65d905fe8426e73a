// A fleet of 8 real systemd guests from one TOML inventory: one stopped (unreachable), one whose port 9119 is held
// by a foreign process (fails), six converge to a 101 probe. Recap, per-host JSON, host-prefixed lines, exit codes.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLinuxHost, type LinuxHost } from '../hosts/linux-host.js';
import { prepareLinuxHost, type PreparedHost } from '../support/prepare-host.js';
import { runCli } from '../support/cli.js';

interface FleetDoc {
  schema: string;
  exitCode: number;
  hosts: Array<{ host: string; ok: boolean; probes: Array<{ status?: number }>; error?: { code: string } }>;
  recap: Array<{ host: string; ok: number; changed: number; failed: number; unreachable: number; url?: string }>;
}

describe('remote on a fleet of 8 Linux hosts', () => {
  const hosts: LinuxHost[] = [];
  let prepared: PreparedHost[] = [];
  let home: string;
  let inventory: string;
  const names = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'busy', 'down'];
  const run = (extra: string[]) =>
    runCli(
      ['remote', '--inventory', inventory, '--parallel', '8', '--connect-timeout', '3', ...extra],
      { HOME: home },
      { timeoutMs: 240_000 },
    );

  beforeAll(async () => {
    const booted = await Promise.allSettled(names.map(() => bootLinuxHost()));
    for (const b of booted) if (b.status === 'fulfilled') hosts.push(b.value);
    const failed = booted.find((b) => b.status === 'rejected');
    if (failed) throw failed.reason;
    prepared = await Promise.all(hosts.map((h) => prepareLinuxHost(h, { generation: 'G1' })));
    home = await mkdtemp('/var/tmp/hs-fleet-home-');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(home, '.ssh'), { mode: 0o700 });
    await writeFile(join(home, '.ssh', 'known_hosts'), `${hosts.map((h) => h.knownHostsLine).join('\n')}\n`);
    inventory = join(home, 'fleet.toml');
    await writeFile(
      inventory,
      [
        `[defaults]\nuser = "deploy"\nidentity = "${hosts[0]!.keyPath}"\n`,
        ...hosts.map((h, i) => `[hosts.${names[i]}]\naddress = "${h.ip}"\n`),
        '[groups.lab]\nhosts = ["h1", "h2", "h3"]\n',
      ].join('\n'),
    );
    const busy = hosts[6]!;
    const r = await busy.ssh(
      'nohup python3 -m http.server 9119 </dev/null >/dev/null 2>&1 & sleep 0.5; ss -ltn | grep -c :9119',
    );
    expect(r.stdout.trim()).toBe('1');
    await hosts[7]!.stop();
  }, 300_000);
  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.teardown()));
  });

  it('recap and exit 4 (unreachable wins over failed); the six others end with a 101 probe', async () => {
    const r = await run(['--json']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^E_FLEET_UNREACHABLE: 2 of 8 hosts not ok \(unreachable: down; failed: busy\)/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const doc = JSON.parse(r.stdout) as FleetDoc;
    expect(doc.schema).toBe('hermes-setup/fleet@1');
    expect(doc.exitCode).toBe(4);
    expect(doc.recap.map((x) => x.host)).toEqual(names);
    for (const row of doc.recap.slice(0, 6)) expect(row).toMatchObject({ failed: 0, unreachable: 0 });
    for (const row of doc.recap.slice(0, 6)) expect(row.changed).toBeGreaterThan(0);
    expect(doc.recap[6]).toMatchObject({ host: 'busy', failed: 1, unreachable: 0 });
    expect(doc.recap[7]).toMatchObject({ host: 'down', ok: 0, changed: 0, failed: 0, unreachable: 1 }); // counted once, as Ansible
    for (const row of doc.recap.slice(0, 6)) expect(row.url).toMatch(/^http:\/\/100\.100\.\d+\.2:9119$/);
    for (const h of doc.hosts.slice(0, 6)) {
      expect(h.ok).toBe(true);
      expect(h.probes[0]?.status).toBe(101);
    }
    expect(doc.hosts[6]).toMatchObject({ host: 'busy', ok: false });
    expect(doc.hosts[6]!.error?.code).not.toMatch(/UNREACHABLE|CONNECT/);
    expect(doc.hosts[7]).toMatchObject({ host: 'down', ok: false, error: { code: expect.stringMatching(/^E_/) } });
    expect(
      await prepared[6]!.ssh('systemctl --user is-active hermes-dashboard.service').then((x) => x.stdout.trim()),
    ).not.toBe('active');
  });

  it('off a TTY: one line per event prefixed with the host, then the recap table; without the unreachable host exit is 1', async () => {
    const r = await run(['--limit', '!down']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^E_FLEET_FAILED: 1 of 7 hosts not ok \(failed: busy\)/);
    const lines = r.stdout.trim().split('\n');
    for (const n of names.slice(0, 6))
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^\\[${n}\\] probe: ok — ssh → .*101`)));
    expect(lines).toContainEqual(expect.stringMatching(/^\[busy\] \w+: failed — E_/));
    expect(lines.some((l) => l.startsWith('[down]'))).toBe(false);
    const recap = lines.slice(lines.indexOf('Recap:'));
    expect(recap[1]).toMatch(/^host\s+ok\s+changed\s+failed\s+unreachable\s+url$/);
    expect(recap.slice(2).map((l) => l.split(/\s+/)[0])).toEqual(names.slice(0, 7));
    for (const l of recap.slice(2, 8)) expect(l).toMatch(/^h\d\s+\d+\s+0\s+0\s+0\s+http:\/\/100\.100\.\d+\.2:9119$/); // a re-run: nothing changed
    expect(recap[8]).toMatch(/^busy\s+\d+\s+\d+\s+1\s+0$/);
  });

  it('check on the healthy group exits 0; with --limit excluding both bad hosts remote exits 0', async () => {
    const c = await runCli(
      ['check', '--inventory', inventory, '--limit', 'lab', '--json'],
      { HOME: home },
      { timeoutMs: 60_000 },
    );
    expect(c.code).toBe(0);
    expect((JSON.parse(c.stdout) as FleetDoc).recap.map((x) => x.host)).toEqual(['h1', 'h2', 'h3']);
    const r = await run(['--limit', 'h*', '--json', '--no-update']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });
});
