// Tables for the check planner and doctor's rules: HealthInput in, lines / findings out (no host).
import { describe, expect, it } from 'vitest';
import type { HealthInput } from '../../src/check/health-input.js';
import { isHealthy, planChecks } from '../../src/check/plan-checks.js';
import { diagnose } from '../../src/doctor/diagnose.js';
import type { Facts } from '../../src/facts/parse-facts.js';
import type { WsProbeResult } from '../../src/probe/ws-probe.js';
import { launchdManager } from '../../src/service/launchd/launchd-manager.js';
import { systemdManager } from '../../src/service/systemd/systemd-manager.js';
import { BASIC_PLAIN_KEY, BASIC_SECRET_KEY, TOKEN_KEY } from '../../src/secrets.js';
import type { ConvergeState } from '../../src/state.js';
import { file, hermesFacts, linuxFacts, macFacts, recordedState, TAILNET_IP, TOKEN } from '../support/fixtures.js';

const UNIT =
  '# Managed by hermes-setup\nExecStart=/home/deploy/.local/bin/hermes dashboard --host 100.64.1.2 --port 9119 --no-open --isolated\n';
const ok101: WsProbeResult = { ok: true, status: 101, ms: 12, firstFrame: {} };
const denied: WsProbeResult = { ok: false, kind: 'http', status: 403, ms: 5, detail: 'HTTP 403' };
const unit = {
  loadState: 'loaded',
  activeState: 'active',
  subState: 'running',
  mainPid: 42,
  nRestarts: 0,
  unitFileState: 'enabled',
  execMainStatus: 0,
};
const listening = [
  { address: TAILNET_IP, family: 4 as const, port: 9119, pid: 42, command: 'hermes', source: 'lsof' as const },
];

function state(over: Partial<ConvergeState> = {}): ConvergeState {
  return recordedState(over);
}

function health(
  facts: Partial<Facts> = {},
  o: { state?: ConvergeState | null; probe?: WsProbeResult; age?: number; deep?: HealthInput['deep'] } = {},
): HealthInput {
  const f = linuxFacts({
    env: file(`${TOKEN_KEY}=${TOKEN}\n`),
    unitUser: file(UNIT, 0o644),
    systemdUser: unit,
    listeners: listening,
    hermes: hermesFacts('G2'),
    ...facts,
  });
  const m = f.os === 'Darwin' ? launchdManager : systemdManager;
  const st = o.state === null ? undefined : (o.state ?? state());
  const loc = m.installed(f, st);
  return {
    target: 'box',
    facts: f,
    port: 9119,
    service: m.view(f, loc),
    restartCommand: m.restartCommand(loc),
    logHint: m.logHint(loc),
    envToken: TOKEN,
    nowSec: 1_700_000_100,
    ...(st ? { state: st } : {}),
    probe: o.probe ?? ok101,
    ...(o.age !== undefined ? { serviceAgeSec: o.age } : {}),
    ...(o.deep ? { deep: o.deep } : {}),
  };
}

const status = (i: HealthInput, id: string) => planChecks(i).find((l) => l.id === id);
const ids = (i: HealthInput) =>
  diagnose(i)
    .filter((f) => f.severity === 'problem')
    .map((f) => f.id);

