// After `hermes update`, the report describes the host as it is now (issue 19): the update line says what the
// updater did (from its output and the versions before/after), the service and port lines carry the PID the
// service has afterwards, the version is the one installed, the run exits 0, and a following run changes nothing.
// G1→G2 and G2→G3: the running (0.18) updater only kills dashboards; G3→G3: it restarts hermes-dashboard.service
// itself (docs/hermes-contract.md#c10).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConvergeReport } from '../../src/converge/report.js';
import { bootLinuxHost, type LinuxHost } from '../hosts/linux-host.js';
import { prepareLinuxHost, type PreparedHost } from '../support/prepare-host.js';
import { mainPid, runRemote } from '../support/remote-run.js';

const step = (r: ConvergeReport, id: string) => r.steps.find((s) => s.id === id);

describe.each([
  { from: 'G1', to: 'G2', version: '0.18.0', restartedByUpdater: false },
  { from: 'G2', to: 'G3', version: '0.21.3', restartedByUpdater: false },
  { from: 'G3', to: 'G3', version: '0.21.3', restartedByUpdater: true },
] as const)('hermes update $from → $to', ({ from, to, version, restartedByUpdater }) => {
  let host: LinuxHost;
  let p: PreparedHost;
  beforeAll(async () => {
    host = await bootLinuxHost();
    p = await prepareLinuxHost(host, { generation: from, updateTo: to });
  }, 240_000);
  afterAll(async () => host?.teardown());

  it('the report matches the host afterwards, and the next run changes nothing', async () => {
    const installed = await runRemote(p, ['--no-update']);
    expect(installed.code).toBe(0);
    const before = await mainPid(p);

    const r = await runRemote(p);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const pid = await mainPid(p);
    expect(pid).not.toBe(before);

    const update = step(r.report, 'update');
    expect(update?.status).toBe('changed');
    if (from === to) expect(update?.detail).toMatch(/^pulled 42 commits, still G3, v0\.21\.3/);
    else
      expect(update?.detail).toMatch(
        new RegExp(`^updated ${from}, v[0-9.]+ \\([0-9.]+\\) → ${to}, v${version.replace(/\./g, '\\.')}`),
      );
    if (restartedByUpdater) {
      expect(update?.detail).toContain(`the dashboard was restarted by hermes update (pid ${before} → ${pid})`);
      expect(step(r.report, 'service')).toMatchObject({
        status: 'ok',
        detail: expect.stringContaining(`(pid ${pid})`),
      });
    } else {
      expect(update?.detail).toContain(`hermes update stopped the dashboard (pid ${before})`);
      expect(step(r.report, 'service')).toMatchObject({
        status: 'changed',
        detail: expect.stringContaining(`active (pid ${pid})`),
      });
    }
    expect(step(r.report, 'port')?.detail).toContain(`(pid ${pid}`);
    expect(r.report.hermes).toMatchObject({ version, generation: to });
    const line = (await p.ssh('~/.local/bin/hermes --version | head -n 1')).stdout;
    expect(line).toContain(`v${version}`);

    const again = await runRemote(p);
    expect(again.code).toBe(0);
    expect(step(again.report, 'update')?.detail).toMatch(/^already up to date/);
    expect(again.report.recap.changed).toBe(0);
    expect(await mainPid(p)).toBe(pid);
  });
});
