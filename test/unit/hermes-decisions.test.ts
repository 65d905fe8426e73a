// Table tests: version parsing, generation detection from help text, access-mode decisions, service argv.
import { describe, expect, it } from 'vitest';
import { decideAccessMode, type ModeInputs } from '../../src/hermes/access-mode.js';
import { buildDashboardArgv } from '../../src/hermes/dashboard-argv.js';
import { detectGeneration, parseCapabilities, parseVersionLine } from '../../src/hermes/version.js';
import { HermesSetupError } from '../../src/errors.js';
import { unrecognisedBuild } from '../../src/hermes/recognise.js';
import { readBuild } from '../../src/steps/hermes.js';
import { hermesFacts } from '../support/fixtures.js';

const OLD_HELP =
  'usage: hermes dashboard [-h] [--port PORT] [--host HOST] [--insecure] [--tui]\n  --insecure  Allow binding to non-localhost addresses without authentication (DANGEROUS)\n  --tui  Enable the embedded chat';
const NEW_HELP =
  'usage: hermes dashboard [-h] [--port PORT] [--host HOST] [--insecure] [--skip-build] [--isolated]\n  --insecure            Deprecated: no longer disables authentication. Non-loopback binds always require an auth provider.\n  --isolated  Run a dedicated server';
const SERVE_G3 = '  --ssh-session-token-file PATH\n  --ssh-owner-nonce NONCE\n  --print-session-token';

describe('parseVersionLine (first line only, §11)', () => {
  it.each([
    ['Hermes Agent v0.18.0 (2026.7.1)\nProject: /x\nPython: 3.11', { version: '0.18.0', releaseDate: '2026.7.1' }],
    [
      'Hermes Agent v0.21.3 (2026.9.14) · upstream 0a88e1a4 · local 1234abcd (+2 carried commits)',
      { version: '0.21.3', releaseDate: '2026.9.14' },
    ],
    ['\nHermes Agent v1.0.0', { version: '1.0.0' }],
  ])('%j', (out, want) => expect(parseVersionLine(out)).toEqual(want));
  it.each([['hermes 0.18.0'], ['Traceback (most recent call last):'], ['']])('rejects %j', (out) =>
    expect(parseVersionLine(out)).toBeUndefined(),
  );
});

describe('detectGeneration', () => {
  it.each([
    ['2026.5.28', OLD_HELP, '', 'G0'],
    ['2026.6.10', OLD_HELP, '', 'G1'],
    ['2026.6.20', OLD_HELP, '', 'G1'],
    ['2026.7.1', NEW_HELP, '', 'G2'],
    ['2026.6.25', OLD_HELP, '', 'G2'],
    ['2026.6.10', NEW_HELP, '', 'G2'],
    ['2026.9.14', NEW_HELP, SERVE_G3, 'G3'],
  ] as const)('%s', (date, help, serve, gen) => {
    const caps = parseCapabilities(help, serve);
    expect(detectGeneration({ version: 'x', releaseDate: date }, caps)).toBe(gen);
  });
});

const base: ModeInputs = {
  requested: 'auto',
  generation: 'G2',
  version: '0.18.0',
  tailnetIp: '100.64.1.2',
  tailscaleState: 'Running',
  bind: 'tailnet',
};

describe('decideAccessMode', () => {
  it.each([
    [{ generation: 'G1' }, { mode: 'token', bind: '100.64.1.2' }],
    [
      { generation: 'G1', bind: 'all' },
      { mode: 'token', bind: '0.0.0.0' },
    ],
    [{}, { mode: 'password', bind: '100.64.1.2' }],
    [{ generation: 'G3' }, { mode: 'password', bind: '100.64.1.2' }],
    [
      { tailnetIp: undefined, tailscaleState: 'NeedsLogin' },
      { mode: 'tunnel', bind: '127.0.0.1' },
    ],
    [{ requested: 'tunnel' }, { mode: 'tunnel', bind: '127.0.0.1' }],
    [
      { requested: 'password', generation: 'G1' },
      { mode: 'password', bind: '100.64.1.2' },
    ],
    [{ bind: '192.168.1.10' }, { mode: 'password', bind: '192.168.1.10' }],
  ] as Array<[Partial<ModeInputs>, object]>)('%j', (over, want) =>
    expect(decideAccessMode({ ...base, ...over })).toMatchObject(want),
  );

  it.each([
    [{ generation: 'G0' }, 'E_HERMES_TOO_OLD', 1],
    [{ requested: 'token' }, 'E_MODE_UNSUPPORTED', 2],
    [{ requested: 'password', tailnetIp: undefined, tailscaleState: 'Stopped' }, 'E_TAILSCALE_DOWN', 1],
  ] as Array<[Partial<ModeInputs>, string, number]>)('%j fails with %s', (over, code, exitCode) => {
    let err: unknown;
    try {
      decideAccessMode({ ...base, ...over });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HermesSetupError);
    expect(err).toMatchObject({ code, exitCode });
  });
});

