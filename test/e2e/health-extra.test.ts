// The remaining doctor rows as real faults on a guest (G2, password mode): a crash loop (the basic-auth provider
// removed from .env, so a tailnet bind exits 1 at every start) and an unpinned token (Hermes mints a new token at
// every start). Each: doctor names it, and its fix command clears it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLinuxHost, type LinuxHost } from '../hosts/linux-host.js';
import { prepareLinuxHost, type PreparedHost } from '../support/prepare-host.js';
import { runRemote } from '../support/remote-run.js';
import { expectFixClears, runCheckJson } from '../support/health-run.js';

const ok = (cond: boolean, msg: string): void => {
  expect(cond, msg).toBe(true);
};
let h: LinuxHost;
let p: PreparedHost;
beforeAll(async () => {
  h = await bootLinuxHost();
  p = await prepareLinuxHost(h, { generation: 'G1' });
}, 240_000);
afterAll(async () => h?.teardown());

describe('doctor rows made for real', () => {
  it('token-rotated: no pinned token, so every restart mints a new one; `hermes-setup remote` pins it again', async () => {
    expect((await runRemote(p, ['--no-update'])).code).toBe(0);
    await p.ssh(
      "sed -i '/^HERMES_DASHBOARD_SESSION_TOKEN=/d' ~/.hermes/.env && systemctl --user restart hermes-dashboard.service",
    );
    expect((await runCheckJson(p)).code).toBe(3);
    const f = await expectFixClears(p, 'token-rotated', ok);
    expect(f.fix).toMatch(/^hermes-setup remote /);
    expect((await p.ssh('grep -c ^HERMES_DASHBOARD_SESSION_TOKEN= ~/.hermes/.env')).stdout.trim()).toBe('1');
  });

  it('crash-loop: the dashboard exits at every start; doctor names it, check --repair clears it', async () => {
    const pw = await runRemote(p, ['--no-update', '--mode', 'password']);
    expect(pw.code, JSON.stringify(pw.report.error)).toBe(0);
    await p.ssh(
      "sed -i '/^HERMES_DASHBOARD_BASIC_AUTH_/d' ~/.hermes/.env && systemctl --user restart hermes-dashboard.service",
    );
    await new Promise((r) => setTimeout(r, 12_000));
    const restarts = Number(
      (await p.ssh('systemctl --user show -p NRestarts --value hermes-dashboard.service')).stdout.trim(),
    );
    expect(restarts).toBeGreaterThanOrEqual(2);
    const f = await expectFixClears(p, 'crash-loop', ok);
    expect(f.fix).toMatch(/^hermes-setup check --repair /);
    expect((await runCheckJson(p)).code).toBe(0);
  }, 90_000);
});
