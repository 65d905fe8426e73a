// Runs one step or check and folds its result into the inputs of the next. `planOnly` plans without applying:
// the preflight and --dry-run use it, so both see exactly the plans a real run would apply.
import { foldInputs, type ConvergeInputs } from '../converge/inputs.js';
import type { AnyStep, ChangeStep, Check, StepIo, StepOutcome } from './step.js';

export interface StepRun {
  outcome: StepOutcome;
  inputs: ConvergeInputs;
}

async function runCheck<R>(check: Check<R>, io: StepIo, i: ConvergeInputs): Promise<StepRun> {
  const r = await check.run(io, i);
  const next = foldInputs(i, check.implies?.(r, i));
  return { outcome: { id: check.id, status: 'ok', detail: check.detail(r, next) }, inputs: next };
}

async function runChange<O, A>(
  step: ChangeStep<O, A>,
  io: StepIo,
  i: ConvergeInputs,
  planOnly: boolean,
): Promise<StepRun> {
  const plan = step.plan(await step.read(io, i), i);
  const planned = foldInputs(i, plan.implies);
  if (plan.actions === undefined)
    return { outcome: { id: step.id, status: 'ok', detail: plan.okDetail }, inputs: planned };
  if (planOnly)
    return { outcome: { id: step.id, status: 'changed', detail: `would ${plan.describe}` }, inputs: planned };
  const applied = (await step.apply(io, plan.actions, planned)) ?? {};
  const after = foldInputs(planned, applied.implies);
  if (applied.unchanged !== undefined)
    return { outcome: { id: step.id, status: 'ok', detail: applied.unchanged }, inputs: after };
  const verified = (await step.verify?.(io, plan.actions, after)) ?? {};
  return {
    outcome: { id: step.id, status: 'changed', detail: verified.detail ?? applied.detail ?? plan.describe },
    inputs: foldInputs(after, verified.implies),
  };
}

export async function runStep(
  step: AnyStep,
  io: StepIo,
  i: ConvergeInputs,
  o: { planOnly: boolean },
): Promise<StepRun> {
  const reason = step.skip?.(i);
  if (reason) return { outcome: { id: step.id, status: 'skipped', detail: reason }, inputs: i };
  return step.kind === 'check' ? runCheck(step, io, i) : runChange(step, io, i, o.planOnly);
}
