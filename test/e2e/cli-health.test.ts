// check, doctor, --dry-run and fleets on one real systemd guest converged the way a LAN user does it: Hermes G1,
// no Tailscale, `remote --bind all` (token mode on every interface). `remote` and `check` must agree; doctor names a
// plain `systemctl stop` from the journal; check --repair and uninstall can show their plan without changing
// anything; a fleet recap names each host's URL and counts an unreachable host once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLinuxHost, type LinuxHost } from '../hosts/linux-host.js';
import { runCli } from '../support/cli.js';
import { runCheckJson, runDoctor, runFix, statusOf } from '../support/health-run.js';
import { prepareLinuxHost, type PreparedHost } from '../support/prepare-host.js';
import { runRemote } from '../support/remote-run.js';

const UNIT = '~/.config/systemd/user/hermes-dashboard.service';
let h: LinuxHost;
let p: PreparedHost;
const env = (): NodeJS.ProcessEnv => ({ HOME: p.cliHome });
const sh = async (cmd: string): Promise<string> => {
  const r = await p.ssh(cmd);
  if (r.code !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  return r.stdout.trim();
};
const active = (): Promise<string> =>
  p.ssh('systemctl --user is-active hermes-dashboard.service').then((r) => r.stdout.trim());

beforeAll(async () => {
  h = await bootLinuxHost();
  p = await prepareLinuxHost(h, { generation: 'G1', tailscale: 'absent' });
}, 240_000);
afterAll(async () => h?.teardown());

describe('a LAN host without Tailscale, converged with --bind all', () => {
  it('remote exits 0 (token on 0.0.0.0) and names the LAN URL; check agrees (tailscale: skip, exit 0); doctor finds no problem', async () => {
    const r = await runRemote(p, ['--bind', 'all', '--no-update']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.report).toMatchObject({ mode: 'token', bind: '0.0.0.0' });
    const c = await runCheckJson(p);
    expect(c.code, JSON.stringify(c.report.checks.filter((l) => l.status === 'FAIL'))).toBe(0);
    expect(statusOf(c.report, 'tailscale')).toBe('skip');
    expect(c.report.checks.find((l) => l.id === 'tailscale')?.detail).toMatch(
      /^not needed: the dashboard was set up on 0\.0\.0\.0/,
    );
    const d = await runDoctor(p);
    expect(d.code, JSON.stringify(d.findings)).toBe(0);
    expect(d.ids).not.toContain('tailscale-missing');
    const repair = await runCheckJson(p, ['--repair']);
    expect(repair.code).toBe(0);
    expect(repair.report.repair, 'a healthy host is never repaired').toBeUndefined();
    expect(r.report.urls).toContain(`http://${h.ip}:9119`);
  });
});

describe('doctor reads why the dashboard is down', () => {
  it('after a plain `systemctl --user stop` (Restart=always): "stopped; check --repair starts it", and that fix works', async () => {
    await sh('systemctl --user stop hermes-dashboard.service');
    const d = await runDoctor(p);
    expect(d.code).toBe(3);
    expect(d.ids).toEqual(['stopped']);
    const f = d.findings[0]!;
    expect(f.symptom).toBe(
      `the dashboard is stopped (inactive/dead); \`hermes-setup check --repair ${p.target}\` starts it`,
    );
    expect(f.cause).toMatch(
      /journal: "Stopping hermes-dashboard\.service", e\.g\. systemctl stop\); a stop is not a failure, so Restart=always does not undo it/,
    );
    expect((await runFix(p, f.fix)).code).toBe(0);
    expect(await active()).toBe('active');
    expect((await runDoctor(p)).code).toBe(0);
  });
});

