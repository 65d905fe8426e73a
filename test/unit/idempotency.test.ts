// The idempotency property, without a guest: for many starting hosts, apply every change step's plan to a model
// host through a scripted Remote, read the host again, and plan again: every plan is empty. Also: the preflight
// (plans only) writes nothing, and a real pass writes exactly the files its plans named.
import { describe, expect, it } from 'vitest';
import { foldInputs, newInputs, type ConvergeInputs, type ConvergeOptions } from '../../src/converge/inputs.js';
import type { Facts } from '../../src/facts/parse-facts.js';
import { parseState } from '../../src/state.js';
import { configStep } from '../../src/steps/config.js';
import { envStep } from '../../src/steps/env.js';
import { hermesCheck } from '../../src/steps/hermes.js';
import { modeCheck } from '../../src/steps/mode.js';
import { recordStep } from '../../src/steps/record.js';
import { runStep } from '../../src/steps/run-step.js';
import { serviceStep } from '../../src/steps/service.js';
import type { AnyStep, StepOutcome } from '../../src/steps/step.js';
import { straysStep } from '../../src/steps/strays.js';
import { TOKEN_KEY } from '../../src/secrets.js';
import { generated, hermesFacts, options } from '../support/fixtures.js';
import { factsOf, newModel, ScriptedRemote, type HostModel } from '../support/host-model.js';

const STEPS: AnyStep[] = [hermesCheck, modeCheck, envStep, configStep, straysStep, serviceStep, recordStep];

async function converge(
  model: HostModel,
  opts: ConvergeOptions,
  planOnly = false,
  secrets = generated(),
): Promise<{ outcomes: StepOutcome[]; inputs: ConvergeInputs }> {
  const remote = new ScriptedRemote(model);
  const facts = factsOf(model);
  let i = newInputs(opts, facts, parseState(facts.state.content), secrets);
  const outcomes: StepOutcome[] = [];
  for (const s of STEPS) {
    const r = await runStep(s, { remote, log: () => undefined }, i, { planOnly });
    outcomes.push(r.outcome);
    i = r.inputs;
  }
  return { outcomes, inputs: i };
}

interface Scenario {
  name: string;
  os: 'Linux' | 'Darwin';
  facts?: Partial<Facts>;
  opts?: Partial<ConvergeOptions>;
  env?: string;
  config?: string;
  unit?: string;
}

const down = { installed: true, daemonRunning: true, backendState: 'NeedsLogin', magicDns: false, health: [] };
const scenarios: Scenario[] = [];
for (const os of ['Linux', 'Darwin'] as const) {
  for (const gen of ['G1', 'G2', 'G3'] as const) {
    const h = { hermes: hermesFacts(gen, os === 'Darwin' ? { path: '/Users/ann/.local/bin/hermes' } : {}) };
    scenarios.push({ name: `${os} ${gen} auto`, os, facts: h });
    scenarios.push({ name: `${os} ${gen} tunnel (Tailscale logged out)`, os, facts: { ...h, tailscale: down } });
    scenarios.push({
      name: `${os} ${gen} with other .env keys, CRLF and a weak token`,
      os,
      facts: h,
      env: '# keys\r\nOPENAI_API_KEY=sk-1\r\nHERMES_DASHBOARD_SESSION_TOKEN=weak\r\n',
    });
  }
  scenarios.push({ name: `${os} G2 --mode tunnel --bind all`, os, opts: { mode: 'tunnel', bind: 'all' } });
  scenarios.push({
    name: `${os} G2 .env 0644 and ~/.hermes 0755`,
    os,
    facts: { hermesDir: { type: 'dir', mode: 0o755 } },
    env: 'A=1\n',
  });
}
scenarios.push({
  name: 'Linux as root (system unit)',
  os: 'Linux',
  facts: { uid: 0, user: 'root', home: '/root', hermes: hermesFacts('G2', { path: '/usr/local/bin/hermes' }) },
});
scenarios.push({ name: 'Linux without linger', os: 'Linux', facts: { linger: false } });
scenarios.push({
  name: 'Linux G1 seed recipe: a hand-made unit with --insecure --tui and its token in Environment=, none in .env',
  os: 'Linux',
  facts: { hermes: hermesFacts('G1') },
  unit: `[Service]\nEnvironment=HERMES_DASHBOARD_SESSION_TOKEN=${'K'.repeat(43)}\nExecStart=/home/deploy/.local/bin/hermes dashboard --host 0.0.0.0 --insecure --tui\nRestart=always\n`,
});
scenarios.push({
  name: 'Linux G2 password mode: basic in plugins.disabled, a plaintext password line, a short secret, a token behind a BOM',
  os: 'Linux',
  env: `\uFEFFHERMES_DASHBOARD_SESSION_TOKEN=${'B'.repeat(43)}\nHERMES_DASHBOARD_BASIC_AUTH_PASSWORD=plain\nHERMES_DASHBOARD_BASIC_AUTH_SECRET=short\n`,
  config: '# mine\nplugins:\n  disabled:\n    - basic\n    - nous\n',
});
scenarios.push({ name: 'Darwin --daemon', os: 'Darwin', opts: { daemon: true } });
scenarios.push({
  name: 'Darwin without a GUI session',
  os: 'Darwin',
  facts: {
    launchd: {
      guiAvailable: false,
      gui: { loaded: false },
      user: { loaded: false },
      system: { loaded: false },
      disabledGui: [],
      disabledUser: [],
      disabledSystem: [],
    },
  },
});

