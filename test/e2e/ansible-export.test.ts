// `hermes-setup export ansible`: the exported role, run by ansible-core against 2 real guests (Hermes G1, token mode),
// leaves both healthy for `hermes-setup check` (exit 0), and a second ansible run reports changed=0.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLinuxHost, type LinuxHost } from '../hosts/linux-host.js';
import { prepareLinuxHost } from '../support/prepare-host.js';
import { runCli } from '../support/cli.js';

export async function runPlaybook(dir: string, inventory: string, home: string): Promise<{ code: number; out: string; recap: string[] }> {
  const r = await execa('ansible-playbook', ['-i', inventory, join(dir, 'playbook.yml')], {
    reject: false, timeout: 240_000, all: true,
    env: { HOME: home, ANSIBLE_HOST_KEY_CHECKING: 'False', ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCAL_TEMP: join(home, 'tmp'), ANSIBLE_SSH_ARGS: '-o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=/dev/null' },
  });
  const out = String(r.all);
  return { code: r.exitCode ?? -1, out, recap: out.split('\n').filter((l) => /\bok=\d+\s+changed=\d+/.test(l)) };
}

describe('export ansible: the role converges real hosts like hermes-setup does', () => {
  const hosts: LinuxHost[] = [];
  let work: string;
  beforeAll(async () => {
    hosts.push(...await Promise.all([bootLinuxHost(), bootLinuxHost()]));
    await Promise.all(hosts.map((h) => prepareLinuxHost(h, { generation: 'G1' })));
    work = await mkdtemp('/var/tmp/hs-ansible-');
    await mkdir(join(work, '.ssh'), { mode: 0o700 });
    await writeFile(join(work, '.ssh', 'known_hosts'), `${hosts.map((h) => h.knownHostsLine).join('\n')}\n`);
    await writeFile(join(work, 'hosts.ini'), `[lab]\n${hosts.map((h, i) => `g${i} ansible_host=${h.ip} ansible_user=deploy ansible_ssh_private_key_file=${h.keyPath}`).join('\n')}\n`);
  }, 240_000);
  afterAll(async () => { await Promise.all(hosts.map((h) => h.teardown())); });

  it('exports, converges both hosts, check is healthy on both, a second run has changed=0', async () => {
    const ex = await runCli(['export', 'ansible', join(work, 'role')], { HOME: work });
    expect(ex.code).toBe(0);
    const first = await runPlaybook(join(work, 'role'), join(work, 'hosts.ini'), work);
    expect(first.code, first.out).toBe(0);
    expect(first.recap).toHaveLength(2);
    for (const l of first.recap) expect(l).toMatch(/changed=[1-9]\d*\s+unreachable=0\s+failed=0/);
    const checks = await Promise.all(hosts.map((h) => runCli(['check', `deploy@${h.ip}`, '-i', h.keyPath, '--json'], { HOME: work })));
    for (const c of checks) {
      expect(c.code, c.stdout).toBe(0);
      expect(JSON.parse(c.stdout)).toMatchObject({ healthy: true });
      expect(c.stdout).toMatch(/101 \+ gateway\.ready with the pinned token/);
    }
    const unit = await hosts[0]!.ssh('cat ~/.config/systemd/user/hermes-dashboard.service');
    expect(unit.stdout).toMatch(new RegExp(`^ExecStart=/home/deploy/\\.local/bin/hermes dashboard --host ${hosts[0]!.tailnetIp.replace(/\./g, '\\.')} --port 9119 --no-open --insecure`, 'm'));
    const second = await runPlaybook(join(work, 'role'), join(work, 'hosts.ini'), work);
    expect(second.code, second.out).toBe(0);
    expect(second.recap).toHaveLength(2);
    for (const l of second.recap) expect(l).toMatch(/changed=0\s+unreachable=0\s+failed=0/);
    const rerun = await runCli(['remote', `deploy@${hosts[1]!.ip}`, '-i', hosts[1]!.keyPath, '--json', '--no-update'], { HOME: work });
    expect(rerun.code, rerun.stdout).toBe(0);
    const steps = (JSON.parse(rerun.stdout) as { steps: Array<{ id: string; status: string }> }).steps;
    expect(steps.filter((s) => s.status === 'changed').map((s) => s.id)).toEqual(['record']);
  }, 480_000); // two ansible-playbook runs (240 s limit each): ~65 s on a loaded 2-core machine, over the 60 s default
});
