// The install fingerprint of the facts script (src/facts/install-key.ts) on every install layout of
// docs/hermes-contract.md#c13, against the simulator installed in a temp HOME: it ignores everything in $HOME that is
// not the install (files created, `hermes --version` run, Python-style __pycache__ appearing in site-packages), and it
// changes when `hermes update` changes the install. Runs the real shell functions with sh.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { INSTALL_KEY_FNS } from '../../src/facts/install-key.js';
import { createSim, removeSim, runHermes, type Sim } from '../simulator/helpers/harness.js';
import type { SimLayout } from '../simulator/install.js';

const sims: Sim[] = [];
afterAll(() => {
  for (const s of sims) removeSim(s);
});

function key(s: Sim, cmd = s.shim): string {
  return execFileSync('sh', ['-c', `${INSTALL_KEY_FNS}\ninstall_key "$1" | cksum`, 'sh', cmd], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: s.home },
  })
    .toString()
    .trim();
}

function material(s: Sim): string {
  return execFileSync('sh', ['-c', `${INSTALL_KEY_FNS}\ninstall_key "$1"`, 'sh', s.shim], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: s.home },
  }).toString();
}

/** What a user's $HOME does between two runs, and what running Hermes does to its own install. */
function liveALittle(s: Sim): void {
  fs.writeFileSync(path.join(s.home, `.bash_history-${Date.now()}`), 'ls\n');
  fs.mkdirSync(path.join(s.home, '.cache', 'x'), { recursive: true });
  fs.writeFileSync(path.join(s.home, '.hermes', '.update_check'), String(Date.now()));
  for (const sp of [
    s.installDir,
    path.join(path.dirname(path.dirname(s.entry)), 'lib', 'python3.11', 'site-packages'),
  ]) {
    const cli = path.join(sp, 'hermes_cli');
    if (fs.existsSync(cli)) fs.mkdirSync(path.join(cli, '__pycache__'), { recursive: true });
    if (fs.existsSync(sp)) fs.mkdirSync(path.join(sp, 'requests', '__pycache__'), { recursive: true });
  }
}

const LAYOUTS: Array<{ name: string; layout: SimLayout; shim?: 'symlink' }> = [
  { name: 'installer (bash shim)', layout: 'installer' },
  { name: 'installer (symlink)', layout: 'installer', shim: 'symlink' },
  { name: 'pipx', layout: 'pipx' },
  { name: 'uv tool', layout: 'uv-tool' },
  { name: 'pip --user', layout: 'pip-user' },
  { name: 'system (root FHS)', layout: 'root-fhs' },
  { name: 'Homebrew-style', layout: 'homebrew' },
];

describe('the install fingerprint depends only on the install (docs/hermes-contract.md#c13)', () => {
  it.each(LAYOUTS)(
    '$name: stable while the home directory changes, new after `hermes update`',
    async ({ layout, shim }) => {
      const s = await createSim({ generation: 'G2', updateTo: 'G3', layout, ...(shim ? { shim } : {}) });
      sims.push(s);
      const k1 = key(s);
      expect((await runHermes(s, ['--version'])).code).toBe(0);
      liveALittle(s);
      expect(key(s), material(s)).toBe(k1);
      expect(material(s)).not.toContain('.bash_history');
      const u = await runHermes(s, ['update'], {}, 60_000);
      expect(u.code, u.stdout + u.stderr).toBe(0);
      expect(key(s)).not.toBe(k1);
      const k2 = key(s);
      liveALittle(s);
      expect(key(s)).toBe(k2);
    },
    90_000,
  );

  it('the installer shim is followed to the venv entry (the key names it), a pip --user script to its site-packages', async () => {
    const shimmed = await createSim({ generation: 'G2', layout: 'installer' });
    const pip = await createSim({ generation: 'G2', layout: 'pip-user' });
    sims.push(shimmed, pip);
    expect(material(shimmed)).toMatch(/-> .*\/\.hermes\/hermes-agent\/venv\/bin\/hermes\n/);
    expect(material(pip)).toMatch(
      /site .*\/\.local\/lib\/python3\.11\/site-packages\n(.*\n)*hermes_agent-0\.18\.0\.dist-info\n/,
    );
    expect(material(pip)).not.toMatch(/^(sim|package\.json)$/m);
  }, 60_000);
});
