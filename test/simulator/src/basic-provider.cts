/**
 * The basic-auth provider (§18.1, corrects §9): key resolution (env wins over `dashboard.basic_auth`), the
 * plaintext-overrides-hash precedence, the `scrypt$N$r$p$salt$key` verifier and the ≥ 16-byte secret rule.
 * Python's decoders are reproduced byte for byte (`base64.b64decode` without validation, `bytes.fromhex`).
 */
import crypto from 'node:crypto';
import type { BuildInfo } from './builds.cjs';
import { envKey } from './builds.cjs';
import { type ConfigMap, getIn, isMap } from './config-yaml.cjs';
import { jsString } from './yaml-lite.cjs';

export const DEFAULT_ACCESS_TTL = 12 * 60 * 60; // §18.1: 12 h
export const REFRESH_TTL = 30 * 24 * 60 * 60; // §18.1: 30 days

export interface BasicProvider {
  username: string;
  /** What a login password is checked against: a plaintext (env or config) or an scrypt hash string. */
  verifier: { kind: 'plain'; password: string } | { kind: 'hash'; hash: string };
  secret: Buffer;
  ttlSeconds: number;
}

export type BasicResolution = { provider: BasicProvider } | { skipReason: string } | { absent: true };

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** `base64.b64decode(s)` (validate=False): non-alphabet characters are skipped, `=` ends the data. Null = error. */
export function decodePyBase64(s: string): Buffer | null {
  if (/[^\x00-\x7f]/.test(s)) return null;
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
  return quad === 0 ? Buffer.from(out) : null;
}

/** `bytes.fromhex(s)`: pairs of hex digits, ASCII whitespace allowed between pairs. Null = ValueError. */
export function decodePyHex(s: string): Buffer | null {
  const out: number[] = [];
  let i = 0;
  while (i < s.length) {
    if (/[ \t\n\r\f\v]/.test(s[i] ?? '')) {
      i += 1;
      continue;
    }
    const pair = s.slice(i, i + 2);
    if (!/^[0-9a-fA-F]{2}$/.test(pair)) return null;
    out.push(Number.parseInt(pair, 16));
    i += 2;
  }
  return Buffer.from(out);
}

/** `_resolve_secret`: base64, else hex (each only if it yields ≥ 16 bytes), else the raw UTF-8 bytes. */
export function decodeSecret(raw: string): Buffer {
  for (const decode of [decodePyBase64, decodePyHex]) {
    const d = decode(raw);
    if (d && d.length >= 16) return d;
  }
  return Buffer.from(raw, 'utf8');
}

const PY_STRIP = /^[\s\x1c-\x1f\x85]+|[\s\x1c-\x1f\x85]+$/g;

function pyInt(s: string): number | null {
  return /^\s*[-+]?\d+(_\d+)*\s*$/.test(s) ? Number(s.replace(/_/g, '')) : null;
}

/** Env-wins-over-config; an empty env value counts as unset (`_resolve`). */
function resolveKey(env: NodeJS.ProcessEnv, name: string, section: ConfigMap, key: string): string {
  const fromEnv = (env[name] ?? '').replace(PY_STRIP, '');
  if (fromEnv !== '') return fromEnv;
  const v = section[key];
  return v === null || v === undefined || v === false || v === '' ? '' : jsString(v).replace(PY_STRIP, '');
}

/** Registration as the plugin does it (`register`), for a build that has the provider and a plugin not disabled. */
export function resolveBasicProvider(build: BuildInfo, env: NodeJS.ProcessEnv, cfg: ConfigMap): BasicResolution {
  const raw = getIn(cfg, 'dashboard', 'basic_auth');
  const section: ConfigMap = isMap(raw) ? raw : {};
  const k = (s: string): string => envKey(build, `DASHBOARD_BASIC_AUTH_${s}`);
  const username = resolveKey(env, k('USERNAME'), section, 'username');
  const hash = resolveKey(env, k('PASSWORD_HASH'), section, 'password_hash');
  const plain = resolveKey(env, k('PASSWORD'), section, 'password');
  if (username === '') return { absent: true };
  if (hash === '' && plain === '')
    return { skipReason: 'dashboard.basic_auth.username is set but neither password_hash nor password is configured' };
  // §18.1 precedence: a non-empty plaintext PASSWORD in the process environment overrides any hash.
  const envPlain = (env[k('PASSWORD')] ?? '').replace(PY_STRIP, '');
  const verifier: BasicProvider['verifier'] =
    envPlain !== ''
      ? { kind: 'plain', password: envPlain }
      : hash !== ''
        ? { kind: 'hash', hash }
        : { kind: 'plain', password: plain };
  const secretRaw = resolveKey(env, k('SECRET'), section, 'secret');
  const secret = secretRaw === '' ? crypto.randomBytes(32) : decodeSecret(secretRaw);
  if (secret.length < 16)
    return { skipReason: 'BasicAuthProvider construction failed: secret must be at least 16 bytes' };
  const ttlRaw = resolveKey(env, k('TTL_SECONDS'), section, 'session_ttl_seconds');
  const ttl = ttlRaw === '' ? DEFAULT_ACCESS_TTL : (pyInt(ttlRaw) ?? DEFAULT_ACCESS_TTL);
  return { provider: { username, verifier, secret, ttlSeconds: Math.max(60, ttl) } };
}

export function safeEqual(a: Buffer | string, b: Buffer | string): boolean {
  const x = Buffer.isBuffer(a) ? a : Buffer.from(a);
  const y = Buffer.isBuffer(b) ? b : Buffer.from(b);
  if (x.length !== y.length) {
    crypto.timingSafeEqual(x, x);
    return false;
  }
  return crypto.timingSafeEqual(x, y);
}

/** §18.1: exactly 6 `$` fields, `scrypt`, standard base64 (decoded like Python: url-safe characters are dropped). */
export function verifyScryptHash(password: string, encoded: string): boolean {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = [pyInt(parts[1] ?? ''), pyInt(parts[2] ?? ''), pyInt(parts[3] ?? '')];
  const salt = decodePyBase64(parts[4] ?? '');
  const expected = decodePyBase64(parts[5] ?? '');
  if (n === null || r === null || p === null || !salt || !expected || expected.length === 0) return false;
  try {
    const derived = crypto.scryptSync(Buffer.from(password, 'utf8'), salt, expected.length, {
      N: n,
      r,
      p,
      maxmem: 32 * 1024 * 1024,
    });
    return safeEqual(derived, expected);
  } catch {
    return false;
  }
}

export function checkBasicCredentials(provider: BasicProvider, username: string, password: string): boolean {
  const userOk = safeEqual(Buffer.from(username, 'utf8'), Buffer.from(provider.username, 'utf8'));
  const v = provider.verifier;
  const passOk =
    v.kind === 'plain'
      ? safeEqual(Buffer.from(password, 'utf8'), Buffer.from(v.password, 'utf8'))
      : verifyScryptHash(password, v.hash);
  return userOk && passOk;
}
