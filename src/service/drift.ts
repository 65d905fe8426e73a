// Taking over the service file at our path (src/service/adopt.ts says whose it is). Ours, unchanged: replaced freely.
// A user's hand-made `hermes dashboard`/`serve` unit or plist: adopted — backed up next to itself (0600), its token
// moved into ~/.hermes/.env by the env step, replaced, said in one line. Refused without --force (before anything is
// written; a dry run warns instead): a file that runs something else, or one hermes-setup wrote and a person edited
// since. With --force those are backed up too.
import { basename } from 'node:path';
import type { ConvergeInputs } from '../converge/inputs.js';
import { stepError } from '../errors.js';
import { fingerprint } from '../secrets.js';
import { classifyServiceFile, droppedVariables, tokenInServiceFile } from './adopt.js';

export interface Takeover {
  /** Back the current file up here (0600) before replacing it. */
  backup?: { path: string; content: string };
  /** One line for the step's detail ("adopt your hand-made …"). */
  note?: string;
  warnings: string[];
}

export function backupPathOf(path: string): string {
  return `${path}.hermes-setup.bak`;
}

function shortCommand(command: string): string {
  return command.length > 100 ? `${command.slice(0, 97)}...` : command;
}

function adoptNote(current: string, command: string, path: string, i: ConvergeInputs): string {
  const token = tokenInServiceFile(current);
  const moved =
    token === undefined
      ? ''
      : token === i.secrets?.token
        ? '; its token is now pinned in ~/.hermes/.env only'
        : '; its token differed from the one in ~/.hermes/.env (which Hermes used) and was not kept';
  return `adopt your hand-made ${basename(path)} (it ran \`${shortCommand(command)}\`): backed up to ${backupPathOf(path)}${moved}`;
}

/** What replacing the current file at `path` takes; throws (one line) when it must not be replaced without --force. */
export function planTakeover(current: string | undefined, i: ConvergeInputs, path: string): Takeover {
  const origin = classifyServiceFile(current, i.state);
  if (current === undefined || origin.kind === 'none' || origin.kind === 'ours') return { warnings: [] };
  const backup = { path: backupPathOf(path), content: current };
  if (origin.kind === 'hand-made') {
    const dropped = droppedVariables(current);
    return {
      backup,
      note: adoptNote(current, origin.command, path, i),
      warnings: dropped.length
        ? [
            `${path} also set ${dropped.join(', ')}; the new service does not (put them in ~/.hermes/.env if Hermes needs them; the backup keeps them)`,
          ]
        : [],
    };
  }
  const why =
    origin.kind === 'foreign'
      ? `${path} runs \`${shortCommand(origin.command) || 'nothing hermes-setup can read'}\`, not \`hermes dashboard\` or \`hermes serve\``
      : `${path} was written by hermes-setup and edited by hand since (it differs from what the last converge recorded)`;
  if (i.opts.force) return { backup, note: `replace it (--force: ${why}); backed up to ${backup.path}`, warnings: [] };
  if (i.opts.dryRun) return { warnings: [`${why}; a real run refuses to replace it without --force`] };
  throw stepError(
    origin.kind === 'foreign' ? 'E_SERVICE_FOREIGN' : 'E_SERVICE_DRIFT',
    `${why}; refusing to replace it`,
    origin.kind === 'foreign'
      ? 'move it away (or give hermes-setup another --port), or rerun with --force to replace it (a 0600 backup is kept next to it)'
      : 'review it with --dry-run (the diff shows the edit), then rerun with --force to replace it (a 0600 backup is kept next to it)',
  );
}

/** The pinned token differs from the one recorded at the last converge (edited by hand): the server still runs the old one. */
export function tokenDrift(i: ConvergeInputs): boolean {
  return i.state !== undefined && i.secrets !== undefined && i.state.tokenFingerprint !== fingerprint(i.secrets.token);
}

/** The running dashboard started before the Hermes version it should run (not restarted by `hermes update` since). */
function versionStale(i: ConvergeInputs): boolean {
  const changed =
    i.changed.version || (i.state !== undefined && i.build !== undefined && i.state.hermesVersion !== i.build.version);
  return changed && i.service.restartedBy === undefined;
}

/** Anything the running dashboard depends on changed since it started: it must restart. */
export function dependencyChanged(i: ConvergeInputs): boolean {
  return i.changed.env || i.changed.config || versionStale(i) || tokenDrift(i);
}

export function restartReasons(i: ConvergeInputs, fileChanged: string | undefined): string[] {
  return [
    fileChanged ?? '',
    i.changed.env ? '.env changed' : '',
    i.changed.config ? 'config.yaml changed' : '',
    versionStale(i) ? 'Hermes version changed' : '',
    tokenDrift(i) && !i.changed.env ? 'pinned token differs from the converged one' : '',
  ].filter(Boolean);
}
