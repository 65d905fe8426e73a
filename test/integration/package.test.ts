// The published tarball: holds only what runs (and the docs the CLI points to), installs into a fresh prefix, and its
// bin works.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';

const root = join(import.meta.dirname, '..', '..');
const tmp = mkdtempSync('/var/tmp/hs-pack-');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('npm package', () => {
  it('npm pack --dry-run lists only dist/, templates/, the docs the CLI points to, README, LICENSE and package.json', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const [info] = JSON.parse(out) as Array<{ name: string; files: Array<{ path: string }> }>;
    expect(info!.name).toBe('hermes-setup');
    const paths = info!.files.map((f) => f.path);
    const allowed =
      /^(dist\/.+\.js|templates\/(systemd|launchd|ansible)\/.+|docs\/(json-output|inventory)\.md|README\.md|LICENSE|package\.json)$/;
    expect(paths.filter((p) => !allowed.test(p))).toEqual([]);
    expect(paths).toEqual(
      expect.arrayContaining([
        'dist/cli.js',
        'README.md',
        'LICENSE',
        'package.json',
        'templates/systemd/hermes-dashboard.service',
        'templates/launchd/ai.hermes.dashboard.plist',
      ]),
    );
    expect(paths.some((p) => p.startsWith('src/') || p.startsWith('test/'))).toBe(false);
    // every docs/… the shipped code names outside comments (--help, error hints) is in the tarball
    const code = readdirSync(join(root, 'dist'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.js'))
      .flatMap((f) => readFileSync(join(root, 'dist', f), 'utf8').split('\n'))
      .filter((l) => !/^\s*(\/\/|\*|\/\*)/.test(l));
    const named = new Set(code.flatMap((l) => l.match(/docs\/[a-z-]+\.md/g) ?? []));
    expect([...named].sort()).toEqual(['docs/inventory.md', 'docs/json-output.md']);
    expect(paths).toEqual(expect.arrayContaining([...named]));
  });

  it('the packed tarball installs into a temp prefix and `hermes-setup --help` runs from it', async () => {
    const packed = execFileSync('npm', ['pack', '--json', '--pack-destination', tmp], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const filename = (JSON.parse(packed) as Array<{ filename: string }>)[0]!.filename;
    const prefix = join(tmp, 'prefix');
    await execa(
      'npm',
      ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(tmp, filename)],
      { timeout: 240_000 },
    );
    const bin = join(prefix, 'bin', 'hermes-setup');
    const help = await execa(bin, ['--help'], { reject: false, env: { NO_COLOR: '1' } });
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/^Usage: hermes-setup/);
    expect(help.stdout).toMatch(/Exit codes:/);
    const version = await execa(bin, ['--version'], { reject: false });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const bad = await execa(bin, ['nope'], { reject: false, env: { NO_COLOR: '1' } });
    expect(bad.exitCode).toBe(2);
    // The probe's runtime dependency (ws) came with the install: its modules load from the installed package.
    const probe = join(prefix, 'lib', 'node_modules', 'hermes-setup', 'dist', 'probe', 'ws-open.js');
    const loaded = await execa(
      'node',
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(probe)}); console.log(typeof m.openWebSocket)`,
      ],
      { reject: false },
    );
    expect(loaded.stderr).toBe('');
    expect(loaded.stdout.trim()).toBe('function');
  }, 300_000);
});
