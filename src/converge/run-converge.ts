// The converge: the facts in one round trip; every change planned once before anything is written (the
// preflight: bad input fails with the host untouched); then, under the remote lock, each step runs. The runner
// owns the only mutable thing, the session: it folds each step's result into new immutable inputs.
import type { ListrTaskWrapper } from 'listr2';
import { isHermesSetupError, stepError, type HermesSetupError } from '../errors.js';
import { faultAt } from '../fault-injection.js';
import { onInterrupt } from '../interrupt.js';
import { count, type Colors } from '../output.js';
import { gatherFacts } from '../facts/gather.js';
import type { Facts } from '../facts/parse-facts.js';
import { parseState } from '../state.js';
import { configStep } from '../steps/config.js';
import { envStep } from '../steps/env.js';
import { hermesCheck } from '../steps/hermes.js';
import { modeCheck } from '../steps/mode.js';
import { portCheck } from '../steps/port.js';
import { probeCheck } from '../steps/probe.js';
import { recordStep } from '../steps/record.js';
import { runStep } from '../steps/run-step.js';
import { serviceStep } from '../steps/service.js';
import type { AnyStep, StepId, StepIo, StepOutcome } from '../steps/step.js';
import { straysStep } from '../steps/strays.js';
import { tidyStep } from '../steps/tidy.js';
import { updateStep } from '../steps/update.js';
import { takeEarlyRead } from '../transport/early-start.js';
import type { Remote } from '../transport/remote.js';
import { foldInputs, newInputs, type ConvergeInputs, type ConvergeOptions } from './inputs.js';
import { checkPreconditions } from './preconditions.js';
import { factsChannelKind, factsKind } from './early-facts.js';
import { lockFailure, openFactsChannel, type FactsChannel } from './locked-facts.js';
import type { LockHandle } from './remote-lock.js';
import { renderStepLine } from './step-line.js';

/** One host's converge in progress. */
export interface ConvergeSession {
  opts: ConvergeOptions;
  io: StepIo;
  inputs?: ConvergeInputs;
  outcomes: StepOutcome[];
  /** Ends the facts exec: releases the lock once it is taken (see locked-facts.ts). */
  lock?: LockHandle;
  /** The exec that read the facts and takes the lock after the preflight (none for a dry run). */
  channel?: FactsChannel;
  current: StepId;
  error?: HermesSetupError;
  onOutcome?: (o: StepOutcome) => void;
  /** Unregisters the lock's release on Ctrl-C (src/interrupt.ts) once it is released normally. */
  unhookLock?: () => void;
}

interface Phase {
  id: StepId;
  title: string;
  run(s: ConvergeSession): Promise<StepOutcome>;
}

/** The steps the preflight plans (in order) before the first write. */
const PLANNED: AnyStep[] = [updateStep, modeCheck, envStep, configStep, straysStep, serviceStep, recordStep];

function inputsOf(s: ConvergeSession): ConvergeInputs {
  if (!s.inputs) throw new Error('internal: the facts are read first');
  return s.inputs;
}

/** The facts. For a real run they come from the exec that takes the lock after the preflight (locked-facts.ts);
 * either read may have been started with the connection (early-facts.ts). */
async function readFacts(s: ConvergeSession): Promise<StepOutcome> {
  const { remote } = s.io;
  const log = (l: string): void => s.io.log(l);
  let facts: Facts;
  if (s.opts.dryRun)
    facts = await (takeEarlyRead<Facts>(remote, factsKind(s.opts.port), log) ?? gatherFacts(remote, s.opts.port));
  else {
    const ch = await (takeEarlyRead<FactsChannel>(remote, factsChannelKind(s.opts.port, s.opts.lockWaitMs), log) ??
      openFactsChannel(remote, s.opts.port, s.opts.lockWaitMs));
    s.channel = ch;
    s.lock = { release: () => ch.close() };
    facts = ch.facts;
  }
  foldFacts(s, facts);
  return {
    id: 'facts',
    status: 'ok',
    detail: `${facts.os} ${facts.arch}, ${facts.user} (uid ${facts.uid}), ${facts.hostname}`,
  };
}

function foldFacts(s: ConvergeSession, facts: Facts): void {
  s.inputs = s.inputs
    ? foldInputs(s.inputs, { facts, state: parseState(facts.state.content) })
    : newInputs(s.opts, facts, parseState(facts.state.content));
}

/** Plans every change without applying anything; the plans are thrown away (the inputs are immutable). */
async function preflight(s: ConvergeSession): Promise<StepOutcome> {
  let i = inputsOf(s);
  const changing: string[] = [];
  for (const step of PLANNED) {
    const r = await runStep(step, s.io, i, { planOnly: true });
    if (r.outcome.status === 'changed') changing.push(step.id);
    i = r.inputs;
  }
  s.inputs = foldInputs(inputsOf(s), { warnings: checkPreconditions(i, changing.length) });
  // `hermes update` is always planned when it runs; whether it changes anything is known only once it has run.
  const others = changing.filter((id) => id !== 'update');
  const update = changing.includes('update') ? '; `hermes update` runs first' : '';
  return {
    id: 'preflight',
    status: 'ok',
    detail: others.length
      ? `${count(others.length, 'step')} will change the host (${others.join(', ')})${update}`
      : `nothing to change${update}`,
  };
}

