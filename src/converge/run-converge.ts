// Runs the converge: facts in one round trip; then every step is planned once before anything is written
// (the preflight: bad input fails with the host untouched); then, under the remote lock, each step runs as a
// listr2 task (a line renderer off a TTY).
import { Listr, ListrLogger, type ListrTaskWrapper } from 'listr2';
import { isHermesSetupError, stepError, type HermesSetupError } from '../errors.js';
import { gatherFacts } from '../facts/gather.js';
import type { Remote } from '../transport/remote.js';
import { parseState } from '../state.js';
import type { Converge, ConvergeOptions, Step, StepOutcome } from '../steps/context.js';
import { envStep } from '../steps/env.js';
import { hermesStep, readBuild } from '../steps/hermes.js';
import { modeStep } from '../steps/mode.js';
import { portStep } from '../steps/port.js';
import { probeStep } from '../steps/probe.js';
import { recordStep } from '../steps/record.js';
import { straysStep } from '../steps/strays.js';
import { tidyStep } from '../steps/tidy.js';
import { updateStep } from '../steps/update.js';
import { faultAt } from '../fault-injection.js';
import { checkPreconditions } from './preconditions.js';
import { acquireLock, type LockHandle } from './remote-lock.js';

export interface ConvergeRun {
  c: Converge;
  outcomes: StepOutcome[];
  error?: HermesSetupError;
}

type AnyStep = Step<unknown, unknown>;
type Phase = AnyStep | 'facts' | 'preflight' | 'lock' | 'service';

const DRY_RUN_FLAGS: Record<string, (c: Converge) => void> = {
  env: (c) => { c.changed.env = true; },
  service: (c) => { c.changed.unit = true; c.service.restarted = true; },
};

export async function runStep(step: AnyStep, c: Converge): Promise<StepOutcome> {
  const reason = step.skip?.(c);
  if (reason) return { id: step.id, status: 'skipped', detail: reason };
  const state = await step.read(c);
  const plan = await step.plan(state, c);
  if (plan === undefined) return { id: step.id, status: 'ok', detail: step.okDetail?.(state, c) ?? 'nothing to do' };
  const what = step.describe(plan, c);
  if (c.opts.dryRun) {
    DRY_RUN_FLAGS[step.id]?.(c);
    return { id: step.id, status: 'changed', detail: `would ${what}` };
  }
  const res = await step.apply(c, plan);
  if (res && 'unchanged' in res) return { id: step.id, status: 'ok', detail: res.unchanged };
  await step.verify?.(c, plan);
  return { id: step.id, status: 'changed', detail: what };
}

async function serviceStep(c: Converge): Promise<AnyStep> {
  if (c.facts.os === 'Darwin') return (await import('../steps/service-launchd.js')).launchdStep as AnyStep;
  if (c.facts.os === 'Linux' && c.facts.init === 'systemd') return (await import('../steps/service-systemd.js')).systemdStep as AnyStep;
  throw stepError('E_UNSUPPORTED_OS', `${c.facts.os || 'this OS'} without systemd is not supported (init: ${c.facts.init})`,
    'hermes-setup manages a systemd unit (Linux) or a launchd job (macOS)');
}

export function newConverge(remote: Remote, opts: ConvergeOptions, log: (l: string) => void): Converge {
  return {
    remote, opts, facts: undefined as never, changed: { unit: false, env: false, version: false, linger: false },
    service: { kind: 'systemd-user', restarted: false }, files: [], generated: {}, secrets: [], warnings: [], probes: [], log,
  };
}

async function readFacts(c: Converge): Promise<StepOutcome> {
  c.facts = await gatherFacts(c.remote, c.opts.port);
  c.state = parseState(c.facts.state.content);
  const f = c.facts;
  return { id: 'facts', status: 'ok', detail: `${f.os} ${f.arch}, ${f.user} (uid ${f.uid}), ${f.hostname}` };
}

/** Plans mode, .env, strays, service and record without applying anything, then forgets the plans. */
async function preflight(c: Converge): Promise<StepOutcome> {
  const saved = { opts: c.opts, warnings: [...c.warnings], build: c.build };
  c.opts = { ...c.opts, dryRun: true };
  c.preflight = !saved.opts.dryRun; // strict only when a real run follows; a dry run shows drift instead of refusing
  // A G0 build is refused only if it is still G0 after `hermes update`; until then, plan as for a current build.
  if (c.build?.generation === 'G0' && c.opts.update && !saved.opts.dryRun) c.build = { ...c.build, generation: 'G2' };
  try {
    const planned: StepOutcome[] = [];
    for (const s of [modeStep, envStep, straysStep, await serviceStep(c), recordStep] as AnyStep[]) planned.push(await runStep(s, c));
    checkPreconditions(c, planned);
    const n = planned.filter((o) => o.status === 'changed').length;
    return { id: 'preflight', status: 'ok', detail: n ? `${n} step(s) will change the host` : 'nothing to change' };
  } finally {
    Object.assign(c, { opts: saved.opts, warnings: saved.warnings, build: saved.build, preflight: false, files: [], changed: { unit: false, env: false, version: false, linger: false } });
    c.service.restarted = false;
  }
}

