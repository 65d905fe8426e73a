// Generated units and plists, checked by the real validators: python3 plistlib and systemd-analyze verify.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HOMEBREW_PATH, LAUNCHD_LABEL, PLIST_FILE, renderLaunchdPlist } from '../../src/render/launchd-plist.js';
import { renderSystemdUnit, UNIT_NAME } from '../../src/render/systemd-unit.js';
import type { ServiceSpec } from '../../src/render/service-spec.js';
import { readTemplate } from '../../src/templates.js';

const root = mkdtempSync('/var/tmp/hs-render-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

function specFor(home: string, extra: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    programArguments: [
      join(home, '.local/bin/hermes'),
      'dashboard',
      '--host',
      '127.0.0.1',
      '--port',
      '9119',
      '--no-open',
    ],
    hermesHome: join(home, '.hermes'),
    home,
    path: `${join(home, '.local/bin')}:/usr/local/bin:/usr/bin:/bin`,
    logDir: join(home, '.hermes/logs'),
    mode: 'token',
    ...extra,
  };
}

function plistlibLoad(xml: string): unknown {
  const out = execFileSync(
    '/usr/bin/python3',
    ['-c', 'import plistlib,sys,json; print(json.dumps(plistlib.loads(sys.stdin.buffer.read())))'],
    { input: xml },
  );
  return JSON.parse(out.toString());
}

function makeHome(name: string): string {
  const home = join(root, name);
  mkdirSync(join(home, '.local/bin'), { recursive: true });
  mkdirSync(join(home, '.hermes'), { recursive: true });
  writeFileSync(join(home, '.local/bin/hermes'), '#!/bin/sh\n');
  chmodSync(join(home, '.local/bin/hermes'), 0o755);
  return home;
}

