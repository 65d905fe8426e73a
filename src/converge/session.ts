// One host's converge session: the only mutable thing in a converge (run-converge.ts folds each step's result
// into new immutable inputs here).
import type { HermesSetupError } from '../errors.js';
import type { StepId, StepIo, StepOutcome } from '../steps/step.js';
import type { Remote } from '../transport/remote.js';
import type { ConvergeInputs, ConvergeOptions } from './inputs.js';
import type { FactsChannel } from './locked-facts.js';
import type { LockHandle } from './remote-lock.js';

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

export function inputsOf(s: ConvergeSession): ConvergeInputs {
  if (!s.inputs) throw new Error('internal: the facts are read first');
  return s.inputs;
}

/** A session before its facts are read (the facts phase comes first). */
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
