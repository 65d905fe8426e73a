// The step contract, made true by the types. A change step reads observations, plans (pure; no actions =
// nothing to do), applies only what the plan holds, then verifies. A check reads and judges but never writes.
// Neither touches shared state: each returns what it implies, and the runner folds that into the next inputs.
import type { ConvergeInputs, Implied } from '../converge/inputs.js';
import type { Remote } from '../transport/remote.js';

export type StepId =
  | 'facts'
  | 'hermes'
  | 'preflight'
  | 'lock'
  | 'tidy'
  | 'update'
  | 'mode'
  | 'env'
  | 'config'
  | 'strays'
  | 'service'
  | 'record'
  | 'port'
  | 'probe';

export type StepStatus = 'ok' | 'changed' | 'skipped' | 'failed' | 'not run';

export interface StepOutcome {
  id: string;
  status: StepStatus;
  detail: string;
}

/** What a step may use: the transport and a progress line. */
export interface StepIo {
  remote: Remote;
  log(line: string): void;
}

export interface Plan<A> {
  /** What apply does; undefined means nothing to do. */
  readonly actions?: A;
  /** The change in a few words ("write unit, restart (.env changed)"). */
  readonly describe: string;
  /** The status line when there is nothing to do. */
  readonly okDetail: string;
  /** What the following steps learn from this plan, whether or not it is applied (files, secrets, changes). */
  readonly implies?: Implied;
}

export interface Applied {
  /** Applying found nothing to change after all (reported as ok with this detail). */
  unchanged?: string;
  /** A detail that replaces the plan's description. */
  detail?: string;
  implies?: Implied;
}

export interface ChangeStep<O, A> {
  readonly kind: 'change';
  readonly id: StepId;
  readonly title: string;
  /** A reason to skip the step, or undefined to run it. */
  skip?(i: ConvergeInputs): string | undefined;
  /** Observations only: reads the facts, the host or local files; never writes. */
  read(io: StepIo, i: ConvergeInputs): O | Promise<O>;
  /** Pure. May throw a HermesSetupError to refuse (bad input) before anything is written. */
  plan(observed: O, i: ConvergeInputs): Plan<A>;
  /** Writes exactly what `actions` holds. */
  apply(io: StepIo, actions: A, i: ConvergeInputs): Promise<Applied | void>;
  verify?(io: StepIo, actions: A, i: ConvergeInputs): Promise<Applied | void>;
}

export interface Check<R> {
  readonly kind: 'check';
  readonly id: StepId;
  readonly title: string;
  skip?(i: ConvergeInputs): string | undefined;
  run(io: StepIo, i: ConvergeInputs): R | Promise<R>;
  /** What the following steps learn from the result. */
  implies?(r: R, i: ConvergeInputs): Implied | undefined;
  detail(r: R, i: ConvergeInputs): string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a list of steps with different observation/action types
export type AnyStep = ChangeStep<any, any> | Check<any>;
