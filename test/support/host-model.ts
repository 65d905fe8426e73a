// A scripted Remote over a tiny model of a host, for plan tables and the idempotency property without a guest:
// it stores the files the steps write and answers the few commands the steps send (systemctl, loginctl,
// launchctl, kill) by changing the model. factsOf(model) is what the facts script would read back.
// It is a stand-in for unit speed only; every behaviour here is also covered by the e2e suite on real hosts.
/* eslint-disable @typescript-eslint/require-await -- ScriptedRemote fakes the async Remote interface: its methods are
   async on purpose so that a throw becomes a rejected promise, as on a real transport, though none of them awaits. */
import type { Duplex } from 'node:stream';
import type { Facts } from '../../src/facts/parse-facts.js';
import type { ExecOptions, ExecResult, FileStat, Remote, WhichResult } from '../../src/transport/remote.js';
import type { HeldRun } from '../../src/transport/held-run.js';
import { file, linuxFacts, macFacts } from './fixtures.js';

export interface Job {
  loaded: boolean;
  running: boolean;
  pid?: number;
}

export interface HostModel {
  base: Facts;
  files: Map<string, { content: string; mode: number }>;
  dirMode: number;
  linger: boolean;
  unit: { loaded: boolean; enabled: boolean; active: boolean; pid: number };
  jobs: Record<'gui' | 'user' | 'system', Job>;
  listeners: Facts['listeners'];
  nextPid: number;
  /** Every command the steps ran, in order. */
  log: string[];
}

export function newModel(os: 'Linux' | 'Darwin', over: Partial<Facts> = {}): HostModel {
  const base = os === 'Linux' ? linuxFacts(over) : macFacts(over);
  return {
    base,
    files: new Map(),
    dirMode: base.hermesDir.mode ?? 0o700,
    linger: base.linger,
    unit: { loaded: false, enabled: false, active: false, pid: 0 },
    jobs: {
      gui: { loaded: false, running: false },
      user: { loaded: false, running: false },
      system: { loaded: false, running: false },
    },
    listeners: base.listeners,
    nextPid: 4000,
    log: [],
  };
}

const f = (m: HostModel, path: string) => file(m.files.get(path)?.content, m.files.get(path)?.mode);

const printJob = (j: Job) =>
  j.loaded
    ? { loaded: true, ...(j.running ? { state: 'running', pid: j.pid! } : { state: 'not running' }) }
    : { loaded: false };

/** What the facts script would read from the model now. */
export function factsOf(m: HostModel): Facts {
  const b = m.base;
  const unit = {
    loadState: m.unit.loaded ? 'loaded' : 'not-found',
    activeState: m.unit.active ? 'active' : 'inactive',
    subState: m.unit.active ? 'running' : 'dead',
    mainPid: m.unit.active ? m.unit.pid : 0,
    nRestarts: 0,
    unitFileState: m.unit.enabled ? 'enabled' : 'disabled',
    execMainStatus: 0,
  };
  return {
    ...b,
    env: f(m, '~/.hermes/.env'),
    state: f(m, '~/.hermes/.hermes-setup-state.json'),
    hermesDir: { type: 'dir', mode: m.dirMode },
    unitUser: f(m, '~/.config/systemd/user/hermes-dashboard.service'),
    unitSystem: f(m, '/etc/systemd/system/hermes-dashboard.service'),
    plistAgent: f(m, '~/Library/LaunchAgents/ai.hermes.dashboard.plist'),
    plistDaemon: f(m, '/Library/LaunchDaemons/ai.hermes.dashboard.plist'),
    ...(m.files.has('~/.hermes/config.yaml') ? { configYaml: f(m, '~/.hermes/config.yaml') } : {}),
    linger: m.linger,
    listeners: m.listeners,
    ...(b.os === 'Linux' ? (b.uid === 0 ? { systemdSystem: unit } : { systemdUser: unit }) : {}),
    ...(b.launchd
      ? {
          launchd: {
            ...b.launchd,
            gui: printJob(m.jobs.gui),
            user: printJob(m.jobs.user),
            system: printJob(m.jobs.system),
          },
        }
      : {}),
  };
}

function start(m: HostModel, bind: string): number {
  const pid = m.nextPid++;
  m.listeners = [{ address: bind, family: 4, port: 9119, pid, command: 'hermes dashboard', source: 'lsof' }];
  return pid;
}

function bindOf(m: HostModel): string {
  const text = [...m.files.values()].map((x) => x.content).join('\n');
  return /--host[ \n]*(?:<\/string>\s*<string>)?([0-9a-f.:]+)/.exec(text)?.[1] ?? '127.0.0.1';
}