describe('planChecks', () => {
  it('a converged, running host is healthy and doctor finds nothing', () => {
    const i = health();
    expect(planChecks(i).map((l) => `${l.status} ${l.id}`)).toEqual([
      'ok service',
      'ok linger',
      'ok port',
      'ok websocket',
      'ok token',
      'ok tailscale',
      'ok version',
      'ok update',
    ]);
    expect(isHealthy(planChecks(i))).toBe(true);
    expect(ids(i)).toEqual([]);
  });

  it.each<[string, HealthInput, string, RegExp]>([
    ['not installed', health({ unitUser: file(undefined), systemdUser: undefined }), 'service', /is not installed/],
    [
      'stopped',
      health({ systemdUser: { ...unit, activeState: 'inactive', subState: 'dead', mainPid: 0 } }),
      'service',
      /is not running \(inactive\/dead, last exit 0\)/,
    ],
    [
      'crash-looping',
      health({ systemdUser: { ...unit, nRestarts: 5, execMainStatus: 1 } }),
      'service',
      /crash-looping \(5 restarts/,
    ],
    ['linger off', health({ linger: false }), 'linger', /linger is off for deploy/],
    [
      'listening on loopback only',
      health({ listeners: [{ ...listening[0]!, address: '127.0.0.1' }] }),
      'port',
      /loopback only/,
    ],
    ['held by another pid', health({ listeners: [{ ...listening[0]!, pid: 99 }] }), 'port', /held by pid 99/],
    ['the token was rejected', health({}, { probe: denied }), 'websocket', /403 with the pinned token/],
    [
      'Tailscale logged out',
      health({
        tailscale: { installed: true, daemonRunning: true, backendState: 'NeedsLogin', magicDns: false, health: [] },
      }),
      'tailscale',
      /tailscale is NeedsLogin/,
    ],
    [
      'Hermes updated since the converge',
      health({ hermes: hermesFacts('G3') }),
      'version',
      /Hermes is v0\.21\.3, the dashboard was set up with v0\.18\.0/,
    ],
    ['an update in progress', health({ updateMarker: true }), 'update', /in progress/],
    [
      'a live two-line marker',
      health({
        updateMarker: true,
        updateMarkerFile: { state: 'live', pid: 4242, ageSec: 12, detail: 'pid 4242, started 12 s ago' },
      }),
      'update',
      /in progress \(~\/\.hermes\/\.hermes-update-in-progress: pid 4242, started 12 s ago\)/,
    ],
  ])('%s → FAIL %s', (_n, i, id, detail) => {
    const l = status(i, id);
    expect(l?.status).toBe('FAIL');
    expect(l?.detail).toMatch(detail);
  });

  it('a token edited after the server started: FAIL with the restart command', () => {
    const i = health({ env: { ...file(`${TOKEN_KEY}=${TOKEN}\n`), mtime: 1_700_000_090 } }, { probe: denied, age: 60 });
    expect(status(i, 'token')).toMatchObject({
      status: 'FAIL',
      fix: 'systemctl --user restart hermes-dashboard.service',
    });
  });

  it('a stale update marker (dead PID, over 20 minutes) gates nothing: ok, named stale; doctor notes it with the fix', () => {
    const i = health({
      updateMarker: false,
      updateMarkerFile: { state: 'stale', pid: 4242, detail: 'pid 4242 is gone' },
    });
    expect(status(i, 'update')).toMatchObject({
      status: 'ok',
      detail: 'no update in progress (a stale marker: pid 4242 is gone; not gating)',
    });
    expect(isHealthy(planChecks(i))).toBe(true);
    expect(diagnose(i).find((f) => f.id === 'stale-update-marker')).toMatchObject({
      severity: 'note',
      fix: 'rm ~/.hermes/.hermes-update-in-progress',
    });
    expect(ids(i)).toEqual([]);
  });

  it('a token behind a UTF-8 BOM: check names the BOM, doctor says why and how to fix it', () => {
    const i = {
      ...health({ env: file(`\uFEFF${TOKEN_KEY}=${TOKEN}\n`) }, { probe: denied }),
      envToken: undefined,
    } as HealthInput;
    expect(status(i, 'token')).toMatchObject({
      status: 'FAIL',
      detail: expect.stringMatching(/behind a UTF-8 BOM/),
      fix: 'hermes-setup remote box',
    });
    expect(diagnose(i).find((f) => f.id === 'env-bom')).toMatchObject({
      severity: 'problem',
      fix: 'hermes-setup remote box --no-update',
    });
    expect(ids(i)).not.toContain('token-rotated');
  });

  it('tunnel mode does not need Tailscale', () => {
    expect(
      status(
        health(
          { tailscale: { installed: false, daemonRunning: false, magicDns: false, health: [] } },
          { state: state({ mode: 'tunnel', bind: '127.0.0.1' }) },
        ),
        'tailscale',
      )?.status,
    ).toBe('skip');
  });

  it('a Mac set up with --daemon is read in the system domain (the --daemon check bug)', () => {
    const job = { loaded: true, state: 'running', pid: 42 };
    const l = macFacts().launchd!;
    const i = health(
      macFacts({
        plistDaemon: file('<plist/>', 0o644),
        launchd: { ...l, guiAvailable: false, system: job },
        listeners: listening,
        env: file(`${TOKEN_KEY}=${TOKEN}\n`),
      }),
      { state: state({ servicePath: '/Library/LaunchDaemons/ai.hermes.dashboard.plist' }) },
    );
    expect(status(i, 'service')).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(/^launchd system\/ai\.hermes\.dashboard loaded/),
    });
    expect(status(i, 'port')?.status).toBe('ok');
    expect(ids(i)).toEqual([]);
  });

  it('a Mac with the agent in gui/ and user/ (a GUI login over an SSH install): FAIL naming both, one doctor problem, no foreign port', () => {
    const l = macFacts().launchd!;
    const i = health(
      macFacts({
        plistAgent: file('<plist/>', 0o644),
        listeners: listening,
        env: file(`${TOKEN_KEY}=${TOKEN}\n`),
        launchd: {
          ...l,
          gui: { loaded: true, state: 'spawn scheduled', lastExitCode: 1, runs: 9 },
          user: { loaded: true, state: 'running', pid: 42 },
        },
      }),
      {
        state: state({
          servicePath: '~/Library/LaunchAgents/ai.hermes.dashboard.plist',
          serviceKind: 'launchd-agent',
          serviceScope: 'user/501',
        }),
      },
    );
    expect(status(i, 'service')).toMatchObject({
      status: 'FAIL',
      detail: expect.stringMatching(
        /^launchd user\/501\/ai\.hermes\.dashboard has another instance: gui\/501\/ai\.hermes\.dashboard \(spawn scheduled\)/,
      ),
      fix: 'hermes-setup check --repair box',
    });
    expect(ids(i)).toEqual(['duplicate-service']);
  });

  it('a daemon with a leftover agent plist: FAIL (it loads at the next login)', () => {
    const l = macFacts().launchd!;
    const i = health(
      macFacts({
        plistDaemon: file('<plist/>', 0o644),
        plistAgent: file('<plist/>', 0o644),
        listeners: listening,
        env: file(`${TOKEN_KEY}=${TOKEN}\n`),
        launchd: { ...l, system: { loaded: true, state: 'running', pid: 42 } },
      }),
      { state: state({ serviceKind: 'launchd-daemon', serviceScope: 'system' }) },
    );
    expect(status(i, 'service')?.detail).toMatch(
      /another instance: ~\/Library\/LaunchAgents\/ai\.hermes\.dashboard\.plist \(not loaded now; loads at the next login\)/,
    );
  });
});