function model(s: Scenario): HostModel {
  const m = newModel(s.os, s.facts);
  if (s.env !== undefined) m.files.set('~/.hermes/.env', { content: s.env, mode: 0o644 });
  if (s.config !== undefined) m.files.set('~/.hermes/config.yaml', { content: s.config, mode: 0o644 });
  if (s.unit !== undefined) {
    m.files.set('~/.config/systemd/user/hermes-dashboard.service', { content: s.unit, mode: 0o644 });
    Object.assign(m.unit, { loaded: true, enabled: true });
  }
  return m;
}

describe('idempotency: planning after applying gives an empty plan', () => {
  it.each(scenarios)('$name', async (s) => {
    const m = model(s);
    const opts = options({ update: false, ...s.opts });
    const first = await converge(m, opts);
    expect(first.outcomes.filter((o) => o.status === 'changed').map((o) => o.id)).toEqual(
      expect.arrayContaining(['env', 'service', 'record']),
    );
    const written = [...m.files.keys()].sort();
    const planned = first.inputs.files.map((f) => f.path);
    for (const p of planned) expect(written).toContain(p);
    const second = await converge(m, opts);
    expect(second.outcomes.map((o) => `${o.id}: ${o.status}`)).toEqual(STEPS.map((st) => `${st.id}: ok`));
    expect(m.files.get('~/.hermes/.env')?.mode).toBe(0o600);
    expect(m.files.get('~/.hermes/.env')?.content).toContain(`${TOKEN_KEY}=`);
    if (s.unit !== undefined) {
      expect(m.files.get('~/.hermes/.env')?.content).toBe(`HERMES_DASHBOARD_SESSION_TOKEN=${'K'.repeat(43)}\n`);
      expect(m.files.get('~/.config/systemd/user/hermes-dashboard.service')?.content).toMatch(
        /^# Managed by hermes-setup/,
      );
      expect(m.log.some((c) => c.includes('hermes-dashboard.service') && c.includes('.hermes-setup.bak'))).toBe(true);
    }
    if (s.config !== undefined)
      expect(m.files.get('~/.hermes/config.yaml')?.content).toBe('# mine\nplugins:\n  disabled:\n    - nous\n');
    if (s.env?.startsWith('\uFEFF'))
      expect(
        m.files.get('~/.hermes/.env')?.content.startsWith(`HERMES_DASHBOARD_SESSION_TOKEN=${'B'.repeat(43)}\n`),
      ).toBe(true);
    if (s.env?.includes('OPENAI_API_KEY'))
      expect(m.files.get('~/.hermes/.env')?.content.startsWith('# keys\r\nOPENAI_API_KEY=sk-1\r\n')).toBe(true);
  });

  it('a plan-only pass (the preflight, --dry-run) writes nothing and sends no command', async () => {
    const m = model(scenarios[0]!);
    const r = await converge(m, options(), true);
    expect(r.outcomes.filter((o) => o.status === 'changed').length).toBeGreaterThan(0);
    expect(m.log).toEqual([]);
    expect(m.files.size).toBe(0);
  });

  it('the preflight and the real pass plan the same bytes (generated secrets are made once)', async () => {
    const m = model(scenarios[0]!);
    const plan = await converge(m, options(), true);
    await converge(m, options());
    for (const f of plan.inputs.files) expect(m.files.get(f.path)?.content).toBe(f.after);
  });

  it('a restart happens only when a dependency changed: a rotated token restarts, a no-op does not', async () => {
    const m = model(scenarios[0]!);
    await converge(m, options());
    const pid = m.unit.pid;
    await converge(m, options());
    expect(m.unit.pid).toBe(pid);
    const rotated = await converge(m, options({ rotateToken: true }), false, { ...generated(), token: 'R'.repeat(43) });
    expect(rotated.outcomes.find((o) => o.id === 'service')?.detail).toMatch(/restart \(.env changed\)/);
    expect(m.unit.pid).not.toBe(pid);
  });

  it('folding is pure: earlier inputs are never changed by a later step', async () => {
    const m = model(scenarios[0]!);
    const facts = factsOf(m);
    const i0 = foldInputs(newInputs(options(), facts, undefined, generated()), {});
    const snapshot = JSON.stringify(i0);
    await runStep(
      envStep,
      { remote: new ScriptedRemote(m), log: () => undefined },
      foldInputs(i0, { decision: { mode: 'tunnel', bind: '127.0.0.1', reason: '' } }),
      { planOnly: false },
    );
    expect(JSON.stringify(i0)).toBe(snapshot);
  });
});

