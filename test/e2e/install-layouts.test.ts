// Every install layout of docs/hermes-contract.md#c13 on a real systemd guest: `remote` (with `hermes update`
// moving G2 → G3, which rewrites the install), then `remote` again reports changed=0, the same MainPID, and the
// install fingerprint unchanged (so `hermes --version` was not re-run). Issue 12: a `pip install --user` script, pipx
// and `uv tool` symlinks used to fall back to listing $HOME, which changes every run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLinuxHost, type LinuxHost } from '../hosts/linux-host.js';
import { installSimulator, type SimLayout } from '../simulator/install.js';
import { prepareLinuxHost, type PreparedHost } from '../support/prepare-host.js';
import { mainPid, runRemote } from '../support/remote-run.js';

let h: LinuxHost;
let p: PreparedHost;

beforeAll(async () => {
  h = await bootLinuxHost();
  p = await prepareLinuxHost(h, { generation: 'G2' });
  // The system and Homebrew-style prefixes belong to deploy here, so the simulated `hermes update` can rewrite them.
  const r = await h.root(
    'mkdir -p /opt/homebrew /usr/local/lib/hermes-agent && chown -R deploy /opt/homebrew /usr/local/lib/hermes-agent /usr/local/bin',
  );
  expect(r.code, r.stderr).toBe(0);
}, 240_000);
afterAll(async () => h?.teardown());

const LAYOUTS: Array<{ name: string; layout: SimLayout; shim?: 'symlink'; command: string }> = [
  { name: 'installer, bash shim', layout: 'installer', command: '/home/deploy/.local/bin/hermes' },
  { name: 'installer, symlink', layout: 'installer', shim: 'symlink', command: '/home/deploy/.local/bin/hermes' },
  { name: 'pipx', layout: 'pipx', command: '/home/deploy/.local/bin/hermes' },
  { name: 'uv tool', layout: 'uv-tool', command: '/home/deploy/.local/bin/hermes' },
  { name: 'pip install --user (plain script)', layout: 'pip-user', command: '/home/deploy/.local/bin/hermes' },
  { name: 'system (FHS prefix, bash shim)', layout: 'root-fhs', command: '/usr/local/bin/hermes' },
  { name: 'Homebrew-style prefix', layout: 'homebrew', command: '/opt/homebrew/bin/hermes' },
];

describe('a no-op re-run reports changed=0 on every install layout', () => {
  it.each(LAYOUTS)(
    '$name',
    async ({ layout, shim, command }) => {
      // Only one install at a time (the previous layout's files would otherwise be found first).
      await p.ssh(
        'rm -rf ~/.local ~/.hermes/hermes-agent /usr/local/bin/hermes /usr/local/lib/hermes-agent/* /opt/homebrew/*',
      );
      await installSimulator((cmd, stdin) => p.ssh(cmd, stdin?.toString()), {
        generation: 'G2',
        updateTo: 'G3',
        home: '/home/deploy',
        layout,
        ...(shim ? { shim } : {}),
      });
      // `hermes update` (G2 → G3) rewrites the install; the converge records the fingerprint of the updated install.
      const first = await runRemote(p);
      expect(first.code, `${first.stderr}\n${JSON.stringify(first.report.steps, null, 1)}`).toBe(0);
      expect(first.report.steps.find((s) => s.id === 'update')?.detail).toMatch(
        /^updated G2, v0\.18\.0 \(2026\.7\.1\) → G3, v0\.21\.3/,
      );
      expect(first.report.hermes).toMatchObject({ path: command, generation: 'G3' });
      const stateFile = async () =>
        JSON.parse((await p.ssh('cat ~/.hermes/.hermes-setup-state.json')).stdout) as { hermesKey: string };
      const key = (await stateFile()).hermesKey;
      const pid = await mainPid(p);
      // A user's home directory changes between runs; the install does not.
      await p.ssh(
        'touch ~/.bash_history ~/notes-$(date +%s%N); mkdir -p ~/.cache/pip; echo x > ~/.hermes/.update_check',
      );
      const second = await runRemote(p);
      expect(second.code, second.stderr).toBe(0);
      expect(
        second.report.steps.filter((s) => s.status === 'changed'),
        JSON.stringify(second.report.steps, null, 1),
      ).toEqual([]);
      expect(second.report.recap.changed).toBe(0);
      expect(second.report.steps.find((s) => s.id === 'hermes')?.detail).toMatch(/install unchanged\)$/);
      expect(await mainPid(p)).toBe(pid);
      expect((await stateFile()).hermesKey).toBe(key);
    },
    180_000,
  );
});
