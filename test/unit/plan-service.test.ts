// Plan tables for the service adapters: when to write, reload, enable, start and restart (systemd), and when to
// bootstrap, boot out, enable and kickstart (launchd). Pure: observations + inputs in, a plan out.
import { describe, expect, it } from 'vitest';
import { foldInputs, type ConvergeInputs } from '../../src/converge/inputs.js';
import { planLaunchd, type LaunchdObserved } from '../../src/service/launchd/launchd-step.js';
import { duplicatesOf, launchdInstalled, launchdTarget, otherInstances } from '../../src/service/launchd/launchd-domain.js';
import { planSystemd, type SystemdObserved } from '../../src/service/systemd/systemd-step.js';
import { fingerprint, TOKEN_KEY } from '../../src/secrets.js';
import { sha256, type ConvergeState } from '../../src/state.js';
import { file, inputs, linuxFacts, macFacts, TOKEN } from '../support/fixtures.js';

const UNIT = '# Managed by hermes-setup (token mode).\n[Service]\nExecStart=/h dashboard\n';

function stateFor(text: string, over: Partial<ConvergeState> = {}): ConvergeState {
  return {
    schema: 1, hermesVersion: '0.18.0', hermesReleaseDate: '2026.7.1', generation: 'G2', hermesKey: 'key-G2', hermesCaps: { insecureDisablesGate: false, isolated: true, skipBuild: true, tuiListed: false, serveSshFlags: false },
    mode: 'password', bind: '100.64.1.2', port: 9119, serviceSha256: sha256(text), servicePath: '~/.config/systemd/user/hermes-dashboard.service', tokenFingerprint: fingerprint(TOKEN),
    envKeys: [TOKEN_KEY], lingerEnabledByUs: false, ...over,
  };
}

function converged(i: ConvergeInputs, extra: Parameters<typeof foldInputs>[1] = {}): ConvergeInputs {
  return foldInputs(i, { secrets: { token: TOKEN }, ...extra });
}

const active = { loadState: 'loaded', activeState: 'active', subState: 'running', mainPid: 42, nRestarts: 0, unitFileState: 'enabled', execMainStatus: 0 };

function sd(over: Partial<SystemdObserved> = {}): SystemdObserved {
  return { system: false, path: '~/.config/systemd/user/hermes-dashboard.service', current: file(UNIT, 0o644), unit: active, desired: UNIT, linger: true, ...over };
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
    ['a fresh host', sd({ current: file(undefined), unit: undefined, linger: false }), { writeUnit: true, enableLinger: true, reload: true, enable: true, start: false, restart: true }],
    ['a stopped unit, nothing changed: start, no restart', sd({ unit: { ...active, activeState: 'inactive', subState: 'dead', mainPid: 0 } }), { writeUnit: false, start: true, restart: false, enable: false }],
    ['a disabled unit: enable', sd({ unit: { ...active, unitFileState: 'disabled' } }), { enable: true, restart: false, start: false }],
    ['linger off: enable linger, nothing else', sd({ linger: false }), { enableLinger: true, restart: false, writeUnit: false }],
  ])('%s', (_name, o, want) => {
    expect(planSystemd(o, base()).actions).toMatchObject(want);
  });

  it.each([
    ['.env changed', (i: ConvergeInputs) => foldInputs(i, { changed: { env: true } }), '.env changed'],
    ['the Hermes version changed this run', (i: ConvergeInputs) => foldInputs(i, { changed: { version: true } }), 'Hermes version changed'],
    ['the version differs from the recorded one', (i: ConvergeInputs) => foldInputs(i, { state: stateFor(UNIT, { hermesVersion: '0.17.0' }) }), 'Hermes version changed'],
    ['the pinned token differs from the converged one', (i: ConvergeInputs) => foldInputs(i, { secrets: { token: 'X'.repeat(43) } }), 'pinned token differs'],
  ])('restarts an active unit when %s', (_name, change, reason) => {
    const p = planSystemd(sd(), change(base()));
    expect(p.actions).toMatchObject({ restart: true, writeUnit: false, start: false });
    expect(p.actions!.reasons.join(', ')).toContain(reason);
  });

  it('a changed unit is written, reloaded and restarted (never a plain start)', () => {
    const p = planSystemd(sd({ desired: `${UNIT}# new\n` }), base());
    expect(p.actions).toMatchObject({ writeUnit: true, reload: true, restart: true, start: false });
    expect(p.implies?.files?.[0]).toMatchObject({ path: '~/.config/systemd/user/hermes-dashboard.service', before: UNIT, after: `${UNIT}# new\n`, mode: 0o644 });
  });

  it('a hand-edited unit: refused without --force, replaced with it, a warning in a dry run', () => {
    const edited = sd({ current: file(`${UNIT}# edited\n`, 0o644) });
    expect(() => planSystemd(edited, base())).toThrow(/E_SERVICE_DRIFT|edited by hand/);
    expect(planSystemd(edited, converged(inputs(linuxFacts(), { state: stateFor(UNIT), opts: { force: true } }))).actions?.writeUnit).toBe(true);
    const dry = planSystemd(edited, converged(inputs(linuxFacts(), { state: stateFor(UNIT), opts: { dryRun: true } })));
    expect(dry.implies?.warnings?.[0]).toMatch(/edited by hand \(drift\)/);
  });

  it('without a state file only our header vouches for an existing unit', () => {
    const i = converged(inputs(linuxFacts()));
    expect(() => planSystemd(sd({ current: file('[Service]\nExecStart=/x\n', 0o644) }), i)).toThrow(/edited by hand/);
    expect(planSystemd(sd({ current: file(`${UNIT}x`, 0o644) }), i).actions?.writeUnit).toBe(true);
  });

  it('root gets the system unit and no linger', () => {
    const p = planSystemd(sd({ system: true, path: '/etc/systemd/system/hermes-dashboard.service', current: file(undefined), unit: undefined, linger: false }), base());
    expect(p.actions).toMatchObject({ system: true, enableLinger: false, writeUnit: true });
  });
});

