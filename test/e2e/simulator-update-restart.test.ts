// The simulator's `hermes update` against a real systemd user manager (§10.3, issue 19 item 3), without the
// hermes-setup CLI: a hand-written `hermes-dashboard.service` runs the simulated dashboard.
//  - G3 updater: restarts hermes-dashboard.service with `systemctl --user restart` → a new MainPID, NRestarts 0.
//  - 0.18 (G2) updater: SIGTERMs the dashboard and does not restart it → a Restart=on-failure unit stays inactive.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLinuxHost, type LinuxHost } from '../hosts/linux-host.js';
import { installSimulator, type SimInstallOptions } from '../simulator/install.js';

let host: LinuxHost;
const UNIT = 'hermes-dashboard.service';

function renderUnit(restart: 'always' | 'on-failure'): string {
  return `[Unit]
Description=Hermes dashboard (hand-written for the simulator e2e test)

[Service]
ExecStart=/home/deploy/.local/bin/hermes dashboard --host 127.0.0.1 --port 9119 --isolated --no-open
Restart=${restart}
RestartSec=1

[Install]
WantedBy=default.target
`;
}

async function must(cmd: string, stdin?: string): Promise<string> {
  const r = await host.ssh(cmd, stdin === undefined ? {} : { stdin });
  if (r.code !== 0) throw new Error(`${cmd} -> ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

async function install(o: Omit<SimInstallOptions, 'home'>): Promise<void> {
  await installSimulator((cmd, stdin) => host.ssh(cmd, { stdin: stdin?.toString() }), { ...o, home: '/home/deploy' });
}

async function show(): Promise<{ pid: number; active: string; restarts: number }> {
  const out = await must(`systemctl --user show -p MainPID -p ActiveState -p NRestarts ${UNIT}`);
  const v = (k: string): string => new RegExp(`^${k}=(.*)$`, 'm').exec(out)?.[1] ?? '';
  return { pid: Number(v('MainPID')), active: v('ActiveState'), restarts: Number(v('NRestarts')) };
}

async function startUnit(restart: 'always' | 'on-failure'): Promise<number> {
  await must(`mkdir -p ~/.config/systemd/user && cat > ~/.config/systemd/user/${UNIT}`, renderUnit(restart));
  await must(`systemctl --user daemon-reload && systemctl --user enable ${UNIT} && systemctl --user restart ${UNIT}`);
  for (let i = 0; i < 100; i += 1) {
    if ((await host.ssh('curl -fsS http://127.0.0.1:9119/api/status')).code === 0) return (await show()).pid;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `dashboard did not answer: ${(await host.ssh(`journalctl --user -u ${UNIT} --no-pager | tail -20`)).stdout}`,
  );
}

beforeAll(async () => {
  host = await bootLinuxHost();
  await host.root('loginctl enable-linger deploy');
  await must(
    'umask 077; mkdir -p ~/.hermes && printf "HERMES_DASHBOARD_SESSION_TOKEN=e2e-pinned-token\\n" > ~/.hermes/.env',
  );
}, 240_000);

afterAll(async () => host?.teardown());

describe('§10.3 simulated hermes update and a hand-written hermes-dashboard.service', () => {
  it('§10.3 G3 updater: `systemctl --user restart hermes-dashboard.service` → a new MainPID, NRestarts 0, still serving', async () => {
    await install({ generation: 'G3', updateTo: 'G3', updateCommits: 4 });
    const before = await startUnit('always');
    const u = await host.ssh('~/.local/bin/hermes update </dev/null', { timeoutMs: 60_000 });
    expect(u.code).toBe(0);
    expect(u.stdout).toContain('→ Found 4 new commit(s)');
    expect(u.stdout).toContain(`⟲ Restarted ${UNIT} (systemd --user)`);
    expect(u.stdout.trimEnd().split('\n').pop()).toBe('✓ Update complete!');
    const after = await show();
    expect(after.active).toBe('active');
    expect(after.pid).toBeGreaterThan(0);
    expect(after.pid).not.toBe(before);
    expect(after.restarts).toBe(0);
    expect((await host.ssh('curl -fsS http://127.0.0.1:9119/api/status')).stdout).toContain('"version":"0.21.3"');
  }, 120_000);

  it('§10.3 0.18 (G2) updater: SIGTERM, no restart → a Restart=on-failure unit is left inactive', async () => {
    await install({ generation: 'G2', updateTo: 'G3' });
    const before = await startUnit('on-failure');
    expect(before).toBeGreaterThan(0);
    const u = await host.ssh('~/.local/bin/hermes update </dev/null', { timeoutMs: 60_000 });
    expect(u.code).toBe(0);
    expect(u.stdout).toContain(
      '⟲ Stopping 1 dashboard process(es) (the running backend no longer matches the updated frontend)',
    );
    expect(u.stdout).not.toContain('⟲ Restarted');
    let state = await show();
    for (let i = 0; i < 30 && state.active !== 'inactive'; i += 1) {
      await new Promise((r) => setTimeout(r, 100));
      state = await show();
    }
    expect(state).toMatchObject({ active: 'inactive', pid: 0 });
  }, 120_000);
});
