// The error taxonomy. Every failure the user can see is a HermesSetupError with a registered code
// (src/error-codes.ts, which also fixes its exit code), a one-line cause and a one-line hint.
// Only src/cli.ts turns these into exit codes.
import { exitCodeOf, type ErrorCode, type ExitCode } from './error-codes.js';

export { EXIT, type ErrorCode, type ExitCode } from './error-codes.js';

export class HermesSetupError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly exitCode: ExitCode;

  constructor(code: ErrorCode, message: string, hint: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HermesSetupError';
    this.code = code;
    this.hint = hint;
    this.exitCode = exitCodeOf(code);
  }

  /** The one line the user sees: `E_CODE: cause — hint: fix`. */
  toLine(): string {
    return `${this.code}: ${this.message} — hint: ${this.hint}`;
  }
}

/** A registered error; its exit code comes from the registry. */
export function fail(code: ErrorCode, message: string, hint: string, cause?: unknown): HermesSetupError {
  return new HermesSetupError(code, message, hint, cause === undefined ? undefined : { cause });
}

// The historical names; each is `fail` (the registry decides the exit code).
export const usageError = fail;
export const unreachableError = fail;
export const hostKeyError = fail;
export const stepError = fail;

/** The one formatter for a failed command on the host: `<what> failed (exit N): <last stderr line>`. */
export function remoteCommandError(
  code: ErrorCode,
  what: string,
  r: { code: number; stderr: string; stdout?: string },
  hint: string,
): HermesSetupError {
  const last =
    (r.stderr.trim() || (r.stdout ?? '').trim())
      .split('\n')
      .filter((l) => l.trim() !== '')
      .pop() ?? '';
  return fail(code, `${what} failed (exit ${r.code})${last ? `: ${last}` : ''}`, hint);
}

export function isHermesSetupError(err: unknown): err is HermesSetupError {
  return err instanceof HermesSetupError;
}
