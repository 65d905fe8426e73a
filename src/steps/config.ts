// Step (password mode): make ~/.hermes/config.yaml let the basic-auth provider register (docs/hermes-contract.md#c6).
// `basic` in plugins.disabled (written by `hermes setup` in v0.17.x) makes Hermes ignore the login and exit 1 on a
// gated bind; a plaintext dashboard.basic_auth.password may take the place of the hash hermes-setup pins. Only those
// nodes are edited (src/hermes/config-yaml.ts), the previous file is kept as a 0600 backup, and the dashboard restarts.
import { PATHS } from '../constants.js';
import type { ConvergeInputs } from '../converge/inputs.js';
import { usageError } from '../errors.js';
import type { FileFact } from '../facts/parse-facts.js';
import { signsIn } from '../hermes/access-mode.js';
import { configSecrets, enableBasicAuth, readConfigAuth } from '../hermes/config-yaml.js';
import type { ChangeStep, Plan } from './step.js';

export interface ConfigObserved {
  file: FileFact;
}
export interface ConfigActions {
  before: string;
  after: string;
  mode: number;
  removed: string[];
}

const FIX =
  'remove `basic` from plugins.disabled (and any plaintext dashboard.basic_auth.password) in ~/.hermes/config.yaml, or run `hermes plugins enable basic` on the host; then rerun';

function refuse(why: string): never {
  throw usageError(
    'E_CONFIG_YAML',
    `~/.hermes/config.yaml must change for the basic-auth login to work (Hermes ignores it while basic is in plugins.disabled, or a plaintext password replaces the hash), but hermes-setup cannot edit it safely: ${why}`,
    FIX,
  );
}

function shadowWarning(keys: string[], i: ConvergeInputs): string[] {
  const shadowed = keys.filter((k) => k !== 'password');
  if (shadowed.length === 0) return [];
  const user = i.secrets?.password?.username ?? i.opts.username;
  return [
    `~/.hermes/config.yaml sets dashboard.basic_auth ${shadowed.join(', ')}: the values hermes-setup pins in ~/.hermes/.env win key by key (login user "${user}"), so that config-side login no longer applies`,
  ];
}

/** Pure: the no-op plan, with its warning, when config.yaml cannot be parsed. */
function unreadPlan(reason: string): Plan<ConfigActions> {
  return {
    describe: '',
    okDetail: 'config.yaml not read',
    implies: {
      warnings: [
        `~/.hermes/config.yaml could not be read (${reason}); if it lists basic in plugins.disabled, the login will not work`,
      ],
    },
  };
}

/** Pure: the edit of config.yaml password mode needs, if any. */
export function planConfig(o: ConfigObserved, i: ConvergeInputs): Plan<ConfigActions> {
  if (!signsIn(i.decision?.mode))
    return {
      describe: '',
      okDetail: `not needed: ${i.decision?.mode ?? 'this'} mode does not sign in with basic auth`,
    };
  const text = o.file.content?.toString('utf8') ?? '';
  if (o.file.type === 'missing')
    return { describe: '', okDetail: 'no ~/.hermes/config.yaml: nothing disables the basic-auth provider' };
  const read = readConfigAuth(text);
  if (!read.ok) return unreadPlan(read.reason);
  const warnings = shadowWarning(read.auth.basicAuthKeys, i);
  const redact = configSecrets(text);
  if (!read.auth.basicDisabled && !read.auth.plainPassword)
    return { describe: '', okDetail: 'the basic-auth provider is enabled', implies: { warnings, redact } };
  if (o.file.type === 'symlink') refuse(`it is a symlink (to ${o.file.target})`);
  const edit = enableBasicAuth(text);
  if ('reason' in edit) refuse(edit.reason);
  const a: ConfigActions = { before: text, after: edit.after, mode: o.file.mode ?? 0o600, removed: edit.removed };
  return {
    actions: a,
    describe: `remove ${edit.removed.join(' and ')} in ~/.hermes/config.yaml (backup ${PATHS.configBackup})`,
    okDetail: '',
    implies: {
      warnings,
      redact,
      changed: { config: true },
      files: [{ path: PATHS.config, before: text, after: edit.after, mode: a.mode }],
    },
  };
}

export const configStep: ChangeStep<ConfigObserved, ConfigActions> = {
  kind: 'change',
  id: 'config',
  title: 'Let the basic-auth provider register (config.yaml)',
  read: (_io, i) => ({ file: i.facts.configYaml }),
  plan: planConfig,
  async apply({ remote }, a) {
    await remote.writeFileAtomic(PATHS.configBackup, a.before, 0o600);
    await remote.writeFileAtomic(PATHS.config, a.after, a.mode);
  },
};
