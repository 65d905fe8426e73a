// `hermes-setup export ansible`: the exported role, run by ansible-core against real guests in each access mode —
// token (Hermes G1), tunnel (G2, hermes_mode=tunnel), password (G2 with the §18.1 traps: `basic` in
// plugins.disabled, a plaintext password line, a short secret) — and against the emulated Mac (G3, password mode,
// LaunchAgent). Afterwards `hermes-setup check` agrees (exit 0) on every host, a second ansible run reports
// changed=0, no secret reaches Ansible's output, and a `remote` re-run finds only its state record to update.
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLinuxHost, type LinuxHost } from '../hosts/linux-host.js';
import { startMacHost, type MacHost } from '../hosts/mac-host.js';
import { prepareLinuxHost, prepareMacHost, type PreparedHost } from '../support/prepare-host.js';
import { runCli } from '../support/cli.js';

export async function runPlaybook(
  dir: string,
  inventory: string,
  home: string,
): Promise<{ code: number; out: string; recap: string[] }> {
  const r = await execa('ansible-playbook', ['-i', inventory, join(dir, 'playbook.yml')], {
    reject: false,
    timeout: 300_000,
    all: true,
    env: {
      HOME: home,
      ANSIBLE_HOST_KEY_CHECKING: 'False',
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_LOCAL_TEMP: join(home, 'tmp'),
      ANSIBLE_SSH_ARGS: '-o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=/dev/null',
    },
  });
  const out = String(r.all);
  return { code: r.exitCode ?? -1, out, recap: out.split('\n').filter((l) => /\bok=\d+\s+changed=\d+/.test(l)) };
}

const recapOf = (recap: string[], host: string): string =>
  recap.find((l) => l.startsWith(`${host} `)) ?? `${host}: no recap line`;

/** Secrets on a host that must never show up in Ansible's output. */
async function secretsOn(p: PreparedHost, passwordFile?: string): Promise<string[]> {
  const env = (await p.ssh('cat ~/.hermes/.env')).stdout;
  const values = [
    ...env.matchAll(/^HERMES_DASHBOARD_(?:SESSION_TOKEN|BASIC_AUTH_PASSWORD_HASH|BASIC_AUTH_SECRET)=(.+)$/gm),
  ].map((m) => m[1]!);
  const password = passwordFile ? (await readFile(passwordFile, 'utf8')).trim() : undefined;
  return [...values, ...(password ? [password] : [])];
}

