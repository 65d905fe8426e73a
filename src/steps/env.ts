// Step: pin the session token (and, in password mode, the basic-auth provider) in ~/.hermes/.env.
// Only our keys' lines change; the file is written atomically with 0600, ~/.hermes is 0700, and the
// previous file is kept as a 0600 backup. Secrets travel on stdin, never on a command line.
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stepError, usageError } from '../errors.js';
import { ENV_PATH, MAX_ENV_BYTES } from '../facts/facts-script.js';
import type { FileFact } from '../facts/parse-facts.js';
import { readDotenvValue, removeDotenvKey, upsertDotenv } from '../render/env-file.js';
import { quotePath } from '../transport/shell.js';
import {
  BASIC_HASH_KEY, BASIC_SECRET_KEY, BASIC_USER_KEY, TOKEN_KEY, fingerprint, generatePassword, generateToken, hashPassword,
  isStrongToken, verifyPassword,
} from '../secrets.js';
import type { Converge, Step } from './context.js';

export const ENV_BACKUP_PATH = '~/.hermes/.env.hermes-setup.bak';

export interface EnvState { text: string; exists: boolean; fileMode?: number; dirMode?: number; dirExists: boolean }
export interface EnvPlan { before: string; after: string; contentChanged: boolean; fixFileMode: boolean; fixDirMode: boolean; notes: string[]; newPassword?: string }

export function decodeEnv(f: FileFact): string {
  if (f.type === 'missing') return '';
  if (f.type === 'symlink') {
    throw usageError('E_ENV_SYMLINK', `${ENV_PATH} is a symlink (to ${f.target}); refusing to replace it with a file`,
      `make ${ENV_PATH} a regular file (cp --remove-destination "$(readlink ~/.hermes/.env)" ~/.hermes/.env), then rerun`);
  }
  if (f.type !== 'file') throw usageError('E_ENV_NOT_FILE', `${ENV_PATH} is not a regular file`, `move it away, then rerun`);
  if ((f.size ?? 0) > MAX_ENV_BYTES || !f.content) {
    throw usageError('E_ENV_TOO_LARGE', `${ENV_PATH} is ${f.size} bytes (over 1 MiB) or unreadable`, 'check the file; a .env this large is almost certainly not what Hermes expects');
  }
  if (f.content.includes(0)) {
    throw usageError('E_ENV_NUL', `${ENV_PATH} contains NUL bytes`, 'remove them (Hermes would strip them in place): tr -d "\\000" < ~/.hermes/.env > /tmp/e && cat /tmp/e > ~/.hermes/.env');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(f.content);
  } catch {
    throw usageError('E_ENV_ENCODING', `${ENV_PATH} is not valid UTF-8 (latin-1?)`, 'convert it: iconv -f latin1 -t utf-8 ~/.hermes/.env > /tmp/e && cat /tmp/e > ~/.hermes/.env');
  }
}

function chooseToken(text: string, c: Converge): { token: string; note?: string } {
  const existing = readDotenvValue(text, TOKEN_KEY);
  if (isStrongToken(existing) && !c.opts.rotateToken) return { token: existing };
  const token = (c.generated.token ??= generateToken());
  const note = existing === undefined ? 'new token' : c.opts.rotateToken ? 'rotated token (--rotate-token)' : 'replaced a weak token';
  return { token, note };
}

async function knownPassword(c: Converge, hash: string): Promise<string | undefined> {
  if (!c.opts.passwordFile) return undefined;
  const p = await readFile(c.opts.passwordFile, 'utf8').then((s) => s.trim(), () => undefined);
  return p && verifyPassword(p, hash) ? p : undefined;
}

async function planPassword(text: string, c: Converge, notes: string[]): Promise<string> {
  const user = readDotenvValue(text, BASIC_USER_KEY);
  const hash = readDotenvValue(text, BASIC_HASH_KEY);
  let out = text;
  if (hash && user === c.opts.username && !c.opts.rotateToken) {
    c.password = { username: user, hash, ...(await knownPassword(c, hash).then((p) => (p ? { password: p } : {}))) };
  } else {
    const fresh = c.generated.password === undefined;
    const password = (c.generated.password ??= generatePassword());
    const hash = fresh || !c.password?.hash || c.password.password !== password ? hashPassword(password) : c.password.hash;
    c.password = { username: c.opts.username, password, hash };
    notes.push('new basic-auth password');
  }
  for (const [k, v] of [[BASIC_USER_KEY, c.password.username], [BASIC_HASH_KEY, c.password.hash]] as const) {
    const e = upsertDotenv(out, k, v);
    if (e.changed) out = e.text;
  }
  if (!readDotenvValue(out, BASIC_SECRET_KEY)) out = (upsertDotenv(out, BASIC_SECRET_KEY, (c.generated.secret ??= generateToken())) as { text: string }).text;
  return out;
}

