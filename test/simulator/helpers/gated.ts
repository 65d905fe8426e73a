/** Basic-auth provider fixtures for gated-mode tests (§18.1). */
import crypto from 'node:crypto';

export const BASIC_USER = 'admin';
export const BASIC_PASSWORD = 'correct horse battery';
/** §18.1: ≥ 16 bytes after decoding; 32 random bytes in standard base64. */
export const BASIC_SECRET = crypto.randomBytes(32).toString('base64');

/** §18.1: `scrypt$<N>$<r>$<p>$<salt>$<key>`, N=16384, r=8, p=1, 16-byte salt, 32-byte key, standard base64. */
export function hashPassword(password: string, opts: { N?: number; encoding?: 'base64' | 'base64url' } = {}): string {
  const N = opts.N ?? 16384;
  const salt = crypto.randomBytes(16);
  const key = crypto.scryptSync(password, salt, 32, { N, r: 8, p: 1 });
  const enc = opts.encoding ?? 'base64';
  return `scrypt$${N}$8$1$${salt.toString(enc)}$${key.toString(enc)}`;
}

export function basicAuthEnv(): Record<string, string> {
  return {
    HERMES_DASHBOARD_BASIC_AUTH_USERNAME: BASIC_USER,
    HERMES_DASHBOARD_BASIC_AUTH_PASSWORD_HASH: hashPassword(BASIC_PASSWORD),
    HERMES_DASHBOARD_BASIC_AUTH_SECRET: BASIC_SECRET,
  };
}

/** A registered OAuth provider (Nous Portal client id): gates without a password login (§9). */
export const OAUTH_ENV: Record<string, string> = { HERMES_DASHBOARD_OAUTH_CLIENT_ID: 'sim-client-id' };
