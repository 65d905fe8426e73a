// Step: pin the session token (and, in password mode, the basic-auth provider) in ~/.hermes/.env.
// Only our keys' lines change; the file is written atomically with 0600, ~/.hermes is 0700, and the
// previous file is kept as a 0600 backup. Secrets travel on stdin, never on a command line.
import { signsIn } from '../hermes/access-mode.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PATHS } from '../constants.js';
import type { ConvergeInputs, PinnedSecrets } from '../converge/inputs.js';
import { remoteCommandError } from '../errors.js';
import { encodeEnv, readEnvText, type EnvEncoding } from '../facts/env-text.js';
import { readLocalPassword } from '../facts/local-password.js';
import { readDotenvValue } from '../render/env-file.js';
import { tokenInServiceFile } from '../service/adopt.js';
import { serviceManagerFor } from '../service/service-manager.js';
import { quotePath } from '../transport/shell.js';
import {
  BASIC_HASH_KEY,
  BASIC_PLAIN_KEY,
  BASIC_SECRET_KEY,
  BASIC_USER_KEY,
  TOKEN_KEY,
  fingerprint,
  isStrongToken,
  secretTooShort,
  verifyPassword,
} from '../secrets.js';
import { dropKey, fixBom, hiddenValues, plainValues, setKey, upsertAll } from './env-lines.js';
import type { ChangeStep, Plan } from './step.js';

export interface EnvObserved {
  text: string;
  /** The codec Hermes reads the file with; the file is written back in it (docs/hermes-contract.md#c5). */
  encoding?: EnvEncoding;
  exists: boolean;
  fileMode?: number;
  dirMode?: number;
  dirExists: boolean;
  /** The basic-auth password kept on this machine (--password-file), if any. */
  localPassword?: string;
  /** A session token a hand-made unit or plist at our path sets (Environment= / EnvironmentVariables). */
  serviceToken?: string;
}

export interface EnvActions {
  before: string;
  after: string;
  encoding: EnvEncoding;
  contentChanged: boolean;
  fixFileMode: boolean;
  fixDirMode: boolean;
  /** A new basic-auth password to keep on this machine before the host gets its hash. */
  newPassword?: string;
  passwordFile?: string;
}

function chooseToken(
  text: string,
  i: ConvergeInputs,
  serviceToken: string | undefined,
): { token: string; note?: string } {
  const existing = readDotenvValue(text, TOKEN_KEY);
  if (isStrongToken(existing) && !i.opts.rotateToken) return { token: existing };
  // The seed recipe also set the token in the unit: a strong one there is the one the desktop app has; move it here.
  if (isStrongToken(serviceToken) && !i.opts.rotateToken)
    return { token: serviceToken, note: 'pinned the token the service file set (moved out of it)' };
  const note =
    existing === undefined
      ? 'new token'
      : i.opts.rotateToken
        ? 'rotated token (--rotate-token)'
        : 'replaced a weak token';
  return { token: i.generated.token, note };
}

/** Password mode: keep a matching pinned login, else pin the run's generated one. */
function planPassword(
  text: string,
  o: EnvObserved,
  i: ConvergeInputs,
  notes: string[],
): { text: string; password: NonNullable<PinnedSecrets['password']> } {
  const user = readDotenvValue(text, BASIC_USER_KEY);
  const hash = readDotenvValue(text, BASIC_HASH_KEY);
  let password: NonNullable<PinnedSecrets['password']>;
  if (hash && user === i.opts.username && !i.opts.rotateToken) {
    const known = o.localPassword !== undefined && verifyPassword(o.localPassword, hash) ? o.localPassword : undefined;
    password = { username: user, hash, ...(known ? { password: known } : {}) };
  } else {
    password = { username: i.opts.username, hash: i.generated.passwordHash, password: i.generated.password };
    notes.push('new basic-auth password');
  }
  let out = upsertAll(text, [
    [BASIC_USER_KEY, password.username],
    [BASIC_HASH_KEY, password.hash],
  ]);
  // A non-empty plaintext password in the environment replaces any hash: login would answer 401 (docs/hermes-contract.md#c6).
  if ((readDotenvValue(out, BASIC_PLAIN_KEY) ?? '').trim() !== '') {
    out = dropKey(out, BASIC_PLAIN_KEY);
    notes.push(`removed a plaintext ${BASIC_PLAIN_KEY} line (it overrides the hash: login would get 401)`);
  }
  // A secret shorter than 16 bytes unregisters the provider (C6).
  const secret = readDotenvValue(out, BASIC_SECRET_KEY);
  const short = secret ? secretTooShort(secret) : undefined;
  if (!secret || short) out = setKey(out, BASIC_SECRET_KEY, i.generated.secret);
  if (short) notes.push(`replaced a basic-auth secret too short for Hermes (${short})`);
  return { text: out, password };
}

/** Leaving password mode: drop the basic-auth keys this tool pinned (only if it pinned them). */
function dropPasswordKeys(text: string, i: ConvergeInputs): string {
  if (!i.state?.envKeys.includes(BASIC_HASH_KEY)) return text;
  return [BASIC_USER_KEY, BASIC_HASH_KEY, BASIC_SECRET_KEY].reduce(dropKey, text);
}