describe('--dry-run shows a plan and changes nothing', () => {
  it('check --repair --dry-run: what the repair would do (with the unit as a diff), exit 3, the host untouched', async () => {
    await sh(
      `systemctl --user disable --now hermes-dashboard.service 2>/dev/null; rm ${UNIT}; systemctl --user daemon-reload`,
    );
    const text = await runCli(['check', ...p.args, '--repair', '--dry-run'], env());
    expect(text.code).toBe(3);
    expect(text.stdout).toMatch(/^unhealthy: service.* — a repair would \(dry run, nothing is changed\):$/m);
    expect(text.stdout).toMatch(/^repair service: changed — would /m);
    expect(text.stdout).toMatch(/^\+ExecStart=.* dashboard --host 0\.0\.0\.0 /m);
    expect(text.stderr).toMatch(/^E_UNHEALTHY: .* — hint: run it: hermes-setup check --repair /);
    const j = await runCheckJson(p, ['--repair', '--dry-run']);
    expect(j.code).toBe(3);
    expect(j.report.repair).toMatchObject({ ran: false, dryRun: true });
    expect(j.report.repair?.diffs).toMatch(/\+\+\+ ~\/\.config\/systemd\/user\/hermes-dashboard\.service/);
    expect((await p.ssh(`test -e ${UNIT}`)).code, 'the unit is still absent').not.toBe(0);
    const fixed = await runCheckJson(p, ['--repair']);
    expect(fixed.code, JSON.stringify(fixed.report)).toBe(0);
  });

  it('uninstall --dry-run [--json]: the plan, the removed files as diffs (.env values redacted); nothing removed', async () => {
    const token = /^HERMES_DASHBOARD_SESSION_TOKEN=(\S+)$/m.exec(await sh('cat ~/.hermes/.env'))![1]!;
    const text = await runCli(['uninstall', ...p.args, '--dry-run', '--unpin-token'], env());
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      /^service: changed — would stop, disable and remove ~\/\.config\/systemd\/user\/hermes-dashboard\.service$/m,
    );
    expect(text.stdout).toMatch(/^env: changed — would remove HERMES_DASHBOARD_SESSION_TOKEN from \.env/m);
    expect(text.stdout).toMatch(/^\(dry run: nothing was changed\)$/m);
    const j = await runCli(['uninstall', ...p.args, '--dry-run', '--unpin-token', '--json'], env());
    const doc = JSON.parse(j.stdout) as {
      dryRun: boolean;
      diffs: string;
      steps: Array<{ id: string; status: string }>;
    };
    expect(doc.dryRun).toBe(true);
    expect(doc.diffs).toMatch(/^-ExecStart=/m);
    expect(doc.diffs).toMatch(/^-HERMES_DASHBOARD_SESSION_TOKEN=<redacted sha256:[0-9a-f]{12}>$/m);
    expect(doc.diffs).not.toContain(token);
    expect(await active()).toBe('active');
    expect(
      await sh(
        `grep -c HERMES_DASHBOARD_SESSION_TOKEN ~/.hermes/.env; test -e ~/.hermes/.hermes-setup-state.json && echo state`,
      ),
    ).toBe('1\nstate');
  });
});

describe('a fleet: the guest and an unreachable host', () => {
  it("the recap names each ok host's URL and counts the unreachable one once (unreachable, not failed); exit 4", async () => {
    const args = ['remote', p.target, 'deploy@127.0.0.1:1', '-i', h.keyPath, '--bind', 'all', '--no-update'];
    const r = await runCli(args, env());
    expect(r.code).toBe(4);
    const recap = r.stdout.split('\n').slice(r.stdout.split('\n').indexOf('Recap:') + 1);
    expect(recap[0]).toMatch(/^host\s+ok\s+changed\s+failed\s+unreachable\s+url$/);
    expect(recap.find((l) => l.startsWith(p.target))).toMatch(
      new RegExp(`^${p.target}\\s+\\d+\\s+0\\s+0\\s+0\\s+http://${h.ip.replace(/\./g, '\\.')}:9119$`),
    );
    expect(recap.find((l) => l.startsWith('deploy@127.0.0.1:1'))).toMatch(/^deploy@127\.0\.0\.1:1\s+0\s+0\s+0\s+1$/);
    const j = await runCli([...args, '--json'], env());
    const doc = JSON.parse(j.stdout) as {
      recap: Array<{ host: string; failed: number; unreachable: number; url?: string }>;
    };
    expect(doc.recap).toEqual([
      expect.objectContaining({ host: p.target, failed: 0, unreachable: 0, url: `http://${h.ip}:9119` }),
      expect.objectContaining({ host: 'deploy@127.0.0.1:1', failed: 0, unreachable: 1 }),
    ]);
  });
});
