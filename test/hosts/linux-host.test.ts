// Real systemd-nspawn test hosts: boots Debian guests and checks them over SSH and nsenter. Needs root (see README).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLinuxHost, hostsAvailable, listLeftovers, type LinuxHost } from './linux-host.js';

const SCRIPTS = join(import.meta.dirname, 'scripts');

const DEMO_UNIT = `[Unit]
Description=demo user service for the test-host suite

[Service]
ExecStart=/usr/bin/sleep infinity
Restart=always

[Install]
WantedBy=default.target
`;

function must(host: LinuxHost | undefined): LinuxHost {
  if (!host) throw new Error('test host was not booted (see the beforeAll error)');
  return host;
}

/** nspawn leaves empty /run/systemd/nspawn/* dirs; teardown removes them once none of our hosts runs. */
function otherHostsRunning(): boolean {
  const base = '/run/hermes-setup-test-hosts';
  return existsSync(base) && readdirSync(base).some((d) => existsSync(`${base}/${d}/supervisor.pid`));
}

/** Polls a root command inside the guest until its stdout (trimmed) is `want`; returns the last stdout. */
async function rootUntil(host: LinuxHost, cmd: string, want: string, ms = 10_000): Promise<string> {
  const deadline = Date.now() + ms;
  let last = '';
  while (Date.now() < deadline) {
    last = (await host.root(cmd)).stdout.trim();
    if (last === want) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return last;
}

async function fetchText(url: string, ms = 5_000): Promise<{ status: number; body: string }> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      return { status: res.status, body: await res.text() };
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/**
 * The lingering user manager must have started demo.service at boot, before anyone logs in. Checked with
 * system-scope commands first: `systemctl --user -M deploy@` itself starts user@1000.service (and with it
 * default.target) when it is not running, so on its own it would pass even without linger.
 */
async function expectDemoActiveWithoutLogin(host: LinuxHost): Promise<void> {
  expect((await host.root('loginctl list-sessions --no-legend')).stdout.trim()).toBe('');
  expect(await rootUntil(host, 'systemctl is-active user@1000.service', 'active')).toBe('active');
  const sleepCgroup =
    'for p in $(pgrep -u deploy -x sleep); do grep -o "user@1000.service/app.slice/demo.service$" ' +
    '/proc/$p/cgroup; done | sort -u';
  expect(await rootUntil(host, sleepCgroup, 'user@1000.service/app.slice/demo.service')).toBe(
    'user@1000.service/app.slice/demo.service',
  );
  expect((await host.root('systemctl --user -M deploy@ is-active demo.service')).stdout).toBe('active\n');
  expect((await host.root('loginctl list-sessions --no-legend')).stdout.trim()).toBe('');
}

it('prerequisites for real test hosts are present (root, systemd-nspawn, debootstrap)', () => {
  expect(hostsAvailable()).toBe(true);
});

describe('one Linux test host', () => {
  let host: LinuxHost | undefined;
  beforeAll(async () => {
    host = await bootLinuxHost();
  });
  afterAll(async () => {
    await host?.teardown();
  });

  it('is a systemd guest reachable as deploy with sudo, linger, tools and a tailnet address', async () => {
    const h = must(host);
    expect(h.ip).toBe(`10.231.${h.idx}.2`);
    expect(h.tailnetIp).toBe(`100.100.${h.idx}.2`);
    expect(h.knownHostsLine).toMatch(new RegExp(`^${h.ip.replaceAll('.', '\\.')} ssh-ed25519 AAAA\\S+$`));

    const info = await h.ssh('id -un; systemd-detect-virt; echo "$XDG_RUNTIME_DIR"; sudo -n true && echo sudo-ok');
    expect(info.code).toBe(0);
    expect(info.stdout.split('\n').slice(0, 4)).toEqual(['deploy', 'systemd-nspawn', '/run/user/1000', 'sudo-ok']);

    const linger = await h.ssh('loginctl enable-linger deploy && loginctl show-user deploy -p Linger');
    expect(linger).toMatchObject({ code: 0, stdout: 'Linger=yes\n' });
    expect((await h.root('test -e /var/lib/systemd/linger/deploy && echo yes')).stdout).toBe('yes\n');

    const tools = await h.ssh(
      'for c in lsof ss node python3 crontab curl; do command -v $c || echo "missing $c"; done',
    );
    expect(tools.stdout).not.toContain('missing');
    expect(tools.stdout.trim().split('\n')).toHaveLength(6);

    const addr = await h.ssh('ip -4 -o addr show dev host0');
    expect(addr.stdout).toContain(`inet ${h.tailnetIp}/32`);
    const server =
      `require('http').createServer((q, s) => s.end('tailnet ' + require('os').hostname()))` +
      `.listen(8080, '${h.tailnetIp}')`;
    const started = await h.ssh(`nohup node -e "${server}" >/dev/null 2>&1 </dev/null & echo $!`);
    const pid = started.stdout.trim();
    expect(pid).toMatch(/^\d+$/);
    try {
      const res = await fetchText(`http://${h.tailnetIp}:8080/`);
      expect(res).toEqual({ status: 200, body: `tailnet ${h.name}` });
      expect((await h.ssh('ss -Hltn sport = :8080')).stdout).toContain(`${h.tailnetIp}:8080`);
    } finally {
      await h.ssh(`kill ${pid}`);
    }
  });

  it('keeps a lingering user unit across reboot(), powerCycle() and stop()/start()', { timeout: 120_000 }, async () => {
    const h = must(host);
    const setup = await h.ssh(
      [
        'mkdir -p ~/.config/systemd/user',
        'cat > ~/.config/systemd/user/demo.service',
        'loginctl enable-linger deploy',
        'systemctl --user daemon-reload',
        'systemctl --user enable --now demo.service',
        'systemctl --user is-active demo.service',
        'systemctl --user is-enabled demo.service',
      ].join(' && '),
      { stdin: DEMO_UNIT },
    );
    expect(setup).toMatchObject({ code: 0, stdout: 'active\nenabled\n' });

    const boot0 = await h.bootId();
    await h.reboot();
    const boot1 = await h.bootId();
    expect(boot1).toMatch(/^[0-9a-f-]{36}$/);
    expect(boot1).not.toBe(boot0);
    await expectDemoActiveWithoutLogin(h);

    await h.powerCycle();
    const boot2 = await h.bootId();
    expect(boot2).not.toBe(boot1);
    await expectDemoActiveWithoutLogin(h);
    const boots = await h.ssh(
      'journalctl --user --list-boots --no-pager | grep -cE "^ *-?[0-9]+ "; systemctl --user is-active demo.service',
    );
    expect(boots.stdout).toBe('3\nactive\n');

    await h.stop();
    const down = await h.ssh('true', { timeoutMs: 15_000 });
    expect(down.code).toBe(255);
    expect(down.stderr).toMatch(/timed out|No route to host|refused/);
    expect((await h.root('true')).code).not.toBe(0);
    await h.start();
    expect(await h.bootId()).not.toBe(boot2);
    await expectDemoActiveWithoutLogin(h);
    expect((await h.ssh('cat ~/.config/systemd/user/demo.service')).stdout).toBe(DEMO_UNIT);
  });

  it('a late teardown by another process (OWNER_PID) leaves a host it does not own alone', async () => {
    // Names are per index (hsh-IDX): the exit handler of a worker whose afterAll timed out once tore down the next
    // test file's hsh-IDX mid-run ("No route to host"). teardown.sh with OWNER_PID of another process must not.
    const h = must(host);
    const late = await execa(join(SCRIPTS, 'teardown.sh'), [h.name, String(h.idx)], {
      env: { OWNER_PID: '1' },
      reject: false,
    });
    expect(late.exitCode).toBe(0);
    expect((await h.ssh('true')).code).toBe(0);
    expect(await listLeftovers(h.name, h.idx)).toContain(`idx lock: /run/hermes-setup-test-hosts/.idx/${h.idx}`);
  });

  it('teardown() leaves nothing behind', async () => {
    const h = must(host);
    expect(await listLeftovers(h.name, h.idx)).not.toEqual([]); // sanity: the probe sees a running host
    await h.teardown();
    expect(await listLeftovers(h.name, h.idx)).toEqual([]);
    if (!otherHostsRunning()) expect(existsSync('/run/systemd/nspawn')).toBe(false);
  });
});

describe('two Linux test hosts booted concurrently', () => {
  let hosts: LinuxHost[] = [];
  beforeAll(async () => {
    const booted = await Promise.allSettled([bootLinuxHost(), bootLinuxHost()]);
    hosts = booted.flatMap((b) => (b.status === 'fulfilled' ? [b.value] : []));
    const failed = booted.find((b) => b.status === 'rejected');
    if (failed) throw failed.reason;
  });
  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.teardown()));
  });

  it('work independently', async () => {
    const [a, b] = [must(hosts[0]), must(hosts[1])];
    expect(a.idx).not.toBe(b.idx);
    expect(a.name).not.toBe(b.name);
    expect(a.knownHostsLine.split(' ')[2]).not.toBe(b.knownHostsLine.split(' ')[2]);
    const [ra, rb] = await Promise.all(
      [a, b].map((h) => h.ssh('hostname; id -un; hostname -I | tr -s " " "\\n" | grep . | sort')),
    );
    expect(ra?.stdout.trim().split('\n')).toEqual([a.name, 'deploy', a.ip, a.tailnetIp]);
    expect(rb?.stdout.trim().split('\n')).toEqual([b.name, 'deploy', b.ip, b.tailnetIp]);

    expect((await a.ssh('echo only-on-a > ~/marker && cat ~/marker')).stdout).toBe('only-on-a\n');
    expect((await b.ssh('test -e ~/marker; echo $?')).stdout).toBe('1\n');
    expect(await a.bootId()).not.toBe(await b.bootId());

    await b.reboot();
    expect((await a.ssh('cat ~/marker')).stdout).toBe('only-on-a\n');
    expect((await b.ssh('systemctl is-system-running')).stdout).toMatch(/^(running|degraded)\n$/);
  });

  it('teardown of both leaves nothing behind', async () => {
    const pairs = hosts.map((h) => [h.name, h.idx] as const);
    expect(pairs).toHaveLength(2);
    await Promise.all(hosts.map((h) => h.teardown()));
    for (const [name, idx] of pairs) expect(await listLeftovers(name, idx)).toEqual([]);
  });
});