describe('doctor rules', () => {
  it.each<[string, HealthInput, string]>([
    ['restarts in a loop', health({ systemdUser: { ...unit, nRestarts: 4, execMainStatus: 1 } }), 'crash-loop'],
    ['linger off', health({ linger: false }), 'no-linger'],
    ['no user bus', health({ userBus: false }), 'no-user-bus'],
    [
      'a stale hermes path',
      health({ hermes: hermesFacts('G2', { path: '/opt/hermes/bin/hermes' }) }),
      'stale-hermes-path',
    ],
    [
      'a foreign process on the port',
      health({
        listeners: [{ ...listening[0]!, pid: 7, command: 'nginx' }],
        systemdUser: { ...unit, activeState: 'failed', subState: 'failed', mainPid: 0 },
      }),
      'foreign-port',
    ],
    ['no pinned token', { ...health(), envToken: undefined }, 'token-rotated'],
    [
      'a pinned token changed since the converge',
      health({}, { state: state({ tokenFingerprint: 'sha256:000000000000' }) }),
      'stale-token',
    ],
    [
      '--insecure on a hardened build',
      health({ unitUser: file(`${UNIT.replace('--isolated', '--insecure')}`, 0o644) }),
      'insecure-noop',
    ],
    [
      'a G0 build',
      health({ hermes: hermesFacts('G0') }, { state: state({ hermesVersion: '0.15.2', generation: 'G0' }) }),
      'too-old',
    ],
    [
      'Tailscale not installed',
      health({ tailscale: { installed: false, daemonRunning: false, magicDns: false, health: [] } }),
      'tailscale-missing',
    ],
  ])('%s → %s', (_n, i, id) => {
    expect(ids(i)).toContain(id);
  });

  it.each<[string, NonNullable<HealthInput['deep']>, string]>([
    ['a public interface with a wildcard bind', { addresses: ['127.0.0.1', '198.51.100.2'] }, 'public-interface'],
    [
      'a Funnel to the port',
      {
        addresses: [],
        serveJson:
          '{"AllowFunnel":{"box.ts.net:443":true},"Web":{"box.ts.net:443":{"Handlers":{"/":{"Proxy":"http://127.0.0.1:9119"}}}}}',
      },
      'tailscale-funnel',
    ],
    [
      'a non-loopback public_url',
      { addresses: [], publicUrl: 'HERMES_DASHBOARD_PUBLIC_URL=https://hermes.example.com' },
      'public-url-gate',
    ],
  ])('deep: %s → %s', (_n, deep, id) => {
    const wildcard = id === 'public-interface' ? { listeners: [{ ...listening[0]!, address: '0.0.0.0' }] } : {};
    expect(
      ids(health(wildcard, { deep, ...(id === 'public-interface' ? { state: state({ bind: '0.0.0.0' }) } : {}) })),
    ).toContain(id);
  });

  it.each([
    ['an agent: it starts at login', {}, 'launchd-agent', 'starts-at-login', /comes back only when ann logs in/],
    ['an agent with FileVault', { fileVault: true }, 'launchd-agent', 'filevault', /not even a LaunchDaemon/],
    [
      'a daemon with FileVault',
      { fileVault: true },
      'launchd-daemon',
      'filevault',
      /even this LaunchDaemon starts only after someone types a password/,
    ],
  ] as const)('a note (doctor still clean) for %s', (_n, over, kind, id, cause) => {
    const l = macFacts().launchd!;
    const job = { loaded: true, state: 'running', pid: 42 };
    const daemon = kind === 'launchd-daemon';
    const i = health(
      macFacts({
        ...over,
        listeners: listening,
        env: file(`${TOKEN_KEY}=${TOKEN}\n`),
        [daemon ? 'plistDaemon' : 'plistAgent']: file('<plist/>', 0o644),
        launchd: { ...l, ...(daemon ? { system: job } : { gui: job }) },
      }),
      { state: state({ serviceKind: kind, serviceScope: daemon ? 'system' : 'gui/501' }) },
    );
    const notes = diagnose(i).filter((f) => f.severity === 'note');
    expect(notes.map((f) => f.id)).toEqual([id]);
    expect(notes[0]!.cause).toMatch(cause);
    expect(ids(i)).toEqual([]);
  });

  it('no startup note for a daemon without FileVault', () => {
    const l = macFacts().launchd!;
    const i = health(
      macFacts({
        fileVault: false,
        plistDaemon: file('<plist/>', 0o644),
        listeners: listening,
        env: file(`${TOKEN_KEY}=${TOKEN}\n`),
        launchd: { ...l, system: { loaded: true, state: 'running', pid: 42 } },
      }),
      { state: state({ serviceKind: 'launchd-daemon', serviceScope: 'system' }) },
    );
    expect(diagnose(i)).toEqual([]);
  });

  it('a host never converged gets a note, not a problem', () => {
    const f = diagnose(health({}, { state: null }));
    expect(f.find((x) => x.id === 'not-converged')?.severity).toBe('note');
  });
});

