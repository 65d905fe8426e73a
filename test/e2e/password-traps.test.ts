// Password mode's traps on a real systemd guest (docs/hermes-contract.md#c6), each as Hermes has it: `basic` in
// config.yaml's plugins.disabled (written by `hermes setup` 0.17: the dashboard exits 1 and crash-loops), a leftover
// plaintext password line in .env (it overrides the pinned hash: 401), a secret under 16 bytes (the provider is not
// registered), a config-side plaintext password, and the login rate limit (429 after 10 tries a minute per address).
// `remote` fixes each and says so; `check` and `doctor` name each with a fix that works.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLinuxHost, type LinuxHost } from '../hosts/linux-host.js';
import { expectFixClears, runCheckJson, runDoctor, statusOf } from '../support/health-run.js';
import { prepareLinuxHost, type PreparedHost } from '../support/prepare-host.js';
import { runRemote } from '../support/remote-run.js';

const ok = (cond: boolean, msg: string): void => {
  expect(cond, msg).toBe(true);
};
const SETUP_CONFIG =
  '# written by hermes setup (0.17)\nmodel:\n  default: anthropic/claude  # keep me\nplugins:\n  disabled:\n    - basic\n  enabled: []\n';

let h: LinuxHost;
let p: PreparedHost;

async function must(cmd: string, stdin?: string): Promise<string> {
  const r = await p.ssh(cmd, stdin);
  if (r.code !== 0) throw new Error(`${cmd} -> ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Breaks the host as a user would, then restarts the dashboard the way Hermes would pick it up. */
async function breakAndRestart(cmd: string): Promise<void> {
  await must(`${cmd} && systemctl --user restart hermes-dashboard.service`);
  await new Promise((r) => setTimeout(r, 1500));
}

beforeAll(async () => {
  h = await bootLinuxHost();
  p = await prepareLinuxHost(h, { generation: 'G2' });
  await must('mkdir -p ~/.hermes && cat > ~/.hermes/config.yaml', SETUP_CONFIG);
}, 240_000);
afterAll(async () => h?.teardown());

describe('password mode on G2, Tailscale up', () => {
  it('basic in plugins.disabled: remote enables it (only that line changes, backup kept), says so, and the sign-in works', async () => {
    const r = await runRemote(p, ['--no-update']);
    expect(r.code, `${r.stderr}\n${JSON.stringify(r.report.steps, null, 1)}`).toBe(0);
    expect(r.report.mode).toBe('password');
    expect(r.report.steps.find((s) => s.id === 'config')).toMatchObject({
      status: 'changed',
      detail:
        'remove basic from plugins.disabled in ~/.hermes/config.yaml (backup ~/.hermes/config.yaml.hermes-setup.bak)',
    });
    expect(await must('cat ~/.hermes/config.yaml')).toBe(
      SETUP_CONFIG.replace('  disabled:\n    - basic\n', '  disabled: []\n'),
    );
    expect(
      await must('cat ~/.hermes/config.yaml.hermes-setup.bak; stat -c %a ~/.hermes/config.yaml.hermes-setup.bak'),
    ).toBe(`${SETUP_CONFIG}600\n`);
    expect(r.report.probes[0]).toMatchObject({ ok: true, status: 101 });
    const again = await runRemote(p, ['--no-update']);
    expect(again.report.recap.changed, JSON.stringify(again.report.steps)).toBe(0);
  });

  it('basic disabled again by hand (crash loop): check names it, doctor names it, its fix clears it', async () => {
    await breakAndRestart("sed -i 's/^  disabled: \\[\\]$/  disabled: [basic]/' ~/.hermes/config.yaml");
    const c = await runCheckJson(p);
    expect(c.code).toBe(3);
    expect(c.report.checks.find((l) => l.id === 'basic-auth')).toMatchObject({
      status: 'FAIL',
      detail: expect.stringMatching(/basic is listed in plugins\.disabled/),
      fix: `hermes-setup remote ${p.target} --no-update`,
    });
    const f = await expectFixClears(p, 'basic-disabled', ok);
    expect(f.cause).toMatch(/no auth providers are registered/);
    expect((await runCheckJson(p)).code).toBe(0);
  });

  it('a leftover plaintext password line overrides the hash (401): check, doctor and the fix', async () => {
    await breakAndRestart("echo 'HERMES_DASHBOARD_BASIC_AUTH_PASSWORD=hunter2-left-over' >> ~/.hermes/.env");
    const c = await runCheckJson(p);
    expect(c.code).toBe(3);
    expect(c.report.checks.find((l) => l.id === 'websocket')?.detail).toMatch(/^401 /);
    expect(statusOf(c.report, 'basic-auth')).toBe('FAIL');
    await expectFixClears(p, 'plaintext-password', ok);
    expect(await must('grep -c HERMES_DASHBOARD_BASIC_AUTH_PASSWORD= ~/.hermes/.env || true')).toBe('0\n');
    expect((await runCheckJson(p)).code).toBe(0);
  });

  it('remote says it removed the plaintext line', async () => {
    await breakAndRestart("echo 'HERMES_DASHBOARD_BASIC_AUTH_PASSWORD=again' >> ~/.hermes/.env");
    const r = await runRemote(p, ['--no-update']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.report.steps.find((s) => s.id === 'env')?.detail).toContain(
      'removed a plaintext HERMES_DASHBOARD_BASIC_AUTH_PASSWORD line (it overrides the hash: login would get 401)',
    );
    expect(JSON.stringify(r.report)).not.toContain('again\\n');
  });

  it('a secret under 16 bytes unregisters the provider: check, doctor, and remote replaces it (saying so)', async () => {
    await breakAndRestart(
      "sed -i 's/^HERMES_DASHBOARD_BASIC_AUTH_SECRET=.*/HERMES_DASHBOARD_BASIC_AUTH_SECRET=tooshort/' ~/.hermes/.env",
    );
    const c = await runCheckJson(p);
    expect(c.code).toBe(3);
    expect(c.report.checks.find((l) => l.id === 'basic-auth')?.detail).toMatch(
      /HERMES_DASHBOARD_BASIC_AUTH_SECRET in ~\/\.hermes\/\.env is too short/,
    );
    expect((await runDoctor(p)).ids).toContain('short-secret');
    const r = await runRemote(p, ['--no-update']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.report.steps.find((s) => s.id === 'env')?.detail).toMatch(
      /replaced a basic-auth secret too short for Hermes \(6 bytes as base64, fewer than 16\)/,
    );
    expect(
      (await must("sed -n 's/^HERMES_DASHBOARD_BASIC_AUTH_SECRET=//p' ~/.hermes/.env")).trim().length,
    ).toBeGreaterThanOrEqual(43);
    expect((await runCheckJson(p)).code).toBe(0);
  });

  it('a config-side plaintext password: doctor names it, the fix removes only that line', async () => {
    await must(
      "printf 'dashboard:\\n  basic_auth:\\n    username: ann\\n    password: hunter2-config\\n' >> ~/.hermes/config.yaml",
    );
    await expectFixClears(p, 'config-password', ok);
    expect(await must('cat ~/.hermes/config.yaml')).toMatch(/dashboard:\n {2}basic_auth:\n {4}username: ann\n$/);
  });

  it('the login rate limit: one sign-in per check; the 11th try in a minute is reported as a 429 with "wait a minute"', async () => {
    await must('systemctl --user restart hermes-dashboard.service && sleep 2');
    for (let n = 0; n < 9; n++) {
      await must(
        `curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -d '{"provider":"basic","username":"hermes","password":"wrong-${n}","next":"/"}' http://${p.tailnetIp}:9119/auth/password-login`,
      );
    }
    const tenth = await runCheckJson(p);
    expect(tenth.code, JSON.stringify(tenth.report.checks)).toBe(0);
    const eleventh = await runCheckJson(p);
    expect(eleventh.code).toBe(3);
    expect(eleventh.report.checks.find((l) => l.id === 'websocket')).toMatchObject({
      status: 'FAIL',
      detail: expect.stringMatching(/^429 signing in: .*too many sign-ins from this address/),
      fix: expect.stringMatching(/^wait a minute/),
    });
  });
});
