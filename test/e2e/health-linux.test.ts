// check / doctor / check --repair / cron on real systemd guests. Each doctor row is a real fault on the guest;
// the test asserts doctor names it and that running the fix it prints clears it. Two guests:
// A = Hermes G3, tunnel mode (token on loopback); B = Hermes G1, tailnet + token/password modes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLinuxHost, type LinuxHost } from '../hosts/linux-host.js';
import { presetTailscaleState } from '../hosts/emulators/tailscale-state.js';
import { prepareLinuxHost, type PreparedHost } from '../support/prepare-host.js';
import { mainPid, runRemote } from '../support/remote-run.js';
import { runCli } from '../support/cli.js';
import { expectFixClears, runCheckJson, runDoctor, statusOf } from '../support/health-run.js';
import { writeLiveMarker, writeStaleMarker } from '../support/update-marker.js';

const ok = (cond: boolean, msg: string): void => {
  expect(cond, msg).toBe(true);
};
const SIM_STATE = '~/.hermes/hermes-agent/.sim-state.json';
const NEW_TOKEN = 'x'.repeat(20) + 'NewTokenNotRestarted_123';

/** Puts another simulated build in place, as a reinstall would: the venv entry is rewritten too (the install
 * fingerprint follows the install's own files, docs/hermes-contract.md#c13, not the simulator's state file). */
async function setSim(p: PreparedHost, state: object): Promise<void> {
  const r = await p.ssh(
    `cat > ${SIM_STATE} && touch -d @$(( $(date +%s) + 1 )) ~/.hermes/hermes-agent/venv/bin/hermes`,
    JSON.stringify(state),
  );
  expect(r.code).toBe(0);
}

