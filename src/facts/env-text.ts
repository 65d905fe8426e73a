// ~/.hermes/.env as text, and the values pinned in it, read the one way every command reads them.
import { MAX_ENV_BYTES, PATHS } from '../constants.js';
import { usageError } from '../errors.js';
import { parseDotenv, readDotenvValue } from '../render/env-file.js';
import { TOKEN_KEY } from '../secrets.js';
import type { Facts, FileFact } from './parse-facts.js';

const ENV = PATHS.env;

export type EnvEncoding = 'utf-8' | 'latin-1';

/** The .env as python-dotenv reads it: its text and the codec Hermes decodes it with. */
export interface EnvText {
  text: string;
  encoding: EnvEncoding;
}

/**
 * The .env text exactly as python-dotenv reads it (docs/hermes-contract.md#c5): strict UTF-8 that **keeps** a BOM
 * (it is part of the first key's name there), else latin-1 as Hermes retries it. A one-line refusal for a file
 * hermes-setup must not edit (symlink, NUL bytes, too large).
 *
 * Decision: a latin-1 file is read and edited byte for byte (Hermes reads it too; the lines hermes-setup writes are
 * ASCII, so every other byte stays as it was), rather than refused; only a value latin-1 cannot hold is refused.
 */
export function readEnvText(f: FileFact): EnvText {
  if (f.type === 'missing') return { text: '', encoding: 'utf-8' };
  if (f.type === 'symlink') {
    throw usageError(
      'E_ENV_SYMLINK',
      `${ENV} is a symlink (to ${f.target}); refusing to replace it with a file`,
      `make ${ENV} a regular file (cp --remove-destination "$(readlink ~/.hermes/.env)" ~/.hermes/.env), then rerun`,
    );
  }
  if (f.type !== 'file') throw usageError('E_ENV_NOT_FILE', `${ENV} is not a regular file`, 'move it away, then rerun');
  if ((f.size ?? 0) > MAX_ENV_BYTES || !f.content) {
    throw usageError(
      'E_ENV_TOO_LARGE',
      `${ENV} is ${f.size} bytes (over 1 MiB) or unreadable`,
      'check the file; a .env this large is almost certainly not what Hermes expects',
    );
  }
  if (f.content.includes(0)) {
    throw usageError(
      'E_ENV_NUL',
      `${ENV} contains NUL bytes`,
      'remove them (Hermes would strip them in place): tr -d "\\000" < ~/.hermes/.env > /tmp/e && cat /tmp/e > ~/.hermes/.env',
    );
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(f.content), encoding: 'utf-8' };
  } catch {
    return { text: f.content.toString('latin1'), encoding: 'latin-1' };
  }
}

/** The .env text (see readEnvText). */
export function decodeEnv(f: FileFact): string {
  return readEnvText(f).text;
}

/** The bytes to write for `text` in the file's own encoding, so every byte hermes-setup did not edit stays. */
export function encodeEnv(text: string, encoding: EnvEncoding): Buffer {
  if (encoding === 'utf-8') return Buffer.from(text, 'utf8');
  const bad = [...text].find((c) => c.codePointAt(0)! > 0xff);
  if (bad !== undefined) {
    throw usageError(
      'E_ENV_ENCODING',
      `${ENV} is latin-1 (not UTF-8) and the value to pin has a character latin-1 cannot hold (U+${bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`,
      'convert the file to UTF-8: iconv -f latin1 -t utf-8 ~/.hermes/.env > /tmp/e && cat /tmp/e > ~/.hermes/.env, then rerun',
    );
  }
  return Buffer.from(text, 'latin1');
}

/** A key of ours that python-dotenv cannot see because a UTF-8 BOM is glued to its name on the first line. */
export function keyBehindBom(text: string, keys: readonly string[]): string | undefined {
  if (!text.startsWith('\uFEFF')) return undefined;
  const first = parseDotenv(text.slice(1))[0];
  return first?.key && keys.includes(first.key) && first.value !== null ? first.key : undefined;
}

/** The session token pinned in .env, if any (never throws: a health check reads what it can). */
export function readPinnedToken(f: Facts): string | undefined {
  if (f.env.type !== 'file' || !f.env.content) return undefined;
  try {
    return readDotenvValue(decodeEnv(f.env), TOKEN_KEY);
  } catch {
    return undefined;
  }
}

/** The token line is there but behind a UTF-8 BOM, so Hermes starts with a random token (docs/hermes-contract.md#c5). */
export function tokenBehindBom(f: Facts): boolean {
  if (f.env.type !== 'file' || !f.env.content) return false;
  try {
    return keyBehindBom(decodeEnv(f.env), [TOKEN_KEY]) !== undefined;
  } catch {
    return false;
  }
}
