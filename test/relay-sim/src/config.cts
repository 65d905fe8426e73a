/**
 * Paths, the relay's environment and the simulator's own knobs. `$HERMES_HOME/hermes-relay-sim.json` is re-read on
 * every use, so tests can change rate limits, the code TTL or the advertised addresses without restarting the relay.
 * Every default below is the contract's value (hermes-behaviour.md §16, corrected by §18.7); see ../README.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface BucketLimits {
  max: number;
  windowSeconds: number;
  blockSeconds: number;
}

export interface SimConfig {
  port: number;
  host: string;
  /** The host's LAN address (pair.py `_resolve_lan_ip`). */
  lanIp?: string;
  /** Stands in for `tailscale status`: set = Tailscale is up with this address; unset = no Tailscale. */
  tailnetIp?: string;
  /** Code lifetime: 600 s (§16.1 `_PAIRING_CODE_TTL`). */
  codeTtlSeconds: number;
  /** Session TTL when `--ttl` is not given: 30 days (§16.3 step 6, pair.py `ttl_spec or "30d"`). */
  sessionTtlSeconds: number;
  /** §18.7 "Rate limits": pairing 10/60 s → 120 s, session 5/60 s → 300 s. Tests may shrink them. */
  rateLimits: { pairing: BucketLimits; session: BucketLimits };
  /** Test knob: replaces the relay URL advertised for a role (e.g. a port nothing answers on). */
  endpointOverrides: Partial<Record<'lan' | 'tailscale' | 'public', string>>;
  /** Test knob: hex digits that replace the start of new UUID tokens (makes prefixes collide for the 409 test). */
  tokenHexPrefix: string;
  /** Test knob: `hermes pair` wraps its labels and values in ANSI colour codes (a terminal-like output). */
  colorOutput: boolean;
  /** Test knob: /pairing/mint ignores `ttl_seconds` in its body (the contract does not name the mint body). */
  mintIgnoresTtl: boolean;
}

export const RELAY_VERSION = '1.9.0-sim';

export function hermesHome(): string {
  return process.env['HERMES_HOME'] || path.join(os.homedir(), '.hermes');
}

export const sessionsPath = (): string => path.join(hermesHome(), 'hermes-relay-sessions.json');
export const secretPath = (): string => path.join(hermesHome(), 'hermes-relay-qr-secret');
export const configPath = (): string => path.join(hermesHome(), 'hermes-relay-sim.json');

// §18.7 "Rate limits".
const PAIRING_LIMITS: BucketLimits = { max: 10, windowSeconds: 60, blockSeconds: 120 };
const SESSION_LIMITS: BucketLimits = { max: 5, windowSeconds: 60, blockSeconds: 300 };

function readJson(file: string): Record<string, unknown> {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function bucket(v: unknown, d: BucketLimits): BucketLimits {
  const o = (v && typeof v === 'object' ? v : {}) as Partial<BucketLimits>;
  return {
    max: typeof o.max === 'number' ? o.max : d.max,
    windowSeconds: typeof o.windowSeconds === 'number' ? o.windowSeconds : d.windowSeconds,
    blockSeconds: typeof o.blockSeconds === 'number' ? o.blockSeconds : d.blockSeconds,
  };
}

/** `KEY=value` lines of `$HERMES_HOME/.env` (the relay loads it at import, §16.6; so does the `hermes` CLI, §5). */
export function readDotEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  let text: string;
  try {
    text = fs.readFileSync(path.join(hermesHome(), '.env'), 'utf8');
  } catch {
    return out;
  }
  for (const raw of text.split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(raw);
    if (m) out[m[1]!] = m[2]!.trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

/** RELAY_* settings: the process environment wins over `.env`. */
export function relayEnv(name: 'RELAY_HOST' | 'RELAY_PORT' | 'RELAY_SSL_CERT' | 'RELAY_SSL_KEY'): string | undefined {
  return process.env[name] || readDotEnv()[name] || undefined;
}

export function loadConfig(): SimConfig {
  const raw = readJson(configPath());
  const limits = (raw['rateLimits'] ?? {}) as Record<string, unknown>;
  const str = (k: string): string | undefined => (typeof raw[k] === 'string' && raw[k] !== '' ? raw[k] : undefined);
  const num = (k: string, d: number): number => (typeof raw[k] === 'number' ? raw[k] : d);
  const envPort = Number(relayEnv('RELAY_PORT') ?? '');
  return {
    port: Number.isInteger(envPort) && envPort > 0 ? envPort : num('port', 8767),
    host: relayEnv('RELAY_HOST') || str('host') || '0.0.0.0',
    lanIp: str('lanIp'),
    tailnetIp: str('tailnetIp'),
    codeTtlSeconds: num('codeTtlSeconds', 600),
    sessionTtlSeconds: num('sessionTtlSeconds', 30 * 24 * 3600),
    rateLimits: {
      pairing: bucket(limits['pairing'], PAIRING_LIMITS),
      session: bucket(limits['session'], SESSION_LIMITS),
    },
    endpointOverrides: raw['endpointOverrides'] ?? {},
    tokenHexPrefix: (str('tokenHexPrefix') ?? '').replace(/[^0-9a-f]/g, '').slice(0, 8),
    colorOutput: raw['colorOutput'] === true,
    mintIgnoresTtl: raw['mintIgnoresTtl'] === true,
  };
}

/** Writes a file readable only by its owner: temp file in the same directory, then rename. */
export function writePrivateFile(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** Epoch seconds as a float, like Python's `time.time()` (§18.7 "Tokens": float epoch timestamps). */
export function nowSec(): number {
  return Date.now() / 1000;
}