describe('export ansible: the role converges real Linux hosts in every mode like hermes-setup does', () => {
  const hosts: LinuxHost[] = [];
  const prepared: PreparedHost[] = [];
  const names = ['token', 'tunnel', 'password'];
  let work: string;
  beforeAll(async () => {
    hosts.push(...(await Promise.all(names.map(() => bootLinuxHost()))));
    prepared.push(
      ...(await Promise.all(hosts.map((h, i) => prepareLinuxHost(h, { generation: i === 0 ? 'G1' : 'G2' })))),
    );
    // The password-mode traps of hermes-behaviour.md §18.1, as `hermes setup` and hand edits leave them.
    await prepared[2]!.ssh(
      "printf 'model: x\\nplugins:\\n  disabled:\\n    - basic\\n    - nous\\n' > ~/.hermes/config.yaml",
    );
    await prepared[2]!.ssh(
      "printf 'OTHER=1\\nHERMES_DASHBOARD_BASIC_AUTH_PASSWORD=hunter2-plaintext\\nHERMES_DASHBOARD_BASIC_AUTH_SECRET=short\\n' > ~/.hermes/.env; chmod 600 ~/.hermes/.env",
    );
    work = await mkdtemp('/var/tmp/hs-ansible-');
    await mkdir(join(work, '.ssh'), { mode: 0o700 });
    await writeFile(join(work, '.ssh', 'known_hosts'), `${hosts.map((h) => h.knownHostsLine).join('\n')}\n`);
    const extra: Record<string, string> = { tunnel: ' hermes_mode=tunnel' };
    await writeFile(
      join(work, 'hosts.ini'),
      `[lab]\n${hosts.map((h, i) => `${names[i]} ansible_host=${h.ip} ansible_user=deploy ansible_ssh_private_key_file=${h.keyPath}${extra[names[i]!] ?? ''}`).join('\n')}\n`,
    );
  }, 300_000);
  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.teardown()));
  });

  it('converges each mode, check is healthy, a second run has changed=0, no secret in the output', async () => {
    const ex = await runCli(['export', 'ansible', join(work, 'role')], { HOME: work });
    expect(ex.code).toBe(0);
    const first = await runPlaybook(join(work, 'role'), join(work, 'hosts.ini'), work);
    expect(first.code, first.out).toBe(0);
    for (const n of names) expect(recapOf(first.recap, n)).toMatch(/changed=[1-9]\d*\s+unreachable=0\s+failed=0/);
    const checks = await Promise.all(
      hosts.map((h) => runCli(['check', `deploy@${h.ip}`, '-i', h.keyPath, '--json'], { HOME: work })),
    );
    checks.forEach((c, i) => {
      expect(c.code, c.stdout + c.stderr).toBe(0);
      expect(JSON.parse(c.stdout)).toMatchObject({ healthy: true });
      expect(c.stdout).toMatch(
        i === 2 ? /101 \+ gateway\.ready with the ws-ticket/ : /101 \+ gateway\.ready with the pinned token/,
      );
    });
    const state = await Promise.all(
      prepared.map(
        async (p) =>
          JSON.parse((await p.ssh('cat ~/.hermes/.hermes-setup-state.json')).stdout) as { mode: string; bind: string },
      ),
    );
    expect(state.map((s) => s.mode)).toEqual(names);
    expect(state[1]!.bind).toBe('127.0.0.1');
    const unit = await hosts[0]!.ssh('cat ~/.config/systemd/user/hermes-dashboard.service');
    expect(unit.stdout).toMatch(
      new RegExp(
        `^ExecStart=/home/deploy/\\.local/bin/hermes dashboard --host ${hosts[0]!.tailnetIp.replace(/\./g, '\\.')} --port 9119 --no-open --insecure`,
        'm',
      ),
    );
    // The password host: the traps are gone, the login is the one kept on the controller (0600).
    const pwFile = join(work, '.config', 'hermes-setup', 'passwords', `deploy@${hosts[2]!.ip}`);
    expect((await execa('stat', ['-c', '%a', pwFile])).stdout).toBe('600');
    const env = (await prepared[2]!.ssh('cat ~/.hermes/.env')).stdout;
    expect(env).not.toMatch(/^HERMES_DASHBOARD_BASIC_AUTH_PASSWORD=/m);
    expect(env).toMatch(/^OTHER=1$/m);
    expect(env).toMatch(
      /^HERMES_DASHBOARD_BASIC_AUTH_PASSWORD_HASH=scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/m,
    );
    expect(/^HERMES_DASHBOARD_BASIC_AUTH_SECRET=(.*)$/m.exec(env)?.[1]?.length).toBeGreaterThanOrEqual(16);
    expect((await prepared[2]!.ssh('cat ~/.hermes/config.yaml')).stdout).not.toMatch(/- basic/);
    const secrets = (await Promise.all(prepared.map((p, i) => secretsOn(p, i === 2 ? pwFile : undefined)))).flat();
    const second = await runPlaybook(join(work, 'role'), join(work, 'hosts.ini'), work);
    expect(second.code, second.out).toBe(0);
    for (const n of names) expect(recapOf(second.recap, n)).toMatch(/changed=0\s+unreachable=0\s+failed=0/);
    for (const s of secrets) {
      expect(first.out.includes(s), "a secret in the first run's output").toBe(false);
      expect(second.out.includes(s), "a secret in the second run's output").toBe(false);
    }
    expect((await prepared[2]!.ssh('cat ~/.hermes/.env')).stdout, 'the hash is kept while the password matches').toBe(
      env,
    );
    const rerun = await runCli(['remote', `deploy@${hosts[0]!.ip}`, '-i', hosts[0]!.keyPath, '--json', '--no-update'], {
      HOME: work,
    });
    expect(rerun.code, rerun.stdout).toBe(0);
    const steps = (JSON.parse(rerun.stdout) as { steps: Array<{ id: string; status: string }> }).steps;
    expect(steps.filter((s) => s.status === 'changed').map((s) => s.id)).toEqual(['record']);
  }, 900_000); // two ansible-playbook runs over three hosts on a loaded 2-core machine
});