function runSystemctl(m: HostModel, cmd: string): ExecResult {
  if (/ show hermes-dashboard\.service/.test(cmd)) {
    return {
      code: 0,
      stdout: `ActiveState=${m.unit.active ? 'active' : 'inactive'}\nMainPID=${m.unit.pid}\nUnitFileState=${m.unit.enabled ? 'enabled' : 'disabled'}\n`,
      stderr: '',
    };
  }
  m.unit.loaded = true;
  if (/ (re)?enable /.test(cmd)) m.unit.enabled = true;
  if (/ (re)?enable --now | restart /.test(cmd)) {
    m.unit.active = true;
    m.unit.pid = start(m, bindOf(m));
  }
  return { code: 0, stdout: '', stderr: '' };
}

function domainOf(cmd: string): 'gui' | 'user' | 'system' {
  return /system/.test(cmd) ? 'system' : /gui\//.test(cmd) || / sh gui\//.test(cmd) ? 'gui' : 'user';
}

function runLaunchctl(m: HostModel, cmd: string): ExecResult {
  const d = domainOf(cmd);
  const j = m.jobs[d];
  if (/launchctl bootout/.test(cmd)) {
    // also the bootout-and-wait script, which polls print after it
    m.listeners = m.listeners.filter((l) => l.pid !== j.pid);
    m.jobs[d] = { loaded: false, running: false };
    return { code: 0, stdout: '\n', stderr: '' };
  }
  if (/launchctl print /.test(cmd))
    return j.loaded
      ? {
          code: 0,
          stdout: `${d}/ai.hermes.dashboard = {\n\tstate = ${j.running ? 'running' : 'not running'}\n${j.running ? `\tpid = ${j.pid}\n` : ''}}\n`,
          stderr: '',
        }
      : { code: 113, stdout: '', stderr: 'Could not find service' };
  if (/bootstrap/.test(cmd) || /kickstart -k/.test(cmd))
    m.jobs[d] = { loaded: true, running: true, pid: start(m, bindOf(m)) };
  return { code: 0, stdout: '', stderr: '' };
}

export class ScriptedRemote implements Remote {
  readonly label = 'deploy@model';

  constructor(readonly model: HostModel) {}

  async exec(command: string, opts?: ExecOptions): Promise<ExecResult> {
    const m = this.model;
    m.log.push(command);
    const sudoWrite = /^sudo -n sh -c .*mv -f .* sh '?([^' ]+)'?$/.exec(command);
    if (sudoWrite && opts?.stdin !== undefined) {
      m.files.set(sudoWrite[1]!, { content: opts.stdin.toString(), mode: 0o644 });
      return { code: 0, stdout: '', stderr: '' };
    }
    if (/enable-linger/.test(command)) {
      m.linger = true;
      return { code: 0, stdout: '', stderr: '' };
    }
    if (/systemctl/.test(command)) return runSystemctl(m, command);
    if (/launchctl/.test(command) || /bootstrap "\$D"/.test(command)) return runLaunchctl(m, command);
    const rm = /^(?:sudo -n )?rm -f ('?)(.+)\1$/.exec(command);
    if (rm) {
      m.files.delete(rm[2]!.replace(/^"\$HOME"\//, '~/'));
      return { code: 0, stdout: '', stderr: '' };
    }
    if (/chmod 700 ~\/\.hermes/.test(command)) m.dirMode = 0o700;
    if (/chmod 600 .*\.env/.test(command)) {
      const e = m.files.get('~/.hermes/.env');
      if (e) e.mode = 0o600;
    }
    if (/^kill -TERM/.test(command))
      m.listeners = m.listeners.filter((l) => !command.includes(` ${l.pid} `) && !command.includes(` ${l.pid};`));
    return { code: 0, stdout: '', stderr: '' };
  }

  async readFile(path: string): Promise<Buffer | undefined> {
    const x = this.model.files.get(path);
    return x ? Buffer.from(x.content) : undefined;
  }

  async writeFileAtomic(path: string, content: string | Buffer, mode: number): Promise<void> {
    this.model.log.push(`write ${path}`);
    this.model.files.set(path, { content: content.toString(), mode });
  }

  async stat(): Promise<FileStat | undefined> {
    return undefined;
  }
  async which(): Promise<WhichResult | undefined> {
    return undefined;
  }
  async holdUntil(): Promise<HeldRun> {
    throw new Error('the model reads its facts with factsOf()');
  }
  async dial(): Promise<Duplex> {
    throw Object.assign(new Error('the model has no network'), { code: 'ECONNREFUSED' });
  }
  dropConnection(): void {
    /* nothing to drop */
  }
  async close(): Promise<void> {
    /* nothing to close */
  }
}
