// What a converge knows as it goes: the options, the host's facts, and what each step has added so far.
// Immutable: the runner folds each step's result into a new value (foldInputs) and hands it to the next step.
import type { AccessMode, RequestedMode } from '../constants.js';
import type { Facts } from '../facts/parse-facts.js';
import type { ModeDecision } from '../hermes/access-mode.js';
import type { HermesBuild } from '../hermes/version.js';
import { generatePassword, generateToken, hashPassword } from '../secrets.js';
import type { ConvergeState } from '../state.js';

export interface ConvergeOptions {
  port: number;
  mode: RequestedMode;
  /** 'tailnet', 'all' or an explicit address. */
  bind: string;
  update: boolean;
  rotateToken: boolean;
  dryRun: boolean;
  force: boolean;
  daemon: boolean;
  /** macOS: the LaunchAgent's domain asked with --launchd-domain gui|user (system is `daemon`); else the domain rule. */
  launchdDomain?: 'gui' | 'user';
  allowPublic: boolean;
  /** Where to keep the basic-auth password on this machine (password mode). */
  passwordFile?: string;
  username: string;
  updateTimeoutMs: number;
  updateWaitMs: number;
  lockWaitMs: number;
  /** The host as connected (user@host[:port]), for the report. */
  targetLabel: string;
  /** How this machine reaches the host with ssh, as the user typed it (`box`, `-p 2222 deploy@10.0.0.5`, plus the
   * `-i KEY` they gave): the tunnel command and desktop-app hints use it, so it works where the converge did. */
  sshTarget: string;
  /** check --repair: the options come from what the host recorded, not from flags. */
  repair?: boolean;
}

export interface PlannedFile {
  path: string;
  before?: string;
  after: string;
  mode: number;
}

/** What changed on the host this run, for restart decisions (Ansible-handler style). */
export interface Changes {
  env: boolean;
  unit: boolean;
  version: boolean;
  linger: boolean;
  config: boolean;
}

export interface PinnedSecrets {
  token: string;
  password?: { username: string; hash: string; password?: string };
}

/** Secrets made once per run, so the preflight and the real pass plan the same bytes. */
export interface GeneratedSecrets {
  token: string;
  password: string;
  passwordHash: string;
  secret: string;
}

export interface ProbeRecord {
  via: string;
  ok: boolean;
  ms: number;
  status?: number;
  kind?: string;
}

export interface ServiceRuntime {
  /** The service's main PID, once known. */
  pid?: number;
  /** The service was (re)started this run: listeners and the probe must wait for it. */
  restarted: boolean;
  /** Something other than this run restarted it (e.g. `hermes update`), for the report. */
  restartedBy?: string;
  /** Where the service step left it (launchd: user/<uid> after gui/ refused the agent), when it ran. */
  scope?: string;
}

export interface ConvergeInputs {
  readonly opts: ConvergeOptions;
  readonly facts: Facts;
  readonly state?: ConvergeState;
  readonly generated: GeneratedSecrets;
  readonly build?: HermesBuild;
  readonly decision?: ModeDecision;
  readonly secrets?: PinnedSecrets;
  readonly changed: Changes;
  readonly service: ServiceRuntime;
  /** The service file as it will be after this run (planned, or as found). */
  readonly serviceText?: string;
  readonly lingerEnabledByUs?: boolean;
  readonly files: readonly PlannedFile[];
  readonly warnings: readonly string[];
  readonly probes: readonly ProbeRecord[];
  /** Secrets to redact from any output. */
  readonly redact: readonly string[];
}

/** What a step adds for the steps after it. Lists are appended, `changed` flags are or-ed, the rest replaced. */
export interface Implied {
  facts?: Facts;
  state?: ConvergeState;
  build?: HermesBuild;
  decision?: ModeDecision;
  secrets?: PinnedSecrets;
  changed?: Partial<Changes>;
  service?: Partial<ServiceRuntime>;
  serviceText?: string;
  lingerEnabledByUs?: boolean;
  files?: readonly PlannedFile[];
  warnings?: readonly string[];
  probes?: readonly ProbeRecord[];
  redact?: readonly string[];
}

/** The scrypt hash is made only when password mode asks for it (it costs ~50 ms of CPU). */
export function generateSecrets(): GeneratedSecrets {
  const password = generatePassword();
  let hash: string | undefined;
  return {
    token: generateToken(),
    password,
    get passwordHash() {
      return (hash ??= hashPassword(password));
    },
    secret: generateToken(),
  };
}

export function newInputs(
  opts: ConvergeOptions,
  facts: Facts,
  state: ConvergeState | undefined,
  generated = generateSecrets(),
): ConvergeInputs {
  return {
    opts,
    facts,
    ...(state ? { state } : {}),
    generated,
    changed: { env: false, unit: false, version: false, linger: false, config: false },
    service: { restarted: false },
    files: [],
    warnings: [],
    probes: [],
    redact: [],
  };
}

function or(a: Changes, b: Partial<Changes> | undefined): Changes {
  if (!b) return a;
  return {
    env: a.env || b.env === true,
    unit: a.unit || b.unit === true,
    version: a.version || b.version === true,
    linger: a.linger || b.linger === true,
    config: a.config || b.config === true,
  };
}

/** Pure: a new ConvergeInputs with `x` folded in. Files are keyed by path (a later plan of the same file wins). */
export function foldInputs(i: ConvergeInputs, x: Implied | undefined): ConvergeInputs {
  if (!x) return i;
  const { changed, service, files, warnings, probes, redact, ...rest } = x;
  const byPath = new Map(i.files.map((f) => [f.path, f] as const));
  for (const f of files ?? []) byPath.set(f.path, f);
  return {
    ...i,
    ...rest,
    changed: or(i.changed, changed),
    service: { ...i.service, ...service },
    files: [...byPath.values()],
    warnings: [...i.warnings, ...(warnings ?? []).filter((w) => !i.warnings.includes(w))],
    probes: [...i.probes, ...(probes ?? [])],
    redact: [...i.redact, ...(redact ?? [])],
  };
}

/** The access mode decided so far (the mode check runs before every step that needs it). */
export function modeOf(i: ConvergeInputs): AccessMode {
  if (!i.decision) throw new Error('internal: the access mode is not decided yet');
  return i.decision.mode;
}
