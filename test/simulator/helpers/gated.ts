/** Basic-auth provider fixtures for gated-mode tests (§9). */
import crypto from 'node:crypto';

export const BASIC_USER = 'admin';
export const BASIC_PASSWORD = 'correct horse battery';

/** Assumed upstream format: scrypt$N$r$p$<salt b64>$<key b64> (README). */
export function hashPassword(password: string): string {
  const salt = crypto.randomBytes(16);
  const key = crypto.scryptSync(password, salt, 32, { N: 1024, r: 8, p: 1 });
  return `scrypt$1024$8$1$${salt.toString('base64')}$${key.toString('base64')}`;
}

export function basicAuthEnv(): Record<string, string> {
  return {
    HERMES_DASHBOARD_BASIC_AUTH_USERNAME: BASIC_USER,
    HERMES_DASHBOARD_BASIC_AUTH_PASSWORD_HASH: hashPassword(BASIC_PASSWORD),
    HERMES_DASHBOARD_BASIC_AUTH_SECRET: 'test-signing-secret',
  };
}
