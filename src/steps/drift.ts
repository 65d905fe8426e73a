// Drift: a service file that differs from what this tool last wrote was edited by hand.
// It is shown in the diff and replaced only with --force.
import { stepError } from '../errors.js';
import { fingerprint } from '../secrets.js';
import { sha256 } from '../state.js';
import type { Converge } from './context.js';

export function isHandEdited(current: string | undefined, c: Converge): boolean {
  if (current === undefined) return false;
  // Without a state file (first run, or a run killed before recording it) only our header vouches for the file.
  if (!c.state) return !/Managed by hermes-setup/.test(current);
  return sha256(current) !== c.state.serviceSha256;
}

export function checkDrift(current: string | undefined, c: Converge, path: string): void {
  if (!isHandEdited(current, c) || c.opts.force) return;
  if (c.opts.dryRun && !c.preflight) {
    c.warnings.push(`${path} was edited by hand (drift); a real run refuses to replace it without --force`);
    return;
  }
  throw stepError('E_SERVICE_DRIFT', `${path} differs from what hermes-setup last wrote (edited by hand?)`,
    'review it with --dry-run (the diff shows the drift), then rerun with --force to replace it');
}

/** The pinned token differs from the one recorded at the last converge (edited by hand): the server still runs the old one. */
export function tokenDrift(c: Converge): boolean {
  return c.state !== undefined && c.token !== undefined && c.state.tokenFingerprint !== fingerprint(c.token);
}
