// Plan tables for the service adapters: when to write, reload, enable, start and restart (systemd), and when to
// bootstrap, boot out, enable and kickstart (launchd). Pure: observations + inputs in, a plan out.
import { describe, expect, it } from 'vitest';
import { foldInputs, type ConvergeInputs } from '../../src/converge/inputs.js';
import { planLaunchd, type LaunchdObserved } from '../../src/service/launchd/launchd-step.js';
import {
  duplicatesOf,
  launchdInstalled,
  launchdTarget,
  otherInstances,
} from '../../src/service/launchd/launchd-domain.js';
import { planSystemd, type SystemdObserved } from '../../src/service/systemd/systemd-step.js';
import { sha256, type ConvergeState } from '../../src/state.js';
import { file, inputs, linuxFacts, macFacts, recordedState, TOKEN } from '../support/fixtures.js';

const UNIT = '# Managed by hermes-setup (token mode).\n[Service]\nExecStart=/h dashboard\n';

function stateFor(text: string, over: Partial<ConvergeState> = {}): ConvergeState {
  return recordedState({ mode: 'password', bind: '100.64.1.2', serviceSha256: sha256(text), ...over });
}

function converged(i: ConvergeInputs, extra: Parameters<typeof foldInputs>[1] = {}): ConvergeInputs {
  return foldInputs(i, { secrets: { token: TOKEN }, ...extra });
}

const active = {
  loadState: 'loaded',
  activeState: 'active',
  subState: 'running',
  mainPid: 42,
  nRestarts: 0,
  unitFileState: 'enabled',
  execMainStatus: 0,
};

function sd(over: Partial<SystemdObserved> = {}): SystemdObserved {
  return {
    system: false,
    path: '~/.config/systemd/user/hermes-dashboard.service',
    current: file(UNIT, 0o644),
    unit: active,
    desired: UNIT,
    linger: true,
    ...over,
  };
}