const PLIST = '<!-- Managed by hermes-setup (password mode). -->\n<plist/>\n';

function ld(over: Partial<LaunchdObserved> = {}): LaunchdObserved {
  const loc = launchdTarget(macFacts(), { daemon: false });
  return { loc, current: file(PLIST, 0o644), job: { loaded: true, state: 'running', pid: 77 }, disabled: false, desired: PLIST, others: { bootout: [], remove: [] }, asked: false, ...over };
}

describe('planLaunchd', () => {
  const base = () => converged(inputs(macFacts(), { state: stateFor(PLIST, { servicePath: '~/Library/LaunchAgents/ai.hermes.dashboard.plist' }) }));

  it('nothing to do when loaded, running and unchanged; says where', () => {
    const p = planLaunchd(ld(), base());
    expect(p.actions).toBeUndefined();
    expect(p.okDetail).toBe('gui/501/ai.hermes.dashboard running (pid 77)');
  });

  it.each([
    ['not loaded: enable, then bootstrap', ld({ job: { loaded: false } }), { enable: true, bootstrap: true, bootout: false, kickstart: false }],
    ['loaded but not running: kickstart -k', ld({ job: { loaded: true, state: 'not running' } }), { kickstart: true, bootstrap: false }],
    ['a disabled override: enable', ld({ disabled: true }), { enable: true, kickstart: false }],
    ['a changed plist: write, bootout, enable, bootstrap', ld({ desired: `${PLIST}<!-- new -->\n` }), { writePlist: true, bootout: true, enable: true, bootstrap: true, kickstart: false }],
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
    expect(daemon).toEqual([expect.stringMatching(/^FileVault is on: .*even this LaunchDaemon starts only after someone types a password.*fdesetup authrestart/)]);
  });

  it('converging as an agent over an installed daemon boots it out and removes its plist, and says so', () => {
    const f = macFacts({ plistDaemon: file(PLIST, 0o644), launchd: { ...macFacts().launchd!, system: { loaded: true, state: 'running', pid: 12 } } });
    const loc = launchdTarget(f, { daemon: false });
    const p = planLaunchd(ld({ loc, others: otherInstances(f, loc) }), base());
    expect(p.actions?.others.bootout.map((x) => x.loc.scope)).toEqual(['system']);
    expect(p.actions?.others.remove.map((x) => x.path)).toEqual(['/Library/LaunchDaemons/ai.hermes.dashboard.plist']);
    expect(p.describe).toBe('boot out system/ai.hermes.dashboard, remove /Library/LaunchDaemons/ai.hermes.dashboard.plist');
  });

  it('converging as a daemon over an agent loaded in gui/ and user/ boots both out and removes the agent plist', () => {
    const job = { loaded: true, state: 'running', pid: 13 };
    const f = macFacts({ plistAgent: file(PLIST, 0o644), launchd: { ...macFacts().launchd!, gui: job, user: { loaded: true, state: 'spawn scheduled' } } });
    const loc = launchdTarget(f, { daemon: true });
    const p = planLaunchd(ld({ loc, current: file(undefined), job: { loaded: false }, others: otherInstances(f, loc) }), base());
    expect(p.describe).toBe('boot out gui/501/ai.hermes.dashboard, boot out user/501/ai.hermes.dashboard, remove ~/Library/LaunchAgents/ai.hermes.dashboard.plist, write plist, enable, bootstrap');
  });

  it('an agent loaded in both gui/ and user/: the one holding the port stays, the other is booted out', () => {
    const f = macFacts({ plistAgent: file(PLIST, 0o644), listeners: [{ address: '100.64.1.2', family: 4, port: 9119, pid: 21, command: 'hermes dashboard', source: 'lsof' }],
      launchd: { ...macFacts().launchd!, gui: { loaded: true, state: 'spawn scheduled', lastExitCode: 1 }, user: { loaded: true, state: 'running', pid: 21 } } });
    const loc = launchdTarget(f, { daemon: false });
    expect(loc.scope).toBe('user/501');
    const p = planLaunchd(ld({ loc, job: { loaded: true, state: 'running', pid: 21 }, others: otherInstances(f, loc) }), base());
    expect(p.actions).toMatchObject({ bootstrap: false, kickstart: false, writePlist: false });
    expect(p.describe).toBe('boot out gui/501/ai.hermes.dashboard');
    expect(duplicatesOf(f, loc)).toEqual([{ what: 'gui/501/ai.hermes.dashboard (spawn scheduled)' }]);
  });

  it('--launchd-domain gui without a GUI session is refused before anything is written', () => {
    const f = macFacts({ launchd: { ...macFacts().launchd!, guiAvailable: false } });
    const i = converged(inputs(f, { opts: { launchdDomain: 'gui' } }));
    expect(() => planLaunchd(ld({ loc: launchdTarget(f, { daemon: false, launchdDomain: 'gui' }) }), i)).toThrow(/--launchd-domain gui: gui\/501 does not exist/);
  });
});

