// What hermes-setup recorded on the host at its last converge (~/.hermes/.hermes-setup-state.json, 0600).
// Used for version-drift checks, restart decisions, drift detection of hand edits, and uninstall.
import { createHash } from 'node:crypto';
import { isAccessMode, GENERATIONS, type AccessMode, type Generation } from './constants.js';
import type { HermesCapabilities } from './hermes/version.js';

export interface ConvergeState {
  schema: 1;
  hermesVersion: string;
  hermesReleaseDate?: string;
  generation: Generation;
  /** Install fingerprint; while it is unchanged, version and capabilities below are reused. */
  hermesKey: string;
  hermesCaps: HermesCapabilities;
  mode: AccessMode;
  bind: string;
  port: number;
  /** sha256 of the service file we wrote (unit or plist), to tell our old file from a hand edit. */
  serviceSha256: string;
  servicePath: string;
  /** Where the service was installed: systemd-user|systemd-system|launchd-agent|launchd-daemon, and its scope
   * (systemd user/system; launchd gui/<uid>, user/<uid> or system). Older state files lack them. */
  serviceKind?: string;
  serviceScope?: string;
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
    if (!s || s.schema !== 1 || !isAccessMode(s.mode) || !(GENERATIONS as readonly string[]).includes(s.generation))
      return undefined;
    return s;
  } catch {
    return undefined;
  }
}

export function renderState(s: ConvergeState): string {
  return `${JSON.stringify(s, null, 2)}\n`;
}
