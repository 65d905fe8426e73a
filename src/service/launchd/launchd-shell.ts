// launchctl as the converge and uninstall run it (peers.md §4.2): bootout that waits until launchd has let go
// (exit 36 "Operation now in progress" is "in progress, wait", as brew's `stop` loops on it), bootstrap with bounded
// retries of exit 5, and launchctl's failures reported by their meaningful line. Each script is one round trip and
// uses only what a Mac has (no timeout, no GNU options).
import { LAUNCHD_LABEL } from '../../constants.js';
import { remoteCommandError, stepError } from '../../errors.js';
import type { ErrorCode } from '../../error-codes.js';
import type { ExecResult } from '../../transport/remote.js';
import type { StepIo } from '../../steps/step.js';
import { quote, quotePath } from '../../transport/shell.js';
import type { ServiceLocation } from '../service-types.js';

export const su = (loc: ServiceLocation): string => (loc.sudo ? 'sudo -n ' : '');
export const targetOf = (loc: ServiceLocation): string => `${loc.scope}/${LAUNCHD_LABEL}`;

/**
 * launchctl's own line, not its advice: non-root failures end with "Try re-running the command as root for richer
 * errors.", so the last line is the hint and the cause ("Bootstrap failed: 5: Input/output error") is above it.
 */
export function meaningfulLines(r: { code: number; stderr: string; stdout?: string }): ExecResult {
  const keep = (t: string) =>
    t
      .split('\n')
      .filter((l) => l.trim() !== '' && !/^Try re-running the command as root/i.test(l.trim()))
      .join('\n');
  return { code: r.code, stderr: keep(r.stderr), stdout: keep(r.stdout ?? '') };
}

export function launchctlError(
  code: ErrorCode,
  what: string,
  r: { code: number; stderr: string; stdout?: string },
  hint: string,
) {
  return remoteCommandError(code, what, meaningfulLines(r), hint);
}

// bootout, then poll `print` until the label is gone (≤ 30 s: launchd SIGKILLs after ExitTimeOut, 20 s by
// default). 36 means the job is still exiting; the bootout is re-sent every 2 s while the label is visible, as brew
// does. A domain that does not exist (125, no GUI session) holds nothing. Prints "36" when it had to wait.
const BOOTOUT_WAIT = `D=$1; L=$2; S=$3
out=$($S launchctl bootout "$D/$L" 2>&1); rc=$?; w=
[ "$rc" = 36 ] && w=36
i=0
while $S launchctl print "$D/$L" >/dev/null 2>&1; do
  i=$((i + 1))
  if [ "$i" -ge 120 ]; then printf '%s\\n' "$out" >&2; echo "$D/$L is still loaded 30 s after launchctl bootout (exit $rc)" >&2; exit 1; fi
  if [ $((i % 8)) -eq 0 ]; then out=$($S launchctl bootout "$D/$L" 2>&1); rc=$?; [ "$rc" = 36 ] && w=36; fi
  sleep 0.25
done
echo "$w"`;

/** Boots `loc` out and waits until launchd has let go; true when launchctl answered 36 (in progress) on the way. */
export async function bootoutAndWait(io: StepIo, loc: ServiceLocation, code: ErrorCode): Promise<boolean> {
  const r = await io.remote.exec(
    `sh -c ${quote(BOOTOUT_WAIT)} sh ${quote(loc.scope)} ${LAUNCHD_LABEL} ${quote(su(loc).trim())}`,
  );
  if (r.code !== 0)
    throw launchctlError(
      code,
      `launchctl bootout ${targetOf(loc)}`,
      r,
      `the job did not stop; see \`launchctl print ${targetOf(loc)}\` and rerun`,
    );
  return r.stdout.trim() === '36';
}

// bootstrap, retried while it answers 5 (still draining, a disabled override: enable again) or 37, at most N times.
const BOOTSTRAP = `D=$1; P=$2; L=$3; S=$4; N=$5; i=0
while :; do
  out=$($S launchctl bootstrap "$D" "$P" 2>&1); rc=$?
  [ "$rc" -eq 0 ] && exit 0
  i=$((i + 1))
  if { [ "$rc" -ne 5 ] && [ "$rc" -ne 37 ]; } || [ "$i" -ge "$N" ]; then printf '%s\\n' "$out" >&2; exit "$rc"; fi
  $S launchctl enable "$D/$L" 2>/dev/null; sleep 1
done`;

export async function bootstrapOnce(io: StepIo, loc: ServiceLocation, tries: number): Promise<ExecResult> {
  return io.remote.exec(
    `sh -c ${quote(BOOTSTRAP)} sh ${quote(loc.scope)} ${quotePath(loc.path)} ${LAUNCHD_LABEL} ${quote(su(loc).trim())} ${tries}`,
  );
}

/** Every command of the plan that needs root can get it (`sudo -n`), checked before anything changes. */
export async function checkSudo(io: StepIo, what: string, hint: string): Promise<void> {
  const r = await io.remote.exec('sudo -n true');
  if (r.code !== 0) throw remoteCommandError('E_SUDO', `${what} needs root and \`sudo -n\``, r, hint);
}

export async function removeFile(io: StepIo, loc: ServiceLocation, code: ErrorCode): Promise<void> {
  const r = await io.remote.exec(`${su(loc)}rm -f ${quotePath(loc.path)}`);
  if (r.code !== 0) throw remoteCommandError(code, `removing ${loc.path}`, r, 'rerun with --debug');
}

export function notRunning(target: string, job: { state?: string; lastExitCode?: number }, hint: string) {
  return stepError(
    'E_SERVICE_INACTIVE',
    `${target} is not running (state ${job.state ?? 'unloaded'}, last exit code ${job.lastExitCode ?? 'none'})`,
    hint,
  );
}