describe('health on a Linux guest, Hermes G3 in tunnel mode', () => {
  let h: LinuxHost;
  let p: PreparedHost;
  beforeAll(async () => {
    h = await bootLinuxHost();
    p = await prepareLinuxHost(h, { generation: 'G3', tailscale: presetTailscaleState('NeedsLogin') });
    const r = await runRemote(p, ['--mode', 'tunnel', '--no-update']);
    expect(r.code, r.stderr).toBe(0);
  }, 240_000);
  afterAll(async () => h?.teardown());

  it('a healthy host: check exits 0 with every check ok or skipped, doctor finds nothing, --repair restarts nothing', async () => {
    const pid = await mainPid(p);
    const t0 = Date.now();
    const c = await runCheckJson(p);
    const ms = Date.now() - t0;
    expect(c.code, JSON.stringify(c.report.checks)).toBe(0);
    expect(c.report.healthy).toBe(true);
    expect(c.report.checks.map((l) => l.id)).toEqual([
      'service',
      'linger',
      'port',
      'websocket',
      'token',
      'tailscale',
      'version',
      'update',
    ]);
    expect(statusOf(c.report, 'websocket')).toBe('ok');
    expect(statusOf(c.report, 'tailscale')).toBe('skip');
    expect(ms).toBeLessThan(5000);
    const text = await runCli(['check', ...p.args], { HOME: p.cliHome });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^ok\s+service\s+systemd-user hermes-dashboard\.service loaded, enabled, running/m);
    expect(text.stdout).toMatch(/^healthy$/m);
    const d = await runDoctor(p);
    expect(d.code, JSON.stringify(d.findings)).toBe(0);
    const repair = await runCheckJson(p, ['--repair']);
    expect(repair.code).toBe(0);
    expect(repair.report.repair).toBeUndefined();
    expect(await mainPid(p)).toBe(pid);
  });

  it('token changed in .env without a restart: check exits 3 and names it; the restart fix clears it; then the stale-token row', async () => {
    expect(
      (
        await p.ssh(
          `sed -i 's/^HERMES_DASHBOARD_SESSION_TOKEN=.*/HERMES_DASHBOARD_SESSION_TOKEN=${NEW_TOKEN}/' ~/.hermes/.env`,
        )
      ).code,
    ).toBe(0);
    const c = await runCheckJson(p);
    expect(c.code).toBe(3);
    expect(c.report.checks.find((l) => l.id === 'token')).toMatchObject({
      status: 'FAIL',
      detail: "token in .env differs from the running server's (changed without restart)",
    });
    const f = await expectFixClears(p, 'token-not-applied', ok);
    expect(f.fix).toBe('systemctl --user restart hermes-dashboard.service');
    // The server now runs the new token, which the desktop app does not have: the stale-token row.
    await expectFixClears(p, 'stale-token', ok);
    expect((await runCheckJson(p)).code).toBe(0);
  });

  it('linger disabled: check fails the linger line, doctor names no-linger, enable-linger clears it', async () => {
    expect((await h.root('loginctl disable-linger deploy')).code).toBe(0);
    const c = await runCheckJson(p);
    expect(c.code).toBe(3);
    expect(c.report.checks.find((l) => l.id === 'linger')).toMatchObject({
      status: 'FAIL',
      fix: 'sudo loginctl enable-linger deploy',
    });
    await expectFixClears(p, 'no-linger', ok);
    expect((await runCheckJson(p)).code).toBe(0);
  });

  it('a non-loopback public_url forces the gate (403 with the token): doctor names it, its fix clears it', async () => {
    expect(
      (
        await p.ssh(
          'echo HERMES_DASHBOARD_PUBLIC_URL=https://hermes.example.com >> ~/.hermes/.env && systemctl --user restart hermes-dashboard.service',
        )
      ).code,
    ).toBe(0);
    const c = await runCheckJson(p);
    expect(c.code).toBe(3);
    expect(c.report.checks.find((l) => l.id === 'websocket')?.detail).toMatch(/^403/);
    await expectFixClears(p, 'public-url-gate', ok);
    expect((await runCheckJson(p)).code).toBe(0);
  });

  it('a foreign process on the port: doctor names it with its pid, kill clears it; --repair brings the dashboard back', async () => {
    expect(
      (
        await p.ssh(
          'systemctl --user stop hermes-dashboard.service && (setsid nohup python3 -m http.server 9119 --bind 127.0.0.1 >/dev/null 2>&1 &) && for i in $(seq 50); do ss -Hltn "sport = :9119" | grep -q 9119 && exit 0; sleep 0.1; done; exit 1',
        )
      ).code,
    ).toBe(0);
    const f = await expectFixClears(p, 'foreign-port', ok);
    expect(f.symptom).toMatch(/python3/);
    expect(f.fix).toMatch(/^kill \d+$/);
    const r = await runCheckJson(p, ['--repair']);
    expect(r.code, JSON.stringify(r.report)).toBe(0);
    expect(r.report.repair?.ran).toBe(true);
  });

  it('a stale absolute hermes path after a reinstall: doctor names it, a converge rewrites the unit', async () => {
    expect((await p.ssh('rm ~/.local/bin/hermes')).code).toBe(0);
    const f = await expectFixClears(p, 'stale-hermes-path', ok);
    expect(f.symptom).toContain('/home/deploy/.local/bin/hermes');
    expect((await runCheckJson(p)).code).toBe(0);
  });

  it('`hermes update` (G2 code) left the dashboard dead under Restart=on-failure: check 3, doctor names it, --repair brings it back', async () => {
    await p.ssh(
      'mkdir -p ~/.config/systemd/user/hermes-dashboard.service.d && printf "[Service]\\nRestart=on-failure\\n" > ~/.config/systemd/user/hermes-dashboard.service.d/on-failure.conf && systemctl --user daemon-reload',
    );
    await setSim(p, { generation: 'G2', updateTo: 'G3' });
    const u = await p.ssh('~/.hermes/hermes-agent/venv/bin/hermes update');
    expect(u.stdout).toMatch(/Stopping 1 dashboard process/);
    await new Promise((r) => setTimeout(r, 500));
    expect((await p.ssh('systemctl --user is-active hermes-dashboard.service')).stdout.trim()).toBe('inactive');
    const c = await runCheckJson(p);
    expect(c.code).toBe(3);
    expect(statusOf(c.report, 'service')).toBe('FAIL');
    const d = await runDoctor(p);
    expect(d.ids).toContain('dead-after-update');
    expect(d.findings.find((x) => x.id === 'dead-after-update')?.fix).toBe(`hermes-setup check --repair ${p.target}`);
    const r = await runCheckJson(p, ['--repair']);
    expect(r.code, JSON.stringify(r.report)).toBe(0);
    expect(r.report.repair?.before.find((l) => l.id === 'service')?.status).toBe('FAIL');
    expect((await p.ssh('systemctl --user is-active hermes-dashboard.service')).stdout.trim()).toBe('active');
    expect((await runDoctor(p)).ids).not.toContain('dead-after-update');
  });

  it('too-old Hermes (reconnect loop, needs --tui): doctor names it, `hermes update` clears it', async () => {
    await setSim(p, { generation: 'G0', updateTo: 'G3' });
    const f = await expectFixClears(p, 'too-old', ok);
    expect(f.fix).toBe('/home/deploy/.hermes/hermes-agent/venv/bin/hermes update');
    expect((await runCheckJson(p, ['--repair'])).code).toBe(0);
  });

  it('an update in progress (a live two-line marker): check reports it and --repair does not touch the service', async () => {
    const pid = await mainPid(p);
    const holder = await writeLiveMarker(p);
    const r = await runCheckJson(p, ['--repair']);
    await holder.release();
    expect(r.code).toBe(3);
    expect(statusOf(r.report, 'update')).toBe('FAIL');
    expect(r.report.checks.find((l) => l.id === 'update')?.detail).toContain(`pid ${holder.pid}`);
    expect(r.report.repair?.ran).toBe(false);
    expect(await mainPid(p)).toBe(pid);
    await p.ssh('rm ~/.hermes/.hermes-update-in-progress');
  });

  it('a stale marker (its PID is gone, or over 20 minutes old) gates nothing: check ok and says stale, doctor notes it', async () => {
    for (const o of [{}, { ageSec: 21 * 60 }]) {
      await writeStaleMarker(p, o);
      const c = await runCheckJson(p);
      expect(c.code, JSON.stringify(c.report.checks)).toBe(0);
      expect(c.report.checks.find((l) => l.id === 'update')).toMatchObject({
        status: 'ok',
        detail: expect.stringMatching(/stale marker: .*(is gone|over 20 minutes\)); not gating/),
      });
      const d = await runDoctor(p);
      expect(d.findings.find((f) => f.id === 'stale-update-marker')).toMatchObject({
        severity: 'note',
        fix: 'rm ~/.hermes/.hermes-update-in-progress',
      });
    }
    await p.ssh('rm ~/.hermes/.hermes-update-in-progress');
  });

  it('cron: install twice gives one entry, the entry runs by hand, remove leaves none; --timer runs the check', async () => {
    const tgz = await import('node:child_process').then(({ execFileSync }) =>
      execFileSync(
        'sh',
        [
          '-c',
          'tar czf - dist templates package.json $(npm ls --omit=dev --all --parseable 2>/dev/null | sed "s|^$PWD/||" | grep "^node_modules/" | grep -v "/node_modules/.*/node_modules/" | sort -u) | base64 -w0',
        ],
        { maxBuffer: 64 << 20 },
      ).toString(),
    );
    expect((await h.root('mkdir -p /opt/hs && base64 -d | tar xzf - -C /opt/hs', { stdin: tgz })).code).toBe(0);
    const cli = 'node /opt/hs/dist/cli.js';
    for (let i = 0; i < 2; i++) expect((await p.ssh(`${cli} cron install --local --every 7`)).code).toBe(0);
    const tab = (await p.ssh('crontab -l')).stdout.split('\n').filter((l) => l.includes('# hermes-setup:local'));
    expect(tab).toHaveLength(1);
    expect(tab[0]).toMatch(
      /^\*\/7 \* \* \* \* .*\/usr\/bin\/node \/opt\/hs\/dist\/cli\.js check --repair --local; \} >> .*# hermes-setup:local created-crontab$/,
    );
    const command = tab[0]!.split(' ').slice(5).join(' ');
    const run = await p.ssh(
      `sh -c '${command.replace(/'/g, `'\\''`)}'; echo rc=$?; tail -n 3 ~/.local/state/hermes-setup/check-local.log`,
    );
    expect(run.stdout, run.stderr).toMatch(/rc=0\n[\s\S]*healthy/);
    expect((await p.ssh(`${cli} cron remove --local`)).code).toBe(0);
    expect((await p.ssh('crontab -l')).stdout).not.toContain('hermes-setup');
    expect((await p.ssh(`${cli} cron install --local --timer`)).code).toBe(0);
    expect((await p.ssh('systemctl --user is-active hermes-setup-check-local.timer')).stdout.trim()).toBe('active');
    const svc = await p.ssh(
      'systemctl --user start hermes-setup-check-local.service; systemctl --user show hermes-setup-check-local.service -p Result --value',
    );
    expect(svc.stdout.trim()).toBe('success');
    expect((await p.ssh(`${cli} cron remove --local --timer`)).code).toBe(0);
    expect((await p.ssh('ls ~/.config/systemd/user/ | grep -c hermes-setup-check; true')).stdout.trim()).toBe('0');
  });

  it('an unreachable host exits 4', async () => {
    await h.stop();
    const r = await runCli(['check', ...p.args, '--connect-timeout', '2'], { HOME: p.cliHome });
    expect(r.code).toBe(4);
  });
});
