// The converge: the facts in one round trip; every change planned once before anything is written (the
// preflight: bad input fails with the host untouched); then, under the remote lock, each step runs. The runner
// owns the only mutable thing, the session: it folds each step's result into new immutable inputs.
import type { ListrTaskWrapper } from 'listr2';
import { isHermesSetupError, stepError } from '../errors.js';
import { faultAt } from '../fault-injection.js';
import type { Colors } from '../output.js';
import { configStep } from '../steps/config.js';
import { envStep } from '../steps/env.js';
import { hermesCheck } from '../steps/hermes.js';
import { modeCheck } from '../steps/mode.js';
import { portCheck } from '../steps/port.js';
import { probeCheck } from '../steps/probe.js';
import { recordStep } from '../steps/record.js';
import { runStep } from '../steps/run-step.js';
import { serviceStep } from '../steps/service.js';
import type { AnyStep, StepId, StepOutcome } from '../steps/step.js';
import { straysStep } from '../steps/strays.js';
import { tidyStep } from '../steps/tidy.js';
import { updateStep } from '../steps/update.js';
import type { Remote } from '../transport/remote.js';
import type { ConvergeOptions } from './inputs.js';
import { preflight, readFacts, takeLock } from './preflight-phases.js';
import { inputsOf, newSession, type ConvergeSession } from './session.js';
import { renderStepLine } from './step-line.js';

interface Phase {
  id: StepId;
  title: string;
  run(s: ConvergeSession): Promise<StepOutcome>;
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