describe('buildDashboardArgv', () => {
  const caps = parseCapabilities(NEW_HELP, '');
  it('password mode on G2: no --insecure, --isolated when offered, --skip-build without npm', () => {
    expect(
      buildDashboardArgv({
        hermesPath: '/h/hermes',
        mode: 'password',
        bind: '100.64.1.2',
        port: 9119,
        caps,
        skipBuild: true,
      }),
    ).toEqual([
      '/h/hermes',
      'dashboard',
      '--host',
      '100.64.1.2',
      '--port',
      '9119',
      '--no-open',
      '--isolated',
      '--skip-build',
    ]);
  });
  it('token mode on G1 adds --insecure; --tui exactly when the help lists it (06-02/06-03 need it for chat)', () => {
    const old = parseCapabilities(OLD_HELP, '');
    expect(
      buildDashboardArgv({
        hermesPath: '/h/hermes',
        mode: 'token',
        bind: '0.0.0.0',
        port: 9119,
        caps: old,
        skipBuild: false,
      }),
    ).toEqual(['/h/hermes', 'dashboard', '--host', '0.0.0.0', '--port', '9119', '--no-open', '--insecure', '--tui']);
    const noTui = parseCapabilities(OLD_HELP.replace(/ \[--tui\]|\n {2}--tui.*$/gm, ''), '');
    expect(
      buildDashboardArgv({
        hermesPath: '/h/hermes',
        mode: 'token',
        bind: '0.0.0.0',
        port: 9119,
        caps: noTui,
        skipBuild: false,
      }),
    ).not.toContain('--tui');
  });
  it('a hidden --tui (accepted, not in --help) is never passed', () => {
    expect(
      buildDashboardArgv({
        hermesPath: '/h/hermes',
        mode: 'password',
        bind: '100.64.1.2',
        port: 9119,
        caps,
        skipBuild: false,
      }),
    ).not.toContain('--tui');
  });
});

describe('builds hermes-setup does not recognise (docs/hermes-contract.md#c17): by capabilities, not by version', () => {
  const ARGPARSE =
    "usage: hermes [-h] [--version] {chat,serve,update,...} ...\nhermes: error: argument command: invalid choice: 'dashboard'";
  it.each<[string, string, string, RegExp]>([
    [
      'a renamed product',
      'Rabbit Agent v0.0.0 (2026.9.24)',
      NEW_HELP,
      /names another product: "Rabbit Agent v0\.0\.0 \(2026\.9\.24\)"/,
    ],
    [
      'a newer build without a dashboard subcommand',
      'Hermes Agent v0.30.0 (2027.1.15)',
      ARGPARSE,
      /lists no --host \/ --port .*invalid choice: 'dashboard'/,
    ],
    [
      'a dashboard without --host',
      'Hermes Agent v0.30.0 (2027.1.15)',
      'usage: hermes dashboard [-h] [--port PORT]',
      /lists no --host \(/,
    ],
  ])('%s is refused before anything changes', (_n, version, help, seen) => {
    expect(unrecognisedBuild({ versionOut: version, dashboardHelp: help })).toMatch(seen);
    let err: unknown;
    try {
      readBuild(hermesFacts('G3', { versionOut: `${version}\n`, dashboardHelp: help }));
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({
      code: 'E_HERMES_UNRECOGNISED',
      exitCode: 1,
      message: expect.stringMatching(/stopping before changing anything/),
    });
  });

  it.each<[string, string]>([
    ['v0.0.0 from a missing install stamp, with the flags it needs', 'Hermes Agent v0.0.0 (2026.9.24)'],
    ['a version newer than any known one, with the flags it needs', 'Hermes Agent v9.1.0 (2031.1.1)'],
  ])('%s is driven by its capabilities', (_n, version) => {
    expect(unrecognisedBuild({ versionOut: version, dashboardHelp: NEW_HELP })).toBeUndefined();
    expect(readBuild(hermesFacts('G2', { versionOut: version, dashboardHelp: NEW_HELP })).generation).toBe('G2');
  });

  it('a broken install (a traceback for every command) is E_HERMES_VERSION, not an unrecognised build', () => {
    const tb = 'Traceback (most recent call last):\n  File "x"\nModuleNotFoundError: No module named hermes_cli';
    expect(() => readBuild(hermesFacts('G2', { versionOut: tb, dashboardHelp: tb }))).toThrow(
      expect.objectContaining({ code: 'E_HERMES_VERSION' }),
    );
  });

  it('after `hermes update` the line says so and that the later steps did not run', () => {
    expect(() =>
      readBuild(hermesFacts('G3', { versionOut: 'Rabbit Agent v0.21.5 (2026.9.24)' }), undefined, '`hermes update`'),
    ).toThrow(/^after `hermes update`, the Hermes build at .* stopping before the later steps$/);
  });
});
