// What Hermes build is on the host: parse `hermes --version` (first line only, as the Desktop app does)
// and `dashboard --help` / `serve --help`, and place it in a generation (docs/hermes-contract.md#c1, #c2, #c12).
import type { Generation } from '../constants.js';

export interface HermesVersion {
  version: string;
  releaseDate?: string;
}

export interface HermesCapabilities {
  /** `--insecure` still disables the auth gate on a public bind (G0/G1). */
  insecureDisablesGate: boolean;
  isolated: boolean;
  skipBuild: boolean;
  tuiListed: boolean;
  /** Newer headless `serve` with the Desktop-over-SSH flags (G3). */
  serveSshFlags: boolean;
}

export interface HermesBuild extends HermesVersion {
  generation: Generation;
  caps: HermesCapabilities;
}

const HARDENED = '2026-06-21';
const ORIGIN_FIX = '2026-06-02';

export function parseVersionLine(out: string): HermesVersion | undefined {
  const first = out.split('\n').find((l) => l.trim() !== '') ?? '';
  const m = /^Hermes Agent v(\S+)(?: \(([^)]+)\))?/.exec(first.trim());
  if (!m) return undefined;
  return m[2] ? { version: m[1]!, releaseDate: m[2] } : { version: m[1]! };
}

/** Release dates look like 2026.7.1; returns 2026-07-01 for comparisons. */
export function isoDate(release: string | undefined): string | undefined {
  const m = /^(\d{4})\.(\d{1,2})\.(\d{1,2})$/.exec(release ?? '');
  return m ? `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}` : undefined;
}

function flagListed(help: string, flag: string): boolean {
  return new RegExp(`(^|\\s|\\[)${flag.replace(/-/g, '\\-')}(\\s|=|,|\\]|$)`, 'm').test(help);
}

export function parseCapabilities(dashboardHelp: string, serveHelp: string): HermesCapabilities {
  const insecureLine = dashboardHelp.split('\n').findIndex((l) => /--insecure/.test(l));
  const insecureText =
    insecureLine >= 0
      ? dashboardHelp
          .split('\n')
          .slice(insecureLine, insecureLine + 3)
          .join(' ')
      : '';
  return {
    insecureDisablesGate: insecureLine >= 0 && !/deprecated|no longer disables/i.test(insecureText),
    isolated: flagListed(dashboardHelp, '--isolated'),
    skipBuild: flagListed(dashboardHelp, '--skip-build'),
    tuiListed: flagListed(dashboardHelp, '--tui'),
    serveSshFlags: flagListed(serveHelp, '--ssh-session-token-file') && flagListed(serveHelp, '--ssh-owner-nonce'),
  };
}

/** Capabilities first (help text does not lie about the build), the release date for what help cannot show. */
export function detectGeneration(v: HermesVersion, caps: HermesCapabilities): Generation {
  if (caps.serveSshFlags) return 'G3';
  const date = isoDate(v.releaseDate);
  if (!caps.insecureDisablesGate || (date !== undefined && date >= HARDENED)) return 'G2';
  if (date !== undefined && date < ORIGIN_FIX) return 'G0';
  return 'G1';
}

export function describeBuild(b: HermesBuild): string {
  return `${b.generation}, v${b.version}${b.releaseDate ? ` (${b.releaseDate})` : ''}`;
}
