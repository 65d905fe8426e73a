// The test suite's prerequisites (scripts/test-prereqs.ts): the plan for every kind of machine, and the real script
// run against fake dpkg status files (--dry-run: nothing is installed by these tests).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SUITE_PACKAGES, UNIT_PACKAGES, parseDpkgStatus, planPrereqs, type Machine } from '../support/prereqs.js';

const SCRIPT = join(import.meta.dirname, '..', '..', 'scripts', 'test-prereqs.ts');
const all = new Set<string>(SUITE_PACKAGES);
const without = (...names: string[]) => new Set([...all].filter((p) => !names.includes(p)));
const linux = (uid: number, installed: Set<string> | null): Machine => ({ platform: 'linux', uid, installed });

function stanza(name: string, status = 'install ok installed'): string {
  return `Package: ${name}\nStatus: ${status}\nPriority: optional\nDescription: ${name}\n continued line\n`;
}

describe('parseDpkgStatus', () => {
  it('lists only packages whose status is "install ok installed"', () => {
    const text = [
      stanza('python3'),
      stanza('openssl', 'deinstall ok config-files'),
      stanza('sudo', 'install ok half-configured'),
      stanza('lsof'),
    ].join('\n');
    expect([...parseDpkgStatus(text)].sort()).toEqual(['lsof', 'python3']);
  });
});

describe('planPrereqs', () => {
  it('the suite needs every unit package, each listed once', () => {
    expect(SUITE_PACKAGES).toEqual(expect.arrayContaining([...UNIT_PACKAGES]));
    expect(new Set(SUITE_PACKAGES).size).toBe(SUITE_PACKAGES.length);
  });

  it('root with everything installed runs; root with packages missing installs exactly those', () => {
    expect(planPrereqs('all', linux(0, all))).toEqual({ action: 'run' });
    expect(planPrereqs('all', linux(0, without('python3-dotenv', 'ansible-lint')))).toEqual({
      action: 'install',
      packages: ['python3-dotenv', 'ansible-lint'],
    });
    expect(planPrereqs('unit', linux(0, without('openssh-server', 'openssl')))).toEqual({
      action: 'install',
      packages: ['openssl'],
    });
  });

  it('the full suite as a non-root user stops with one line: root, the missing packages, one command', () => {
    const missing = planPrereqs('all', linux(1000, without('openssh-server', 'debootstrap')));
    expect(missing).toEqual({
      action: 'stop',
      message:
        'npm test: needs root (it boots systemd-nspawn test hosts, creates users and network namespaces) and the Debian packages openssh-server debootstrap — run: sudo npm test (it installs them), or npm run test:unit for the unit layer without root',
    });
    const none = planPrereqs('all', linux(1000, all));
    expect(none).toEqual({
      action: 'stop',
      message:
        'npm test: needs root (it boots systemd-nspawn test hosts, creates users and network namespaces) — run: sudo npm test, or npm run test:unit for the unit layer without root',
    });
  });

  it('the unit layer runs without root, and names the missing package with its install command', () => {
    expect(planPrereqs('unit', linux(1000, without('ansible-core', 'openssh-server')))).toEqual({ action: 'run' });
    expect(planPrereqs('unit', linux(1000, without('python3-dotenv')))).toEqual({
      action: 'stop',
      message:
        'npm run test:unit: missing the Debian packages python3-dotenv — install them: sudo apt-get install --no-install-recommends python3-dotenv',
    });
  });

  it('without dpkg/apt (not Debian or Ubuntu) or on another OS it stops, root or not', () => {
    for (const m of [linux(0, null), linux(1000, null), { platform: 'darwin', uid: 501, installed: all } as Machine]) {
      for (const layer of ['all', 'unit'] as const) {
        const plan = planPrereqs(layer, m);
        expect(plan.action).toBe('stop');
        if (plan.action === 'stop')
          expect(plan.message).toMatch(
            /: needs Debian or Ubuntu \(apt-get and dpkg; this machine has none\) for the packages python3 python3-dotenv .* — run it there: (sudo npm test|npm run test:unit)$/,
          );
      }
    }
  });
});

describe('scripts/test-prereqs.ts (real process, fake dpkg status)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hs-prereqs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const status = join(dir, 'status');
  writeFileSync(status, [...without('python3-dotenv')].map((p) => stanza(p)).join('\n'));
  const run = (env: NodeJS.ProcessEnv) =>
    spawnSync(process.execPath, ['--import', 'tsx', SCRIPT], { encoding: 'utf8', env: { ...process.env, ...env } });
  const root = process.getuid?.() === 0;

  it('names the one missing package: as root the apt-get command it would run, otherwise one line and exit 1', () => {
    const r = run({ HERMES_SETUP_TEST: 'unit', HERMES_SETUP_PREREQ_DPKG_STATUS: status });
    if (root) {
      expect([r.status, r.stdout, r.stderr]).toEqual([
        0,
        'would run: apt-get update && apt-get install --no-install-recommends python3-dotenv\n',
        '',
      ]);
    } else {
      expect([r.status, r.stdout, r.stderr]).toEqual([
        1,
        '',
        'npm run test:unit: missing the Debian packages python3-dotenv — install them: sudo apt-get install --no-install-recommends python3-dotenv\n',
      ]);
    }
  });

  it('no dpkg status (not Debian) and a bad HERMES_SETUP_TEST each stop with one line, exit 1', () => {
    const noDpkg = run({ HERMES_SETUP_TEST: '', HERMES_SETUP_PREREQ_DPKG_STATUS: join(dir, 'missing') });
    expect(noDpkg.status).toBe(1);
    expect(noDpkg.stderr).toMatch(
      /^npm test: needs Debian or Ubuntu \(apt-get and dpkg; this machine has none\) [^\n]* — run it there: sudo npm test\n$/,
    );
    const bad = run({ HERMES_SETUP_TEST: 'e2e', HERMES_SETUP_PREREQ_DPKG_STATUS: status });
    expect([bad.status, bad.stderr]).toEqual([
      1,
      'HERMES_SETUP_TEST=e2e: use HERMES_SETUP_TEST=unit (the unit layer only) or leave it unset (every layer)\n',
    ]);
  });
});
