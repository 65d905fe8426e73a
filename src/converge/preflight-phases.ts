// The converge's phases before its first write: read the facts, plan every change (the preflight: bad input fails
// with the host untouched), then take the lock on the facts exec.
import { onInterrupt } from '../interrupt.js';
import { count } from '../output.js';
import { gatherFacts } from '../facts/gather.js';
import type { Facts } from '../facts/parse-facts.js';
import { parseState } from '../state.js';
import { configStep } from '../steps/config.js';
import { envStep } from '../steps/env.js';
import { modeCheck } from '../steps/mode.js';
import { recordStep } from '../steps/record.js';
import { runStep } from '../steps/run-step.js';
import { serviceStep } from '../steps/service.js';
import type { AnyStep, StepOutcome } from '../steps/step.js';
import { straysStep } from '../steps/strays.js';
import { updateStep } from '../steps/update.js';
import { takeEarlyRead } from '../transport/early-start.js';
import { foldInputs, newInputs } from './inputs.js';
import { checkPreconditions } from './preconditions.js';
import { factsChannelKind, factsKind } from './early-facts.js';
import { lockFailure, openFactsChannel, type FactsChannel } from './locked-facts.js';
import { inputsOf, type ConvergeSession } from './session.js';

/** The steps the preflight plans (in order) before the first write. */
const PLANNED: AnyStep[] = [updateStep, modeCheck, envStep, configStep, straysStep, serviceStep, recordStep];

/** The facts. For a real run they come from the exec that takes the lock after the preflight (locked-facts.ts);
 * either read may have been started with the connection (early-facts.ts). */
export async function readFacts(s: ConvergeSession): Promise<StepOutcome> {
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
export async function preflight(s: ConvergeSession): Promise<StepOutcome> {
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
export async function takeLock(s: ConvergeSession): Promise<StepOutcome> {
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
