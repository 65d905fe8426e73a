/**
 * Paths and the simulator's own knobs. `$HERMES_HOME/hermes-relay-sim.json` is re-read on every use, so tests can
 * change rate limits, the code TTL or the advertised addresses without restarting the relay.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface BucketLimits { max: number; windowSeconds: number; blockSeconds: number }

export interface SimConfig {
  port: number;
  host: string;
  lanIp?: string;
  tailnetIp?: string;
  /** Code lifetime (contract: 600 s). */
  codeTtlSeconds: number;
  /** Default session TTL when the registration names none (contract: 30 days). */
  sessionTtlSeconds: number;
  rateLimits: { pairing: BucketLimits; session: BucketLimits };
  /** Replaces the relay URL advertised for a role (e.g. a LAN URL nothing answers on). */
  endpointOverrides: Partial<Record<'lan' | 'tailscale' | 'public', string>>;
  /** Prepended to new session tokens (lets tests make prefixes collide). */
  tokenPrefix: string;
}

export const RELAY_VERSION = '0.9.2-sim';

export function hermesHome(): string {
  return process.env['HERMES_HOME'] || path.join(os.homedir(), '.hermes');
}

export const sessionsPath = (): string => path.join(hermesHome(), 'hermes-relay-sessions.json');
export const secretPath = (): string => path.join(hermesHome(), 'hermes-relay-qr-secret');
export const configPath = (): string => path.join(hermesHome(), 'hermes-relay-sim.json');

const DEFAULT_BUCKET: BucketLimits = { max: 5, windowSeconds: 60, blockSeconds: 300 };

function readJson(file: string): Record<string, unknown> {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function bucket(v: unknown): BucketLimits {
  const o = (v && typeof v === 'object' ? v : {}) as Partial<BucketLimits>;
  return {
    max: typeof o.max === 'number' ? o.max : DEFAULT_BUCKET.max,
    windowSeconds: typeof o.windowSeconds === 'number' ? o.windowSeconds : DEFAULT_BUCKET.windowSeconds,
    blockSeconds: typeof o.blockSeconds === 'number' ? o.blockSeconds : DEFAULT_BUCKET.blockSeconds,
  };
}

export function loadConfig(): SimConfig {
  const raw = readJson(configPath());
  const limits = (raw['rateLimits'] ?? {}) as Record<string, unknown>;
  const str = (k: string): string | undefined => (typeof raw[k] === 'string' && raw[k] !== '' ? (raw[k] as string) : undefined);
  const num = (k: string, d: number): number => (typeof raw[k] === 'number' ? (raw[k] as number) : d);
  const envPort = Number(process.env['RELAY_PORT'] ?? '');
  return {
    port: Number.isInteger(envPort) && envPort > 0 ? envPort : num('port', 8767),
    host: process.env['RELAY_HOST'] || str('host') || '0.0.0.0',
    lanIp: str('lanIp'),
    tailnetIp: str('tailnetIp'),
    codeTtlSeconds: num('codeTtlSeconds', 600),
    sessionTtlSeconds: num('sessionTtlSeconds', 30 * 24 * 3600),
    rateLimits: { pairing: bucket(limits['pairing']), session: bucket(limits['session']) },
    endpointOverrides: (raw['endpointOverrides'] ?? {}) as SimConfig['endpointOverrides'],
    tokenPrefix: str('tokenPrefix') ?? '',
  };
}

/** Writes a file readable only by its owner: temp file in the same directory, then rename. */
export function writePrivateFile(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

export function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}