function verify(unitText: string, user: boolean): { code: number | null; stderr: string; stdout: string } {
  const dir = mkdtempSync(join(root, 'unit-'));
  const file = join(dir, UNIT_NAME);
  writeFileSync(file, unitText);
  const xdg = join(dir, 'xdg');
  mkdirSync(xdg, { mode: 0o700 });
  const args = user ? ['--user', 'verify', file] : ['verify', file];
  const r = spawnSync('systemd-analyze', args, { env: { ...process.env, XDG_RUNTIME_DIR: xdg }, encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr, stdout: r.stdout };
}

describe('LaunchAgent plist', () => {
  it('round-trips through plistlib with the required keys and no secret', async () => {
    const home = '/Users/ada';
    const xml = renderLaunchdPlist(
      await readTemplate('launchd/ai.hermes.dashboard.plist'),
      specFor(home, { path: HOMEBREW_PATH }),
    );
    const doc = plistlibLoad(xml) as Record<string, unknown>;
    expect(doc.Label).toBe(LAUNCHD_LABEL);
    expect(PLIST_FILE).toBe(`${String(doc.Label)}.plist`);
    const args = doc.ProgramArguments as string[];
    expect(args[0]).toBe('/Users/ada/.local/bin/hermes');
    expect(args.slice(1)).toEqual(['dashboard', '--host', '127.0.0.1', '--port', '9119', '--no-open']);
    const env = doc.EnvironmentVariables as Record<string, string>;
    expect(env.PATH!.split(':')).toEqual(expect.arrayContaining(['/opt/homebrew/bin', '/usr/local/bin']));
    expect(doc.RunAtLoad).toBe(true);
    expect(doc.KeepAlive).toBe(true);
    expect(doc.ThrottleInterval).toBeGreaterThanOrEqual(10);
    expect(doc.ThrottleInterval).toBeLessThanOrEqual(30);
    expect(doc.LimitLoadToSessionType).toEqual(['Aqua', 'Background', 'LoginWindow', 'StandardIO', 'System']);
    expect(doc.ProcessType).toBe('Interactive');
    expect(doc.StandardOutPath).toBe('/Users/ada/.hermes/logs/dashboard.log');
    expect(doc.StandardErrorPath).toBe('/Users/ada/.hermes/logs/dashboard.error.log');
    expect(xml).not.toMatch(/TOKEN|PASSWORD|SECRET/);
  });

  it('escapes XML metacharacters in paths', async () => {
    const home = '/Users/a&b <"x\'>';
    const xml = renderLaunchdPlist(await readTemplate('launchd/ai.hermes.dashboard.plist'), specFor(home));
    const doc = plistlibLoad(xml) as { ProgramArguments: string[]; WorkingDirectory: string };
    expect(doc.ProgramArguments[0]).toBe(`${home}/.local/bin/hermes`);
    expect(doc.WorkingDirectory).toBe(`${home}/.hermes`);
  });

  it('LaunchDaemon variant runs as UserName with HOME set', async () => {
    const xml = renderLaunchdPlist(
      await readTemplate('launchd/ai.hermes.dashboard.daemon.plist'),
      specFor('/Users/ada', { user: 'ada' }),
    );
    const doc = plistlibLoad(xml) as Record<string, unknown>;
    expect(doc.UserName).toBe('ada');
    expect(doc.ProcessType).toBe('Interactive');
    expect((doc.EnvironmentVariables as Record<string, string>).HOME).toBe('/Users/ada');
    expect(doc.Label).toBe(LAUNCHD_LABEL);
  });

  it('both templates say why ProcessType is Interactive, in a comment a plist parser accepts (no "--" inside)', async () => {
    for (const t of ['launchd/ai.hermes.dashboard.plist', 'launchd/ai.hermes.dashboard.daemon.plist'] as const) {
      const text = await readTemplate(t);
      const comment =
        /<!--([\s\S]*?)-->\s*<key>ProcessType<\/key>\s*<string>Interactive<\/string>/.exec(text)?.[1] ?? '';
      expect(comment).toMatch(/gitlab-runner #29089/);
      expect(comment).not.toContain('--');
      expect(plistlibLoad(text)).toMatchObject({ ProcessType: 'Interactive' });
    }
  });

  it('refuses a relative program path (launchd would exit 78)', async () => {
    const spec = specFor('/Users/ada');
    spec.programArguments[0] = 'hermes';
    await expect(async () =>
      renderLaunchdPlist(await readTemplate('launchd/ai.hermes.dashboard.plist'), spec),
    ).rejects.toThrow(/absolute/);
  });
});

describe('systemd unit', () => {
  it('user unit passes systemd-analyze --user verify with empty stderr', async () => {
    const home = makeHome('alice');
    const unit = renderSystemdUnit(await readTemplate('systemd/hermes-dashboard.service'), specFor(home));
    const r = verify(unit, true);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(unit).toMatch(/^Type=simple$/m);
    expect(unit).toMatch(/^Restart=always$/m);
    expect(unit).toMatch(/^RestartSec=\d+$/m);
    expect(unit).toMatch(/^RestartPreventExitStatus=78$/m);
    expect(unit).toMatch(/^WantedBy=default\.target$/m);
    const unitSection = unit.split('[Service]')[0]!;
    expect(unitSection).toMatch(/^StartLimitIntervalSec=\d+$/m);
    expect(unitSection).toMatch(/^StartLimitBurst=\d+$/m);
    expect(unit).not.toMatch(/TOKEN=|PASSWORD|SECRET|EnvironmentFile/);
  });

  it('system unit with User= passes systemd-analyze verify with empty stderr', async () => {
    const home = makeHome('bob');
    const unit = renderSystemdUnit(
      await readTemplate('systemd/hermes-dashboard.system.service'),
      specFor(home, { user: 'root', group: 'root' }),
    );
    const r = verify(unit, false);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(unit).toMatch(/^User=root$/m);
    expect(unit).toMatch(/^WantedBy=multi-user\.target$/m);
  });

  it('quotes paths with spaces, % and $ so systemd reads them back', async () => {
    const home = makeHome('c d%e$f');
    const unit = renderSystemdUnit(await readTemplate('systemd/hermes-dashboard.service'), specFor(home));
    expect(verify(unit, true)).toMatchObject({ code: 0, stderr: '' });
    expect(unit).toContain(`ExecStart="${home.replace('%', '%%')}/.local/bin/hermes" dashboard`);
  });

  it('the validator does fail on a broken unit (the check can fail)', () => {
    const r = verify('[Service]\nExecStart=relative/hermes dashboard\n', true);
    expect(r.code !== 0 || r.stderr !== '').toBe(true);
  });
});