describe('a service that is down: the cause comes from evidence (journal, Restart=, update traces)', () => {
  const dead = { ...unit, activeState: 'inactive', subState: 'dead', mainPid: 0, execMainStatus: 0 };
  const always = file(`${UNIT}Restart=always\n`, 0o644);
  const journal = (...msgs: Array<[number, string]>): string[] =>
    msgs.map(([t, m]) => `${t}.000000 box systemd[100]: ${m}`);
  const started = 'Started hermes-dashboard.service - Hermes Agent dashboard (managed by hermes-setup).';
  const stopping = 'Stopping hermes-dashboard.service - Hermes Agent dashboard (managed by hermes-setup)...';
  const down = (o: {
    restart?: string;
    log?: string[];
    updateLog?: { mtime: number; tail: string[] };
    cached?: boolean;
    unitFile?: typeof always;
  }) =>
    health(
      {
        systemdUser: dead,
        listeners: [],
        unitUser: o.unitFile ?? always,
        hermes: hermesFacts('G2', { cached: o.cached ?? true }),
      },
      {
        deep: {
          addresses: [],
          evidence: {
            ...(o.restart ? { restart: o.restart } : {}),
            log: o.log ?? [],
            ...(o.updateLog ? { updateLog: o.updateLog } : {}),
          },
        },
      },
    );
  const finding = (i: HealthInput, id: string) => diagnose(i).find((f) => f.id === id);

  it('a plain `systemctl stop` with Restart=always: stopped, and check --repair starts it (not "dead after update")', () => {
    const i = down({
      restart: 'always',
      log: journal(
        [100, started],
        [200, stopping],
        [201, 'Stopped hermes-dashboard.service - Hermes Agent dashboard.'],
      ),
    });
    expect(ids(i)).toEqual(['stopped']);
    expect(finding(i, 'stopped')).toMatchObject({
      symptom: 'the dashboard is stopped (inactive/dead); `hermes-setup check --repair box` starts it',
      fix: 'hermes-setup check --repair box',
    });
    expect(finding(i, 'stopped')?.cause).toMatch(
      /stopped at 1970-01-01 00:03:20 UTC \(journal: "Stopping hermes-dashboard\.service", e\.g\. systemctl stop\)/,
    );
  });

  it('Restart=always and no journal: only a stop leaves it inactive', () => {
    expect(finding(down({ restart: 'always' }), 'stopped')?.cause).toMatch(
      /Restart=always systemd restarts every exit/,
    );
  });

  it('an older systemd logs the description only: the stop is still read', () => {
    expect(
      ids(
        down({
          restart: 'always',
          log: journal(
            [100, 'Started Hermes Agent dashboard (managed by hermes-setup).'],
            [200, 'Stopping Hermes Agent dashboard (managed by hermes-setup)...'],
          ),
        }),
      ),
    ).toEqual(['stopped']);
  });

  it('a stop before the last start does not count', () => {
    const i = down({
      restart: 'on-failure',
      log: journal([50, stopping], [100, started], [150, 'hermes-dashboard.service: Deactivated successfully.']),
    });
    expect(ids(i)).toEqual(['exited-clean']);
  });

  it('Restart=on-failure (a drop-in), the install changed and update.log says it stopped the dashboard: dead after update', () => {
    const i = down({
      restart: 'on-failure',
      cached: false,
      log: journal([100, started], [300, 'hermes-dashboard.service: Deactivated successfully.']),
      updateLog: {
        mtime: 290,
        tail: [
          '⚕ Updating Hermes Agent…',
          '⟲ Stopping 1 dashboard process(es) (the running backend no longer matches the updated frontend)',
        ],
      },
    });
    expect(ids(i)).toEqual(['dead-after-update']);
    const c = finding(i, 'dead-after-update')!.cause;
    expect(c).toMatch(
      /^the Hermes install changed since the last converge; ~\/\.hermes\/logs\/update\.log was written at 1970-01-01 00:04:50 UTC \("Stopping 1 dashboard process/,
    );
    expect(c).toMatch(/Restart=on-failure \(a drop-in overrides the unit's Restart=always/);
  });

  it('Restart=on-failure, a clean exit and no trace of an update: exited cleanly, not "after update"', () => {
    expect(ids(down({ restart: 'on-failure', log: journal([100, started]) }))).toEqual(['exited-clean']);
  });

  it('an update in progress: no down-service finding (the update stops it on purpose)', () => {
    const i = health({ systemdUser: dead, listeners: [], unitUser: always, updateMarker: true });
    expect(ids(i)).toEqual([]);
  });
});

describe('health follows the converged bind: Tailscale only for a tailnet bind', () => {
  const noTailscale = { tailscale: { installed: false, daemonRunning: false, magicDns: false, health: [] } };
  it.each<[string, Partial<ConvergeState>, string]>([
    ['--bind all (token on the LAN)', { bind: '0.0.0.0' }, 'skip'],
    ['a LAN address', { bind: '192.168.1.5' }, 'skip'],
    ['tunnel mode', { mode: 'tunnel', bind: '127.0.0.1' }, 'skip'],
    ['a tailnet address', { bind: TAILNET_IP }, 'FAIL'],
  ])('%s without Tailscale → tailscale %s', (_n, st, want) => {
    const listeners = [{ ...listening[0]!, address: st.bind ?? TAILNET_IP }];
    const i = health({ ...noTailscale, listeners }, { state: state(st) });
    expect(status(i, 'tailscale')?.status).toBe(want);
    expect(ids(i).includes('tailscale-missing')).toBe(want === 'FAIL');
    if (want === 'skip') expect(isHealthy(planChecks(i))).toBe(true);
  });
});

it('launchd: a loaded job that keeps exiting is named with the last line of its StandardErrorPath log', () => {
  const job = { loaded: true, state: 'not running', lastExitCode: 1 };
  const l = macFacts().launchd!;
  const i = health(
    macFacts({
      plistAgent: file('<plist/>', 0o644),
      launchd: { ...l, gui: job },
      listeners: [],
      env: file(`${TOKEN_KEY}=${TOKEN}\n`),
    }),
    {
      state: state({ servicePath: '~/Library/LaunchAgents/ai.hermes.dashboard.plist' }),
      deep: { addresses: [], evidence: { log: ['Traceback …', 'OSError: [Errno 48] Address already in use'] } },
    },
  );
  const f = diagnose(i).find((x) => x.id === 'launchd-exits');
  expect(f?.cause).toBe(
    'the dashboard exits at start; its error log (~/.hermes/logs/dashboard.error.log) ends: "OSError: [Errno 48] Address already in use"',
  );
});

describe('password mode: check and doctor name each trap with the fix (docs/hermes-contract.md#c6)', () => {
  const pw = (facts: Partial<Facts>, probe?: WsProbeResult) =>
    health(facts, { state: state({ mode: 'password' }), ...(probe ? { probe } : {}) });
  const env = (extra: string) => file(`${TOKEN_KEY}=${TOKEN}\n${extra}`);

  it('a clean password-mode host has an ok basic-auth line; token and tunnel modes have none', () => {
    expect(status(pw({}), 'basic-auth')).toMatchObject({ status: 'ok' });
    expect(status(health(), 'basic-auth')).toBeUndefined();
  });

  it.each<[string, Partial<Facts>, string, RegExp]>([
    [
      'basic in plugins.disabled',
      { configYaml: file('plugins:\n  disabled:\n    - basic\n') },
      'basic-disabled',
      /basic is listed in plugins\.disabled in ~\/\.hermes\/config\.yaml/,
    ],
    [
      'a plaintext password line in .env',
      { env: env(`${BASIC_PLAIN_KEY}=hunter2\n`) },
      'plaintext-password',
      /plaintext HERMES_DASHBOARD_BASIC_AUTH_PASSWORD line/,
    ],
    [
      'a secret under 16 bytes',
      { env: env(`${BASIC_SECRET_KEY}=short\n`) },
      'short-secret',
      /HERMES_DASHBOARD_BASIC_AUTH_SECRET in ~\/\.hermes\/\.env is too short \(\d+ bytes? as \w+, fewer than 16\)/,
    ],
    [
      'a config-side plaintext password',
      { configYaml: file('dashboard:\n  basic_auth:\n    password: hunter2\n') },
      'config-password',
      /config\.yaml sets a plaintext dashboard\.basic_auth\.password/,
    ],
  ])('%s → FAIL basic-auth and doctor %s, both with the fix', (_n, facts, id, detail) => {
    const i = pw(facts);
    expect(status(i, 'basic-auth')).toMatchObject({
      status: 'FAIL',
      detail: expect.stringMatching(detail),
      fix: 'hermes-setup remote box --no-update',
    });
    expect(isHealthy(planChecks(i))).toBe(false);
    expect(diagnose(i).find((f) => f.id === id)).toMatchObject({
      severity: 'problem',
      symptom: expect.stringMatching(detail),
      fix: 'hermes-setup remote box --no-update',
    });
    expect(ids(health(facts))).not.toContain(id);
  });

  it('several at once: one check line naming each; one finding each', () => {
    const i = pw({
      configYaml: file('plugins: {disabled: [basic]}\n'),
      env: env(`${BASIC_PLAIN_KEY}=x1\n${BASIC_SECRET_KEY}=s\n`),
    });
    expect(status(i, 'basic-auth')?.detail.split('; ')).toHaveLength(3);
    expect(ids(i)).toEqual(expect.arrayContaining(['basic-disabled', 'plaintext-password', 'short-secret']));
  });

  it('a 429 from the sign-in is reported as such, with "wait a minute"', () => {
    const limited: WsProbeResult = {
      ok: false,
      kind: 'http',
      status: 429,
      ms: 3,
      detail: 'sign-in failed: POST /auth/password-login: HTTP 429: too many sign-ins from this address',
    };
    expect(status(pw({}, limited), 'websocket')).toMatchObject({
      status: 'FAIL',
      detail: expect.stringMatching(/^429 signing in: .*too many sign-ins/),
      fix: expect.stringMatching(/^wait a minute/),
    });
  });
});
