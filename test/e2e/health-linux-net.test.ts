// doctor's network and Tailscale rows on a real systemd guest (Hermes G1, tailnet binds): a public interface,
// --insecure on a hardened build, a loopback bind, Tailscale NeedsLogin/Stopped/not installed, a Funnel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLinuxHost, type LinuxHost } from '../hosts/linux-host.js';
import { presetTailscaleState } from '../hosts/emulators/tailscale-state.js';
import { prepareLinuxHost, type PreparedHost } from '../support/prepare-host.js';
import { runRemote } from '../support/remote-run.js';
import { expectFixClears, runCheckJson, runDoctor, statusOf } from '../support/health-run.js';

const ok = (cond: boolean, msg: string): void => {
  expect(cond, msg).toBe(true);
};

describe('doctor network rows on a Linux guest, Hermes G1', () => {
  let h: LinuxHost;
  let p: PreparedHost;
  const running = () => presetTailscaleState('Running', { ipv4: h.tailnetIp, hostName: h.name });
  beforeAll(async () => {
    h = await bootLinuxHost();
    p = await prepareLinuxHost(h, { generation: 'G1' });
  }, 240_000);
  afterAll(async () => h?.teardown());

  it('a 0.0.0.0 bind on a host with a public address: doctor names public-interface; --bind tailnet clears it', async () => {
    expect((await runRemote(p, ['--no-update', '--bind', 'all'])).code).toBe(0);
    expect((await h.root('ip addr add 203.0.113.7/32 dev host0')).code).toBe(0);
    const f = await expectFixClears(p, 'public-interface', ok);
    expect(f.symptom).toContain('203.0.113.7');
    expect(f.fix).toBe(`hermes-setup remote ${p.target} --bind tailnet`);
    // With the public address still there, `remote --bind all` is refused by the exposure guard (E_PUBLIC_BIND).
    const guarded = await runRemote(p, ['--no-update', '--bind', 'all']);
    expect(guarded.report.error?.code).toBe('E_PUBLIC_BIND');
    expect((await h.root('ip addr del 203.0.113.7/32 dev host0')).code).toBe(0);
  });

  it('--insecure on a hardened build (0.0.0.0 bind exits 1): doctor names insecure-noop; a converge clears it', async () => {
    expect((await runRemote(p, ['--no-update', '--bind', 'all'])).code).toBe(0);
    // Another build in place, as a reinstall leaves it (the venv entry rewritten: the install fingerprint changes).
    await p.ssh(
      `echo '{"generation":"G2"}' > ~/.hermes/hermes-agent/.sim-state.json && touch -d @$(( $(date +%s) + 1 )) ~/.hermes/hermes-agent/venv/bin/hermes && systemctl --user restart hermes-dashboard.service; sleep 1`,
    );
    expect((await runCheckJson(p)).code).toBe(3);
    await expectFixClears(p, 'insecure-noop', ok);
    const c = await runCheckJson(p);
    expect(c.code, JSON.stringify(c.report.checks)).toBe(0);
    expect(statusOf(c.report, 'token')).toBe('skip');
  });

  it('a MagicDNS Host header gets 400 "Invalid Host header": doctor notes it (exit 0), the IP URL works', async () => {
    const d = await runDoctor(p);
    expect(d.code).toBe(0);
    const f = d.findings.find((x) => x.id === 'invalid-host-header');
    expect(f?.severity).toBe('note');
    expect(f?.fix).toContain(`http://${h.tailnetIp}:9119`);
  });

  it('the dashboard bound to loopback by hand while the mode needs the tailnet IP: check 3, doctor names wrong-bind, its fix (kill the instance) clears it, --repair restores', async () => {
    await p.ssh(
      'systemctl --user stop hermes-dashboard.service && (setsid nohup ~/.local/bin/hermes dashboard --host 127.0.0.1 --port 9119 --no-open >/dev/null 2>&1 &) && for i in $(seq 50); do ss -Hltn "sport = :9119" | grep -q 9119 && exit 0; sleep 0.1; done',
    );
    const c = await runCheckJson(p);
    expect(c.code).toBe(3);
    expect(c.report.checks.find((l) => l.id === 'port')?.detail).toMatch(/loopback only/);
    const f = await expectFixClears(p, 'wrong-bind', ok);
    expect(f.fix).toMatch(/^kill \d+$/);
    expect((await runCheckJson(p, ['--repair'])).code).toBe(0);
  });

  it.each([
    ['NeedsLogin', 'tailscale-needs-login'],
    ['Stopped', 'tailscale-stopped'],
  ] as const)(
    'Tailscale %s: check 3, doctor names %s; `tailscale up` (the emulator back to Running) clears it',
    async (state, id) => {
      await p.setTailscale(presetTailscaleState(state));
      const c = await runCheckJson(p);
      expect(c.code).toBe(3);
      expect(statusOf(c.report, 'tailscale')).toBe('FAIL');
      const d = await runDoctor(p);
      expect(d.ids).toContain(id);
      expect(d.findings.find((x) => x.id === id)?.fix).toBe('sudo tailscale up');
      await p.setTailscale(running()); // what `tailscale up` does; the emulator has no `up`
      expect((await runDoctor(p)).ids).not.toContain(id);
    },
  );

  it('Tailscale not installed: doctor names it; installing it clears it', async () => {
    await h.root('mv /usr/local/bin/tailscale /root/tailscale');
    expect((await runDoctor(p)).ids).toContain('tailscale-missing');
    await h.root('mv /root/tailscale /usr/local/bin/tailscale');
    const d = await runDoctor(p);
    expect(d.ids).not.toContain('tailscale-missing');
    expect(d.code).toBe(0);
  });

  it('a Tailscale Funnel on the dashboard port: doctor names it; removing the funnel clears it', async () => {
    await p.setTailscale({ ...running(), serve: [{ target: 'http://127.0.0.1:9119', funnel: true }] });
    const d = await runDoctor(p);
    expect(d.code).toBe(3);
    expect(d.findings.find((x) => x.id === 'tailscale-funnel')?.fix).toBe('sudo tailscale funnel reset');
    await p.setTailscale({ ...running(), serve: [{ target: 'http://127.0.0.1:9119', funnel: false }] }); // `funnel reset` keeps nothing public
    expect((await runDoctor(p)).ids).not.toContain('tailscale-funnel');
  });
});
