// Secrets: generation, strength, fingerprints and the basic-auth hash. Never log a secret; log its fingerprint.
import { createHash, randomBytes, scryptSync } from 'node:crypto';

export const TOKEN_KEY = 'HERMES_DASHBOARD_SESSION_TOKEN';
export const BASIC_USER_KEY = 'HERMES_DASHBOARD_BASIC_AUTH_USERNAME';
export const BASIC_HASH_KEY = 'HERMES_DASHBOARD_BASIC_AUTH_PASSWORD_HASH';
export const BASIC_SECRET_KEY = 'HERMES_DASHBOARD_BASIC_AUTH_SECRET';
export const BASIC_PLAIN_KEY = 'HERMES_DASHBOARD_BASIC_AUTH_PASSWORD';

/** 256 random bits, URL-safe base64 (43 characters), like secrets.token_urlsafe(32). */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/** At least 256 bits of URL-safe base64. */
export function isStrongToken(t: string | undefined): t is string {
  return typeof t === 'string' && /^[A-Za-z0-9_-]{43,}$/.test(t);
}

export function fingerprint(secret: string): string {
  return `sha256:${createHash('sha256').update(secret).digest('hex').slice(0, 12)}`;
}

export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

const SCRYPT = { N: 16384, r: 8, p: 1 };

export function hashPassword(password: string, salt = randomBytes(16)): string {
  const key = scryptSync(password, salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export function verifyPassword(password: string, hash: string): boolean {
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([^$]+)\$([^$]+)$/.exec(hash);
  if (!m) return false;
  const key = scryptSync(password, Buffer.from(m[4]!, 'base64'), 32, { N: Number(m[1]), r: Number(m[2]), p: Number(m[3]) });
  return key.toString('base64') === m[5];
}

/** Replaces every occurrence of each secret in `text` with its fingerprint. */
export function redact(text: string, secrets: Array<string | undefined>): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 8) out = out.split(s).join(`<redacted ${fingerprint(s)}>`);
  return out;
}