describe('one dashboard service per Mac (issue 13): a converge removes the other kind and the other domain', () => {
  const OTHER = '<!-- Managed by hermes-setup (token mode). -->\n<plist/>\n';
  const DAEMON = '/Library/LaunchDaemons/ai.hermes.dashboard.plist';
  const AGENT = '~/Library/LaunchAgents/ai.hermes.dashboard.plist';
  const running = (m: HostModel, d: 'gui' | 'user' | 'system', pid: number) => {
    m.jobs[d] = { loaded: true, running: true, pid };
  };

  it.each([
    ['an agent over an installed LaunchDaemon', {}, DAEMON, ['system'], 'gui', AGENT],
    ['--daemon over an agent loaded in gui/ and user/', { daemon: true }, AGENT, ['gui', 'user'], 'system', DAEMON],
  ] as const)('%s', async (_n, o, otherFile, otherJobs, kept, ours) => {
    const m = model({ name: '', os: 'Darwin' });
    m.files.set(otherFile, { content: OTHER, mode: 0o644 });
    otherJobs.forEach((d, n) => running(m, d, 100 + n));
    m.listeners = [
      { address: '127.0.0.1', family: 4, port: 9119, pid: 100, command: 'hermes dashboard', source: 'lsof' },
    ];
    const first = await converge(m, options(o));
    const detail = first.outcomes.find((x) => x.id === 'service')?.detail ?? '';
    for (const d of otherJobs)
      expect(detail).toContain(`boot out ${d === 'system' ? 'system' : `${d}/501`}/ai.hermes.dashboard`);
    expect(detail).toContain(`remove ${otherFile}`);
    expect(first.outcomes.find((x) => x.id === 'strays')?.status).toBe('ok');
    expect(m.files.has(otherFile)).toBe(false);
    expect(m.files.has(ours)).toBe(true);
    expect(
      Object.entries(m.jobs)
        .filter(([, j]) => j.loaded)
        .map(([d]) => d),
    ).toEqual([kept]);
    const second = await converge(m, options(o));
    expect(second.outcomes.map((x) => `${x.id}: ${x.status}`)).toEqual(STEPS.map((st) => `${st.id}: ok`));
  });
});