function dropPasswordKeys(text: string, c: Converge): string {
  if (!c.state?.envKeys.includes(BASIC_HASH_KEY)) return text;
  let out = text;
  for (const k of [BASIC_USER_KEY, BASIC_HASH_KEY, BASIC_SECRET_KEY]) {
    const e = removeDotenvKey(out, k);
    if (e.changed) out = e.text;
  }
  return out;
}

export const envStep: Step<EnvState, EnvPlan> = {
  id: 'env',
  title: 'Pin the token in ~/.hermes/.env',
  read: (c) => ({
    text: decodeEnv(c.facts.env), exists: c.facts.env.type === 'file', fileMode: c.facts.env.mode,
    dirMode: c.facts.hermesDir.mode, dirExists: c.facts.hermesDir.type === 'dir',
  }),
  plan: (s, c) => planEnv(s, c),
  describe: (p) => [p.contentChanged ? 'update .env' : '', p.fixFileMode ? 'chmod 600 .env' : '', p.fixDirMode ? 'chmod 700 ~/.hermes' : '', ...p.notes].filter(Boolean).join(', '),
  async apply(c, p) {
    if (p.fixDirMode || !p.contentChanged) {
      const r = await c.remote.exec(`mkdir -p ~/.hermes && chmod 700 ~/.hermes${p.fixFileMode && !p.contentChanged ? ` && chmod 600 ${quotePath(ENV_PATH)}` : ''}`);
      if (r.code !== 0) throw stepError('E_ENV_WRITE', `cannot fix the modes of ~/.hermes: ${r.stderr.trim()}`, 'check ownership of ~/.hermes');
    }
    if (!p.contentChanged) return;
    // Keep a new password on this machine before the host holds its hash, so no run can lose it.
    if (p.newPassword && c.opts.passwordFile) await storePassword(c.opts.passwordFile, p.newPassword);
    if (p.before !== '') await c.remote.writeFileAtomic(ENV_BACKUP_PATH, p.before, 0o600);
    await c.remote.writeFileAtomic(ENV_PATH, p.after, 0o600);
    c.changed.env = true;
  },
  okDetail: (_s, c) => `token ${fingerprint(c.token ?? '')} pinned${c.password ? `, basic auth for "${c.password.username}"` : ''}`,
};

/** The .env plan (async: password mode may read --password-file on this machine). */
export async function planEnv(s: EnvState, c: Converge): Promise<EnvPlan | undefined> {
  const notes: string[] = [];
  const { token, note } = chooseToken(s.text, c);
  if (note) notes.push(note);
  c.token = token;
  c.secrets.push(token);
  let after = s.text;
  const e = upsertDotenv(after, TOKEN_KEY, token);
  if (e.changed) after = e.text;
  after = c.decision?.mode === 'password' ? await planPassword(after, c, notes) : dropPasswordKeys(after, c);
  if (c.password?.password) c.secrets.push(c.password.password);
  const plan: EnvPlan = {
    before: s.text, after, contentChanged: after !== s.text,
    fixFileMode: s.exists && s.fileMode !== 0o600, fixDirMode: !s.dirExists || s.dirMode !== 0o700, notes,
    ...(notes.includes('new basic-auth password') && c.password?.password ? { newPassword: c.password.password } : {}),
  };
  if (!plan.contentChanged && !plan.fixFileMode && !plan.fixDirMode) return undefined;
  c.files.push({ path: ENV_PATH, before: s.text, after, mode: 0o600 });
  return plan;
}

/** Stores a new basic-auth password where the user asked (0600), never on the host. */
export async function storePassword(path: string, password: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, `${password}\n`, { mode: 0o600 });
}