function describeEnv(a: EnvActions, notes: string[]): string {
  return [
    a.contentChanged ? 'update .env' : '',
    a.fixFileMode ? 'chmod 600 .env' : '',
    a.fixDirMode ? 'chmod 700 ~/.hermes' : '',
    ...notes,
  ]
    .filter(Boolean)
    .join(', ');
}

/** The secrets a diff or log of this step must never show, including ones only found in the old file. */
function redactedValues(o: EnvObserved, token: string, password: PinnedSecrets['password']): string[] {
  return [
    token,
    ...(password?.password ? [password.password] : []),
    ...hiddenValues(o.text),
    ...plainValues(o.text),
    ...(o.serviceToken ? [o.serviceToken] : []),
  ];
}

/** Pure: the .env plan and what it pins (token, basic-auth login). */
export function planEnv(o: EnvObserved, i: ConvergeInputs): Plan<EnvActions> {
  const notes: string[] = [];
  const warnings: string[] = [];
  const text = fixBom(o.text, notes, warnings);
  const { token, note } = chooseToken(text, i, o.serviceToken);
  if (note) notes.push(note);
  let after = setKey(text, TOKEN_KEY, token);
  let password: PinnedSecrets['password'];
  if (signsIn(i.decision?.mode)) ({ text: after, password } = planPassword(after, o, i, notes));
  else after = dropPasswordKeys(after, i);
  const newPassword = notes.includes('new basic-auth password') ? password?.password : undefined;
  const encoding = o.encoding ?? 'utf-8';
  if (encoding === 'latin-1' && after !== o.text) notes.push('.env is latin-1: edited byte for byte');
  const a: EnvActions = {
    before: o.text,
    after,
    encoding,
    contentChanged: after !== o.text,
    fixFileMode: o.exists && o.fileMode !== 0o600,
    fixDirMode: !o.dirExists || o.dirMode !== 0o700,
    ...(newPassword ? { newPassword } : {}),
    ...(i.opts.passwordFile ? { passwordFile: i.opts.passwordFile } : {}),
  };
  const secrets: PinnedSecrets = { token, ...(password ? { password } : {}) };
  const any = a.contentChanged || a.fixFileMode || a.fixDirMode;
  return {
    ...(any ? { actions: a } : {}),
    describe: describeEnv(a, notes),
    okDetail: `token ${fingerprint(token)} pinned${password ? `, basic auth for "${password.username}"` : ''}`,
    implies: {
      secrets,
      redact: redactedValues(o, token, password),
      changed: { env: a.contentChanged },
      warnings,
      files: a.contentChanged ? [{ path: PATHS.env, before: o.text, after, mode: 0o600 }] : [],
    },
  };
}

export const envStep: ChangeStep<EnvObserved, EnvActions> = {
  kind: 'change',
  id: 'env',
  title: 'Pin the token in ~/.hermes/.env',
  async read(_io, i) {
    const f = i.facts;
    const localPassword = signsIn(i.decision?.mode) ? await readLocalPassword(i.opts.passwordFile) : undefined;
    const env = readEnvText(f.env);
    const serviceToken = await readServiceToken(i);
    return {
      ...(serviceToken ? { serviceToken } : {}),
      text: env.text,
      encoding: env.encoding,
      exists: f.env.type === 'file',
      ...(f.env.mode !== undefined ? { fileMode: f.env.mode } : {}),
      ...(f.hermesDir.mode !== undefined ? { dirMode: f.hermesDir.mode } : {}),
      dirExists: f.hermesDir.type === 'dir',
      ...(localPassword ? { localPassword } : {}),
    };
  },
  plan: planEnv,
  async apply({ remote }, a) {
    if (a.fixDirMode || !a.contentChanged) {
      const r = await remote.exec(
        `mkdir -p ~/.hermes && chmod 700 ~/.hermes${a.fixFileMode && !a.contentChanged ? ` && chmod 600 ${quotePath(PATHS.env)}` : ''}`,
      );
      if (r.code !== 0)
        throw remoteCommandError('E_ENV_WRITE', 'fixing the modes of ~/.hermes', r, 'check ownership of ~/.hermes');
    }
    if (!a.contentChanged) return;
    // Keep a new password on this machine before the host holds its hash, so no run can lose it.
    if (a.newPassword && a.passwordFile) await storePassword(a.passwordFile, a.newPassword);
    const after = encodeEnv(a.after, a.encoding);
    if (a.before !== '') await remote.writeFileAtomic(PATHS.envBackup, encodeEnv(a.before, a.encoding), 0o600);
    await remote.writeFileAtomic(PATHS.env, after, 0o600);
  },
};

/** The token set in the service file at the path this converge installs to (a hand-made unit or plist). */
async function readServiceToken(i: ConvergeInputs): Promise<string | undefined> {
  const m = await serviceManagerFor(i.facts).catch(() => undefined);
  return m ? tokenInServiceFile(m.view(i.facts, m.target(i.facts, { daemon: i.opts.daemon })).file) : undefined;
}

/** Stores a new basic-auth password where the user asked (0600), never on the host. */
export async function storePassword(path: string, password: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, `${password}\n`, { mode: 0o600 });
}
