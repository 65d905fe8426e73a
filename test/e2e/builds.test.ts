// Builds finer than G0–G3 on real systemd guests: `--tui` exactly when `dashboard --help` lists it
// (docs/hermes-contract.md#c3: 06-02/06-03 need it for chat, 06-04 rejects it), and builds hermes-setup does not
// recognise (#c17: a renamed product; a newer build without a `dashboard` subcommand) stop with one line — before
// anything changes, or right after `hermes update`, before the later steps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLinuxHost, type LinuxHost } from '../hosts/linux-host.js';
import { installSimulator } from '../simulator/install.js';
import { runCli } from '../support/cli.js';
import { expectRefusal } from '../support/host-state.js';
import { prepareLinuxHost, type PreparedHost } from '../support/prepare-host.js';
import { runRemote } from '../support/remote-run.js';
import { snapshotTrees } from '../support/snapshot.js';

let h: LinuxHost;
let p: PreparedHost;

async function install(build: string, o: { updateTo?: string; installStamp?: boolean } = {}): Promise<void> {
  await p.ssh(
    'systemctl --user disable --now hermes-dashboard.service 2>/dev/null; rm -rf ~/.hermes ~/.config/systemd/user/hermes-dashboard.service*; systemctl --user daemon-reload',
  );
  await installSimulator((cmd, stdin) => p.ssh(cmd, stdin?.toString()), {
    generation: 'G1',
    build,
    home: '/home/deploy',
    ...o,
  });
}

beforeAll(async () => {
  h = await bootLinuxHost();
  p = await prepareLinuxHost(h, { generation: 'G1' });
}, 240_000);
afterAll(async () => h?.teardown());

describe('--tui exactly when the help lists it', () => {
  it('2026.6.3 lists --tui and needs it for chat: the unit passes it and the WebSocket probe gets 101', async () => {
    await install('2026.6.3');
    const r = await runRemote(p, ['--no-update']);
    expect(r.code, `${r.stderr}\n${JSON.stringify(r.report.steps, null, 1)}`).toBe(0);
    expect(r.report.mode).toBe('token');
    expect((await p.ssh('grep ^ExecStart= ~/.config/systemd/user/hermes-dashboard.service')).stdout).toMatch(
      / --insecure(.*) --tui\n$/,
    );
    expect(r.report.probes[0]).toMatchObject({ ok: true, status: 101 });
  });

  it('2026.6.4 rejects --tui (argparse exit 2): the unit does not pass it and the dashboard runs', async () => {
    await install('2026.6.4');
    const r = await runRemote(p, ['--no-update']);
    expect(r.code, r.stderr).toBe(0);
    expect((await p.ssh('cat ~/.config/systemd/user/hermes-dashboard.service')).stdout).not.toContain('--tui');
    expect(r.report.probes[0]).toMatchObject({ ok: true, status: 101 });
  });
});

describe('a build hermes-setup does not recognise', () => {
  it('a renamed product (Rabbit Agent v0.0.0): one line naming what was seen, before anything changes', async () => {
    await install('rabbit-2026.9.24', { installStamp: false });
    const before = await snapshotTrees(p.ssh);
    const r = await runCli(['remote', ...p.args, '--no-update'], { HOME: p.cliHome });
    expectRefusal(
      r,
      'E_HERMES_UNRECOGNISED',
      1,
      /is not one hermes-setup recognises: `hermes --version` names another product: "Rabbit Agent v0\.0\.0 \(2026\.9\.24\)"; stopping before changing anything/,
    );
    expect(await snapshotTrees(p.ssh)).toBe(before);
  });

  it('v0.0.0 from a missing install stamp with the flags it needs is driven by its capabilities', async () => {
    await install('2026.9.24', { installStamp: false });
    const r = await runRemote(p, ['--no-update']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.report.hermes).toMatchObject({ version: '0.0.0', generation: 'G3' });
  });

  it('hermes update into a build without a dashboard subcommand: the run stops right after the update; the later steps are "not run"', async () => {
    await install('2026.7.1', { updateTo: 'future-2027.1.15' });
    const r = await runCli(['remote', ...p.args, '--json'], { HOME: p.cliHome });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as {
      steps: Array<{ id: string; status: string; detail: string }>;
      error: { code: string; message: string };
    };
    expect(report.error.code).toBe('E_HERMES_UNRECOGNISED');
    expect(report.error.message).toMatch(
      /^after `hermes update`, the Hermes build at \/home\/deploy\/\.local\/bin\/hermes is not one hermes-setup recognises: `hermes dashboard --help` lists no --host \/ --port \(Hermes Agent v\d+\.\d+\.\d+ \(2027\.1\.15\).*invalid choice.*\); stopping before the later steps$/,
    );
    expect(report.steps.find((s) => s.id === 'update')?.status).toBe('failed');
    // The later steps are listed as "not run" (issue 17), none of them ran.
    const later = report.steps.filter((s) => ['env', 'config', 'strays', 'service', 'record'].includes(s.id));
    expect(later.map((s) => s.id)).toEqual(['env', 'config', 'strays', 'service', 'record']);
    expect(later.every((s) => s.status === 'not run' && s.detail === 'the run stopped at update')).toBe(true);
    expect(
      (
        await p.ssh(
          'test -e ~/.config/systemd/user/hermes-dashboard.service || test -e ~/.hermes/.hermes-setup-state.json',
        )
      ).code,
    ).not.toBe(0);
  });
});
