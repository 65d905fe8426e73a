// What hermes-setup recorded on the host at its last converge (~/.hermes/.hermes-setup-state.json, 0600).
// Used for version-drift checks, restart decisions, drift detection of hand edits, and uninstall.
import { createHash } from 'node:crypto';
import type { HermesCapabilities } from './hermes/version.js';

export interface ConvergeState {
  schema: 1;
  hermesVersion: string;
  hermesReleaseDate?: string;
  generation: string;
  /** Install fingerprint; while it is unchanged, version and capabilities below are reused. */
  hermesKey: string;
  hermesCaps: HermesCapabilities;
  mode: string;
  bind: string;
  port: number;
  /** sha256 of the service file we wrote (unit or plist), to tell our old file from a hand edit. */
  serviceSha256: string;
  servicePath: string;
  tokenFingerprint: string;
  /** Keys of ~/.hermes/.env this tool pinned. */
  envKeys: string[];
  lingerEnabledByUs: boolean;
}

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

export function parseState(content: Buffer | undefined): ConvergeState | undefined {
  if (!content) return undefined;
  try {
    const s = JSON.parse(content.toString('utf8')) as ConvergeState;
    return s && s.schema === 1 ? s : undefined;
  } catch {
    return undefined;
  }
}

export function renderState(s: ConvergeState): string {
  return `${JSON.stringify(s, null, 2)}\n`;
}