async function takeLock(c: Converge, holder: { lock?: LockHandle }): Promise<StepOutcome> {
  if (c.opts.dryRun) return { id: 'lock', status: 'skipped', detail: 'dry run writes nothing' };
  let waited = false;
  const t0 = Date.now();
  holder.lock = await acquireLock(c.remote, c.opts.lockWaitMs, (l) => { waited = true; c.log(l); });
  if (waited) await readFacts(c);
  const detail = holder.lock.tookOverStale ? `took over a stale lock (pid ${holder.lock.tookOverStale} is gone)`
    : waited ? `held, after waiting ${((Date.now() - t0) / 1000).toFixed(1)} s for another run` : 'held for this run';
  return { id: 'lock', status: 'ok', detail };
}

async function afterUpdate(c: Converge, o: StepOutcome): Promise<void> {
  if (o.status !== 'changed') return;
  await readFacts(c);
  c.build = readBuild(c.facts.hermes, c.state);
}

export function phases(): Phase[] {
  return ['facts', hermesStep as AnyStep, 'preflight', 'lock', tidyStep as AnyStep, updateStep as AnyStep, modeStep as AnyStep, envStep as AnyStep,
    straysStep as AnyStep, 'service', recordStep as AnyStep, portStep as AnyStep, probeStep as AnyStep];
}

const TITLES: Record<string, string> = { facts: 'Read the host', preflight: 'Plan every change before writing', lock: 'Take the host lock', service: 'Install the service' };

async function runPhase(s: Phase, c: Converge, holder: { lock?: LockHandle }): Promise<{ id: string; outcome: StepOutcome }> {
  if (s === 'facts') return { id: 'facts', outcome: await readFacts(c) };
  if (s === 'preflight') return { id: 'preflight', outcome: await preflight(c) };
  if (s === 'lock') return { id: 'lock', outcome: await takeLock(c, holder) };
  const step = s === 'service' ? await serviceStep(c) : s;
  const outcome = await runStep(step, c);
  if (step === updateStep) await afterUpdate(c, outcome);
  if (step === hermesStep) c.build = readBuild(c.facts.hermes, c.state);
  return { id: step.id, outcome };
}

/** One host's converge in progress: its run, its lock, the phase running now, and who hears each outcome. */
export interface ConvergeSession {
  run: ConvergeRun;
  holder: { lock?: LockHandle };
  current: string;
  onOutcome?: (o: StepOutcome) => void;
}

export function newSession(c: Converge, onOutcome?: (o: StepOutcome) => void): ConvergeSession {
  return { run: { c, outcomes: [] }, holder: {}, current: 'facts', ...(onOutcome ? { onOutcome } : {}) };
}

/** The converge as listr2 tasks (run them in order, stop at the first error), for a Listr or a parent task. */
export function convergeTasks(s: ConvergeSession): Array<{ title: string; task: (ctx: unknown, task: ListrTaskWrapper<unknown, never, never>) => Promise<void> }> {
  const { c } = s.run;
  return phases().map((p) => ({
    title: typeof p === 'string' ? TITLES[p]! : p.title,
    task: async (_ctx: unknown, task: ListrTaskWrapper<unknown, never, never>) => {
      c.log = (line) => { task.output = line; };
      s.current = typeof p === 'string' ? p : p.id;
      faultAt('before', s.current, c.remote);
      const { outcome: o } = await runPhase(p, c, s.holder);
      faultAt('after', o.id, c.remote);
      s.run.outcomes.push(o);
      s.onOutcome?.(o);
      task.title = `${o.id}: ${o.status} — ${o.detail}`;
      if (o.status === 'skipped') task.skip(`${o.id}: skipped (${o.detail})`);
    },
  }));
}

/** Records the error (if any) as the failed outcome of the current phase, and releases the lock. */
export async function endSession(s: ConvergeSession, err?: unknown): Promise<ConvergeRun> {
  try {
    if (err !== undefined) {
      const e = isHermesSetupError(err) ? err : stepError('E_STEP', (err as Error).message, 'rerun with --debug', err);
      s.run.error = e;
      const o: StepOutcome = { id: s.current, status: 'failed', detail: e.toLine() };
      s.run.outcomes.push(o);
      s.onOutcome?.(o);
    }
  } finally {
    await s.holder.lock?.release();
  }
  return s.run;
}

export async function runConverge(c: Converge, renderer: 'default' | 'simple' | 'silent'): Promise<ConvergeRun> {
  const s = newSession(c);
  const listr = new Listr(convergeTasks(s) as never, {
    concurrent: false, exitOnError: true, renderer, fallbackRenderer: 'simple', registerSignalListeners: false,
    // The task list, failures included, goes to stdout; stderr carries only the one-line error (src/cli.ts).
    rendererOptions: { collapseErrors: false, formatOutput: 'wrap', logger: new ListrLogger({ toStderr: [] }) } as never,
    fallbackRendererOptions: { logger: new ListrLogger({ toStderr: [] }) } as never,
  });
  let failure: unknown;
  try {
    await listr.run();
  } catch (err) {
    failure = err ?? new Error('unknown failure');
  }
  return endSession(s, failure);
}
