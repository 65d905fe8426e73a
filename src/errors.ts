// The error taxonomy. Every failure the user can see is a HermesSetupError with a stable code,
// a one-line cause, a one-line hint, and an exit code. Only src/cli.ts turns these into exit codes.

export const EXIT = {
  OK: 0,
  STEP_FAILED: 1,
  USAGE: 2,
  UNHEALTHY: 3,
  UNREACHABLE: 4,
  HOSTKEY: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class HermesSetupError extends Error {
  readonly code: string;
  readonly hint: string;
  readonly exitCode: ExitCode;

  constructor(code: string, message: string, hint: string, exitCode: ExitCode, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HermesSetupError';
    this.code = code;
    this.hint = hint;
    this.exitCode = exitCode;
  }

  /** The one line the user sees: `E_CODE: cause — hint: fix`. */
  toLine(): string {
    return `${this.code}: ${this.message} — hint: ${this.hint}`;
  }
}

export function usageError(code: string, message: string, hint: string): HermesSetupError {
  return new HermesSetupError(code, message, hint, EXIT.USAGE);
}

export function unreachableError(code: string, message: string, hint: string, cause?: unknown): HermesSetupError {
  return new HermesSetupError(code, message, hint, EXIT.UNREACHABLE, { cause });
}

export function hostKeyError(code: string, message: string, hint: string): HermesSetupError {
  return new HermesSetupError(code, message, hint, EXIT.HOSTKEY);
}

export function stepError(code: string, message: string, hint: string, cause?: unknown): HermesSetupError {
  return new HermesSetupError(code, message, hint, EXIT.STEP_FAILED, { cause });
}

export function isHermesSetupError(err: unknown): err is HermesSetupError {
  return err instanceof HermesSetupError;
}
