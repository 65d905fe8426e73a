// Runs the converge: facts in one round trip, then each step as a listr2 task (line renderer off a TTY).
import { Listr, ListrLogger, type ListrTaskWrapper } from 'listr2';
import { isHermesSetupError, stepError, type HermesSetupError } from '../errors.js';
import { gatherFacts } from '../facts/gather.js';
import type { Remote } from '../remote/remote.js';
import { parseState } from '../state.js';
import type { Converge, ConvergeOptions, Step, StepOutcome } from '../steps/context.js';
import { envStep, planEnv } from '../steps/env.js';
import { hermesStep, readBuild } from '../steps/hermes.js';
import { modeStep } from '../steps/mode.js';
import { portStep } from '../steps/port.js';
import { probeStep } from '../steps/probe.js';
import { recordStep } from '../steps/record.js';
import { straysStep } from '../steps/strays.js';
import { updateStep } from '../steps/update.js';

export interface ConvergeRun {
  c: Converge;
  outcomes: StepOutcome[];
  error?: HermesSetupError;
}

type AnyStep = Step<unknown, unknown>;

const DRY_RUN_FLAGS: Record<string, (c: Converge) => void> = {
  env: (c) => { c.changed.env = true; },
  service: (c) => { c.changed.unit = true; c.service.restarted = true; },
};

export async function runStep(step: AnyStep, c: Converge): Promise<StepOutcome> {
  const reason = step.skip?.(c);
  if (reason) return { id: step.id, status: 'skipped', detail: reason };
  const state = await step.read(c);
  const plan = step.id === 'env' ? await planEnv(state as never, c) : step.plan(state, c);
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
    service: { kind: 'systemd-user', restarted: false }, files: [], secrets: [], warnings: [], probes: [], log,
  };
}

async function factsTask(c: Converge): Promise<StepOutcome> {
  c.facts = await gatherFacts(c.remote, c.opts.port);
  c.state = parseState(c.facts.state.content);
  const f = c.facts;
  return { id: 'facts', status: 'ok', detail: `${f.os} ${f.arch}, ${f.user} (uid ${f.uid}), ${f.hostname}` };
}

async function afterUpdate(c: Converge, o: StepOutcome): Promise<void> {
  if (o.status !== 'changed') return;
  c.facts = await gatherFacts(c.remote, c.opts.port);
  c.build = readBuild(c.facts.hermes, c.state);
}

export function stepsFor(): Array<AnyStep | 'facts' | 'service'> {
  return ['facts', hermesStep as AnyStep, updateStep as AnyStep, modeStep as AnyStep, envStep as AnyStep, straysStep as AnyStep,
    'service', recordStep as AnyStep, portStep as AnyStep, probeStep as AnyStep];
}

function titleOf(s: AnyStep | 'facts' | 'service'): string {
  return s === 'facts' ? 'Read the host' : s === 'service' ? 'Install the service' : s.title;
}

export async function runConverge(c: Converge, renderer: 'default' | 'simple' | 'silent'): Promise<ConvergeRun> {
  const run: ConvergeRun = { c, outcomes: [] };
  let current = 'facts';
  const tasks = stepsFor().map((s) => ({
    title: titleOf(s),
    task: async (_ctx: unknown, task: ListrTaskWrapper<unknown, never, never>) => {
      c.log = (line) => { task.output = line; };
      const step = s === 'facts' ? undefined : s === 'service' ? await serviceStep(c) : s;
      current = step?.id ?? 'facts';
      const o = step ? await runStep(step, c) : await factsTask(c);
      if (step === updateStep) await afterUpdate(c, o);
      if (step === hermesStep) c.build = readBuild(c.facts.hermes, c.state);
      run.outcomes.push(o);
      task.title = `${o.id}: ${o.status} — ${o.detail}`;
      if (o.status === 'skipped') task.skip(`${o.id}: skipped (${o.detail})`);
    },
  }));
  const listr = new Listr(tasks as never, {
    concurrent: false, exitOnError: true, renderer, fallbackRenderer: 'simple', registerSignalListeners: false,
    // The task list, failures included, goes to stdout; stderr carries only the one-line error (src/cli.ts).
    rendererOptions: { collapseErrors: false, formatOutput: 'wrap', logger: new ListrLogger({ toStderr: [] }) } as never,
    fallbackRendererOptions: { logger: new ListrLogger({ toStderr: [] }) } as never,
  });
  try {
    await listr.run();
  } catch (err) {
    const e = isHermesSetupError(err) ? err : stepError('E_STEP', (err as Error).message, 'rerun with --debug', err);
    run.error = e;
    run.outcomes.push({ id: current, status: 'failed', detail: e.toLine() });
  }
  return run;
}
