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
  const key = scryptSync(password, Buffer.from(m[4]!, 'base64'), 32, {
    N: Number(m[1]),
    r: Number(m[2]),
    p: Number(m[3]),
  });
  return key.toString('base64') === m[5];
}

/** Replaces every occurrence of each secret in `text` with its fingerprint. */
export function redact(text: string, secrets: Array<string | undefined>): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 8) out = out.split(s).join(`<redacted ${fingerprint(s)}>`);
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Python's `base64.b64decode(s)` (no validation): other characters skipped, `=` ends the data; undefined = error. */
export function decodePyBase64(s: string): Buffer | undefined {
  if (/[^\x00-\x7f]/.test(s)) return undefined;
  const out: number[] = [];
  let quad = 0;
  let left = 0;
  let pads = 0;
  for (const c of s) {
    if (c === '=') {
      if (quad >= 2 && quad + ++pads >= 4) return Buffer.from(out);
      continue;
    }
    const v = B64.indexOf(c);
    if (v < 0) continue;
    pads = 0;
    if (quad === 0) {
      left = v;
      quad = 1;
    } else if (quad === 1) {
      out.push(((left << 2) | (v >> 4)) & 0xff);
      left = v & 0x0f;
      quad = 2;
    } else if (quad === 2) {
      out.push(((left << 4) | (v >> 2)) & 0xff);
      left = v & 0x03;
      quad = 3;
    } else {
      out.push(((left << 6) | v) & 0xff);
      quad = 0;
    }
  }
  return quad === 0 ? Buffer.from(out) : undefined;
}

/** Python's `bytes.fromhex(s)`: pairs of hex digits, ASCII whitespace between pairs; undefined = ValueError. */
export function decodePyHex(s: string): Buffer | undefined {
  const out: number[] = [];
  for (let i = 0; i < s.length;) {
    if (/[ \t\n\r\f\v]/.test(s[i] ?? '')) {
      i += 1;
      continue;
    }
    const pair = s.slice(i, i + 2);
    if (!/^[0-9a-fA-F]{2}$/.test(pair)) return undefined;
    out.push(Number.parseInt(pair, 16));
    i += 2;
  }
  return Buffer.from(out);
}

/** The basic-auth provider needs a secret of at least 16 bytes (docs/hermes-contract.md#c6). */
export const MIN_SECRET_BYTES = 16;

/**
 * Why a basic-auth secret is too short, or undefined when it is long enough under both readings of upstream's
 * decoder (docs/hermes-contract.md#c6): "base64, else hex, each accepted only with ≥ 16 bytes, else raw UTF-8", and
 * the stricter "the first decoding that succeeds must give ≥ 16 bytes". A secret that only one reading accepts is
 * replaced too: the provider must register whichever Hermes does.
 */
export function secretTooShort(raw: string): string | undefined {
  const v = raw.trim();
  const b64 = decodePyBase64(v);
  const hex = decodePyHex(v);
  const utf8 = Buffer.byteLength(v, 'utf8');
  const first = b64
    ? (['base64', b64.length] as const)
    : hex
      ? (['hex', hex.length] as const)
      : (['raw', utf8] as const);
  const lenient =
    (b64?.length ?? 0) >= MIN_SECRET_BYTES || (hex?.length ?? 0) >= MIN_SECRET_BYTES || utf8 >= MIN_SECRET_BYTES;
  if (lenient && first[1] >= MIN_SECRET_BYTES) return undefined;
  return `${first[1]} byte${first[1] === 1 ? '' : 's'} as ${first[0]}, fewer than ${MIN_SECRET_BYTES}`;
}
