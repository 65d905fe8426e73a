/** Host (§7.3), Origin (§8.4) and peer (§8.5) guards. */
import type { BuildInfo } from './builds.cjs';
import { type Generation, isServeEra } from './generations.cjs';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1']);
const WILDCARD_BINDS = new Set(['0.0.0.0', '::', '']);

export interface GuardConfig {
  generation: Generation;
  build: BuildInfo;
  bindHost: string;
  gated: boolean;
  publicHostname: string | null;
}

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.has(host.toLowerCase());
}

export function isLoopbackPeer(addr: string | undefined): boolean {
  if (!addr) return false;
  const a = addr.replace(/^::ffff:/, '');
  return a === '127.0.0.1' || a === '::1' || a === 'localhost' || a === 'testclient';
}

/** Strips the port and IPv6 brackets; null when the authority is malformed (G3 rule). */
export function extractHostname(authority: string, strict: boolean): string | null {
  const raw = authority.trim();
  if (strict && /:\/\/|[@/\\"'`<>\s]/.test(raw)) return null;
  if (raw.startsWith('[')) {
    const end = raw.indexOf(']');
    return end === -1 ? null : raw.slice(1, end).toLowerCase();
  }
  const colons = raw.split(':').length - 1;
  if (colons > 1) return raw.toLowerCase();
  return (colons === 1 ? raw.slice(0, raw.indexOf(':')) : raw).toLowerCase();
}

export function isHostnameAllowed(cfg: GuardConfig, hostname: string): boolean {
  if (isServeEra(cfg.generation) && cfg.publicHostname && hostname === cfg.publicHostname) return true;
  const bind = cfg.bindHost.toLowerCase();
  if (WILDCARD_BINDS.has(bind)) return true;
  if (isLoopbackHost(bind)) return isLoopbackHost(hostname);
  return hostname === bind;
}

export function isHostHeaderAllowed(cfg: GuardConfig, hostHeader: string | undefined): boolean {
  if (hostHeader === undefined) return false;
  const hostname = extractHostname(hostHeader, isServeEra(cfg.generation));
  return hostname !== null && isHostnameAllowed(cfg, hostname);
}

export function getHostErrorDetail(gen: Generation): string {
  return isServeEra(gen)
    ? 'Invalid Host header. Dashboard requests must use the bound hostname or the configured public hostname.'
    : 'Invalid Host header. Dashboard requests must use the hostname the server was bound to.';
}

/** §8.4 with the §1.1 history for non-web Origins. */
export function isOriginAllowed(cfg: GuardConfig, origin: string | undefined): boolean {
  if (origin === undefined) return true;
  const lower = origin.trim().toLowerCase();
  if (lower.startsWith('http://') || lower.startsWith('https://')) {
    let hostname: string;
    try {
      hostname = new URL(lower).hostname.replace(/^\[|\]$/g, '');
    } catch {
      return false;
    }
    return isHostnameAllowed(cfg, hostname);
  }
  // §1.1: before 2026-06-02 loopback binds only; 6ed9a2de8 (06-02) whenever the gate is off; dd28f2ac9 (06-03)
  // always once the credential passes (the credential is checked before this guard).
  if (cfg.build.originRule === 'loopback-bind') return isLoopbackHost(cfg.bindHost);
  if (cfg.build.originRule === 'gate-off') return !cfg.gated;
  return true;
}

/** §8.5: loopback, ungated binds accept only loopback peers. */
export function isPeerAllowed(cfg: GuardConfig, peer: string | undefined): boolean {
  if (cfg.gated || !isLoopbackHost(cfg.bindHost)) return true;
  return isLoopbackPeer(peer);
}