describe('planSystemd', () => {
  const base = () => converged(inputs(linuxFacts(), { state: stateFor(UNIT) }));

  it('nothing to do when the unit, linger, state and dependencies are as converged', () => {
    const p = planSystemd(sd(), base());
    expect(p.actions).toBeUndefined();
    expect(p.okDetail).toMatch(/active and enabled \(pid 42\), linger on/);
    expect(p.implies?.service).toEqual({ pid: 42 });
  });

  it.each([
    [
      'a fresh host',
      sd({ current: file(undefined), unit: undefined, linger: false }),
      { writeUnit: true, enableLinger: true, reload: true, enable: true, start: false, restart: true },
    ],
    [
      'a stopped unit, nothing changed: start, no restart',
      sd({ unit: { ...active, activeState: 'inactive', subState: 'dead', mainPid: 0 } }),
      { writeUnit: false, start: true, restart: false, enable: false },
    ],
    [
      'a disabled unit: enable',
      sd({ unit: { ...active, unitFileState: 'disabled' } }),
      { enable: true, restart: false, start: false },
    ],
    [
      'linger off: enable linger, nothing else',
      sd({ linger: false }),
      { enableLinger: true, restart: false, writeUnit: false },
    ],
  ])('%s', (_name, o, want) => {
    expect(planSystemd(o, base()).actions).toMatchObject(want);
  });

  it.each([
    ['.env changed', (i: ConvergeInputs) => foldInputs(i, { changed: { env: true } }), '.env changed'],
    [
      'the Hermes version changed this run',
      (i: ConvergeInputs) => foldInputs(i, { changed: { version: true } }),
      'Hermes version changed',
    ],
    [
      'the version differs from the recorded one',
      (i: ConvergeInputs) => foldInputs(i, { state: stateFor(UNIT, { hermesVersion: '0.17.0' }) }),
      'Hermes version changed',
    ],
    [
      'the pinned token differs from the converged one',
      (i: ConvergeInputs) => foldInputs(i, { secrets: { token: 'X'.repeat(43) } }),
      'pinned token differs',
    ],
  ])('restarts an active unit when %s', (_name, change, reason) => {
    const p = planSystemd(sd(), change(base()));
    expect(p.actions).toMatchObject({ restart: true, writeUnit: false, start: false });
    expect(p.actions!.reasons.join(', ')).toContain(reason);
  });

  it('a changed unit is written, reloaded and restarted (never a plain start)', () => {
    const p = planSystemd(sd({ desired: `${UNIT}# new\n` }), base());
    expect(p.actions).toMatchObject({ writeUnit: true, reload: true, restart: true, start: false });
    expect(p.implies?.files?.[0]).toMatchObject({
      path: '~/.config/systemd/user/hermes-dashboard.service',
      before: UNIT,
      after: `${UNIT}# new\n`,
      mode: 0o644,
    });
  });

  it('our unit edited by hand since: refused without --force (and says so), replaced and backed up with it, a warning in a dry run', () => {
    const edited = sd({ current: file(`${UNIT}# edited\n`, 0o644) });
    expect(() => planSystemd(edited, base())).toThrow(
      expect.objectContaining({
        code: 'E_SERVICE_DRIFT',
        message: expect.stringMatching(/was written by hermes-setup and edited by hand since/),
      }),
    );
    const forced = planSystemd(
      edited,
      converged(inputs(linuxFacts(), { state: stateFor(UNIT), opts: { force: true } })),
    );
    expect(forced.actions).toMatchObject({
      writeUnit: true,
      backup: '~/.config/systemd/user/hermes-dashboard.service.hermes-setup.bak',
    });
    const dry = planSystemd(edited, converged(inputs(linuxFacts(), { state: stateFor(UNIT), opts: { dryRun: true } })));
    expect(dry.implies?.warnings?.[0]).toMatch(
      /edited by hand since .*; a real run refuses to replace it without --force/,
    );
  });

  it('without a state file our header vouches for an existing unit; a unit running something else is refused and named', () => {
    const i = converged(inputs(linuxFacts()));
    expect(() =>
      planSystemd(sd({ current: file('[Service]\nExecStart=/usr/bin/python3 -m http.server 9119\n', 0o644) }), i),
    ).toThrow(
      expect.objectContaining({
        code: 'E_SERVICE_FOREIGN',
        message: expect.stringMatching(
          /runs `\/usr\/bin\/python3 -m http\.server 9119`, not `hermes dashboard` or `hermes serve`; refusing/,
        ),
      }),
    );
    expect(planSystemd(sd({ current: file(`${UNIT}x`, 0o644) }), i).actions).toMatchObject({ writeUnit: true });
    expect(planSystemd(sd({ current: file(`${UNIT}x`, 0o644) }), i).actions?.backup).toBeUndefined();
  });

  it('--force replaces a foreign unit after backing it up', () => {
    const i = converged(inputs(linuxFacts(), { opts: { force: true } }));
    const p = planSystemd(sd({ current: file('[Service]\nExecStart=/opt/other/server\n', 0o644) }), i);
    expect(p.actions).toMatchObject({
      writeUnit: true,
      backup: '~/.config/systemd/user/hermes-dashboard.service.hermes-setup.bak',
    });
    expect(p.describe).toMatch(/^replace it \(--force: .* runs `\/opt\/other\/server`/);
  });
  it('root gets the system unit and no linger', () => {
    const p = planSystemd(
      sd({
        system: true,
        path: '/etc/systemd/system/hermes-dashboard.service',
        current: file(undefined),
        unit: undefined,
        linger: false,
      }),
      base(),
    );
    expect(p.actions).toMatchObject({ system: true, enableLinger: false, writeUnit: true });
  });
});

const PLIST = '<!-- Managed by hermes-setup (password mode). -->\n<plist/>\n';

function ld(over: Partial<LaunchdObserved> = {}): LaunchdObserved {
  const loc = launchdTarget(macFacts(), { daemon: false });
  return {
    loc,
    current: file(PLIST, 0o644),
    job: { loaded: true, state: 'running', pid: 77 },
    disabled: false,
    desired: PLIST,
    others: { bootout: [], remove: [] },
    asked: false,
    ...over,
  };
}

describe('planLaunchd', () => {
  const base = () =>
    converged(
      inputs(macFacts(), {
        state: stateFor(PLIST, { servicePath: '~/Library/LaunchAgents/ai.hermes.dashboard.plist' }),
      }),
    );

  it('nothing to do when loaded, running and unchanged; says where', () => {
    const p = planLaunchd(ld(), base());
    expect(p.actions).toBeUndefined();
    expect(p.okDetail).toBe('gui/501/ai.hermes.dashboard running (pid 77)');
  });

  it.each([
    [
      'not loaded: enable, then bootstrap',
      ld({ job: { loaded: false } }),
      { enable: true, bootstrap: true, bootout: false, kickstart: false },
    ],
    [
      'loaded but not running: kickstart -k',
      ld({ job: { loaded: true, state: 'not running' } }),
      { kickstart: true, bootstrap: false },
    ],
    ['a disabled override: enable', ld({ disabled: true }), { enable: true, kickstart: false }],
    [
      'a changed plist: write, bootout, enable, bootstrap',
      ld({ desired: `${PLIST}<!-- new -->\n` }),
      { writePlist: true, bootout: true, enable: true, bootstrap: true, kickstart: false },
    ],
  ])('%s', (_n, o, want) => {
    expect(planLaunchd(o, base()).actions).toMatchObject(want);
  });

  it('a dependency change kickstarts a running job', () => {
    const p = planLaunchd(ld(), foldInputs(base(), { changed: { env: true } }));
    expect(p.actions).toMatchObject({ kickstart: true, bootstrap: false, reasons: ['.env changed'] });
  });

  it('warns that a LaunchAgent starts at login, not for a daemon', () => {
    expect(planLaunchd(ld(), base()).implies?.warnings?.join()).toMatch(/starts at login/);
    const daemon = ld({ loc: launchdTarget(macFacts(), { daemon: true }), current: file(PLIST, 0o644) });
    expect(planLaunchd(daemon, base()).implies?.warnings ?? []).toEqual([]);
  });

  it('FileVault: one warning that nothing starts before the unlock, for an agent and for a daemon', () => {
    const fv = converged(inputs(macFacts({ fileVault: true }), { state: stateFor(PLIST) }));
    const agent = planLaunchd(ld(), fv).implies?.warnings ?? [];
    expect(agent).toHaveLength(1);
    expect(agent[0]).toMatch(/FileVault is on: .*unlock screen.*not even a LaunchDaemon.*auto-login is impossible/);
    const daemon = planLaunchd(ld({ loc: launchdTarget(macFacts(), { daemon: true }) }), fv).implies?.warnings ?? [];
    expect(daemon).toEqual([
      expect.stringMatching(
        /^FileVault is on: .*even this LaunchDaemon starts only after someone types a password.*fdesetup authrestart/,
      ),
    ]);
  });

  it('converging as an agent over an installed daemon boots it out and removes its plist, and says so', () => {
    const f = macFacts({
      plistDaemon: file(PLIST, 0o644),
      launchd: { ...macFacts().launchd!, system: { loaded: true, state: 'running', pid: 12 } },
    });
    const loc = launchdTarget(f, { daemon: false });
    const p = planLaunchd(ld({ loc, others: otherInstances(f, loc) }), base());
    expect(p.actions?.others.bootout.map((x) => x.loc.scope)).toEqual(['system']);
    expect(p.actions?.others.remove.map((x) => x.path)).toEqual(['/Library/LaunchDaemons/ai.hermes.dashboard.plist']);
    expect(p.describe).toBe(
      'boot out system/ai.hermes.dashboard, remove /Library/LaunchDaemons/ai.hermes.dashboard.plist',
    );
  });

  it('converging as a daemon over an agent loaded in gui/ and user/ boots both out and removes the agent plist', () => {
    const job = { loaded: true, state: 'running', pid: 13 };
    const f = macFacts({
      plistAgent: file(PLIST, 0o644),
      launchd: { ...macFacts().launchd!, gui: job, user: { loaded: true, state: 'spawn scheduled' } },
    });
    const loc = launchdTarget(f, { daemon: true });
    const p = planLaunchd(
      ld({ loc, current: file(undefined), job: { loaded: false }, others: otherInstances(f, loc) }),
      base(),
    );
    expect(p.describe).toBe(
      'boot out gui/501/ai.hermes.dashboard, boot out user/501/ai.hermes.dashboard, remove ~/Library/LaunchAgents/ai.hermes.dashboard.plist, write plist, enable, bootstrap',
    );
  });

  it('an agent loaded in both gui/ and user/: the one holding the port stays, the other is booted out', () => {
    const f = macFacts({
      plistAgent: file(PLIST, 0o644),
      listeners: [
        { address: '100.64.1.2', family: 4, port: 9119, pid: 21, command: 'hermes dashboard', source: 'lsof' },
      ],
      launchd: {
        ...macFacts().launchd!,
        gui: { loaded: true, state: 'spawn scheduled', lastExitCode: 1 },
        user: { loaded: true, state: 'running', pid: 21 },
      },
    });
    const loc = launchdTarget(f, { daemon: false });
    expect(loc.scope).toBe('user/501');
    const p = planLaunchd(
      ld({ loc, job: { loaded: true, state: 'running', pid: 21 }, others: otherInstances(f, loc) }),
      base(),
    );
    expect(p.actions).toMatchObject({ bootstrap: false, kickstart: false, writePlist: false });
    expect(p.describe).toBe('boot out gui/501/ai.hermes.dashboard');
    expect(duplicatesOf(f, loc)).toEqual([{ what: 'gui/501/ai.hermes.dashboard (spawn scheduled)' }]);
  });

  it('--launchd-domain gui without a GUI session is refused before anything is written', () => {
    const f = macFacts({ launchd: { ...macFacts().launchd!, guiAvailable: false } });
    const i = converged(inputs(f, { opts: { launchdDomain: 'gui' } }));
    expect(() => planLaunchd(ld({ loc: launchdTarget(f, { daemon: false, launchdDomain: 'gui' }) }), i)).toThrow(
      /--launchd-domain gui: gui\/501 does not exist/,
    );
  });
});

describe('the launchd domain rule', () => {
  const job = { loaded: true, state: 'running', pid: 9 };
  const l = macFacts().launchd!;
  it.each([
    ['GUI session: gui/<uid>', macFacts(), undefined, 'gui/501'],
    ['no GUI session: user/<uid>', macFacts({ launchd: { ...l, guiAvailable: false } }), undefined, 'user/501'],
    [
      'a recorded daemon is found in system (the --daemon check bug)',
      macFacts({ launchd: { ...l, system: job } }),
      { servicePath: '/Library/LaunchDaemons/ai.hermes.dashboard.plist' },
      'system',
    ],
    ['a daemon loaded in system with no state', macFacts({ launchd: { ...l, system: job } }), undefined, 'system'],
    [
      'a recorded daemon that is not loaded is still looked for in system',
      macFacts(),
      { serviceKind: 'launchd-daemon', serviceScope: 'system' },
      'system',
    ],
    [
      'an agent loaded in user/ while a GUI exists is found there',
      macFacts({ launchd: { ...l, user: job } }),
      undefined,
      'user/501',
    ],
    [
      'a recorded scope is used when nothing is loaded',
      macFacts({ launchd: { ...l, guiAvailable: true } }),
      { serviceKind: 'launchd-agent', serviceScope: 'user/501' },
      'user/501',
    ],
    [
      'both gui/ and user/ loaded: the instance holding the port',
      macFacts({
        launchd: { ...l, gui: { loaded: true, state: 'spawn scheduled' }, user: job },
        listeners: [{ address: '127.0.0.1', family: 4, port: 9119, pid: 9, source: 'lsof' }],
      }),
      undefined,
      'user/501',
    ],
    [
      'both loaded, neither serving: the recorded one',
      macFacts({ launchd: { ...l, gui: { loaded: true }, user: { loaded: true } } }),
      { serviceKind: 'launchd-agent', serviceScope: 'user/501' },
      'user/501',
    ],
    [
      'a recorded gui/ without a GUI session now: user/',
      macFacts({ launchd: { ...l, guiAvailable: false } }),
      { serviceKind: 'launchd-agent', serviceScope: 'gui/501' },
      'user/501',
    ],
    [
      'no state, a daemon and an agent loaded: the one holding the port',
      macFacts({
        launchd: { ...l, gui: { loaded: true, state: 'spawn scheduled' }, system: job },
        listeners: [{ address: '127.0.0.1', family: 4, port: 9119, pid: 9, source: 'lsof' }],
      }),
      undefined,
      'system',
    ],
  ])('%s', (_n, facts, state, scope) => {
    expect(launchdInstalled(facts, state ? { ...stateFor(PLIST), ...state } : undefined).scope).toBe(scope);
  });

  it.each([
    [
      '--launchd-domain user with a GUI session',
      { daemon: false, launchdDomain: 'user' as const },
      undefined,
      'user/501',
    ],
    [
      '--launchd-domain gui over a recorded user/',
      { daemon: false, launchdDomain: 'gui' as const },
      { serviceScope: 'user/501' },
      'gui/501',
    ],
    [
      'a recorded fallback to user/ sticks while a GUI session exists',
      { daemon: false },
      { serviceKind: 'launchd-agent', serviceScope: 'user/501' },
      'user/501',
    ],
    ['--daemon', { daemon: true }, { serviceScope: 'gui/501' }, 'system'],
  ])('target: %s', (_n, o, state, scope) => {
    expect(launchdTarget(macFacts(), o, state ? { ...stateFor(PLIST), ...state } : undefined).scope).toBe(scope);
  });
});

// The seed recipe and the docs' recipes (docs/hermes-contract.md#c14): hand-made units and plists running hermes.
const SEED_UNIT = `[Unit]\nDescription=Hermes dashboard\nAfter=network-online.target\n\n[Service]\nEnvironment=HERMES_DASHBOARD_SESSION_TOKEN=${TOKEN}\nExecStart=/home/deploy/.local/bin/hermes dashboard --host 0.0.0.0 --insecure --tui\nRestart=always\n\n[Install]\nWantedBy=default.target\n`;
const DOCS_UNIT =
  '[Service]\nEnvironmentFile=%h/.hermes/.env\nExecStart=/home/deploy/.hermes/hermes-agent/venv/bin/python -m hermes_cli.main dashboard --port 9119\nRestart=on-failure\nEnvironment="OPENAI_BASE_URL=http://x" HERMES_HOME=/home/deploy/.hermes\n[Install]\nWantedBy=default.target\n';
const SHELL_UNIT = "[Service]\nExecStart=/bin/bash -lc 'hermes serve --host 127.0.0.1'\n";
const HAND_PLIST = `<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict><key>Label</key><string>ai.hermes.dashboard</string><key>ProgramArguments</key><array><string>/Users/ann/.local/bin/hermes</string><string>dashboard</string><string>--host</string><string>0.0.0.0</string><string>--insecure</string></array><key>EnvironmentVariables</key><dict><key>HERMES_DASHBOARD_SESSION_TOKEN</key><string>${TOKEN}</string></dict><key>KeepAlive</key><true/></dict></plist>\n`;

describe('adopting a hand-made hermes-dashboard unit or ai.hermes.dashboard plist', () => {
  const fresh = () => converged(inputs(linuxFacts()));

  it.each<[string, string, RegExp]>([
    [
      'the seed recipe (token in Environment=, --insecure --tui)',
      SEED_UNIT,
      /it ran `\/home\/deploy\/\.local\/bin\/hermes dashboard --host 0\.0\.0\.0 --insecure --tui`.*; its token is now pinned in ~\/\.hermes\/\.env only$/,
    ],
    [
      "the docs' recipe (EnvironmentFile, Restart=on-failure, python -m hermes_cli.main)",
      DOCS_UNIT,
      /it ran `.*python -m hermes_cli\.main dashboard --port 9119`\): backed up to/,
    ],
    ['a shell wrapper running hermes serve', SHELL_UNIT, /it ran `\/bin\/bash -lc 'hermes serve --host 127\.0\.0\.1'`/],
  ])('%s: backed up, said in one line, replaced, re-enabled and restarted', (_n, text, note) => {
    const p = planSystemd(sd({ current: file(text, 0o644), unit: { ...active, unitFileState: 'enabled' } }), fresh());
    expect(p.actions).toMatchObject({
      writeUnit: true,
      reload: true,
      restart: true,
      enable: true,
      backup: '~/.config/systemd/user/hermes-dashboard.service.hermes-setup.bak',
    });
    expect(p.describe).toMatch(/^adopt your hand-made hermes-dashboard\.service \(/);
    expect(p.describe.split('\n')).toHaveLength(1);
    expect(p.actions?.note).toMatch(note);
    expect(p.implies?.files?.[0]).toMatchObject({ before: text, after: UNIT });
  });

  it('names the variables the new unit does not carry (the backup keeps them)', () => {
    const p = planSystemd(sd({ current: file(DOCS_UNIT, 0o644) }), fresh());
    expect(p.implies?.warnings).toEqual([expect.stringMatching(/also set OPENAI_BASE_URL; the new service does not/)]);
  });

  it('a dry run shows the adoption and the diff, and refuses nothing', () => {
    const p = planSystemd(
      sd({ current: file(SEED_UNIT, 0o644) }),
      converged(inputs(linuxFacts(), { opts: { dryRun: true } })),
    );
    expect(p.describe).toMatch(/^adopt your hand-made/);
    expect(p.implies?.files?.[0]?.before).toBe(SEED_UNIT);
  });

  it('a hand-made LaunchAgent plist is adopted the same way; one running something else is refused', () => {
    const i = converged(inputs(macFacts()));
    const p = planLaunchd(ld({ current: file(HAND_PLIST, 0o644) }), i);
    expect(p.actions).toMatchObject({
      writePlist: true,
      bootout: true,
      bootstrap: true,
      backup: '~/Library/LaunchAgents/ai.hermes.dashboard.plist.hermes-setup.bak',
    });
    expect(p.describe).toMatch(
      /^adopt your hand-made ai\.hermes\.dashboard\.plist \(it ran `\/Users\/ann\/\.local\/bin\/hermes dashboard --host 0\.0\.0\.0 --insecure`\)/,
    );
    const other = HAND_PLIST.replace(
      '<string>/Users/ann/.local/bin/hermes</string><string>dashboard</string>',
      '<string>/usr/bin/caffeinate</string><string>-i</string>',
    );
    expect(() => planLaunchd(ld({ current: file(other, 0o644) }), i)).toThrow(
      expect.objectContaining({
        code: 'E_SERVICE_FOREIGN',
        message: expect.stringMatching(/runs `\/usr\/bin\/caffeinate -i/),
      }),
    );
  });
});