describe('export ansible: the role on the emulated Mac (LaunchAgent, password mode)', () => {
  let mac: MacHost;
  let m: PreparedHost;
  let work: string;
  beforeAll(async () => {
    mac = await startMacHost();
    m = await prepareMacHost(mac, { generation: 'G3' });
    work = await mkdtemp('/var/tmp/hs-ansible-mac-');
    await mkdir(join(work, '.ssh'), { mode: 0o700 });
    await writeFile(join(work, '.ssh', 'known_hosts'), `${mac.knownHostsLine}\n`);
    await writeFile(
      join(work, 'hosts.ini'),
      `mac ansible_host=${mac.ip} ansible_user=${mac.user} ansible_ssh_private_key_file=${mac.keyPath} ansible_python_interpreter=/usr/bin/python3\n`,
    );
  }, 240_000);
  afterAll(async () => mac?.teardown());

  it('bootstraps the LaunchAgent, check is healthy, a second run has changed=0', async () => {
    expect((await runCli(['export', 'ansible', join(work, 'role')], { HOME: work })).code).toBe(0);
    const first = await runPlaybook(join(work, 'role'), join(work, 'hosts.ini'), work);
    expect(first.code, first.out).toBe(0);
    expect(recapOf(first.recap, 'mac')).toMatch(/changed=[1-9]\d*\s+unreachable=0\s+failed=0/);
    const job = await m.ssh('launchctl print gui/$(id -u)/ai.hermes.dashboard');
    expect(job.stdout).toMatch(/state = running/);
    const c = await runCli(['check', ...m.args, '--json'], { HOME: work });
    expect(c.code, c.stdout + c.stderr).toBe(0);
    expect(c.stdout).toMatch(/101 \+ gateway\.ready with the ws-ticket/);
    const second = await runPlaybook(join(work, 'role'), join(work, 'hosts.ini'), work);
    expect(second.code, second.out).toBe(0);
    expect(recapOf(second.recap, 'mac')).toMatch(/changed=0\s+unreachable=0\s+failed=0/);
    const pidOf = async (): Promise<string | undefined> =>
      /\bpid = (\d+)/.exec((await m.ssh('launchctl print gui/$(id -u)/ai.hermes.dashboard')).stdout)?.[1];
    const pid = await pidOf();
    expect(pid).toBeDefined();
    expect(/\bpid = (\d+)/.exec(job.stdout)?.[1], 'the no-op run restarted nothing').toBe(pid);
    // A weak token: replaced in .env, and only a dependency changed, so the job is kickstarted (-k), not reloaded.
    await m.ssh(
      "sed -i.bak 's/^HERMES_DASHBOARD_SESSION_TOKEN=.*/HERMES_DASHBOARD_SESSION_TOKEN=weak/' ~/.hermes/.env && rm -f ~/.hermes/.env.bak",
    );
    const token = await runPlaybook(join(work, 'role'), join(work, 'hosts.ini'), work);
    expect(token.code, token.out).toBe(0);
    expect(token.out).toMatch(
      /RUNNING HANDLER \[hermes_dashboard : Restart the dashboard \(launchctl kickstart -k[^\]]*\]\s+\**\s*changed: \[mac\]/,
    );
    const afterKick = await pidOf();
    expect(afterKick).not.toBe(pid);
    // A hand-edited plist: written again, booted out, bootstrapped; then nothing to do.
    await m.ssh(
      "sed -i.bak 's|<integer>15</integer>|<integer>99</integer>|' ~/Library/LaunchAgents/ai.hermes.dashboard.plist && rm -f ~/Library/LaunchAgents/ai.hermes.dashboard.plist.bak",
    );
    const plist = await runPlaybook(join(work, 'role'), join(work, 'hosts.ini'), work);
    expect(plist.code, plist.out).toBe(0);
    expect(plist.out).toMatch(
      /TASK \[hermes_dashboard : Boot out the job \(the plist changed\)\]\s+\**\s*changed: \[mac\]/,
    );
    expect(plist.out).toMatch(/TASK \[hermes_dashboard : Bootstrap the LaunchAgent[^\]]*\]\s+\**\s*changed: \[mac\]/);
    expect((await m.ssh('cat ~/Library/LaunchAgents/ai.hermes.dashboard.plist')).stdout).toMatch(
      /<integer>15<\/integer>/,
    );
    expect(await pidOf()).not.toBe(afterKick);
    const last = await runPlaybook(join(work, 'role'), join(work, 'hosts.ini'), work);
    expect(recapOf(last.recap, 'mac')).toMatch(/changed=0\s+unreachable=0\s+failed=0/);
    expect((await runCli(['check', ...m.args], { HOME: work })).code).toBe(0);
  }, 900_000);
});
