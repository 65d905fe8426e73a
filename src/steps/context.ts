// The converge context shared by the steps, and the step contract: read → plan (pure; empty = nothing to do)
// → apply only the plan → verify. A step's outcome is ok, changed, skipped (reason) or failed (cause + hint).
import type { Facts } from '../facts/parse-facts.js';
import type { ModeDecision, RequestedMode } from '../hermes/access-mode.js';
import type { HermesBuild } from '../hermes/version.js';
import type { Remote } from '../transport/remote.js';
import type { ConvergeState } from '../state.js';

export interface ConvergeOptions {
  port: number;
  mode: RequestedMode;
  bind: 'tailnet' | 'all' | string;
  update: boolean;
  rotateToken: boolean;
  dryRun: boolean;
  force: boolean;
  daemon: boolean;
  allowPublic: boolean;
  /** Where to keep the basic-auth password on this machine (password mode). */
  passwordFile?: string;
  username: string;
  updateTimeoutMs: number;
  updateWaitMs: number;
  lockWaitMs: number;
  /** Where the desktop app would connect from (for the SSH tunnel hint). */
  targetLabel: string;
  sshTarget: string;
}

export interface PlannedFile {
  path: string;
  before?: string;
  after: string;
  mode: number;
}

export interface Converge {
  remote: Remote;
  opts: ConvergeOptions;
  facts: Facts;
  state?: ConvergeState;
  build?: HermesBuild;
  decision?: ModeDecision;
  token?: string;
  password?: { username: string; password?: string; hash: string };
  /** What changed this run, for restart decisions (Ansible-handler style). */
  changed: { unit: boolean; env: boolean; version: boolean; linger: boolean };
  lingerEnabledByUs?: boolean;
  service: { kind: 'systemd-user' | 'systemd-system' | 'launchd-agent' | 'launchd-daemon'; domain?: string; restarted: boolean; pid?: number };
  files: PlannedFile[];
  /** True while the preflight plans: anything that would refuse later must refuse now. */
  preflight?: boolean;
  /** Secrets generated this run: the preflight and the real pass must use the same ones. */
  generated: { token?: string; password?: string; secret?: string };
  /** Secrets to redact from any output. */
  secrets: string[];
  warnings: string[];
  /** WebSocket probe results (no secrets). */
  probes: Array<{ via: string; ok: boolean; ms: number; status?: number; kind?: string }>;
  log: (line: string) => void;
}

export type StepStatus = 'ok' | 'changed' | 'skipped' | 'failed';

export interface StepOutcome {
  id: string;
  status: StepStatus;
  detail: string;
}

export interface Step<S, P> {
  id: string;
  title: string;
  /** A reason to skip the step, or undefined to run it. */
  skip?(c: Converge): string | undefined;
  read(c: Converge): Promise<S> | S;
  /** Pure but for reading local inputs (e.g. --password-file). undefined means nothing to do. */
  plan(state: S, c: Converge): P | undefined | Promise<P | undefined>;
  describe(plan: P, c: Converge): string;
  /** Returns { unchanged } when applying found nothing to change after all (reported as ok). */
  apply(c: Converge, plan: P): Promise<void | { unchanged: string }>;
  verify?(c: Converge, plan: P | undefined): Promise<void>;
  /** Status line when nothing had to change. */
  okDetail?(state: S, c: Converge): string;
}