/** Takes the lock on the facts exec, now that the preflight has passed; after a wait the facts were read again. */
async function takeLock(s: ConvergeSession): Promise<StepOutcome> {
  if (s.opts.dryRun) return { id: 'lock', status: 'skipped', detail: 'dry run writes nothing' };
  if (!s.channel) throw new Error('internal: the lock is taken on the facts exec');
  const r = await s.channel.lock((l) => s.io.log(l));
  if (r.state !== 'held') throw lockFailure(r);
  const lock = s.lock;
  if (lock) s.unhookLock = onInterrupt(() => lock.release());
  if (r.facts) foldFacts(s, r.facts);
  const detail =
    r.stale !== undefined
      ? `took over a stale lock (pid ${r.stale} is gone)`
      : r.waitedMs !== undefined
        ? `held, after waiting ${(r.waitedMs / 1000).toFixed(1)} s for another run`
        : 'held for this run';
  return { id: 'lock', status: 'ok', detail };
}

function stepPhase(step: AnyStep): Phase {
  return {
    id: step.id,
    title: step.title,
    run: async (s) => {
      const r = await runStep(step, s.io, inputsOf(s), { planOnly: s.opts.dryRun });
      s.inputs = r.inputs;
      return r.outcome;
    },
  };
}

export function phases(): Phase[] {
  return [
    { id: 'facts', title: 'Read the host', run: readFacts },
    stepPhase(hermesCheck),
    { id: 'preflight', title: 'Plan every change before writing', run: preflight },
    { id: 'lock', title: 'Take the host lock', run: takeLock },
    ...[
      tidyStep,
      updateStep,
      modeCheck,
      envStep,
      configStep,
      straysStep,
      serviceStep,
      recordStep,
      portCheck,
      probeCheck,
    ].map(stepPhase),
  ];
}

export function newSession(
  remote: Remote,
  opts: ConvergeOptions,
  onOutcome?: (o: StepOutcome) => void,
): ConvergeSession {
  return {
    opts,
    io: { remote, log: () => undefined },
    outcomes: [],
    current: 'facts',
    ...(onOutcome ? { onOutcome } : {}),
  };
}

type Task = ListrTaskWrapper<unknown, never, never>;

/** Runs one phase and records its outcome. */
async function runPhase(s: ConvergeSession, p: Phase): Promise<StepOutcome> {
  s.current = p.id;
  faultAt('before', p.id, s.io.remote);
  const o = await p.run(s);
  faultAt('after', o.id, s.io.remote);
  s.outcomes.push(o);
  s.onOutcome?.(o);
  return o;
}

/** The converge as listr2 tasks (run in order, stop at the first error), for a parent task. */
export function convergeTasks(
  s: ConvergeSession,
  c: Colors,
): Array<{ id: StepId; title: string; task: (ctx: unknown, task: Task) => Promise<void> }> {
  return phases().map((p) => ({
    id: p.id,
    title: p.title,
    task: async (_ctx: unknown, task: Task) => {
      s.io = {
        ...s.io,
        log: (line) => {
          task.output = line;
        },
      };
      let o: StepOutcome;
      try {
        o = await runPhase(s, p);
      } catch (err) {
        task.title = renderStepLine({ id: p.id, status: 'failed', detail: '' }, c);
        throw err;
      }
      task.title = renderStepLine(o, c, { icon: true });
      if (o.status === 'skipped') task.skip(task.title);
    },
  }));
}

/** The converge without a task list (check --repair, tests): every phase in order, then endSession. */
export async function runConverge(
  remote: Remote,
  opts: ConvergeOptions,
  onOutcome?: (o: StepOutcome) => void,
): Promise<ConvergeSession> {
  const s = newSession(remote, opts, onOutcome);
  try {
    for (const p of phases()) await runPhase(s, p);
  } catch (err) {
    return endSession(s, err ?? new Error('unknown failure'));
  }
  return endSession(s);
}

/** The phases after `id`: they never run once `id` failed. */
export function phasesAfter(id: StepId): StepId[] {
  const ids = phases().map((p) => p.id);
  return ids.slice(ids.indexOf(id) + 1);
}

/** Records the error (if any) as the failed outcome of the current phase and the rest as not run; releases the lock. */
export async function endSession(s: ConvergeSession, err?: unknown): Promise<ConvergeSession> {
  try {
    if (err !== undefined) {
      const e = isHermesSetupError(err) ? err : stepError('E_STEP', (err as Error).message, 'rerun with --debug', err);
      s.error = e;
      const failed: StepOutcome = { id: s.current, status: 'failed', detail: e.toLine() };
      const notRun = phasesAfter(s.current).map((id): StepOutcome => ({
        id,
        status: 'not run',
        detail: `the run stopped at ${s.current}`,
      }));
      for (const o of [failed, ...notRun]) {
        s.outcomes.push(o);
        s.onOutcome?.(o);
      }
    }
  } finally {
    await s.lock?.release();
    s.unhookLock?.();
  }
  return s;
}
