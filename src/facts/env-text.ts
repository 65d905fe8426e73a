// ~/.hermes/.env as text, and the values pinned in it, read the one way every command reads them.
import { MAX_ENV_BYTES, PATHS } from '../constants.js';
import { usageError } from '../errors.js';
import { readDotenvValue } from '../render/env-file.js';
import { TOKEN_KEY } from '../secrets.js';
import type { Facts, FileFact } from './parse-facts.js';

const ENV = PATHS.env;

/** The .env text, or a one-line refusal for a file hermes-setup must not edit (symlink, NUL bytes, not UTF-8). */
export function decodeEnv(f: FileFact): string {
  if (f.type === 'missing') return '';
  if (f.type === 'symlink') {
    throw usageError('E_ENV_SYMLINK', `${ENV} is a symlink (to ${f.target}); refusing to replace it with a file`,
      `make ${ENV} a regular file (cp --remove-destination "$(readlink ~/.hermes/.env)" ~/.hermes/.env), then rerun`);
  }
  if (f.type !== 'file') throw usageError('E_ENV_NOT_FILE', `${ENV} is not a regular file`, 'move it away, then rerun');
  if ((f.size ?? 0) > MAX_ENV_BYTES || !f.content) {
    throw usageError('E_ENV_TOO_LARGE', `${ENV} is ${f.size} bytes (over 1 MiB) or unreadable`, 'check the file; a .env this large is almost certainly not what Hermes expects');
  }
  if (f.content.includes(0)) {
    throw usageError('E_ENV_NUL', `${ENV} contains NUL bytes`, 'remove them (Hermes would strip them in place): tr -d "\\000" < ~/.hermes/.env > /tmp/e && cat /tmp/e > ~/.hermes/.env');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(f.content);
  } catch {
    throw usageError('E_ENV_ENCODING', `${ENV} is not valid UTF-8 (latin-1?)`, 'convert it: iconv -f latin1 -t utf-8 ~/.hermes/.env > /tmp/e && cat /tmp/e > ~/.hermes/.env');
  }
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
