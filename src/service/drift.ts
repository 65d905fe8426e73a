// Drift: a service file that differs from what this tool last wrote was edited by hand. A real run refuses to
// replace it without --force (before anything is written); a dry run shows it as a warning.
import type { ConvergeInputs } from '../converge/inputs.js';
import { stepError } from '../errors.js';
import { fingerprint } from '../secrets.js';
import { sha256 } from '../state.js';

export function isHandEdited(current: string | undefined, i: ConvergeInputs): boolean {
  if (current === undefined) return false;
  // Without a state file (first run, or a run killed before recording it) only our header vouches for the file.
  if (!i.state) return !/Managed by hermes-setup/.test(current);
  return sha256(current) !== i.state.serviceSha256;
}

/** Warnings for a dry run; throws for a real one when a hand-edited file would be replaced without --force. */
export function checkDrift(current: string | undefined, i: ConvergeInputs, path: string): string[] {
  if (!isHandEdited(current, i) || i.opts.force) return [];
  if (i.opts.dryRun) return [`${path} was edited by hand (drift); a real run refuses to replace it without --force`];
  throw stepError('E_SERVICE_DRIFT', `${path} differs from what hermes-setup last wrote (edited by hand?)`,
    'review it with --dry-run (the diff shows the drift), then rerun with --force to replace it');
}

/** The pinned token differs from the one recorded at the last converge (edited by hand): the server still runs the old one. */
export function tokenDrift(i: ConvergeInputs): boolean {
  return i.state !== undefined && i.secrets !== undefined && i.state.tokenFingerprint !== fingerprint(i.secrets.token);
}

/** Anything the running dashboard depends on changed since it started: it must restart. */
export function dependencyChanged(i: ConvergeInputs): boolean {
  return i.changed.env || i.changed.config || i.changed.version || tokenDrift(i) || (i.state !== undefined && i.build !== undefined && i.state.hermesVersion !== i.build.version);
}

export function restartReasons(i: ConvergeInputs, fileChanged: string | undefined): string[] {
  const version = i.changed.version || (i.state !== undefined && i.build !== undefined && i.state.hermesVersion !== i.build.version);
  return [fileChanged ?? '', i.changed.env ? '.env changed' : '', i.changed.config ? 'config.yaml changed' : '', version ? 'Hermes version changed' : '',
    tokenDrift(i) && !i.changed.env ? 'pinned token differs from the converged one' : ''].filter(Boolean);
}