describe('the launchd domain rule', () => {
  const job = { loaded: true, state: 'running', pid: 9 };
  const l = macFacts().launchd!;
  it.each([
    ['GUI session: gui/<uid>', macFacts(), undefined, 'gui/501'],
    ['no GUI session: user/<uid>', macFacts({ launchd: { ...l, guiAvailable: false } }), undefined, 'user/501'],
    ['a recorded daemon is found in system (the --daemon check bug)', macFacts({ launchd: { ...l, system: job } }), { servicePath: '/Library/LaunchDaemons/ai.hermes.dashboard.plist' }, 'system'],
    ['a daemon loaded in system with no state', macFacts({ launchd: { ...l, system: job } }), undefined, 'system'],
    ['a recorded daemon that is not loaded is still looked for in system', macFacts(), { serviceKind: 'launchd-daemon', serviceScope: 'system' }, 'system'],
    ['an agent loaded in user/ while a GUI exists is found there', macFacts({ launchd: { ...l, user: job } }), undefined, 'user/501'],
    ['a recorded scope is used when nothing is loaded', macFacts({ launchd: { ...l, guiAvailable: true } }), { serviceKind: 'launchd-agent', serviceScope: 'user/501' }, 'user/501'],
    ['both gui/ and user/ loaded: the instance holding the port', macFacts({ launchd: { ...l, gui: { loaded: true, state: 'spawn scheduled' }, user: job }, listeners: [{ address: '127.0.0.1', family: 4, port: 9119, pid: 9, source: 'lsof' }] }), undefined, 'user/501'],
    ['both loaded, neither serving: the recorded one', macFacts({ launchd: { ...l, gui: { loaded: true }, user: { loaded: true } } }), { serviceKind: 'launchd-agent', serviceScope: 'user/501' }, 'user/501'],
    ['a recorded gui/ without a GUI session now: user/', macFacts({ launchd: { ...l, guiAvailable: false } }), { serviceKind: 'launchd-agent', serviceScope: 'gui/501' }, 'user/501'],
    ['no state, a daemon and an agent loaded: the one holding the port', macFacts({ launchd: { ...l, gui: { loaded: true, state: 'spawn scheduled' }, system: job }, listeners: [{ address: '127.0.0.1', family: 4, port: 9119, pid: 9, source: 'lsof' }] }), undefined, 'system'],
  ])('%s', (_n, facts, state, scope) => {
    expect(launchdInstalled(facts, state ? ({ ...stateFor(PLIST), ...state } as ConvergeState) : undefined).scope).toBe(scope);
  });

  it.each([
    ['--launchd-domain user with a GUI session', { daemon: false, launchdDomain: 'user' as const }, undefined, 'user/501'],
    ['--launchd-domain gui over a recorded user/', { daemon: false, launchdDomain: 'gui' as const }, { serviceScope: 'user/501' }, 'gui/501'],
    ['a recorded fallback to user/ sticks while a GUI session exists', { daemon: false }, { serviceKind: 'launchd-agent', serviceScope: 'user/501' }, 'user/501'],
    ['--daemon', { daemon: true }, { serviceScope: 'gui/501' }, 'system'],
  ])('target: %s', (_n, o, state, scope) => {
    expect(launchdTarget(macFacts(), o, state ? ({ ...stateFor(PLIST), ...state } as ConvergeState) : undefined).scope).toBe(scope);
  });
});
