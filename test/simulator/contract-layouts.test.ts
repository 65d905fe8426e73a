/** §12 / §18.4 install layouts: where `hermes` is found, and what `hermes update` changes on each (and nothing else). */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Sim, createSim, removeSim, runHermes } from './helpers/harness.js';
import type { SimLayout } from './install.js';

const sims: Sim[] = [];
afterAll(() => {
  for (const s of sims) removeSim(s);
});

/** path → "size:mtime:inode:link" for every entry under dir (symlinks not followed). */
function snapshot(dir: string, out = new Map<string, string>()): Map<string, string> {
  for (const name of fs.readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = fs.lstatSync(p);
    out.set(p, `${st.size}:${st.mtimeMs}:${st.ino}:${st.isSymbolicLink() ? fs.readlinkSync(p) : ''}`);
    if (st.isDirectory()) snapshot(p, out);
  }
  return out;
}
function changedPaths(before: Map<string, string>, after: Map<string, string>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((k) => before.get(k) !== after.get(k)).sort();
}

interface Row {
  layout: SimLayout;
  shim?: 'bash' | 'symlink';
  command: string;
  kind: 'bash-shim' | 'symlink' | 'script';
  changes: string[];
}
// `~` = the test HOME, `/` = the test's fsRoot (…/sysroot). `changes` = §18.4 "What changes on upgrade".
const ROWS: Row[] = [
  { layout: 'user', command: '~/.local/bin/hermes', kind: 'bash-shim', changes: ['~/.hermes/hermes-agent/'] },
  {
    layout: 'installer',
    shim: 'symlink',
    command: '~/.local/bin/hermes',
    kind: 'symlink',
    changes: ['~/.hermes/hermes-agent/'],
  },
  { layout: 'pipx', command: '~/.local/bin/hermes', kind: 'symlink', changes: ['~/.local/pipx/venvs/hermes-agent/'] },
  {
    layout: 'uv-tool',
    command: '~/.local/bin/hermes',
    kind: 'symlink',
    changes: ['~/.local/share/uv/tools/hermes-agent/'],
  },
  {
    layout: 'pip-user',
    command: '~/.local/bin/hermes',
    kind: 'script',
    changes: ['~/.local/lib/python3.11/site-packages/'],
  },
  {
    layout: 'root-fhs',
    command: '/usr/local/bin/hermes',
    kind: 'bash-shim',
    changes: ['/usr/local/lib/hermes-agent/'],
  },
  { layout: 'homebrew', command: '/opt/homebrew/bin/hermes', kind: 'symlink', changes: ['/opt/homebrew/'] },
];
const TARGETS: Record<string, string> = {
  user: '~/.hermes/hermes-agent/venv/bin/hermes',
  installer: '~/.hermes/hermes-agent/venv/bin/hermes',
  pipx: '~/.local/pipx/venvs/hermes-agent/bin/hermes',
  'uv-tool': '~/.local/share/uv/tools/hermes-agent/bin/hermes',
  homebrew: '/opt/homebrew/Cellar/hermes-agent/0.18.0/bin/hermes',
};

describe('§18.4 install layouts', () => {
  for (const row of ROWS) {
    const name = `${row.layout}${row.shim ? ` (${row.shim})` : ''}`;
    it(`§18.4 ${name}: \`hermes\` at ${row.command} (${row.kind}); \`hermes update\` changes only ${row.changes.join(', ')}`, async () => {
      // System layouts are re-rooted under <HOME>/sysroot by createSim (the machine's /usr/local stays untouched).
      const s = await createSim({
        generation: 'G2',
        updateTo: 'G3',
        layout: row.layout,
        ...(row.shim ? { shim: row.shim } : {}),
      });
      sims.push(s);
      const real = (p: string): string => p.replace(/^~/, s.home).replace(/^\/(usr|opt)\//, `${s.home}/sysroot/$1/`);
      return checkLayout(s, row, real);
    });
  }
});

async function checkLayout(s: Sim, row: Row, real: (p: string) => string): Promise<void> {
  const command = real(row.command);
  const st = fs.lstatSync(command);
  expect(st.isSymbolicLink()).toBe(row.kind === 'symlink');
  if (row.kind === 'symlink')
    expect(path.resolve(path.dirname(command), fs.readlinkSync(command))).toBe(real(TARGETS[row.layout]!));
  if (row.kind === 'bash-shim')
    expect(fs.readFileSync(command, 'utf8')).toMatch(/^#!\/usr\/bin\/env bash\n[\s\S]*unset PYTHONPATH/);
  if (row.kind === 'script') expect(fs.readFileSync(command, 'utf8')).toMatch(/^#!\S*node\n/);
  s.shim = command;
  const v = await runHermes(s, ['--version']);
  expect(v.stdout.split('\n')[0]).toBe('Hermes Agent v0.18.0 (2026.7.1)');
  const before = snapshot(s.home);
  const u = await runHermes(s, ['update']);
  expect(u.code).toBe(0);
  expect(u.stdout.trimEnd().split('\n').pop()).toBe('✓ Update complete!');
  const changed = changedPaths(before, snapshot(s.home)).filter(
    (p) => !p.startsWith(path.join(s.home, '.hermes', 'logs')),
  );
  const allowed = row.changes.map(real);
  const parents = new Set(
    allowed.flatMap((a) => {
      const out: string[] = [];
      for (let d = path.dirname(a); d.length > s.home.length; d = path.dirname(d)) out.push(d);
      return out;
    }),
  );
  const inside = (p: string): boolean => allowed.some((a) => p.startsWith(a) || `${p}/` === a);
  const outside = changed.filter((p) => !inside(p) && !parents.has(p) && p !== path.join(s.home, '.hermes'));
  expect(outside).toEqual([]);
  expect(changed.some((p) => allowed.some((a) => p.startsWith(a)))).toBe(true);
  expect((await runHermes(s, ['--version'])).stdout.split('\n')[0]).toBe('Hermes Agent v0.21.3 (2026.9.14)');
}
